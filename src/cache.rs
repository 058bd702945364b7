//! The token cache and the coordination of refreshes.
//!
//! Rules (the C API contract, "Behaviour of get_token"):
//! - a cached token is served while `refresh_at` is in the future, where
//!   `refresh_at` is its expiry less the refresh margin, and the margin is
//!   half the lifetime for tokens living less than twice the margin;
//! - at most one fetch is in flight per cache; every caller that needs a
//!   token while it runs waits for it and receives its result, forced
//!   callers included (its token is new, which is all a forced caller asks);
//! - a failed fetch keeps the cached token; unforced callers are served that
//!   token while it has not expired, and for 30 s after the failure (or until
//!   it expires) no unforced call fetches again;
//! - a server's Retry-After holds back every fetch, forced or not, until the
//!   time it names.
//!
//! Time is monotonic (see `Clock`), so a wall-clock jump costs at most one
//! extra fetch.

use crate::clock::Clock;
use crate::error::{Error, ErrorKind};
use crate::sync::{lock, Arc, Condvar, Mutex, Slot};
use std::time::Duration;

/// How long unforced callers are served the cached token, without a new
/// attempt, after a refresh failed.
pub(crate) const FAILURE_QUIET: Duration = Duration::from_secs(30);

/// A value with the monotonic times that govern its reuse.
pub(crate) struct Cached<T> {
    pub(crate) value: T,
    refresh_at: Duration,
    expires: Duration,
}

/// What a fetch produced: the value and its lifetime in seconds from the
/// moment the fetch began (0 or less: use once, never cache).
pub(crate) struct Fetched<T> {
    pub(crate) value: T,
    pub(crate) lifetime_s: i64,
}

/// What the cache tells a fetch about the situation it runs in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FetchContext {
    /// A cached token that has not expired will be served if this fetch
    /// fails, so the fetch should fail fast rather than retry.
    pub(crate) has_fallback: bool,
}

type Outcome<T> = Result<Arc<Cached<T>>, Error>;

struct Flight<T> {
    in_flight: bool,
    /// Number of fetches completed; waiters watch it change.
    completed: u64,
    /// The outcome of fetch number `completed`, for its waiters.
    last: Option<Outcome<T>>,
    /// After a failure: unforced callers serve the cache until then.
    quiet_until: Option<Duration>,
    /// The server's Retry-After: nothing is sent before then.
    not_before: Option<Duration>,
}

pub(crate) struct TokenCache<T> {
    slot: Slot<Cached<T>>,
    flight: Mutex<Flight<T>>,
    done: Condvar,
    margin: Duration,
    clock: Clock,
}

impl<T> TokenCache<T> {
    pub(crate) fn new(margin: Duration, clock: Clock) -> Self {
        TokenCache {
            slot: Slot::empty(),
            flight: Mutex::new(Flight {
                in_flight: false,
                completed: 0,
                last: None,
                quiet_until: None,
                not_before: None,
            }),
            done: Condvar::new(),
            margin,
            clock,
        }
    }

    pub(crate) fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Reads a fresh cached value without locking, or `None`.
    #[inline]
    pub(crate) fn read_fresh<R>(&self, read: impl FnOnce(&T) -> R) -> Option<R> {
        let now = self.clock.monotonic();
        let guard = self.slot.load();
        match guard.as_ref() {
            Some(c) if now < c.refresh_at => Some(read(&c.value)),
            _ => None,
        }
    }

    /// Like `read_fresh`, handing out a reference instead.
    pub(crate) fn read_fresh_arc(&self) -> Option<Arc<Cached<T>>> {
        let now = self.clock.monotonic();
        let guard = self.slot.load();
        guard.as_ref().filter(|c| now < c.refresh_at).cloned()
    }

