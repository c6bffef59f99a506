//! The outbox delivered to a real local webhook receiver: while the receiver is down the
//! notification waits for its next attempt; once it is back, it is delivered signed, and
//! recorded as delivered.

use chrono::{DateTime, Utc};
use credence_engine::deliver_notifications;
use credence_notify::NotifyConfig;
use credence_store::{NewNotification, Store};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;

/// Accepts one request, checks its signature, answers 200 and returns the body.
fn receive_one(listener: TcpListener, secret: &'static str) -> std::thread::JoinHandle<(bool, String)> {
    std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let (mut length, mut timestamp, mut signature) = (0, String::new(), String::new());
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            let (name, value) = line.split_once(':').unwrap_or((line, ""));
            match name.to_ascii_lowercase().as_str() {
                "content-length" => length = value.trim().parse().unwrap(),
                "x-credence-timestamp" => timestamp = value.trim().to_owned(),
                "x-credence-signature" => signature = value.trim().to_owned(),
                _ => {}
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        let verified = credence_notify::verify_signature(secret, &timestamp, &body, &signature);
        let mut stream = stream;
        stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").unwrap();
        (verified, String::from_utf8(body).unwrap())
    })
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

#[test]
fn a_notification_waits_while_the_receiver_is_down_and_is_delivered_when_it_is_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path().join("n.db").to_str().unwrap()).unwrap();
    let mut run =
        store.begin_warning_run("2026-09-30", "P", "K", "due", &"2026-10-01T08:00:00Z".into()).unwrap();
    run.notify(&NewNotification {
        kind: "alert_raised",
        recipient: "李四",
        title_en: "red alert for C1",
        title_zh: "客户C1触发红色预警",
        payload: r#"{"customer_id":"C1"}"#,
    })
    .unwrap();
    run.commit(&"2026-10-01T08:00:01Z".into()).unwrap();

    // A port nobody listens on yet.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let config = NotifyConfig::from_toml(
        &format!(
            "[retry]\nbase_backoff_secs = 60\n[webhooks.desk]\nurl = \"http://127.0.0.1:{port}/hook\"\nsecret_env = \"DESK_SECRET\"\ntimeout_secs = 5\n[recipients.\"李四\"]\nwebhook = \"desk\"\n"
        ),
        "notify.toml",
        |name| (name == "DESK_SECRET").then(|| "s3cret".to_owned()),
    )
    .unwrap();

    let down = deliver_notifications(&mut store, &config, at("2026-10-01T08:00:10Z"), 10).unwrap();
    assert_eq!((down.attempted, down.retrying, down.delivered), (1, 1, 0));
    let row = &store.notifications(None, 1).unwrap()[0];
    assert_eq!(
        (row.status.as_str(), row.attempts, row.next_attempt_at.as_str()),
        ("pending", 1, "2026-10-01T08:01:10Z")
    );
    assert!(row.last_error.is_some());
    // Not due again before its next attempt.
    let early = deliver_notifications(&mut store, &config, at("2026-10-01T08:00:40Z"), 10).unwrap();
    assert_eq!(early.attempted, 0);

    let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
    let receiver = receive_one(listener, "s3cret");
    let back = deliver_notifications(&mut store, &config, at("2026-10-01T08:01:10Z"), 10).unwrap();
    assert_eq!((back.attempted, back.delivered), (1, 1), "{back:?}");
    let (verified, body) = receiver.join().unwrap();
    assert!(verified, "the receiver verifies the HMAC-SHA256 signature");
    assert!(body.contains("客户C1触发红色预警") && body.contains("\"customer_id\":\"C1\""), "{body}");
    let row = &store.notifications(None, 1).unwrap()[0];
    assert_eq!(
        (row.status.as_str(), row.attempts, row.channels_done.as_slice()),
        ("delivered", 2, &["webhook".to_owned()][..])
    );
    assert_eq!(
        deliver_notifications(&mut store, &config, at("2026-10-02T00:00:00Z"), 10).unwrap().attempted,
        0
    );
}
