//! Disposal cases as stored: listing, one case with its log and alerts, and a change
//! with its log entry and notification in one transaction. A warning run opens and joins
//! cases inside its own transaction (`warnings.rs`).

use crate::cells::{opt_stamp, opt_text, stamp, text};
use crate::db::{Cell, Db};
use crate::notifications::{NewNotification, enqueue};
use crate::{Store, StoreError};
use credence_domain::{CustomerId, Timestamp};
use credence_records::Value;

/// A disposal case.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StoredCase {
    pub id: i64,
    pub customer_id: CustomerId,
    pub level: String,
    /// `open` or `closed`.
    pub status: String,
    /// `watch`, `downgrade` or `exit`.
    pub stage: String,
    pub owner: String,
    pub escalated_to: Option<String>,
    pub opened_at: Timestamp,
    pub due_at: Timestamp,
    pub closed_at: Option<Timestamp>,
    pub outcome: Option<String>,
}

/// A case, its log and the ids of its alerts.
pub type CaseFile = (StoredCase, Vec<CaseEvent>, Vec<i64>);

/// One entry of a case's log.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CaseEvent {
    pub at: Timestamp,
    pub actor: String,
    /// `opened`, `joined`, `assigned`, `action`, `escalated`, `overdue`, `closed`.
    pub kind: String,
    pub note: String,
}

/// Which cases to list.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub status: Option<String>,
    pub owner: Option<String>,
    pub customer: Option<String>,
    /// Open cases due before this time stamp.
    pub due_before: Option<String>,
    /// At most this many (the most urgent).
    pub limit: Option<u32>,
}

const CASE_COLUMNS: &str =
    "id, customer_id, level, status, stage, owner, escalated_to, opened_at, due_at, closed_at, outcome";

fn case(r: &[Cell<'_>]) -> StoredCase {
    StoredCase {
        id: r[0].int().unwrap_or(0),
        customer_id: text(r[1]).into(),
        level: text(r[2]),
        status: text(r[3]),
        stage: text(r[4]),
        owner: text(r[5]),
        escalated_to: opt_text(r[6]),
        opened_at: stamp(r[7]),
        due_at: stamp(r[8]),
        closed_at: opt_stamp(r[9]),
        outcome: opt_text(r[10]),
    }
}

fn log_case(
    db: &mut Db,
    case_id: i64,
    at: &Timestamp,
    actor: &str,
    kind: &str,
    note: &str,
) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO case_events (case_id, at, actor, kind, note) VALUES (?, ?, ?, ?, ?)",
        &[Value::Int(case_id), at.into(), actor.into(), kind.into(), note.into()],
    )?;
    Ok(())
}

impl Store {
    /// Cases by filter, oldest due first.
    pub fn cases(&mut self, f: &CaseFilter) -> Result<Vec<StoredCase>, StoreError> {
        let mut sql = format!("SELECT {CASE_COLUMNS} FROM cases WHERE 1 = 1");
        let mut params = Vec::new();
        for (column, value) in [("status", &f.status), ("owner", &f.owner), ("customer_id", &f.customer)] {
            if let Some(v) = value {
                sql.push_str(&format!(" AND {column} = ?"));
                params.push(Value::from(v.as_str()));
            }
        }
        if let Some(t) = &f.due_before {
            sql.push_str(" AND status = 'open' AND due_at < ?");
            params.push(Value::from(t.as_str()));
        }
        // One customer's cases are few: sorted here, so the planner looks them up by
        // customer rather than walking every open case in deadline order.
        let one_customer = f.customer.is_some();
        if !one_customer {
            sql.push_str(" ORDER BY due_at, id");
            if let Some(n) = f.limit {
                sql.push_str(&format!(" LIMIT {n}"));
            }
        }
        let mut out = Vec::new();
        self.db.query_cells(&sql, &params, |r| out.push(case(r)))?;
        if one_customer {
            out.sort_by(|a, b| a.due_at.cmp(&b.due_at).then(a.id.cmp(&b.id)));
            out.truncate(f.limit.map_or(usize::MAX, |n| n as usize));
        }
        Ok(out)
    }

    /// One case with its log and the ids of its alerts.
    pub fn case(&mut self, id: i64) -> Result<Option<CaseFile>, StoreError> {
        let mut found = None;
        self.db.query_cells(
            &format!("SELECT {CASE_COLUMNS} FROM cases WHERE id = ?"),
            &[Value::Int(id)],
            |r| found = Some(case(r)),
        )?;
        let Some(c) = found else { return Ok(None) };
        let mut events = Vec::new();
        self.db.query_cells(
            "SELECT at, actor, kind, note FROM case_events WHERE case_id = ? ORDER BY id",
            &[Value::Int(id)],
            |r| {
                events.push(CaseEvent {
                    at: stamp(r[0]),
                    actor: text(r[1]),
                    kind: text(r[2]),
                    note: text(r[3]),
                })
            },
        )?;
        let mut alerts = Vec::new();
        self.db.query_cells(
            "SELECT alert_id FROM case_alerts WHERE case_id = ? ORDER BY alert_id",
            &[Value::Int(id)],
            |r| alerts.push(r[0].int().unwrap_or(0)),
        )?;
        Ok(Some((c, events, alerts)))
    }

    /// Changes a case and logs who did what, with the notification it sends, in one
    /// transaction. `set` lists columns of `cases` with their new values.
    pub fn update_case(
        &mut self,
        id: i64,
        set: &[(&str, Value)],
        actor: &str,
        kind: &str,
        note: &str,
        at: &Timestamp,
        notification: Option<&NewNotification<'_>>,
    ) -> Result<(), StoreError> {
        self.db.transaction(|db| -> Result<(), StoreError> {
            for (column, value) in set {
                debug_assert!(column.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
                db.execute(
                    &format!("UPDATE cases SET {column} = ? WHERE id = ?"),
                    &[value.clone(), Value::Int(id)],
                )?;
            }
            log_case(db, id, at, actor, kind, note)?;
            match notification {
                Some(n) => enqueue(db, n, at),
                None => Ok(()),
            }
        })
    }
}
