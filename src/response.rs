//! Reading what a token endpoint answers, as real providers send it.
//!
//! RFC 6749 section 5 says JSON with a numeric `expires_in`; providers in the
//! field also send numeric strings, floats, form-encoded bodies, `error`
//! bodies with status 200, and JSON labelled `text/plain`. Each is read here
//! by what the body is, not by what its headers claim.

use crate::error::{preview, Error};
use crate::{form, jwt};
use serde::Deserialize;
use serde_json::Value;
use std::time::Duration;

/// Lifetime assumed when the server gives none and the token is no JWT.
pub(crate) const DEFAULT_LIFETIME_S: i64 = 3600;

/// Largest lifetime believed: ten years. Larger values (and infinities) are
/// clamped to it, so no date arithmetic can overflow.
pub(crate) const MAX_LIFETIME_S: i64 = 10 * 365 * 24 * 3600;

/// A successful token response, before it is dated and cached.
#[derive(Debug)]
pub(crate) struct TokenGrant {
    pub(crate) access_token: crate::SecretString,
    pub(crate) token_type: String,
    pub(crate) scope: Option<String>,
    /// Seconds from the moment the request was sent; 0 or less means the
    /// token must not be reused.
    pub(crate) lifetime_s: i64,
}

/// The fields of RFC 6749 sections 5.1 and 5.2 that the library uses.
/// Duplicate fields are an error (serde rejects them for named fields): a
/// body with two `access_token`s has no single right reading.
#[derive(Deserialize)]
struct RawResponse {
    access_token: Option<Value>,
    token_type: Option<Value>,
    expires_in: Option<Value>,
    scope: Option<Value>,
    error: Option<Value>,
    error_description: Option<Value>,
}

/// Reads a token endpoint's answer: `status`, `content_type` (for messages
/// only) and the body as received.
pub(crate) fn parse_token_response(
    status: u16,
    content_type: &str,
    body: &[u8],
) -> Result<TokenGrant, Error> {
    let context = || format!("HTTP {status}, {}", content_type_name(content_type));
    let unreadable = |why: String| {
        Error::invalid_response(format!(
            "token endpoint answer is not a token response ({}): {why}: {}",
            context(),
            body_preview(body)
        ))
        .with_http_status(status)
    };

    let text = strip_bom(body);
    if first_byte(text) == Some(b'[') {
        // RFC 6749 section 5.1 asks for an object; serde would otherwise
        // fill the fields of `RawResponse` from an array by position.
        return Err(if is_success(status) {
            unreadable("a JSON array, not an object".into())
        } else {
            http_error(status, content_type, body)
        });
    }
    let raw = if looks_like_json(text) {
        match serde_json::from_slice::<RawResponse>(text) {
            Ok(raw) => Some(raw),
            Err(e) if e.is_data() && !is_success(status) => None,
            Err(e) => {
                // serde's message names the bad field but never quotes a value.
                return Err(if is_success(status) {
                    Error::invalid_response(format!(
                        "token endpoint answer is not valid JSON ({}): {}",
                        context(),
                        serde_message(&e)
                    ))
                    .with_http_status(status)
                } else {
                    http_error(status, content_type, body)
                });
            }
        }
    } else {
        match std::str::from_utf8(text).ok().and_then(form::decode_pairs) {
            Some(pairs) => from_form_pairs(pairs),
            None => None,
        }
    };

    let Some(mut raw) = raw else {
        return Err(if is_success(status) {
            unreadable("neither JSON nor form-encoded".into())
        } else {
            http_error(status, content_type, body)
        });
    };

    if let Some(code) = raw.error.as_ref().filter(|v| !v.is_null()) {
        let code = text_field(code).unwrap_or_else(|| "(not a string)".into());
        let description = raw.error_description.as_ref().and_then(text_field);
        return Err(Error::oauth(code, description, status));
    }

    if !is_success(status) {
        return Err(http_error(status, content_type, body));
    }

    // Moved, not copied, into the zeroing string at once, so that no other
    // copy of the token made here outlives this function unzeroed.
    // LIMITATION: copies that are not this crate's own are freed without
    // zeroing: the buffers ureq fills and outgrows while it reads the body
    // (the body it returns is zeroed, see `http::Answer`), and serde_json's
    // scratch space.
    let access_token = match raw.access_token.take() {
        Some(Value::String(s)) => crate::SecretString::new(s),
        Some(_) => return Err(unreadable("access_token is not a string".into())),
        None => return Err(unreadable("no access_token".into())),
    };
    if access_token.expose().is_empty() {
        return Err(unreadable("access_token is empty".into()));
    }
    if access_token.expose().contains('\0') {
        return Err(Error::invalid_response(format!(
            "token endpoint answer is not usable ({}): access_token contains a NUL byte",
            context()
        ))
        .with_http_status(status));
    }

    let token_type = match raw.token_type.as_ref() {
        None => "Bearer".to_string(),
        Some(v) => text_field(v).ok_or_else(|| unreadable("token_type is not a string".into()))?,
    };
    let scope = raw.scope.as_ref().and_then(text_field);
    // C would see these cut short at the NUL, silently: refused, as a NUL
    // in the access token is.
    for (name, text) in [("token_type", Some(&token_type)), ("scope", scope.as_ref())] {
        if text.is_some_and(|t| t.contains('\0')) {
            return Err(Error::invalid_response(format!(
                "token endpoint answer is not usable ({}): {name} contains a NUL byte",
                context()
            ))
            .with_http_status(status));
        }
    }

    let lifetime_s = match raw.expires_in.as_ref() {
        Some(v) => expires_in_seconds(v).ok_or_else(|| {
            Error::invalid_response(format!(
                "token endpoint answer has an unusable expires_in ({}): expected a number of seconds",
                context()
            ))
            .with_http_status(status)
        })?,
        None => jwt::lifetime_seconds(access_token.expose())
            .map(clamp_lifetime)
            .unwrap_or(DEFAULT_LIFETIME_S),
    };

    Ok(TokenGrant {
        access_token,
        token_type,
        scope,
        lifetime_s,
    })
}

