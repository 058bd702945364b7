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
use crate::snapshot::{Snapshot, View};
use crate::sync::{lock, Arc, Condvar, Mutex, Slot};
use std::time::Duration;
use zeroize::Zeroizing;

/// How long unforced callers are served the cached token, without a new
/// attempt, after a refresh failed.
pub(crate) const FAILURE_QUIET: Duration = Duration::from_secs(30);

/// A value with the monotonic times that govern its reuse.
pub(crate) struct Cached<T> {
    pub(crate) value: T,
    refresh_at: Duration,
    expires: Duration,
    /// Issued with a lifetime of 0 or less: it belongs to the caller whose
    /// fetch got it, and goes to no one else.
    single_use: bool,
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
    /// The caller is unforced and a cached token that has not expired will
    /// be served if this fetch fails, so the fetch should fail fast rather
    /// than retry. A forced caller has no such fallback: it gets the retries.
    pub(crate) has_fallback: bool,
}

type Outcome<T> = Result<Arc<Cached<T>>, Error>;

struct Flight<T> {
    in_flight: bool,
    /// Callers waiting for the fetch in flight; tests watch it to know that
    /// a caller has joined.
    waiters: usize,
    /// Number of fetches completed; waiters watch it change.
    completed: u64,
    /// The outcome of fetch number `completed`, for its waiters.
    last: Option<Outcome<T>>,
    /// After a failure: unforced callers serve the cache until then.
    quiet_until: Option<Duration>,
    /// The server's Retry-After: nothing is sent before then.
    not_before: Option<Duration>,
}

/// Lays a value out as the byte image that `TokenCache::copy_fresh` hands
/// out.
pub(crate) type Flatten<T> = fn(&T) -> Zeroizing<Vec<u8>>;

pub(crate) struct TokenCache<T> {
    slot: Slot<Cached<T>>,
    /// The cached value as bytes, for readers that copy it out anyway (the
    /// C API); kept in step with `slot` by the one fetch in flight.
    image: Option<(Flatten<T>, Snapshot)>,
    flight: Mutex<Flight<T>>,
    done: Condvar,
    margin: Duration,
    clock: Clock,
}

