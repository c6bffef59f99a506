//! The audit log (GOV-4): every state-changing operation, appended as a record that
//! carries the hash of the one before it. Editing or deleting a record directly in the
//! database breaks the chain at that record, and [`Store::verify_audit`] names it.
//!
//! A record's hash is SHA-256 over the previous hash and the record's fields, each
//! length-prefixed so that no two different records hash the same input. The head (last
//! sequence number and hash) is kept in its own row, updated in the same transaction as
//! each append; that row is also the lock that makes concurrent appenders (several server
//! instances) take turns, so the chain never forks. Deleting the newest records shows as a
//! head that runs past the log; replacing the head too is caught only by comparing with a
//! head hash kept elsewhere, which `credence audit verify` prints for that purpose.

use sha2::{Digest, Sha256};

use crate::cells::text;
use crate::db::{Db, Dialect};
use crate::{Store, StoreError};
use credence_records::Value;

/// What is recorded about an operation.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AuditEntry {
    /// RFC 3339 time stamp.
    pub at: String,
    pub actor: String,
    pub role: String,
    /// What was done, e.g. `rating.override`, `limit.approve`.
    pub action: String,
    /// What it was done to, e.g. `customer:C0000042`.
    pub object: String,
    /// Before/after summary, JSON.
    pub summary: String,
    pub client_ip: String,
    pub request_id: String,
}

/// A stored audit record.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditRecord {
    pub seq: i64,
    #[serde(flatten)]
    pub entry: AuditEntry,
    pub prev_hash: String,
    pub hash: String,
}

