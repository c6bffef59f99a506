//! What is delivered: one outbox row as delivery sees it — the message in both languages,
//! its payload, and how far its delivery has come.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// What happened, as sent in `X-Credence-Event` and the body's `kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum NotificationKind {
    /// An early-warning rule fired and opened an alert.
    AlertRaised,
    /// A red or yellow alert opened a disposal case.
    CaseOpened,
    /// A case moved up the escalation ladder or to the owner's manager.
    CaseEscalated,
    /// A case passed its due time.
    CaseOverdue,
    /// A case was handed to a new owner.
    CaseAssigned,
}

impl NotificationKind {
    /// Every kind, in declaration order.
    pub const ALL: [NotificationKind; 5] = [
        NotificationKind::AlertRaised,
        NotificationKind::CaseOpened,
        NotificationKind::CaseEscalated,
        NotificationKind::CaseOverdue,
        NotificationKind::CaseAssigned,
    ];

    /// The stable code: stored in the outbox and sent to receivers.
    pub fn code(self) -> &'static str {
        match self {
            NotificationKind::AlertRaised => "alert_raised",
            NotificationKind::CaseOpened => "case_opened",
            NotificationKind::CaseEscalated => "case_escalated",
            NotificationKind::CaseOverdue => "case_overdue",
            NotificationKind::CaseAssigned => "case_assigned",
        }
    }
}

impl fmt::Display for NotificationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A code that names no [`NotificationKind`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown notification kind '{0}'")]
pub struct UnknownKind(pub String);

impl FromStr for NotificationKind {
    type Err = UnknownKind;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        NotificationKind::ALL.into_iter().find(|k| k.code() == s).ok_or_else(|| UnknownKind(s.to_owned()))
    }
}

/// A text in Chinese and in English.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Bilingual {
    pub zh: String,
    pub en: String,
}

impl Bilingual {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Bilingual {
        Bilingual { zh: zh.into(), en: en.into() }
    }
}

/// A way of reaching a recipient. A recipient has at most one of each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Webhook,
    Email,
}

impl Channel {
    /// The stable code, for the outbox's record of delivered channels.
    pub fn code(self) -> &'static str {
        match self {
            Channel::Webhook => "webhook",
            Channel::Email => "email",
        }
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A code that names no [`Channel`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown notification channel '{0}'")]
pub struct UnknownChannel(pub String);

impl FromStr for Channel {
    type Err = UnknownChannel;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Channel::Webhook, Channel::Email]
            .into_iter()
            .find(|c| c.code() == s)
            .ok_or_else(|| UnknownChannel(s.to_owned()))
    }
}

/// One notification to deliver, with the state of its delivery so far.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    /// The outbox row id. Sent as `X-Credence-Delivery` and in the e-mail's `Message-ID`:
    /// the same notification always carries the same id, so receivers can drop repeats.
    pub id: i64,
    pub kind: NotificationKind,
    /// The owner name, looked up in the configuration's `[recipients]`.
    pub recipient: String,
    /// A one-line title: the e-mail subject and the webhook body's `title`.
    pub title: Bilingual,
    /// The message itself, plain text; may be several lines.
    pub text: Bilingual,
    /// Structured data for machines (ids, levels, due times), sent as the body's `payload`.
    pub payload: serde_json::Value,
    /// Delivery attempts made before this one (0 for a new row).
    pub attempts: u32,
    /// Channels that succeeded in earlier attempts; they are not used again.
    pub delivered: Vec<Channel>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_codes_are_stable_and_round_trip() {
        let codes: Vec<&str> = NotificationKind::ALL.iter().map(|k| k.code()).collect();
        assert_eq!(codes, ["alert_raised", "case_opened", "case_escalated", "case_overdue", "case_assigned"]);
        for kind in NotificationKind::ALL {
            assert_eq!(kind.code().parse::<NotificationKind>(), Ok(kind));
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.code());
        }
        assert_eq!("case_closed".parse::<NotificationKind>(), Err(UnknownKind("case_closed".into())));
    }

    #[test]
    fn channel_codes_are_stable_and_round_trip() {
        assert_eq!([Channel::Webhook.code(), Channel::Email.code()], ["webhook", "email"]);
        assert_eq!("email".parse::<Channel>(), Ok(Channel::Email));
        assert_eq!("sms".parse::<Channel>(), Err(UnknownChannel("sms".into())));
    }
}
