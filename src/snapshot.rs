//! A byte image of the cached token that readers copy out under a sequence
//! lock, for the C API's cached path.
//!
//! Readers write no shared memory at all: they load a sequence number, copy
//! the image, and load the number again; a change means a writer was busy
//! and the reader takes the slow path instead. Nothing they touch is ever
//! written by another reader, so the cache line holding the image stays
//! shared between cores, where a lock word or a reference count would move
//! from core to core on every call.
//!
//! The image lives in words read and written with relaxed atomics, so a
//! reader racing a writer reads stale or mixed words, never undefined
//! behaviour, and the sequence check throws such a copy away. Buffers are
//! only ever replaced by larger ones and kept until the snapshot is dropped,
//! so a reader holding an old pointer still reads memory that is allocated.
//!
//! Why this and not the alternatives, measured on a 2-core machine shared
//! with other work (C figures by `bench/run.sh`: cached `get_token` + free
//! through the C API; Rust figures by `bench/hotpath`, the options alone):
//! - `arc_swap::ArcSwapOption::load` and a copy, as before: 35 to 66 ns a
//!   call from C, 20 ns in Rust; about half of it is arc-swap's debt slot,
//!   a swap and a `lock cmpxchg` per load even on the thread's own slot.
//! - this image copy: 25 ns a call from C, and two threads together made
//!   1.97 times the calls of one; 17 ns in Rust, against 10 ns for the
//!   allocation and copy alone.
//! - handing C a shared `Arc` instead of a copy: 12 to 16 ns in Rust, the
//!   cheapest on one thread, but every call on every core writes the one
//!   reference count, so its cache line moves between the cores; two
//!   threads together made 0.7 to 1.1 times the calls of one.
//! - `RwLock` around the token, and a copy: 21 ns in Rust, and two threads
//!   made 0.7 to 1.0 times the calls of one (the lock word is written).
//!
//! The Rust two-thread figures vary widely on a busy machine; the C figures
//! of the README's Performance section are the ones to go by.

use std::marker::PhantomData;
use std::sync::atomic::{fence, AtomicPtr, AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// Words in the first buffer: room for the token of most providers.
const FIRST_BUFFER_WORDS: usize = 64;

pub(crate) struct Snapshot {
    /// Odd while a writer changes the image.
    seq: AtomicU64,
    /// Monotonic nanoseconds before which the image may be served; 0 while
    /// there is none.
    fresh_until: AtomicU64,
    /// Length of the image in bytes.
    len: AtomicUsize,
    /// The first word of the current buffer, one of `buffers`.
    words: AtomicPtr<AtomicU64>,
    /// Every buffer used so far, the current one last; also what serialises
    /// writers.
    buffers: Mutex<Vec<Box<[AtomicU64]>>>,
}

/// A consistent-so-far view of the image, handed to a reader's copy.
pub(crate) struct View<'a> {
    words: *const AtomicU64,
    len: usize,
    _snapshot: PhantomData<&'a Snapshot>,
}

impl View<'_> {
    /// Length of the image in bytes.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Word `i` of the image (native byte order).
    ///
    /// Panics when `i` lies past the image.
    pub(crate) fn word(&self, i: usize) -> u64 {
        assert!(i * 8 < self.len, "word {i} is past the image");
        // SAFETY: the buffer holds at least `len` bytes rounded up to words
        // and stays allocated while the snapshot lives.
        unsafe { (*self.words.add(i)).load(Ordering::Relaxed) }
    }

    /// Copies the words from `first` to the end of the image to `dst`.
    ///
    /// # Safety
    ///
    /// `dst` must be valid for writing that many words (it need not be
    /// aligned).
    pub(crate) unsafe fn copy_words_from(&self, first: usize, dst: *mut u8) {
        let end = self.len.div_ceil(8);
        for (n, i) in (first..end).enumerate() {
            let w = (*self.words.add(i)).load(Ordering::Relaxed);
            dst.cast::<u64>().add(n).write_unaligned(w);
        }
    }
}

