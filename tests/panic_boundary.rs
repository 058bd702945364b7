//! A panic inside the library never unwinds into C: each C function turns it
//! into `AUTH_STATUS_INTERNAL`, and the library keeps working afterwards.
//!
//! The panic is forced through the application's own hook into the library:
//! a Rust logger (`auth::set_logger`) that panics, called from inside the C
//! functions. The logger is process-wide, so the tests of this binary take
//! turns.

#[path = "support/scripted.rs"]
mod scripted;

use auth::ffi::{
    auth_client_credentials_free, auth_client_credentials_get_token, auth_client_credentials_new,
    auth_error_free, auth_refresh_token_response_free, AuthClientCredentials, AuthError,
    AuthRefreshTokenResponse, AuthStatus,
};
use auth::LogLevel;
use scripted::{Reply, Response, Server};
use std::ffi::{CStr, CString};
use std::ptr;
use std::sync::{Arc, Mutex, MutexGuard, Once};
use std::time::{Duration, Instant};

const PANIC_TEXT: &str = "the application's logger panicked";

/// One test at a time: they all install the process-wide logger.
fn turn() -> MutexGuard<'static, ()> {
    static TURN: Mutex<()> = Mutex::new(());
    // Keep the expected panics out of the test output; any other panic is
    // still reported by the default hook.
    static QUIET: Once = Once::new();
    QUIET.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if info.payload().downcast_ref::<&str>() != Some(&PANIC_TEXT) {
                default(info)
            }
        }));
    });
    TURN.lock().unwrap_or_else(|p| p.into_inner())
}

/// A logger that panics on every message containing `trigger`.
fn panic_on(trigger: &'static str) {
    auth::set_logger(
        Some(Arc::new(move |_level: LogLevel, message: &str| {
            if message.contains(trigger) {
                std::panic::panic_any(PANIC_TEXT);
            }
        })),
        LogLevel::Debug,
    );
}

fn no_logger() {
    auth::set_logger(None, LogLevel::Debug);
}

fn token_reply(token: &str) -> Reply {
    Response::json(
        200,
        &format!(r#"{{"access_token":"{token}","expires_in":3600}}"#),
    )
    .into()
}

/// A C handle for `url`, made through the C API.
fn c_handle(url: &str) -> *mut AuthClientCredentials {
    let id = CString::new("svc").unwrap();
    let secret = CString::new("panic-secret").unwrap();
    let url = CString::new(url).unwrap();
    let mut handle = ptr::null_mut();
    let status = unsafe {
        auth_client_credentials_new(
            id.as_ptr(),
            secret.as_ptr(),
            url.as_ptr(),
            &mut handle,
            ptr::null_mut(),
        )
    };
    assert_eq!(status, AuthStatus::Ok);
    handle
}

/// What one `auth_client_credentials_get_token` call gave: its status, the
/// token text on success, and the error's status and message on failure.
struct Call {
    status: AuthStatus,
    token: Option<String>,
    error: Option<(AuthStatus, String)>,
}

/// The handle is passed as an address so that threads can share it: the C
/// API makes it safe to use from any number of threads at once.
fn get_token(handle: usize, force: bool) -> Call {
    let mut token: *mut AuthRefreshTokenResponse = ptr::null_mut();
    let mut error: *mut AuthError = ptr::null_mut();
    let status = unsafe {
        auth_client_credentials_get_token(
            handle as *const AuthClientCredentials,
            force,
            &mut token,
            &mut error,
        )
    };
    let call = unsafe {
        Call {
            status,
            token: token
                .as_ref()
                .map(|t| CStr::from_ptr(t.access_token).to_str().unwrap().to_owned()),
            error: error.as_ref().map(|e| {
                (
                    e.status,
                    CStr::from_ptr(e.message).to_str().unwrap().to_owned(),
                )
            }),
        }
    };
    unsafe {
        auth_refresh_token_response_free(token);
        auth_error_free(error);
    }
    call
}

#[test]
fn a_panic_inside_get_token_is_internal_and_the_next_call_works() {
    let _turn = turn();
    let server = Server::start([token_reply("after-panic")]);
    let handle = c_handle(&server.url("/token"));

    panic_on("");
    let failed = get_token(handle as usize, false);
    no_logger();

    assert_eq!(failed.status, AuthStatus::Internal);
    assert!(failed.token.is_none());
    let (status, message) = failed.error.expect("an AuthError");
    assert_eq!(status, AuthStatus::Internal);
    assert!(message.contains("panic"), "{message}");

    let next = get_token(handle as usize, false);
    assert_eq!(next.status, AuthStatus::Ok);
    assert_eq!(next.token.as_deref(), Some("after-panic"));
    unsafe { auth_client_credentials_free(handle) };
}

/// The panic comes after the answer arrived, while a second thread waits
/// for the same fetch: the waiter must be released, not left waiting for a
/// fetch that will never complete, and the lock must not stay poisoned.
#[test]
fn a_panic_during_a_shared_fetch_releases_the_waiting_thread() {
    let _turn = turn();
    let server = Server::start([
        Reply::delayed(
            Duration::from_millis(1000),
            Response::json(200, r#"{"access_token":"lost","expires_in":3600}"#),
        ),
        token_reply("after-panic"),
    ]);
    let handle = c_handle(&server.url("/token")) as usize;

    panic_on("token received");
    let started = Instant::now();
    let fetcher = std::thread::spawn(move || get_token(handle, false));
    assert!(server.wait_for_requests(1, Duration::from_secs(5)));
    let waiter = std::thread::spawn(move || get_token(handle, false));
    let fetched = fetcher.join().expect("no panic reaches the caller");
    let waited = waiter.join().expect("no panic reaches the caller");
    let took = started.elapsed();
    no_logger();

    assert_eq!(fetched.status, AuthStatus::Internal);
    assert_eq!(waited.status, AuthStatus::Internal);
    assert!(took < Duration::from_secs(10), "took {took:?}");
    assert_eq!(server.request_count(), 1);

    let next = get_token(handle, false);
    assert_eq!(next.status, AuthStatus::Ok);
    assert_eq!(next.token.as_deref(), Some("after-panic"));
    unsafe { auth_client_credentials_free(handle as *mut AuthClientCredentials) };
}

/// Cache hits log at Debug: a panic there, on the path that takes no lock,
/// is caught as well, and the cached token is served again afterwards.
#[test]
fn a_panic_on_the_cached_path_is_internal_and_the_cache_survives() {
    let _turn = turn();
    let server = Server::start([token_reply("cached")]);
    let handle = c_handle(&server.url("/token")) as usize;
    assert_eq!(get_token(handle, false).token.as_deref(), Some("cached"));

    panic_on("cache hit");
    let failed = get_token(handle, false);
    no_logger();

    assert_eq!(failed.status, AuthStatus::Internal);
    let again = get_token(handle, false);
    assert_eq!(again.token.as_deref(), Some("cached"));
    assert_eq!(server.request_count(), 1);
    unsafe { auth_client_credentials_free(handle as *mut AuthClientCredentials) };
}
