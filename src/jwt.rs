//! Reading a lifetime out of a JWT access token.
//!
//! Only for a token response without `expires_in`: the claims are read, not
//! verified, because the client merely needs to know when to ask again; the
//! resource server is the one that must trust the token.

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;

const URL_SAFE_ANY_PADDING: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Largest JWT payload worth decoding; anything bigger is not a lifetime
/// hint worth the memory.
const MAX_PAYLOAD: usize = 64 * 1024;

/// `exp - iat` in seconds, when `token` is a JWT whose payload carries both
/// as numbers.
pub(crate) fn lifetime_seconds(token: &str) -> Option<f64> {
    let mut parts = token.split('.');
    let (_header, payload, _sig) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || payload.len() > MAX_PAYLOAD {
        return None;
    }
    let json = URL_SAFE_ANY_PADDING.decode(payload).ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&json).ok()?;
    let number = |name: &str| match claims.get(name)? {
        serde_json::Value::Number(n) => crate::response::number_f64(n),
        _ => None,
    };
    let (exp, iat) = (number("exp")?, number("iat")?);
    let lifetime = exp - iat;
    lifetime.is_finite().then_some(lifetime)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    fn jwt(claims: &str) -> String {
        format!("eyJhbGciOiJub25lIn0.{}.sig", URL_SAFE_NO_PAD.encode(claims))
    }

    #[test]
    fn reads_exp_minus_iat() {
        assert_eq!(
            lifetime_seconds(&jwt(r#"{"iat":1000,"exp":1900}"#)),
            Some(900.0)
        );
    }

    #[test]
    fn needs_both_claims_and_three_parts() {
        assert_eq!(lifetime_seconds(&jwt(r#"{"exp":1900}"#)), None);
        assert_eq!(lifetime_seconds("opaque-token"), None);
        assert_eq!(lifetime_seconds("a.b.c.d"), None);
        assert_eq!(lifetime_seconds("a.!!!.c"), None);
    }
}
