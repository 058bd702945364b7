//! The client credentials grant (RFC 6749 section 4.4), cached.

use crate::cache::{FetchContext, Fetched, TokenCache};
use crate::clock::Clock;
use crate::endpoint::{quote, Endpoint};
use crate::error::{Error, ErrorKind};
use crate::http::{is_retryable, Transport, Trust};
use crate::log::{log_at, LogLevel};
use crate::response::{parse_retry_after, parse_token_response};
use crate::secret::SecretString;
use crate::snapshot::View;
use crate::{discovery, form};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::{DateTime, Utc};
use std::fmt;
use std::path::PathBuf;
// The cache hands out its own `Arc` (loom's under `--cfg loom`).
use crate::sync::Arc;
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

/// Default total time one `get_token` call may take, retries included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Default refresh margin: a token is renewed once it expires within this.
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(300);

/// Attempts per fetch: the first and at most two retries.
const MAX_ATTEMPTS: u32 = 3;

/// How the client authenticates to the token endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientAuthMethod {
    /// HTTP Basic with id and secret each form-encoded first (RFC 6749
    /// section 2.3.1). The default.
    ClientSecretBasic,
    /// `client_id` and `client_secret` as form fields in the body.
    ClientSecretPost,
    /// HTTP Basic without the form-encoding, for servers that never decode.
    ClientSecretBasicRaw,
}

/// Everything about a credentials handle beyond id, secret and endpoint.
#[derive(Clone, Debug)]
pub struct ClientOptions {
    scope: Option<String>,
    audience: Option<String>,
    parameters: Vec<(String, String)>,
    auth_method: Option<ClientAuthMethod>,
    timeout: Duration,
    refresh_margin: Duration,
    trust: Trust,
    clock: Clock,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            scope: None,
            audience: None,
            parameters: Vec::new(),
            auth_method: None,
            timeout: DEFAULT_TIMEOUT,
            refresh_margin: DEFAULT_REFRESH_MARGIN,
            trust: Trust::System,
            clock: Clock::System,
        }
    }
}

/// Form fields the library itself sets; an extra parameter may not replace
/// one, or a request could carry two different grant types or secrets.
const RESERVED_PARAMETERS: &[&str] = &[
    "grant_type",
    "client_id",
    "client_secret",
    "scope",
    "audience",
    "client_assertion",
    "client_assertion_type",
    "refresh_token",
];

impl ClientOptions {
    /// Options with every default: no scope, Basic authentication (or the
    /// provider's choice with discovery), 30 s timeout, 300 s margin, the
    /// system's trust store.
    pub fn new() -> Self {
        Self::default()
    }

    /// The space-delimited scopes to request (RFC 6749 section 3.3). An
    /// empty text means none; runs of spaces are folded into one.
    pub fn set_scope(&mut self, scope: &str) -> Result<&mut Self, Error> {
        let scopes: Vec<&str> = scope.split(' ').filter(|s| !s.is_empty()).collect();
        for s in &scopes {
            // scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
            if !s
                .bytes()
                .all(|b| b == 0x21 || (0x23..=0x5B).contains(&b) || (0x5D..=0x7E).contains(&b))
            {
                return Err(Error::invalid_argument(
                    "scope may hold only printable ASCII other than '\"' and '\\', separated by spaces",
                ));
            }
        }
        self.scope = (!scopes.is_empty()).then(|| scopes.join(" "));
        Ok(self)
    }

    /// The `audience` form field that several providers require; empty
    /// removes it.
    pub fn set_audience(&mut self, audience: &str) -> Result<&mut Self, Error> {
        self.audience = (!audience.is_empty()).then(|| audience.to_owned());
        Ok(self)
    }

    /// Adds a form field sent with every token request (for example
    /// `resource`, RFC 8707). The same name may be added more than once.
    pub fn add_parameter(&mut self, name: &str, value: &str) -> Result<&mut Self, Error> {
        if name.is_empty() {
            return Err(Error::invalid_argument("parameter name is empty"));
        }
        if RESERVED_PARAMETERS.contains(&name) {
            return Err(Error::invalid_argument(format!(
                "parameter \"{name}\" is set by the library itself"
            )));
        }
        self.parameters.push((name.to_owned(), value.to_owned()));
        Ok(self)
    }

