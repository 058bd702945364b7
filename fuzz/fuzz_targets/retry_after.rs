//! `Retry-After` values: delay-seconds or HTTP-dates, any text.
//!
//! Whatever the server sends, the wait is bounded by the ten-year clamp.
#![no_main]

use auth::fuzzing::{retry_after, MAX_LIFETIME_S};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = std::str::from_utf8(data) else {
        return;
    };
    for now in [0, 1_445_412_480, 4_102_444_800] {
        if let Some(wait) = retry_after(value, now) {
            assert!(wait.as_secs() <= MAX_LIFETIME_S as u64, "{value:?}");
        }
    }
});
