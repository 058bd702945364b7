//! Checks on pointer arguments, in one place so that no exported function
//! dereferences an unchecked pointer.

use crate::error::Error;
use std::ffi::{c_char, CStr};

/// Borrows a required NUL-terminated UTF-8 string.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string valid for `'a`.
pub(crate) unsafe fn text<'a>(p: *const c_char, name: &str) -> Result<&'a str, Error> {
    if p.is_null() {
        return Err(Error::invalid_argument(format!("{name} is NULL")));
    }
    CStr::from_ptr(p)
        .to_str()
        .map_err(|_| Error::invalid_argument(format!("{name} is not valid UTF-8")))
}

/// Borrows a required object.
///
/// # Safety
/// `p` is NULL or points to a live `T` for `'a`.
pub(crate) unsafe fn object<'a, T>(p: *const T, name: &str) -> Result<&'a T, Error> {
    p.as_ref()
        .ok_or_else(|| Error::invalid_argument(format!("{name} is NULL")))
}

/// Borrows a required object mutably.
///
/// # Safety
/// `p` is NULL or points to a live `T`, used by no one else, for `'a`.
pub(crate) unsafe fn object_mut<'a, T>(p: *mut T, name: &str) -> Result<&'a mut T, Error> {
    p.as_mut()
        .ok_or_else(|| Error::invalid_argument(format!("{name} is NULL")))
}

/// Checks that an out-pointer can be written.
pub(crate) fn out<T>(p: *mut *mut T, name: &str) -> Result<(), Error> {
    if p.is_null() {
        Err(Error::invalid_argument(format!("{name} is NULL")))
    } else {
        Ok(())
    }
}

/// Moves `value` to the heap and hands it to C through `out`.
///
/// # Safety
/// `out` was checked with [`out`] and is writable.
pub(crate) unsafe fn give<T>(out: *mut *mut T, value: Box<T>) {
    *out = Box::into_raw(value);
}