    /// The client authentication method; without this, Basic, or with
    /// discovery the one the provider lists.
    pub fn set_auth_method(&mut self, method: ClientAuthMethod) -> &mut Self {
        self.auth_method = Some(method);
        self
    }

    /// Total time one `get_token` call may spend on the network, retries
    /// and waits included. Must be positive.
    pub fn set_timeout(&mut self, timeout: Duration) -> Result<&mut Self, Error> {
        if timeout.is_zero() {
            return Err(Error::invalid_argument("timeout must be positive"));
        }
        self.timeout = timeout;
        Ok(self)
    }

    /// A token is renewed once it expires within this margin.
    pub fn set_refresh_margin(&mut self, margin: Duration) -> &mut Self {
        self.refresh_margin = margin;
        self
    }

    /// Trusts the certificates in this PEM file instead of the system store.
    /// The file is read when a handle is made from these options.
    pub fn set_ca_file(&mut self, path: impl Into<PathBuf>) -> &mut Self {
        self.trust = Trust::CaFile(path.into());
        self
    }

    /// The clock the cache reads; tests use [`Clock::manual`].
    pub fn set_clock(&mut self, clock: Clock) -> &mut Self {
        self.clock = clock;
        self
    }

    pub(crate) fn timeout(&self) -> Duration {
        self.timeout
    }

    pub(crate) fn trust(&self) -> &Trust {
        &self.trust
    }
}

/// The data of a token: access token, expiry, type and granted scope.
pub struct TokenData {
    pub(crate) access_token: SecretString,
    pub(crate) expires_at: DateTime<Utc>,
    pub(crate) token_type: String,
    pub(crate) scope: Option<String>,
}

impl TokenData {
    /// The access token. Send it; never log it.
    pub fn access_token(&self) -> &str {
        self.access_token.expose()
    }

    /// When the token expires, reckoned from when the request was sent.
    pub fn expires_at(&self) -> DateTime<Utc> {
        self.expires_at
    }

    /// The token type as the server sent it (`"Bearer"` when it sent none).
    pub fn token_type(&self) -> &str {
        &self.token_type
    }

    /// The granted scope, when the server said.
    pub fn scope(&self) -> Option<&str> {
        self.scope.as_deref()
    }
}

/// The byte image of a token that the C API copies out on its cached path
/// (see `TokenCache::copy_fresh`): word 0 is `expires_at` (Unix seconds,
/// i64); word 1 holds the byte offsets of `token_type` (low 32 bits) and
/// `scope` (high 32 bits, [`TokenData::NO_SCOPE`] when there is none) from
/// the start of the strings; the strings start at word
/// [`TokenData::IMAGE_STRINGS_WORD`]: the access token, the token type and
/// the scope, each followed by a NUL.
impl TokenData {
    /// The word at which the strings of the image start.
    pub(crate) const IMAGE_STRINGS_WORD: usize = 2;

    /// The scope offset of an image whose token has no scope.
    pub(crate) const NO_SCOPE: u32 = u32::MAX;
}

pub(crate) fn token_image(t: &TokenData) -> Zeroizing<Vec<u8>> {
    let access_token = t.access_token().as_bytes();
    let token_type = t.token_type().as_bytes();
    let scope = t.scope().map(str::as_bytes);
    let strings = access_token.len() + 1 + token_type.len() + 1 + scope.map_or(0, |s| s.len() + 1);

    let mut image = Zeroizing::new(Vec::with_capacity(
        TokenData::IMAGE_STRINGS_WORD * 8 + strings,
    ));
    let type_at = access_token.len() + 1;
    let scope_at = scope.map_or(TokenData::NO_SCOPE, |_| {
        (type_at + token_type.len() + 1) as u32
    });
    image.extend_from_slice(&t.expires_at().timestamp().to_ne_bytes());
    image.extend_from_slice(&(u64::from(scope_at) << 32 | type_at as u64).to_ne_bytes());
    for s in [Some(access_token), Some(token_type), scope]
        .into_iter()
        .flatten()
    {
        image.extend_from_slice(s);
        image.push(0);
    }
    image
}

impl fmt::Debug for TokenData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenData")
            .field("access_token", &self.access_token)
            .field("expires_at", &self.expires_at)
            .field("token_type", &self.token_type)
            .field("scope", &self.scope)
            .finish()
    }
}

