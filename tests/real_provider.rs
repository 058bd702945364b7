//! The library against a real OpenID provider: `oidc-provider` from
//! `tests/provider`, started on loopback for each test so that its request
//! counters belong to that test alone.

#[path = "support/provider.rs"]
mod provider;

use auth::{ClientAuthMethod, ClientOptions, ErrorKind, OAuth2ClientCredentials};
use provider::{
    Provider, BASIC_CLIENT_ID, BASIC_CLIENT_SECRET, POST_CLIENT_ID, POST_CLIENT_SECRET,
};
use std::sync::Barrier;

fn basic_credentials(p: &Provider) -> OAuth2ClientCredentials {
    OAuth2ClientCredentials::new(BASIC_CLIENT_ID, BASIC_CLIENT_SECRET, &p.token_endpoint())
        .expect("credentials for basic-client")
}

#[test]
fn client_secret_basic_gets_a_token() {
    let p = Provider::start();
    let credentials = basic_credentials(&p);

    let token = credentials.get_token(false).expect("token");

    assert!(!token.access_token().is_empty());
    assert_eq!(token.token_type(), "Bearer");
    let lifetime = (token.expires_at() - chrono::Utc::now()).num_seconds();
    assert!((590..=600).contains(&lifetime), "lifetime {lifetime} s");
    assert_eq!(p.stats().token_successes, 1);
}

#[test]
fn client_secret_post_gets_a_token() {
    let p = Provider::start();
    let mut options = ClientOptions::new();
    options.set_auth_method(ClientAuthMethod::ClientSecretPost);
    let credentials = OAuth2ClientCredentials::with_options(
        POST_CLIENT_ID,
        POST_CLIENT_SECRET,
        &p.token_endpoint(),
        &options,
    )
    .expect("credentials for post-client");

    // The provider refuses post-client unless its secret is in the body.
    let token = credentials.get_token(false).expect("token");

    assert!(!token.access_token().is_empty());
    assert_eq!(p.stats().token_successes, 1);
}

#[test]
fn discovery_returns_the_provider_metadata() {
    let p = Provider::start();

    let metadata = auth::fetch_oidc_discovery(p.issuer()).expect("discovery");

    assert_eq!(metadata.issuer(), p.issuer());
    assert_eq!(metadata.token_endpoint(), p.token_endpoint());
    assert_eq!(
        metadata.jwks_uri(),
        Some(format!("{}/jwks", p.issuer()).as_str())
    );
    assert!(metadata.raw_json().contains("\"token_endpoint\""));
}

#[test]
fn from_issuer_picks_client_secret_basic() {
    let p = Provider::start();

    let credentials = OAuth2ClientCredentials::from_issuer(
        p.issuer(),
        BASIC_CLIENT_ID,
        BASIC_CLIENT_SECRET,
        &ClientOptions::new(),
    )
    .expect("credentials by discovery");

    assert_eq!(
        credentials.auth_method(),
        ClientAuthMethod::ClientSecretBasic
    );
    assert_eq!(credentials.token_endpoint(), p.token_endpoint());
    // basic-client is accepted only with a Basic header.
    credentials.get_token(false).expect("token");
    assert_eq!(p.stats().token_successes, 1);
}

#[test]
fn wrong_secret_is_an_invalid_client_oauth_error() {
    let p = Provider::start();
    let credentials =
        OAuth2ClientCredentials::new(BASIC_CLIENT_ID, "not-the-secret-4711", &p.token_endpoint())
            .expect("credentials");

    let error = credentials
        .get_token(false)
        .expect_err("a wrong secret fails");

    assert_eq!(error.kind(), ErrorKind::OAuth);
    assert_eq!(error.oauth_error(), Some("invalid_client"));
    assert_eq!(error.http_status(), Some(401));
    assert!(!error.message().contains("not-the-secret-4711"));
    // 401 is never retried.
    assert_eq!(p.stats().token_requests, 1);
}

#[test]
fn second_call_is_served_from_the_cache() {
    let p = Provider::start();
    let credentials = basic_credentials(&p);
    let first = credentials.get_token(false).expect("first token");
    assert_eq!(p.stats().token_requests, 1);

    let second = credentials.get_token(false).expect("second token");

    assert_eq!(second.access_token(), first.access_token());
    assert_eq!(p.stats().token_requests, 1);
}

#[test]
fn force_refresh_sends_exactly_one_more_request() {
    let p = Provider::start();
    let credentials = basic_credentials(&p);
    let first = credentials.get_token(false).expect("first token");

    let refreshed = credentials.get_token(true).expect("refreshed token");

    assert_ne!(refreshed.access_token(), first.access_token());
    assert_eq!(p.stats().token_requests, 2);
    let after = credentials.get_token(false).expect("cached token");
    assert_eq!(after.access_token(), refreshed.access_token());
    assert_eq!(p.stats().token_requests, 2);
}

#[test]
fn thirty_two_threads_on_an_empty_cache_send_one_request() {
    const THREADS: usize = 32;
    let p = Provider::start();
    p.reset();
    let credentials = basic_credentials(&p);
    let start = Barrier::new(THREADS);

    let tokens: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..THREADS)
            .map(|_| {
                s.spawn(|| {
                    start.wait();
                    let token = credentials.get_token(false).expect("token");
                    token.access_token().to_owned()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });

    assert!(
        tokens.iter().all(|t| t == &tokens[0]),
        "threads got different tokens"
    );
    assert_eq!(p.stats().token_requests, 1);
    assert_eq!(p.stats().token_successes, 1);
}

fn basic_credentials_with_scope(p: &Provider, scope: &str) -> OAuth2ClientCredentials {
    let mut options = ClientOptions::new();
    options.set_scope(scope).expect("scope");
    OAuth2ClientCredentials::with_options(
        BASIC_CLIENT_ID,
        BASIC_CLIENT_SECRET,
        &p.token_endpoint(),
        &options,
    )
    .expect("credentials")
}

#[test]
fn requested_scope_is_granted() {
    let p = Provider::start();
    let credentials = basic_credentials_with_scope(&p, "api:read api:write");

    let token = credentials.get_token(false).expect("token");

    assert_eq!(token.scope(), Some("api:read api:write"));
}

#[test]
fn unknown_scope_is_dropped_by_the_provider() {
    let p = Provider::start();
    let credentials = basic_credentials_with_scope(&p, "api:read api:delete");

    // A granted scope narrower than the requested one is still success.
    let token = credentials.get_token(false).expect("token");

    assert_eq!(token.scope(), Some("api:read"));
}
