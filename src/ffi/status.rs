//! Status codes and the error object.

use crate::error::{Error, ErrorKind};
use std::ffi::{c_char, CString};

/// What a fallible function did. `AUTH_STATUS_OK` is 0.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthStatus {
    /// Success.
    Ok = 0,
    /// NULL, non-UTF-8, malformed URL, plaintext http to a non-loopback
    /// host, or an unknown enum value.
    InvalidArgument = 1,
    /// DNS, connect, TLS, timeout, reset, body cut short.
    Transport = 2,
    /// A non-success HTTP status without an OAuth error body.
    Http = 3,
    /// An RFC 6749 section 5.2 error response; see `oauth_error`.
    Oauth = 4,
    /// An unparsable body, no `access_token`, a body over the size limit.
    InvalidResponse = 5,
    /// The discovery document is unusable: issuer mismatch, no usable
    /// `token_endpoint`.
    Discovery = 6,
    /// A bug inside the library (a caught panic).
    Internal = 7,
}

impl From<ErrorKind> for AuthStatus {
    fn from(kind: ErrorKind) -> Self {
        match kind {
            ErrorKind::InvalidArgument => AuthStatus::InvalidArgument,
            ErrorKind::Transport => AuthStatus::Transport,
            ErrorKind::Http => AuthStatus::Http,
            ErrorKind::OAuth => AuthStatus::Oauth,
            ErrorKind::InvalidResponse => AuthStatus::InvalidResponse,
            ErrorKind::Discovery => AuthStatus::Discovery,
            ErrorKind::Internal => AuthStatus::Internal,
        }
    }
}

/// The detail of a failure.
///
/// Allocated by the library only; the caller frees it with
/// `auth_error_free`. Its strings stay valid until then.
#[repr(C)]
pub struct AuthError {
    /// The same status the function returned.
    pub status: AuthStatus,
    /// One line for a person; never NULL, never a secret.
    pub message: *const c_char,
    /// The OAuth `error` code, e.g. "invalid_client"; NULL unless status is
    /// `AUTH_STATUS_OAUTH`.
    pub oauth_error: *const c_char,
    /// The server's `error_description`; NULL when it sent none.
    pub oauth_error_description: *const c_char,
    /// The HTTP status of the response; 0 when no response was read.
    pub http_status: u16,
}

/// An `AuthError` with the strings it points into.
#[repr(C)]
struct OwnedError {
    public: AuthError,
    message: CString,
    oauth_error: Option<CString>,
    oauth_error_description: Option<CString>,
}

/// Text for C: interior NULs (which only a hostile server could send) are
/// dropped rather than failing the whole error.
pub(crate) fn c_text(s: &str) -> CString {
    CString::new(s).unwrap_or_else(|_| CString::new(s.replace('\0', "")).unwrap_or_default())
}

pub(crate) fn new_error(e: &Error) -> *mut AuthError {
    let message = c_text(e.message());
    let oauth_error = e.oauth_error().map(c_text);
    let oauth_error_description = e.oauth_error_description().map(c_text);
    let ptr = |s: &Option<CString>| s.as_ref().map_or(std::ptr::null(), |c| c.as_ptr());
    let owned = Box::new(OwnedError {
        public: AuthError {
            status: e.kind().into(),
            message: message.as_ptr(),
            oauth_error: ptr(&oauth_error),
            oauth_error_description: ptr(&oauth_error_description),
            http_status: e.http_status().unwrap_or(0),
        },
        message,
        oauth_error,
        oauth_error_description,
    });
    Box::into_raw(owned).cast()
}

/// Frees an error from any `auth_*` function. NULL is a no-op.
///
/// The error must not be used afterwards, nor freed twice. Any thread may
/// free it.
#[no_mangle]
pub unsafe extern "C" fn auth_error_free(error: *mut AuthError) {
    crate::ffi::boundary::guard_void(|| {
        if !error.is_null() {
            drop(Box::from_raw(error.cast::<OwnedError>()));
        }
    })
}

/// The name of a status (an `AuthStatus` value) as static text, e.g.
/// "AUTH_STATUS_OAUTH".
///
/// Never NULL; an unknown value gives "AUTH_STATUS_UNKNOWN". The text must
/// not be freed. Safe from any thread.
#[no_mangle]
pub extern "C" fn auth_status_name(status: u32) -> *const c_char {
    // Received as an integer, like every enum from C: a value outside the
    // enum would already be undefined behaviour as an `AuthStatus`.
    let name: &'static [u8] = match status {
        0 => b"AUTH_STATUS_OK\0",
        1 => b"AUTH_STATUS_INVALID_ARGUMENT\0",
        2 => b"AUTH_STATUS_TRANSPORT\0",
        3 => b"AUTH_STATUS_HTTP\0",
        4 => b"AUTH_STATUS_OAUTH\0",
        5 => b"AUTH_STATUS_INVALID_RESPONSE\0",
        6 => b"AUTH_STATUS_DISCOVERY\0",
        7 => b"AUTH_STATUS_INTERNAL\0",
        _ => b"AUTH_STATUS_UNKNOWN\0",
    };
    name.as_ptr().cast()
}

/// The library's version as static text, e.g. "0.1.0"; it equals
/// `AUTH_VERSION` of the header the program was built with when the two
/// match. Never NULL; must not be freed. Safe from any thread.
#[no_mangle]
pub extern "C" fn auth_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}
