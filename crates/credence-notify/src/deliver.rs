//! One delivery attempt of one notification over every channel its recipient has, and
//! what the outbox should do next.

use chrono::{DateTime, Utc};

use crate::config::NotifyConfig;
use crate::email;
use crate::error::{DeliveryError, EmailError};
use crate::notification::{Channel, Notification};
use crate::webhook;

/// What the outbox does with the notification after an attempt.
#[derive(Debug)]
pub enum Outcome {
    /// Every channel of the recipient has it: mark the row delivered.
    Delivered,
    /// Some channel failed in a way that may pass: try again at `at`.
    Retry { at: DateTime<Utc>, error: DeliveryError },
    /// A channel refused it for good, or the last attempt the policy allows failed: mark
    /// the row failed and keep it, visible, for someone to look at.
    Failed { error: DeliveryError },
}

/// How one channel fared in an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelStatus {
    /// Delivered in this attempt.
    Delivered,
    /// Delivered in an earlier attempt; not tried again.
    AlreadyDelivered,
    /// Failed in a way that may pass.
    Retryable,
    /// Refused for good.
    Failed,
}

/// One channel of one attempt. The error, if any, is in the [`Outcome`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelReport {
    pub channel: Channel,
    /// The endpoint name or the e-mail address.
    pub target: String,
    pub status: ChannelStatus,
}

/// The result of [`deliver`].
#[derive(Debug)]
pub struct Delivery {
    pub outcome: Outcome,
    /// The recipient's channels, webhook first, in this attempt.
    pub channels: Vec<ChannelReport>,
}

impl Delivery {
    /// The channels that have the notification, in this attempt or an earlier one: what
    /// the outbox keeps in the row so that a retry does not send them again.
    pub fn delivered(&self) -> Vec<Channel> {
        self.channels
            .iter()
            .filter(|c| matches!(c.status, ChannelStatus::Delivered | ChannelStatus::AlreadyDelivered))
            .map(|c| c.channel)
            .collect()
    }
}

/// Makes one delivery attempt of `notification` at `now` and says what comes next.
///
/// Each channel of the recipient that does not have the notification yet (webhook, then
/// e-mail) is tried once. The notification is delivered when every channel has it. If a
/// channel refused it for good (a 4xx answer, a 5xx SMTP reply, a bad address) the
/// outcome is [`Outcome::Failed`] whatever the others did; if channels failed only in
/// ways that may pass, it is [`Outcome::Retry`] at the time the retry policy gives for
/// `notification.attempts + 1` attempts made, or [`Outcome::Failed`] with
/// [`DeliveryError::GaveUp`] when the policy allows no more.
///
/// `now` is the attempt's time: the webhook timestamp and the retry schedule use it, and
/// no clock is read.
pub fn deliver(config: &NotifyConfig, notification: &Notification, now: DateTime<Utc>) -> Delivery {
    let Some(recipient) = config.recipient(&notification.recipient) else {
        let error = DeliveryError::UnknownRecipient { owner: notification.recipient.clone() };
        return Delivery { outcome: Outcome::Failed { error }, channels: Vec::new() };
    };
    if recipient.webhook.is_none() && recipient.email.is_none() {
        // The loader refuses such a recipient; a configuration built in code may not.
        let error = DeliveryError::NoChannel { owner: recipient.name.clone() };
        return Delivery { outcome: Outcome::Failed { error }, channels: Vec::new() };
    }
    let mut channels = Vec::new();
    let mut errors = Vec::new();
    let mut report = |channel: Channel, target: &str, result: Option<Result<(), DeliveryError>>| {
        let status = match result {
            None => ChannelStatus::AlreadyDelivered,
            Some(Ok(())) => ChannelStatus::Delivered,
            Some(Err(error)) => {
                let status =
                    if error.is_retryable() { ChannelStatus::Retryable } else { ChannelStatus::Failed };
                errors.push(error);
                status
            }
        };
        channels.push(ChannelReport { channel, target: target.to_owned(), status });
    };

    if let Some(name) = &recipient.webhook {
        let result = (!notification.delivered.contains(&Channel::Webhook)).then(|| {
            let endpoint = config
                .webhooks
                .get(name)
                .ok_or_else(|| DeliveryError::UnknownEndpoint { endpoint: name.clone() })?;
            webhook::post(endpoint, notification, now)
                .map_err(|source| DeliveryError::Webhook { endpoint: name.clone(), source })
        });
        report(Channel::Webhook, name, result);
    }
    if let Some(address) = &recipient.email {
        let result = (!notification.delivered.contains(&Channel::Email)).then(|| {
            let sent = match &config.smtp {
                Some(smtp) => email::send(smtp, &recipient.name, address, notification, now),
                None => Err(EmailError::NoServer),
            };
            sent.map_err(|source| DeliveryError::Email { address: address.clone(), source })
        });
        report(Channel::Email, address, result);
    }

    let error = match errors.len() {
        0 => return Delivery { outcome: Outcome::Delivered, channels },
        1 => errors.remove(0),
        _ => DeliveryError::Several(errors),
    };
    let outcome = if !error.is_retryable() {
        Outcome::Failed { error }
    } else {
        let attempts = notification.attempts.saturating_add(1);
        match config.retry.next_attempt(attempts, now) {
            Some(at) => Outcome::Retry { at, error },
            None => Outcome::Failed { error: DeliveryError::GaveUp { attempts, last: Box::new(error) } },
        }
    };
    Delivery { outcome, channels }
}
