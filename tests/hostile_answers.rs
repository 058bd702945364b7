//! Answers crafted to break the client: hostile lifetimes, secrets echoed
//! where messages cut text short, tokens in arrays, scheme case games,
//! resolver answers for `localhost` names, and slow discovery. Each was a
//! defect once; each test pins the right behaviour.

#[path = "support/scripted.rs"]
mod scripted;

use auth::{ClientOptions, ErrorKind, OAuth2ClientCredentials};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use scripted::{Reply, Response, Server};
use std::time::{Duration, Instant};

const SECRET: &str = "s3cr3t-Secret!value";

fn credentials(server: &Server) -> OAuth2ClientCredentials {
    OAuth2ClientCredentials::new("svc", SECRET, &server.url("/token")).unwrap()
}

fn token(body: &str) -> Reply {
    Response::json(200, body).into()
}

/// No part of the secret of 6 characters or more may show.
fn assert_no_piece_of_secret(text: &str) {
    for len in 6..=SECRET.len() {
        for start in 0..=SECRET.len() - len {
            let piece = &SECRET[start..start + len];
            assert!(!text.contains(piece), "{piece:?} of the secret in {text:?}");
        }
    }
}

#[test]
fn a_hugely_negative_lifetime_is_a_single_use_token_not_a_panic() {
    let jwt = format!(
        "eyJhbGciOiJub25lIn0.{}.c2ln",
        URL_SAFE_NO_PAD.encode(r#"{"iat":1e20,"exp":0}"#)
    );
    for body in [
        r#"{"access_token":"tok-a","expires_in":-10000000000000}"#.to_string(),
        r#"{"access_token":"tok-a","expires_in":-1e20}"#.to_string(),
        r#"{"access_token":"tok-a","expires_in":"-1e309"}"#.to_string(),
        format!(r#"{{"access_token":"{jwt}"}}"#),
    ] {
        let server = Server::start([token(&body), token(&body)]);
        let c = credentials(&server);

        let first = c.get_token(false).unwrap_or_else(|e| panic!("{body}: {e}"));
        assert!(first.expires_at() < chrono::Utc::now(), "{body}");
        c.get_token(false).unwrap();

        assert_eq!(server.request_count(), 2, "{body}: never reused");
    }
}

#[test]
fn a_form_encoded_minus_infinity_lifetime_is_single_use() {
    let server = Server::start([Reply::from(Response::typed(
        200,
        "application/x-www-form-urlencoded",
        "access_token=tok-b&expires_in=-inf",
    ))]);
    let t = credentials(&server).get_token(false).unwrap();
    assert_eq!(t.access_token(), "tok-b");
}

#[test]
fn a_secret_echoed_where_a_redirect_location_is_cut_short_does_not_show() {
    let location = format!("http://127.0.0.1/{}/{SECRET}", "a".repeat(172));
    let server = Server::start([Reply::from(
        Response::new(302).header("Location", &location),
    )]);
    let e = credentials(&server).get_token(false).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Http);
    assert_no_piece_of_secret(e.message());
}

#[test]
fn a_secret_echoed_where_a_body_preview_is_cut_short_does_not_show() {
    let body = format!("{}{SECRET}", "x ".repeat(34));
    let server = Server::start([Reply::from(Response::typed(400, "text/plain", &body))]);
    let e = credentials(&server).get_token(false).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Http);
    assert_no_piece_of_secret(e.message());
}

#[test]
fn a_secret_echoed_in_a_long_content_type_does_not_show() {
    let content_type = format!("{}{SECRET}", "a".repeat(48));
    let server = Server::start([Reply::from(Response::typed(400, &content_type, "no"))]);
    let e = credentials(&server).get_token(false).unwrap_err();
    assert_no_piece_of_secret(e.message());
}

#[test]
fn a_json_array_is_not_a_token_response_and_its_contents_never_show() {
    for body in [
        r#"["TOKxyzABCDEFGHIJKLMNOP-six","Bearer",60,null,null,null]"#,
        r#"["TOK!xyzABCDEFG!HIJKLMNOP!q",5,null,null,null,null]"#,
    ] {
        let server = Server::start([token(body)]);
        let e = credentials(&server).get_token(false).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidResponse, "{body}");
        assert!(e.message().contains("array"), "{}", e.message());
        assert!(!e.message().contains("TOK"), "{}", e.message());
    }
}

