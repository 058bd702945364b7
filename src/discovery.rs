//! OpenID Connect Discovery 1.0, with the RFC 8414 fallback.

use crate::credentials::{ClientAuthMethod, ClientOptions};
use crate::endpoint::{quote, Endpoint};
use crate::error::{preview, Error, ErrorKind};
use crate::http::Transport;
use crate::log::{log_at, LogLevel};
use serde_json::{Map, Value};
use std::fmt;

const OPENID_SUFFIX: &str = "/.well-known/openid-configuration";
const OAUTH_SUFFIX: &str = "/.well-known/oauth-authorization-server";

/// What a provider says of itself: its OpenID Connect discovery metadata.
#[derive(Clone, PartialEq, Eq)]
pub struct OidcDiscoveryMetadata {
    issuer: String,
    token_endpoint: String,
    authorization_endpoint: Option<String>,
    jwks_uri: Option<String>,
    userinfo_endpoint: Option<String>,
    revocation_endpoint: Option<String>,
    introspection_endpoint: Option<String>,
    token_endpoint_auth_methods_supported: Option<Vec<String>>,
    raw_json: String,
}

impl fmt::Debug for OidcDiscoveryMetadata {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OidcDiscoveryMetadata")
            .field("issuer", &self.issuer)
            .field("token_endpoint", &self.token_endpoint)
            .finish_non_exhaustive()
    }
}

impl OidcDiscoveryMetadata {
    /// The issuer identifier, as the document states it.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }
    /// The token endpoint; always an https URL, or http to loopback.
    pub fn token_endpoint(&self) -> &str {
        &self.token_endpoint
    }
    /// `authorization_endpoint`, when present and a string.
    pub fn authorization_endpoint(&self) -> Option<&str> {
        self.authorization_endpoint.as_deref()
    }
    /// `jwks_uri`, when present and a string.
    pub fn jwks_uri(&self) -> Option<&str> {
        self.jwks_uri.as_deref()
    }
    /// `userinfo_endpoint`, when present and a string.
    pub fn userinfo_endpoint(&self) -> Option<&str> {
        self.userinfo_endpoint.as_deref()
    }
    /// `revocation_endpoint`, when present and a string.
    pub fn revocation_endpoint(&self) -> Option<&str> {
        self.revocation_endpoint.as_deref()
    }
    /// `introspection_endpoint`, when present and a string.
    pub fn introspection_endpoint(&self) -> Option<&str> {
        self.introspection_endpoint.as_deref()
    }
    /// `token_endpoint_auth_methods_supported`, when present and a list of
    /// strings.
    pub fn token_endpoint_auth_methods_supported(&self) -> Option<&[String]> {
        self.token_endpoint_auth_methods_supported.as_deref()
    }
    /// The document as received.
    pub fn raw_json(&self) -> &str {
        &self.raw_json
    }

    /// The method to use when the caller chose none: Basic when listed or
    /// when the provider lists nothing, else post when listed.
    pub(crate) fn preferred_auth_method(&self) -> ClientAuthMethod {
        match &self.token_endpoint_auth_methods_supported {
            Some(methods)
                if !methods.iter().any(|m| m == "client_secret_basic")
                    && methods.iter().any(|m| m == "client_secret_post") =>
            {
                ClientAuthMethod::ClientSecretPost
            }
            _ => ClientAuthMethod::ClientSecretBasic,
        }
    }
}

/// Fetches and checks the discovery document of `issuer_url`.
pub fn fetch_oidc_discovery(issuer_url: &str) -> Result<OidcDiscoveryMetadata, Error> {
    fetch_oidc_discovery_with_options(issuer_url, &ClientOptions::default())
}

