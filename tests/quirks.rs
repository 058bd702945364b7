//! What real token endpoints send, and what the library makes of it: each
//! provider quirk as a request to a scripted loopback server, with the input
//! in the test and the right outcome asserted.

#[path = "support/scripted.rs"]
mod scripted;

use auth::{
    ClientAuthMethod, ClientOptions, Clock, ErrorKind, ManualClock, OAuth2ClientCredentials,
};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use chrono::{DateTime, Utc};
use scripted::{Reply, Response, Server};
use std::sync::Arc;
use std::time::{Duration, Instant};

const START: i64 = 1_700_000_000;

fn start() -> DateTime<Utc> {
    DateTime::from_timestamp(START, 0).unwrap()
}

/// Options on a manual clock, and the hand that moves it.
fn manual_options() -> (ClientOptions, Arc<ManualClock>) {
    let (clock, hand) = Clock::manual(start());
    let mut options = ClientOptions::new();
    options.set_clock(clock);
    (options, hand)
}

fn credentials(server: &Server, options: &ClientOptions) -> OAuth2ClientCredentials {
    OAuth2ClientCredentials::with_options(
        "svc client",
        "p+ss:w/rd=",
        &server.url("/token"),
        options,
    )
    .unwrap()
}

fn token(body: &str) -> Reply {
    Response::json(200, body).into()
}

fn at1(expires_in: u32) -> Reply {
    token(&format!(
        r#"{{"access_token":"at1","token_type":"Bearer","expires_in":{expires_in}}}"#
    ))
}

fn jwt(claims: &str) -> String {
    format!(
        "{}.{}.c2ln",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(claims)
    )
}

// Token requests.

#[test]
fn client_secret_basic_form_encodes_id_and_secret_before_base64() {
    let server = Server::start([at1(3600)]);
    let (options, _) = manual_options();

    credentials(&server, &options).get_token(false).unwrap();

    let request = server.only_request();
    assert_eq!(
        request.header("authorization"),
        Some("Basic c3ZjK2NsaWVudDpwJTJCc3MlM0F3JTJGcmQlM0Q=")
    );
    assert_eq!(request.field("client_secret"), None);
}

#[test]
fn client_secret_basic_raw_sends_id_and_secret_unchanged() {
    let server = Server::start([at1(3600)]);
    let (mut options, _) = manual_options();
    options.set_auth_method(ClientAuthMethod::ClientSecretBasicRaw);

    credentials(&server, &options).get_token(false).unwrap();

    let expected = format!("Basic {}", STANDARD.encode("svc client:p+ss:w/rd="));
    assert_eq!(
        server.only_request().header("authorization"),
        Some(expected.as_str())
    );
}

#[test]
fn client_secret_post_sends_the_credentials_only_in_the_body() {
    let server = Server::start([at1(3600)]);
    let (mut options, _) = manual_options();
    options.set_auth_method(ClientAuthMethod::ClientSecretPost);

    credentials(&server, &options).get_token(false).unwrap();

    let request = server.only_request();
    assert_eq!(request.header("authorization"), None);
    assert_eq!(request.field("client_id").as_deref(), Some("svc client"));
    assert_eq!(
        request.field("client_secret").as_deref(),
        Some("p+ss:w/rd=")
    );
    assert_eq!(
        request.field("grant_type").as_deref(),
        Some("client_credentials")
    );
}

#[test]
fn scopes_are_one_space_delimited_form_field() {
    let server = Server::start([at1(3600)]);
    let (mut options, _) = manual_options();
    options.set_scope("read:a write:b").unwrap();

    credentials(&server, &options).get_token(false).unwrap();

    let request = server.only_request();
    assert!(
        request.body_text().contains("scope=read%3Aa+write%3Ab"),
        "{}",
        request.body_text()
    );
    assert_eq!(request.fields("scope"), ["read:a write:b"]);
}

