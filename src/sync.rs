//! Synchronisation primitives, swapped for loom's under `--cfg loom` so that
//! the refresh coordination in `cache` can be model-checked unchanged.

#[cfg(loom)]
pub(crate) use loom::sync::{Arc, Condvar, Mutex, MutexGuard};
#[cfg(not(loom))]
pub(crate) use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use std::ops::Deref;

/// The cached value, readable without a lock.
///
/// Readers take no lock and write no memory other readers share: arc-swap
/// reads through a per-thread slot, so the cached path scales across cores
/// instead of bouncing one lock word or reference count between them. That
/// slot still costs an atomic swap and compare-exchange per read, so the C
/// API's cached path, which copies the token anyway, reads `snapshot`
/// instead.
#[cfg(not(loom))]
pub(crate) struct Slot<T>(arc_swap::ArcSwapOption<T>);

#[cfg(not(loom))]
impl<T> Slot<T> {
    pub(crate) fn empty() -> Self {
        Slot(arc_swap::ArcSwapOption::const_empty())
    }

    #[inline]
    pub(crate) fn load(&self) -> impl Deref<Target = Option<Arc<T>>> + '_ {
        self.0.load()
    }

    pub(crate) fn load_full(&self) -> Option<Arc<T>> {
        self.0.load_full()
    }

    pub(crate) fn store(&self, value: Option<Arc<T>>) {
        self.0.store(value)
    }
}

/// Under loom the slot is a plain mutex: arc-swap is not instrumented, and
/// what the model checks is the coordination around the slot.
#[cfg(loom)]
pub(crate) struct Slot<T>(loom::sync::Mutex<Option<Arc<T>>>);

#[cfg(loom)]
pub(crate) struct Loaded<T>(Option<Arc<T>>);

#[cfg(loom)]
impl<T> Deref for Loaded<T> {
    type Target = Option<Arc<T>>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

#[cfg(loom)]
impl<T> Slot<T> {
    pub(crate) fn empty() -> Self {
        Slot(loom::sync::Mutex::new(None))
    }

    pub(crate) fn load(&self) -> Loaded<T> {
        Loaded(self.load_full())
    }

    pub(crate) fn load_full(&self) -> Option<Arc<T>> {
        self.0.lock().unwrap().clone()
    }

    pub(crate) fn store(&self, value: Option<Arc<T>>) {
        *self.0.lock().unwrap() = value;
    }
}

/// Locks, ignoring poisoning: every critical section in this crate leaves
/// its state consistent even when a panic unwinds through it.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
