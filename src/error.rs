//! The one error type of the crate.
//!
//! Every message is built by this crate from values it controls; nothing a
//! caller passed as a secret, and no part of an access token, is ever put in
//! one. Server-supplied text is reduced to a short preview first (see
//! [`preview`]).

use std::fmt;
use std::time::Duration;

/// What kind of failure an [`Error`] is. The C API maps these one to one onto
/// `AuthStatus`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// A NULL, non-UTF-8 or malformed argument, or plaintext http to a
    /// non-loopback host.
    InvalidArgument,
    /// DNS, connect, TLS, timeout, reset, body cut short.
    Transport,
    /// A non-success HTTP status without an OAuth error body.
    Http,
    /// An RFC 6749 section 5.2 error response.
    OAuth,
    /// An unparsable body, no `access_token`, a body over the size limit.
    InvalidResponse,
    /// An unusable discovery document.
    Discovery,
    /// A bug inside the library.
    Internal,
}

/// A failure, with enough detail to act on and never a secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    oauth_error: Option<String>,
    oauth_error_description: Option<String>,
    http_status: Option<u16>,
    retry_after: Option<Duration>,
    /// A transport failure that another attempt may cure.
    pub(crate) retryable: bool,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: one_line(message.into()),
            oauth_error: None,
            oauth_error_description: None,
            http_status: None,
            retry_after: None,
            retryable: false,
        }
    }

    pub(crate) fn invalid_argument(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidArgument, message)
    }

    pub(crate) fn transport(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Transport, message)
    }

    pub(crate) fn invalid_response(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidResponse, message)
    }

    pub(crate) fn discovery(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Discovery, message)
    }

    pub(crate) fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, message)
    }

    pub(crate) fn oauth(code: String, description: Option<String>, http_status: u16) -> Self {
        let message = oauth_message(&code, description.as_deref());
        Error {
            oauth_error: Some(code),
            oauth_error_description: description,
            ..Self::new(ErrorKind::OAuth, message).with_http_status(http_status)
        }
    }

    pub(crate) fn with_http_status(mut self, status: u16) -> Self {
        self.http_status = Some(status);
        self
    }

    pub(crate) fn with_retry_after(mut self, wait: Duration) -> Self {
        self.retry_after = Some(wait);
        self
    }

    /// Replaces each of `secrets` wherever it occurs in the message, the
    /// OAuth error code and its description: those carry server text, and a
    /// server may echo what the client sent it.
    pub(crate) fn redact(mut self, secrets: &[&str]) -> Self {
        for secret in secrets.iter().filter(|s| !s.is_empty()) {
            let texts = [
                Some(&mut self.message),
                self.oauth_error.as_mut(),
                self.oauth_error_description.as_mut(),
            ];
            for text in texts.into_iter().flatten() {
                if text.contains(secret) {
                    *text = text.replace(secret, "[redacted]");
                }
            }
        }
        // The message shows only the start of long server text: rebuilt
        // from the redacted fields, so that a secret cut in two by that
        // bound cannot survive in it.
        if let (ErrorKind::OAuth, Some(code)) = (self.kind, &self.oauth_error) {
            self.message = one_line(oauth_message(code, self.oauth_error_description.as_deref()));
        }
        self
    }

    /// The kind of failure.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// One line for a person, free of secrets.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The RFC 6749 `error` code, for [`ErrorKind::OAuth`].
    pub fn oauth_error(&self) -> Option<&str> {
        self.oauth_error.as_deref()
    }

    /// The server's `error_description`, when it sent one.
    pub fn oauth_error_description(&self) -> Option<&str> {
        self.oauth_error_description.as_deref()
    }

    /// The HTTP status of the response, when one was read.
    pub fn http_status(&self) -> Option<u16> {
        self.http_status
    }

    /// How long the server asked the client to wait, when it said so.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.kind)
            .field("message", &self.message)
            .field("oauth_error", &self.oauth_error)
            .field("http_status", &self.http_status)
            .finish_non_exhaustive()
    }
}

impl std::error::Error for Error {}

/// Messages are one line: a log line or a C caller's `fprintf` must never be
/// split or spoofed by a server that puts line breaks in its text.
fn one_line(s: String) -> String {
    if s.chars().any(char::is_control) {
        s.chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect()
    } else {
        s
    }
}

/// Longest server-supplied field (an OAuth error code or description) kept
/// in a message.
const FIELD_CHARS: usize = 200;

/// The message of an OAuth error. The fields keep the server's text whole;
/// the message, which ends up in log lines, shows a bounded part of it.
fn oauth_message(code: &str, description: Option<&str>) -> String {
    let mut message = format!("token endpoint returned OAuth error \"{}\"", bounded(code));
    if let Some(d) = description {
        message.push_str(": ");
        message.push_str(&bounded(d));
    }
    message
}

fn bounded(text: &str) -> String {
    let mut shown: String = text.chars().take(FIELD_CHARS).collect();
    if text.chars().nth(FIELD_CHARS).is_some() {
        shown.push('…');
    }
    shown
}

/// Longest preview of a server's body kept in a message.
const PREVIEW_CHARS: usize = 80;

/// Runs of token-alphabet characters this long are masked in previews.
/// Access tokens, JWTs and client secrets are long runs of exactly these
/// characters; ordinary HTML and error text almost never are.
const TOKEN_RUN: usize = 20;

/// A short, secret-free preview of a server's body, for error messages.
///
/// The body may echo what was sent or carry a token under an unexpected
/// name, so every long run that could be a credential is masked, whatever
/// the body is.
pub(crate) fn preview(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text: String = text.trim().chars().take(PREVIEW_CHARS * 4).collect();

    let mut out = String::new();
    let mut run = String::new();
    let flush = |out: &mut String, run: &mut String| {
        if run.chars().count() >= TOKEN_RUN {
            out.push_str("[…]");
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || "-._~+/=%".contains(c) {
            run.push(c);
        } else {
            flush(&mut out, &mut run);
            out.push(if c.is_control() { ' ' } else { c });
        }
    }
    flush(&mut out, &mut run);

    let mut shown: String = out.chars().take(PREVIEW_CHARS).collect();
    if out.chars().count() > PREVIEW_CHARS {
        shown.push('…');
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preview_masks_long_token_like_runs() {
        let p = preview(b"{\"accessToken\":\"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc\"}");
        assert!(!p.contains("eyJ"), "{p}");
        assert!(p.contains("accessToken"), "{p}");
    }

    #[test]
    fn preview_keeps_short_html_and_bounds_length() {
        assert_eq!(
            preview(b"<!DOCTYPE html><title>Blocked</title>"),
            "<!DOCTYPE html><title>Blocked</title>"
        );
        let long = "word ".repeat(100);
        assert!(preview(long.as_bytes()).chars().count() <= PREVIEW_CHARS + 1);
    }

    #[test]
    fn messages_are_one_line() {
        let e = Error::transport("a\nb\r\nc");
        assert_eq!(e.message(), "a b  c");
    }
}
