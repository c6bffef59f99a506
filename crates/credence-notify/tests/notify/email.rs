//! E-mail delivery to a real local SMTP sink: the envelope, the headers and both
//! languages of the body; a sink that is down; replies that refuse for now or for good.

use credence_notify::{
    Bilingual, ChannelStatus, NotifyConfig, Outcome, Secret, SmtpLogin, SmtpSecurity, deliver, email_subject,
};

use crate::support::http::closed_port;
use crate::support::smtp::{Mail, Sink};
use crate::{at, escalation, load};

/// 张伟 by e-mail only, through a sink on `port` without TLS.
fn config(port: u16) -> NotifyConfig {
    load(&format!(
        r#"
        [retry]
        max_attempts = 3
        base_backoff_secs = 60
        max_backoff_secs = 600

        [smtp]
        host = "127.0.0.1"
        port = {port}
        security = "none"
        from = "Credence 风险预警 <credence@example.com>"
        ehlo_name = "credence.test"
        timeout_secs = 5

        [recipients."张伟"]
        email = "zhang.wei@example.com"
        "#
    ))
}

#[test]
fn sends_both_languages_through_a_local_sink() {
    let sink = Sink::start(1);
    let delivery = deliver(&config(sink.port), &escalation(), at("2026-11-01T08:00:00Z"));
    assert!(matches!(delivery.outcome, Outcome::Delivered), "{:?}", delivery.outcome);
    assert_eq!(delivery.channels[0].target, "zhang.wei@example.com");
    assert_eq!(delivery.channels[0].status, ChannelStatus::Delivered);

    let sessions = sink.finish();
    assert_eq!(sessions.len(), 1);
    let session = &sessions[0];
    assert_eq!(session.ehlo, "credence.test");
    assert_eq!(session.mail_from, "<credence@example.com>");
    assert_eq!(session.rcpt_to, ["<zhang.wei@example.com>"]);
    let verbs: Vec<&str> = session.commands.iter().map(|c| c.split(' ').next().unwrap()).collect();
    assert_eq!(verbs, ["EHLO", "MAIL", "RCPT", "DATA", "QUIT"]);

    let mail = Mail::parse(&session.data);
    assert_eq!(mail.header("Subject").unwrap(), "客户逾期：案件已升级 | Customer overdue: case escalated");
    assert_eq!(mail.header("From").unwrap(), "Credence 风险预警 <credence@example.com>");
    assert_eq!(mail.header("To").unwrap(), "张伟 <zhang.wei@example.com>");
    assert_eq!(mail.header("Date").unwrap(), "Sun, 01 Nov 2026 08:00:00 +0000");
    assert_eq!(mail.header("Message-ID").unwrap(), "<credence-notification-42@example.com>");
    assert_eq!(mail.header("X-Credence-Event").unwrap(), "case_escalated");
    assert_eq!(mail.header("X-Credence-Delivery").unwrap(), "42");
    assert_eq!(mail.header("Content-Type").unwrap(), "text/plain; charset=utf-8");

    let text = escalation().text;
    assert!(mail.body.starts_with("客户逾期：案件已升级\n\n"), "{}", mail.body);
    assert!(mail.body.contains(&text.zh), "{}", mail.body);
    assert!(mail.body.contains("Customer overdue: case escalated\n\n"), "{}", mail.body);
    assert!(mail.body.contains(&text.en), "{}", mail.body);
    assert!(mail.body.ends_with("Credence case_escalated #42\n"), "{}", mail.body);
    assert!(mail.body.find(&text.zh) < mail.body.find(&text.en), "Chinese comes first");
}

#[test]
fn a_sink_that_is_down_gets_it_when_it_comes_back() {
    let port = closed_port();
    let config = config(port);
    let mut notification = escalation();
    let Outcome::Retry { at: next, error } =
        deliver(&config, &notification, at("2026-11-01T08:00:00Z")).outcome
    else {
        panic!("a closed port should be retried");
    };
    assert_eq!(next, at("2026-11-01T08:01:00Z"));
    assert!(
        error.report().starts_with(&format!(
            "e-mail to zhang.wei@example.com did not deliver: the SMTP exchange with 127.0.0.1:{port} failed"
        )),
        "{}",
        error.report()
    );

    let sink = Sink::start_on(port, 1, "250 2.1.5 ok");
    notification.attempts = 1;
    let outcome = deliver(&config, &notification, next).outcome;
    assert!(matches!(outcome, Outcome::Delivered), "{outcome:?}");
    assert_eq!(sink.finish()[0].rcpt_to, ["<zhang.wei@example.com>"]);
}

#[test]
fn starttls_is_required_never_skipped() {
    // The sink does not offer STARTTLS: nothing may be sent in the clear, credentials least.
    let sink = Sink::start(1);
    let mut config = config(sink.port);
    let smtp = config.smtp.as_mut().unwrap();
    smtp.security = SmtpSecurity::StartTls;
    smtp.login = Some(SmtpLogin { username: "credence".into(), password: Secret::new("smtp-pass") });
    let outcome = deliver(&config, &escalation(), at("2026-11-01T08:00:00Z")).outcome;
    assert!(matches!(outcome, Outcome::Retry { .. }), "{outcome:?}");
    let session = &sink.finish()[0];
    let verbs: Vec<&str> = session.commands.iter().map(|c| c.split(' ').next().unwrap()).collect();
    assert!(verbs.iter().all(|v| ["EHLO", "QUIT"].contains(v)), "{:?}", session.commands);
}

/// The outcome's kind when the sink answers `RCPT TO` with `reply`.
fn check_rcpt_reply(reply: &'static str, expected: &str) {
    let sink = Sink::start_on(0, 1, reply);
    let outcome = deliver(&config(sink.port), &escalation(), at("2026-11-01T08:00:00Z")).outcome;
    let got = match &outcome {
        Outcome::Delivered => "delivered",
        Outcome::Retry { .. } => "retry",
        Outcome::Failed { .. } => "failed",
    };
    assert_eq!(got, expected, "{reply}: {outcome:?}");
    sink.finish();
}

#[test]
fn smtp_replies_are_classified() {
    check_rcpt_reply("250 2.1.5 ok", "delivered");
    check_rcpt_reply("451 4.3.0 try again later", "retry");
    check_rcpt_reply("452 4.2.2 mailbox full", "retry");
    check_rcpt_reply("550 5.1.1 no such user", "failed");
    check_rcpt_reply("553 5.1.3 bad address", "failed");
}

fn check_subject(zh: &str, en: &str, expected: &str) {
    let mut notification = escalation();
    notification.title = Bilingual::new(zh, en);
    assert_eq!(email_subject(&notification), expected);
}

#[test]
fn the_subject_carries_both_titles_or_the_one_given() {
    check_subject("案件已升级", "Case escalated", "案件已升级 | Case escalated");
    check_subject("案件已升级", "", "案件已升级");
    check_subject("", "Case escalated", "Case escalated");
    check_subject("C0000001", "C0000001", "C0000001");
}
