//! `AuthClientOptions`: the settings of a credentials handle.

use super::arg;
use super::boundary::{guard, guard_or, guard_void};
use super::status::{AuthError, AuthStatus};
use crate::credentials::{ClientAuthMethod, ClientOptions};
use crate::error::Error;
use std::ffi::c_char;
use std::time::Duration;

/// Options for a credentials handle (opaque).
///
/// Made with `auth_client_options_new`, freed with `auth_client_options_free`.
/// Constructors copy what they need, so the options may be freed or reused
/// as soon as a constructor returns. Not thread-safe: one thread at a time
/// may change an options object.
pub struct AuthClientOptions {
    pub(crate) inner: ClientOptions,
}

/// How the client authenticates to the token endpoint. Passed as `uint32_t`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthMethod {
    /// Default: id and secret form-encoded, then HTTP Basic
    /// (RFC 6749 section 2.3.1).
    ClientSecretBasic = 0,
    /// `client_id` and `client_secret` as form fields in the body.
    ClientSecretPost = 1,
    /// HTTP Basic without form-encoding, for servers that never decode.
    ClientSecretBasicRaw = 2,
}

/// New options with every default: no scope, no audience, Basic
/// authentication (with discovery: the provider's listed method), a 30 s
/// timeout, a 300 s refresh margin, the system's trust store.
///
/// The caller owns the result and frees it with `auth_client_options_free`.
/// Returns NULL only when memory is exhausted.
#[no_mangle]
pub extern "C" fn auth_client_options_new() -> *mut AuthClientOptions {
    guard_or(std::ptr::null_mut(), || {
        Box::into_raw(Box::new(AuthClientOptions {
            inner: ClientOptions::default(),
        }))
    })
}

/// Frees options. NULL is a no-op. Handles made from them are unaffected.
#[no_mangle]
pub unsafe extern "C" fn auth_client_options_free(options: *mut AuthClientOptions) {
    guard_void(|| {
        if !options.is_null() {
            drop(Box::from_raw(options));
        }
    })
}

/// Runs a setter: checks `options`, applies `set`, reports through `error`.
unsafe fn set(
    options: *mut AuthClientOptions,
    error: *mut *mut AuthError,
    set: impl FnOnce(&mut ClientOptions) -> Result<(), Error>,
) -> AuthStatus {
    guard(error, || {
        let options = arg::object_mut(options, "options")?;
        set(&mut options.inner)
    })
}

/// Sets the space-delimited scopes requested (sent as one `scope` field);
/// an empty text removes them.
///
/// Returns `AUTH_STATUS_INVALID_ARGUMENT` for NULL, non-UTF-8 or characters
/// RFC 6749 section 3.3 does not allow in a scope; the options are then
/// unchanged.
#[no_mangle]
pub unsafe extern "C" fn auth_client_options_set_scope(
    options: *mut AuthClientOptions,
    scope: *const c_char,
    error: *mut *mut AuthError,
) -> AuthStatus {
    set(options, error, |o| {
        let scope = arg::text(scope, "scope")?;
        o.set_scope(scope).map(drop)
    })
}

/// Sets the `audience` form field that some providers require; an empty
/// text removes it.
///
/// Returns `AUTH_STATUS_INVALID_ARGUMENT` for NULL or non-UTF-8.
#[no_mangle]
pub unsafe extern "C" fn auth_client_options_set_audience(
    options: *mut AuthClientOptions,
    audience: *const c_char,
    error: *mut *mut AuthError,
) -> AuthStatus {
    set(options, error, |o| {
        let audience = arg::text(audience, "audience")?;
        o.set_audience(audience).map(drop)
    })
}

/// Adds a form field sent with every token request, such as `resource`
/// (RFC 8707). A name may be added more than once.
///
/// Returns `AUTH_STATUS_INVALID_ARGUMENT` for NULL, non-UTF-8, an empty
/// name, or a name the library sets itself (`grant_type`, `client_id`,
/// `client_secret`, `scope`, `audience`, …).
#[no_mangle]
pub unsafe extern "C" fn auth_client_options_add_parameter(
    options: *mut AuthClientOptions,
    name: *const c_char,
    value: *const c_char,
    error: *mut *mut AuthError,
) -> AuthStatus {
    set(options, error, |o| {
        let name = arg::text(name, "name")?;
        let value = arg::text(value, "value")?;
        o.add_parameter(name, value).map(drop)
    })
}

/// Sets the client authentication method, an `AuthMethod` value.
///
/// Returns `AUTH_STATUS_INVALID_ARGUMENT` for NULL options or an unknown
/// value.
#[no_mangle]
pub unsafe extern "C" fn auth_client_options_set_auth_method(
    options: *mut AuthClientOptions,
    method: u32,
    error: *mut *mut AuthError,
) -> AuthStatus {
    set(options, error, |o| {
        let method = match method {
            m if m == AuthMethod::ClientSecretBasic as u32 => ClientAuthMethod::ClientSecretBasic,
            m if m == AuthMethod::ClientSecretPost as u32 => ClientAuthMethod::ClientSecretPost,
            m if m == AuthMethod::ClientSecretBasicRaw as u32 => {
                ClientAuthMethod::ClientSecretBasicRaw
            }
            other => {
                return Err(Error::invalid_argument(format!(
                    "auth method {other} is not an AuthMethod value"
                )))
            }
        };
        o.set_auth_method(method);
        Ok(())
    })
}

/// Sets the total time one `auth_client_credentials_get_token` call (or a
/// discovery) may spend on the network, retries and waits included.
///
/// Returns `AUTH_STATUS_INVALID_ARGUMENT` for NULL options or 0.
#[no_mangle]
pub unsafe extern "C" fn auth_client_options_set_timeout_ms(
    options: *mut AuthClientOptions,
    timeout_ms: u32,
    error: *mut *mut AuthError,
) -> AuthStatus {
    set(options, error, |o| {
        o.set_timeout(Duration::from_millis(timeout_ms.into()))
            .map(drop)
    })
}

/// Sets the refresh margin: a cached token is renewed once it expires
/// within this many seconds (default 300). Tokens living less than twice
/// the margin are renewed after half their life.
///
/// Returns `AUTH_STATUS_INVALID_ARGUMENT` for NULL options.
#[no_mangle]
pub unsafe extern "C" fn auth_client_options_set_refresh_margin_s(
    options: *mut AuthClientOptions,
    seconds: u32,
    error: *mut *mut AuthError,
) -> AuthStatus {
    set(options, error, |o| {
        o.set_refresh_margin(Duration::from_secs(seconds.into()));
        Ok(())
    })
}

/// Trusts the certificates of this PEM file instead of the system's store.
/// The file is read by the constructor that is given these options.
///
/// Returns `AUTH_STATUS_INVALID_ARGUMENT` for NULL, non-UTF-8 or an empty
/// path.
#[no_mangle]
pub unsafe extern "C" fn auth_client_options_set_ca_file(
    options: *mut AuthClientOptions,
    pem_path: *const c_char,
    error: *mut *mut AuthError,
) -> AuthStatus {
    set(options, error, |o| {
        let path = arg::text(pem_path, "pem_path")?;
        if path.is_empty() {
            return Err(Error::invalid_argument("pem_path is empty"));
        }
        o.set_ca_file(path);
        Ok(())
    })
}