#[test]
fn a_json_body_on_an_http_error_is_not_previewed() {
    let server = Server::start([Reply::from(Response::json(
        500,
        r#"["TOK!abc!def!ghi!jkl"]"#,
    ))]);
    let e = credentials(&server).get_token(true).unwrap_err();
    assert_eq!((e.kind(), e.http_status()), (ErrorKind::Http, Some(500)));
    assert!(!e.message().contains("TOK"), "{}", e.message());
}

#[test]
fn a_forced_refresh_is_retried_even_with_a_cached_token() {
    let server = Server::start([
        token(r#"{"access_token":"first","expires_in":3600}"#),
        Response::new(503).into(),
        token(r#"{"access_token":"second","expires_in":3600}"#),
    ]);
    let c = credentials(&server);
    c.get_token(false).unwrap();

    let forced = c.get_token(true).unwrap();

    assert_eq!(forced.access_token(), "second");
    assert_eq!(server.request_count(), 3);
}

#[test]
fn a_localhost_name_is_connected_on_loopback_whatever_resolvers_say() {
    // `idp.localhost` has no entry in /etc/hosts; the system resolver would
    // fail it or answer anything. The library must go to loopback itself.
    let server = Server::start([token(r#"{"access_token":"via-localhost","expires_in":60}"#)]);
    let url = format!("http://idp.localhost:{}/token", server.addr().port());
    let c = OAuth2ClientCredentials::new("svc", SECRET, &url).unwrap();
    assert_eq!(c.get_token(false).unwrap().access_token(), "via-localhost");
}

#[test]
fn discovery_keeps_to_one_timeout_across_both_locations() {
    let server = Server::start([
        Reply::delayed(Duration::from_millis(900), Response::new(404)),
        Reply::Hang,
    ]);
    let mut options = ClientOptions::new();
    options.set_timeout(Duration::from_millis(1000)).unwrap();

    let began = Instant::now();
    let e = auth::fetch_oidc_discovery_with_options(&server.base(), &options).unwrap_err();

    assert_eq!(e.kind(), ErrorKind::Transport, "{}", e.message());
    assert!(
        began.elapsed() < Duration::from_millis(1500),
        "{:?}",
        began.elapsed()
    );
}

#[test]
fn a_token_that_happens_to_contain_the_secret_is_returned_unaltered() {
    // Redaction is for messages; what a successful answer says is the
    // caller's, whatever it contains.
    let body = format!(
        r#"{{"access_token":"eyJhbGciOi.{SECRET}.sig","token_type":"Bearer","expires_in":3600}}"#
    );
    let server = Server::start([token(&body)]);
    let t = credentials(&server).get_token(false).unwrap();
    assert_eq!(t.access_token(), format!("eyJhbGciOi.{SECRET}.sig"));
}

#[test]
fn a_common_word_as_secret_does_not_garble_answers() {
    let server = Server::start([token(
        r#"{"access_token":"tok","token_type":"Bearer","scope":"api:read","expires_in":3600}"#,
    )]);
    let c = OAuth2ClientCredentials::new("svc", "Bearer", &server.url("/token")).unwrap();
    let t = c.get_token(false).unwrap();
    assert_eq!((t.token_type(), t.scope()), ("Bearer", Some("api:read")));
}

#[test]
fn the_cached_token_echoed_in_an_error_does_not_show() {
    let cached = "T1_6b86b273ff34fce19d6b804eff5a3f5747ada4ea";
    let server = Server::start([
        token(&format!(r#"{{"access_token":"{cached}","expires_in":3600}}"#)),
        Response::json(
            400,
            &format!(r#"{{"error":"invalid_request","error_description":"token {cached} already issued"}}"#),
        )
        .into(),
    ]);
    let c = credentials(&server);
    c.get_token(false).unwrap();

    let e = c.get_token(true).unwrap_err();

    assert_eq!(e.oauth_error(), Some("invalid_request"));
    assert!(!e.message().contains(cached), "{}", e.message());
    assert!(
        !e.oauth_error_description().unwrap_or("").contains(cached),
        "{:?}",
        e.oauth_error_description()
    );
}

#[test]
fn a_password_in_a_refused_url_is_not_repeated() {
    let e = OAuth2ClientCredentials::new(
        "client",
        "pw",
        "https://client:Sup3rS3cretValue@127.0.0.1:9/token",
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert!(!e.message().contains("Sup3rS3cret"), "{}", e.message());
}
