//! Keeping audit records for their retention, archiving them before a purge, and writing
//! them for a SIEM (JSON lines or RFC 5424 syslog lines).
//!
//! A purge removes only records that are older than the retention and lie in a recorded
//! archive (file name, range, SHA-256 of the file); it leaves an anchor row holding the
//! last purged sequence number and MAC, from which verification continues.

use crate::cells::stamp;
use credence_domain::Timestamp;
use std::io::Write;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::{AuditEntry, AuditFilter, AuditRecord, GENESIS_HASH};
use crate::cells::text;
use crate::db::Db;
use crate::{Store, StoreError};
use credence_records::Value;

/// The last purged record: (sequence number, MAC); (0, genesis) before any purge.
pub(crate) fn anchor(db: &mut Db) -> Result<(i64, String), StoreError> {
    let mut out = (0, GENESIS_HASH.to_owned());
    db.query_cells("SELECT seq, hash FROM audit_anchor WHERE id = 1", &[], |r| {
        out = (r[0].int().unwrap_or(0), text(r[1]));
    })?;
    Ok(out)
}

/// A written archive of audit records.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditArchive {
    pub file_name: String,
    pub first_seq: i64,
    pub last_seq: i64,
    pub records: i64,
    /// SHA-256 of the file's bytes, hex.
    pub sha256: String,
    pub archived_at: Timestamp,
}

/// Why an archive or a purge was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum RetentionError {
    #[error("no audit records before {before} are left to archive")]
    NothingToArchive { before: String },
    #[error(
        "records before {before} are younger than the retention (records from {kept_from} on are kept); nothing was purged"
    )]
    WithinRetention { before: String, kept_from: String },
    #[error(
        "records {first}–{last} are not in any recorded archive; run `credence audit archive --before {before}` first; nothing was purged"
    )]
    NotArchived { first: i64, last: i64, before: String },
    #[error("no audit records before {before} are left to purge")]
    NothingToPurge { before: String },
    #[error("cannot write the archive {path}")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The contiguous records from the anchor on whose time stamp is before `before`.
fn oldest_before(store: &mut Store, before: &str) -> Result<Vec<AuditRecord>, StoreError> {
    let (after, _) = anchor(&mut store.db)?;
    let mut out: Vec<AuditRecord> = Vec::new();
    let mut stopped = false;
    store.for_each_audit_record(&AuditFilter { after: Some(after), ..Default::default() }, |r| {
        if stopped || r.entry.at.as_str() >= before {
            stopped = true;
        } else {
            out.push(r);
        }
    })?;
    Ok(out)
}

impl Store {
    /// Writes the records before `before` (from the last purge on) to `out` as JSON
    /// lines, and records the archive with its SHA-256 and the archive's own audit
    /// record, in one transaction (`entry`'s action and object are filled in here).
    pub fn archive_audit(
        &mut self,
        before: &str,
        out: &Path,
        entry: AuditEntry,
    ) -> Result<AuditArchive, RetentionError> {
        let records = oldest_before(self, before)?;
        let (Some(first), Some(last)) = (records.first(), records.last()) else {
            return Err(RetentionError::NothingToArchive { before: before.to_owned() });
        };
        let err = |source| RetentionError::Write { path: out.display().to_string(), source };
        let mut bytes = Vec::new();
        for r in &records {
            bytes.extend_from_slice(jsonl(r).as_bytes());
            bytes.push(b'\n');
        }
        let mut file = crate::files::create_private(out, false).map_err(err)?;
        file.write_all(&bytes).map_err(err)?;
        file.sync_all().map_err(err)?;
        let archive = AuditArchive {
            file_name: out.display().to_string(),
            first_seq: first.seq,
            last_seq: last.seq,
            records: records.len() as i64,
            sha256: hex::encode(Sha256::digest(&bytes)),
            archived_at: entry.at.clone(),
        };
        let a = archive.clone();
        self.audited(|store| -> Result<_, StoreError> {
            store.db.execute(
                "INSERT INTO audit_archives (file_name, first_seq, last_seq, records, sha256, archived_at, archived_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
                &[
                    a.file_name.as_str().into(),
                    Value::Int(a.first_seq),
                    Value::Int(a.last_seq),
                    Value::Int(a.records),
                    a.sha256.as_str().into(),
                    a.archived_at.as_str().into(),
                    entry.actor.as_str().into(),
                ],
            )?;
            let summary = serde_json::json!({
                "file": a.file_name, "first_seq": a.first_seq, "last_seq": a.last_seq,
                "records": a.records, "sha256": a.sha256, "before": before,
            });
            Ok(((), AuditEntry {
                action: "audit.archive".into(),
                object: format!("audit:{}-{}", a.first_seq, a.last_seq),
                summary: summary.to_string(),
                ..entry
            }))
        })?;
        Ok(archive)
    }

    /// Recorded archives, oldest first.
    pub fn audit_archives(&mut self) -> Result<Vec<AuditArchive>, StoreError> {
        let mut out = Vec::new();
        self.db.query_cells(
            "SELECT file_name, first_seq, last_seq, records, sha256, archived_at FROM audit_archives ORDER BY id",
            &[],
            |r| {
                out.push(AuditArchive {
                    file_name: text(r[0]),
                    first_seq: r[1].int().unwrap_or(0),
                    last_seq: r[2].int().unwrap_or(0),
                    records: r[3].int().unwrap_or(0),
                    sha256: text(r[4]),
                    archived_at: stamp(r[5]),
                })
            },
        )?;
        Ok(out)
    }

