//! `application/x-www-form-urlencoded`, both ways (WHATWG URL standard,
//! section 5), as RFC 6749 uses it for request bodies and Basic credentials.

/// Appends `s` form-encoded to `out`: space becomes `+`, and every byte but
/// ASCII alphanumerics and `*-._` becomes `%XX`.
///
/// Room for the whole encoding is made before the first byte is written: a
/// buffer that grew midway would be copied and freed with part of `s` in it,
/// and `s` is often the client secret, whose buffers are zeroed only when
/// their owner drops them.
pub(crate) fn encode_into(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let encoded_len: usize = s
        .bytes()
        .map(|b| if is_unreserved(b) { 1 } else { 3 })
        .sum();
    out.reserve(encoded_len);
    for &b in s.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => {
                out.push('%');
                out.push(HEX[(b >> 4) as usize] as char);
                out.push(HEX[(b & 15) as usize] as char);
            }
        }
    }
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'*' | b'-' | b'.' | b'_' | b' ')
}

pub(crate) fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    encode_into(&mut out, s);
    out
}

/// Builds a form body from name/value pairs.
pub(crate) fn encode_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = String::new();
    for (name, value) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        encode_into(&mut out, name);
        out.push('=');
        encode_into(&mut out, value);
    }
    out
}

/// Decodes one form-encoded component. Bytes that decode to invalid UTF-8
/// give `None`; a malformed `%` escape is kept literally, as browsers do.
pub(crate) fn decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len()
                && hex(bytes[i + 1]).is_some()
                && hex(bytes[i + 2]).is_some() =>
            {
                out.push(hex(bytes[i + 1]).unwrap() << 4 | hex(bytes[i + 2]).unwrap());
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Splits a form body into decoded pairs; `None` when any part is not UTF-8.
pub(crate) fn decode_pairs(body: &str) -> Option<Vec<(String, String)>> {
    body.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            Some((decode(name)?, decode(value)?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_as_rfc6749_appendix_b_requires() {
        assert_eq!(encode("svc client"), "svc+client");
        assert_eq!(encode("p+ss:w/rd="), "p%2Bss%3Aw%2Frd%3D");
        assert_eq!(encode(" %&+£€"), "+%25%26%2B%C2%A3%E2%82%AC");
    }

    #[test]
    fn decode_inverts_encode() {
        for s in ["svc client", "p+ss:w/rd=", "ünï cødé %41", ""] {
            assert_eq!(decode(&encode(s)).as_deref(), Some(s));
        }
    }

    #[test]
    fn decode_keeps_malformed_escapes_and_rejects_bad_utf8() {
        assert_eq!(decode("100%").as_deref(), Some("100%"));
        assert_eq!(decode("%zz%4").as_deref(), Some("%zz%4"));
        assert_eq!(decode("%FF"), None);
    }

    #[test]
    fn pairs_round_trip() {
        let body = encode_pairs([
            ("grant_type", "client_credentials"),
            ("scope", "read:a write:b"),
        ]);
        assert_eq!(
            body,
            "grant_type=client_credentials&scope=read%3Aa+write%3Ab"
        );
        let back = decode_pairs(&body).unwrap();
        assert_eq!(back[1], ("scope".to_string(), "read:a write:b".to_string()));
    }
}
