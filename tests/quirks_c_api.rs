//! A few provider quirks again through the C API, for the statuses and
//! fields a C caller sees.

#[path = "support/scripted.rs"]
mod scripted;
#[path = "support/tls.rs"]
mod tls;

use auth::ffi::*;
use scripted::{Reply, Response, Server};
use std::ffi::{CStr, CString};
use std::ptr;

fn c(s: &str) -> CString {
    CString::new(s).unwrap()
}

/// What one `get_token` call gave a C caller: the status, and the token or
/// the error's fields.
#[derive(Debug)]
struct Outcome {
    status: AuthStatus,
    access_token: Option<String>,
    message: Option<String>,
    oauth_error: Option<String>,
    oauth_error_description: Option<String>,
    http_status: u16,
}

fn text(p: *const std::ffi::c_char) -> Option<String> {
    (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_owned())
}

/// Makes a handle for `endpoint` with `options` (may be NULL) and asks it
/// for one token.
fn get_token(endpoint: &str, options: *const AuthClientOptions) -> Outcome {
    unsafe {
        let mut credentials = ptr::null_mut();
        let mut error = ptr::null_mut();
        let status = auth_client_credentials_new_with_options(
            c("svc client").as_ptr(),
            c("p+ss:w/rd=").as_ptr(),
            c(endpoint).as_ptr(),
            options,
            &mut credentials,
            &mut error,
        );
        assert_eq!(status, AuthStatus::Ok);
        let outcome = fetch(credentials);
        auth_client_credentials_free(credentials);
        outcome
    }
}

unsafe fn fetch(credentials: *const AuthClientCredentials) -> Outcome {
    let mut token = ptr::null_mut();
    let mut error = ptr::null_mut();
    let status = auth_client_credentials_get_token(credentials, false, &mut token, &mut error);
    let outcome = if status == AuthStatus::Ok {
        assert!(error.is_null());
        Outcome {
            status,
            access_token: text((*token).access_token),
            message: None,
            oauth_error: None,
            oauth_error_description: None,
            http_status: 0,
        }
    } else {
        let e = &*error;
        assert_eq!(e.status, status);
        Outcome {
            status,
            access_token: None,
            message: text(e.message),
            oauth_error: text(e.oauth_error),
            oauth_error_description: text(e.oauth_error_description),
            http_status: e.http_status,
        }
    };
    auth_refresh_token_response_free(token);
    auth_error_free(error);
    outcome
}

fn token() -> Reply {
    Response::json(
        200,
        r#"{"access_token":"at1","token_type":"Bearer","expires_in":3600}"#,
    )
    .into()
}

#[test]
fn auth_method_client_secret_basic_raw_sends_id_and_secret_unchanged() {
    let server = Server::start([token()]);
    let options = auth_client_options_new();
    let status = unsafe {
        auth_client_options_set_auth_method(
            options,
            AuthMethod::ClientSecretBasicRaw as u32,
            ptr::null_mut(),
        )
    };
    assert_eq!(status, AuthStatus::Ok);

    let outcome = get_token(&server.url("/token"), options);
    unsafe { auth_client_options_free(options) };

    assert_eq!(outcome.status, AuthStatus::Ok);
    // base64("svc client:p+ss:w/rd=")
    assert_eq!(
        server.only_request().header("authorization"),
        Some("Basic c3ZjIGNsaWVudDpwK3NzOncvcmQ9")
    );
}

#[test]
fn an_oauth_error_with_status_200_is_auth_status_oauth_with_both_fields() {
    let server = Server::start([Response::json(
        200,
        r#"{"error":"invalid_client","error_description":"bad secret"}"#,
    )]);

    let outcome = get_token(&server.url("/token"), ptr::null());

    assert_eq!(outcome.status, AuthStatus::Oauth);
    assert_eq!(outcome.oauth_error.as_deref(), Some("invalid_client"));
    assert_eq!(
        outcome.oauth_error_description.as_deref(),
        Some("bad secret")
    );
    assert_eq!(outcome.http_status, 200);
}

#[test]
fn html_with_status_200_is_auth_status_invalid_response() {
    let server = Server::start([Response::json(200, "<!DOCTYPE html><title>Blocked</title>")]);

    let outcome = get_token(&server.url("/token"), ptr::null());

    assert_eq!(outcome.status, AuthStatus::InvalidResponse);
    assert!(outcome.message.unwrap().contains("Blocked"));
    assert_eq!(outcome.oauth_error, None);
}

