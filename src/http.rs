//! The HTTP transport: one keep-alive agent per credentials handle.

use crate::endpoint::{quote, Endpoint};
use crate::error::Error;
use once_cell::sync::Lazy;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig};
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout};

/// Largest CA bundle read: the system's whole store is a few hundred KiB.
const MAX_CA_FILE: u64 = 16 * 1024 * 1024;

/// Largest body read from any server.
pub(crate) const MAX_BODY: u64 = 1024 * 1024;

/// An HTTP answer, read whole.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) content_type: String,
    pub(crate) location: Option<String>,
    pub(crate) retry_after: Option<String>,
    /// Zeroed when dropped: a token response's body holds the token.
    pub(crate) body: zeroize::Zeroizing<Vec<u8>>,
}

/// Which certificates the agent trusts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) enum Trust {
    /// The operating system's store, read once per process.
    #[default]
    System,
    /// A PEM bundle given by the caller.
    CaFile(std::path::PathBuf),
}

/// ureq resolves the host before every request, kept-alive connection or
/// not, and with a timeout set it does so on a new thread: measured on a
/// busy 2-core machine, a forced fetch on loopback took 130 to 690 µs with
/// it and 55 to 90 µs without. A host that is an IP address needs neither,
/// so it is parsed here; names still go to ureq's resolver.
// LIMITATION: an endpoint named by a host name still pays for a resolver
// thread per request; caching answers would need their DNS lifetime, which
// the system resolver does not report.
#[derive(Debug, Default)]
struct LiteralFirst(DefaultResolver);

impl Resolver for LiteralFirst {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let host = uri.host().unwrap_or_default();
        let host = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        let port = uri.port_u16().or(match uri.scheme_str() {
            Some("https") => Some(443),
            Some("http") => Some(80),
            _ => None,
        });
        if let (Ok(ip), Some(port)) = (host.parse::<IpAddr>(), port) {
            let mut addrs = self.empty();
            addrs.push(SocketAddr::new(ip, port));
            return Ok(addrs);
        }
        // Plain http is allowed to `localhost` names because they are
        // loopback (RFC 6761 section 6.3), so they must not be left to a
        // resolver that could answer with any address.
        if let (true, Some(port)) = (crate::endpoint::is_loopback(host), port) {
            let mut addrs = self.empty();
            addrs.push(SocketAddr::new(IpAddr::from([127, 0, 0, 1]), port));
            addrs.push(SocketAddr::new(std::net::Ipv6Addr::LOCALHOST.into(), port));
            return Ok(addrs);
        }
        self.0.resolve(uri, config, timeout)
    }
}

#[derive(Clone)]
pub(crate) struct Transport {
    agent: ureq::Agent,
}

/// The system store, loaded once: reading it means parsing every file in
/// the distribution's CA directory, far too slow to do per handle.
static SYSTEM_ROOTS: Lazy<Arc<Vec<Certificate<'static>>>> = Lazy::new(|| {
    let found = rustls_native_certs::load_native_certs();
    Arc::new(
        found
            .certs
            .into_iter()
            .map(|der| Certificate::from_der(der.as_ref()).to_owned())
            .collect(),
    )
});

fn roots(trust: &Trust) -> Result<RootCerts, Error> {
    match trust {
        Trust::System => Ok(RootCerts::Specific(SYSTEM_ROOTS.clone())),
        Trust::CaFile(path) => Ok(RootCerts::Specific(Arc::new(read_pem_certs(path)?))),
    }
}

// LIMITATION: certificates are checked as PEM here, and parsed as X.509
// only at the first connection: a PEM block holding a damaged certificate
// is accepted, and every request then fails with a certificate error.
fn read_pem_certs(path: &Path) -> Result<Vec<Certificate<'static>>, Error> {
    let shown = path.display().to_string();
    let unreadable = |why: String| Error::invalid_argument(format!("CA file \"{shown}\" {why}"));
    // Checked before opening: opening a FIFO would block, and /dev/zero or
    // a huge file would be read until memory runs out.
    let meta = std::fs::metadata(path).map_err(|e| unreadable(format!("cannot be read: {e}")))?;
    if !meta.is_file() {
        return Err(unreadable("is not a regular file".into()));
    }
    if meta.len() > MAX_CA_FILE {
        return Err(unreadable(format!(
            "is larger than {} MiB",
            MAX_CA_FILE / (1024 * 1024)
        )));
    }
    let mut pem = Vec::new();
    std::io::Read::read_to_end(
        &mut std::io::Read::take(
            std::fs::File::open(path).map_err(|e| unreadable(format!("cannot be read: {e}")))?,
            MAX_CA_FILE,
        ),
        &mut pem,
    )
    .map_err(|e| unreadable(format!("cannot be read: {e}")))?;
    let mut certs = Vec::new();
    for item in ureq::tls::parse_pem(&pem) {
        match item {
            Ok(PemItem::Certificate(c)) => certs.push(c),
            Ok(_) => {}
            Err(_) => {
                return Err(Error::invalid_argument(format!(
                    "CA file \"{shown}\" is not a valid PEM file"
                )))
            }
        }
    }
    if certs.is_empty() {
        return Err(Error::invalid_argument(format!(
            "CA file \"{shown}\" holds no certificate"
        )));
    }
    Ok(certs)
}

