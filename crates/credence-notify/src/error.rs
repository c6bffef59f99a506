//! Errors: of loading a configuration (every problem, located by file, line, column and
//! key) and of delivering over one channel (each knowing whether trying again can help).

use std::fmt;
use std::path::PathBuf;

use crate::notification::Channel;

/// One problem in a notification configuration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    pub file: String,
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    /// The dotted TOML key concerned, such as `webhooks.risk-desk.url`; empty when the
    /// problem is with the file as a whole.
    pub key: String,
    pub message: String,
}

impl fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.file, self.line, self.column)?;
        if !self.key.is_empty() {
            write!(f, "{}: ", self.key)?;
        }
        f.write_str(&self.message)
    }
}

/// Why a notification configuration could not be loaded. A configuration is refused
/// whole: nothing is delivered with half of one. This crate checks text only; `Read` is
/// for the caller that reads the file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the notification configuration {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file was read but is not a valid configuration; one entry per problem.
    #[error("{}", render(.0))]
    Invalid(Vec<ConfigProblem>),
}

fn render(problems: &[ConfigProblem]) -> String {
    problems.iter().map(ConfigProblem::to_string).collect::<Vec<_>>().join("\n")
}

impl ConfigError {
    /// The problems of an invalid file (empty for a read error).
    pub fn problems(&self) -> &[ConfigProblem] {
        match self {
            ConfigError::Invalid(problems) => problems,
            ConfigError::Read { .. } => &[],
        }
    }
}

/// Why a webhook request did not deliver.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// The receiver answered, but not with 2xx. `body` is the start of its answer.
    #[error("the receiver answered HTTP {status}{}", excerpt(body))]
    Status { status: u16, body: String },
    /// The receiver took longer than the endpoint's timeout.
    #[error("the request to {url} got no answer within {after:?}")]
    TimedOut {
        url: String,
        after: std::time::Duration,
        #[source]
        source: Box<ureq::Error>,
    },
    /// No answer: the connection failed, or the answer was not HTTP.
    #[error("the request to {url} failed")]
    Request {
        url: String,
        #[source]
        source: Box<ureq::Error>,
    },
    #[error("cannot encode the webhook body")]
    Encode(#[source] serde_json::Error),
}

fn excerpt(body: &str) -> String {
    if body.trim().is_empty() { String::new() } else { format!(": {}", body.trim()) }
}

impl WebhookError {
    /// Whether a later attempt may succeed: 5xx, 408 and 429 answers and failures to get
    /// any answer are retried; other answers (4xx, and 3xx, since a webhook is not
    /// redirected) mean the request itself is refused and will be refused again.
    pub fn is_retryable(&self) -> bool {
        match self {
            WebhookError::Status { status, .. } => *status >= 500 || *status == 408 || *status == 429,
            WebhookError::Request { source, .. } => !matches!(
                **source,
                ureq::Error::BadUri(_)
                    | ureq::Error::Http(_)
                    | ureq::Error::RequireHttpsOnly(_)
                    | ureq::Error::InvalidProxyUrl
                    | ureq::Error::TlsRequired
            ),
            WebhookError::TimedOut { .. } => true,
            WebhookError::Encode(_) => false,
        }
    }
}

/// Why an e-mail did not deliver.
#[derive(Debug, thiserror::Error)]
pub enum EmailError {
    #[error("no [smtp] server is configured")]
    NoServer,
    #[error("'{address}' is not an e-mail address")]
    Address {
        address: String,
        #[source]
        source: lettre::address::AddressError,
    },
    #[error("cannot compose the message")]
    Compose(#[source] lettre::error::Error),
    #[error("the SMTP exchange with {host}:{port} failed")]
    Smtp {
        host: String,
        port: u16,
        #[source]
        source: Box<lettre::transport::smtp::Error>,
    },
}

impl EmailError {
    /// Whether a later attempt may succeed: anything but a permanent (5xx) SMTP reply or a
    /// message that cannot be composed.
    pub fn is_retryable(&self) -> bool {
        match self {
            EmailError::Smtp { source, .. } => !source.is_permanent(),
            EmailError::NoServer | EmailError::Address { .. } | EmailError::Compose(_) => false,
        }
    }
}

/// Why a notification was not (yet) delivered.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    #[error("no recipient '{owner}' in the notification configuration")]
    UnknownRecipient { owner: String },
    #[error("recipient '{owner}' has neither a webhook nor an e-mail address")]
    NoChannel { owner: String },
    #[error("no webhook endpoint '{endpoint}' in the notification configuration")]
    UnknownEndpoint { endpoint: String },
    #[error("webhook '{endpoint}' did not deliver")]
    Webhook {
        endpoint: String,
        #[source]
        source: WebhookError,
    },
    #[error("e-mail to {address} did not deliver")]
    Email {
        address: String,
        #[source]
        source: EmailError,
    },
    /// More than one channel failed in the same attempt.
    #[error("{}", .0.iter().map(DeliveryError::report).collect::<Vec<_>>().join("; "))]
    Several(Vec<DeliveryError>),
    /// The retry policy's last attempt failed too.
    #[error("gave up after {attempts} attempts")]
    GaveUp {
        attempts: u32,
        #[source]
        last: Box<DeliveryError>,
    },
}

impl DeliveryError {
    /// The channel concerned, if one is.
    pub fn channel(&self) -> Option<Channel> {
        match self {
            DeliveryError::Webhook { .. } | DeliveryError::UnknownEndpoint { .. } => Some(Channel::Webhook),
            DeliveryError::Email { .. } => Some(Channel::Email),
            _ => None,
        }
    }

    /// Whether a later attempt may succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            DeliveryError::Webhook { source, .. } => source.is_retryable(),
            DeliveryError::Email { source, .. } => source.is_retryable(),
            DeliveryError::Several(errors) => errors.iter().all(DeliveryError::is_retryable),
            DeliveryError::UnknownRecipient { .. }
            | DeliveryError::NoChannel { .. }
            | DeliveryError::UnknownEndpoint { .. }
            | DeliveryError::GaveUp { .. } => false,
        }
    }

    /// The message with all its causes on one line, `outer: cause: cause`: what the outbox
    /// keeps as the last error and shows to people.
    pub fn report(&self) -> String {
        let mut text = self.to_string();
        // `Several` already shows its parts' causes.
        if !matches!(self, DeliveryError::Several(_)) {
            let mut cause = std::error::Error::source(self);
            while let Some(error) = cause {
                let line = error.to_string();
                // Some errors repeat their cause's message in their own.
                if !text.ends_with(&line) {
                    text.push_str(": ");
                    text.push_str(&line);
                }
                cause = error.source();
            }
        }
        text
    }
}
