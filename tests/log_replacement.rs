//! Replacing the logger waits for calls to the old one: an application may
//! free what its logger uses as soon as `set_logger` (or the C
//! `auth_set_log_callback`) returns. Its own binary: the logger is global.

#[path = "support/scripted.rs"]
mod scripted;

use auth::{set_logger, LogLevel, OAuth2ClientCredentials};
use scripted::{Response, Server};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[test]
fn no_call_to_a_replaced_logger_runs_after_set_logger_returns() {
    let server = Server::start([Response::json(
        200,
        r#"{"access_token":"t","expires_in":3600}"#,
    )]);
    let credentials =
        Arc::new(OAuth2ClientCredentials::new("svc", "pw", &server.url("/token")).unwrap());
    credentials.get_token(false).unwrap();

    let stop = Arc::new(AtomicBool::new(false));
    let callers: Vec<_> = (0..4)
        .map(|_| {
            let (credentials, stop) = (credentials.clone(), stop.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    // Each cached call logs a cache hit at DEBUG.
                    credentials.with_token(false, |_| ()).unwrap();
                }
            })
        })
        .collect();

    let mut late_calls = 0;
    for _ in 0..200 {
        let running = Arc::new(AtomicUsize::new(0));
        let inside = running.clone();
        set_logger(
            Some(Arc::new(move |_: LogLevel, _: &str| {
                inside.fetch_add(1, Ordering::SeqCst);
                std::thread::sleep(Duration::from_micros(50));
                inside.fetch_sub(1, Ordering::SeqCst);
            })),
            LogLevel::Debug,
        );
        std::thread::sleep(Duration::from_micros(200));
        set_logger(None, LogLevel::Error);
        if running.load(Ordering::SeqCst) != 0 {
            late_calls += 1;
        }
    }

    stop.store(true, Ordering::SeqCst);
    for c in callers {
        c.join().unwrap();
    }
    assert_eq!(late_calls, 0, "a replaced logger was still running");
}
