//! A scripted HTTP/1.1 server on loopback, for tests.
//!
//! It answers each request with the next reply of its script, whatever the
//! path, and records every request (method, path, headers, body) for the
//! test to assert on. Replies can also be faults: a connection closed or
//! reset, an answer that never comes, a body cut short or sent a few bytes at
//! a time. Connections are kept alive with Content-Length framing, as the
//! library expects of a server. Dropping the server stops and joins all its
//! threads.
//!
//! Include it with `#[path = "support/scripted.rs"] mod scripted;`.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// How often blocked threads look at the stop flag.
const POLL: Duration = Duration::from_millis(20);

/// Largest request head or body the server accepts; a test never needs more.
const MAX_REQUEST: usize = 1024 * 1024;

/// One HTTP response.
#[derive(Clone, Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    /// A response with no headers and an empty body.
    pub fn new(status: u16) -> Self {
        Response {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// `status` with `Content-Type: application/json` and `body`.
    pub fn json(status: u16, body: &str) -> Self {
        Response::new(status)
            .header("Content-Type", "application/json")
            .body(body)
    }

    /// `status` with the given content type and body.
    pub fn typed(status: u16, content_type: &str, body: &str) -> Self {
        Response::new(status)
            .header("Content-Type", content_type)
            .body(body)
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    fn has_header(&self, name: &str) -> bool {
        self.headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(name))
    }

    /// Status line and headers; `Content-Length` is added unless the
    /// response sets its own framing.
    fn head(&self) -> Vec<u8> {
        let mut head = format!("HTTP/1.1 {} {}\r\n", self.status, reason(self.status));
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        if !self.has_header("content-length") && !self.has_header("transfer-encoding") {
            head.push_str(&format!("Content-Length: {}\r\n", self.body.len()));
        }
        head.push_str("\r\n");
        head.into_bytes()
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = self.head();
        bytes.extend_from_slice(&self.body);
        bytes
    }

    fn closes(&self) -> bool {
        self.headers
            .iter()
            .any(|(n, v)| n.eq_ignore_ascii_case("connection") && v.eq_ignore_ascii_case("close"))
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        307 => "Temporary Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

/// What the server does with one request.
#[derive(Clone, Debug)]
pub enum Reply {
    /// Answers with this response.
    Respond(Response),
    /// Answers with this response, which promises nothing about the
    /// connection, then closes it, as a server does whose idle keep-alive
    /// time ran out.
    RespondAndClose(Response),
    /// Reads the request, then closes the connection without a byte.
    Close,
    /// Reads the request and never answers; the connection stays open until
    /// the server is dropped.
    Hang,
    /// Sends the status line and part of a header, then resets the
    /// connection.
    ResetInHeaders,
    /// Sends the head of this response, announcing its whole body, and half
    /// of the body, then resets the connection.
    ResetInBody(Response),
    /// Sends this response `chunk` bytes at a time, pausing between them.
    Trickle {
        response: Response,
        chunk: usize,
        pause: Duration,
    },
    /// Sends the head of this response as chunked and its body as one
    /// chunk, then never the last chunk; the connection stays open.
    ChunkedWithoutEnd(Response),
    /// Waits, then does the inner reply.
    Delay(Duration, Box<Reply>),
}

impl From<Response> for Reply {
    fn from(r: Response) -> Self {
        Reply::Respond(r)
    }
}

impl Reply {
    /// `Reply::Delay` without the boxing.
    pub fn delayed(wait: Duration, reply: impl Into<Reply>) -> Self {
        Reply::Delay(wait, Box::new(reply.into()))
    }
}

/// One request as the server received it.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Which connection carried it, counting from 0 in accept order.
    pub connection: usize,
}

impl Request {
    /// The first header of this name, compared without case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as decoded form fields, in order.
    pub fn form(&self) -> Vec<(String, String)> {
        let text = self.body_text();
        text.split('&')
            .filter(|p| !p.is_empty())
            .map(|pair| {
                let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                (form_decode(name), form_decode(value))
            })
            .collect()
    }

    /// Every value of the form field `name`.
    pub fn fields(&self, name: &str) -> Vec<String> {
        self.form()
            .into_iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v)
            .collect()
    }

    /// The form field `name`, when sent exactly once; panics when sent more
    /// than once, which no test expects.
    pub fn field(&self, name: &str) -> Option<String> {
        let mut values = self.fields(name);
        assert!(
            values.len() <= 1,
            "form field {name} sent {} times",
            values.len()
        );
        values.pop()
    }
}

/// Decodes one `application/x-www-form-urlencoded` component, written here
/// independently of the library so that the tests check its encoder.
pub fn form_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A connection as the server reads and writes it: plain TCP, or TLS over it.
pub trait Stream: Read + Write + Send {}
impl<T: Read + Write + Send> Stream for T {}

/// Turns an accepted socket into the stream the server speaks HTTP on; the
/// TLS tests wrap it in a TLS session.
pub type Acceptor = Arc<dyn Fn(TcpStream) -> io::Result<Box<dyn Stream>> + Send + Sync>;

struct Script {
    replies: VecDeque<Reply>,
    last: Option<Reply>,
    repeat_last: bool,
}

struct Shared {
    script: Mutex<Script>,
    requests: Mutex<Vec<Request>>,
    arrived: Condvar,
    stop: AtomicBool,
    connections: AtomicUsize,
    workers: Mutex<Vec<JoinHandle<()>>>,
}

/// The server. Listens from `start` until dropped.
pub struct Server {
    addr: SocketAddr,
    scheme: &'static str,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

impl Server {
    /// A server on 127.0.0.1 with this script. Once the script is used up,
    /// every request is answered 500 "script exhausted".
    pub fn start<R: Into<Reply>>(script: impl IntoIterator<Item = R>) -> Server {
        Server::start_on("127.0.0.1", script)
    }

    /// Like `start`, on another loopback address such as 127.0.0.2, which
    /// stands in for another host.
    pub fn start_on<R: Into<Reply>>(ip: &str, script: impl IntoIterator<Item = R>) -> Server {
        let plain: Acceptor = Arc::new(|s| Ok(Box::new(s) as Box<dyn Stream>));
        Server::launch(ip, "http", plain, script)
    }

    /// A server whose connections go through `acceptor` first; `scheme`
    /// is what `url` reports ("https" for TLS).
    pub fn start_with<R: Into<Reply>>(
        ip: &str,
        scheme: &'static str,
        acceptor: Acceptor,
        script: impl IntoIterator<Item = R>,
    ) -> Server {
        Server::launch(ip, scheme, acceptor, script)
    }

    fn launch<R: Into<Reply>>(
        ip: &str,
        scheme: &'static str,
        acceptor: Acceptor,
        script: impl IntoIterator<Item = R>,
    ) -> Server {
        let ip: std::net::IpAddr = ip.parse().expect("an IP address");
        assert!(ip.is_loopback(), "test servers listen on loopback only");
        let listener = TcpListener::bind((ip, 0)).expect("bind a loopback port");
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let shared = Arc::new(Shared {
            script: Mutex::new(Script {
                replies: script.into_iter().map(Into::into).collect(),
                last: None,
                repeat_last: false,
            }),
            requests: Mutex::new(Vec::new()),
            arrived: Condvar::new(),
            stop: AtomicBool::new(false),
            connections: AtomicUsize::new(0),
            workers: Mutex::new(Vec::new()),
        });
        let accept = {
            let shared = shared.clone();
            thread::spawn(move || accept_loop(listener, shared, acceptor))
        };
        Server {
            addr,
            scheme,
            shared,
            accept: Some(accept),
        }
    }

    /// From now on, a used-up script repeats its last reply instead of
    /// answering 500.
    pub fn repeat_last(self) -> Self {
        self.shared.script.lock().unwrap().repeat_last = true;
        self
    }

    /// Appends a reply to the script; for replies that must name the
    /// server's own address.
    pub fn push(&self, reply: impl Into<Reply>) {
        self.shared
            .script
            .lock()
            .unwrap()
            .replies
            .push_back(reply.into());
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `scheme://ip:port`, no trailing slash.
    pub fn base(&self) -> String {
        format!("{}://{}", self.scheme, self.addr)
    }

    /// `base()` followed by `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base())
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<Request> {
        self.shared.requests.lock().unwrap().clone()
    }

    pub fn request_count(&self) -> usize {
        self.shared.requests.lock().unwrap().len()
    }

    /// The one request received; panics unless exactly one arrived.
    pub fn only_request(&self) -> Request {
        let requests = self.requests();
        assert_eq!(requests.len(), 1, "requests: {requests:#?}");
        requests.into_iter().next().unwrap()
    }

    /// Connections accepted so far.
    pub fn connection_count(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }

    /// Waits until `n` requests have arrived or `timeout` passes; true if
    /// they did.
    pub fn wait_for_requests(&self, n: usize, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut requests = self.shared.requests.lock().unwrap();
        while requests.len() < n {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            requests = self.shared.arrived.wait_timeout(requests, left).unwrap().0;
        }
        true
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
        let workers = std::mem::take(&mut *self.shared.workers.lock().unwrap());
        for w in workers {
            let _ = w.join();
        }
    }
}

fn accept_loop(listener: TcpListener, shared: Arc<Shared>, acceptor: Acceptor) {
    while !shared.stop.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((socket, _)) => {
                let id = shared.connections.fetch_add(1, Ordering::SeqCst);
                let shared2 = shared.clone();
                let acceptor = acceptor.clone();
                let worker = thread::spawn(move || {
                    let _ = serve_connection(socket, id, &shared2, &acceptor);
                });
                shared.workers.lock().unwrap().push(worker);
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                thread::sleep(Duration::from_millis(2))
            }
            Err(_) => thread::sleep(POLL),
        }
    }
}

fn serve_connection(
    socket: TcpStream,
    id: usize,
    shared: &Shared,
    acceptor: &Acceptor,
) -> io::Result<()> {
    socket.set_nonblocking(false)?;
    socket.set_read_timeout(Some(POLL))?;
    socket.set_nodelay(true)?;
    let control = socket.try_clone()?;
    let mut stream = acceptor(socket)?;
    let mut buffer = Vec::new();

    loop {
        let Some(request) = read_request(&mut *stream, &mut buffer, id, shared)? else {
            return Ok(());
        };
        let client_closes = request
            .header("connection")
            .is_some_and(|v| v.eq_ignore_ascii_case("close"));
        let reply = {
            let mut requests = shared.requests.lock().unwrap();
            requests.push(request);
            shared.arrived.notify_all();
            next_reply(&mut shared.script.lock().unwrap())
        };
        let keep_open = perform(reply, &mut *stream, &control, shared)?;
        if !keep_open || client_closes {
            return Ok(());
        }
    }
}

fn next_reply(script: &mut Script) -> Reply {
    if let Some(reply) = script.replies.pop_front() {
        script.last = Some(reply.clone());
        return reply;
    }
    match (&script.last, script.repeat_last) {
        (Some(last), true) => last.clone(),
        _ => Response::typed(500, "text/plain", "script exhausted").into(),
    }
}

/// Does `reply`; false when the connection must not carry another request.
fn perform(
    reply: Reply,
    stream: &mut dyn Stream,
    control: &TcpStream,
    shared: &Shared,
) -> io::Result<bool> {
    match reply {
        Reply::Respond(response) => {
            stream.write_all(&response.to_bytes())?;
            stream.flush()?;
            Ok(!response.closes())
        }
        Reply::RespondAndClose(response) => {
            stream.write_all(&response.to_bytes())?;
            stream.flush()?;
            Ok(false)
        }
        Reply::Close => Ok(false),
        Reply::Hang => {
            idle_until_stopped(shared);
            Ok(false)
        }
        Reply::ResetInHeaders => {
            stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Ty")?;
            stream.flush()?;
            reset(control);
            Ok(false)
        }
        Reply::ResetInBody(response) => {
            let mut bytes = response.head();
            bytes.extend_from_slice(&response.body[..response.body.len() / 2]);
            stream.write_all(&bytes)?;
            stream.flush()?;
            // Let the client read what was sent before the reset discards it.
            thread::sleep(Duration::from_millis(50));
            reset(control);
            Ok(false)
        }
        Reply::Trickle {
            response,
            chunk,
            pause,
        } => {
            for piece in response.to_bytes().chunks(chunk.max(1)) {
                if shared.stop.load(Ordering::SeqCst) {
                    return Ok(false);
                }
                stream.write_all(piece)?;
                stream.flush()?;
                thread::sleep(pause);
            }
            Ok(!response.closes())
        }
        Reply::ChunkedWithoutEnd(response) => {
            let response = response.header("Transfer-Encoding", "chunked");
            let mut bytes = response.head();
            bytes.extend_from_slice(format!("{:x}\r\n", response.body.len()).as_bytes());
            bytes.extend_from_slice(&response.body);
            bytes.extend_from_slice(b"\r\n");
            stream.write_all(&bytes)?;
            stream.flush()?;
            idle_until_stopped(shared);
            Ok(false)
        }
        Reply::Delay(wait, inner) => {
            let until = Instant::now() + wait;
            while Instant::now() < until {
                if shared.stop.load(Ordering::SeqCst) {
                    return Ok(false);
                }
                thread::sleep(POLL.min(until.saturating_duration_since(Instant::now())));
            }
            perform(*inner, stream, control, shared)
        }
    }
}

fn idle_until_stopped(shared: &Shared) {
    while !shared.stop.load(Ordering::SeqCst) {
        thread::sleep(POLL);
    }
}

/// Makes the close that follows a reset (RST) rather than an orderly FIN.
fn reset(socket: &TcpStream) {
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: the descriptor is open for as long as `socket` lives, and the
    // option value is a valid `linger` of the size passed.
    unsafe {
        libc::setsockopt(
            socket.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            &linger as *const libc::linger as *const libc::c_void,
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        );
    }
}

/// Reads one request; `None` when the client closed the connection (or the
/// server is stopping) before a new one began.
fn read_request(
    stream: &mut dyn Stream,
    buffer: &mut Vec<u8>,
    connection: usize,
    shared: &Shared,
) -> io::Result<Option<Request>> {
    let head_end = loop {
        if let Some(i) = find(buffer, b"\r\n\r\n") {
            break i;
        }
        if buffer.len() > MAX_REQUEST || !fill(stream, buffer, shared)? {
            return Ok(None);
        }
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    buffer.drain(..head_end + 4);

    let mut lines = head.split("\r\n");
    let mut start = lines.next().unwrap_or("").split(' ');
    let method = start.next().unwrap_or("").to_owned();
    let path = start.next().unwrap_or("").to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };

    let body = if header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        read_chunked(stream, buffer, shared)?
    } else {
        let length: usize = header("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        if length > MAX_REQUEST {
            return Ok(None);
        }
        while buffer.len() < length {
            if !fill(stream, buffer, shared)? {
                return Ok(None);
            }
        }
        buffer.drain(..length).collect()
    };

    Ok(Some(Request {
        method,
        path,
        headers,
        body,
        connection,
    }))
}