impl Snapshot {
    pub(crate) fn new() -> Self {
        Snapshot {
            seq: AtomicU64::new(0),
            fresh_until: AtomicU64::new(0),
            len: AtomicUsize::new(0),
            words: AtomicPtr::new(std::ptr::null_mut()),
            buffers: Mutex::new(Vec::new()),
        }
    }

    /// Runs `copy` on the image when it is fresh at `now`. Returns its
    /// result when no writer changed the image meanwhile; otherwise hands
    /// the result to `discard` (to free what it allocated) and returns
    /// `None`, as it does when there is no fresh image.
    #[inline]
    pub(crate) fn read<R>(
        &self,
        now: Duration,
        copy: impl FnOnce(&View<'_>) -> R,
        discard: impl FnOnce(R),
    ) -> Option<R> {
        let before = self.seq.load(Ordering::Acquire);
        if before & 1 == 1 || nanos(now) >= self.fresh_until.load(Ordering::Relaxed) {
            return None;
        }
        let view = View {
            words: self.words.load(Ordering::Relaxed),
            len: self.len.load(Ordering::Relaxed),
            _snapshot: PhantomData,
        };
        // The pointer and the length must belong together before anything
        // is read through them.
        if !self.unchanged(before) {
            return None;
        }

        let result = copy(&view);

        if self.unchanged(before) {
            Some(result)
        } else {
            discard(result);
            None
        }
    }

    #[inline]
    fn unchanged(&self, before: u64) -> bool {
        fence(Ordering::Acquire);
        self.seq.load(Ordering::Relaxed) == before
    }

    /// Publishes `image`, to be served before `fresh_until`.
    pub(crate) fn publish(&self, fresh_until: Duration, image: &[u8]) {
        let words = image.len().div_ceil(8);
        let mut buffers = self.buffers.lock().unwrap_or_else(|p| p.into_inner());
        if buffers.last().is_none_or(|b| b.len() < words) {
            let size = words.next_power_of_two().max(FIRST_BUFFER_WORDS);
            buffers.push((0..size).map(|_| AtomicU64::new(0)).collect());
        }
        let buffer = buffers.last().expect("a buffer was just ensured");

        self.write(|| {
            let mut chunks = image.chunks(8);
            for (slot, i) in buffer.iter().zip(0..) {
                // Past the new image, zero what the old one left behind.
                let w = match chunks.next() {
                    Some(c) => {
                        let mut bytes = [0u8; 8];
                        bytes[..c.len()].copy_from_slice(c);
                        u64::from_ne_bytes(bytes)
                    }
                    None if i < self.len.load(Ordering::Relaxed).div_ceil(8) => 0,
                    None => break,
                };
                slot.store(w, Ordering::Relaxed);
            }
            self.words
                .store(buffer.as_ptr().cast_mut(), Ordering::Relaxed);
            self.len.store(image.len(), Ordering::Relaxed);
            self.fresh_until
                .store(nanos(fresh_until), Ordering::Relaxed);
        });
        // An outgrown buffer still holds the previous token.
        for old in &buffers[..buffers.len() - 1] {
            zero(old);
        }
    }

    /// Withdraws the image: nothing is served until the next `publish`.
    pub(crate) fn clear(&self) {
        let buffers = self.buffers.lock().unwrap_or_else(|p| p.into_inner());
        self.write(|| {
            self.fresh_until.store(0, Ordering::Relaxed);
            if let Some(b) = buffers.last() {
                zero(b);
            }
            self.len.store(0, Ordering::Relaxed);
        });
    }

    /// Runs `change` with the sequence number odd, so that readers that
    /// overlap it discard what they copied.
    fn write(&self, change: impl FnOnce()) {
        let seq = self.seq.load(Ordering::Relaxed);
        self.seq.store(seq + 1, Ordering::Relaxed);
        fence(Ordering::Release);
        change();
        self.seq.store(seq + 2, Ordering::Release);
    }
}

impl Drop for Snapshot {
    fn drop(&mut self) {
        let buffers = self.buffers.get_mut().unwrap_or_else(|p| p.into_inner());
        for b in buffers.iter() {
            zero(b);
        }
    }
}

/// Zeroes a buffer: atomic stores, which the compiler does not drop as
/// dead even right before the memory is freed.
fn zero(buffer: &[AtomicU64]) {
    for w in buffer {
        w.store(0, Ordering::Relaxed);
    }
}

fn nanos(d: Duration) -> u64 {
    d.as_nanos().min(u64::MAX as u128) as u64
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    fn copy_out(s: &Snapshot, now: Duration) -> Option<Vec<u8>> {
        s.read(
            now,
            |v| {
                let mut out = vec![0u8; v.len().div_ceil(8) * 8];
                // SAFETY: `out` holds every word of the image.
                unsafe { v.copy_words_from(0, out.as_mut_ptr()) };
                out.truncate(v.len());
                out
            },
            drop,
        )
    }

    #[test]
    fn empty_snapshot_serves_nothing() {
        assert_eq!(copy_out(&Snapshot::new(), secs(0)), None);
    }

    #[test]
    fn published_image_is_served_until_it_goes_stale() {
        let s = Snapshot::new();
        s.publish(secs(10), b"access-token\0Bearer\0");
        assert_eq!(
            copy_out(&s, secs(9)).as_deref(),
            Some(&b"access-token\0Bearer\0"[..])
        );
        assert_eq!(copy_out(&s, secs(10)), None);
    }

    #[test]
    fn shorter_image_leaves_no_trace_of_the_longer_one() {
        let s = Snapshot::new();
        s.publish(secs(10), &[b'a'; 40]);
        s.publish(secs(10), b"bb");
        assert_eq!(copy_out(&s, secs(0)).as_deref(), Some(&b"bb"[..]));
        let buffers = s.buffers.lock().unwrap();
        let rest: Vec<u64> = buffers[0][1..6]
            .iter()
            .map(|w| w.load(Ordering::Relaxed))
            .collect();
        assert_eq!(rest, vec![0; 5]);
    }

    #[test]
    fn image_larger_than_the_buffer_moves_to_a_larger_one_and_zeroes_the_old() {
        let s = Snapshot::new();
        s.publish(secs(10), &[b'a'; 16]);
        let big = vec![b'c'; FIRST_BUFFER_WORDS * 8 + 1];
        s.publish(secs(10), &big);
        assert_eq!(copy_out(&s, secs(0)), Some(big));
        let buffers = s.buffers.lock().unwrap();
        assert_eq!(buffers.len(), 2);
        assert!(buffers[0].iter().all(|w| w.load(Ordering::Relaxed) == 0));
    }

    #[test]
    fn cleared_snapshot_serves_nothing() {
        let s = Snapshot::new();
        s.publish(secs(10), b"token");
        s.clear();
        assert_eq!(copy_out(&s, secs(0)), None);
    }

    #[test]
    fn readers_racing_a_writer_copy_whole_images_only() {
        let s = Snapshot::new();
        let images = [vec![b'a'; 24], vec![b'b'; 200], vec![b'c'; 700]];
        s.publish(secs(10), &images[0]);
        let done = std::sync::atomic::AtomicBool::new(false);
        let whole = AtomicUsize::new(0);

        std::thread::scope(|scope| {
            for _ in 0..2 {
                scope.spawn(|| {
                    while !done.load(Ordering::Relaxed) {
                        if let Some(got) = copy_out(&s, secs(0)) {
                            assert!(images.contains(&got), "torn copy of {} bytes", got.len());
                            whole.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                });
            }
            // Keep writing until the readers have copied a good many images
            // between the writes (or give up after many writes).
            for i in 0..1_000_000 {
                s.publish(secs(10), &images[i % 3]);
                if whole.load(Ordering::Relaxed) >= 2_000 {
                    break;
                }
            }
            done.store(true, Ordering::Relaxed);
        });
        assert!(whole.load(Ordering::Relaxed) > 0);
    }

    #[test]
    fn copy_that_overlaps_a_write_is_discarded() {
        let s = Snapshot::new();
        s.publish(secs(10), b"first");
        let mut discarded = false;
        let got = s.read(
            secs(0),
            |_| s.publish(secs(10), b"second"),
            |_| discarded = true,
        );
        assert_eq!(got, None);
        assert!(discarded);
        assert_eq!(copy_out(&s, secs(0)).as_deref(), Some(&b"second"[..]));
    }
}
