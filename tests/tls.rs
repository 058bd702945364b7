//! TLS to the token endpoint, against an HTTPS server on loopback whose
//! certificates the tests make themselves.

#[path = "support/scripted.rs"]
mod scripted;
#[path = "support/tls.rs"]
mod tls;

use auth::{ClientOptions, ErrorKind, OAuth2ClientCredentials};
use scripted::{Reply, Response};
use tls::{https_server, TestCa};

fn token() -> Reply {
    Response::json(
        200,
        r#"{"access_token":"at1","token_type":"Bearer","expires_in":3600}"#,
    )
    .into()
}

fn get_token(url: &str, options: &ClientOptions) -> Result<String, auth::Error> {
    OAuth2ClientCredentials::with_options("svc", "secret", url, options)?
        .get_token(false)
        .map(|t| t.access_token().to_owned())
}

#[test]
fn a_certificate_from_an_unknown_ca_is_rejected_by_default_as_a_certificate_problem() {
    let ca = TestCa::new("unknown test CA");
    let server = https_server(&ca, &["127.0.0.1"], [token()]);

    let e = get_token(&server.url("/token"), &ClientOptions::new()).unwrap_err();

    assert_eq!(e.kind(), ErrorKind::Transport);
    assert!(e.message().contains("certificate"), "{}", e.message());
    assert_eq!(server.request_count(), 0);
}

#[test]
fn a_certificate_from_the_ca_file_given_is_accepted() {
    let ca = TestCa::new("given test CA");
    let server = https_server(&ca, &["127.0.0.1"], [token()]);
    let mut options = ClientOptions::new();
    options.set_ca_file(&ca.pem_path);

    let token = get_token(&server.url("/token"), &options).unwrap();

    assert_eq!(token, "at1");
    assert_eq!(server.only_request().path, "/token");
}

#[test]
fn a_certificate_for_another_host_name_is_rejected_even_with_the_right_ca() {
    let ca = TestCa::new("right test CA");
    let server = https_server(&ca, &["other.example"], [token()]);
    let mut options = ClientOptions::new();
    options.set_ca_file(&ca.pem_path);

    let e = get_token(&server.url("/token"), &options).unwrap_err();

    assert_eq!(e.kind(), ErrorKind::Transport);
    assert!(e.message().contains("certificate"), "{}", e.message());
    assert_eq!(server.request_count(), 0);
}

#[test]
fn a_ca_file_replaces_the_system_store_rather_than_adding_to_it() {
    let trusted = TestCa::new("trusted test CA");
    let other = TestCa::new("other test CA");
    let server = https_server(&other, &["127.0.0.1"], [token()]);
    let mut options = ClientOptions::new();
    options.set_ca_file(&trusted.pem_path);

    let e = get_token(&server.url("/token"), &options).unwrap_err();

    assert_eq!(e.kind(), ErrorKind::Transport);
    assert!(e.message().contains("certificate"), "{}", e.message());
}

#[test]
fn a_ca_file_that_holds_no_certificate_is_invalid_argument() {
    let path = std::env::temp_dir().join(format!("auth-test-empty-{}.pem", std::process::id()));
    std::fs::write(&path, "not a certificate\n").unwrap();
    let mut options = ClientOptions::new();
    options.set_ca_file(&path);

    let e =
        OAuth2ClientCredentials::with_options("svc", "secret", "https://127.0.0.1:1/t", &options)
            .unwrap_err();
    std::fs::remove_file(&path).unwrap();

    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
}

#[test]
fn discovery_over_https_uses_the_ca_file_given() {
    let ca = TestCa::new("discovery test CA");
    let server = https_server(&ca, &["127.0.0.1"], Vec::<Reply>::new());
    let issuer = server.base();
    server.push(Response::json(
        200,
        &format!(r#"{{"issuer":"{issuer}","token_endpoint":"{issuer}/token"}}"#),
    ));
    let mut options = ClientOptions::new();
    options.set_ca_file(&ca.pem_path);

    let metadata = auth::fetch_oidc_discovery_with_options(&issuer, &options).unwrap();

    assert_eq!(metadata.token_endpoint(), format!("{issuer}/token"));
}
