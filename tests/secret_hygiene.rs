//! No client secret and no part of an access token in any error message,
//! Debug rendering or log line, whatever the server answers.
//!
//! The logger is process-wide, so these tests live in their own binary; it
//! is installed once, at Debug level, and every test checks every line
//! logged so far.

#[path = "support/scripted.rs"]
mod scripted;

use auth::{ClientAuthMethod, ClientOptions, Clock, Error, LogLevel, OAuth2ClientCredentials};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use scripted::{Reply, Response, Server};
use std::sync::{Arc, Mutex, Once};
use std::thread::ThreadId;
use std::time::Duration;

/// Short enough that no masking of long token-like runs would hide it.
const SECRET: &str = "canary-secret-7f3a";
/// Separators split it into runs too short for that masking.
const TOKEN: &str = "tok:canary:5e9d2c71:ab84f0:q1w2e3r4";

/// Log lines with the thread that logged them: a fetch runs on the calling
/// thread, so each test checks the lines its own calls produced.
static LINES: Mutex<Vec<(ThreadId, String)>> = Mutex::new(Vec::new());

fn lines_of_this_thread() -> Vec<String> {
    let me = std::thread::current().id();
    let lines = LINES.lock().unwrap_or_else(|p| p.into_inner());
    lines
        .iter()
        .filter(|(t, _)| *t == me)
        .map(|(_, l)| l.clone())
        .collect()
}

fn capture_logs() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        auth::set_logger(
            Some(Arc::new(|level, message: &str| {
                let line = (std::thread::current().id(), format!("{level:?} {message}"));
                LINES.lock().unwrap_or_else(|p| p.into_inner()).push(line);
            })),
            LogLevel::Debug,
        );
    });
}

/// Every 8-character piece of the token, the secret whole, and the secret
/// as the Basic header and the form body carry it.
fn forbidden() -> Vec<String> {
    let mut pieces: Vec<String> = TOKEN
        .as_bytes()
        .windows(8)
        .map(|w| String::from_utf8(w.to_vec()).unwrap())
        .collect();
    pieces.push(SECRET.to_owned());
    pieces.push(STANDARD.encode(format!("svc:{SECRET}")));
    pieces
}

fn assert_clean(what: &str, text: &str) {
    for piece in forbidden() {
        assert!(!text.contains(&piece), "{what} shows {piece:?}: {text}");
    }
}

/// Checks the error and everything logged so far.
fn assert_error_clean(e: &Error) {
    assert_clean("message", e.message());
    assert_clean("Debug", &format!("{e:?}"));
    assert_clean("Display", &e.to_string());
    if let Some(d) = e.oauth_error_description() {
        assert_clean("error_description", d);
    }
    if let Some(c) = e.oauth_error() {
        assert_clean("error", c);
    }
    for line in lines_of_this_thread() {
        assert_clean("log line", &line);
    }
}

fn options(method: ClientAuthMethod) -> ClientOptions {
    let (clock, _) = Clock::manual(chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap());
    let mut options = ClientOptions::new();
    options.set_clock(clock).set_auth_method(method);
    options.set_timeout(Duration::from_millis(800)).unwrap();
    options
}

fn fail_with(method: ClientAuthMethod, script: Vec<Reply>) -> Error {
    capture_logs();
    let server = Server::start(script).repeat_last();
    let credentials = OAuth2ClientCredentials::with_options(
        "svc",
        SECRET,
        &server.url("/token"),
        &options(method),
    )
    .unwrap();
    let e = credentials.get_token(false).unwrap_err();
    assert_error_clean(&e);
    e
}

fn basic() -> ClientAuthMethod {
    ClientAuthMethod::ClientSecretBasic
}

fn post() -> ClientAuthMethod {
    ClientAuthMethod::ClientSecretPost
}

#[test]
fn a_page_echoing_the_request_body_does_not_show_the_secret() {
    let echo = format!(
        "<p>bad request: grant_type=client_credentials&client_id=svc&client_secret={SECRET}</p>"
    );
    fail_with(
        post(),
        vec![Response::typed(400, "text/html", &echo).into()],
    );
}

#[test]
fn a_page_echoing_the_form_encoded_secret_does_not_show_it() {
    let echo = "<p>client_secret=canary%2Dsecret%2D7f3a</p>";
    let e = fail_with(post(), vec![Response::typed(400, "text/html", echo).into()]);
    assert!(!e.message().contains("canary%2Dsecret"), "{}", e.message());
}

