//! The log callback.

use super::boundary::guard_void;
use super::status::c_text;
use crate::log::{set_logger, LogLevel};
use std::ffi::{c_char, c_void};
use std::sync::Arc;

/// Severity of a log message. Passed and received as `uint32_t`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthLogLevel {
    /// A failure the caller also sees as an error.
    Error = 1,
    /// A failure the library recovered from.
    Warn = 2,
    /// Requests sent and their outcomes.
    Info = 3,
    /// Cache hits and other per-call detail.
    Debug = 4,
}

/// A log sink. `message` is one line, valid only during the call, and never
/// holds a secret or any part of an access token.
pub type AuthLogCallback =
    Option<unsafe extern "C" fn(user_data: *mut c_void, level: u32, message: *const c_char)>;

/// The application's pointer, handed back to its callback as it was given.
struct UserData(*mut c_void);
// SAFETY: the library never dereferences the pointer; by installing the
// callback the application promises it may be used from any thread.
unsafe impl Send for UserData {}
unsafe impl Sync for UserData {}

impl UserData {
    // A method, so that closures capture the whole wrapper, not the raw field.
    fn get(&self) -> *mut c_void {
        self.0
    }
}

/// Installs a process-wide log callback, or with NULL turns logging off
/// (the default).
///
/// The callback may be called from any thread, for messages at most as
/// verbose as `max_level` (an `AuthLogLevel`; values above
/// `AUTH_LOG_LEVEL_DEBUG` mean DEBUG, 0 turns logging off). It must not call
/// back into the library (a call on the handle that is logging may wait for
/// itself or recurse without end, and `auth_set_log_callback` would wait for
/// the callback it runs in), and it must return: it may not unwind or jump
/// out.
/// `user_data` is passed to it unchanged. When this function returns, the
/// callback it replaced is no longer running on any thread, so that
/// callback's `user_data` may be freed.
#[no_mangle]
pub extern "C" fn auth_set_log_callback(
    callback: AuthLogCallback,
    user_data: *mut c_void,
    max_level: u32,
) {
    guard_void(|| {
        let level = match max_level {
            0 => None,
            1 => Some(LogLevel::Error),
            2 => Some(LogLevel::Warn),
            3 => Some(LogLevel::Info),
            _ => Some(LogLevel::Debug),
        };
        let (Some(callback), Some(level)) = (callback, level) else {
            set_logger(None, LogLevel::Error);
            return;
        };
        let user_data = UserData(user_data);
        set_logger(
            Some(Arc::new(move |level: LogLevel, message: &str| {
                let text = c_text(message);
                // SAFETY: the application installed this callback for
                // exactly this call, with this user_data.
                unsafe { callback(user_data.get(), level as u32, text.as_ptr()) };
            })),
            level,
        );
    })
}
