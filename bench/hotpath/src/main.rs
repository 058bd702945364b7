//! The options for the C API's cached path, each doing what one cached
//! `get_token` would, timed on one thread and on two at once:
//!
//!   cargo run --release --manifest-path bench/hotpath/Cargo.toml
//!
//! The library keeps the sequence-lock image copy (src/snapshot.rs); its
//! module comment records why, with these figures.

use arc_swap::ArcSwapOption;
use std::hint::black_box;
use std::sync::atomic::{fence, AtomicU64, Ordering};
use std::sync::{Arc, Barrier, RwLock};
use std::time::Instant;

const CALLS: u64 = 5_000_000;
const ROUNDS: usize = 3;

/// A token as the cache holds it: 80 bytes, about what a provider sends.
struct Token {
    bytes: Vec<u8>,
}

/// What C receives when it gets its own copy: one allocation.
fn copy_out(bytes: &[u8]) -> Box<[u8]> {
    bytes.to_vec().into_boxed_slice()
}

/// Prints ns per call on one thread, calls per second on two threads at
/// once, and the ratio of the two rates; the best of `ROUNDS` each.
fn measure(name: &str, call: impl Fn() + Sync) {
    let mut one = f64::MAX;
    let mut two = f64::MAX;
    for _ in 0..ROUNDS {
        let start = Instant::now();
        for _ in 0..CALLS {
            call();
        }
        one = one.min(start.elapsed().as_secs_f64());

        let ready = Barrier::new(3);
        let start = std::thread::scope(|s| {
            for _ in 0..2 {
                s.spawn(|| {
                    ready.wait();
                    for _ in 0..CALLS {
                        call();
                    }
                });
            }
            ready.wait();
            Instant::now()
        });
        two = two.min(start.elapsed().as_secs_f64());
    }
    let (rate1, rate2) = (CALLS as f64 / one, 2.0 * CALLS as f64 / two);
    println!(
        "{name:44} {:6.1} ns/call   2 threads {:6.1} M calls/s   scaling {:.2}",
        one * 1e9 / CALLS as f64,
        rate2 / 1e6,
        rate2 / rate1
    );
}

fn main() {
    let bytes = vec![b't'; 80];
    let swapped = ArcSwapOption::new(Some(Arc::new(Token {
        bytes: bytes.clone(),
    })));
    let shared = Arc::new(Token {
        bytes: bytes.clone(),
    });
    let locked = RwLock::new(Arc::new(Token {
        bytes: bytes.clone(),
    }));
    let words: Vec<AtomicU64> = bytes
        .chunks(8)
        .map(|c| AtomicU64::new(u64::from_ne_bytes(c.try_into().unwrap())))
        .collect();
    let seq = AtomicU64::new(0);

    measure("allocation and copy alone", || {
        black_box(copy_out(black_box(&bytes)));
    });
    measure("arc-swap load, allocation and copy", || {
        let guard = swapped.load();
        black_box(copy_out(&guard.as_ref().unwrap().bytes));
    });
    measure("shared Arc handed out (reference count)", || {
        black_box(shared.clone());
    });
    measure("RwLock read, allocation and copy", || {
        let guard = locked.read().unwrap();
        black_box(copy_out(&guard.bytes));
    });
    measure("sequence lock, allocation and word copy", || loop {
        let before = seq.load(Ordering::Acquire);
        let mut copy: Vec<u64> = Vec::with_capacity(words.len());
        copy.extend(words.iter().map(|w| w.load(Ordering::Relaxed)));
        fence(Ordering::Acquire);
        if before & 1 == 0 && seq.load(Ordering::Relaxed) == before {
            black_box(copy);
            break;
        }
    });
}
