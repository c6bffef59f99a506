//! Webhook delivery to a real local receiver: the request, the signature, the retry
//! schedule, refusals, and a receiver that is down and comes back.

use std::time::Duration;

use credence_notify::{ChannelStatus, DeliveryError, NotifyConfig, Outcome, deliver};

use crate::support::http::{Receiver, Reply, closed_port};
use crate::{SECRET, at, escalation, load};

/// 张伟 by webhook only; retries after 30 s, 60 s, 120 s…, at most 4 attempts.
fn config(url: &str) -> NotifyConfig {
    load(&format!(
        r#"
        [retry]
        max_attempts = 4
        base_backoff_secs = 30
        max_backoff_secs = 300

        [webhooks.risk-desk]
        url = "{url}"
        secret_env = "HOOK_SECRET"
        timeout_secs = 5

        [recipients."张伟"]
        webhook = "risk-desk"
        "#
    ))
}

#[test]
fn delivers_a_signed_json_post() {
    let receiver = Receiver::start(SECRET, &[Reply::Status(200, "ok")]);
    let now = at("2026-11-01T08:00:00Z");
    let delivery = deliver(&config(&receiver.url), &escalation(), now);
    assert!(matches!(delivery.outcome, Outcome::Delivered), "{:?}", delivery.outcome);
    assert_eq!(delivery.channels.len(), 1);
    assert_eq!(delivery.channels[0].target, "risk-desk");
    assert_eq!(delivery.channels[0].status, ChannelStatus::Delivered);

    let requests = receiver.finish();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!((request.method.as_str(), request.path.as_str()), ("POST", "/hooks/credence"));
    assert_eq!(request.header("Content-Type"), Some("application/json"));
    assert_eq!(request.header("X-Credence-Event"), Some("case_escalated"));
    assert_eq!(request.header("X-Credence-Delivery"), Some("42"));
    assert_eq!(request.header("X-Credence-Timestamp"), Some("1793520000"));
    assert!(request.signature_ok, "the signature does not verify");
    assert_eq!(
        request.json(),
        serde_json::json!({
            "id": 42,
            "kind": "case_escalated",
            "recipient": "张伟",
            "title": {"zh": "客户逾期：案件已升级", "en": "Customer overdue: case escalated"},
            "text": {"zh": escalation().text.zh, "en": escalation().text.en},
            "payload": {
                "case_id": 7,
                "customer_id": "C0000001",
                "level": "red",
                "due_at": "2026-11-02T08:00:00Z",
            },
        })
    );
}

#[test]
fn unavailable_then_available_is_retried_on_the_schedule() {
    let receiver = Receiver::start(
        SECRET,
        &[Reply::Status(503, "maintenance"), Reply::Status(503, "maintenance"), Reply::Status(200, "ok")],
    );
    let config = config(&receiver.url);
    let mut notification = escalation();

    let first = at("2026-11-01T08:00:00Z");
    let Outcome::Retry { at: second, error } = deliver(&config, &notification, first).outcome else {
        panic!("the first 503 should be retried");
    };
    assert_eq!(second, at("2026-11-01T08:00:30Z"));
    assert_eq!(
        error.report(),
        "webhook 'risk-desk' did not deliver: the receiver answered HTTP 503: maintenance"
    );

    notification.attempts = 1;
    let Outcome::Retry { at: third, .. } = deliver(&config, &notification, second).outcome else {
        panic!("the second 503 should be retried");
    };
    assert_eq!(third, at("2026-11-01T08:01:30Z"));

    notification.attempts = 2;
    let delivery = deliver(&config, &notification, third);
    assert!(matches!(delivery.outcome, Outcome::Delivered), "{:?}", delivery.outcome);

    let requests = receiver.finish();
    let timestamps: Vec<&str> = requests.iter().map(|r| r.header("X-Credence-Timestamp").unwrap()).collect();
    assert_eq!(timestamps, ["1793520000", "1793520030", "1793520090"]);
    assert!(requests.iter().all(|r| r.signature_ok));
    // The same body and idempotency key every time: only the time stamp and signature move.
    assert!(requests.iter().all(|r| r.body == requests[0].body));
    assert!(requests.iter().all(|r| r.header("X-Credence-Delivery") == Some("42")));
}

/// One request answered with `status`; the outcome's kind and the channel's status.
fn check_status(status: u16, expected: &str) {
    let receiver = Receiver::start(SECRET, &[Reply::Status(status, "")]);
    let delivery = deliver(&config(&receiver.url), &escalation(), at("2026-11-01T08:00:00Z"));
    let got = match &delivery.outcome {
        Outcome::Delivered => "delivered",
        Outcome::Retry { .. } => "retry",
        Outcome::Failed { .. } => "failed",
    };
    assert_eq!(got, expected, "HTTP {status}: {:?}", delivery.outcome);
    let channel = match expected {
        "delivered" => ChannelStatus::Delivered,
        "retry" => ChannelStatus::Retryable,
        _ => ChannelStatus::Failed,
    };
    assert_eq!(delivery.channels[0].status, channel, "HTTP {status}");
    assert_eq!(receiver.finish().len(), 1);
}

