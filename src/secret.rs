//! Text that must never be shown and must not outlive its owner in memory.

use std::fmt;
use zeroize::Zeroize;

/// A string that is zeroed when dropped and never printed.
///
/// Holds client secrets and access tokens. `Debug` and `Display` print a
/// fixed placeholder, so a secret cannot reach a log by way of formatting.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct SecretString(String);

impl SecretString {
    /// Takes ownership of `value`; its buffer is zeroed when this is dropped.
    pub fn new(value: String) -> Self {
        SecretString(value)
    }

    /// The secret itself. Callers must not format it into any message.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<&str> for SecretString {
    fn from(value: &str) -> Self {
        SecretString(value.to_owned())
    }
}

impl Drop for SecretString {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting_never_shows_the_value() {
        let s = SecretString::from("canary-secret");
        assert_eq!(format!("{s:?} {s}"), "[redacted] [redacted]");
        assert_eq!(s.expose(), "canary-secret");
    }
}