/// [`fetch_oidc_discovery`] with the timeout and trust settings of `options`.
pub fn fetch_oidc_discovery_with_options(
    issuer_url: &str,
    options: &ClientOptions,
) -> Result<OidcDiscoveryMetadata, Error> {
    let (issuer, openid_url) = locate(issuer_url)?;
    let issuer_endpoint = Endpoint::parse(&openid_url, "issuer URL")?;
    let transport = Transport::new(&issuer_endpoint, options.trust())?;

    // One deadline for both locations: the timeout bounds the whole call.
    let deadline = std::time::Instant::now() + options.timeout();
    let remaining = || {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            Err(Error::transport(format!(
                "no discovery document within {} ms",
                options.timeout().as_millis()
            )))
        } else {
            Ok(left)
        }
    };

    log_at!(LogLevel::Info, "discovery fetch {}", quote(&openid_url));
    let mut url = openid_url;
    let mut answer = transport
        .get(&url, remaining()?)
        .map_err(unusable_document)?;
    if answer.status == 404 {
        url = rfc8414_url(&issuer);
        log_at!(
            LogLevel::Info,
            "discovery fetch {} (RFC 8414 form)",
            quote(&url)
        );
        answer = transport
            .get(&url, remaining()?)
            .map_err(unusable_document)?;
    }

    if !(200..300).contains(&answer.status) {
        let detail = match (&answer.location, (300..400).contains(&answer.status)) {
            (Some(loc), true) => {
                format!("redirecting to {}; redirects are not followed", quote(loc))
            }
            _ => preview(&answer.body),
        };
        return Err(Error::new(
            ErrorKind::Http,
            format!(
                "discovery document {} answered HTTP {}: {detail}",
                quote(&url),
                answer.status
            ),
        )
        .with_http_status(answer.status));
    }

    parse_document(&issuer, &answer.body).map_err(|e| e.with_http_status(answer.status))
}

/// A document the transport refused to read whole (it is over the size
/// limit) is an unusable document, as the C API documents for discovery;
/// the transport's own kind for it belongs to token responses.
fn unusable_document(e: Error) -> Error {
    if e.kind() != ErrorKind::InvalidResponse {
        return e;
    }
    let status = e.http_status();
    let e = Error::discovery(format!("discovery document unusable: {}", e.message()));
    match status {
        Some(s) => e.with_http_status(s),
        None => e,
    }
}

/// The issuer identifier and the URL of its OpenID document. An issuer given
/// as the document URL itself is accepted as it is.
pub(crate) fn locate(issuer_url: &str) -> Result<(String, String), Error> {
    if issuer_url.contains(['?', '#']) {
        return Err(Error::invalid_argument(format!(
            "issuer URL {} may not have a query or fragment",
            quote(issuer_url)
        )));
    }
    // One trailing slash is dropped, as the issuer comparison allows one;
    // more would let a document for another path match.
    let issuer = issuer_url.strip_suffix(OPENID_SUFFIX).unwrap_or(issuer_url);
    let issuer = issuer.strip_suffix('/').unwrap_or(issuer);
    Endpoint::parse(issuer, "issuer URL")?;
    Ok((issuer.to_owned(), format!("{issuer}{OPENID_SUFFIX}")))
}

/// `scheme://host/.well-known/oauth-authorization-server/path` (RFC 8414
/// section 3.1): the well-known part goes between host and path.
pub(crate) fn rfc8414_url(issuer: &str) -> String {
    let after_scheme = issuer.find("://").map(|i| i + 3).unwrap_or(0);
    let path_start = issuer[after_scheme..]
        .find('/')
        .map(|i| i + after_scheme)
        .unwrap_or(issuer.len());
    let (origin, path) = issuer.split_at(path_start);
    format!("{origin}{OAUTH_SUFFIX}{}", path.trim_end_matches('/'))
}

/// URL schemes are case-insensitive (RFC 3986 section 3.1).
fn is_https(url: &str) -> bool {
    url.get(..6)
        .is_some_and(|p| p.eq_ignore_ascii_case("https:"))
}