#[test]
fn an_error_description_echoing_the_secret_does_not_show_it() {
    let body =
        format!(r#"{{"error":"invalid_client","error_description":"secret {SECRET} is wrong"}}"#);
    let e = fail_with(basic(), vec![Response::json(401, &body).into()]);
    assert_eq!(e.oauth_error(), Some("invalid_client"));
}

#[test]
fn an_error_description_echoing_the_authorization_header_does_not_show_it() {
    let header = STANDARD.encode(format!("svc:{SECRET}"));
    let body = format!(r#"{{"error":"invalid_client","error_description":"got Basic {header}"}}"#);
    fail_with(basic(), vec![Response::json(401, &body).into()]);
}

#[test]
fn a_redirect_naming_the_secret_does_not_show_it() {
    let location = format!("/login/{SECRET}/next");
    fail_with(
        basic(),
        vec![Response::new(302).header("Location", &location).into()],
    );
}

#[test]
fn a_token_with_an_unusable_token_type_is_not_shown() {
    let body = format!(r#"{{"token_type":5,"access_token":"{TOKEN}","expires_in":3600}}"#);
    fail_with(basic(), vec![Response::json(200, &body).into()]);
}

#[test]
fn a_token_with_an_unusable_expires_in_is_not_shown() {
    let body = format!(r#"{{"access_token":"{TOKEN}","expires_in":"soon"}}"#);
    fail_with(basic(), vec![Response::json(200, &body).into()]);
}

#[test]
fn a_token_in_a_form_body_with_a_duplicate_field_is_not_shown() {
    let body = format!("access_token={TOKEN}&access_token=other");
    fail_with(
        basic(),
        vec![Response::typed(200, "application/x-www-form-urlencoded", &body).into()],
    );
}

#[test]
fn a_token_in_a_json_body_with_a_duplicate_field_is_not_shown() {
    let body = format!(r#"{{"access_token":"{TOKEN}","access_token":"{TOKEN}"}}"#);
    fail_with(basic(), vec![Response::json(200, &body).into()]);
}

#[test]
fn a_token_sent_with_a_server_error_status_is_not_shown() {
    let body = format!(r#"{{"access_token":"{TOKEN}"}}"#);
    fail_with(basic(), vec![Response::json(500, &body).into()]);
}

#[test]
fn a_token_sent_with_an_error_code_is_not_shown() {
    let body = format!(r#"{{"access_token":"{TOKEN}","error":"server_error"}}"#);
    fail_with(basic(), vec![Response::json(200, &body).into()]);
}

#[test]
fn rate_limits_timeouts_and_cut_bodies_do_not_show_secrets() {
    let token = format!(r#"{{"access_token":"{TOKEN}","expires_in":3600}}"#);
    for script in [
        vec![Response::typed(429, "text/plain", "slow down")
            .header("Retry-After", "60")
            .into()],
        vec![Reply::Hang],
        vec![Reply::ResetInBody(Response::json(200, &token))],
        vec![Reply::ChunkedWithoutEnd(Response::json(200, &token))],
    ] {
        fail_with(basic(), script);
    }
}

#[test]
fn a_refused_connection_does_not_show_the_secret() {
    capture_logs();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/token");
    let credentials =
        OAuth2ClientCredentials::with_options("svc", SECRET, &url, &options(basic())).unwrap();

    let e = credentials.get_token(false).unwrap_err();

    assert_eq!(e.kind(), auth::ErrorKind::Transport);
    assert_error_clean(&e);
}

#[test]
fn serving_the_cached_token_after_a_failed_refresh_logs_no_secret() {
    capture_logs();
    let token = format!(r#"{{"access_token":"{TOKEN}","expires_in":1000}}"#);
    let echo = format!("<p>client_secret={SECRET}</p>");
    let server = Server::start([
        Response::json(200, &token).into(),
        Reply::from(Response::typed(503, "text/html", &echo)),
    ]);
    let (clock, hand) = Clock::manual(chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap());
    let mut options = options(post());
    options.set_clock(clock);
    let credentials =
        OAuth2ClientCredentials::with_options("svc", SECRET, &server.url("/token"), &options)
            .unwrap();

    let first = credentials.get_token(false).unwrap();
    hand.advance(Duration::from_secs(800));
    let served = credentials.get_token(false).unwrap();

    assert_eq!(served.access_token(), TOKEN);
    assert_eq!(server.request_count(), 2);
    assert_clean("token Debug", &format!("{first:?} {served:?}"));
    assert_clean("credentials Debug", &format!("{credentials:?}"));
    let lines = lines_of_this_thread();
    assert!(lines.iter().any(|l| l.contains("cached")), "{lines:#?}");
    for line in &lines {
        assert_clean("log line", line);
    }
}

#[test]
fn discovery_failures_do_not_show_the_secret() {
    capture_logs();
    let server = Server::start(Vec::<Reply>::new());
    server.push(Response::json(
        200,
        &format!(
            r#"{{"issuer":"{}","token_endpoint":"http://idp.example/token"}}"#,
            server.base()
        ),
    ));

    let e = OAuth2ClientCredentials::from_issuer(&server.base(), "svc", SECRET, &options(basic()))
        .unwrap_err();

    assert_eq!(e.kind(), auth::ErrorKind::Discovery);
    assert_error_clean(&e);
}
