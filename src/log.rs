//! Diagnostics, delivered only to a callback the application installs.
//!
//! The library never prints and never takes over a global logger. Messages
//! are built by this crate and carry no secret and no part of a token.

use once_cell::sync::Lazy;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, RwLock};

/// Severity of a log message; lower is more severe.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u32)]
pub enum LogLevel {
    /// A failure the caller also sees as an error.
    Error = 1,
    /// A failure the library recovered from, such as serving a cached token
    /// after a refresh failed.
    Warn = 2,
    /// Requests sent and their outcomes.
    Info = 3,
    /// Cache hits and other per-call detail.
    Debug = 4,
}

/// A log sink: called from any thread, with a message valid for the call.
pub type Logger = dyn Fn(LogLevel, &str) + Send + Sync;

/// 0 when no logger is installed, so the check on the cached path is one
/// relaxed load of memory that is never written there.
static MAX_LEVEL: AtomicU32 = AtomicU32::new(0);
static LOGGER: Lazy<RwLock<Option<Arc<Logger>>>> = Lazy::new(|| RwLock::new(None));

/// Installs `logger` for the whole process (or removes it, with `None`);
/// messages above `max_level` are not built at all. Returns once no call to
/// the logger it replaces is running any more, so a logger must never call
/// this itself.
pub fn set_logger(logger: Option<Arc<Logger>>, max_level: LogLevel) {
    let mut slot = LOGGER.write().unwrap_or_else(|p| p.into_inner());
    MAX_LEVEL.store(0, Ordering::SeqCst);
    let level = if logger.is_some() {
        max_level as u32
    } else {
        0
    };
    *slot = logger;
    MAX_LEVEL.store(level, Ordering::SeqCst);
}

#[inline]
pub(crate) fn enabled(level: LogLevel) -> bool {
    level as u32 <= MAX_LEVEL.load(Ordering::Relaxed)
}

pub(crate) fn emit(level: LogLevel, message: &str) {
    if !enabled(level) {
        return;
    }
    // The read lock is held through the call, so that `set_logger` returns
    // only once no call to the logger it replaces is still running: the
    // application may then free whatever that logger uses.
    let slot = LOGGER.read().unwrap_or_else(|p| p.into_inner());
    if let Some(logger) = slot.as_ref() {
        logger(level, message);
    }
}

pub(crate) fn warn(message: &str) {
    emit(LogLevel::Warn, message)
}

/// Builds the message only when it will be delivered.
macro_rules! log_at {
    ($level:expr, $($arg:tt)*) => {
        if $crate::log::enabled($level) {
            $crate::log::emit($level, &format!($($arg)*));
        }
    };
}
pub(crate) use log_at;
