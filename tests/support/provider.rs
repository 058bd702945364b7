//! The local OpenID provider of `tests/provider`, started for one test.
//!
//! `Provider::start()` runs `node tests/provider/provider.mjs --port 0
//! --issuer-file <file>` on 127.0.0.1 and waits for it to be ready; dropping
//! the value kills it. Its test endpoints are read over a plain
//! `TcpStream`, so that a test can check on the server's side how many token
//! requests the library sent.
//!
//! A provider that cannot start (no node, no `npm ci`) fails the test with
//! the reason: a silently skipped test would pass without testing anything.
//!
//! Include it with `#[path = "support/provider.rs"] mod provider;`.
#![allow(dead_code)]

use std::fs;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// How long the provider may take to start; it usually needs under a second.
const READY_TIMEOUT: Duration = Duration::from_secs(20);

/// The provider's `basic-client` (`client_secret_basic`); a test fixture.
pub const BASIC_CLIENT_ID: &str = "basic-client";
/// Holds `+ : % / =` and a space, so only a form-encoded Basic header works.
pub const BASIC_CLIENT_SECRET: &str = "s3cr+t:%/= with space";
/// The provider's `post-client` (`client_secret_post`); a test fixture.
pub const POST_CLIENT_ID: &str = "post-client";
/// The secret of `post-client`.
pub const POST_CLIENT_SECRET: &str = "post-secret-123";

/// The provider's counters, from `GET /_test/stats`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stats {
    /// Every POST to the token endpoint.
    pub token_requests: u64,
    /// Those answered with HTTP 200.
    pub token_successes: u64,
}

/// A running provider; killed on drop.
pub struct Provider {
    child: Child,
    dir: PathBuf,
    issuer: String,
    addr: SocketAddr,
}

impl Provider {
    /// Starts a provider on a free loopback port and waits until it is
    /// ready. Panics, saying why, when it cannot start.
    pub fn start() -> Provider {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let provider_dir = root.join("tests/provider");
        assert!(
            provider_dir.join("node_modules/oidc-provider").is_dir(),
            "the local OpenID provider is not installed: run `npm ci` in {}",
            provider_dir.display()
        );

        let dir = unique_dir();
        fs::create_dir_all(&dir).expect("create the provider's temporary directory");
        let issuer_file = dir.join("issuer");
        let log = fs::File::create(dir.join("provider.log")).expect("create the provider log");

        let node = std::env::var("AUTH_TEST_NODE").unwrap_or_else(|_| "node".to_owned());
        let child = Command::new(&node)
            .arg(provider_dir.join("provider.mjs"))
            .args(["--port", "0", "--issuer-file"])
            .arg(&issuer_file)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start the local OpenID provider with `{node}`: {e}; \
                     the tests against it need Node.js >= 20 \
                     (set AUTH_TEST_NODE to its path if it is not in PATH)"
                )
            });
        let mut provider = Provider {
            child,
            dir,
            issuer: String::new(),
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        };
        provider.issuer = provider.wait_for_issuer(&issuer_file);
        provider.addr = loopback_addr(&provider.issuer);
        provider
    }

    fn wait_for_issuer(&mut self, issuer_file: &Path) -> String {
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            // The provider writes the file by renaming, so it is whole.
            if let Ok(issuer) = fs::read_to_string(issuer_file) {
                if !issuer.is_empty() {
                    return issuer;
                }
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "the local OpenID provider exited ({status}) before it was ready:\n{}",
                    self.log()
                );
            }
            assert!(
                Instant::now() < deadline,
                "the local OpenID provider was not ready within {READY_TIMEOUT:?}:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The issuer URL, `http://127.0.0.1:<port>`.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The token endpoint, as the discovery document names it.
    pub fn token_endpoint(&self) -> String {
        format!("{}/token", self.issuer)
    }

    /// The provider's counters now.
    pub fn stats(&self) -> Stats {
        self.call("GET", "/_test/stats")
    }

    /// Sets the counters back to 0.
    pub fn reset(&self) {
        let stats = self.call("POST", "/_test/reset");
        assert_eq!(stats.token_requests, 0, "reset did not clear the counters");
    }

    /// What the provider wrote on stderr so far.
    pub fn log(&self) -> String {
        fs::read_to_string(self.dir.join("provider.log")).unwrap_or_default()
    }

    fn call(&self, method: &str, path: &str) -> Stats {
        let mut stream = TcpStream::connect_timeout(&self.addr, Duration::from_secs(5))
            .expect("connect to the provider");
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .expect("set a read timeout");
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: {}\r\n\
             Content-Length: 0\r\nConnection: close\r\n\r\n",
            self.addr
        )
        .expect("send the request to the provider");
        let mut response = String::new();
        stream
            .read_to_string(&mut response)
            .expect("read the provider's answer");

        let (head, body) = response
            .split_once("\r\n\r\n")
            .unwrap_or_else(|| panic!("malformed answer from the provider: {response:?}"));
        assert!(head.starts_with("HTTP/1.1 200"), "{method} {path}: {head}");
        let json: serde_json::Value = serde_json::from_str(body)
            .unwrap_or_else(|e| panic!("{method} {path}: body {body:?} is not JSON: {e}"));
        let count = |name: &str| {
            json[name]
                .as_u64()
                .unwrap_or_else(|| panic!("{method} {path}: no {name} in {body}"))
        };
        Stats {
            token_requests: count("token_requests"),
            token_successes: count("token_successes"),
        }
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// A directory no other test, in this process or another, uses.
fn unique_dir() -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    std::env::temp_dir().join(format!(
        "auth-test-provider-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ))
}

/// The socket address of `http://127.0.0.1:<port>`; the provider listens on
/// loopback only, and nothing here may talk to any other host.
fn loopback_addr(issuer: &str) -> SocketAddr {
    let port = issuer
        .strip_prefix("http://127.0.0.1:")
        .and_then(|p| p.parse::<u16>().ok())
        .unwrap_or_else(|| panic!("unexpected issuer {issuer:?}: not http://127.0.0.1:<port>"));
    SocketAddr::from((Ipv4Addr::LOCALHOST, port))
}
