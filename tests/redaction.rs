//! Secrets in memory and in renderings: the client secret and the access
//! token are zeroed when the library lets go of them, and no `Debug` or
//! `Display` rendering of a public type shows either.
//!
//! Memory is checked by this binary's global allocator: it looks at a block
//! at the moment it is freed, which is the last moment its contents belong
//! to the program. Tests that watch the allocator take turns.

#[path = "support/scripted.rs"]
mod scripted;

use auth::ffi::{
    auth_client_credentials_free, auth_client_credentials_get_token, auth_client_credentials_new,
    auth_refresh_token_response_free, AuthStatus,
};
use auth::{ClientAuthMethod, ClientOptions, OAuth2ClientCredentials, SecretString};
use scripted::{Response, Server};
use std::alloc::{GlobalAlloc, Layout, System};
use std::ffi::CString;
use std::ptr;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

/// The system allocator, with a look at blocks as they are freed.
struct Watching;

/// One block to report on: its address, and what was in it when freed.
static WATCHED: AtomicUsize = AtomicUsize::new(0);
static WATCHED_STATE: AtomicU8 = AtomicU8::new(NOT_FREED);
const NOT_FREED: u8 = 0;
const FREED_ZEROED: u8 = 1;
const FREED_WITH_DATA: u8 = 2;

/// While set, every freed block is searched for `NEEDLE`.
static SCANNING: AtomicBool = AtomicBool::new(false);
static NEEDLE: Mutex<Vec<u8>> = Mutex::new(Vec::new());
static FOUND: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Watching {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        System.alloc(layout)
    }

    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        let block = std::slice::from_raw_parts(p, layout.size());
        // Reported once: the address may be reused by another block.
        if p as usize != 0
            && WATCHED
                .compare_exchange(p as usize, 0, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
        {
            let state = if block.iter().all(|&b| b == 0) {
                FREED_ZEROED
            } else {
                FREED_WITH_DATA
            };
            WATCHED_STATE.store(state, Ordering::SeqCst);
        }
        if SCANNING.load(Ordering::SeqCst) {
            // try_lock: the needle's own buffer is freed under this lock.
            if let Ok(needle) = NEEDLE.try_lock() {
                if !needle.is_empty() && block.windows(needle.len()).any(|w| w == &needle[..]) {
                    FOUND.fetch_add(1, Ordering::SeqCst);
                }
            }
        }
        System.dealloc(p, layout)
    }
}

#[global_allocator]
static ALLOCATOR: Watching = Watching;

fn turn() -> MutexGuard<'static, ()> {
    static TURN: Mutex<()> = Mutex::new(());
    TURN.lock().unwrap_or_else(|p| p.into_inner())
}

fn watch(p: *const u8) {
    WATCHED_STATE.store(NOT_FREED, Ordering::SeqCst);
    WATCHED.store(p as usize, Ordering::SeqCst);
}

fn watched_state() -> u8 {
    WATCHED_STATE.load(Ordering::SeqCst)
}

/// Counts the blocks freed while `run` runs that still hold `needle`.
fn freed_blocks_holding(needle: &str, run: impl FnOnce()) -> usize {
    *NEEDLE.lock().unwrap() = needle.as_bytes().to_vec();
    FOUND.store(0, Ordering::SeqCst);
    SCANNING.store(true, Ordering::SeqCst);
    run();
    SCANNING.store(false, Ordering::SeqCst);
    FOUND.load(Ordering::SeqCst)
}

