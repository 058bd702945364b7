//! The discovery document reader and the issuer URL handling around it.
//!
//! Input: a first line with the issuer URL, then the document. A document
//! that is accepted must name that issuer and a token endpoint the library
//! may send a secret to.
#![no_main]

use auth::fuzzing::{discovery_document, endpoint, locate_issuer, rfc8414_url, ErrorKind};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let nl = data.iter().position(|&b| b == b'\n').unwrap_or(data.len());
    let Ok(issuer) = std::str::from_utf8(&data[..nl]) else {
        return;
    };
    let body = data.get(nl + 1..).unwrap_or(&[]);

    if let Ok((located, document_url)) = locate_issuer(issuer) {
        assert_eq!(
            document_url,
            format!("{located}/.well-known/openid-configuration")
        );
        assert!(endpoint(&document_url).is_ok(), "{document_url}");
        let fallback = rfc8414_url(&located);
        assert!(fallback.contains("/.well-known/oauth-authorization-server"));
    }

    match discovery_document(issuer, body) {
        Ok(m) => {
            assert_eq!(m.issuer().trim_end_matches('/'), issuer);
            assert!(
                endpoint(m.token_endpoint()).is_ok(),
                "{}",
                m.token_endpoint()
            );
            // Schemes are case-insensitive: `HTTPS:` is https too.
            let https = |u: &str| u.get(..6).is_some_and(|p| p.eq_ignore_ascii_case("https:"));
            if https(issuer) {
                assert!(https(m.token_endpoint()), "{}", m.token_endpoint());
            }
        }
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::Discovery, "{}", e.message());
            assert!(!e.message().chars().any(char::is_control));
        }
    }
});
