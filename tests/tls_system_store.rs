//! The system trust store is what TLS uses when no CA file is given.
//!
//! The library reads the system store once per process, and
//! rustls-native-certs reads `SSL_CERT_FILE` in its place when set, so this
//! binary points it at a test CA before the first handle is made and holds
//! a single test.

#[path = "support/scripted.rs"]
mod scripted;
#[path = "support/tls.rs"]
mod tls;

use auth::{ClientOptions, OAuth2ClientCredentials};
use scripted::Response;
use tls::{https_server, TestCa};

#[test]
fn the_system_store_is_used_when_no_ca_file_is_set() {
    let ca = TestCa::new("system store test CA");
    std::env::set_var("SSL_CERT_FILE", &ca.pem_path);
    std::env::remove_var("SSL_CERT_DIR");
    let server = https_server(
        &ca,
        &["127.0.0.1"],
        [Response::json(
            200,
            r#"{"access_token":"at1","expires_in":3600}"#,
        )],
    );

    let credentials = OAuth2ClientCredentials::with_options(
        "svc",
        "secret",
        &server.url("/token"),
        &ClientOptions::new(),
    )
    .unwrap();
    let token = credentials.get_token(false).unwrap();

    assert_eq!(token.access_token(), "at1");
    assert_eq!(server.request_count(), 1);
}
