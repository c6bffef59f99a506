//! The outbox: notifications written in the same transaction as what they announce, and
//! each delivery attempt recorded.

use crate::cells::{opt_stamp, stamp};
use crate::cells::{opt_text, text};
use crate::db::Db;
use crate::{Store, StoreError};
use credence_domain::Timestamp;
use credence_records::Value;

/// A notification to queue.
#[derive(Debug, Clone)]
pub struct NewNotification<'a> {
    /// `alert_raised`, `case_opened`, `case_escalated`, …
    pub kind: &'a str,
    /// The owner it is for.
    pub recipient: &'a str,
    pub title_en: &'a str,
    pub title_zh: &'a str,
    /// JSON.
    pub payload: &'a str,
}

/// A queued notification.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StoredNotification {
    pub id: i64,
    pub kind: String,
    pub recipient: String,
    pub title_en: String,
    pub title_zh: String,
    pub payload: String,
    pub created_at: Timestamp,
    /// `pending`, `delivered` or `failed` (given up after the last attempt).
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: Timestamp,
    pub last_error: Option<String>,
    pub delivered_at: Option<Timestamp>,
    /// Channels (`webhook`, `email`) that already have it, when some failed.
    pub channels_done: Vec<String>,
}

/// The statement that queues notifications, up to `VALUES`; [`notification_row`] gives a
/// row of it.
pub(crate) const NOTIFICATION_INSERT: &str = "INSERT INTO notifications (kind, recipient, title_en, title_zh, payload, created_at, status, next_attempt_at)";

/// A notification queued at `at`, due at once, as a row of [`NOTIFICATION_INSERT`].
pub(crate) fn notification_row(n: &NewNotification<'_>, at: &str) -> [Value; 8] {
    [
        n.kind.into(),
        n.recipient.into(),
        n.title_en.into(),
        n.title_zh.into(),
        n.payload.into(),
        at.into(),
        "pending".into(),
        at.into(),
    ]
}

pub(crate) fn enqueue(db: &mut Db, n: &NewNotification<'_>, at: &str) -> Result<(), StoreError> {
    db.execute(&format!("{NOTIFICATION_INSERT} VALUES (?, ?, ?, ?, ?, ?, ?, ?)"), &notification_row(n, at))?;
    Ok(())
}

impl Store {
    /// Pending notifications whose next attempt is due at `now`, oldest first.
    pub fn due_notifications(
        &mut self,
        now: &str,
        limit: u32,
    ) -> Result<Vec<StoredNotification>, StoreError> {
        self.notifications_where(
            &format!(
                "WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT {limit}"
            ),
            &[now.into()],
        )
    }

    /// Notifications of a status (all when `None`), newest first.
    pub fn notifications(
        &mut self,
        status: Option<&str>,
        limit: u32,
    ) -> Result<Vec<StoredNotification>, StoreError> {
        match status {
            Some(s) => self.notifications_where(
                &format!("WHERE status = ? ORDER BY id DESC LIMIT {limit}"),
                &[s.into()],
            ),
            None => self.notifications_where(&format!("ORDER BY id DESC LIMIT {limit}"), &[]),
        }
    }

    fn notifications_where(
        &mut self,
        tail: &str,
        params: &[Value],
    ) -> Result<Vec<StoredNotification>, StoreError> {
        let mut out = Vec::new();
        self.db.query_cells(
            &format!("SELECT id, kind, recipient, title_en, title_zh, payload, created_at, status, attempts, next_attempt_at, last_error, delivered_at, channels_done FROM notifications {tail}"),
            params,
            |r| {
                out.push(StoredNotification {
                    id: r[0].int().unwrap_or(0),
                    kind: text(r[1]),
                    recipient: text(r[2]),
                    title_en: text(r[3]),
                    title_zh: text(r[4]),
                    payload: text(r[5]),
                    created_at: stamp(r[6]),
                    status: text(r[7]),
                    attempts: r[8].int().unwrap_or(0),
                    next_attempt_at: stamp(r[9]),
                    last_error: opt_text(r[10]),
                    delivered_at: opt_stamp(r[11]),
                    channels_done: r[12]
                        .text()
                        .unwrap_or_default()
                        .split(',')
                        .filter(|c| !c.is_empty())
                        .map(str::to_owned)
                        .collect(),
                })
            },
        )?;
        Ok(out)
    }

    /// Records an attempt: delivered, to retry at `next_attempt_at`, or given up, with
    /// the channels that have it so far.
    pub fn record_delivery(
        &mut self,
        id: i64,
        status: &str,
        next_attempt_at: Option<&str>,
        error: Option<&str>,
        channels_done: &[&str],
        at: &Timestamp,
    ) -> Result<(), StoreError> {
        let delivered_at = if status == "delivered" { Value::from(at) } else { Value::Null };
        self.db.execute(
            "UPDATE notifications SET status = ?, attempts = attempts + 1, next_attempt_at = COALESCE(?, next_attempt_at), last_error = ?, delivered_at = ?, channels_done = ? WHERE id = ?",
            &[
                status.into(),
                next_attempt_at.map_or(Value::Null, Value::from),
                error.map_or(Value::Null, Value::from),
                delivered_at,
                channels_done.join(",").into(),
                Value::Int(id),
            ],
        )?;
        Ok(())
    }
}