/// The hash before the first record.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The hash of record `seq` with `entry` after `prev_hash`.
pub fn audit_hash(prev_hash: &str, seq: i64, e: &AuditEntry) -> String {
    let mut h = Sha256::new();
    let seq = seq.to_string();
    for field in [
        prev_hash,
        seq.as_str(),
        &e.at,
        &e.actor,
        &e.role,
        &e.action,
        &e.object,
        &e.summary,
        &e.client_ip,
        &e.request_id,
    ] {
        h.update((field.len() as u64).to_le_bytes());
        h.update(field.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Which records to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub actor: Option<String>,
    /// Actions starting with this, e.g. `limit.`.
    pub action: Option<String>,
    /// Objects starting with this, e.g. `customer:C0000042`.
    pub object: Option<String>,
    /// Time stamps from (inclusive) and to (exclusive), RFC 3339.
    pub from: Option<String>,
    pub to: Option<String>,
    /// Records after this sequence number (for paging).
    pub after: Option<i64>,
    pub limit: Option<u32>,
}

/// The outcome of checking the whole chain.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum AuditVerification {
    Intact {
        records: i64,
        head_hash: String,
    },
    /// The first record (or the head) that does not fit, and why.
    Broken {
        seq: i64,
        reason: String,
    },
}

const COLUMNS: &str = "seq, at, actor, role, action, object, summary, client_ip, request_id, prev_hash, hash";

fn record(r: &[crate::db::Cell<'_>]) -> AuditRecord {
    AuditRecord {
        seq: r[0].int().unwrap_or(0),
        entry: AuditEntry {
            at: text(r[1]),
            actor: text(r[2]),
            role: text(r[3]),
            action: text(r[4]),
            object: text(r[5]),
            summary: text(r[6]),
            client_ip: text(r[7]),
            request_id: text(r[8]),
        },
        prev_hash: text(r[9]),
        hash: text(r[10]),
    }
}

/// Appends inside the caller's write transaction.
pub(crate) fn append(db: &mut Db, e: &AuditEntry) -> Result<AuditRecord, StoreError> {
    let lock = match db.dialect() {
        Dialect::Postgres => " FOR UPDATE",
        Dialect::Sqlite => "",
    };
    let mut head = None;
    db.query_cells(&format!("SELECT seq, hash FROM audit_head WHERE id = 1{lock}"), &[], |r| {
        head = Some((r[0].int().unwrap_or(0), text(r[1])));
    })?;
    let (last, prev_hash) = head.unwrap_or((0, GENESIS_HASH.to_owned()));
    let seq = last + 1;
    let hash = audit_hash(&prev_hash, seq, e);
    db.execute(
        &format!("INSERT INTO audit_log ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
        &[
            Value::Int(seq),
            e.at.as_str().into(),
            e.actor.as_str().into(),
            e.role.as_str().into(),
            e.action.as_str().into(),
            e.object.as_str().into(),
            e.summary.as_str().into(),
            e.client_ip.as_str().into(),
            e.request_id.as_str().into(),
            prev_hash.as_str().into(),
            hash.as_str().into(),
        ],
    )?;
    db.execute(
        "UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1",
        &[Value::Int(seq), hash.as_str().into()],
    )?;
    Ok(AuditRecord { seq, entry: e.clone(), prev_hash, hash })
}

impl Store {
    /// Appends a record to the audit chain in its own transaction.
    pub fn append_audit(&mut self, e: &AuditEntry) -> Result<AuditRecord, StoreError> {
        self.in_transaction(|db| append(db, e))
    }

    /// Records matching the filter, oldest first.
    pub fn audit_records(&mut self, f: &AuditFilter) -> Result<Vec<AuditRecord>, StoreError> {
        let mut sql = format!("SELECT {COLUMNS} FROM audit_log WHERE seq > ?");
        let mut params: Vec<Value> = vec![Value::Int(f.after.unwrap_or(0))];
        if let Some(a) = &f.actor {
            sql.push_str(" AND actor = ?");
            params.push(a.as_str().into());
        }
        for (column, prefix) in [("action", &f.action), ("object", &f.object)] {
            if let Some(p) = prefix {
                // A prefix match without LIKE, whose wildcards a user's text could hold.
                sql.push_str(&format!(" AND substr({column}, 1, ?) = ?"));
                params.push(Value::Int(p.chars().count() as i64));
                params.push(p.as_str().into());
            }
        }
        if let Some(t) = &f.from {
            sql.push_str(" AND at >= ?");
            params.push(t.as_str().into());
        }
        if let Some(t) = &f.to {
            sql.push_str(" AND at < ?");
            params.push(t.as_str().into());
        }
        sql.push_str(" ORDER BY seq");
        if let Some(n) = f.limit {
            sql.push_str(&format!(" LIMIT {n}"));
        }
        let mut out = Vec::new();
        self.db.query_cells(&sql, &params, |r| out.push(record(r)))?;
        Ok(out)
    }

    /// Checks the whole chain in order: sequence numbers without gaps, each record's
    /// previous hash equal to the hash before it, each hash recomputed from the record's
    /// fields, and the head at the last record.
    pub fn verify_audit(&mut self) -> Result<AuditVerification, StoreError> {
        let mut expected_seq = 1;
        let mut prev = GENESIS_HASH.to_owned();
        let mut broken: Option<(i64, String)> = None;
        self.db.query_cells(&format!("SELECT {COLUMNS} FROM audit_log ORDER BY seq"), &[], |r| {
            if broken.is_some() {
                return;
            }
            let rec = record(r);
            if rec.seq != expected_seq {
                broken =
                    Some((expected_seq, format!("record {expected_seq} is missing (next is {})", rec.seq)));
            } else if rec.prev_hash != prev {
                broken = Some((rec.seq, "its previous-hash does not match the record before it".into()));
            } else if audit_hash(&rec.prev_hash, rec.seq, &rec.entry) != rec.hash {
                broken = Some((rec.seq, "its contents do not match its hash (edited)".into()));
            } else {
                prev = rec.hash;
                expected_seq += 1;
            }
        })?;
        if let Some((seq, reason)) = broken {
            return Ok(AuditVerification::Broken { seq, reason });
        }
        let records = expected_seq - 1;
        let mut head = (0, String::new());
        self.db.query_cells("SELECT seq, hash FROM audit_head WHERE id = 1", &[], |r| {
            head = (r[0].int().unwrap_or(0), text(r[1]));
        })?;
        if head.0 != records || head.1 != prev {
            return Ok(AuditVerification::Broken {
                seq: records + 1,
                reason: format!(
                    "the head says {} records but the log ends at {records} (records deleted)",
                    head.0
                ),
            });
        }
        Ok(AuditVerification::Intact { records, head_hash: prev })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(action: &str) -> AuditEntry {
        AuditEntry {
            at: "2026-11-22T10:00:00Z".into(),
            actor: "wang".into(),
            role: "risk_manager".into(),
            action: action.into(),
            object: "customer:C1".into(),
            summary: "{}".into(),
            client_ip: "127.0.0.1".into(),
            request_id: "r1".into(),
        }
    }

    /// Length prefixes keep field boundaries: moving a character from one field to the
    /// next changes the hash.
    #[test]
    fn hashes_depend_on_field_boundaries() {
        let a = entry("ab");
        let mut b = entry("a");
        b.object = format!("b{}", a.object);
        assert_ne!(audit_hash(GENESIS_HASH, 1, &a), audit_hash(GENESIS_HASH, 1, &b));
        assert_eq!(audit_hash(GENESIS_HASH, 1, &a).len(), 64);
    }
}