    /// A token by the rules above; `fetch` runs at most once, on this thread,
    /// when this caller is the one to fetch.
    pub(crate) fn get(
        &self,
        force: bool,
        fetch: impl FnOnce(FetchContext) -> Result<Fetched<T>, Error>,
    ) -> Outcome<T> {
        let mut flight = lock(&self.flight);
        let now = self.clock.monotonic();
        let cached = self.slot.load_full();
        let unexpired = cached.clone().filter(|c| now < c.expires);

        if !force {
            if let Some(c) = cached.filter(|c| now < c.refresh_at) {
                return Ok(c);
            }
        }

        if flight.in_flight {
            let joined = flight.completed;
            while flight.completed == joined {
                flight = self.done.wait(flight).unwrap_or_else(|p| p.into_inner());
            }
            let outcome = flight
                .last
                .clone()
                .expect("a completed fetch leaves its outcome");
            drop(flight);
            return self.fallback(force, outcome);
        }

        if !force {
            if let (Some(c), Some(q)) = (&unexpired, flight.quiet_until) {
                if now < q {
                    return Ok(c.clone());
                }
            }
        }
        if let Some(not_before) = flight.not_before.filter(|&t| now < t) {
            if let (false, Some(c)) = (force, &unexpired) {
                return Ok(c.clone());
            }
            let wait = (not_before - now).as_secs_f64().ceil() as u64;
            return Err(Error::new(
                ErrorKind::Http,
                format!(
                    "the token endpoint asked to wait {wait} s more (Retry-After); nothing sent"
                ),
            )
            .with_retry_after(Duration::from_secs(wait)));
        }

        flight.in_flight = true;
        drop(flight);

        // Should `fetch` panic, the guard still completes the flight, so no
        // waiter is left waiting for ever.
        let mut pending = Pending {
            cache: self,
            outcome: None,
        };
        let started = now;
        let result = fetch(FetchContext {
            has_fallback: unexpired.is_some(),
        });
        let outcome = self.settle(started, result);
        pending.outcome = Some(outcome.clone());
        drop(pending);

        self.fallback(force, outcome)
    }

    /// Turns a fetch result into the cached outcome, updating the slot and
    /// the failure state. Called without the flight lock held.
    fn settle(&self, started: Duration, result: Result<Fetched<T>, Error>) -> Outcome<T> {
        match result {
            Ok(Fetched { value, lifetime_s }) => {
                let lifetime = Duration::from_secs(lifetime_s.max(0) as u64);
                let margin = if lifetime < self.margin * 2 {
                    lifetime / 2
                } else {
                    self.margin
                };
                let cached = Arc::new(Cached {
                    value,
                    refresh_at: started + lifetime - margin,
                    expires: started + lifetime,
                });
                // A token the server says not to reuse also retires the old
                // one: the server's newest word is that tokens are single-use.
                self.slot.store((lifetime_s > 0).then(|| cached.clone()));
                Ok(cached)
            }
            Err(e) => Err(e),
        }
    }

    /// What a caller receives for `outcome`: an unforced caller is served
    /// the cached token instead of an error while that token has not expired.
    fn fallback(&self, force: bool, outcome: Outcome<T>) -> Outcome<T> {
        match outcome {
            Err(e) if !force => {
                let now = self.clock.monotonic();
                match self.slot.load_full().filter(|c| now < c.expires) {
                    Some(c) => {
                        crate::log::warn(&format!(
                            "token refresh failed, serving the cached token: {}",
                            e.message()
                        ));
                        Ok(c)
                    }
                    None => Err(e),
                }
            }
            other => other,
        }
    }
}

/// Completes the flight when dropped, on success, failure or unwind.
struct Pending<'a, T> {
    cache: &'a TokenCache<T>,
    outcome: Option<Outcome<T>>,
}

impl<T> Drop for Pending<'_, T> {
    fn drop(&mut self) {
        let cache = self.cache;
        let outcome = self
            .outcome
            .take()
            .unwrap_or_else(|| Err(Error::internal("token fetch panicked")));
        let now = cache.clock.monotonic();

        let mut flight = lock(&cache.flight);
        match &outcome {
            Ok(_) => {
                flight.quiet_until = None;
                flight.not_before = None;
            }
            Err(e) => {
                if let Some(wait) = e.retry_after() {
                    flight.not_before = Some(now + wait);
                }
                if let Some(c) = cache.slot.load_full().filter(|c| now < c.expires) {
                    flight.quiet_until = Some((now + FAILURE_QUIET).min(c.expires));
                }
            }
        }
        flight.in_flight = false;
        flight.completed += 1;
        flight.last = Some(outcome);
        drop(flight);
        cache.done.notify_all();
    }
}
