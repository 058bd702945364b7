//! The scripted test server itself: framing, keep-alive, recording, faults.

#[path = "support/scripted.rs"]
mod scripted;

use scripted::{Reply, Response, Server};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

fn send(stream: &mut TcpStream, path: &str, body: &str) {
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
}

/// Reads one response framed by Content-Length; returns (head, body).
fn receive(stream: &mut TcpStream) -> (String, String) {
    let mut bytes = Vec::new();
    let mut byte = [0u8; 1];
    while !bytes.ends_with(b"\r\n\r\n") {
        assert_eq!(stream.read(&mut byte).unwrap(), 1, "head cut short");
        bytes.push(byte[0]);
    }
    let head = String::from_utf8(bytes).unwrap();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("Content-Length: "))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).unwrap();
    (head, String::from_utf8(body).unwrap())
}

#[test]
fn serves_the_script_in_order_on_one_kept_alive_connection() {
    let server = Server::start([
        Response::json(200, "{\"n\":1}"),
        Response::json(201, "second"),
    ]);
    let mut client = TcpStream::connect(server.addr()).unwrap();

    send(&mut client, "/a", "x=1");
    let (head1, body1) = receive(&mut client);
    send(&mut client, "/b", "");
    let (head2, body2) = receive(&mut client);

    assert!(head1.starts_with("HTTP/1.1 200 "), "{head1}");
    assert_eq!(body1, "{\"n\":1}");
    assert!(head2.starts_with("HTTP/1.1 201 "), "{head2}");
    assert_eq!(body2, "second");
    assert_eq!(server.connection_count(), 1);
}

#[test]
fn records_method_path_headers_and_body() {
    let server = Server::start([Response::new(204)]);
    let mut client = TcpStream::connect(server.addr()).unwrap();

    send(
        &mut client,
        "/token",
        "grant_type=client_credentials&scope=a+b%3Ac",
    );
    receive(&mut client);

    let request = server.only_request();
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/token");
    assert_eq!(request.header("content-type"), Some("text/plain"));
    assert_eq!(request.field("scope").as_deref(), Some("a b:c"));
}

#[test]
fn a_used_up_script_answers_500_script_exhausted() {
    let server = Server::start([Response::new(204)]);
    let mut client = TcpStream::connect(server.addr()).unwrap();

    send(&mut client, "/", "");
    receive(&mut client);
    send(&mut client, "/", "");
    let (head, body) = receive(&mut client);

    assert!(head.starts_with("HTTP/1.1 500 "), "{head}");
    assert_eq!(body, "script exhausted");
}

#[test]
fn repeat_last_serves_the_last_reply_again() {
    let server = Server::start([Response::json(503, "busy")]).repeat_last();
    let mut client = TcpStream::connect(server.addr()).unwrap();

    for _ in 0..3 {
        send(&mut client, "/", "");
        let (head, _) = receive(&mut client);
        assert!(head.starts_with("HTTP/1.1 503 "), "{head}");
    }
    assert_eq!(server.request_count(), 3);
}

#[test]
fn close_ends_the_connection_without_an_answer() {
    let server = Server::start([Reply::Close]);
    let mut client = TcpStream::connect(server.addr()).unwrap();

    send(&mut client, "/", "");
    let mut rest = Vec::new();
    let _ = client.read_to_end(&mut rest);

    assert!(rest.is_empty(), "{rest:?}");
    assert!(server.wait_for_requests(1, Duration::from_secs(1)));
}

#[test]
fn dropping_a_hanging_server_returns() {
    let server = Server::start([Reply::Hang]);
    let mut client = TcpStream::connect(server.addr()).unwrap();
    send(&mut client, "/", "");
    assert!(server.wait_for_requests(1, Duration::from_secs(2)));

    drop(server);

    let mut rest = Vec::new();
    client
        .set_read_timeout(Some(Duration::from_secs(2)))
        .unwrap();
    assert_eq!(client.read_to_end(&mut rest).unwrap(), 0);
}
