//! Time, injectable so that the cache's rules can be tested without sleeping.

use chrono::{DateTime, Utc};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Where the cache reads time from.
///
/// `System` is the real clock. `Manual` is a clock a test moves by hand:
/// sleeping on it advances it at once, so Retry-After and back-off are
/// exercised without waiting.
#[derive(Clone, Debug, Default)]
pub enum Clock {
    /// The operating system's clocks.
    #[default]
    System,
    /// A clock that moves only when told to.
    Manual(Arc<ManualClock>),
}

impl Clock {
    /// A manual clock starting at `wall`, and a handle to move it.
    pub fn manual(wall: DateTime<Utc>) -> (Clock, Arc<ManualClock>) {
        let m = Arc::new(ManualClock {
            start_wall: wall,
            elapsed_ns: AtomicU64::new(0),
        });
        (Clock::Manual(m.clone()), m)
    }

    /// Monotonic time since an arbitrary origin. Only differences mean
    /// anything.
    #[inline]
    pub(crate) fn monotonic(&self) -> Duration {
        match self {
            Clock::System => system_monotonic(),
            Clock::Manual(m) => m.elapsed(),
        }
    }

    /// Wall-clock time, for `expires_at`.
    pub(crate) fn wall(&self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::Manual(m) => m.start_wall + m.elapsed(),
        }
    }

    pub(crate) fn sleep(&self, d: Duration) {
        match self {
            Clock::System => std::thread::sleep(d),
            Clock::Manual(m) => m.advance(d),
        }
    }
}

/// The state of a [`Clock::Manual`].
#[derive(Debug)]
pub struct ManualClock {
    start_wall: DateTime<Utc>,
    elapsed_ns: AtomicU64,
}

impl ManualClock {
    /// Moves the clock forward.
    pub fn advance(&self, d: Duration) {
        self.elapsed_ns
            .fetch_add(d.as_nanos().min(u64::MAX as u128) as u64, Ordering::SeqCst);
    }

    fn elapsed(&self) -> Duration {
        Duration::from_nanos(self.elapsed_ns.load(Ordering::SeqCst))
    }
}

/// The coarse monotonic clock costs a few nanoseconds instead of the ~20 of
/// the precise one, which matters on the cached path; its resolution (a few
/// milliseconds) is far finer than any token lifetime.
#[cfg(any(target_os = "linux", target_os = "android"))]
#[inline]
fn system_monotonic() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant
    // that Linux has supported since 2.6.32.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC_COARSE, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
#[inline]
fn system_monotonic() -> Duration {
    static ORIGIN: once_cell::sync::Lazy<std::time::Instant> =
        once_cell::sync::Lazy::new(std::time::Instant::now);
    ORIGIN.elapsed()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let start = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let (clock, hand) = Clock::manual(start);
        assert_eq!(clock.monotonic(), Duration::ZERO);
        clock.sleep(Duration::from_secs(5));
        hand.advance(Duration::from_secs(1));
        assert_eq!(clock.monotonic(), Duration::from_secs(6));
        assert_eq!(clock.wall().timestamp(), 1_700_000_006);
    }

    #[test]
    fn system_clock_is_monotonic() {
        let a = Clock::System.monotonic();
        let b = Clock::System.monotonic();
        assert!(b >= a);
    }
}
