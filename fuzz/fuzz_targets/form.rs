//! `application/x-www-form-urlencoded`, both ways.
//!
//! Decoding never fails on malformed escapes, encoding emits only the
//! unreserved alphabet, and decoding inverts encoding for every text.
#![no_main]

use auth::fuzzing::{form_decode, form_decode_pairs, form_encode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };

    let encoded = form_encode(text);
    assert!(encoded
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"*-._+%".contains(&b)));
    assert_eq!(form_decode(&encoded).as_deref(), Some(text));

    if let Some(pairs) = form_decode_pairs(text) {
        for (name, value) in pairs {
            assert_eq!(form_decode(&form_encode(&name)), Some(name));
            assert_eq!(form_decode(&form_encode(&value)), Some(value));
        }
    }
});
