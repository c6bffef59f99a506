//! Checkpoints: the chain's head signed with the audit key and kept outside the database
//! (a file of JSON lines, a webhook's receiver), so that removing or rewriting records up
//! to it shows when the log is verified against it.

use credence_domain::Timestamp;
use std::io::{BufRead, Write};
use std::path::Path;

use super::key::{AuditKey, MacAlgorithm, framed};
use crate::{Store, StoreError};

/// A signed head of the chain.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AuditCheckpoint {
    pub seq: i64,
    /// The MAC of record `seq`.
    pub hash: String,
    /// When it was taken, RFC 3339.
    #[serde(deserialize_with = "Timestamp::deserialize_stored")]
    pub at: Timestamp,
    /// The algorithm of the signature: `sha256` (no key: integrity only, no proof of
    /// origin), `hmac-sha256` or `hmac-sm3`.
    pub algorithm: MacAlgorithm,
    pub key_id: String,
    /// The signature over all of the above.
    pub mac: String,
}

/// Why a checkpoint file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum CheckpointFileError {
    #[error("cannot write the checkpoint file {path}")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot read the checkpoint file {path}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}, line {line}: not a checkpoint")]
    Line {
        path: String,
        line: usize,
        #[source]
        source: serde_json::Error,
    },
}

impl AuditCheckpoint {
    fn message(seq: i64, hash: &str, at: &str, algorithm: MacAlgorithm, key_id: &str) -> Vec<u8> {
        let seq = seq.to_string();
        framed(["credence audit checkpoint", &seq, hash, at, algorithm.code(), key_id])
    }

    /// The head of `store`'s chain at `at`, signed with its key (unsigned, a plain hash,
    /// without one).
    pub fn take(store: &mut Store, at: &Timestamp) -> Result<AuditCheckpoint, StoreError> {
        let (seq, hash) = super::head(&mut store.db, false)?;
        let (algorithm, key_id) = match store.audit_key() {
            Some(k) => (k.algorithm(), k.id().to_owned()),
            None => (MacAlgorithm::Sha256, String::new()),
        };
        let message = Self::message(seq, &hash, at, algorithm, &key_id);
        let mac = match store.audit_key() {
            Some(k) => k.mac_hex(&message),
            None => super::key::plain_hash_hex(&message),
        };
        Ok(AuditCheckpoint { seq, hash, at: at.clone(), algorithm, key_id, mac })
    }

    /// Whether the signature holds: `None` when it cannot be checked (signed with a key
    /// that is not given).
    pub fn signature_valid(&self, key: Option<&AuditKey>) -> Option<bool> {
        let message = Self::message(self.seq, &self.hash, &self.at, self.algorithm, &self.key_id);
        if !self.algorithm.is_keyed() {
            return Some(super::key::plain_hash_hex(&message) == self.mac);
        }
        match key {
            Some(k) if k.id() == self.key_id && k.algorithm() == self.algorithm => {
                Some(k.mac_hex(&message) == self.mac)
            }
            _ => None,
        }
    }

    /// Appends the checkpoint as one JSON line to `path` (created 0600 if missing) and
    /// flushes it to disk.
    pub fn append_to(&self, path: &Path) -> Result<(), CheckpointFileError> {
        let err = |source| CheckpointFileError::Write { path: path.display().to_string(), source };
        let mut file = crate::files::create_private(path, true).map_err(err)?;
        let line = serde_json::to_string(self).unwrap_or_default();
        writeln!(file, "{line}").map_err(err)?;
        file.sync_all().map_err(err)
    }

    /// Every checkpoint of a file, in the file's order (empty lines skipped).
    pub fn read_file(path: &Path) -> Result<Vec<AuditCheckpoint>, CheckpointFileError> {
        let shown = path.display().to_string();
        let file = std::fs::File::open(path)
            .map_err(|source| CheckpointFileError::Read { path: shown.clone(), source })?;
        let mut out = Vec::new();
        for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
            let line = line.map_err(|source| CheckpointFileError::Read { path: shown.clone(), source })?;
            if line.trim().is_empty() {
                continue;
            }
            out.push(serde_json::from_str(&line).map_err(|source| CheckpointFileError::Line {
                path: shown.clone(),
                line: i + 1,
                source,
            })?);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checkpoint(key: Option<&AuditKey>) -> AuditCheckpoint {
        let (algorithm, key_id) =
            key.map_or((MacAlgorithm::Sha256, String::new()), |k| (k.algorithm(), k.id().into()));
        let message = AuditCheckpoint::message(7, "ab", "2026-11-22T10:00:00Z", algorithm, &key_id);
        let mac = key.map_or_else(|| super::super::key::plain_hash_hex(&message), |k| k.mac_hex(&message));
        AuditCheckpoint {
            seq: 7,
            hash: "ab".into(),
            at: "2026-11-22T10:00:00Z".into(),
            algorithm,
            key_id,
            mac,
        }
    }

    #[test]
    fn signatures_are_checked_with_the_key_they_name() {
        let key = AuditKey::new(MacAlgorithm::HmacSm3, vec![9; 32]).unwrap();
        let other = AuditKey::new(MacAlgorithm::HmacSm3, vec![8; 32]).unwrap();
        let cp = checkpoint(Some(&key));
        assert_eq!(cp.signature_valid(Some(&key)), Some(true));
        assert_eq!(cp.signature_valid(None), None);
        assert_eq!(cp.signature_valid(Some(&other)), None);
        let mut moved = cp.clone();
        moved.seq = 6;
        assert_eq!(moved.signature_valid(Some(&key)), Some(false));
        let mut unsigned = checkpoint(None);
        assert_eq!(unsigned.signature_valid(Some(&key)), Some(true));
        unsigned.hash = "cd".into();
        assert_eq!(unsigned.signature_valid(None), Some(false));
    }

    #[test]
    fn files_hold_one_checkpoint_a_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cp.jsonl");
        let key = AuditKey::new(MacAlgorithm::HmacSha256, vec![9; 32]).unwrap();
        checkpoint(Some(&key)).append_to(&path).unwrap();
        checkpoint(None).append_to(&path).unwrap();
        let read = AuditCheckpoint::read_file(&path).unwrap();
        assert_eq!(read, vec![checkpoint(Some(&key)), checkpoint(None)]);
        std::fs::write(&path, "{\"seq\": 1}\n").unwrap();
        assert!(matches!(AuditCheckpoint::read_file(&path), Err(CheckpointFileError::Line { line: 1, .. })));
    }
}
