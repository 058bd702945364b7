//! The fault matrix: what a broken or hostile token endpoint can do to a
//! caller, and what the caller gets instead.
//!
//! Every fault is checked the same way (see `survives`): a handle holds a
//! token due for refresh but not expired; an unforced call that meets the
//! fault is still served that token; a forced call that meets it gets the
//! right error, in bounded time; and once the server behaves, the same handle
//! gets a new token. Every server is on loopback and started by the test.

#[path = "support/scripted.rs"]
mod scripted;

use auth::{ClientOptions, Clock, ErrorKind, ManualClock, OAuth2ClientCredentials};
use chrono::DateTime;
use scripted::{Reply, Response, Server};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// The timeout of every handle here: short, so that faults that make the
/// client wait cost little, and long enough for a loopback answer.
const TIMEOUT: Duration = Duration::from_millis(1500);

/// What "bounded time" means here: the timeout plus generous slack for a
/// loaded machine. A call that hangs fails this by a wide margin.
const BOUND: Duration = Duration::from_secs(6);

/// Lifetime of the tokens served; with the default 300 s margin a token is
/// due for refresh after 3300 s.
const LIFETIME_S: u64 = 3600;

/// Between 3300 s and 3600 s: due for refresh, still valid.
const DUE: Duration = Duration::from_secs(3400);

/// Past the 30 s during which a failed refresh is not retried.
const QUIET: Duration = Duration::from_secs(31);

