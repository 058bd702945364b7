//! OpenID Connect discovery as providers serve it: where the document is
//! looked for, what in it is checked, and how `from_issuer` uses it.

#[path = "support/scripted.rs"]
mod scripted;

use auth::{
    fetch_oidc_discovery, ClientAuthMethod, ClientOptions, ErrorKind, OAuth2ClientCredentials,
};
use scripted::{Reply, Response, Server};

/// A server with nothing scripted yet, so documents can name its address.
fn server() -> Server {
    Server::start(Vec::<Reply>::new())
}

fn document(issuer: &str, token_endpoint: &str) -> Response {
    Response::json(
        200,
        &format!(r#"{{"issuer":"{issuer}","token_endpoint":"{token_endpoint}"}}"#),
    )
}

fn paths(server: &Server) -> Vec<String> {
    server.requests().into_iter().map(|r| r.path).collect()
}

#[test]
fn an_issuer_with_a_trailing_slash_gets_the_document_below_it() {
    let server = server();
    let issuer = server.url("/realms/r1/");
    server.push(document(&issuer, &server.url("/realms/r1/token")));

    let metadata = fetch_oidc_discovery(&issuer).unwrap();

    assert_eq!(
        paths(&server),
        ["/realms/r1/.well-known/openid-configuration"]
    );
    assert_eq!(metadata.issuer(), issuer);
    assert_eq!(metadata.token_endpoint(), server.url("/realms/r1/token"));
}

#[test]
fn an_issuer_given_as_the_document_url_is_used_as_it_is() {
    let server = server();
    let issuer = server.url("/realms/r1");
    server.push(document(&issuer, &server.url("/realms/r1/token")));

    fetch_oidc_discovery(&server.url("/realms/r1/.well-known/openid-configuration")).unwrap();

    assert_eq!(
        paths(&server),
        ["/realms/r1/.well-known/openid-configuration"]
    );
}

#[test]
fn the_document_is_fetched_with_get_asking_for_json() {
    let server = server();
    server.push(document(&server.base(), &server.url("/token")));

    fetch_oidc_discovery(&server.base()).unwrap();

    let request = server.only_request();
    assert_eq!(request.method, "GET");
    assert_eq!(request.path, "/.well-known/openid-configuration");
    assert_eq!(request.header("accept"), Some("application/json"));
}

#[test]
fn a_stated_issuer_differing_only_by_a_trailing_slash_is_accepted() {
    for (requested, stated) in [("/r1", "/r1/"), ("/r1/", "/r1")] {
        let server = server();
        server.push(document(&server.url(stated), &server.url("/token")));

        let metadata = fetch_oidc_discovery(&server.url(requested)).unwrap();

        assert_eq!(metadata.issuer(), server.url(stated));
    }
}

#[test]
fn a_stated_issuer_differing_beyond_a_trailing_slash_is_discovery_naming_both() {
    let server = server();
    let requested = server.url("/realms/r1");
    let stated = server.url("/realms/r2");
    server.push(document(&stated, &server.url("/token")));

    let e = fetch_oidc_discovery(&requested).unwrap_err();

    assert_eq!(e.kind(), ErrorKind::Discovery);
    assert!(e.message().contains(&requested), "{}", e.message());
    assert!(e.message().contains(&stated), "{}", e.message());
}

#[test]
fn a_stated_issuer_with_two_trailing_slashes_is_discovery() {
    let server = server();
    server.push(document(&server.url("/r1//"), &server.url("/token")));

    let e = fetch_oidc_discovery(&server.url("/r1")).unwrap_err();

    assert_eq!(e.kind(), ErrorKind::Discovery);
}

#[test]
fn a_document_without_a_token_endpoint_is_discovery() {
    let server = server();
    server.push(Response::json(
        200,
        &format!(r#"{{"issuer":"{}"}}"#, server.base()),
    ));

    let e = fetch_oidc_discovery(&server.base()).unwrap_err();

    assert_eq!(e.kind(), ErrorKind::Discovery);
    assert!(e.message().contains("token_endpoint"), "{}", e.message());
}

#[test]
fn a_null_token_endpoint_counts_as_absent() {
    let server = server();
    server.push(Response::json(
        200,
        &format!(r#"{{"issuer":"{}","token_endpoint":null}}"#, server.base()),
    ));

    let e = fetch_oidc_discovery(&server.base()).unwrap_err();

    assert_eq!(e.kind(), ErrorKind::Discovery);
}

#[test]
fn a_token_endpoint_that_is_not_a_url_is_discovery() {
    for token_endpoint in ["not a url", "/token", "ftp://127.0.0.1/token"] {
        let server = server();
        server.push(document(&server.base(), token_endpoint));

        let e = fetch_oidc_discovery(&server.base()).unwrap_err();

        assert_eq!(e.kind(), ErrorKind::Discovery, "{token_endpoint}");
    }
}

#[test]
fn a_plaintext_token_endpoint_on_a_non_loopback_host_is_discovery() {
    let server = server();
    server.push(document(&server.base(), "http://idp.example/token"));

    let e = fetch_oidc_discovery(&server.base()).unwrap_err();

    assert_eq!(e.kind(), ErrorKind::Discovery);
    assert!(
        e.message().contains("http://idp.example/token"),
        "{}",
        e.message()
    );
}

#[test]
fn when_the_openid_path_answers_404_the_rfc_8414_path_is_tried() {
    let server = server();
    let issuer = server.url("/realms/r1");
    server.push(Response::typed(404, "text/plain", "not found"));
    server.push(document(&issuer, &server.url("/realms/r1/token")));

    let metadata = fetch_oidc_discovery(&issuer).unwrap();

    assert_eq!(
        paths(&server),
        [
            "/realms/r1/.well-known/openid-configuration",
            "/.well-known/oauth-authorization-server/realms/r1",
        ]
    );
    assert_eq!(metadata.token_endpoint(), server.url("/realms/r1/token"));
}

#[test]
fn other_failures_of_the_openid_path_are_not_retried_on_the_rfc_8414_path() {
    let server = server();
    server.push(Response::typed(500, "text/plain", "down"));

    let e = fetch_oidc_discovery(&server.base()).unwrap_err();

    assert_eq!((e.kind(), e.http_status()), (ErrorKind::Http, Some(500)));
    assert_eq!(paths(&server), ["/.well-known/openid-configuration"]);
}

#[test]
fn a_redirect_of_the_document_is_not_followed() {
    let server = server();
    server.push(Response::new(302).header("Location", "/elsewhere"));

    let e = fetch_oidc_discovery(&server.base()).unwrap_err();

    assert_eq!((e.kind(), e.http_status()), (ErrorKind::Http, Some(302)));
    assert!(e.message().contains("/elsewhere"), "{}", e.message());
    assert_eq!(server.request_count(), 1);
}

#[test]
fn unknown_null_and_malformed_optional_fields_are_ignored() {
    let server = server();
    let base = server.base();
    server.push(Response::json(
        200,
        &format!(
            r#"{{"issuer":"{base}","token_endpoint":"{base}/token","jwks_uri":7,
                "userinfo_endpoint":null,"x-vendor":{{"a":[1,2]}},
                "revocation_endpoint":"{base}/revoke"}}"#
        ),
    ));

    let metadata = fetch_oidc_discovery(&base).unwrap();

    assert_eq!(metadata.jwks_uri(), None);
    assert_eq!(metadata.userinfo_endpoint(), None);
    assert_eq!(
        metadata.revocation_endpoint(),
        Some(format!("{base}/revoke").as_str())
    );
}

// `from_issuer`.

fn provider_listing(server: &Server, methods: Option<&str>) {
    let base = server.base();
    let methods = methods
        .map(|m| format!(r#","token_endpoint_auth_methods_supported":{m}"#))
        .unwrap_or_default();
    server.push(Response::json(
        200,
        &format!(r#"{{"issuer":"{base}","token_endpoint":"{base}/oauth/token"{methods}}}"#),
    ));
    server.push(Response::json(
        200,
        r#"{"access_token":"at1","expires_in":3600}"#,
    ));
}

fn token_request_from_issuer(methods: Option<&str>, options: &ClientOptions) -> scripted::Request {
    let server = server();
    provider_listing(&server, methods);

    let credentials =
        OAuth2ClientCredentials::from_issuer(&server.base(), "svc", "pw", options).unwrap();
    credentials.get_token(false).unwrap();

    assert_eq!(credentials.token_endpoint(), server.url("/oauth/token"));
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    requests[1].clone()
}

#[test]
fn from_issuer_sends_token_requests_to_the_discovered_endpoint_with_the_options_given() {
    let mut options = ClientOptions::new();
    options.set_scope("api:read").unwrap();
    options.set_audience("urn:api").unwrap();

    let request = token_request_from_issuer(None, &options);

    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("POST", "/oauth/token")
    );
    assert_eq!(request.field("scope").as_deref(), Some("api:read"));
    assert_eq!(request.field("audience").as_deref(), Some("urn:api"));
}

#[test]
fn from_issuer_uses_post_when_the_provider_lists_only_client_secret_post() {
    let request =
        token_request_from_issuer(Some(r#"["client_secret_post"]"#), &ClientOptions::new());

    assert_eq!(request.header("authorization"), None);
    assert_eq!(request.field("client_id").as_deref(), Some("svc"));
    assert_eq!(request.field("client_secret").as_deref(), Some("pw"));
}

#[test]
fn from_issuer_uses_basic_when_the_provider_lists_it_among_others() {
    let request = token_request_from_issuer(
        Some(r#"["private_key_jwt","client_secret_post","client_secret_basic"]"#),
        &ClientOptions::new(),
    );

    assert_eq!(request.header("authorization"), Some("Basic c3ZjOnB3"));
    assert_eq!(request.field("client_secret"), None);
}

#[test]
fn from_issuer_uses_basic_when_the_provider_lists_no_methods() {
    let request = token_request_from_issuer(None, &ClientOptions::new());

    assert_eq!(request.header("authorization"), Some("Basic c3ZjOnB3"));
    assert_eq!(request.field("client_secret"), None);
}

#[test]
fn from_issuer_keeps_an_explicit_method_whatever_the_provider_lists() {
    let mut options = ClientOptions::new();
    options.set_auth_method(ClientAuthMethod::ClientSecretPost);

    let request = token_request_from_issuer(Some(r#"["client_secret_basic"]"#), &options);

    assert_eq!(request.header("authorization"), None);
    assert_eq!(request.field("client_secret").as_deref(), Some("pw"));
}

#[test]
fn from_issuer_fails_with_discovery_before_any_token_request_when_the_document_is_unusable() {
    let server = server();
    server.push(document(&server.url("/other"), &server.url("/token")));

    let e =
        OAuth2ClientCredentials::from_issuer(&server.base(), "svc", "pw", &ClientOptions::new())
            .unwrap_err();

    assert_eq!(e.kind(), ErrorKind::Discovery);
    assert_eq!(paths(&server), ["/.well-known/openid-configuration"]);
}
