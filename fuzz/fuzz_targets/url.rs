//! URL checks: which URLs the library would send a request to, and how it
//! quotes a URL in a message.
//!
//! An accepted plaintext URL must be loopback, and a quoted URL never shows
//! its query, where misused APIs put secrets.
#![no_main]

use auth::fuzzing::{endpoint, is_loopback, quote_url};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(url) = std::str::from_utf8(data) else {
        return;
    };

    if let Ok(loopback) = endpoint(url) {
        let scheme = url.split(':').next().unwrap_or("").to_ascii_lowercase();
        assert!(scheme == "https" || (scheme == "http" && loopback), "{url}");
        assert!(!url.contains('#'), "{url}");
        assert_eq!(url.trim(), url);
    }
    is_loopback(url);

    let quoted = quote_url(url);
    let inner = quoted
        .strip_prefix('"')
        .and_then(|q| q.strip_suffix('"'))
        .expect("quoted");
    let inner = inner.strip_suffix("?…").unwrap_or(inner);
    assert!(!inner.contains(['?', '#']), "{quoted}");
    assert!(inner.chars().count() <= 200);
});
