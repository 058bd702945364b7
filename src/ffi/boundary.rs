//! The panic boundary: no panic unwinds into C.

use super::status::{new_error, AuthError, AuthStatus};
use crate::error::Error;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Runs the body of a fallible exported function.
///
/// On success `*error` is set to NULL; on failure, or when the body
/// panicked, it receives a new `AuthError` (when `error` is not NULL).
pub(crate) fn guard(
    error: *mut *mut AuthError,
    body: impl FnOnce() -> Result<(), Error>,
) -> AuthStatus {
    let result = catch_unwind(AssertUnwindSafe(body)).unwrap_or_else(|_| {
        Err(Error::internal(
            "internal error: a panic was caught at the C API boundary",
        ))
    });
    match result {
        Ok(()) => {
            if !error.is_null() {
                // SAFETY: the caller passes NULL or a writable `AuthError **`.
                unsafe { *error = std::ptr::null_mut() };
            }
            AuthStatus::Ok
        }
        Err(e) => {
            // The logger is the application's code and may panic too; that
            // panic must not unwind into C either.
            let _ = catch_unwind(AssertUnwindSafe(|| {
                crate::log::log_at!(crate::LogLevel::Error, "{}", e.message())
            }));
            if !error.is_null() {
                // SAFETY: as above.
                unsafe { *error = new_error(&e) };
            }
            e.kind().into()
        }
    }
}

/// Runs the body of an infallible exported function, swallowing a panic:
/// such functions have no way to report one, and unwinding into C is
/// undefined behaviour.
pub(crate) fn guard_void(body: impl FnOnce()) {
    let _ = catch_unwind(AssertUnwindSafe(body));
}

/// Like [`guard_void`] for functions that return a value.
pub(crate) fn guard_or<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(fallback)
}