impl<T> TokenCache<T> {
    pub(crate) fn new(margin: Duration, clock: Clock) -> Self {
        TokenCache {
            slot: Slot::empty(),
            image: None,
            flight: Mutex::new(Flight {
                in_flight: false,
                waiters: 0,
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

    /// Also keeps the cached value as the byte image `flatten` makes, for
    /// `copy_fresh`.
    pub(crate) fn with_image(mut self, flatten: Flatten<T>) -> Self {
        self.image = Some((flatten, Snapshot::new()));
        self
    }

    pub(crate) fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Runs `copy` on the byte image of a fresh cached value and returns its
    /// result, or `None` (after handing any result to `discard`) when there
    /// is no fresh image or a refresh replaced it during the copy. Takes no
    /// lock and writes no shared memory.
    #[inline]
    pub(crate) fn copy_fresh<R>(
        &self,
        copy: impl FnOnce(&View<'_>) -> R,
        discard: impl FnOnce(R),
    ) -> Option<R> {
        let (_, snapshot) = self.image.as_ref()?;
        snapshot.read(self.clock.monotonic(), copy, discard)
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

    /// Reads the cached value, fresh or not, or `None` when there is none.
    pub(crate) fn read_cached<R>(&self, read: impl FnOnce(&T) -> R) -> Option<R> {
        self.slot.load_full().map(|c| read(&c.value))
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
        let mut fetch = Some(fetch);
        loop {
            if let Some(outcome) = self.get_once(force, &mut fetch) {
                return outcome;
            }
        }
    }

    /// One pass of [`get`](Self::get): `None` when this caller waited for a
    /// fetch whose token was single-use, and must try again for its own.
    fn get_once(
        &self,
        force: bool,
        fetch: &mut Option<impl FnOnce(FetchContext) -> Result<Fetched<T>, Error>>,
    ) -> Option<Outcome<T>> {
        let mut flight = lock(&self.flight);
        let now = self.clock.monotonic();
        let cached = self.slot.load_full();
        let unexpired = cached.clone().filter(|c| now < c.expires);

        if !force {
            if let Some(c) = cached.filter(|c| now < c.refresh_at) {
                return Some(Ok(c));
            }
        }

        if flight.in_flight {
            let joined = flight.completed;
            flight.waiters += 1;
            while flight.completed == joined {
                flight = self.done.wait(flight).unwrap_or_else(|p| p.into_inner());
            }
            flight.waiters -= 1;
            let outcome = flight
                .last
                .clone()
                .expect("a completed fetch leaves its outcome");
            drop(flight);
            if matches!(&outcome, Ok(c) if c.single_use) {
                return None;
            }
            return Some(self.fallback(force, outcome));
        }

        if !force {
            if let (Some(c), Some(q)) = (&unexpired, flight.quiet_until) {
                if now < q {
                    return Some(Ok(c.clone()));
                }
            }
        }
        if let Some(not_before) = flight.not_before.filter(|&t| now < t) {
            if let (false, Some(c)) = (force, &unexpired) {
                return Some(Ok(c.clone()));
            }
            let wait = (not_before - now).as_secs_f64().ceil() as u64;
            return Some(Err(Error::new(
                ErrorKind::Http,
                format!(
                    "the token endpoint asked to wait {wait} s more (Retry-After); nothing sent"
                ),
            )
            .with_retry_after(Duration::from_secs(wait))));
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
        let fetch = fetch.take().expect("a caller runs its fetch at most once");
        let result = fetch(FetchContext {
            has_fallback: !force && unexpired.is_some(),
        });
        let outcome = self.settle(started, result);
        pending.outcome = Some(outcome.clone());
        drop(pending);

        Some(self.fallback(force, outcome))
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
                    single_use: lifetime_s <= 0,
                });
                // A token the server says not to reuse also retires the old
                // one: the server's newest word is that tokens are single-use.
                self.slot.store((lifetime_s > 0).then(|| cached.clone()));
                if let Some((flatten, snapshot)) = &self.image {
                    match lifetime_s > 0 {
                        true => snapshot.publish(cached.refresh_at, &flatten(&cached.value)),
                        false => snapshot.clear(),
                    }
                }
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

#[cfg(all(test, not(loom)))]
mod tests {
    //! The cache rules, driven by a manual clock and a fake fetch that counts
    //! its calls: no network, no sleeping.

    use super::*;
    use crate::clock::ManualClock;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::mpsc;

    const MARGIN: Duration = Duration::from_secs(300);

    fn cache() -> (TokenCache<&'static str>, Arc<ManualClock>) {
        let start = chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let (clock, hand) = Clock::manual(start);
        (TokenCache::new(MARGIN, clock), hand)
    }

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    /// A fetch that counts its calls and returns `value` living `lifetime_s`.
    fn issue<'a>(
        calls: &'a AtomicUsize,
        value: &'static str,
        lifetime_s: i64,
    ) -> impl FnOnce(FetchContext) -> Result<Fetched<&'static str>, Error> + 'a {
        move |_| {
            calls.fetch_add(1, Ordering::SeqCst);
            Ok(Fetched { value, lifetime_s })
        }
    }

    /// A fetch that counts its calls and fails with `error`.
    fn fail(
        calls: &AtomicUsize,
        error: Error,
    ) -> impl FnOnce(FetchContext) -> Result<Fetched<&'static str>, Error> + '_ {
        move |_| {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(error)
        }
    }

    fn unavailable() -> Error {
        Error::new(ErrorKind::Transport, "connection refused")
    }

    fn value(outcome: Outcome<&'static str>) -> &'static str {
        outcome.map(|c| c.value).expect("a token")
    }

    fn waiters(cache: &TokenCache<&'static str>) -> usize {
        lock(&cache.flight).waiters
    }

    /// Returns once `n` callers wait for the fetch in flight, or after 10 s
    /// (so that a caller that never joins fails the test's assertions
    /// instead of hanging it).
    fn until_waiting(cache: &TokenCache<&'static str>, n: usize) {
        let give_up = std::time::Instant::now() + secs(10);
        while waiters(cache) < n && std::time::Instant::now() < give_up {
            std::thread::yield_now();
        }
    }

    #[test]
    fn token_is_reused_until_the_margin_before_expiry() {
        let (cache, hand) = cache();
        let calls = AtomicUsize::new(0);
        assert_eq!(
            value(cache.get(false, issue(&calls, "first", 3600))),
            "first"
        );

        hand.advance(secs(3299));
        assert_eq!(
            value(cache.get(false, issue(&calls, "second", 3600))),
            "first"
        );
        assert_eq!(calls.load(Ordering::SeqCst), 1);

        hand.advance(secs(1));
        assert_eq!(
            value(cache.get(false, issue(&calls, "second", 3600))),
            "second"
        );
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn lock_free_read_follows_the_same_margin() {
        let (cache, hand) = cache();
        let calls = AtomicUsize::new(0);
        cache.get(false, issue(&calls, "first", 3600)).unwrap();

        hand.advance(secs(3299));
        assert_eq!(cache.read_fresh(|v| *v), Some("first"));
        hand.advance(secs(1));
        assert_eq!(cache.read_fresh(|v| *v), None);
        assert!(cache.read_fresh_arc().is_none());
    }

    fn image_of(s: &&'static str) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(s.as_bytes().to_vec())
    }

    /// What the lock-free image read serves now, as text.
    fn copied(cache: &TokenCache<&'static str>) -> Option<String> {
        cache.copy_fresh(
            |v| {
                let mut out = vec![0u8; v.len().div_ceil(8) * 8];
                // SAFETY: `out` holds every word of the image.
                unsafe { v.copy_words_from(0, out.as_mut_ptr()) };
                out.truncate(v.len());
                String::from_utf8(out).unwrap()
            },
            drop,
        )
    }

    #[test]
    fn image_follows_the_cached_token_and_its_margin() {
        let (cache, hand) = cache();
        let cache = cache.with_image(image_of);
        let calls = AtomicUsize::new(0);
        assert_eq!(copied(&cache), None);
        cache.get(false, issue(&calls, "first", 3600)).unwrap();
        assert_eq!(copied(&cache).as_deref(), Some("first"));

        cache.get(true, issue(&calls, "forced", 3600)).unwrap();
        assert_eq!(copied(&cache).as_deref(), Some("forced"));

        hand.advance(secs(3300));
        assert_eq!(copied(&cache), None);
    }

    #[test]
    fn single_use_token_withdraws_the_image() {
        let (cache, _hand) = cache();
        let cache = cache.with_image(image_of);
        let calls = AtomicUsize::new(0);
        cache.get(false, issue(&calls, "cached", 3600)).unwrap();
        cache.get(true, issue(&calls, "single-use", 0)).unwrap();
        assert_eq!(copied(&cache), None);
    }

    #[test]
    fn failed_refresh_leaves_the_image_alone() {
        let (cache, _hand) = cache();
        let cache = cache.with_image(image_of);
        let calls = AtomicUsize::new(0);
        cache.get(false, issue(&calls, "cached", 3600)).unwrap();
        cache.get(true, fail(&calls, unavailable())).unwrap_err();
        assert_eq!(copied(&cache).as_deref(), Some("cached"));
    }

    #[test]
    fn short_lived_token_is_reused_for_half_its_lifetime() {
        let (cache, hand) = cache();
        let calls = AtomicUsize::new(0);
        // 400 s is under twice the 300 s margin, so the margin is 200 s.
        cache.get(false, issue(&calls, "short", 400)).unwrap();

        hand.advance(secs(199));
        assert_eq!(value(cache.get(false, issue(&calls, "next", 400))), "short");
        hand.advance(secs(1));
        assert_eq!(value(cache.get(false, issue(&calls, "next", 400))), "next");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn token_living_exactly_twice_the_margin_keeps_the_full_margin() {
        let (cache, hand) = cache();
        let calls = AtomicUsize::new(0);
        cache.get(false, issue(&calls, "first", 600)).unwrap();

        hand.advance(secs(299));
        assert_eq!(value(cache.get(false, issue(&calls, "next", 600))), "first");
        hand.advance(secs(1));
        assert_eq!(value(cache.get(false, issue(&calls, "next", 600))), "next");
    }

    #[test]
    fn token_with_zero_lifetime_is_returned_but_never_reused() {
        let (cache, _hand) = cache();
        let calls = AtomicUsize::new(0);
        assert_eq!(value(cache.get(false, issue(&calls, "once", 0))), "once");
        assert_eq!(value(cache.get(false, issue(&calls, "again", 0))), "again");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        assert_eq!(cache.read_fresh(|v| *v), None);
    }

    #[test]
    fn token_with_negative_lifetime_is_never_reused() {
        let (cache, _hand) = cache();
        let calls = AtomicUsize::new(0);
        cache.get(false, issue(&calls, "once", -5)).unwrap();
        assert_eq!(
            value(cache.get(false, issue(&calls, "again", 3600))),
            "again"
        );
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn single_use_token_retires_the_cached_one() {
        let (cache, _hand) = cache();
        let calls = AtomicUsize::new(0);
        cache.get(false, issue(&calls, "cached", 3600)).unwrap();
        cache.get(true, issue(&calls, "single-use", 0)).unwrap();
        assert_eq!(value(cache.get(false, issue(&calls, "new", 3600))), "new");
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[test]
    fn force_refresh_fetches_despite_a_fresh_token() {
        let (cache, _hand) = cache();
        let calls = AtomicUsize::new(0);
        cache.get(false, issue(&calls, "first", 3600)).unwrap();
        assert_eq!(
            value(cache.get(true, issue(&calls, "forced", 3600))),
            "forced"
        );
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        assert_eq!(cache.read_fresh(|v| *v), Some("forced"));
    }

    #[test]
    fn failed_refresh_serves_the_unexpired_cached_token() {
        let (cache, hand) = cache();
        let calls = AtomicUsize::new(0);
        cache.get(false, issue(&calls, "cached", 3600)).unwrap();
        hand.advance(secs(3400));

        let mut told = None;
        let served = cache.get(false, |ctx| {
            told = Some(ctx);
            Err(unavailable())
        });
        assert_eq!(value(served), "cached");
        assert_eq!(told, Some(FetchContext { has_fallback: true }));
    }

    #[test]
    fn no_unforced_fetch_within_30_s_of_a_failed_refresh() {
        let (cache, hand) = cache();
        let calls = AtomicUsize::new(0);
        cache.get(false, issue(&calls, "cached", 3600)).unwrap();
        hand.advance(secs(3400));
        cache.get(false, fail(&calls, unavailable())).unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 2);

        hand.advance(secs(29));
        assert_eq!(
            value(cache.get(false, issue(&calls, "new", 3600))),
            "cached"
        );
        assert_eq!(calls.load(Ordering::SeqCst), 2);

        hand.advance(secs(1));
        assert_eq!(value(cache.get(false, issue(&calls, "new", 3600))), "new");
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[test]
    fn quiet_period_ends_when_the_cached_token_expires() {
        let (cache, hand) = cache();
        let calls = AtomicUsize::new(0);
        cache.get(false, issue(&calls, "cached", 3600)).unwrap();
        hand.advance(secs(3590));
        cache.get(false, fail(&calls, unavailable())).unwrap();

        hand.advance(secs(9));
        assert_eq!(
            value(cache.get(false, issue(&calls, "new", 3600))),
            "cached"
        );
        hand.advance(secs(1));
        assert_eq!(value(cache.get(false, issue(&calls, "new", 3600))), "new");
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[test]
    fn forced_refresh_during_quiet_period_fetches() {
        let (cache, hand) = cache();
        let calls = AtomicUsize::new(0);
        cache.get(false, issue(&calls, "cached", 3600)).unwrap();
        hand.advance(secs(3400));
        cache.get(false, fail(&calls, unavailable())).unwrap();

        assert_eq!(
            value(cache.get(true, issue(&calls, "forced", 3600))),
            "forced"
        );
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[test]
    fn failed_forced_refresh_returns_the_error_despite_a_cached_token() {
        let (cache, _hand) = cache();
        let calls = AtomicUsize::new(0);
        cache.get(false, issue(&calls, "cached", 3600)).unwrap();

        let e = cache.get(true, fail(&calls, unavailable())).err().unwrap();
        assert_eq!(e.kind(), ErrorKind::Transport);
        assert_eq!(cache.read_fresh(|v| *v), Some("cached"));
    }

    #[test]
    fn failed_fetch_without_a_cached_token_returns_the_error_and_the_next_call_retries() {
        let (cache, _hand) = cache();
        let calls = AtomicUsize::new(0);
        let e = cache.get(false, fail(&calls, unavailable())).err().unwrap();
        assert_eq!(e.message(), "connection refused");

        assert_eq!(value(cache.get(false, issue(&calls, "new", 3600))), "new");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn expired_token_is_not_served_after_a_failed_refresh() {
        let (cache, hand) = cache();
        let calls = AtomicUsize::new(0);
        cache.get(false, issue(&calls, "cached", 3600)).unwrap();
        hand.advance(secs(3600));

        let e = cache.get(false, fail(&calls, unavailable())).err().unwrap();
        assert_eq!(e.kind(), ErrorKind::Transport);
        assert_eq!(
            cache
                .get(false, |ctx| {
                    assert!(!ctx.has_fallback);
                    Err(unavailable())
                })
                .err()
                .map(|e| e.kind()),
            Some(ErrorKind::Transport)
        );
    }

    #[test]
    fn retry_after_sends_nothing_until_its_time() {
        let (cache, hand) = cache();
        let calls = AtomicUsize::new(0);
        let busy = Error::new(ErrorKind::Http, "busy").with_retry_after(secs(120));
        cache.get(false, fail(&calls, busy)).err().unwrap();

        hand.advance(secs(119));
        let held = cache.get(true, issue(&calls, "new", 3600)).err().unwrap();
        assert_eq!(held.kind(), ErrorKind::Http);
        assert_eq!(held.retry_after(), Some(secs(1)));
        assert!(held.message().contains("Retry-After"), "{}", held.message());
        assert_eq!(calls.load(Ordering::SeqCst), 1);

        hand.advance(secs(1));
        assert_eq!(value(cache.get(false, issue(&calls, "new", 3600))), "new");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn retry_after_serves_the_unexpired_token_to_unforced_callers() {
        let (cache, hand) = cache();
        let calls = AtomicUsize::new(0);
        cache.get(false, issue(&calls, "cached", 3600)).unwrap();
        hand.advance(secs(3400));
        let busy = Error::new(ErrorKind::Http, "busy").with_retry_after(secs(60));
        cache.get(false, fail(&calls, busy)).unwrap();

        // Past the 30 s quiet period, still inside the Retry-After.
        hand.advance(secs(45));
        assert_eq!(
            value(cache.get(false, issue(&calls, "new", 3600))),
            "cached"
        );
        assert!(cache.get(true, issue(&calls, "new", 3600)).is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn sixty_four_threads_on_an_expired_cache_cause_one_fetch() {
        let (cache, hand) = cache();
        let calls = AtomicUsize::new(0);
        cache.get(false, issue(&calls, "expired", 60)).unwrap();
        hand.advance(secs(60));
        calls.store(0, Ordering::SeqCst);

        let cache = &cache;
        let calls = &calls;
        let got: Vec<&str> = std::thread::scope(|s| {
            let threads: Vec<_> = (0..64)
                .map(|_| {
                    s.spawn(move || {
                        value(cache.get(false, |_| {
                            calls.fetch_add(1, Ordering::SeqCst);
                            // Hold the fetch until every other thread waits on it.
                            until_waiting(cache, 63);
                            Ok(Fetched {
                                value: "fresh",
                                lifetime_s: 3600,
                            })
                        }))
                    })
                })
                .collect();
            threads.into_iter().map(|t| t.join().unwrap()).collect()
        });

        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(got, vec!["fresh"; 64]);
    }

    /// Starts a caller whose fetch gives `first`, holds that fetch until a
    /// caller for each of `joining` (forced or not) waits for it, then lets
    /// it finish. A joining caller that fetches after all gets `later`.
    /// Returns the first caller's outcome and the joining callers' in order.
    fn behind_a_fetch_in_flight(
        cache: &TokenCache<&'static str>,
        calls: &AtomicUsize,
        first: Result<Fetched<&'static str>, Error>,
        joining: &[bool],
        later: (&'static str, i64),
    ) -> (Outcome<&'static str>, Vec<Outcome<&'static str>>) {
        let (started_tx, started) = mpsc::channel();
        let (release, release_rx) = mpsc::channel::<()>();

        std::thread::scope(|s| {
            let first = s.spawn(move || {
                cache.get(false, move |_| {
                    calls.fetch_add(1, Ordering::SeqCst);
                    started_tx.send(()).unwrap();
                    release_rx.recv().unwrap();
                    first
                })
            });
            started.recv().unwrap();
            let joined: Vec<_> = joining
                .iter()
                .map(|&force| s.spawn(move || cache.get(force, issue(calls, later.0, later.1))))
                .collect();
            until_waiting(cache, joining.len());
            release.send(()).unwrap();
            let joined = joined.into_iter().map(|t| t.join().unwrap()).collect();
            (first.join().unwrap(), joined)
        })
    }

    #[test]
    fn forced_refresh_joins_the_fetch_in_flight() {
        let (cache, _hand) = cache();
        let calls = AtomicUsize::new(0);
        let in_flight = Ok(Fetched {
            value: "in flight",
            lifetime_s: 3600,
        });

        let (first, joined) =
            behind_a_fetch_in_flight(&cache, &calls, in_flight, &[true], ("forced", 3600));

        assert_eq!(value(first), "in flight");
        assert_eq!(
            joined.into_iter().map(value).collect::<Vec<_>>(),
            ["in flight"]
        );
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_single_use_token_goes_only_to_the_caller_that_fetched_it() {
        let (cache, _hand) = cache();
        let calls = AtomicUsize::new(0);
        let once = Ok(Fetched {
            value: "once",
            lifetime_s: 0,
        });

        let (first, joined) =
            behind_a_fetch_in_flight(&cache, &calls, once, &[false, true], ("own", 0));

        assert_eq!(value(first), "once");
        assert_eq!(
            joined.into_iter().map(value).collect::<Vec<_>>(),
            ["own", "own"]
        );
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[test]
    fn failed_fetch_releases_every_waiter_with_its_error() {
        let (cache, _hand) = cache();
        let calls = AtomicUsize::new(0);

        let (first, joined) = behind_a_fetch_in_flight(
            &cache,
            &calls,
            Err(unavailable()),
            &[false, true, false],
            ("unused", 3600),
        );

        let kinds: Vec<_> = std::iter::once(first)
            .chain(joined)
            .map(|o| o.err().map(|e| e.kind()))
            .collect();
        assert_eq!(kinds, vec![Some(ErrorKind::Transport); 4]);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(value(cache.get(false, issue(&calls, "next", 3600))), "next");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn panicking_fetch_releases_its_waiters() {
        let (cache, _hand) = cache();
        let calls = AtomicUsize::new(0);
        let (started_tx, started) = mpsc::channel();
        let (release, release_rx) = mpsc::channel::<()>();

        let waiter = std::thread::scope(|s| {
            let cache = &cache;
            let calls = &calls;
            let fetcher = s.spawn(move || {
                cache.get(false, move |_| -> Result<Fetched<&'static str>, Error> {
                    started_tx.send(()).unwrap();
                    release_rx.recv().unwrap();
                    panic!("fetch panicked");
                })
            });
            started.recv().unwrap();
            let waiter = s.spawn(move || cache.get(false, issue(calls, "unused", 3600)));
            until_waiting(cache, 1);
            release.send(()).unwrap();
            assert!(fetcher.join().is_err());
            waiter.join().unwrap()
        });

        assert_eq!(waiter.err().map(|e| e.kind()), Some(ErrorKind::Internal));
        assert_eq!(calls.load(Ordering::SeqCst), 0);
    }
}

#[cfg(all(test, loom))]
mod loom_model {
    //! The refresh coordination model-checked with loom: every interleaving
    //! of three callers (one of them forced, one whose fetch fails), up to
    //! the preemption bound. Run with
    //! `RUSTFLAGS="--cfg loom" cargo test --release --lib loom`.

    use super::*;
    use loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    /// Loom explores every interleaving with up to this many preemptions
    /// unless `LOOM_MAX_PREEMPTIONS` says otherwise; 3 finds the classic
    /// lost-wakeup and double-fetch bugs and keeps the run to seconds.
    const DEFAULT_PREEMPTIONS: usize = 3;

    fn model(f: impl Fn() + Sync + Send + 'static) {
        let mut builder = loom::model::Builder::new();
        if builder.preemption_bound.is_none() {
            builder.preemption_bound = Some(DEFAULT_PREEMPTIONS);
        }
        builder.check(f);
    }

    type Got = Result<&'static str, String>;

    /// What one model run observed: which fetches ran, what each caller got.
    struct Caller {
        force: bool,
        /// `None`: this caller's fetch fails.
        issues: Option<&'static str>,
        ran: AtomicBool,
    }

    const FAILURE: &str = "fetch of caller A failed";

    fn callers() -> [Caller; 3] {
        let caller = |force, issues| Caller {
            force,
            issues,
            ran: AtomicBool::new(false),
        };
        [
            caller(false, None),
            caller(false, Some("token of B")),
            caller(true, Some("token of C")),
        ]
    }

    /// Runs the three callers at once on `cache` and returns what each got.
    fn race(cache: &Arc<TokenCache<&'static str>>, callers: &Arc<[Caller; 3]>) -> Vec<Got> {
        let in_flight = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..3)
            .map(|i| {
                let (cache, callers, in_flight) =
                    (cache.clone(), callers.clone(), in_flight.clone());
                loom::thread::spawn(move || {
                    let me = &callers[i];
                    let got = cache.get(me.force, |_| {
                        assert_eq!(
                            in_flight.fetch_add(1, Ordering::SeqCst),
                            0,
                            "two fetches in flight"
                        );
                        me.ran.store(true, Ordering::SeqCst);
                        in_flight.fetch_sub(1, Ordering::SeqCst);
                        match me.issues {
                            Some(value) => Ok(Fetched {
                                value,
                                lifetime_s: 3600,
                            }),
                            None => Err(Error::new(ErrorKind::Transport, FAILURE)),
                        }
                    });
                    got.map(|c| c.value).map_err(|e| e.message().to_owned())
                })
            })
            .collect();
        threads.into_iter().map(|t| t.join().unwrap()).collect()
    }

    /// Checks that hold with or without a cached token to fall back on.
    fn check_common(callers: &[Caller; 3], got: &[Got]) {
        let ran: Vec<bool> = callers
            .iter()
            .map(|c| c.ran.load(Ordering::SeqCst))
            .collect();
        assert!(ran.iter().any(|&r| r), "nobody fetched: {got:?}");

        for (i, c) in callers.iter().enumerate() {
            // A caller whose fetch ran gets that fetch's result (a failure
            // may be replaced by the cached token; checked by the callers).
            if let (true, Some(value)) = (ran[i], c.issues) {
                assert_eq!(
                    got[i],
                    Ok(value),
                    "caller {i} fetched but got another result"
                );
            }
        }
        for g in got {
            // Nobody receives a token or an error no fetch produced.
            match g {
                Err(m) => assert!(m == FAILURE && ran[0], "error from nowhere: {got:?}"),
                Ok("token of B") => assert!(ran[1], "{got:?}"),
                Ok("token of C") => assert!(ran[2], "{got:?}"),
                Ok(_) => {}
            }
        }
        // The forced caller never gets a token that was cached before it
        // called: it joined a fetch in flight or made its own.
        assert!(
            matches!(got[2].as_deref(), Ok("token of B" | "token of C") | Err(_)),
            "forced caller got {:?}",
            got[2]
        );
    }

    #[test]
    fn loom_three_callers_on_an_empty_cache() {
        model(|| {
            let start = chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap();
            let (clock, _hand) = Clock::manual(start);
            let cache = Arc::new(TokenCache::new(Duration::from_secs(300), clock));
            let callers = Arc::new(callers());

            let got = race(&cache, &callers);

            check_common(&callers, &got);
            // A failed fetch gives its caller the error, or the token of a
            // fetch that succeeded after it (checked above); never a hang.
            if callers[0].ran.load(Ordering::SeqCst) {
                let got_a = &got[0];
                assert!(
                    matches!(got_a, Err(m) if m == FAILURE)
                        || matches!(got_a, Ok("token of B" | "token of C")),
                    "{got:?}"
                );
            }
            // With no token to fall back on, the next call after a failure
            // fetches again; after a success it is served from the cache.
            let fetched_again = AtomicBool::new(false);
            let next = cache.get(false, |_| {
                fetched_again.store(true, Ordering::SeqCst);
                Ok(Fetched {
                    value: "next",
                    lifetime_s: 3600,
                })
            });
            let succeeded =
                callers[1].ran.load(Ordering::SeqCst) || callers[2].ran.load(Ordering::SeqCst);
            assert_eq!(fetched_again.load(Ordering::SeqCst), !succeeded, "{got:?}");
            assert!(next.is_ok());
        });
    }

    #[test]
    fn loom_three_callers_on_a_stale_cache() {
        model(|| {
            let start = chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap();
            let (clock, hand) = Clock::manual(start);
            let cache = Arc::new(TokenCache::new(Duration::from_secs(300), clock));
            cache
                .get(false, |_| {
                    Ok(Fetched {
                        value: "old",
                        lifetime_s: 3600,
                    })
                })
                .unwrap();
            // Past the refresh margin, not yet expired.
            hand.advance(Duration::from_secs(3400));
            let callers = Arc::new(callers());

            let got = race(&cache, &callers);

            check_common(&callers, &got);
            let failed = callers[0].ran.load(Ordering::SeqCst);
            // Unforced callers always get a token; the old one only after
            // the failure.
            for g in &got[..2] {
                assert!(g.is_ok(), "unforced caller got {g:?}");
                if *g == Ok("old") {
                    assert!(failed, "{got:?}");
                }
            }
            // After the 30 s quiet period the next call fetches again,
            // unless a fetch succeeded and left a fresh token.
            hand.advance(FAILURE_QUIET);
            let fetched_again = AtomicBool::new(false);
            cache
                .get(false, |_| {
                    fetched_again.store(true, Ordering::SeqCst);
                    Ok(Fetched {
                        value: "next",
                        lifetime_s: 3600,
                    })
                })
                .unwrap();
            let succeeded =
                callers[1].ran.load(Ordering::SeqCst) || callers[2].ran.load(Ordering::SeqCst);
            assert_eq!(fetched_again.load(Ordering::SeqCst), !succeeded, "{got:?}");
        });
    }
}
