//! The token response reader: any status, content type and body.
//!
//! Input: a first line `STATUS CONTENT-TYPE`, then the body. Besides not
//! crashing, the reader must keep its promises: success only for 2xx, a
//! usable token, a clamped lifetime, one-line messages that never show the
//! access token the body carried.
#![no_main]

use auth::fuzzing::{form_decode_pairs, token_response, ErrorKind, MAX_LIFETIME_S};
use libfuzzer_sys::fuzz_target;

fn split(data: &[u8]) -> (u16, String, &[u8]) {
    let Some(nl) = data.iter().position(|&b| b == b'\n') else {
        return (200, String::new(), data);
    };
    let head = String::from_utf8_lossy(&data[..nl]);
    let (status, content_type) = head.split_once(' ').unwrap_or((&head, ""));
    let status = status.parse::<u16>().map_or(200, |s| s.clamp(100, 599));
    (status, content_type.to_owned(), &data[nl + 1..])
}

/// The access token a body carries, read the way a person would: the
/// `access_token` member of a JSON object, or the form field.
fn carried_token(body: &[u8]) -> Option<String> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    if let Ok(serde_json::Value::Object(map)) = serde_json::from_slice(body) {
        return map.get("access_token")?.as_str().map(str::to_owned);
    }
    let text = std::str::from_utf8(body).ok()?;
    form_decode_pairs(text)?
        .into_iter()
        .find(|(name, _)| name == "access_token")
        .map(|(_, value)| value)
}

fuzz_target!(|data: &[u8]| {
    let (status, content_type, body) = split(data);
    match token_response(status, &content_type, body) {
        Ok(grant) => {
            assert!((200..300).contains(&status), "success for HTTP {status}");
            assert!(!grant.access_token.is_empty());
            assert!(!grant.access_token.contains('\0'));
            assert!(grant.lifetime_s <= MAX_LIFETIME_S);
            assert!(grant.lifetime_s >= i64::MIN / 2);
        }
        Err(e) => {
            assert!(
                matches!(
                    e.kind(),
                    ErrorKind::OAuth | ErrorKind::Http | ErrorKind::InvalidResponse
                ),
                "{:?}",
                e.kind()
            );
            let shown = format!("{} {:?}", e.message(), e);
            assert!(!e.message().is_empty());
            assert!(!e.message().chars().any(char::is_control), "{shown}");
            // Messages end up in log lines: whatever the server sends, they
            // stay short.
            assert!(e.message().chars().count() <= 1000, "{shown}");
            // The content type and an OAuth error's code and description
            // are the server's own words, shown by design: they are cut out
            // before looking for the token, so that neither a token the
            // server also wrote there nor one that merely borders on them
            // counts.
            let named_type: String = content_type
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .chars()
                .take(60)
                .filter(|c| !c.is_control())
                .collect();
            // Debug shows the message and the OAuth fields escaped: those are
            // checked in their plain form, and the rest of Debug on its own.
            let mut debug = format!("{e:?}").replace(&format!("{:?}", e.message()), "\u{0}");
            for field in [e.oauth_error(), e.oauth_error_description()]
                .into_iter()
                .flatten()
            {
                debug = debug.replace(&format!("{field:?}"), "\u{0}");
            }
            let mut rest = e.message().to_owned();
            let own_words = [
                Some(named_type.as_str()),
                e.oauth_error(),
                e.oauth_error_description(),
            ];
            for words in own_words.into_iter().flatten().filter(|w| !w.is_empty()) {
                let words: String = words
                    .chars()
                    .map(|c| if c.is_control() { ' ' } else { c })
                    .collect();
                // Messages keep the first 200 characters of long fields.
                let start: String = words.chars().take(200).collect();
                rest = rest
                    .replace(&words, "\u{0}")
                    .replace(words.trim(), "\u{0}")
                    .replace(&start, "\u{0}");
            }
            if let Some(token) = carried_token(body).filter(|t| t.len() >= 8) {
                assert!(!rest.contains(&token), "access token in: {shown}");
                assert!(!debug.contains(&token), "access token in: {shown}");
            }
        }
    }
});