#[test]
fn success_is_any_2xx() {
    check_status(200, "delivered");
    check_status(201, "delivered");
    check_status(204, "delivered");
}

#[test]
fn server_trouble_timeouts_and_throttling_are_retried() {
    check_status(500, "retry");
    check_status(502, "retry");
    check_status(503, "retry");
    check_status(408, "retry");
    check_status(429, "retry");
}

#[test]
fn refusals_and_redirects_fail_for_good() {
    check_status(400, "failed");
    check_status(401, "failed");
    check_status(404, "failed");
    check_status(410, "failed");
    check_status(301, "failed");
}

#[test]
fn a_refusal_says_why() {
    let receiver = Receiver::start(SECRET, &[Reply::Status(400, "unknown event kind")]);
    let Outcome::Failed { error } =
        deliver(&config(&receiver.url), &escalation(), at("2026-11-01T08:00:00Z")).outcome
    else {
        panic!("a 400 is not retried");
    };
    assert!(!error.is_retryable());
    assert_eq!(
        error.report(),
        "webhook 'risk-desk' did not deliver: the receiver answered HTTP 400: unknown event kind"
    );
}

#[test]
fn a_receiver_that_is_down_gets_it_when_it_comes_back() {
    let port = closed_port();
    let config = config(&format!("http://127.0.0.1:{port}/hooks/credence"));
    let mut notification = escalation();

    let now = at("2026-11-01T08:00:00Z");
    let Outcome::Retry { at: next, error } = deliver(&config, &notification, now).outcome else {
        panic!("a closed port should be retried");
    };
    assert_eq!(next, at("2026-11-01T08:00:30Z"));
    assert!(matches!(error, DeliveryError::Webhook { .. }), "{error:?}");
    assert!(error.report().starts_with(&format!(
        "webhook 'risk-desk' did not deliver: the request to http://127.0.0.1:{port}/hooks/credence failed"
    )));

    let receiver = Receiver::start_on(port, SECRET, &[Reply::Status(200, "ok")]);
    notification.attempts = 1;
    let delivery = deliver(&config, &notification, next);
    assert!(matches!(delivery.outcome, Outcome::Delivered), "{:?}", delivery.outcome);
    let requests = receiver.finish();
    assert_eq!(requests.len(), 1);
    assert!(requests[0].signature_ok);
    assert_eq!(requests[0].header("X-Credence-Timestamp"), Some("1793520030"));
}

#[test]
fn a_receiver_that_does_not_answer_times_out_and_is_retried() {
    let receiver = Receiver::start(SECRET, &[Reply::Silence]);
    let mut config = config(&receiver.url);
    config.webhooks.get_mut("risk-desk").unwrap().timeout = Duration::from_millis(300);
    // The receiver hangs up after a second; an error that says so would mean no timeout.
    let outcome = deliver(&config, &escalation(), at("2026-11-01T08:00:00Z")).outcome;
    let Outcome::Retry { error, .. } = outcome else { panic!("{outcome:?}") };
    assert!(
        error.report().starts_with(&format!(
            "webhook 'risk-desk' did not deliver: the request to {} got no answer within 300ms",
            receiver.url
        )),
        "{}",
        error.report()
    );
    assert_eq!(receiver.finish().len(), 1);
}

#[test]
fn the_last_attempt_allowed_gives_up_and_keeps_the_reason() {
    let receiver = Receiver::start(SECRET, &[Reply::Status(503, "")]);
    let mut notification = escalation();
    notification.attempts = 3;
    let Outcome::Failed { error } =
        deliver(&config(&receiver.url), &notification, at("2026-11-01T08:00:00Z")).outcome
    else {
        panic!("the fourth of four attempts has no retry");
    };
    assert!(matches!(error, DeliveryError::GaveUp { attempts: 4, .. }), "{error:?}");
    assert_eq!(
        error.report(),
        "gave up after 4 attempts: webhook 'risk-desk' did not deliver: the receiver answered HTTP 503"
    );
}

#[test]
fn an_unknown_recipient_fails_without_sending() {
    let mut notification = escalation();
    notification.recipient = "王芳".to_owned();
    let delivery = deliver(&config("http://127.0.0.1:9/unused"), &notification, at("2026-11-01T08:00:00Z"));
    let Outcome::Failed { error } = delivery.outcome else { panic!("{:?}", delivery.outcome) };
    assert_eq!(error.report(), "no recipient '王芳' in the notification configuration");
    assert!(delivery.channels.is_empty());
}
