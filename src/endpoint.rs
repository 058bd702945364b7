//! Checks on the URLs the library is given or discovers.

use crate::error::Error;
use std::net::IpAddr;
use ureq::http::Uri;

/// A URL the library may send a request to: `https://`, or `http://` to a
/// loopback host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Endpoint {
    url: String,
    loopback: bool,
}

impl Endpoint {
    /// Checks `url`; `what` names it in the error ("token endpoint", …).
    pub(crate) fn parse(url: &str, what: &str) -> Result<Self, Error> {
        let bad = |why: &str| Error::invalid_argument(format!("{what} {}: {why}", quote(url)));

        if url.trim() != url || url.is_empty() {
            return Err(bad("not an absolute http(s) URL"));
        }
        let uri: Uri = url.parse().map_err(|_| bad("not a valid URL"))?;
        let scheme = uri
            .scheme_str()
            .ok_or_else(|| bad("not an absolute http(s) URL"))?;
        let authority = uri.authority().ok_or_else(|| bad("has no host"))?;
        if authority.as_str().contains('@') {
            return Err(bad("credentials in the URL are not accepted"));
        }
        let host = authority.host();
        if host.is_empty() {
            return Err(bad("has no host"));
        }
        if url.contains('#') {
            return Err(bad("a fragment is not allowed"));
        }
        let loopback = is_loopback(host);
        match scheme.to_ascii_lowercase().as_str() {
            "https" => {}
            "http" if loopback => {}
            "http" => return Err(bad("plaintext http is allowed only to loopback hosts")),
            _ => return Err(bad("the scheme must be https (or http to a loopback host)")),
        }
        Ok(Endpoint {
            url: url.to_string(),
            loopback,
        })
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.url
    }

    pub(crate) fn is_loopback(&self) -> bool {
        self.loopback
    }
}

/// True for `localhost`, 127.0.0.0/8 and ::1. Decided from the text alone:
/// resolving a name to find out would already be a request.
pub(crate) fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.eq_ignore_ascii_case("localhost") || host.to_ascii_lowercase().ends_with(".localhost") {
        return true;
    }
    match host.parse::<IpAddr>() {
        Ok(IpAddr::V4(a)) => a.is_loopback(),
        Ok(IpAddr::V6(a)) => {
            a.is_loopback() || a.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        Err(_) => false,
    }
}

/// A URL for a message, bounded in length and with any query removed:
/// queries are where secrets end up when someone misuses an API.
pub(crate) fn quote(url: &str) -> String {
    let base = url.split(['?', '#']).next().unwrap_or("");
    let suffix = if url.len() > base.len() { "?…" } else { "" };
    // User-info (`user:password@`) is a credential too: only its place is
    // shown.
    let (scheme, rest) = base.split_once("://").unwrap_or(("", base));
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let base = match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://[…]@{}", &rest[at + 1..]),
        None => base.to_owned(),
    };
    let shown: String = base.chars().take(200).collect();
    format!("\"{shown}{suffix}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_anywhere_http_only_to_loopback() {
        assert!(Endpoint::parse("https://idp.example/token", "t").is_ok());
        assert!(Endpoint::parse("http://127.0.0.1:8080/token", "t")
            .unwrap()
            .is_loopback());
        assert!(Endpoint::parse("http://127.2.3.4/token", "t").is_ok());
        assert!(Endpoint::parse("http://localhost/token", "t").is_ok());
        assert!(Endpoint::parse("http://[::1]:9/token", "t").is_ok());
        for bad in [
            "http://idp.example/token",
            "http://10.0.0.1/token",
            "http://127.0.0.1.example/token",
            "ftp://127.0.0.1/x",
            "/token",
            "",
            " https://idp.example/token",
            "https://user:pw@idp.example/token",
            "https://idp.example/token#frag",
        ] {
            assert!(Endpoint::parse(bad, "t").is_err(), "{bad}");
        }
    }

    #[test]
    fn quote_hides_user_info() {
        assert_eq!(
            quote("https://client:Sup3rS3cret@127.0.0.1:8443/token"),
            "\"https://[…]@127.0.0.1:8443/token\""
        );
        assert_eq!(quote("https://a/b@c"), "\"https://a/b@c\"");
    }

    #[test]
    fn quote_drops_queries() {
        assert_eq!(quote("https://a/b?secret=1"), "\"https://a/b?…\"");
    }
}