fn is_success(status: u16) -> bool {
    (200..300).contains(&status)
}

fn http_error(status: u16, content_type: &str, body: &[u8]) -> Error {
    Error::new(
        crate::ErrorKind::Http,
        format!(
            "token endpoint answered HTTP {status} ({}): {}",
            content_type_name(content_type),
            body_preview(body)
        ),
    )
    .with_http_status(status)
}

/// Fields whose values are credentials wherever they turn up in a body.
const SECRET_FIELDS: &[&str] = &["access_token", "refresh_token", "id_token", "client_secret"];

/// A preview of `body` for a message, unless the body holds a credential
/// field: a token sent with an odd status, or beside a malformed field, is
/// still live, and the preview's masking only catches tokens written in the
/// usual base64url alphabet. Field names are looked for both as written and
/// as decoded, since JSON and form escapes can spell them differently.
fn body_preview(body: &[u8]) -> String {
    if holds_secret_field(body) {
        "(body not shown: it holds a credential field)".into()
    } else if looks_like_json(strip_bom(body)) {
        // A JSON body that is no usable token response may still carry a
        // token under no name at all (an array, say): JSON is never shown.
        "(JSON body not shown)".into()
    } else {
        preview(body)
    }
}

fn holds_secret_field(body: &[u8]) -> bool {
    let literal = SECRET_FIELDS
        .iter()
        .any(|f| body.windows(f.len()).any(|w| w == f.as_bytes()));
    if literal {
        return true;
    }
    let text = strip_bom(body);
    if let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(text) {
        return SECRET_FIELDS.iter().any(|f| map.contains_key(*f));
    }
    std::str::from_utf8(text)
        .ok()
        .and_then(form::decode_pairs)
        .is_some_and(|pairs| {
            pairs
                .iter()
                .any(|(name, _)| SECRET_FIELDS.contains(&name.as_str()))
        })
}

fn content_type_name(content_type: &str) -> String {
    let media = content_type.split(';').next().unwrap_or("").trim();
    if media.is_empty() {
        "no content type".into()
    } else {
        media.chars().take(60).filter(|c| !c.is_control()).collect()
    }
}

fn strip_bom(body: &[u8]) -> &[u8] {
    body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body)
}

fn first_byte(body: &[u8]) -> Option<u8> {
    body.iter().copied().find(|b| !b.is_ascii_whitespace())
}

