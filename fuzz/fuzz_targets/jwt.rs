//! The JWT lifetime reader: any token text, and any claims payload.
//!
//! Input starting with `!` is a claims payload wrapped into a three-part
//! token, so the fuzzer reaches the JSON reading without having to find
//! base64 first; anything else is the token text as sent.
#![no_main]

use auth::fuzzing::jwt_lifetime;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let token = match data.strip_prefix(b"!") {
        Some(claims) => format!("eyJhbGciOiJub25lIn0.{}.sig", URL_SAFE_NO_PAD.encode(claims)),
        None => match std::str::from_utf8(data) {
            Ok(t) => t.to_owned(),
            Err(_) => return,
        },
    };
    if let Some(lifetime) = jwt_lifetime(&token) {
        assert!(lifetime.is_finite(), "{token}");
    }
});
