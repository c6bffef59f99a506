//! Delivering the outbox: every notification due is sent by the recipient's channels
//! (signed webhook, e-mail); a receiver that is down gets it later by the retry policy,
//! and one that refuses it marks it failed — never lost, never sent twice by a channel
//! that already has it.

use crate::EngineError;
use chrono::{DateTime, Utc};
use credence_domain::Timestamp;
use credence_notify::{Bilingual, Channel, Notification, NotificationKind, NotifyConfig, Outcome};
use credence_store::{Store, StoredNotification};

/// What a delivery pass did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct NotifyReport {
    pub attempted: u64,
    pub delivered: u64,
    /// Left pending for a later attempt.
    pub retrying: u64,
    pub failed: u64,
    /// (notification id, error) of the attempts that did not deliver.
    pub errors: Vec<(i64, String)>,
}

fn notification(row: &StoredNotification) -> Result<Notification, String> {
    let kind: NotificationKind = row.kind.parse().map_err(|e: credence_notify::UnknownKind| e.to_string())?;
    let title = Bilingual { zh: row.title_zh.clone(), en: row.title_en.clone() };
    Ok(Notification {
        id: row.id,
        kind,
        recipient: row.recipient.clone(),
        text: title.clone(),
        title,
        payload: serde_json::from_str(&row.payload).unwrap_or(serde_json::Value::Null),
        attempts: u32::try_from(row.attempts).unwrap_or(u32::MAX),
        delivered: row.channels_done.iter().filter_map(|c| c.parse::<Channel>().ok()).collect(),
    })
}

/// Sends up to `limit` notifications due at `now` and records each attempt.
pub fn deliver_notifications(
    store: &mut Store,
    config: &NotifyConfig,
    now: DateTime<Utc>,
    limit: u32,
) -> Result<NotifyReport, EngineError> {
    let stamp = Timestamp::secs(now);
    let mut report = NotifyReport::default();
    for row in store.due_notifications(&stamp, limit)? {
        report.attempted += 1;
        let n = match notification(&row) {
            Ok(n) => n,
            Err(error) => {
                store.record_delivery(row.id, "failed", None, Some(&error), &[], &stamp)?;
                report.failed += 1;
                report.errors.push((row.id, error));
                continue;
            }
        };
        let delivery = credence_notify::deliver(config, &n, now);
        let done: Vec<Channel> = delivery.delivered();
        let done: Vec<&str> = done.iter().map(|c| c.code()).collect();
        match &delivery.outcome {
            Outcome::Delivered => {
                store.record_delivery(row.id, "delivered", None, None, &done, &stamp)?;
                report.delivered += 1;
            }
            Outcome::Retry { at, error } => {
                let at = at.format("%Y-%m-%dT%H:%M:%SZ").to_string();
                store.record_delivery(row.id, "pending", Some(&at), Some(&error.report()), &done, &stamp)?;
                report.retrying += 1;
                report.errors.push((row.id, error.report()));
            }
            Outcome::Failed { error } => {
                store.record_delivery(row.id, "failed", None, Some(&error.report()), &done, &stamp)?;
                report.failed += 1;
                report.errors.push((row.id, error.report()));
            }
        }
    }
    Ok(report)
}