fn looks_like_json(body: &[u8]) -> bool {
    matches!(first_byte(body), Some(b'{' | b'['))
}

/// serde_json's message, bounded. It names fields and positions, and for a
/// value of the wrong type quotes that value: the bound is counted in
/// characters, since a byte count could cut one in half.
pub(crate) fn serde_message(e: &serde_json::Error) -> String {
    e.to_string().chars().take(160).collect()
}

fn from_form_pairs(pairs: Vec<(String, String)>) -> Option<RawResponse> {
    let mut raw = RawResponse {
        access_token: None,
        token_type: None,
        expires_in: None,
        scope: None,
        error: None,
        error_description: None,
    };
    let mut any = false;
    for (name, value) in pairs {
        let slot = match name.as_str() {
            "access_token" => &mut raw.access_token,
            "token_type" => &mut raw.token_type,
            "expires_in" => &mut raw.expires_in,
            "scope" => &mut raw.scope,
            "error" => &mut raw.error,
            "error_description" => &mut raw.error_description,
            _ => continue,
        };
        if slot.is_some() {
            return None;
        }
        *slot = Some(Value::String(value));
        any = true;
    }
    any.then_some(raw)
}

fn text_field(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        _ => None,
    }
}

/// `expires_in` as an integer, a float or a numeric string, clamped.
fn expires_in_seconds(v: &Value) -> Option<i64> {
    let seconds = match v {
        Value::Number(n) => number_f64(n)?,
        Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    if seconds.is_nan() {
        return None;
    }
    Some(clamp_lifetime(seconds))
}

/// A JSON number as f64, out-of-range magnitudes becoming infinities (to
/// be clamped) rather than failures.
pub(crate) fn number_f64(n: &serde_json::Number) -> Option<f64> {
    n.as_f64().or_else(|| n.as_str().parse::<f64>().ok())
}

pub(crate) fn clamp_lifetime(seconds: f64) -> i64 {
    // `as` saturates for floats; the clamp keeps date arithmetic in range
    // both ways: a hugely negative lifetime is as single-use as -1.
    (seconds.floor() as i64).clamp(-MAX_LIFETIME_S, MAX_LIFETIME_S)
}

/// Reads `Retry-After` (RFC 9110 section 10.2.3): delay-seconds, or an
/// HTTP-date relative to `now`. A date in the past means no wait.
pub(crate) fn parse_retry_after(
    value: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs.min(MAX_LIFETIME_S as u64)));
    }
    let date = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = date.with_timezone(&chrono::Utc) - now;
    Some(
        wait.to_std()
            .unwrap_or(Duration::ZERO)
            .min(Duration::from_secs(MAX_LIFETIME_S as u64)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn ok(body: &str) -> TokenGrant {
        parse_token_response(200, "application/json", body.as_bytes()).unwrap()
    }

    #[test]
    fn expires_in_shapes() {
        assert_eq!(
            ok(r#"{"access_token":"a","expires_in":3600}"#).lifetime_s,
            3600
        );
        assert_eq!(
            ok(r#"{"access_token":"a","expires_in":"3600"}"#).lifetime_s,
            3600
        );
        assert_eq!(
            ok(r#"{"access_token":"a","expires_in":59.9}"#).lifetime_s,
            59
        );
        assert_eq!(
            ok(r#"{"access_token":"a","expires_in":1e300}"#).lifetime_s,
            MAX_LIFETIME_S
        );
        assert_eq!(ok(r#"{"access_token":"a","expires_in":-5}"#).lifetime_s, -5);
        let e = parse_token_response(200, "", br#"{"access_token":"a","expires_in":"soon"}"#)
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidResponse);
        assert!(e.message().contains("expires_in"), "{}", e.message());
    }

    #[test]
    fn lifetimes_are_clamped_both_ways() {
        assert_eq!(clamp_lifetime(-1e20), -MAX_LIFETIME_S);
        assert_eq!(clamp_lifetime(f64::NEG_INFINITY), -MAX_LIFETIME_S);
        assert_eq!(clamp_lifetime(1e20), MAX_LIFETIME_S);
        let lifetime = |body: &str| ok(body).lifetime_s;
        assert_eq!(
            lifetime(r#"{"access_token":"a","expires_in":1e309}"#),
            MAX_LIFETIME_S
        );
        assert_eq!(
            lifetime(r#"{"access_token":"a","expires_in":-1e309}"#),
            -MAX_LIFETIME_S
        );
    }

    #[test]
    fn a_nul_in_token_type_or_scope_is_refused() {
        for body in [
            r#"{"access_token":"a","token_type":"Bearer\u0000 MAC"}"#,
            r#"{"access_token":"a","scope":"read\u0000 admin"}"#,
        ] {
            let e = parse_token_response(200, "application/json", body.as_bytes()).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidResponse, "{body}");
            assert!(e.message().contains("NUL"), "{}", e.message());
        }
    }

    #[test]
    fn token_type_defaults_to_bearer() {
        assert_eq!(ok(r#"{"access_token":"a"}"#).token_type, "Bearer");
        assert_eq!(
            ok(r#"{"access_token":"a","token_type":"bearer"}"#).token_type,
            "bearer"
        );
    }

    #[test]
    fn error_body_wins_whatever_the_status() {
        let e = parse_token_response(200, "application/json", br#"{"error":"invalid_client"}"#)
            .unwrap_err();
        assert_eq!(
            (e.kind(), e.oauth_error()),
            (ErrorKind::OAuth, Some("invalid_client"))
        );
        let e = parse_token_response(
            400,
            "text/plain; charset=utf-8",
            br#"{"error":"invalid_request"}"#,
        )
        .unwrap_err();
        assert_eq!(e.oauth_error(), Some("invalid_request"));
        assert_eq!(e.http_status(), Some(400));
    }

    #[test]
    fn form_encoded_and_bom() {
        let g = parse_token_response(
            200,
            "application/x-www-form-urlencoded",
            b"access_token=at1&token_type=bearer&expires_in=3600",
        )
        .unwrap();
        assert_eq!((g.access_token.expose(), g.lifetime_s), ("at1", 3600));
        let g = parse_token_response(
            200,
            "application/json",
            b"\xEF\xBB\xBF{\"access_token\":\"b\"}",
        )
        .unwrap();
        assert_eq!(g.access_token.expose(), "b");
    }

    #[test]
    fn html_is_not_a_token() {
        let e = parse_token_response(
            200,
            "application/json",
            b"<!DOCTYPE html><title>Blocked</title>",
        )
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidResponse);
        assert!(e.message().contains("Blocked"), "{}", e.message());
        let e = parse_token_response(502, "text/html", b"<h1>Bad gateway</h1>").unwrap_err();
        assert_eq!((e.kind(), e.http_status()), (ErrorKind::Http, Some(502)));
        assert!(e.message().contains("text/html"), "{}", e.message());
    }

    #[test]
    fn duplicates_nul_and_nesting_are_rejected() {
        for body in [
            r#"{"access_token":"a","access_token":"b"}"#.to_string(),
            r#"{"access_token":"a\u0000b"}"#.to_string(),
            format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
        ] {
            let e = parse_token_response(200, "application/json", body.as_bytes()).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidResponse, "{}", e.message());
        }
    }

    #[test]
    fn a_credential_in_an_unusable_body_is_never_shown() {
        // Found by fuzz/token_response: the preview masks only long runs of
        // the base64url alphabet, and "k@y" breaks the run.
        for (status, body) in [
            (
                502,
                &b"access_token=secret@part@one&token_type=bearer&expire"[..],
            ),
            (400, br#"{"acc\u0065ss_token":"secret@part@one"}"#),
            (200, br#"{"access_token":"secret@part@one","token_type":5}"#),
            (200, br#"<p>refresh_token: secret@part@one</p>"#),
        ] {
            let e = parse_token_response(status, "text/plain", body).unwrap_err();
            assert!(!format!("{e:?}").contains("secret@part"), "{e:?}");
            assert!(e.message().contains("body not shown"), "{}", e.message());
        }
    }

    #[test]
    fn retry_after_forms() {
        let now = chrono::DateTime::from_timestamp(1_445_412_480, 0).unwrap();
        assert_eq!(parse_retry_after("60", now), Some(Duration::from_secs(60)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }
}
