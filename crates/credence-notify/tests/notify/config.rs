//! Loading the configuration: the shipped example, defaults, and every kind of problem
//! located by file, line, column and key.

use std::path::Path;
use std::time::Duration;

use credence_notify::{NotifyConfig, RetryPolicy, SmtpSecurity};

use crate::{SECRET, env, load};

/// Loads `text` and expects exactly these problems, rendered one per line.
fn check(text: &str, expected: &[&str]) {
    let error = NotifyConfig::from_toml(text, "notify.toml", env).expect_err("the file should be refused");
    let got: Vec<String> = error.problems().iter().map(ToString::to_string).collect();
    assert_eq!(got, expected);
}

const WEBHOOK: &str = r#"
[webhooks.risk-desk]
url = "https://hooks.example.com/credence"
secret_env = "HOOK_SECRET"
"#;

#[test]
fn the_shipped_example_loads() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("notify.example.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let config = NotifyConfig::from_toml(&text, &path.display().to_string(), |name| match name {
        "CREDENCE_WEBHOOK_RISK_DESK" => Some("hook-secret".into()),
        "CREDENCE_SMTP_PASSWORD" => Some("smtp-secret".into()),
        _ => None,
    })
    .unwrap_or_else(|e| panic!("{e}"));

    assert_eq!(config.retry, RetryPolicy::default());
    let hook = &config.webhooks["risk-desk"];
    assert_eq!(hook.url, "https://hooks.example.com/credence");
    assert_eq!(hook.secret.expose(), "hook-secret");
    assert_eq!(hook.timeout, Duration::from_secs(10));

    let smtp = config.smtp.as_ref().unwrap();
    assert_eq!(
        (smtp.host.as_str(), smtp.port, smtp.security),
        ("smtp.example.com", 587, SmtpSecurity::StartTls)
    );
    let login = smtp.login.as_ref().unwrap();
    assert_eq!((login.username.as_str(), login.password.expose()), ("credence@example.com", "smtp-secret"));
    assert_eq!(smtp.from, "Credence 风险预警 <credence@example.com>");
    assert_eq!(smtp.ehlo_name.as_deref(), Some("credence.example.com"));
    assert_eq!(smtp.timeout, Duration::from_secs(30));

    let zhang = config.recipient("张伟").unwrap();
    assert_eq!(zhang.email.as_deref(), Some("zhang.wei@example.com"));
    assert_eq!(zhang.webhook.as_deref(), Some("risk-desk"));
    let li = config.recipient("李娜").unwrap();
    assert_eq!((li.email.as_deref(), li.webhook.as_deref()), (Some("li.na@example.com"), None));
}

#[test]
fn omitted_settings_take_their_defaults() {
    let config = load(&format!(
        "{WEBHOOK}\n[smtp]\nhost = \"mail.example.com\"\nsecurity = \"tls\"\nfrom = \"c@example.com\"\n\
         [recipients.ops]\nwebhook = \"risk-desk\"\n"
    ));
    assert_eq!(config.retry, RetryPolicy::default());
    assert_eq!(config.webhooks["risk-desk"].timeout, Duration::from_secs(10));
    let smtp = config.smtp.unwrap();
    assert_eq!((smtp.port, smtp.login, smtp.ehlo_name), (465, None, None));
    assert_eq!(smtp.timeout, Duration::from_secs(30));
    assert_eq!(load("").recipients.len(), 0);
}

#[test]
fn secrets_are_never_shown() {
    let config = load(&format!("{WEBHOOK}\n[recipients.ops]\nwebhook = \"risk-desk\"\n"));
    let debug = format!("{config:?}");
    assert!(!debug.contains(SECRET), "{debug}");
    assert!(debug.contains("Secret(***)"));
    // A secret pasted where its variable's name belongs is refused without repeating it.
    let text = "[webhooks.a]\nurl = \"https://h.example.com/\"\nsecret_env = \"whsec_live_9f8e7d\"\n";
    let error = NotifyConfig::from_toml(text, "notify.toml", env).unwrap_err();
    assert!(!error.to_string().contains("9f8e7d"), "{error}");
}