fn good(token: &str) -> Reply {
    Response::json(
        200,
        &format!(r#"{{"access_token":"{token}","token_type":"Bearer","expires_in":{LIFETIME_S}}}"#),
    )
    .into()
}

fn good_bytes(token: &str) -> Vec<u8> {
    let body =
        format!(r#"{{"access_token":"{token}","token_type":"Bearer","expires_in":{LIFETIME_S}}}"#);
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn handle(url: &str) -> (OAuth2ClientCredentials, Arc<ManualClock>) {
    let (clock, hand) = Clock::manual(DateTime::from_timestamp(1_700_000_000, 0).unwrap());
    let mut options = ClientOptions::new();
    options.set_clock(clock).set_timeout(TIMEOUT).unwrap();
    let credentials =
        OAuth2ClientCredentials::with_options("svc", "fault-secret", url, &options).unwrap();
    (credentials, hand)
}

/// Runs the common checks against `fault`; the server must answer the
/// first request with token "before", the unforced call's one attempt and
/// every attempt of the forced call with the fault, and the request after
/// those with token "after". `stage(n)` runs before the unforced faulty
/// call (0), the forced one (1) and the last call (2), for faults that are
/// staged by changing the server, such as stopping it.
fn survives(
    credentials: &OAuth2ClientCredentials,
    hand: &ManualClock,
    expected: ErrorKind,
    mut stage: impl FnMut(usize),
) {
    let before = credentials.get_token(false).unwrap();
    assert_eq!(before.access_token(), "before");
    hand.advance(DUE);

    stage(0);
    let started = Instant::now();
    let served = credentials.get_token(false);
    let unforced_took = started.elapsed();
    assert_eq!(
        served.expect("the cached token is served").access_token(),
        "before"
    );
    assert!(
        unforced_took < BOUND,
        "unforced call took {unforced_took:?}"
    );

    hand.advance(QUIET);
    stage(1);
    let started = Instant::now();
    let failed = credentials.get_token(true);
    let forced_took = started.elapsed();
    let error = failed.expect_err("a forced call reports the fault");
    assert_eq!(error.kind(), expected, "{}", error.message());
    assert!(forced_took < BOUND, "forced call took {forced_took:?}");

    hand.advance(QUIET);
    stage(2);
    let after = credentials
        .get_token(false)
        .expect("the handle still works");
    assert_eq!(after.access_token(), "after");
}

fn scripted(fault: Reply, expected: ErrorKind) {
    scripted_with_attempts(fault, expected, 1);
}

/// For faults a forced call retries: it makes all three attempts (the
/// unforced call, with a cached token to fall back on, makes one).
fn scripted_retried(fault: Reply, expected: ErrorKind) {
    scripted_with_attempts(fault, expected, 3);
}

fn scripted_with_attempts(fault: Reply, expected: ErrorKind, forced_attempts: usize) {
    let faults = std::iter::repeat_n(fault, 1 + forced_attempts);
    let script: Vec<Reply> = std::iter::once(good("before"))
        .chain(faults)
        .chain([good("after")])
        .collect();
    let server = Server::start(script);
    let (credentials, hand) = handle(&server.url("/token"));
    survives(&credentials, &hand, expected, |_| {});
    assert_eq!(server.request_count(), 3 + forced_attempts);
}

/// A raw loopback server for the faults the scripted one cannot stage: it
/// hands each accepted connection to `serve`.
struct Raw {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Raw {
    fn start(addr: SocketAddr, serve: impl Fn(Conn) + Send + Sync + 'static) -> Raw {
        assert!(addr.ip().is_loopback());
        let listener = TcpListener::bind(addr).expect("bind loopback");
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let serve = Arc::new(serve);
        let thread = thread::spawn(move || {
            let mut workers = Vec::new();
            while !flag.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((socket, _)) => {
                        socket.set_nonblocking(false).unwrap();
                        let serve = serve.clone();
                        let stop = flag.clone();
                        workers.push(thread::spawn(move || serve(Conn { socket, stop })));
                    }
                    Err(_) => thread::sleep(Duration::from_millis(5)),
                }
            }
            drop(listener);
            for w in workers {
                let _ = w.join();
            }
        });
        Raw {
            addr,
            stop,
            thread: Some(thread),
        }
    }

    fn url(&self) -> String {
        format!("http://{}/token", self.addr)
    }
}

impl Drop for Raw {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// One accepted connection of a `Raw` server.
struct Conn {
    socket: TcpStream,
    stop: Arc<AtomicBool>,
}

/// Reads one request head and its Content-Length body; false if the client
/// closed first or the server is stopping.
fn read_request(conn: &mut Conn) -> bool {
    let Conn { socket, stop } = conn;
    socket
        .set_read_timeout(Some(Duration::from_millis(20)))
        .unwrap();
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    let mut read_more = |data: &mut Vec<u8>| loop {
        if stop.load(Ordering::SeqCst) {
            return false;
        }
        match socket.read(&mut buf) {
            Ok(0) => return false,
            Ok(n) => {
                data.extend_from_slice(&buf[..n]);
                return true;
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return false,
        }
    };
    loop {
        if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&data[..end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            while data.len() < end + 4 + length {
                if !read_more(&mut data) {
                    return false;
                }
            }
            return true;
        }
        if !read_more(&mut data) {
            return false;
        }
    }
}

/// Answers every request on the connection with `answer`.
fn answer_all(mut conn: Conn, answer: &[u8]) {
    while read_request(&mut conn) {
        if conn.socket.write_all(answer).is_err() {
            return;
        }
    }
}

#[test]
fn connection_refused_is_transport() {
    let first = Raw::start("127.0.0.1:0".parse().unwrap(), |s| {
        answer_all(s, &good_bytes("before"))
    });
    let addr = first.addr;
    let (credentials, hand) = handle(&first.url());
    let mut server = Some(first);

    // Nothing listens during both faulty calls; the last one finds a server
    // again, on the same port.
    survives(
        &credentials,
        &hand,
        ErrorKind::Transport,
        |stage| match stage {
            0 => server = None,
            2 => server = Some(Raw::start(addr, |s| answer_all(s, &good_bytes("after")))),
            _ => {}
        },
    );
    drop(server);
}

#[test]
fn accept_and_close_is_transport() {
    scripted_retried(Reply::Close, ErrorKind::Transport);
}

#[test]
fn reset_in_the_headers_is_transport() {
    scripted_retried(Reply::ResetInHeaders, ErrorKind::Transport);
}

#[test]
fn reset_in_the_body_is_transport() {
    let body = format!(
        r#"{{"access_token":"{}","expires_in":3600}}"#,
        "x".repeat(4000)
    );
    scripted_retried(
        Reply::ResetInBody(Response::json(200, &body)),
        ErrorKind::Transport,
    );
}

#[test]
fn content_length_longer_than_the_body_is_transport() {
    let reply = Response::json(200, r#"{"access_token":"short"}"#)
        .header("Content-Length", "1000")
        .header("Connection", "close");
    scripted_retried(reply.into(), ErrorKind::Transport);
}

#[test]
fn a_body_trickled_past_the_timeout_is_transport() {
    let reply = Reply::Trickle {
        response: Response::json(200, r#"{"access_token":"slow","expires_in":3600}"#),
        chunk: 1,
        pause: Duration::from_secs(1),
    };
    scripted(reply, ErrorKind::Transport);
}

#[test]
fn a_chunked_body_that_never_ends_is_transport() {
    let reply = Reply::ChunkedWithoutEnd(Response::json(200, r#"{"access_token":"#));
    scripted(reply, ErrorKind::Transport);
}

#[test]
fn an_answer_that_never_comes_is_transport() {
    scripted(Reply::Hang, ErrorKind::Transport);
}

#[test]
fn invalid_utf8_in_a_string_is_an_invalid_response() {
    let reply = Response::new(200)
        .header("Content-Type", "application/json")
        .body(&b"{\"access_token\":\"ab\xff\xfecd\",\"expires_in\":3600}"[..]);
    scripted(reply.into(), ErrorKind::InvalidResponse);
}

#[test]
fn json_nested_100000_levels_is_an_invalid_response() {
    let body = format!(
        r#"{{"access_token":"deep","expires_in":{}{}}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    scripted(
        Response::json(200, &body).into(),
        ErrorKind::InvalidResponse,
    );
}

#[test]
fn duplicate_keys_are_an_invalid_response() {
    let body = r#"{"access_token":"one","access_token":"two","expires_in":3600}"#;
    scripted(Response::json(200, body).into(), ErrorKind::InvalidResponse);
}

#[test]
fn an_escaped_nul_inside_the_access_token_is_an_invalid_response() {
    let body = r#"{"access_token":"ab\u0000cd","expires_in":3600}"#;
    scripted(Response::json(200, body).into(), ErrorKind::InvalidResponse);
}

#[test]
fn a_raw_nul_byte_inside_the_access_token_is_an_invalid_response() {
    let reply = Response::new(200)
        .header("Content-Type", "application/json")
        .body(&b"{\"access_token\":\"ab\0cd\",\"expires_in\":3600}"[..]);
    scripted(reply.into(), ErrorKind::InvalidResponse);
}

#[test]
fn a_nul_byte_in_a_form_encoded_access_token_is_an_invalid_response() {
    let reply = Response::typed(
        200,
        "application/x-www-form-urlencoded",
        "access_token=ab%00cd&expires_in=3600",
    );
    scripted(reply.into(), ErrorKind::InvalidResponse);
}

/// A 64 MiB answer: refused at the 1 MiB limit, and the client hangs up
/// instead of reading the rest, so neither its memory nor the transfer grows
/// with what the server offers.
#[test]
fn a_64_mib_body_is_refused_at_the_limit_without_reading_it() {
    const HUGE: usize = 64 * 1024 * 1024;
    let requests = Arc::new(AtomicU64::new(0));
    let written = Arc::new(Mutex::new(Vec::new()));
    let log = written.clone();
    let server = Raw::start("127.0.0.1:0".parse().unwrap(), move |mut conn| {
        conn.socket
            .set_write_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        while read_request(&mut conn) {
            let socket = &mut conn.socket;
            match requests.fetch_add(1, Ordering::SeqCst) {
                0 => {
                    if socket.write_all(&good_bytes("before")).is_err() {
                        return;
                    }
                }
                1 | 2 => {
                    let sent = send_huge(socket, HUGE);
                    log.lock().unwrap().push(sent);
                    return;
                }
                _ => {
                    if socket.write_all(&good_bytes("after")).is_err() {
                        return;
                    }
                }
            }
        }
    });
    let (credentials, hand) = handle(&server.url());

    survives(&credentials, &hand, ErrorKind::InvalidResponse, |_| {});

    drop(server);
    let written = written.lock().unwrap().clone();
    assert_eq!(written.len(), 2, "{written:?}");
    for sent in written {
        // The limit plus what the kernel's socket buffers absorbed.
        assert!(sent < HUGE / 4, "the server sent {sent} bytes of {HUGE}");
    }
}

/// Offers a token response with a `size`-byte body, 64 KiB at a time, until
/// the client stops taking it; returns the bytes written.
fn send_huge(socket: &mut TcpStream, size: usize) -> usize {
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {size}\r\n\r\n"
    );
    if socket.write_all(head.as_bytes()).is_err() {
        return 0;
    }
    let mut sent = 0;
    let opening = br#"{"access_token":""#;
    if socket.write_all(opening).is_err() {
        return 0;
    }
    sent += opening.len();
    let chunk = vec![b'a'; 64 * 1024];
    while sent + chunk.len() <= size {
        if socket.write_all(&chunk).is_err() {
            break;
        }
        sent += chunk.len();
    }
    sent
}

// Discovery meets the same faults; there is no cache to fall back on, so
// each must simply fail in bounded time with its documented status.

fn discovery_fails(fault: Reply, expected: ErrorKind) {
    let server = Server::start([fault]);
    let mut options = ClientOptions::new();
    options.set_timeout(TIMEOUT).unwrap();

    let started = Instant::now();
    let e = auth::fetch_oidc_discovery_with_options(&server.base(), &options).unwrap_err();

    assert_eq!(e.kind(), expected, "{}", e.message());
    assert!(started.elapsed() < BOUND, "took {:?}", started.elapsed());
}

#[test]
fn a_discovery_document_that_never_comes_is_transport() {
    discovery_fails(Reply::Hang, ErrorKind::Transport);
}

#[test]
fn a_discovery_document_that_never_ends_is_transport() {
    discovery_fails(
        Reply::ChunkedWithoutEnd(Response::json(200, r#"{"issuer":"#)),
        ErrorKind::Transport,
    );
}

#[test]
fn a_discovery_document_over_the_size_limit_is_discovery() {
    let body = format!(
        r#"{{"issuer":"x","pad":"{}"}}"#,
        "a".repeat(2 * 1024 * 1024)
    );
    discovery_fails(Response::json(200, &body).into(), ErrorKind::Discovery);
}

#[test]
fn a_discovery_document_with_invalid_utf8_is_discovery() {
    let reply = Response::new(200)
        .header("Content-Type", "application/json")
        .body(&b"{\"issuer\":\"\xff\xfe\"}"[..]);
    discovery_fails(reply.into(), ErrorKind::Discovery);
}

#[test]
fn a_discovery_document_nested_100000_levels_is_discovery() {
    let body = format!(
        r#"{{"issuer":{}{}}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    discovery_fails(Response::json(200, &body).into(), ErrorKind::Discovery);
}

/// A provider's `error_description` goes into the message, which goes into
/// log lines: a huge one must not make a huge line, while the field itself
/// keeps the whole text for the caller.
#[test]
fn a_huge_error_description_is_bounded_in_the_message() {
    let description = "d".repeat(900 * 1024);
    let body = format!(r#"{{"error":"invalid_client","error_description":"{description}"}}"#);
    let server = Server::start([Response::json(401, &body)]);
    let (credentials, _) = handle(&server.url("/token"));

    let e = credentials.get_token(false).unwrap_err();

    assert_eq!(e.kind(), ErrorKind::OAuth);
    assert!(e.message().len() < 1024, "{} bytes", e.message().len());
    assert_eq!(e.oauth_error_description(), Some(description.as_str()));
}