fn read_chunked(
    stream: &mut dyn Stream,
    buffer: &mut Vec<u8>,
    shared: &Shared,
) -> io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line_end = loop {
            if let Some(i) = find(buffer, b"\r\n") {
                break i;
            }
            if !fill(stream, buffer, shared)? {
                return Ok(body);
            }
        };
        let size_text = String::from_utf8_lossy(&buffer[..line_end]).into_owned();
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .unwrap_or(0);
        buffer.drain(..line_end + 2);
        while buffer.len() < size + 2 {
            if !fill(stream, buffer, shared)? {
                return Ok(body);
            }
        }
        body.extend(buffer.drain(..size));
        buffer.drain(..2);
        if size == 0 {
            return Ok(body);
        }
    }
}

/// Reads more bytes into `buffer`; false on end of stream, error or stop.
fn fill(stream: &mut dyn Stream, buffer: &mut Vec<u8>, shared: &Shared) -> io::Result<bool> {
    let mut chunk = [0u8; 8192];
    loop {
        if shared.stop.load(Ordering::SeqCst) {
            return Ok(false);
        }
        match stream.read(&mut chunk) {
            Ok(0) => return Ok(false),
            Ok(n) => {
                buffer.extend_from_slice(&chunk[..n]);
                return Ok(true);
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock
                        | io::ErrorKind::TimedOut
                        | io::ErrorKind::Interrupted
                ) => {}
            Err(_) => return Ok(false),
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