/// A token as `get_token` returns it: cheap to clone, and its access token
/// is zeroed when the last clone (and the cache) lets go of it.
#[derive(Clone, Debug)]
pub struct RefreshTokenResponse(Arc<crate::cache::Cached<TokenData>>);

impl std::ops::Deref for RefreshTokenResponse {
    type Target = TokenData;
    fn deref(&self) -> &TokenData {
        &self.0.value
    }
}

impl<T: fmt::Debug> fmt::Debug for crate::cache::Cached<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.value.fmt(f)
    }
}

/// OAuth 2.0 client credentials (RFC 6749 section 4.4): a client id and
/// secret for one token endpoint, and the cached token. `Send + Sync`:
/// share one per client among all threads.
pub struct OAuth2ClientCredentials {
    client_id: String,
    client_secret: SecretString,
    token_endpoint: Endpoint,
    method: ClientAuthMethod,
    options: ClientOptions,
    transport: Transport,
    cache: TokenCache<TokenData>,
}

impl fmt::Debug for OAuth2ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuth2ClientCredentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("token_endpoint", &self.token_endpoint.as_str())
            .field("method", &self.method)
            .finish_non_exhaustive()
    }
}

impl OAuth2ClientCredentials {
    /// Credentials for `token_endpoint` with default options.
    pub fn new(client_id: &str, client_secret: &str, token_endpoint: &str) -> Result<Self, Error> {
        Self::with_options(
            client_id,
            client_secret,
            token_endpoint,
            &ClientOptions::default(),
        )
    }

    /// Credentials for `token_endpoint` with `options` (copied; later changes
    /// to them do not affect this handle).
    pub fn with_options(
        client_id: &str,
        client_secret: &str,
        token_endpoint: &str,
        options: &ClientOptions,
    ) -> Result<Self, Error> {
        let method = options
            .auth_method
            .unwrap_or(ClientAuthMethod::ClientSecretBasic);
        Self::build(client_id, client_secret, token_endpoint, method, options)
    }

    /// Discovers `issuer_url` once and makes credentials for its token
    /// endpoint. Without an explicit method, the one the provider lists in
    /// `token_endpoint_auth_methods_supported` is used (Basic when it lists
    /// `client_secret_basic` or nothing, else post when it lists that).
    pub fn from_issuer(
        issuer_url: &str,
        client_id: &str,
        client_secret: &str,
        options: &ClientOptions,
    ) -> Result<Self, Error> {
        check_client(client_id, client_secret)?;
        let metadata = discovery::fetch_oidc_discovery_with_options(issuer_url, options)?;
        let method = options
            .auth_method
            .unwrap_or_else(|| metadata.preferred_auth_method());
        Self::build(
            client_id,
            client_secret,
            metadata.token_endpoint(),
            method,
            options,
        )
    }

    fn build(
        client_id: &str,
        client_secret: &str,
        token_endpoint: &str,
        method: ClientAuthMethod,
        options: &ClientOptions,
    ) -> Result<Self, Error> {
        check_client(client_id, client_secret)?;
        let token_endpoint = Endpoint::parse(token_endpoint, "token endpoint")?;
        let transport = Transport::new(&token_endpoint, &options.trust)?;
        Ok(OAuth2ClientCredentials {
            client_id: client_id.to_owned(),
            client_secret: SecretString::from(client_secret),
            token_endpoint,
            method,
            options: options.clone(),
            transport,
            cache: TokenCache::new(options.refresh_margin, options.clock.clone())
                .with_image(token_image),
        })
    }

    /// The token endpoint requests go to.
    pub fn token_endpoint(&self) -> &str {
        self.token_endpoint.as_str()
    }

    /// The authentication method in use.
    pub fn auth_method(&self) -> ClientAuthMethod {
        self.method
    }

    /// A valid token: the cached one while it does not expire within the
    /// refresh margin, else a new one, fetched once however many threads ask.
    /// `force_refresh` fetches a new token whatever the cache holds.
    pub fn get_token(&self, force_refresh: bool) -> Result<RefreshTokenResponse, Error> {
        if !force_refresh {
            if let Some(t) = self.cache.read_fresh_arc() {
                return Ok(RefreshTokenResponse(t));
            }
        }
        self.get_slow(force_refresh).map(RefreshTokenResponse)
    }

