//! Plaintext and downgrade: the client secret and the tokens travel only
//! over TLS, or over plain http to a loopback host; redirects are never
//! followed; a discovery document cannot move an https issuer's token
//! endpoint to plain http.
//!
//! Refusals of non-loopback URLs are decided from the text alone, and these
//! tests make sure of it without ever trying such a URL: every test first
//! points the process's proxy settings at a loopback tripwire, so that a
//! request that should not have been made lands there (and fails the test)
//! instead of leaving the machine.

#[path = "support/scripted.rs"]
mod scripted;
#[path = "support/tls.rs"]
mod tls;

use auth::{ClientOptions, ErrorKind, OAuth2ClientCredentials};
use scripted::{Reply, Response, Server};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::Duration;
use tls::{https_server, TestCa};

/// Connections that reached the tripwire: requests that were sent although
/// the URL should have been refused.
static TRIPPED: AtomicUsize = AtomicUsize::new(0);

/// Installs the tripwire once, before any test of this binary makes an
/// HTTP agent: each test calls this first, so no other thread reads the
/// environment while it is written.
fn tripwire() {
    static ADDRESS: OnceLock<String> = OnceLock::new();
    ADDRESS.get_or_init(|| {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = format!("http://{}", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            for _ in listener.incoming() {
                TRIPPED.fetch_add(1, Ordering::SeqCst);
            }
        });
        for name in [
            "ALL_PROXY",
            "HTTPS_PROXY",
            "HTTP_PROXY",
            "all_proxy",
            "https_proxy",
            "http_proxy",
        ] {
            std::env::set_var(name, &address);
        }
        for name in ["NO_PROXY", "no_proxy"] {
            std::env::remove_var(name);
        }
        address
    });
}

fn nothing_was_sent() {
    assert_eq!(TRIPPED.load(Ordering::SeqCst), 0, "a request was sent");
}

const NON_LOOPBACK_HTTP: &[&str] = &[
    "http://idp.example/token",
    "HTTP://idp.example/token",
    "http://10.0.0.1/token",
    "http://192.168.1.10:8080/token",
    "http://[2001:db8::1]/token",
    "http://127.0.0.1.example/token",
    "http://localhost.example/token",
    "http://0.0.0.0/token",
];

fn timed_options() -> ClientOptions {
    let mut options = ClientOptions::new();
    options.set_timeout(Duration::from_secs(2)).unwrap();
    options
}

#[test]
fn construction_refuses_plain_http_to_a_non_loopback_host() {
    tripwire();
    for url in NON_LOOPBACK_HTTP {
        let e = OAuth2ClientCredentials::new("svc", "secret", url).unwrap_err();

        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{url}");
        assert!(
            e.message()
                .contains("plaintext http is allowed only to loopback hosts"),
            "{url}: {}",
            e.message()
        );
    }
    nothing_was_sent();
}

#[test]
fn construction_accepts_plain_http_to_loopback_hosts() {
    tripwire();
    for url in [
        "http://127.0.0.1:8080/token",
        "http://127.45.6.7/token",
        "http://localhost:8080/token",
        "http://[::1]:8080/token",
    ] {
        assert!(
            OAuth2ClientCredentials::new("svc", "secret", url).is_ok(),
            "{url}"
        );
    }
    nothing_was_sent();
}

#[test]
fn discovery_refuses_a_plain_http_issuer_on_a_non_loopback_host() {
    tripwire();
    for issuer in ["http://idp.example", "http://10.0.0.1/realms/r1"] {
        let e = auth::fetch_oidc_discovery(issuer).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{issuer}");

        let e = OAuth2ClientCredentials::from_issuer(issuer, "svc", "secret", &timed_options())
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{issuer}");
    }
    nothing_was_sent();
}

#[test]
fn a_discovery_document_may_not_move_an_https_token_endpoint_to_plain_http() {
    tripwire();
    let ca = TestCa::new("downgrade test CA");
    let plain = Server::start(Vec::<Reply>::new());
    let server = https_server(&ca, &["127.0.0.1"], Vec::<Reply>::new());
    let issuer = server.base();
    // Plain http, on loopback even: acceptable for an http issuer, but an
    // https issuer's document may not send the secret anywhere in the clear.
    server.push(Response::json(
        200,
        &format!(
            r#"{{"issuer":"{issuer}","token_endpoint":"{}"}}"#,
            plain.url("/token")
        ),
    ));
    let mut options = timed_options();
    options.set_ca_file(&ca.pem_path);

    let e = OAuth2ClientCredentials::from_issuer(&issuer, "svc", "secret", &options).unwrap_err();

    assert_eq!(e.kind(), ErrorKind::Discovery);
    assert!(e.message().contains("plaintext"), "{}", e.message());
    assert_eq!(server.request_count(), 1);
    assert_eq!(plain.request_count(), 0);
    nothing_was_sent();
}

#[test]
fn no_redirect_of_the_token_request_is_followed() {
    tripwire();
    for status in [301, 302, 303, 307, 308] {
        let target = Server::start_on("127.0.0.2", Vec::<Reply>::new());
        let server =
            Server::start([Response::new(status).header("Location", &target.url("/token"))]);
        let credentials = OAuth2ClientCredentials::with_options(
            "svc",
            "secret",
            &server.url("/token"),
            &timed_options(),
        )
        .unwrap();

        let e = credentials.get_token(false).unwrap_err();

        assert_eq!(e.kind(), ErrorKind::Http, "{status}");
        assert_eq!(e.http_status(), Some(status), "{status}");
        assert_eq!(server.request_count(), 1, "{status}");
        assert_eq!(target.request_count(), 0, "{status}");
    }
    nothing_was_sent();
}

#[test]
fn no_redirect_of_the_discovery_document_is_followed() {
    tripwire();
    for status in [301, 302, 307, 308] {
        let target = Server::start_on("127.0.0.2", Vec::<Reply>::new());
        let server = Server::start(Vec::<Reply>::new());
        server.push(
            Response::new(status)
                .header("Location", &target.url("/.well-known/openid-configuration")),
        );

        let e =
            OAuth2ClientCredentials::from_issuer(&server.base(), "svc", "secret", &timed_options())
                .unwrap_err();

        assert_eq!(e.kind(), ErrorKind::Http, "{status}");
        assert_eq!(e.http_status(), Some(status), "{status}");
        assert_eq!(server.request_count(), 1, "{status}");
        assert_eq!(target.request_count(), 0, "{status}");
    }
    nothing_was_sent();
}