fn token_server(token: &str) -> Server {
    Server::start([Response::json(
        200,
        &format!(r#"{{"access_token":"{token}","token_type":"Bearer","expires_in":3600}}"#),
    )])
}

// Memory.

#[test]
fn the_client_secret_is_zeroed_when_the_handle_is_dropped() {
    let _turn = turn();
    const SECRET: &str = "zeroize-canary-secret-91c4";

    let found = freed_blocks_holding(SECRET, || {
        let credentials =
            OAuth2ClientCredentials::new("svc", SECRET, "http://127.0.0.1:9/token").unwrap();
        drop(credentials);
    });

    assert_eq!(found, 0, "freed blocks still holding the secret");
}

/// The Basic header is built from the form-encoded id and secret; a buffer
/// that grew while the secret was written into it would leave a copy of its
/// beginning behind. (Basic, because the server side of this test never
/// sees the secret in the clear, only base64-encoded.)
#[test]
fn building_a_request_leaves_no_piece_of_the_secret_in_freed_memory() {
    let _turn = turn();
    // Its first 8 characters are searched for, so they are unlike any other
    // test's canary, whose leftovers may be freed while this test runs.
    const SECRET: &str = "grow4e7d-canary-secret-with-a-length-that-makes-buffers-grow";
    let server = token_server("token");
    let credentials = OAuth2ClientCredentials::new("svc", SECRET, &server.url("/token")).unwrap();

    let found = freed_blocks_holding(&SECRET[..8], || {
        credentials.get_token(false).unwrap();
    });

    assert_eq!(found, 0, "freed blocks holding the start of the secret");
}

#[test]
fn a_secret_string_is_zeroed_when_dropped() {
    let _turn = turn();
    let secret = SecretString::new("zeroize-canary-value-5d21".to_owned());
    watch(secret.expose().as_ptr());

    drop(secret);

    assert_eq!(watched_state(), FREED_ZEROED);
}

#[test]
fn the_access_token_is_zeroed_when_the_last_reference_is_released() {
    let _turn = turn();
    let server = token_server("zeroize-canary-token-7e0a");
    let credentials = OAuth2ClientCredentials::new("svc", "secret", &server.url("/token")).unwrap();
    let token = credentials.get_token(false).unwrap();
    watch(token.access_token().as_ptr());

    drop(token);
    let while_cached = watched_state();
    drop(credentials);

    assert_eq!(while_cached, NOT_FREED, "the cache still holds the token");
    assert_eq!(watched_state(), FREED_ZEROED);
}

#[test]
fn a_token_outliving_its_handle_is_zeroed_when_dropped() {
    let _turn = turn();
    let server = token_server("zeroize-canary-token-2b9f");
    let credentials = OAuth2ClientCredentials::new("svc", "secret", &server.url("/token")).unwrap();
    let token = credentials.get_token(false).unwrap();
    watch(token.access_token().as_ptr());

    drop(credentials);
    let with_handle_gone = watched_state();
    drop(token);

    assert_eq!(with_handle_gone, NOT_FREED);
    assert_eq!(watched_state(), FREED_ZEROED);
}

#[test]
fn a_token_handed_to_c_is_zeroed_by_its_free() {
    let _turn = turn();
    let server = token_server("zeroize-canary-token-c0de");
    let id = CString::new("svc").unwrap();
    let secret = CString::new("secret").unwrap();
    let url = CString::new(server.url("/token")).unwrap();
    let mut handle = ptr::null_mut();
    let mut token = ptr::null_mut();
    unsafe {
        let status = auth_client_credentials_new(
            id.as_ptr(),
            secret.as_ptr(),
            url.as_ptr(),
            &mut handle,
            ptr::null_mut(),
        );
        assert_eq!(status, AuthStatus::Ok);
        let status = auth_client_credentials_get_token(handle, false, &mut token, ptr::null_mut());
        assert_eq!(status, AuthStatus::Ok);
    }
    // The token and its strings are one block, starting at the struct.
    watch(token.cast::<u8>());

    unsafe { auth_refresh_token_response_free(token) };
    let after_free = watched_state();
    unsafe { auth_client_credentials_free(handle) };

    assert_eq!(after_free, FREED_ZEROED);
}

// Renderings.

const SECRET: &str = "render-canary-secret-3f81";
const TOKEN: &str = "render-canary-token-a6d2";

fn assert_clean(what: &str, text: &str) {
    assert!(!text.contains(SECRET), "{what} shows the secret: {text}");
    assert!(!text.contains(TOKEN), "{what} shows the token: {text}");
}

#[test]
fn debug_of_credentials_redacts_the_secret() {
    for method in [
        ClientAuthMethod::ClientSecretBasic,
        ClientAuthMethod::ClientSecretPost,
        ClientAuthMethod::ClientSecretBasicRaw,
    ] {
        let mut options = ClientOptions::new();
        options.set_auth_method(method);
        let credentials =
            OAuth2ClientCredentials::with_options("svc", SECRET, "https://idp.example/t", &options)
                .unwrap();

        let shown = format!("{credentials:?} {credentials:#?}");

        assert_clean("OAuth2ClientCredentials", &shown);
        assert!(shown.contains("[redacted]"), "{shown}");
    }
}

#[test]
fn debug_of_options_holds_nothing_secret() {
    let mut options = ClientOptions::new();
    options
        .set_scope("api:read")
        .unwrap()
        .add_parameter("resource", "urn:api")
        .unwrap();

    let shown = format!("{options:?}");

    assert_clean("ClientOptions", &shown);
    assert!(shown.contains("api:read"), "{shown}");
}

#[test]
fn debug_of_a_token_redacts_the_access_token() {
    let server = token_server(TOKEN);
    let credentials = OAuth2ClientCredentials::new("svc", SECRET, &server.url("/token")).unwrap();
    let token = credentials.get_token(false).unwrap();

    let shown = format!("{token:?} {token:#?} {:?}", &*token);

    assert_clean("RefreshTokenResponse", &shown);
    assert!(shown.contains("[redacted]"), "{shown}");
    assert_eq!(token.access_token(), TOKEN);
}

#[test]
fn debug_and_display_of_a_secret_string_are_a_placeholder() {
    let secret = SecretString::from(SECRET);

    assert_eq!(format!("{secret:?}"), "[redacted]");
    assert_eq!(format!("{secret}"), "[redacted]");
    assert_eq!(format!("{secret:#?}"), "[redacted]");
}

#[test]
fn debug_of_discovery_metadata_holds_nothing_secret() {
    let server = Server::start(Vec::<scripted::Reply>::new());
    let base = server.base();
    server.push(Response::json(
        200,
        &format!(r#"{{"issuer":"{base}","token_endpoint":"{base}/token"}}"#),
    ));
    let metadata = auth::fetch_oidc_discovery(&base).unwrap();

    let shown = format!("{metadata:?}");

    assert_clean("OidcDiscoveryMetadata", &shown);
    assert!(shown.contains(&base), "{shown}");
}

#[test]
fn debug_and_display_of_an_error_from_a_refused_request_hold_no_secret() {
    let server = Server::start([Response::json(
        401,
        r#"{"error":"invalid_client","error_description":"bad credentials"}"#,
    )]);
    let credentials = OAuth2ClientCredentials::new("svc", SECRET, &server.url("/token")).unwrap();

    let e = credentials.get_token(false).unwrap_err();

    assert_clean("Error", &format!("{e} {e:?} {e:#?}"));
    assert_eq!(e.oauth_error(), Some("invalid_client"));
}

// Log lines, at every level.

/// Lines delivered to the logger, with their level.
static LINES: Mutex<Vec<(auth::LogLevel, String)>> = Mutex::new(Vec::new());

/// Every 8-character piece of the token, and the secret whole.
fn forbidden_in_logs(secret: &str, token: &str) -> Vec<String> {
    let mut pieces: Vec<String> = token
        .as_bytes()
        .windows(8)
        .map(|w| String::from_utf8(w.to_vec()).unwrap())
        .collect();
    pieces.push(secret.to_owned());
    pieces
}

/// Drives a token, a cache hit, a refresh that fails while the token is
/// cached, and failures seen by Rust and C callers, with the logger at
/// `level`; returns the lines it received.
fn log_a_session_at(
    level: auth::LogLevel,
    secret: &str,
    token: &str,
) -> Vec<(auth::LogLevel, String)> {
    let echo = format!(r#"{{"error":"invalid_client","error_description":"bad secret {secret}"}}"#);
    let server = Server::start([
        Response::json(
            200,
            &format!(r#"{{"access_token":"{token}","expires_in":3600}}"#),
        ),
        Response::json(
            503,
            &format!(r#"{{"access_token":"{token}","detail":"busy"}}"#),
        ),
        Response::json(401, &echo),
        Response::json(401, &echo),
    ]);
    let (clock, hand) =
        auth::Clock::manual(chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap());
    let mut options = ClientOptions::new();
    options.set_clock(clock);
    LINES.lock().unwrap().clear();
    auth::set_logger(
        Some(std::sync::Arc::new(|level, message: &str| {
            LINES.lock().unwrap().push((level, message.to_owned()));
        })),
        level,
    );

    let credentials =
        OAuth2ClientCredentials::with_options("svc", secret, &server.url("/token"), &options)
            .unwrap();
    credentials.with_token(false, |_| ()).unwrap();
    credentials.with_token(false, |_| ()).unwrap();
    hand.advance(std::time::Duration::from_secs(3400));
    credentials.get_token(false).unwrap();
    credentials.get_token(true).unwrap_err();

    // The C boundary logs each failure it returns, at ERROR.
    let id = CString::new("svc").unwrap();
    let c_secret = CString::new(secret).unwrap();
    let url = CString::new(server.url("/token")).unwrap();
    let mut handle = ptr::null_mut();
    let mut out = ptr::null_mut();
    unsafe {
        auth_client_credentials_new(
            id.as_ptr(),
            c_secret.as_ptr(),
            url.as_ptr(),
            &mut handle,
            ptr::null_mut(),
        );
        let status = auth_client_credentials_get_token(handle, false, &mut out, ptr::null_mut());
        assert_eq!(status, AuthStatus::Oauth);
        auth_client_credentials_free(handle);
    }

    auth::set_logger(None, level);
    std::mem::take(&mut *LINES.lock().unwrap())
}

#[test]
fn no_log_line_at_any_level_shows_the_secret_or_the_token() {
    let _turn = turn();
    const LOG_SECRET: &str = "log:canary:secret:4412";
    const LOG_TOKEN: &str = "tok:log:canary:77aa:19bd:e3";
    let forbidden = forbidden_in_logs(LOG_SECRET, LOG_TOKEN);

    for level in [
        auth::LogLevel::Error,
        auth::LogLevel::Warn,
        auth::LogLevel::Info,
        auth::LogLevel::Debug,
    ] {
        let lines = log_a_session_at(level, LOG_SECRET, LOG_TOKEN);

        assert!(
            lines.iter().any(|(l, _)| *l == level),
            "no line at {level:?}: {lines:?}"
        );
        assert!(lines.iter().all(|(l, _)| *l <= level), "{lines:?}");
        for (_, line) in &lines {
            for piece in &forbidden {
                assert!(
                    !line.contains(piece.as_str()),
                    "{level:?} line shows {piece:?}: {line}"
                );
            }
        }
    }
}

/// The message shows only the first 200 characters of a description; a
/// secret the server echoed across that cut must not survive in part.
#[test]
fn a_secret_cut_by_the_bound_on_a_description_is_not_shown_in_part() {
    const CUT_SECRET: &str = "cut:canary:secret:0f93a1";
    let description = format!("{}{CUT_SECRET} and more", "x".repeat(190));
    let server = Server::start([Response::json(
        401,
        &format!(r#"{{"error":"invalid_client","error_description":"{description}"}}"#),
    )]);
    let credentials =
        OAuth2ClientCredentials::new("svc", CUT_SECRET, &server.url("/token")).unwrap();

    let e = credentials.get_token(false).unwrap_err();

    assert_eq!(e.kind(), auth::ErrorKind::OAuth);
    assert!(!e.message().contains(&CUT_SECRET[..8]), "{}", e.message());
    assert!(!format!("{e:?}").contains(&CUT_SECRET[..8]), "{e:?}");
}