    /// Like [`get_token`](Self::get_token), but lends the token to `read`
    /// instead of handing out a reference: the cached path then touches no
    /// shared reference count, so threads do not contend.
    pub fn with_token<R>(
        &self,
        force_refresh: bool,
        read: impl FnOnce(&TokenData) -> R,
    ) -> Result<R, Error> {
        let mut read = Some(read);
        if !force_refresh {
            if let Some(r) = self.cache.read_fresh(|t| (read.take().unwrap())(t)) {
                log_at!(
                    LogLevel::Debug,
                    "token cache hit for {}",
                    quote(self.token_endpoint.as_str())
                );
                return Ok(r);
            }
        }
        let t = self.get_slow(force_refresh)?;
        Ok((read.take().unwrap())(&t.value))
    }

    /// Copies the fresh cached token out through `copy` without a lock, as
    /// the image described at [`TokenData::IMAGE_STRINGS_WORD`]; `None` (after handing
    /// the copy to `discard`) when there is none or a refresh replaced it
    /// meanwhile, and the caller should use [`with_token`](Self::with_token).
    #[inline]
    pub(crate) fn copy_cached<R>(
        &self,
        copy: impl FnOnce(&View<'_>) -> R,
        discard: impl FnOnce(R),
    ) -> Option<R> {
        let copied = self.cache.copy_fresh(copy, discard)?;
        log_at!(
            LogLevel::Debug,
            "token cache hit for {}",
            quote(self.token_endpoint.as_str())
        );
        Some(copied)
    }

    fn get_slow(&self, force: bool) -> Result<Arc<crate::cache::Cached<TokenData>>, Error> {
        self.cache.get(force, |ctx| self.fetch(ctx))
    }

    /// One token request, with the retries the transport rules allow.
    fn fetch(&self, ctx: FetchContext) -> Result<Fetched<TokenData>, Error> {
        let clock = self.cache.clock();
        let deadline = Instant::now() + self.options.timeout;
        let sent_at = clock.wall();
        let url = self.token_endpoint.as_str();
        let (authorization, body) = self.request_parts();
        let retries = !ctx.has_fallback;

        let mut attempt = 1;
        loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                return Err(Error::transport(format!(
                    "no token from {} within {} ms",
                    quote(url),
                    self.options.timeout.as_millis()
                )));
            }
            log_at!(
                LogLevel::Info,
                "token request to {} (attempt {attempt})",
                quote(url)
            );

            let wait = match self.transport.post_form(
                url,
                authorization.as_deref().map(|s| s.as_str()),
                body.as_bytes(),
                remaining,
            ) {
                Ok(answer) => {
                    let retry_after = answer
                        .retry_after
                        .as_deref()
                        .filter(|_| matches!(answer.status, 429 | 503))
                        .and_then(|v| parse_retry_after(v, clock.wall()));
                    if let Some(wait) = retry_after {
                        let remaining = deadline.saturating_duration_since(Instant::now());
                        if answer.status == 429
                            || !retries
                            || attempt == MAX_ATTEMPTS
                            || wait > remaining
                        {
                            return Err(asked_to_wait(answer.status, wait, self.options.timeout));
                        }
                        log_at!(
                            LogLevel::Info,
                            "token endpoint answered {} with Retry-After {} s; waiting",
                            answer.status,
                            wait.as_secs()
                        );
                        wait
                    } else if matches!(answer.status, 500 | 502 | 503 | 504)
                        && retries
                        && attempt < MAX_ATTEMPTS
                    {
                        let wait = backoff(attempt);
                        log_at!(
                            LogLevel::Info,
                            "token endpoint answered HTTP {}; retrying in {} ms",
                            answer.status,
                            wait.as_millis()
                        );
                        wait
                    } else if (300..400).contains(&answer.status) {
                        let shown = self.redacted(answer);
                        let e = redirect_error(shown.status, shown.location.as_deref());
                        return Err(self.redact(e));
                    } else {
                        let grant =
                            parse_token_response(answer.status, &answer.content_type, &answer.body)
                                .map_err(|e| self.error_without_secrets(e, answer));
                        return match grant {
                            Ok(g) => {
                                let expires_at = sent_at + chrono::Duration::seconds(g.lifetime_s);
                                log_at!(
                                    LogLevel::Info,
                                    "token received from {}: lifetime {} s, expires at {}",
                                    quote(url),
                                    g.lifetime_s,
                                    expires_at.to_rfc3339()
                                );
                                Ok(Fetched {
                                    lifetime_s: g.lifetime_s,
                                    value: TokenData {
                                        access_token: g.access_token,
                                        expires_at,
                                        token_type: g.token_type,
                                        scope: g.scope,
                                    },
                                })
                            }
                            Err(e) => {
                                log_at!(
                                    LogLevel::Info,
                                    "token request to {} failed: {}",
                                    quote(url),
                                    e.message()
                                );
                                Err(e)
                            }
                        };
                    }
                }
                Err(e) if is_retryable(&e) && retries && attempt < MAX_ATTEMPTS => {
                    let wait = backoff(attempt);
                    log_at!(
                        LogLevel::Info,
                        "{}; retrying in {} ms",
                        e.message(),
                        wait.as_millis()
                    );
                    wait
                }
                Err(e) => return Err(e),
            };

            let remaining = deadline.saturating_duration_since(Instant::now());
            clock.sleep(wait.min(remaining));
            attempt += 1;
        }
    }

    /// `e` without the client secret in any form this client sends it:
    /// as it is, form-encoded, and inside either Basic header.
    // LIMITATION: a server that re-encodes the secret some other way before
    // echoing it (JSON \u escapes, percent-encoding every byte) is not
    // caught; the preview's masking of credential fields and long token-like
    // runs is what remains against that.
    fn redact(&self, e: Error) -> Error {
        let forms = self.secret_forms();
        let forms: Vec<&str> = forms.iter().map(|f| f.as_str()).collect();
        e.redact(&forms)
    }

    /// The error for an answer that is no token, rebuilt from the answer
    /// with the secret removed: messages show only the start of long text,
    /// and a secret cut in two there would escape redacting the finished
    /// message. The answer as received is what was parsed, so that a token
    /// is never altered by redaction.
    fn error_without_secrets(&self, e: Error, answer: crate::http::Answer) -> Error {
        let shown = self.redacted(answer);
        let rebuilt = parse_token_response(shown.status, &shown.content_type, &shown.body).err();
        self.redact(rebuilt.unwrap_or(e))
    }

    /// `answer` with the secret, in every form of [`redact`](Self::redact),
    /// replaced in the parts that messages quote: body, Location and
    /// Content-Type.
    fn redacted(&self, mut answer: crate::http::Answer) -> crate::http::Answer {
        self.redact_answer(&mut answer);
        answer
    }

    fn redact_answer(&self, answer: &mut crate::http::Answer) {
        for form in self.secret_forms().iter().filter(|f| !f.is_empty()) {
            let needle = form.as_bytes();
            if answer.body.windows(needle.len()).any(|w| w == needle) {
                answer.body = Zeroizing::new(replace_bytes(&answer.body, needle, b"[redacted]"));
            }
            for text in [answer.location.as_mut(), Some(&mut answer.content_type)]
                .into_iter()
                .flatten()
            {
                if text.contains(form.as_str()) {
                    *text = text.replace(form.as_str(), "[redacted]");
                }
            }
        }
    }

    /// The secret as it is, form-encoded, and inside either Basic header;
    /// and the cached access token, which a server may echo back too.
    fn secret_forms(&self) -> Vec<Zeroizing<String>> {
        let secret = self.client_secret.expose();
        let encoded = Zeroizing::new(form::encode(secret));
        let mut pair = Zeroizing::new(form::encode(&self.client_id));
        pair.push(':');
        pair.push_str(&encoded);
        let raw_pair = Zeroizing::new(format!("{}:{secret}", self.client_id));
        let basic = Zeroizing::new(STANDARD.encode(pair.as_bytes()));
        let basic_raw = Zeroizing::new(STANDARD.encode(raw_pair.as_bytes()));
        let mut forms = vec![Zeroizing::new(secret.to_owned()), encoded, basic, basic_raw];
        if let Some(token) = self
            .cache
            .read_cached(|t| Zeroizing::new(t.access_token().to_owned()))
        {
            forms.push(token);
        }
        forms
    }

    /// The Authorization header (for Basic) and the form body; both hold
    /// the secret and are zeroed when dropped.
    fn request_parts(&self) -> (Option<Zeroizing<String>>, Zeroizing<String>) {
        let mut fields: Vec<(&str, &str)> = vec![("grant_type", "client_credentials")];
        if let Some(scope) = &self.options.scope {
            fields.push(("scope", scope));
        }
        if let Some(audience) = &self.options.audience {
            fields.push(("audience", audience));
        }
        for (name, value) in &self.options.parameters {
            fields.push((name, value));
        }
        let secret = self.client_secret.expose();
        let authorization = match self.method {
            ClientAuthMethod::ClientSecretPost => {
                fields.push(("client_id", &self.client_id));
                fields.push(("client_secret", secret));
                None
            }
            ClientAuthMethod::ClientSecretBasic => {
                let mut pair = Zeroizing::new(form::encode(&self.client_id));
                pair.push(':');
                form::encode_into(&mut pair, secret);
                Some(basic(&pair))
            }
            ClientAuthMethod::ClientSecretBasicRaw => {
                let pair = Zeroizing::new(format!("{}:{secret}", self.client_id));
                Some(basic(&pair))
            }
        };
        (authorization, Zeroizing::new(form::encode_pairs(fields)))
    }
}

