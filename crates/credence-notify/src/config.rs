//! The notification configuration: webhook endpoints, the SMTP server, who gets what, and
//! the retry policy, read from TOML and checked whole before anything is sent.
//!
//! Secrets are never in the file: it names the environment variable that holds each one,
//! and the caller hands in the environment, so this crate reads no process state.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::time::Duration;

use credence_source::line_column;
use serde::Deserialize;
use toml::Spanned;

use crate::error::{ConfigError, ConfigProblem};
use crate::retry::RetryPolicy;

/// A secret value (a webhook key, an SMTP password). `Debug` does not show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The secret itself, for signing or logging in.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// A receiver of signed JSON POSTs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookEndpoint {
    pub name: String,
    /// An `http://` or `https://` URL.
    pub url: String,
    /// The HMAC key shared with the receiver.
    pub secret: Secret,
    /// For the whole request, from connecting to reading the answer.
    pub timeout: Duration,
}

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain text throughout: only for a relay on the same host or a test sink.
    None,
    /// Plain connection upgraded with STARTTLS before anything else is sent; refused if
    /// the server does not offer it.
    StartTls,
    /// TLS from the first byte ("SMTPS").
    Tls,
}

impl SmtpSecurity {
    /// The usual port: 25, 587 (submission) or 465 (submissions).
    pub fn default_port(self) -> u16 {
        match self {
            SmtpSecurity::None => 25,
            SmtpSecurity::StartTls => 587,
            SmtpSecurity::Tls => 465,
        }
    }
}

/// A user name and password for SMTP AUTH.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpLogin {
    pub username: String,
    pub password: Secret,
}

/// The SMTP server e-mail goes through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub login: Option<SmtpLogin>,
    /// The `From` mailbox, `address` or `Name <address>`.
    pub from: String,
    /// The name this side gives in `EHLO`; `localhost` when not set.
    pub ehlo_name: Option<String>,
    /// For connecting and for each reply.
    pub timeout: Duration,
}

/// How one owner is reached: by e-mail, by a webhook endpoint, or both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    /// The owner name, as cases and alerts carry it.
    pub name: String,
    pub email: Option<String>,
    /// The name of a `[webhooks.NAME]` endpoint.
    pub webhook: Option<String>,
}

/// A checked notification configuration.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NotifyConfig {
    pub retry: RetryPolicy,
    /// By name.
    pub webhooks: BTreeMap<String, WebhookEndpoint>,
    pub smtp: Option<SmtpConfig>,
    /// By owner name.
    pub recipients: BTreeMap<String, Recipient>,
}

const DEFAULT_WEBHOOK_TIMEOUT_SECS: i64 = 10;
const DEFAULT_SMTP_TIMEOUT_SECS: i64 = 30;
const MAX_TIMEOUT_SECS: i64 = 300;
/// Waits longer than a week would keep a notification that matters hidden for too long.
const MAX_BACKOFF_SECS: i64 = 7 * 24 * 3600;
const MAX_ATTEMPTS: i64 = 100;

