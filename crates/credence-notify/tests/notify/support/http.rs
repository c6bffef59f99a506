//! A real HTTP receiver on 127.0.0.1: it answers a script of replies, one connection
//! each, checks every request's signature with `verify_signature` and records it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use credence_notify::verify_signature;

/// What the receiver does with one request.
#[derive(Debug, Clone, Copy)]
pub enum Reply {
    /// Answer with this status and a short body.
    Status(u16, &'static str),
    /// Read the request and say nothing for a second, then hang up.
    Silence,
}

/// One request as the receiver saw it.
#[derive(Debug)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Whether `X-Credence-Signature` signs the body at `X-Credence-Timestamp`.
    pub signature_ok: bool,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("the body is JSON")
    }
}

pub struct Receiver {
    pub url: String,
    handle: JoinHandle<Vec<Received>>,
}

/// A port on 127.0.0.1 that nothing listens on (it was bound and let go).
pub fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The receiver gives up waiting for a connection after this long, so a failing test
/// never hangs.
const PATIENCE: Duration = Duration::from_secs(10);

impl Receiver {
    /// Listens on a free port and serves `script`, one reply per connection.
    pub fn start(secret: &str, script: &[Reply]) -> Receiver {
        Receiver::start_on(0, secret, script)
    }

    /// Listens on `port` (0 for any) and serves `script`.
    pub fn start_on(port: u16, secret: &str, script: &[Reply]) -> Receiver {
        let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://127.0.0.1:{}/hooks/credence", listener.local_addr().unwrap().port());
        let (secret, script) = (secret.to_owned(), script.to_vec());
        let handle = std::thread::spawn(move || {
            let mut received = Vec::new();
            for reply in script {
                let Some(stream) = accept(&listener) else { break };
                received.push(serve(stream, &secret, reply));
            }
            received
        });
        Receiver { url, handle }
    }

    /// Waits until the script is played (or the receiver gave up) and returns what came.
    pub fn finish(self) -> Vec<Received> {
        self.handle.join().unwrap()
    }
}

fn accept(listener: &TcpListener) -> Option<TcpStream> {
    let deadline = Instant::now() + PATIENCE;
    while Instant::now() < deadline {
        match listener.accept() {
            Ok((stream, _)) => {
                stream.set_nonblocking(false).unwrap();
                stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
                return Some(stream);
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(e) => panic!("accept failed: {e}"),
        }
    }
    None
}

fn serve(stream: TcpStream, secret: &str, reply: Reply) -> Received {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let path = parts.next().unwrap_or_default().to_owned();
    let mut headers = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line).unwrap();
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':').expect("a header line");
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    let length: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .map_or(0, |(_, v)| v.parse().unwrap());
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    let mut received = Received { method, path, headers, body, signature_ok: false };
    received.signature_ok =
        match (received.header("X-Credence-Timestamp"), received.header("X-Credence-Signature")) {
            (Some(timestamp), Some(signature)) => {
                verify_signature(secret, timestamp, &received.body, signature)
            }
            _ => false,
        };
    let mut stream = stream;
    match reply {
        Reply::Status(status, text) => {
            let answer = format!(
                "HTTP/1.1 {status} {}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n{text}",
                reason(status),
                text.len()
            );
            stream.write_all(answer.as_bytes()).unwrap();
        }
        Reply::Silence => std::thread::sleep(Duration::from_secs(1)),
    }
    received
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        301 => "Moved Permanently",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        408 => "Request Timeout",
        410 => "Gone",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Whatever",
    }
}