#[test]
fn syntax_and_type_errors_name_the_key() {
    check(
        "[webhooks.a]\nurl = \"https://h.example.com/\nsecret_env = \"HOOK_SECRET\"\n",
        &["notify.toml:2:30: invalid basic string, expected `\"`"],
    );
    check(
        "[webhooks.a]\nurl = \"https://h.example.com/\"\nsecret_env = \"HOOK_SECRET\"\ntimeout_secs = \"10\"\n",
        &["notify.toml:4:16: webhooks.a.timeout_secs: invalid type: string \"10\", expected i64"],
    );
    check(
        "[webhooks.a]\nsecret_env = \"HOOK_SECRET\"\n",
        &["notify.toml:1:1: webhooks.a: missing field `url`"],
    );
    check(
        "[recipients.\"张伟\"]\nemail = 3\n",
        &["notify.toml:2:9: recipients.\"张伟\".email: invalid type: integer `3`, expected a string"],
    );
    check(
        "[retry]\nmax_attempt = 3\n",
        &["notify.toml:2:1: retry.max_attempt: unknown field `max_attempt`, expected one of \
             `max_attempts`, `base_backoff_secs`, `max_backoff_secs`"],
    );
}

#[test]
fn secrets_written_into_the_file_are_refused() {
    check(
        "[webhooks.a]\nurl = \"https://h.example.com/\"\nsecret = \"whsec_live\"\n",
        &["notify.toml:3:1: webhooks.a.secret: a secret must not be in the file: put it in an environment \
           variable and name that variable in secret_env"],
    );
    check(
        "[smtp]\nhost = \"h\"\nsecurity = \"tls\"\nfrom = \"a@example.com\"\npassword = \"hunter2\"\n",
        &["notify.toml:5:1: smtp.password: a secret must not be in the file: put it in an environment \
           variable and name that variable in password_env"],
    );
}

#[test]
fn secret_variables_must_be_set() {
    check(
        "[webhooks.a]\nurl = \"https://h.example.com/\"\nsecret_env = \"NOT_SET\"\n\
         [webhooks.b]\nurl = \"https://h.example.com/\"\nsecret_env = \"EMPTY_VAR\"\n\
         [webhooks.c]\nurl = \"https://h.example.com/\"\nsecret_env = \"lower-case\"\n",
        &[
            "notify.toml:3:14: webhooks.a.secret_env: the environment variable NOT_SET is not set",
            "notify.toml:6:14: webhooks.b.secret_env: the environment variable EMPTY_VAR is empty",
            "notify.toml:9:14: webhooks.c.secret_env: must name an environment variable (upper-case \
             letters, digits and '_'), which holds the secret",
        ],
    );
}

#[test]
fn bad_values_are_all_reported_at_once() {
    check(
        r#"
[retry]
max_attempts = 0
base_backoff_secs = 600
max_backoff_secs = 60

[webhooks."risk desk"]
url = "ftp://h.example.com/"
secret_env = "HOOK_SECRET"
timeout_secs = 0

[smtp]
host = "smtp.example.com"
port = 70000
security = "ssl"
username = "credence"
from = "not an address"

[recipients."张伟"]
email = "zhang.wei"
webhook = "risk-desk"

[recipients."李娜"]
"#,
        &[
            "notify.toml:3:16: retry.max_attempts: must be between 1 and 100, not 0",
            "notify.toml:5:20: retry.max_backoff_secs: must not be shorter than base_backoff_secs (600 s), \
             not 60 s",
            "notify.toml:7:11: webhooks.\"risk desk\": an endpoint name is letters, digits, '-' and '_'",
            "notify.toml:8:7: webhooks.\"risk desk\".url: must start with http:// or https://",
            "notify.toml:10:16: webhooks.\"risk desk\".timeout_secs: must be between 1 and 300 seconds, not 0",
            "notify.toml:14:8: smtp.port: must be between 1 and 65535, not 70000",
            "notify.toml:15:12: smtp.security: must be one of none, starttls, tls, not 'ssl'",
            "notify.toml:16:12: smtp.username: needs password_env as well",
            "notify.toml:17:8: smtp.from: must be an address or 'Name <address>' (Invalid input)",
            "notify.toml:20:9: recipients.\"张伟\".email: is not an e-mail address (Missing domain or user)",
            "notify.toml:21:11: recipients.\"张伟\".webhook: names no [webhooks.risk-desk] endpoint",
            "notify.toml:23:1: recipients.\"李娜\": names no channel: give email, webhook or both",
        ],
    );
}

#[test]
fn channels_need_what_they_send_through() {
    check(
        "[recipients.ops]\nemail = \"ops@example.com\"\n",
        &["notify.toml:2:9: recipients.ops.email: needs an [smtp] section to send e-mail"],
    );
    check(
        "[smtp]\nhost = \"h\"\nsecurity = \"none\"\nusername = \"u\"\npassword_env = \"SMTP_PASSWORD\"\n\
         from = \"a@example.com\"\n",
        &["notify.toml:4:12: smtp.username: would send the password unencrypted: use security = \
           \"starttls\" or \"tls\""],
    );
}
