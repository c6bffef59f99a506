//! A real SMTP sink on 127.0.0.1: the plain conversation (220, EHLO, MAIL FROM, RCPT TO,
//! DATA, QUIT) for a number of sessions, capturing each message; and the decoding a mail
//! reader does (folded headers, RFC 2047 encoded words, base64 bodies) to check it.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// One SMTP session as the sink saw it.
#[derive(Debug, Default)]
pub struct Captured {
    /// Every command line, in order (not the message itself).
    pub commands: Vec<String>,
    pub ehlo: String,
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
    /// The message as sent after DATA, dot-stuffing undone; empty if none was.
    pub data: String,
}

pub struct Sink {
    pub port: u16,
    handle: JoinHandle<Vec<Captured>>,
}

impl Sink {
    /// Serves `sessions` connections on a free port (0) or `port`, answering `RCPT TO`
    /// with `rcpt_reply` (such as `250 ok` or `550 5.1.1 no such user`).
    pub fn start_on(port: u16, sessions: usize, rcpt_reply: &'static str) -> Sink {
        let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let handle = std::thread::spawn(move || {
            let mut captured = Vec::new();
            let deadline = Instant::now() + Duration::from_secs(10);
            while captured.len() < sessions && Instant::now() < deadline {
                match listener.accept() {
                    Ok((stream, _)) => {
                        stream.set_nonblocking(false).unwrap();
                        stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
                        captured.push(converse(stream, rcpt_reply));
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                        std::thread::sleep(Duration::from_millis(5));
                    }
                    Err(e) => panic!("accept failed: {e}"),
                }
            }
            captured
        });
        Sink { port, handle }
    }

    pub fn start(sessions: usize) -> Sink {
        Sink::start_on(0, sessions, "250 2.1.5 ok")
    }

    pub fn finish(self) -> Vec<Captured> {
        self.handle.join().unwrap()
    }
}

fn converse(stream: std::net::TcpStream, rcpt_reply: &str) -> Captured {
    let mut out = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    let mut say = |text: &str| out.write_all(format!("{text}\r\n").as_bytes()).unwrap();
    let mut captured = Captured::default();
    say("220 sink.test ESMTP ready");
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            break;
        }
        let command = line.trim_end();
        captured.commands.push(command.to_owned());
        let upper = command.to_ascii_uppercase();
        if upper.starts_with("EHLO ") || upper.starts_with("HELO ") {
            captured.ehlo = command[5..].to_owned();
            say("250-sink.test greets you");
            say("250 8BITMIME");
        } else if upper.starts_with("MAIL FROM:") {
            captured.mail_from = command[10..].trim().to_owned();
            say("250 2.1.0 ok");
        } else if upper.starts_with("RCPT TO:") {
            captured.rcpt_to.push(command[8..].trim().to_owned());
            say(rcpt_reply);
        } else if upper == "DATA" {
            say("354 end data with <CR><LF>.<CR><LF>");
            let mut data = String::new();
            loop {
                line.clear();
                reader.read_line(&mut line).unwrap();
                if line == ".\r\n" {
                    break;
                }
                data.push_str(line.strip_prefix('.').unwrap_or(&line));
            }
            captured.data = data;
            say("250 2.0.0 queued");
        } else if upper == "QUIT" {
            say("221 2.0.0 bye");
            break;
        } else if upper == "RSET" || upper == "NOOP" {
            say("250 2.0.0 ok");
        } else {
            say("502 5.5.1 not implemented");
        }
    }
    captured
}

/// A message split into unfolded headers and its decoded text body.
pub struct Mail {
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Mail {
    pub fn parse(data: &str) -> Mail {
        let (head, body) = data.split_once("\r\n\r\n").expect("headers and a body");
        let mut headers: Vec<(String, String)> = Vec::new();
        for line in head.split("\r\n") {
            if line.starts_with([' ', '\t']) {
                headers.last_mut().expect("a header to continue").1.push_str(line);
            } else {
                let (name, value) = line.split_once(':').expect("a header line");
                headers.push((name.to_owned(), value.trim().to_owned()));
            }
        }
        let mail = Mail { headers, body: String::new() };
        let body = match mail.raw_header("Content-Transfer-Encoding") {
            Some(e) if e.eq_ignore_ascii_case("base64") => {
                let joined: String = body.split_whitespace().collect();
                String::from_utf8(STANDARD.decode(joined).unwrap()).unwrap()
            }
            _ => body.to_owned(),
        };
        // Text travels with CRLF line ends; a reader shows lines.
        Mail { body: body.replace("\r\n", "\n"), ..mail }
    }

    pub fn raw_header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// A header with its encoded words decoded.
    pub fn header(&self, name: &str) -> Option<String> {
        self.raw_header(name).map(decode_words)
    }
}

/// Decodes RFC 2047 encoded words (`=?utf-8?b?…?=`, `=?utf-8?q?…?=`); white space between
/// two encoded words is dropped, as the RFC says.
fn decode_words(value: &str) -> String {
    let mut out = String::new();
    let mut previous_encoded = false;
    for token in value.split_whitespace() {
        let decoded = token.strip_prefix("=?").and_then(|t| t.strip_suffix("?=")).and_then(|t| {
            let mut parts = t.splitn(3, '?');
            let (_charset, encoding, text) = (parts.next()?, parts.next()?, parts.next()?);
            let bytes = match encoding {
                "b" | "B" => STANDARD.decode(text).ok()?,
                "q" | "Q" => decode_q(text),
                _ => return None,
            };
            String::from_utf8(bytes).ok()
        });
        match decoded {
            Some(text) => {
                if !out.is_empty() && !previous_encoded {
                    out.push(' ');
                }
                out.push_str(&text);
                previous_encoded = true;
            }
            None => {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(token);
                previous_encoded = false;
            }
        }
    }
    out
}

fn decode_q(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'_' => out.push(b' '),
            b'=' if i + 2 < bytes.len() => {
                out.push(u8::from_str_radix(&text[i + 1..i + 3], 16).unwrap());
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    out
}