    /// Deletes the records before `before`, which must not be after `kept_from` (the
    /// start of the retention the caller computed) and must all lie in recorded
    /// archives; moves the anchor to the last one deleted and appends the purge's own
    /// record, in one transaction. Returns how many records were deleted.
    pub fn purge_audit(
        &mut self,
        before: &str,
        kept_from: &str,
        entry: AuditEntry,
    ) -> Result<i64, RetentionError> {
        if before > kept_from {
            return Err(RetentionError::WithinRetention {
                before: before.into(),
                kept_from: kept_from.into(),
            });
        }
        let records = oldest_before(self, before)?;
        let (Some(first), Some(last)) = (records.first(), records.last()) else {
            return Err(RetentionError::NothingToPurge { before: before.to_owned() });
        };
        let (first, last, last_hash) = (first.seq, last.seq, last.hash.clone());
        // Every record to purge must lie in an archive; archives start where the
        // previous purge ended, so covering ranges are checked by walking them.
        let mut covered = first - 1;
        let mut archives = self.audit_archives()?;
        archives.sort_by_key(|a| a.first_seq);
        for a in &archives {
            if a.first_seq <= covered + 1 && a.last_seq > covered {
                covered = a.last_seq;
            }
        }
        if covered < last {
            return Err(RetentionError::NotArchived {
                first: (covered + 1).max(first),
                last,
                before: before.into(),
            });
        }
        let n = records.len() as i64;
        self.audited(|store| -> Result<_, StoreError> {
            store.db.execute("DELETE FROM audit_log WHERE seq <= ?", &[Value::Int(last)])?;
            store.db.execute(
                "UPDATE audit_anchor SET seq = ?, hash = ? WHERE id = 1",
                &[Value::Int(last), last_hash.as_str().into()],
            )?;
            let summary = serde_json::json!({ "first_seq": first, "last_seq": last, "records": n, "before": before, "kept_from": kept_from });
            Ok(((), AuditEntry {
                action: "audit.purge".into(),
                object: format!("audit:{first}-{last}"),
                summary: summary.to_string(),
                ..entry
            }))
        })?;
        Ok(n)
    }
}

/// A record as one JSON line.
pub fn jsonl(r: &AuditRecord) -> String {
    serde_json::to_string(r).unwrap_or_default()
}

/// A record as an RFC 5424 syslog line: facility 13 (log audit), severity 6
/// (informational), the fields as structured data under the SD-ID `credence@32473`
/// (32473 is the enterprise number RFC 5612 sets aside for examples; a site with its own
/// number can map it in its collector) and the summary as the message.
pub fn syslog(r: &AuditRecord, hostname: &str) -> String {
    fn param(v: &str) -> String {
        // RFC 5424 §6.3.3: inside a PARAM-VALUE, '"', '\' and ']' are escaped.
        v.replace('\\', "\\\\").replace('"', "\\\"").replace(']', "\\]")
    }
    fn name(v: &str) -> String {
        // Header fields are printable US-ASCII without spaces, '-' when empty.
        let s: String = v.chars().filter(|c| c.is_ascii_graphic()).take(255).collect();
        if s.is_empty() { "-".into() } else { s }
    }
    let e = &r.entry;
    format!(
        "<110>1 {} {} credence - {} [credence@32473 seq=\"{}\" actor=\"{}\" role=\"{}\" object=\"{}\" client_ip=\"{}\" request_id=\"{}\" hash=\"{}\" algorithm=\"{}\" key_id=\"{}\"] {}",
        name(&e.at),
        name(hostname),
        name(&e.action.chars().take(32).collect::<String>()),
        r.seq,
        param(&e.actor),
        param(&e.role),
        param(&e.object),
        param(&e.client_ip),
        param(&e.request_id),
        param(&r.hash),
        param(&r.algorithm),
        param(&r.key_id),
        e.summary.replace(['\n', '\r'], " "),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syslog_lines_follow_rfc_5424() {
        let r = AuditRecord {
            seq: 12,
            entry: AuditEntry {
                at: "2026-11-22T10:00:00.000Z".into(),
                actor: "wang \"w\"".into(),
                role: "auditor".into(),
                action: "audit.export".into(),
                object: "audit:1-9]".into(),
                summary: "{\"a\":\n1}".into(),
                client_ip: "10.0.0.1".into(),
                request_id: String::new(),
            },
            prev_hash: "p".into(),
            hash: "h".into(),
            algorithm: "hmac-sm3".into(),
            key_id: "k".into(),
        };
        assert_eq!(
            syslog(&r, "risk host"),
            "<110>1 2026-11-22T10:00:00.000Z riskhost credence - audit.export [credence@32473 seq=\"12\" actor=\"wang \\\"w\\\"\" role=\"auditor\" object=\"audit:1-9\\]\" client_ip=\"10.0.0.1\" request_id=\"\" hash=\"h\" algorithm=\"hmac-sm3\" key_id=\"k\"] {\"a\": 1}"
        );
        let back: AuditRecord = serde_json::from_str(&jsonl(&r)).unwrap();
        assert_eq!(back, r);
    }
}
