//! A recipient with a webhook and an e-mail address: delivered only when both have it,
//! and a retry does not send again over the channel that already succeeded.

use credence_notify::{Channel, ChannelStatus, NotifyConfig, Outcome, Recipient, deliver};

use crate::support::http::{Receiver, Reply, closed_port};
use crate::support::smtp::Sink;
use crate::{SECRET, at, escalation, load};

fn config(url: &str, smtp_port: u16) -> NotifyConfig {
    load(&format!(
        r#"
        [retry]
        base_backoff_secs = 120

        [webhooks.risk-desk]
        url = "{url}"
        secret_env = "HOOK_SECRET"

        [smtp]
        host = "127.0.0.1"
        port = {smtp_port}
        security = "none"
        from = "credence@example.com"

        [recipients."张伟"]
        email = "zhang.wei@example.com"
        webhook = "risk-desk"
        "#
    ))
}

#[test]
fn every_channel_must_deliver_and_none_is_sent_twice() {
    let receiver = Receiver::start(SECRET, &[Reply::Status(200, "ok")]);
    let smtp_port = closed_port();
    let config = config(&receiver.url, smtp_port);
    let mut notification = escalation();

    let first = deliver(&config, &notification, at("2026-11-01T08:00:00Z"));
    let Outcome::Retry { at: next, error } = &first.outcome else { panic!("{:?}", first.outcome) };
    assert_eq!(*next, at("2026-11-01T08:02:00Z"));
    assert_eq!(error.channel(), Some(Channel::Email));
    let statuses: Vec<_> = first.channels.iter().map(|c| (c.channel, c.status)).collect();
    assert_eq!(
        statuses,
        [(Channel::Webhook, ChannelStatus::Delivered), (Channel::Email, ChannelStatus::Retryable)]
    );
    assert_eq!(first.delivered(), [Channel::Webhook]);

    // The store keeps what was delivered and passes it back with the next attempt.
    let sink = Sink::start_on(smtp_port, 1, "250 2.1.5 ok");
    notification.attempts = 1;
    notification.delivered = first.delivered();
    let second = deliver(&config, &notification, *next);
    assert!(matches!(second.outcome, Outcome::Delivered), "{:?}", second.outcome);
    let statuses: Vec<_> = second.channels.iter().map(|c| (c.channel, c.status)).collect();
    assert_eq!(
        statuses,
        [(Channel::Webhook, ChannelStatus::AlreadyDelivered), (Channel::Email, ChannelStatus::Delivered)]
    );
    assert_eq!(second.delivered(), [Channel::Webhook, Channel::Email]);

    assert_eq!(receiver.finish().len(), 1, "the webhook was called once");
    assert_eq!(sink.finish().len(), 1);
}

#[test]
fn a_refusal_on_one_channel_fails_the_notification() {
    let receiver = Receiver::start(SECRET, &[Reply::Status(404, "no such hook")]);
    let sink = Sink::start(1);
    let delivery = deliver(&config(&receiver.url, sink.port), &escalation(), at("2026-11-01T08:00:00Z"));
    let Outcome::Failed { error } = &delivery.outcome else { panic!("{:?}", delivery.outcome) };
    assert_eq!(
        error.report(),
        "webhook 'risk-desk' did not deliver: the receiver answered HTTP 404: no such hook"
    );
    assert_eq!(delivery.delivered(), [Channel::Email]);
    receiver.finish();
    sink.finish();
}

#[test]
fn failures_on_both_channels_are_both_reported() {
    let receiver = Receiver::start(SECRET, &[Reply::Status(503, "")]);
    let sink = Sink::start_on(0, 1, "451 4.3.0 try again later");
    let delivery = deliver(&config(&receiver.url, sink.port), &escalation(), at("2026-11-01T08:00:00Z"));
    let Outcome::Retry { error, .. } = &delivery.outcome else { panic!("{:?}", delivery.outcome) };
    let report = error.report();
    assert!(
        report.starts_with(
            "webhook 'risk-desk' did not deliver: the receiver answered HTTP 503; \
             e-mail to zhang.wei@example.com did not deliver: the SMTP exchange with 127.0.0.1:"
        ),
        "{report}"
    );
    assert!(report.contains("try again later"), "{report}");
    assert!(delivery.delivered().is_empty());
    receiver.finish();
    sink.finish();
}

#[test]
fn a_recipient_without_channels_fails_rather_than_counting_as_delivered() {
    // The loader refuses such a recipient; a configuration built in code can still hold one.
    let mut config = NotifyConfig::default();
    let recipient = Recipient { name: "张伟".to_owned(), email: None, webhook: None };
    config.recipients.insert(recipient.name.clone(), recipient);
    let delivery = deliver(&config, &escalation(), at("2026-11-01T08:00:00Z"));
    let Outcome::Failed { error } = &delivery.outcome else { panic!("{:?}", delivery.outcome) };
    assert_eq!(error.report(), "recipient '张伟' has neither a webhook nor an e-mail address");
}