#[test]
fn no_scope_field_is_sent_when_none_is_set() {
    let server = Server::start([at1(3600)]);
    let (options, _) = manual_options();

    credentials(&server, &options).get_token(false).unwrap();

    let request = server.only_request();
    assert_eq!(request.fields("scope"), Vec::<String>::new());
    assert_eq!(request.body_text(), "grant_type=client_credentials");
}

#[test]
fn audience_and_extra_parameters_are_form_encoded_once() {
    let server = Server::start([at1(3600)]);
    let (mut options, _) = manual_options();
    options
        .set_audience("https://api.example/v1?x=1&y=%41")
        .unwrap();
    options.add_parameter("resource", "urn:a b+c").unwrap();

    credentials(&server, &options).get_token(false).unwrap();

    let request = server.only_request();
    let body = request.body_text();
    assert!(
        body.contains("audience=https%3A%2F%2Fapi.example%2Fv1%3Fx%3D1%26y%3D%2541"),
        "{body}"
    );
    assert!(body.contains("resource=urn%3Aa+b%2Bc"), "{body}");
    assert_eq!(
        request.field("audience").as_deref(),
        Some("https://api.example/v1?x=1&y=%41")
    );
    assert_eq!(request.field("resource").as_deref(), Some("urn:a b+c"));
}

#[test]
fn connections_are_kept_alive_between_requests() {
    let server = Server::start([at1(3600), at1(3600), at1(3600)]);
    let (options, _) = manual_options();
    let credentials = credentials(&server, &options);

    for _ in 0..3 {
        credentials.get_token(true).unwrap();
    }

    assert_eq!(server.request_count(), 3);
    assert_eq!(server.connection_count(), 1);
}

// Reading token responses.

#[test]
fn expires_in_as_a_numeric_string_is_accepted() {
    let server = Server::start([token(
        r#"{"access_token":"at1","token_type":"Bearer","expires_in":"3600"}"#,
    )]);
    let (options, _) = manual_options();

    let token = credentials(&server, &options).get_token(false).unwrap();

    assert_eq!(token.access_token(), "at1");
    assert_eq!(token.expires_at().timestamp(), START + 3600);
}

#[test]
fn expires_in_that_is_not_a_number_is_invalid_response_naming_the_field() {
    let server = Server::start([token(
        r#"{"access_token":"at1","token_type":"Bearer","expires_in":"soon"}"#,
    )]);
    let (options, _) = manual_options();

    let e = credentials(&server, &options).get_token(false).unwrap_err();

    assert_eq!(e.kind(), ErrorKind::InvalidResponse);
    assert!(e.message().contains("expires_in"), "{}", e.message());
}

