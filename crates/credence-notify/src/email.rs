//! E-mail delivery: one plain-text message in both languages per attempt, over SMTP.

use std::time::SystemTime;

use chrono::{DateTime, Utc};
use lettre::message::header::{ContentTransferEncoding, ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{Address, SmtpTransport, Transport};

use crate::config::{SmtpConfig, SmtpSecurity};
use crate::error::EmailError;
use crate::notification::Notification;

/// The subject: both titles, Chinese first, or the one that is given.
pub fn email_subject(notification: &Notification) -> String {
    let title = &notification.title;
    match (title.zh.trim(), title.en.trim()) {
        (zh, "") => zh.to_owned(),
        ("", en) => en.to_owned(),
        (zh, en) if zh == en => zh.to_owned(),
        (zh, en) => format!("{zh} | {en}"),
    }
}

/// The plain-text body: the Chinese title and text, then the English ones, then a line
/// naming the notification so a reader can quote it.
pub fn email_text(notification: &Notification) -> String {
    let (title, text) = (&notification.title, &notification.text);
    format!(
        "{}\n\n{}\n\n————————————————————\n\n{}\n\n{}\n\n-- \nCredence {} #{}\n",
        title.zh.trim(),
        text.zh.trim(),
        title.en.trim(),
        text.en.trim(),
        notification.kind.code(),
        notification.id
    )
}

fn parse_address(address: &str) -> Result<Address, EmailError> {
    address.parse().map_err(|source| EmailError::Address { address: address.to_owned(), source })
}

fn header(name: &'static str, value: String) -> HeaderValue {
    HeaderValue::new(HeaderName::new_from_ascii_str(name), value)
}

/// The message for `to`, dated `now`. Its `Message-ID` is derived from the notification
/// id, so every attempt of one notification carries the same one.
pub(crate) fn compose(
    smtp: &SmtpConfig,
    owner: &str,
    to: &str,
    notification: &Notification,
    now: DateTime<Utc>,
) -> Result<Message, EmailError> {
    let from: Mailbox =
        smtp.from.parse().map_err(|source| EmailError::Address { address: smtp.from.clone(), source })?;
    let to = Mailbox::new(Some(owner.to_owned()), parse_address(to)?);
    let message_id = format!("<credence-notification-{}@{}>", notification.id, from.email.domain());
    let mut message = Message::builder()
        .from(from)
        .to(to)
        .subject(email_subject(notification))
        .message_id(Some(message_id))
        .date(SystemTime::from(now))
        .header(ContentType::TEXT_PLAIN)
        // Base64 keeps the UTF-8 text intact through any relay, 8BITMIME or not.
        .header(ContentTransferEncoding::Base64)
        .body(email_text(notification))
        .map_err(EmailError::Compose)?;
    let headers = message.headers_mut();
    headers.insert_raw(header("X-Credence-Event", notification.kind.code().to_owned()));
    headers.insert_raw(header("X-Credence-Delivery", notification.id.to_string()));
    Ok(message)
}

fn transport(smtp: &SmtpConfig) -> Result<SmtpTransport, lettre::transport::smtp::Error> {
    let tls = match smtp.security {
        SmtpSecurity::None => Tls::None,
        SmtpSecurity::StartTls => Tls::Required(TlsParameters::new(smtp.host.clone())?),
        SmtpSecurity::Tls => Tls::Wrapper(TlsParameters::new(smtp.host.clone())?),
    };
    let mut builder =
        SmtpTransport::builder_dangerous(&smtp.host).port(smtp.port).tls(tls).timeout(Some(smtp.timeout));
    if let Some(name) = &smtp.ehlo_name {
        builder = builder.hello_name(ClientId::Domain(name.clone()));
    }
    if let Some(login) = &smtp.login {
        builder =
            builder.credentials(Credentials::new(login.username.clone(), login.password.expose().to_owned()));
    }
    Ok(builder.build())
}

/// Sends the notification to `to` (`owner`'s address) through the configured server.
pub(crate) fn send(
    smtp: &SmtpConfig,
    owner: &str,
    to: &str,
    notification: &Notification,
    now: DateTime<Utc>,
) -> Result<(), EmailError> {
    let message = compose(smtp, owner, to, notification, now)?;
    let smtp_error =
        |source| EmailError::Smtp { host: smtp.host.clone(), port: smtp.port, source: Box::new(source) };
    transport(smtp).map_err(smtp_error)?.send(&message).map_err(smtp_error)?;
    Ok(())
}