/// Checks a discovery document against the issuer it was fetched for.
pub(crate) fn parse_document(issuer: &str, body: &[u8]) -> Result<OidcDiscoveryMetadata, Error> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let raw_json = std::str::from_utf8(body)
        .map_err(|_| Error::discovery("discovery document is not UTF-8"))?;
    let doc: Map<String, Value> = serde_json::from_str(raw_json).map_err(|e| {
        Error::discovery(format!(
            "discovery document is not a JSON object: {}",
            crate::response::serde_message(&e)
        ))
    })?;

    // A string with a NUL is no URL, and C could not see past the NUL:
    // like any malformed optional field, it counts as absent.
    let text = |name: &str| match doc.get(name) {
        Some(Value::String(s)) if !s.contains('\0') => Some(s.clone()),
        _ => None,
    };

    let stated =
        text("issuer").ok_or_else(|| Error::discovery("discovery document has no issuer"))?;
    if stated.trim_end_matches('/') != issuer || stated.len() > issuer.len() + 1 {
        return Err(Error::discovery(format!(
            "discovery document is for issuer {}, not the requested {}",
            quote(&stated),
            quote(issuer)
        )));
    }

    let token_endpoint = text("token_endpoint")
        .ok_or_else(|| Error::discovery("discovery document has no token_endpoint"))?;
    let checked = Endpoint::parse(&token_endpoint, "token_endpoint")
        .map_err(|e| Error::discovery(format!("discovery document: {}", e.message())))?;
    if is_https(issuer) && !is_https(&token_endpoint) {
        return Err(Error::discovery(format!(
            "discovery document moves the token endpoint of an https issuer to plaintext {}",
            quote(checked.as_str())
        )));
    }

    let methods = match doc.get("token_endpoint_auth_methods_supported") {
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>(),
        _ => None,
    };

    Ok(OidcDiscoveryMetadata {
        issuer: stated,
        token_endpoint,
        authorization_endpoint: text("authorization_endpoint"),
        jwks_uri: text("jwks_uri"),
        userinfo_endpoint: text("userinfo_endpoint"),
        revocation_endpoint: text("revocation_endpoint"),
        introspection_endpoint: text("introspection_endpoint"),
        token_endpoint_auth_methods_supported: methods,
        raw_json: raw_json.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_the_document() {
        assert_eq!(
            locate("https://idp.example/realms/r1/").unwrap(),
            (
                "https://idp.example/realms/r1".to_string(),
                "https://idp.example/realms/r1/.well-known/openid-configuration".to_string()
            )
        );
        assert_eq!(
            locate("https://idp.example/.well-known/openid-configuration")
                .unwrap()
                .1,
            "https://idp.example/.well-known/openid-configuration"
        );
        assert!(locate("http://idp.example").is_err());
    }

    #[test]
    fn rfc8414_puts_well_known_before_the_path() {
        assert_eq!(
            rfc8414_url("https://idp.example/realms/r1"),
            "https://idp.example/.well-known/oauth-authorization-server/realms/r1"
        );
        assert_eq!(
            rfc8414_url("http://127.0.0.1:80"),
            "http://127.0.0.1:80/.well-known/oauth-authorization-server"
        );
    }

    #[test]
    fn a_document_that_is_a_long_non_ascii_string_is_refused_without_panicking() {
        // Found by fuzz/discovery: serde quotes the string in its message,
        // and bounding that message by bytes cut a character in half.
        let body = format!("\"a{}\"", "\u{615c}".repeat(100));
        let e = parse_document("https://idp.example", body.as_bytes()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Discovery);
        assert!(e.message().contains("not a JSON object"), "{}", e.message());
    }

    #[test]
    fn scheme_case_does_not_open_a_downgrade() {
        let doc = |iss: &str, te: &str| format!(r#"{{"issuer":"{iss}","token_endpoint":"{te}"}}"#);
        let issuer = "HTTPS://idp.example/r";
        let e =
            parse_document(issuer, doc(issuer, "http://127.0.0.1:8080/t").as_bytes()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Discovery);
        let m = parse_document(issuer, doc(issuer, "HTTPS://idp.example/t").as_bytes()).unwrap();
        assert_eq!(m.token_endpoint(), "HTTPS://idp.example/t");
    }

    #[test]
    fn an_optional_field_with_a_nul_counts_as_absent() {
        let body = r#"{"issuer":"https://i.example","token_endpoint":"https://i.example/t","jwks_uri":"a\u0000b"}"#;
        let m = parse_document("https://i.example", body.as_bytes()).unwrap();
        assert_eq!(m.jwks_uri(), None);
    }

    #[test]
    fn only_one_trailing_slash_of_the_issuer_is_forgiven() {
        assert_eq!(
            locate("https://i.example/good///").unwrap().0,
            "https://i.example/good//"
        );
        let body = r#"{"issuer":"https://i.example/good","token_endpoint":"https://i.example/t"}"#;
        assert!(parse_document("https://i.example/good//", body.as_bytes()).is_err());
    }

    #[test]
    fn checks_issuer_and_token_endpoint() {
        let doc = |iss: &str, te: &str| {
            format!(r#"{{"issuer":"{iss}","token_endpoint":"{te}","jwks_uri":5}}"#)
        };
        let i = "https://idp.example/r";
        let m = parse_document(
            i,
            doc("https://idp.example/r/", "https://idp.example/t").as_bytes(),
        )
        .unwrap();
        assert_eq!(m.token_endpoint(), "https://idp.example/t");
        assert_eq!(m.jwks_uri(), None);
        for (iss, te) in [
            ("https://idp.example/other", "https://idp.example/t"),
            ("https://idp.example/r", "http://idp.example/t"),
            ("https://idp.example/r", "http://127.0.0.1/t"),
            ("https://idp.example/r", "not a url"),
        ] {
            let e = parse_document(i, doc(iss, te).as_bytes()).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Discovery, "{iss} {te}");
        }
    }
}
