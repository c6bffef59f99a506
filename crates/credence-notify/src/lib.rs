//! Notification delivery: signed webhooks and SMTP e-mail for the store's outbox, with a
//! deterministic retry schedule.
//!
//! The engine writes each notification (an alert raised, a case opened, escalated or
//! overdue) to the outbox in the same transaction as the change that caused it. A worker
//! takes due rows, calls [`deliver`] for each, and writes back what the [`Delivery`] says:
//! delivered, retry at a time, or failed. This crate is that middle step. It holds no
//! database, reads no files (the configuration comes in as text; the engine reads it),
//! reads no clock (the attempt's time is a parameter; only TLS certificate checks consult
//! the system time) and no environment (the configuration loader is handed
//! a look-up for the variables that hold secrets, and no proxy settings are read).
//!
//! ```
//! use std::collections::HashMap;
//! use chrono::{DateTime, Utc};
//! use credence_notify::{NotifyConfig, sign, verify_signature};
//!
//! let text = r#"
//! [retry]
//! max_attempts = 3
//! base_backoff_secs = 60
//! max_backoff_secs = 600
//!
//! [webhooks.risk-desk]
//! url = "https://hooks.example.com/credence"
//! secret_env = "CREDENCE_WEBHOOK_SECRET"
//!
//! [recipients."张伟"]
//! webhook = "risk-desk"
//! "#;
//! let env = HashMap::from([("CREDENCE_WEBHOOK_SECRET", "whsec-1")]);
//! let config = NotifyConfig::from_toml(text, "notify.toml", |name| env.get(name).map(|v| v.to_string()))
//!     .unwrap();
//!
//! // After the first failed attempt, the next is due a minute later; after the third, none.
//! let now: DateTime<Utc> = "2026-11-01T08:00:00Z".parse().unwrap();
//! assert_eq!(config.retry.next_attempt(1, now), Some("2026-11-01T08:01:00Z".parse().unwrap()));
//! assert_eq!(config.retry.next_attempt(3, now), None);
//!
//! // What a receiver does with the headers of a request.
//! let body = br#"{"id":42}"#;
//! let header = sign("whsec-1", 1_762_000_000, body);
//! assert!(verify_signature("whsec-1", "1762000000", body, &header));
//! ```
//!
//! # Delivery guarantees
//!
//! * **At least once.** A notification leaves the outbox only when [`deliver`] returned
//!   [`Outcome::Delivered`] and the store recorded it. A crash between a receiver's
//!   acceptance and that record sends the notification again, so receivers must expect
//!   repeats.
//! * **Idempotency key.** The outbox row id travels with every attempt: the webhook's
//!   `X-Credence-Delivery` header and the body's `id`, and the e-mail's
//!   `Message-ID: <credence-notification-ID@FROM-DOMAIN>` (plus `X-Credence-Delivery`).
//!   A receiver that has seen the id drops the request and answers 2xx.
//! * **Per channel.** A recipient may have a webhook and an e-mail address. Each channel
//!   that succeeded is reported ([`Delivery::delivered`]) and, when the store passes it
//!   back in [`Notification::delivered`], is not used again; the notification is
//!   delivered when every channel has it.
//! * **Never dropped.** Failures that may pass (HTTP 5xx, 408 and 429, timeouts,
//!   connection failures, SMTP 4xx replies) are retried on the [`RetryPolicy`] schedule;
//!   refusals (other 4xx answers and redirects, SMTP 5xx replies, bad addresses, unknown
//!   recipients) and running out of attempts give [`Outcome::Failed`], which leaves the
//!   row in the outbox, failed and visible, with [`DeliveryError::report`] as its reason.
//!
//! # Webhook requests
//!
//! `POST` to the endpoint URL with the body
//!
//! ```json
//! {"id": 42, "kind": "case_escalated", "recipient": "张伟",
//!  "title": {"zh": "…", "en": "…"}, "text": {"zh": "…", "en": "…"},
//!  "payload": {…}}
//! ```
//!
//! and the headers `Content-Type: application/json`, `X-Credence-Event: <kind>`,
//! `X-Credence-Delivery: <id>`, `X-Credence-Timestamp: <Unix seconds>` and
//! `X-Credence-Signature: sha256=<hex>`. The body is the same at every attempt; the
//! timestamp and signature are those of the attempt. Redirects are not followed and no
//! proxy is used.
//!
//! # The signature
//!
//! `hex(HMAC-SHA256(secret, timestamp + "." + body))`, lower case, after `sha256=`: the
//! key is the endpoint secret's UTF-8 bytes, the message the `X-Credence-Timestamp` value
//! as sent, a full stop, and the raw body bytes. A receiver recomputes it over the bytes
//! it received — [`verify_signature`] does that with a constant-time comparison — and
//! should also refuse timestamps more than a few minutes from its own clock, which stops
//! an old request from being replayed.
//!
//! # E-mail
//!
//! One `text/plain; charset=utf-8` message (base64) per recipient address: the subject is
//! both titles ([`email_subject`]), the body the Chinese title and text, then the English
//! ones ([`email_text`]). The connection is plain (`security = "none"`, for a local relay),
//! upgraded with STARTTLS (required, never optional), or TLS from the start; certificates
//! are checked against the Mozilla root store that ships with the crate.
//!
//! # Configuration
//!
//! TOML; every key but those marked optional is required. Secrets are named by
//! environment variable, never written in the file (a `secret` or `password` key is
//! refused). The crate's `notify.example.toml`:
//!
//! ```toml
#![doc = include_str!("../notify.example.toml")]
//! ```
//!
//! A file with problems is refused whole, with every problem located by file, line,
//! column and key ([`ConfigProblem`]).

mod config;
mod deliver;
mod email;
mod error;
mod notification;
mod retry;
mod signature;
mod webhook;

pub use config::{NotifyConfig, Recipient, Secret, SmtpConfig, SmtpLogin, SmtpSecurity, WebhookEndpoint};
pub use deliver::{ChannelReport, ChannelStatus, Delivery, Outcome, deliver};
pub use email::{email_subject, email_text};
pub use error::{ConfigError, ConfigProblem, DeliveryError, EmailError, WebhookError};
pub use notification::{Bilingual, Channel, Notification, NotificationKind, UnknownChannel, UnknownKind};
pub use retry::RetryPolicy;
pub use signature::{SIGNATURE_PREFIX, sign, verify_signature};
pub use webhook::{post_signed, webhook_body};
