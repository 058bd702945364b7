//! Entry points for the fuzz harnesses in `fuzz/`: the crate-private readers
//! of what servers send, reachable only with the `fuzzing` feature.
//!
//! Not a public API. Each function is a thin wrapper, so a harness exercises
//! exactly the code that reads a real server's answer.

use crate::{discovery, endpoint, error, form, jwt, response};
use std::time::Duration;

pub use crate::discovery::OidcDiscoveryMetadata;
pub use crate::error::{Error, ErrorKind};

/// Largest lifetime the token response reader believes, in seconds.
pub const MAX_LIFETIME_S: i64 = response::MAX_LIFETIME_S;

/// Largest body the transport reads; the parsers never see more.
pub const MAX_BODY: usize = crate::http::MAX_BODY as usize;

/// A token response as the reader accepted it.
pub struct Grant {
    /// The access token.
    pub access_token: String,
    /// The token type, `"Bearer"` when the server sent none.
    pub token_type: String,
    /// The granted scope, when sent.
    pub scope: Option<String>,
    /// Seconds of validity from the request; 0 or less means use once.
    pub lifetime_s: i64,
}

/// Reads a token endpoint's answer (`src/response.rs`).
pub fn token_response(status: u16, content_type: &str, body: &[u8]) -> Result<Grant, Error> {
    let g = response::parse_token_response(status, content_type, body)?;
    Ok(Grant {
        access_token: g.access_token.expose().to_owned(),
        token_type: g.token_type,
        scope: g.scope,
        lifetime_s: g.lifetime_s,
    })
}

/// Reads a `Retry-After` value relative to `now_unix` seconds.
pub fn retry_after(value: &str, now_unix: i64) -> Option<Duration> {
    let now = chrono::DateTime::from_timestamp(now_unix, 0)?;
    response::parse_retry_after(value, now)
}

/// `exp - iat` of a JWT access token (`src/jwt.rs`).
pub fn jwt_lifetime(token: &str) -> Option<f64> {
    jwt::lifetime_seconds(token)
}

/// Checks a discovery document fetched for `issuer` (`src/discovery.rs`).
pub fn discovery_document(issuer: &str, body: &[u8]) -> Result<OidcDiscoveryMetadata, Error> {
    discovery::parse_document(issuer, body)
}

/// The issuer and the URL of its OpenID document.
pub fn locate_issuer(issuer_url: &str) -> Result<(String, String), Error> {
    discovery::locate(issuer_url)
}

/// The RFC 8414 document URL of `issuer`.
pub fn rfc8414_url(issuer: &str) -> String {
    discovery::rfc8414_url(issuer)
}

/// Checks a URL the library would send a request to; `Ok(true)` when its
/// host is loopback.
pub fn endpoint(url: &str) -> Result<bool, Error> {
    endpoint::Endpoint::parse(url, "endpoint").map(|e| e.is_loopback())
}

/// Whether `host` counts as loopback, from its text alone.
pub fn is_loopback(host: &str) -> bool {
    endpoint::is_loopback(host)
}

/// A URL as messages show it: bounded, query removed.
pub fn quote_url(url: &str) -> String {
    endpoint::quote(url)
}

/// Form-encodes one component.
pub fn form_encode(s: &str) -> String {
    form::encode(s)
}

/// Decodes one form-encoded component.
pub fn form_decode(s: &str) -> Option<String> {
    form::decode(s)
}

/// Splits and decodes a form body.
pub fn form_decode_pairs(body: &str) -> Option<Vec<(String, String)>> {
    form::decode_pairs(body)
}

/// The secret-masking preview of a server's body used in messages.
pub fn preview(body: &[u8]) -> String {
    error::preview(body)
}