impl Transport {
    /// An agent for requests to `endpoint` (and its host's neighbours).
    ///
    /// Redirects are never followed: a token request carries the client's
    /// credentials, and a redirect is where they would leak. Loopback hosts
    /// never go through a proxy; others use the environment's proxy settings.
    pub(crate) fn new(endpoint: &Endpoint, trust: &Trust) -> Result<Self, Error> {
        let tls = TlsConfig::builder().root_certs(roots(trust)?).build();
        let mut config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .tls_config(tls)
            .user_agent(concat!("auth/", env!("CARGO_PKG_VERSION")))
            .max_idle_connections_per_host(4);
        if endpoint.is_loopback() {
            config = config.proxy(None);
        }
        Ok(Transport {
            agent: ureq::Agent::with_parts(
                config.build(),
                DefaultConnector::default(),
                LiteralFirst::default(),
            ),
        })
    }

    pub(crate) fn post_form(
        &self,
        url: &str,
        authorization: Option<&str>,
        body: &[u8],
        timeout: Duration,
    ) -> Result<Answer, Error> {
        let mut req = self
            .agent
            .post(url)
            .header("Accept", "application/json")
            .header("Content-Type", "application/x-www-form-urlencoded");
        if let Some(a) = authorization {
            req = req.header("Authorization", a);
        }
        let resp = req
            .config()
            .timeout_global(Some(timeout))
            .build()
            .send(body)
            .map_err(|e| transport_error(e, url, timeout))?;
        read_answer(resp, url, timeout)
    }

    pub(crate) fn get(&self, url: &str, timeout: Duration) -> Result<Answer, Error> {
        let resp = self
            .agent
            .get(url)
            .header("Accept", "application/json")
            .config()
            .timeout_global(Some(timeout))
            .build()
            .call()
            .map_err(|e| transport_error(e, url, timeout))?;
        read_answer(resp, url, timeout)
    }
}

fn read_answer(
    mut resp: ureq::http::Response<ureq::Body>,
    url: &str,
    timeout: Duration,
) -> Result<Answer, Error> {
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let status = resp.status().as_u16();
    let content_type = header("content-type").unwrap_or_default();
    let location = header("location");
    let retry_after = header("retry-after");
    let body = resp
        .body_mut()
        .with_config()
        .limit(MAX_BODY)
        .read_to_vec()
        .map_err(|e| match e {
            ureq::Error::BodyExceedsLimit(_) => Error::invalid_response(format!(
                "the answer from {} is larger than {} KiB",
                quote(url),
                MAX_BODY / 1024
            ))
            .with_http_status(status),
            e => transport_error(e, url, timeout).with_http_status(status),
        })?;
    Ok(Answer {
        status,
        content_type,
        location,
        retry_after,
        body: zeroize::Zeroizing::new(body),
    })
}

/// Whether a transport failure is worth another attempt: the connection
/// failed or broke, as opposed to running out of time or failing TLS
/// verification, which another attempt would only repeat.
pub(crate) fn is_retryable(e: &Error) -> bool {
    e.kind() == crate::ErrorKind::Transport && e.retryable
}

fn transport_error(e: ureq::Error, url: &str, timeout: Duration) -> Error {
    let target = quote(url);
    let (message, retryable) = match &e {
        ureq::Error::Timeout(_) => (
            format!(
                "no complete answer from {target} within {} ms",
                timeout.as_millis()
            ),
            false,
        ),
        ureq::Error::HostNotFound => (format!("host of {target} not found"), false),
        ureq::Error::ConnectionFailed => (format!("could not connect to {target}"), true),
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => (
            format!(
                "no complete answer from {target} within {} ms",
                timeout.as_millis()
            ),
            false,
        ),
        ureq::Error::Io(io) if looks_like_certificate(&io.to_string()) => (
            format!("TLS certificate problem with {target}: {io}"),
            false,
        ),
        ureq::Error::Io(io) => (format!("connection to {target} failed: {io}"), true),
        ureq::Error::Rustls(r) if looks_like_certificate(&r.to_string()) => {
            (format!("TLS certificate problem with {target}: {r}"), false)
        }
        ureq::Error::Rustls(r) => (format!("TLS failure with {target}: {r}"), false),
        ureq::Error::Tls(t) => (format!("TLS failure with {target}: {t}"), false),
        ureq::Error::Protocol(p) => (format!("malformed HTTP answer from {target}: {p}"), true),
        other => (format!("request to {target} failed: {other}"), false),
    };
    let mut err = Error::transport(message);
    err.retryable = retryable;
    err
}

fn looks_like_certificate(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    t.contains("certificate") || t.contains("unknownissuer") || t.contains("notvalidforname")
}