#[test]
fn without_expires_in_the_lifetime_is_exp_minus_iat_of_a_jwt() {
    let access_token = jwt(r#"{"sub":"svc","iat":1600000000,"exp":1600000900}"#);
    let server = Server::start([token(&format!(
        r#"{{"access_token":"{access_token}","token_type":"Bearer"}}"#
    ))]);
    let (options, hand) = manual_options();
    let credentials = credentials(&server, &options);

    let first = credentials.get_token(false).unwrap();
    for _ in 0..9 {
        hand.advance(Duration::from_secs(10));
        assert_eq!(
            credentials.get_token(false).unwrap().access_token(),
            access_token
        );
    }

    assert_eq!(first.expires_at().timestamp(), START + 900);
    assert_eq!(server.request_count(), 1);
}

#[test]
fn without_expires_in_an_opaque_token_lives_3600_seconds() {
    let server = Server::start([token(r#"{"access_token":"at1","token_type":"Bearer"}"#)]);
    let (options, hand) = manual_options();
    let credentials = credentials(&server, &options);

    let first = credentials.get_token(false).unwrap();
    for _ in 0..9 {
        hand.advance(Duration::from_secs(60));
        credentials.get_token(false).unwrap();
    }

    assert_eq!(first.expires_at().timestamp(), START + 3600);
    assert_eq!(server.request_count(), 1);
}

#[test]
fn a_jwt_without_iat_falls_back_to_3600_seconds() {
    let access_token = jwt(r#"{"sub":"svc","exp":1600000900}"#);
    let server = Server::start([token(&format!(r#"{{"access_token":"{access_token}"}}"#))]);
    let (options, _) = manual_options();

    let token = credentials(&server, &options).get_token(false).unwrap();

    assert_eq!(token.expires_at().timestamp(), START + 3600);
}

#[test]
fn a_120_second_token_is_reused_for_60_seconds_with_the_default_margin() {
    let server = Server::start([at1(120), at1(120)]);
    let (options, hand) = manual_options();
    let credentials = credentials(&server, &options);

    for _ in 0..10 {
        credentials.get_token(false).unwrap();
        hand.advance(Duration::from_secs(3));
    }
    assert_eq!(server.request_count(), 1, "ten calls within 30 s");

    hand.advance(Duration::from_millis(29_900)); // 59.9 s after the request
    credentials.get_token(false).unwrap();
    assert_eq!(server.request_count(), 1, "still reused just before 60 s");

    hand.advance(Duration::from_millis(100));
    credentials.get_token(false).unwrap();
    assert_eq!(server.request_count(), 2, "renewed at 60 s");
}

#[test]
fn an_oauth_error_with_status_200_is_oauth_and_nothing_is_cached() {
    let body = r#"{"error":"invalid_client","error_description":"bad secret"}"#;
    let server = Server::start([token(body), at1(3600)]);
    let (options, _) = manual_options();
    let credentials = credentials(&server, &options);

    let e = credentials.get_token(false).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::OAuth);
    assert_eq!(e.oauth_error(), Some("invalid_client"));
    assert_eq!(e.oauth_error_description(), Some("bad secret"));
    assert_eq!(e.http_status(), Some(200));

    assert_eq!(credentials.get_token(false).unwrap().access_token(), "at1");
    assert_eq!(server.request_count(), 2);
}

#[test]
fn html_labelled_json_with_status_200_is_invalid_response_with_a_preview() {
    let server = Server::start([Response::json(200, "<!DOCTYPE html><title>Blocked</title>")]);
    let (options, _) = manual_options();

    let e = credentials(&server, &options).get_token(false).unwrap_err();

    assert_eq!(e.kind(), ErrorKind::InvalidResponse);
    assert_eq!(e.http_status(), Some(200));
    for part in ["200", "application/json", "<title>Blocked</title>"] {
        assert!(e.message().contains(part), "{part} in {}", e.message());
    }
}

#[test]
fn a_502_html_page_is_http_error_with_status_content_type_and_preview() {
    let server = Server::start([Response::typed(
        502,
        "text/html; charset=iso-8859-1",
        "<html><h1>502 Bad Gateway</h1></html>",
    )])
    .repeat_last();
    let (options, _) = manual_options();

    let e = credentials(&server, &options).get_token(false).unwrap_err();

    assert_eq!(e.kind(), ErrorKind::Http);
    assert_eq!(e.http_status(), Some(502));
    for part in ["502", "text/html", "<h1>502 Bad Gateway</h1>"] {
        assert!(e.message().contains(part), "{part} in {}", e.message());
    }
}

#[test]
fn server_errors_are_retried_at_most_twice() {
    let server = Server::start([Response::typed(500, "text/plain", "oops")]).repeat_last();
    let (options, _) = manual_options();

    let e = credentials(&server, &options).get_token(false).unwrap_err();

    assert_eq!(e.http_status(), Some(500));
    assert_eq!(server.request_count(), 3);
}

#[test]
fn a_502_then_a_token_succeeds_on_the_retry() {
    let server = Server::start([
        Response::typed(502, "text/html", "<h1>down</h1>").into(),
        at1(3600),
    ]);
    let (options, _) = manual_options();

    let token = credentials(&server, &options).get_token(false).unwrap();

    assert_eq!(token.access_token(), "at1");
    assert_eq!(server.request_count(), 2);
}

#[test]
fn client_errors_are_never_retried() {
    for status in [400, 401, 403] {
        let server = Server::start([Response::typed(status, "text/plain", "no")]).repeat_last();
        let (options, _) = manual_options();

        let e = credentials(&server, &options).get_token(false).unwrap_err();

        assert_eq!((e.kind(), e.http_status()), (ErrorKind::Http, Some(status)));
        assert_eq!(server.request_count(), 1, "HTTP {status}");
    }
}

#[test]
fn json_labelled_text_plain_with_status_400_is_read_as_an_oauth_error() {
    let server = Server::start([Response::typed(
        400,
        "text/plain; charset=utf-8",
        r#"{"error":"invalid_request"}"#,
    )]);
    let (options, _) = manual_options();

    let e = credentials(&server, &options).get_token(false).unwrap_err();

    assert_eq!(e.kind(), ErrorKind::OAuth);
    assert_eq!(e.oauth_error(), Some("invalid_request"));
    assert_eq!(e.http_status(), Some(400));
}

#[test]
fn a_form_encoded_token_response_is_accepted() {
    let server = Server::start([Response::typed(
        200,
        "application/x-www-form-urlencoded",
        "access_token=at1&token_type=bearer&expires_in=3600",
    )]);
    let (options, _) = manual_options();

    let token = credentials(&server, &options).get_token(false).unwrap();

    assert_eq!(token.access_token(), "at1");
    assert_eq!(token.token_type(), "bearer");
    assert_eq!(token.expires_at().timestamp(), START + 3600);
}

#[test]
fn token_type_is_returned_as_sent_whatever_its_case() {
    for sent in ["bearer", "BEARER", "Bearer"] {
        let server = Server::start([token(&format!(
            r#"{{"access_token":"at1","token_type":"{sent}","expires_in":3600}}"#
        ))]);
        let (options, _) = manual_options();

        let token = credentials(&server, &options).get_token(false).unwrap();

        assert_eq!(token.token_type(), sent);
    }
}

#[test]
fn an_absent_token_type_reads_as_bearer() {
    let server = Server::start([token(r#"{"access_token":"at1","expires_in":3600}"#)]);
    let (options, _) = manual_options();

    let token = credentials(&server, &options).get_token(false).unwrap();

    assert_eq!(token.token_type(), "Bearer");
}

// Transport.

fn too_many_requests() -> Reply {
    Response::typed(429, "text/plain", "Too Many Requests")
        .header("Retry-After", "60")
        .into()
}

#[test]
fn retry_after_60_beyond_the_30_s_timeout_fails_at_once_naming_the_wait() {
    let server = Server::start([too_many_requests()]);
    let credentials =
        OAuth2ClientCredentials::new("svc client", "p+ss:w/rd=", &server.url("/token")).unwrap();

    let began = Instant::now();
    let e = credentials.get_token(false).unwrap_err();

    assert!(
        began.elapsed() < Duration::from_secs(20),
        "did not wait for the timeout"
    );
    assert_eq!((e.kind(), e.http_status()), (ErrorKind::Http, Some(429)));
    assert_eq!(e.retry_after(), Some(Duration::from_secs(60)));
    assert!(e.message().contains("60 s"), "{}", e.message());
    assert_eq!(server.request_count(), 1);
}

#[test]
fn after_429_with_retry_after_60_nothing_is_sent_until_60_s_pass() {
    let server = Server::start([too_many_requests(), at1(3600)]);
    let (options, hand) = manual_options();
    let credentials = credentials(&server, &options);

    credentials.get_token(false).unwrap_err();
    hand.advance(Duration::from_secs(59));
    let held_back = credentials.get_token(false).unwrap_err();
    let forced = credentials.get_token(true).unwrap_err();
    assert_eq!(server.request_count(), 1);
    assert!(
        held_back.message().contains("wait"),
        "{}",
        held_back.message()
    );
    assert_eq!(forced.kind(), ErrorKind::Http);

    hand.advance(Duration::from_secs(1));
    assert_eq!(credentials.get_token(false).unwrap().access_token(), "at1");
    assert_eq!(server.request_count(), 2);
}

#[test]
fn a_503_with_retry_after_1_is_waited_for_then_retried_once() {
    let server = Server::start([
        Response::typed(503, "text/plain", "busy")
            .header("Retry-After", "1")
            .into(),
        at1(3600),
    ]);
    let mut options = ClientOptions::new();
    options.set_timeout(Duration::from_secs(10)).unwrap();

    let began = Instant::now();
    let token = credentials(&server, &options).get_token(false).unwrap();

    assert!(
        began.elapsed() >= Duration::from_secs(1),
        "{:?}",
        began.elapsed()
    );
    assert_eq!(token.access_token(), "at1");
    assert_eq!(server.request_count(), 2);
}

#[test]
fn a_server_that_never_answers_releases_every_waiting_thread_with_transport() {
    let server = Server::start([Reply::Hang]);
    let mut options = ClientOptions::new();
    options.set_timeout(Duration::from_millis(1500)).unwrap();
    let credentials = credentials(&server, &options);

    let outcomes: Vec<_> = std::thread::scope(|s| {
        let waiting: Vec<_> = (0..4)
            .map(|_| {
                s.spawn(|| {
                    credentials
                        .get_token(false)
                        .map(|t| t.access_token().to_owned())
                })
            })
            .collect();
        waiting.into_iter().map(|t| t.join().unwrap()).collect()
    });

    for outcome in outcomes {
        let e = outcome.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Transport, "{}", e.message());
    }
    assert_eq!(server.request_count(), 1);
}

#[test]
fn renewal_after_expiry_is_a_new_client_credentials_request_with_the_same_parameters() {
    let server = Server::start([at1(60), at1(60)]);
    let (mut options, hand) = manual_options();
    options.set_scope("read:a").unwrap();
    options.set_audience("https://api.example").unwrap();
    let credentials = credentials(&server, &options);

    credentials.get_token(false).unwrap();
    hand.advance(Duration::from_secs(61));
    credentials.get_token(false).unwrap();

    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let (first, second) = (&requests[0], &requests[1]);
    assert_eq!(
        second.field("grant_type").as_deref(),
        Some("client_credentials")
    );
    assert_eq!(second.field("refresh_token"), None);
    assert_eq!(
        second.field("audience").as_deref(),
        Some("https://api.example")
    );
    assert_eq!(second.field("scope").as_deref(), Some("read:a"));
    assert_eq!(
        second.header("authorization"),
        first.header("authorization")
    );
    assert!(second.header("authorization").is_some());
    assert_eq!(second.body, first.body);
}

#[test]
fn a_failing_refresh_serves_the_cached_token_and_holds_off_for_30_s() {
    let server =
        Server::start([at1(1000), Response::typed(503, "text/plain", "down").into()]).repeat_last();
    let (options, hand) = manual_options();
    let credentials = credentials(&server, &options);
    credentials.get_token(false).unwrap();
    hand.advance(Duration::from_secs(800)); // 200 s left, inside the 300 s margin

    for _ in 0..100 {
        assert_eq!(credentials.get_token(false).unwrap().access_token(), "at1");
        hand.advance(Duration::from_millis(100));
    }
    assert_eq!(server.request_count(), 2, "one refresh attempt in 10 s");

    hand.advance(Duration::from_secs(20)); // 30 s after the failed attempt
    assert_eq!(credentials.get_token(false).unwrap().access_token(), "at1");
    assert_eq!(server.request_count(), 3);
}

#[test]
fn a_301_to_another_path_is_not_followed() {
    let server = Server::start([Response::new(301).header("Location", "/token/")]);
    let (options, _) = manual_options();

    let e = credentials(&server, &options).get_token(false).unwrap_err();

    assert_eq!((e.kind(), e.http_status()), (ErrorKind::Http, Some(301)));
    assert!(e.message().contains("301"), "{}", e.message());
    assert!(e.message().contains("/token/"), "{}", e.message());
    assert_eq!(server.request_count(), 1);
}

#[test]
fn a_307_to_another_host_is_not_followed_and_nothing_reaches_it() {
    let other = Server::start_on("127.0.0.2", [at1(3600)]);
    let location = other.url("/token");
    let server = Server::start([Response::new(307).header("Location", &location)]);
    let (options, _) = manual_options();

    let e = credentials(&server, &options).get_token(false).unwrap_err();

    assert_eq!((e.kind(), e.http_status()), (ErrorKind::Http, Some(307)));
    assert!(e.message().contains("307"), "{}", e.message());
    assert!(e.message().contains(&location), "{}", e.message());
    assert_eq!(other.request_count(), 0);
    assert_eq!(other.connection_count(), 0);
}

#[test]
fn a_connection_closed_without_an_answer_is_retried() {
    let server = Server::start([Reply::Close, at1(3600)]);
    let (options, _) = manual_options();

    let token = credentials(&server, &options).get_token(false).unwrap();

    assert_eq!(token.access_token(), "at1");
    assert_eq!(server.request_count(), 2);
}

#[test]
fn a_body_cut_short_by_a_reset_is_transport() {
    let body = r#"{"access_token":"at1","token_type":"Bearer","expires_in":3600}"#;
    let server = Server::start([Reply::ResetInBody(Response::json(200, body))]).repeat_last();
    let (options, _) = manual_options();

    let e = credentials(&server, &options).get_token(false).unwrap_err();

    assert_eq!(e.kind(), ErrorKind::Transport, "{}", e.message());
    assert_eq!(server.request_count(), 3);
}

#[test]
fn a_reset_in_the_middle_of_the_headers_is_transport() {
    let server = Server::start([Reply::ResetInHeaders]).repeat_last();
    let (options, _) = manual_options();

    let e = credentials(&server, &options).get_token(false).unwrap_err();

    assert_eq!(e.kind(), ErrorKind::Transport, "{}", e.message());
}

#[test]
fn a_chunked_body_that_never_ends_runs_out_the_timeout_as_transport() {
    let server = Server::start([Reply::ChunkedWithoutEnd(Response::json(
        200,
        r#"{"access_token""#,
    ))]);
    let mut options = ClientOptions::new();
    options.set_timeout(Duration::from_millis(800)).unwrap();

    let e = credentials(&server, &options).get_token(false).unwrap_err();

    assert_eq!(e.kind(), ErrorKind::Transport, "{}", e.message());
    assert_eq!(server.request_count(), 1);
}

#[test]
fn an_answer_trickling_in_within_the_timeout_is_read_whole() {
    let server = Server::start([Reply::Trickle {
        response: Response::json(200, r#"{"access_token":"at1","expires_in":3600}"#),
        chunk: 7,
        pause: Duration::from_millis(5),
    }]);
    let (options, _) = manual_options();

    let token = credentials(&server, &options).get_token(false).unwrap();

    assert_eq!(token.access_token(), "at1");
}

#[test]
fn a_kept_alive_connection_the_server_has_since_closed_does_not_fail_the_refresh() {
    let server = Server::start([
        Reply::RespondAndClose(Response::json(
            200,
            r#"{"access_token":"at1","expires_in":1000}"#,
        )),
        at2(1000),
    ]);
    let (options, hand) = manual_options();
    let credentials = credentials(&server, &options);
    credentials.get_token(false).unwrap();
    std::thread::sleep(Duration::from_millis(100)); // the close reaches the client

    hand.advance(Duration::from_secs(800)); // inside the margin, cached token still valid
    let renewed = credentials.get_token(false).unwrap();

    assert_eq!(renewed.access_token(), "at2");
    assert_eq!(server.request_count(), 2);
}

fn at2(expires_in: u32) -> Reply {
    token(&format!(
        r#"{{"access_token":"at2","expires_in":{expires_in}}}"#
    ))
}

#[test]
fn a_503_with_retry_after_beyond_the_timeout_fails_at_once() {
    let server =
        Server::start([Response::typed(503, "text/plain", "busy").header("Retry-After", "60")]);
    let mut options = ClientOptions::new();
    options.set_timeout(Duration::from_secs(5)).unwrap();

    let began = Instant::now();
    let e = credentials(&server, &options).get_token(false).unwrap_err();

    assert!(
        began.elapsed() < Duration::from_secs(4),
        "{:?}",
        began.elapsed()
    );
    assert_eq!((e.kind(), e.http_status()), (ErrorKind::Http, Some(503)));
    assert!(e.message().contains("60 s"), "{}", e.message());
    assert_eq!(server.request_count(), 1);
}

#[test]
fn retry_after_as_an_http_date_is_honoured() {
    // The manual clock starts at 2023-11-14T22:13:20Z; the date is 90 s later.
    let server = Server::start([
        Response::typed(429, "text/plain", "slow down")
            .header("Retry-After", "Tue, 14 Nov 2023 22:14:50 GMT")
            .into(),
        at1(3600),
    ]);
    let (options, hand) = manual_options();
    let credentials = credentials(&server, &options);

    let e = credentials.get_token(false).unwrap_err();
    assert_eq!(e.retry_after(), Some(Duration::from_secs(90)));
    hand.advance(Duration::from_secs(89));
    credentials.get_token(false).unwrap_err();
    assert_eq!(server.request_count(), 1);

    hand.advance(Duration::from_secs(1));
    credentials.get_token(false).unwrap();
    assert_eq!(server.request_count(), 2);
}

#[test]
fn any_2xx_status_with_a_token_is_success() {
    let server = Server::start([Response::json(
        201,
        r#"{"access_token":"at1","expires_in":3600}"#,
    )]);
    let (options, _) = manual_options();

    let token = credentials(&server, &options).get_token(false).unwrap();

    assert_eq!(token.access_token(), "at1");
}

#[test]
fn null_expires_in_and_token_type_count_as_absent() {
    let server = Server::start([token(
        r#"{"access_token":"at1","token_type":null,"expires_in":null}"#,
    )]);
    let (options, _) = manual_options();

    let token = credentials(&server, &options).get_token(false).unwrap();

    assert_eq!(token.token_type(), "Bearer");
    assert_eq!(token.expires_at().timestamp(), START + 3600);
}

#[test]
fn a_token_with_expires_in_0_is_returned_once_and_never_reused() {
    let server = Server::start([at1(0), at2(0)]);
    let (options, _) = manual_options();
    let credentials = credentials(&server, &options);

    assert_eq!(credentials.get_token(false).unwrap().access_token(), "at1");
    assert_eq!(credentials.get_token(false).unwrap().access_token(), "at2");
    assert_eq!(server.request_count(), 2);
}

#[test]
fn an_answer_slower_than_the_timeout_is_transport_and_not_retried() {
    let server = Server::start([Reply::delayed(Duration::from_secs(3), at1(3600))]);
    let mut options = ClientOptions::new();
    options.set_timeout(Duration::from_millis(800)).unwrap();

    let e = credentials(&server, &options).get_token(false).unwrap_err();

    assert_eq!(e.kind(), ErrorKind::Transport, "{}", e.message());
    assert_eq!(server.request_count(), 1);
}

#[test]
fn an_answer_delayed_within_the_timeout_is_accepted() {
    let server = Server::start([Reply::delayed(Duration::from_millis(200), at1(3600))]);
    let mut options = ClientOptions::new();
    options.set_timeout(Duration::from_secs(5)).unwrap();

    let token = credentials(&server, &options).get_token(false).unwrap();

    assert_eq!(token.access_token(), "at1");
}