/// `haystack` with every `needle` replaced by `with`.
fn replace_bytes(haystack: &[u8], needle: &[u8], with: &[u8]) -> Vec<u8> {
    // Sized exactly up front: a buffer that grew would free a copy of the
    // body (and its token) without zeroing it.
    let count = haystack
        .windows(needle.len())
        .filter(|w| *w == needle)
        .count();
    let mut out = Vec::with_capacity(haystack.len() + count * with.len());
    let mut rest = haystack;
    while let Some(at) = rest.windows(needle.len()).position(|w| w == needle) {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(with);
        rest = &rest[at + needle.len()..];
    }
    out.extend_from_slice(rest);
    out
}

fn basic(pair: &str) -> Zeroizing<String> {
    let mut value = Zeroizing::new(String::with_capacity(6 + pair.len() * 4 / 3 + 4));
    value.push_str("Basic ");
    STANDARD.encode_string(pair, &mut value);
    value
}

/// Longest client id or secret accepted: far beyond any provider's, and
/// small enough that a request carrying it is always sent.
const MAX_CREDENTIAL_LEN: usize = 64 * 1024;

fn check_client(client_id: &str, client_secret: &str) -> Result<(), Error> {
    for (name, value) in [("client_id", client_id), ("client_secret", client_secret)] {
        if value.is_empty() {
            return Err(Error::invalid_argument(format!("{name} is empty")));
        }
        if value.len() > MAX_CREDENTIAL_LEN {
            return Err(Error::invalid_argument(format!(
                "{name} is longer than {} KiB",
                MAX_CREDENTIAL_LEN / 1024
            )));
        }
    }
    Ok(())
}

fn asked_to_wait(status: u16, wait: Duration, timeout: Duration) -> Error {
    let secs = wait.as_secs_f64().ceil() as u64;
    let why = if wait > timeout {
        format!(", longer than the {} ms timeout", timeout.as_millis())
    } else {
        String::new()
    };
    Error::new(
        ErrorKind::Http,
        format!(
            "token endpoint answered HTTP {status} and asked to wait {secs} s (Retry-After){why}"
        ),
    )
    .with_http_status(status)
    .with_retry_after(wait)
}

fn redirect_error(status: u16, location: Option<&str>) -> Error {
    let to = location.map(quote).unwrap_or_else(|| "no Location".into());
    Error::new(
        ErrorKind::Http,
        format!(
            "token endpoint answered HTTP {status} redirecting to {to}; redirects are not followed"
        ),
    )
    .with_http_status(status)
}

/// Jittered exponential back-off: 100-200 ms, then 200-400 ms.
fn backoff(attempt: u32) -> Duration {
    use std::hash::{BuildHasher, Hasher};
    let base = Duration::from_millis(100) * 2u32.pow(attempt - 1);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u32(attempt);
    let jitter = (h.finish() % 1000) as u32;
    base + base * jitter / 1000
}