#[test]
fn a_redirect_is_auth_status_http_naming_the_status_and_location() {
    let other = Server::start_on("127.0.0.2", [token()]);
    let location = other.url("/token");
    let server = Server::start([Response::new(307).header("Location", &location)]);

    let outcome = get_token(&server.url("/token"), ptr::null());

    assert_eq!(outcome.status, AuthStatus::Http);
    assert_eq!(outcome.http_status, 307);
    let message = outcome.message.unwrap();
    assert!(
        message.contains("307") && message.contains(&location),
        "{message}"
    );
    assert_eq!(other.request_count(), 0);
}

#[test]
fn a_server_that_never_answers_is_auth_status_transport_after_the_timeout() {
    let server = Server::start([Reply::Hang]);
    let options = auth_client_options_new();
    let status = unsafe { auth_client_options_set_timeout_ms(options, 800, ptr::null_mut()) };
    assert_eq!(status, AuthStatus::Ok);

    let outcome = get_token(&server.url("/token"), options);
    unsafe { auth_client_options_free(options) };

    assert_eq!(outcome.status, AuthStatus::Transport);
    assert_eq!(outcome.http_status, 0);
}

#[test]
fn an_unknown_ca_is_auth_status_transport_until_given_with_set_ca_file() {
    let ca = tls::TestCa::new("C API test CA");
    let server = tls::https_server(&ca, &["127.0.0.1"], [token()]);

    let rejected = get_token(&server.url("/token"), ptr::null());
    let options = auth_client_options_new();
    let path = c(ca.pem_path.to_str().unwrap());
    let status =
        unsafe { auth_client_options_set_ca_file(options, path.as_ptr(), ptr::null_mut()) };
    assert_eq!(status, AuthStatus::Ok);
    let accepted = get_token(&server.url("/token"), options);
    unsafe { auth_client_options_free(options) };

    assert_eq!(rejected.status, AuthStatus::Transport);
    assert!(rejected.message.unwrap().contains("certificate"));
    assert_eq!(accepted.access_token.as_deref(), Some("at1"));
}

#[test]
fn from_issuer_with_null_options_uses_post_when_only_post_is_listed() {
    let server = Server::start(Vec::<Reply>::new());
    let base = server.base();
    server.push(Response::json(
        200,
        &format!(
            r#"{{"issuer":"{base}","token_endpoint":"{base}/token","token_endpoint_auth_methods_supported":["client_secret_post"]}}"#
        ),
    ));
    server.push(token());

    let outcome = unsafe {
        let mut credentials = ptr::null_mut();
        let status = auth_client_credentials_from_issuer(
            c(&base).as_ptr(),
            c("svc").as_ptr(),
            c("pw").as_ptr(),
            ptr::null(),
            &mut credentials,
            ptr::null_mut(),
        );
        assert_eq!(status, AuthStatus::Ok);
        let outcome = fetch(credentials);
        auth_client_credentials_free(credentials);
        outcome
    };

    assert_eq!(outcome.access_token.as_deref(), Some("at1"));
    let request = &server.requests()[1];
    assert_eq!(request.header("authorization"), None);
    assert_eq!(request.field("client_secret").as_deref(), Some("pw"));
}

#[test]
fn a_discovery_issuer_mismatch_is_auth_status_discovery_quoting_both() {
    let server = Server::start(Vec::<Reply>::new());
    let stated = server.url("/other");
    server.push(Response::json(
        200,
        &format!(r#"{{"issuer":"{stated}","token_endpoint":"{stated}/token"}}"#),
    ));

    let (status, message) = unsafe {
        let mut metadata = ptr::null_mut();
        let mut error = ptr::null_mut();
        let status =
            auth_fetch_oidc_discovery(c(&server.base()).as_ptr(), &mut metadata, &mut error);
        let message = text((*error).message).unwrap();
        auth_error_free(error);
        (status, message)
    };

    assert_eq!(status, AuthStatus::Discovery);
    assert!(
        message.contains(&stated) && message.contains(&server.base()),
        "{message}"
    );
}