impl NotifyConfig {
    /// Parses and checks a configuration. `file_name` is only for locating problems; `env`
    /// gives the value of an environment variable (the CLI passes the process
    /// environment, tests a map). Every problem is reported, not just the first.
    pub fn from_toml(
        text: &str,
        file_name: &str,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<NotifyConfig, ConfigError> {
        let mut loader = Loader { text, file: file_name, env: &env, problems: Vec::new() };
        let raw: RawConfig = match toml::from_str(text) {
            Ok(raw) => raw,
            Err(error) => {
                let span = error.span().unwrap_or(0..0);
                let key = key_at(text, span.start);
                let message = secret_in_file(&key).unwrap_or_else(|| error.message().trim().to_owned());
                loader.problem(span, key, message);
                return Err(ConfigError::Invalid(loader.problems));
            }
        };
        let config = loader.check(raw);
        loader.problems.sort_by_key(|p| (p.line, p.column));
        if loader.problems.is_empty() { Ok(config) } else { Err(ConfigError::Invalid(loader.problems)) }
    }

    /// How `owner` is reached, if the configuration names them.
    pub fn recipient(&self, owner: &str) -> Option<&Recipient> {
        self.recipients.get(owner)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    retry: Option<RawRetry>,
    #[serde(default)]
    webhooks: BTreeMap<Spanned<String>, RawWebhook>,
    #[serde(default)]
    smtp: Option<RawSmtp>,
    #[serde(default)]
    recipients: BTreeMap<Spanned<String>, Spanned<RawRecipient>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRetry {
    max_attempts: Option<Spanned<i64>>,
    base_backoff_secs: Option<Spanned<i64>>,
    max_backoff_secs: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWebhook {
    url: Spanned<String>,
    secret_env: Spanned<String>,
    timeout_secs: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSmtp {
    host: Spanned<String>,
    port: Option<Spanned<i64>>,
    security: Spanned<String>,
    username: Option<Spanned<String>>,
    password_env: Option<Spanned<String>>,
    from: Spanned<String>,
    ehlo_name: Option<Spanned<String>>,
    timeout_secs: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRecipient {
    email: Option<Spanned<String>>,
    webhook: Option<Spanned<String>>,
}

struct Loader<'a> {
    text: &'a str,
    file: &'a str,
    env: &'a dyn Fn(&str) -> Option<String>,
    problems: Vec<ConfigProblem>,
}

impl Loader<'_> {
    fn problem(&mut self, span: Range<usize>, key: String, message: impl Into<String>) {
        let (line, column) = line_column(self.text, span.start);
        self.problems.push(ConfigProblem {
            file: self.file.to_owned(),
            line,
            column,
            key,
            message: message.into(),
        });
    }

    fn check(&mut self, raw: RawConfig) -> NotifyConfig {
        let retry = match raw.retry {
            Some(retry) => self.retry(retry),
            None => RetryPolicy::default(),
        };
        let smtp_declared = raw.smtp.is_some();
        let smtp = raw.smtp.and_then(|smtp| self.smtp(smtp));
        let mut webhooks = BTreeMap::new();
        for (name, webhook) in raw.webhooks {
            let key = format!("webhooks.{}", toml_key(name.get_ref()));
            if let Some(endpoint) = self.webhook(&name, &key, webhook) {
                webhooks.insert(endpoint.name.clone(), endpoint);
            }
        }
        let mut recipients = BTreeMap::new();
        for (name, recipient) in raw.recipients {
            let key = format!("recipients.{}", toml_key(name.get_ref()));
            let recipient = self.recipient(&name, &key, recipient, &webhooks, smtp_declared);
            recipients.insert(recipient.name.clone(), recipient);
        }
        NotifyConfig { retry, webhooks, smtp, recipients }
    }

    /// A whole number of seconds in `1..=max`, or the default when absent.
    fn seconds(&mut self, value: Option<Spanned<i64>>, key: String, default: i64, max: i64) -> Duration {
        let Some(value) = value else {
            return Duration::from_secs(default.unsigned_abs());
        };
        let secs = *value.get_ref();
        if !(1..=max).contains(&secs) {
            self.problem(value.span(), key, format!("must be between 1 and {max} seconds, not {secs}"));
            return Duration::from_secs(default.unsigned_abs());
        }
        Duration::from_secs(secs.unsigned_abs())
    }

    fn retry(&mut self, raw: RawRetry) -> RetryPolicy {
        let default = RetryPolicy::default();
        let max_attempts = match raw.max_attempts {
            Some(n) if !(1..=MAX_ATTEMPTS).contains(n.get_ref()) => {
                let message = format!("must be between 1 and {MAX_ATTEMPTS}, not {}", n.get_ref());
                self.problem(n.span(), "retry.max_attempts".into(), message);
                default.max_attempts
            }
            Some(n) => u32::try_from(*n.get_ref()).unwrap_or(default.max_attempts),
            None => default.max_attempts,
        };
        let max_span = raw.max_backoff_secs.as_ref().map(Spanned::span);
        let base_backoff = self.seconds(
            raw.base_backoff_secs,
            "retry.base_backoff_secs".into(),
            default.base_backoff.as_secs() as i64,
            MAX_BACKOFF_SECS,
        );
        let max_backoff = self.seconds(
            raw.max_backoff_secs,
            "retry.max_backoff_secs".into(),
            default.max_backoff.as_secs() as i64,
            MAX_BACKOFF_SECS,
        );
        if max_backoff < base_backoff {
            let message = format!(
                "must not be shorter than base_backoff_secs ({} s), not {} s",
                base_backoff.as_secs(),
                max_backoff.as_secs()
            );
            self.problem(max_span.unwrap_or(0..0), "retry.max_backoff_secs".into(), message);
        }
        RetryPolicy { max_attempts, base_backoff, max_backoff }
    }

    /// The value of the environment variable named by `var`, which must be set and not
    /// empty. The name is checked to look like one so that a secret pasted in by mistake
    /// is refused — without repeating it in the message.
    fn secret(&mut self, var: &Spanned<String>, key: String) -> Option<Secret> {
        let name = var.get_ref();
        let is_name = !name.is_empty()
            && !name.starts_with(|c: char| c.is_ascii_digit())
            && name.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
        if !is_name {
            self.problem(
                var.span(),
                key,
                "must name an environment variable (upper-case letters, digits and '_'), \
                 which holds the secret",
            );
            return None;
        }
        match (self.env)(name) {
            Some(value) if !value.is_empty() => Some(Secret::new(value)),
            Some(_) => {
                self.problem(var.span(), key, format!("the environment variable {name} is empty"));
                None
            }
            None => {
                self.problem(var.span(), key, format!("the environment variable {name} is not set"));
                None
            }
        }
    }

    fn webhook(&mut self, name: &Spanned<String>, key: &str, raw: RawWebhook) -> Option<WebhookEndpoint> {
        if !is_name(name.get_ref()) {
            self.problem(name.span(), key.to_owned(), NAME_RULE);
        }
        let url = raw.url.get_ref().trim();
        if let Some(problem) = url_problem(url) {
            self.problem(raw.url.span(), format!("{key}.url"), problem);
        }
        let timeout = self.seconds(
            raw.timeout_secs,
            format!("{key}.timeout_secs"),
            DEFAULT_WEBHOOK_TIMEOUT_SECS,
            MAX_TIMEOUT_SECS,
        );
        let secret = self.secret(&raw.secret_env, format!("{key}.secret_env"))?;
        Some(WebhookEndpoint { name: name.get_ref().clone(), url: url.to_owned(), secret, timeout })
    }

    /// `None` when the section has problems (they are reported).
    fn smtp(&mut self, raw: RawSmtp) -> Option<SmtpConfig> {
        let before = self.problems.len();
        let host = raw.host.get_ref().trim().to_owned();
        if host.is_empty() || host.contains(|c: char| c.is_whitespace() || c == '/' || c == '@') {
            self.problem(raw.host.span(), "smtp.host".into(), "must be a host name or IP address");
        }
        let security = match raw.security.get_ref().as_str() {
            "none" => SmtpSecurity::None,
            "starttls" => SmtpSecurity::StartTls,
            "tls" => SmtpSecurity::Tls,
            other => {
                let message = format!("must be one of none, starttls, tls, not '{other}'");
                self.problem(raw.security.span(), "smtp.security".into(), message);
                SmtpSecurity::StartTls
            }
        };
        let port = match raw.port {
            Some(port) => u16::try_from(*port.get_ref()).ok().filter(|p| *p > 0).unwrap_or_else(|| {
                let message = format!("must be between 1 and 65535, not {}", port.get_ref());
                self.problem(port.span(), "smtp.port".into(), message);
                security.default_port()
            }),
            None => security.default_port(),
        };
        let login = match (raw.username, raw.password_env) {
            (None, None) => None,
            (Some(username), None) => {
                self.problem(username.span(), "smtp.username".into(), "needs password_env as well");
                None
            }
            (None, Some(var)) => {
                self.problem(var.span(), "smtp.password_env".into(), "needs username as well");
                None
            }
            (Some(username), Some(var)) => {
                if security == SmtpSecurity::None {
                    self.problem(
                        username.span(),
                        "smtp.username".into(),
                        "would send the password unencrypted: use security = \"starttls\" or \"tls\"",
                    );
                }
                self.secret(&var, "smtp.password_env".into())
                    .map(|password| SmtpLogin { username: username.into_inner(), password })
            }
        };
        let from = raw.from.get_ref().trim().to_owned();
        if let Err(error) = from.parse::<lettre::message::Mailbox>() {
            let message = format!("must be an address or 'Name <address>' ({error})");
            self.problem(raw.from.span(), "smtp.from".into(), message);
        }
        let ehlo_name = raw.ehlo_name.map(|name| {
            if name.get_ref().is_empty() || name.get_ref().contains(char::is_whitespace) {
                self.problem(name.span(), "smtp.ehlo_name".into(), "must be a host name");
            }
            name.into_inner()
        });
        let timeout = self.seconds(
            raw.timeout_secs,
            "smtp.timeout_secs".into(),
            DEFAULT_SMTP_TIMEOUT_SECS,
            MAX_TIMEOUT_SECS,
        );
        (self.problems.len() == before).then_some(SmtpConfig {
            host,
            port,
            security,
            login,
            from,
            ehlo_name,
            timeout,
        })
    }

    fn recipient(
        &mut self,
        name: &Spanned<String>,
        key: &str,
        raw: Spanned<RawRecipient>,
        webhooks: &BTreeMap<String, WebhookEndpoint>,
        smtp_declared: bool,
    ) -> Recipient {
        if name.get_ref().trim().is_empty() {
            self.problem(name.span(), key.to_owned(), "the owner name must not be empty");
        }
        let span = raw.span();
        let raw = raw.into_inner();
        if raw.email.is_none() && raw.webhook.is_none() {
            self.problem(span, key.to_owned(), "names no channel: give email, webhook or both");
        }
        let email = raw.email.map(|email| {
            let address = email.get_ref().trim().to_owned();
            if let Err(error) = address.parse::<lettre::Address>() {
                self.problem(
                    email.span(),
                    format!("{key}.email"),
                    format!("is not an e-mail address ({error})"),
                );
            } else if !smtp_declared {
                self.problem(email.span(), format!("{key}.email"), "needs an [smtp] section to send e-mail");
            }
            address
        });
        let webhook = raw.webhook.map(|webhook| {
            // An endpoint that failed its own checks is reported there, not again here.
            if !webhooks.contains_key(webhook.get_ref()) && !self.declared_webhook(webhook.get_ref()) {
                let message = format!("names no [webhooks.{}] endpoint", toml_key(webhook.get_ref()));
                self.problem(webhook.span(), format!("{key}.webhook"), message);
            }
            webhook.into_inner()
        });
        Recipient { name: name.get_ref().clone(), email, webhook }
    }

    /// Whether a problem was already reported under `webhooks.NAME`.
    fn declared_webhook(&self, name: &str) -> bool {
        let key = format!("webhooks.{}", toml_key(name));
        self.problems.iter().any(|p| p.key == key || p.key.starts_with(&format!("{key}.")))
    }
}

/// The message for a secret written into the file itself, where the parser found an
/// unknown key.
fn secret_in_file(key: &str) -> Option<String> {
    let variable = if key.starts_with("webhooks.") && key.ends_with(".secret") {
        "secret_env"
    } else if key == "smtp.password" {
        "password_env"
    } else {
        return None;
    };
    Some(format!(
        "a secret must not be in the file: put it in an environment variable and name that \
         variable in {variable}"
    ))
}

const NAME_RULE: &str = "an endpoint name is letters, digits, '-' and '_'";

fn is_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// What is wrong with a webhook URL, if anything.
fn url_problem(url: &str) -> Option<String> {
    let uri: ureq::http::Uri = match url.parse() {
        Ok(uri) => uri,
        Err(error) => return Some(format!("is not a URL ({error})")),
    };
    match uri.scheme_str() {
        Some("http" | "https") => {}
        _ => return Some("must start with http:// or https://".into()),
    }
    if uri.host().is_none_or(str::is_empty) {
        return Some("has no host".into());
    }
    None
}

/// A key as written in TOML: bare when it can be, quoted otherwise.
fn toml_key(key: &str) -> String {
    if !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        key.to_owned()
    } else {
        format!("{key:?}")
    }
}

/// The dotted key of the innermost entry at a byte offset, for problems found by the
/// TOML parser, which locates them only by position. Every entry is searched: a table
/// opened by a `[header]` spans only its header, not the lines below it.
fn key_at(text: &str, offset: usize) -> String {
    fn search(
        table: &toml::de::DeTable<'_>,
        offset: usize,
        path: &mut Vec<String>,
        best: &mut Option<(usize, Vec<String>)>,
    ) {
        for (key, value) in table {
            path.push(toml_key(key.get_ref()));
            let range = key.span().start.min(value.span().start)..key.span().end.max(value.span().end);
            let narrower = best.as_ref().is_none_or(|(width, _)| range.len() <= *width);
            if range.contains(&offset) && narrower {
                *best = Some((range.len(), path.clone()));
            }
            if let toml::de::DeValue::Table(inner) = value.get_ref() {
                search(inner, offset, path, best);
            }
            path.pop();
        }
    }
    let Ok(document) = toml::de::DeTable::parse(text) else {
        return String::new();
    };
    let mut best = None;
    search(document.get_ref(), offset, &mut Vec::new(), &mut best);
    best.map(|(_, path)| path.join(".")).unwrap_or_default()
}
