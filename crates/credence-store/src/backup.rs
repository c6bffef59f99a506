//! Backups of a SQLite database and their restore. A backup is taken while the database
//! is in use (`VACUUM INTO` reads one consistent snapshot; writers go on), into a new file
//! readable by its owner only, and is checked before it is reported. A restore checks the
//! backup the same way, copies it beside the target, brings its schema up to date and
//! only then renames it into place, so a failed restore leaves the target as it was.
//! PostgreSQL is backed up with its own tools (`pg_dump`, see the README).

use std::path::{Path, PathBuf};

use crate::{Store, StoreError, Target};

/// What a backup or a restore produced.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BackupReport {
    pub path: PathBuf,
    pub bytes: u64,
    /// The latest migration the copy holds.
    pub schema_version: i64,
    pub customers: i64,
    pub audit_records: i64,
}

fn failed(what: impl Into<String>) -> StoreError {
    StoreError::Backup(what.into())
}

/// Checks a SQLite file as a Credence database: intact, and of a schema this program
/// knows. Opens it read-only.
fn inspect(path: &Path) -> Result<BackupReport, StoreError> {
    let shown = path.display().to_string();
    let conn = rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|source| StoreError::OpenSqlite { path: shown.clone(), source })?;
    let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    if check != "ok" {
        return Err(failed(format!("{shown} is damaged: {check}")));
    }
    let version: Option<i64> = conn
        .query_row("SELECT max(version) FROM schema_migrations", [], |r| r.get(0))
        .map_err(|_| failed(format!("{shown} is not a Credence database (it has no schema_migrations)")))?;
    let version = version.unwrap_or(0);
    if version > crate::migrate::latest_version() {
        return Err(StoreError::NewerSchema { found: version });
    }
    let count = |table: &str| -> Result<i64, StoreError> {
        Ok(conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?)
    };
    Ok(BackupReport {
        path: path.to_owned(),
        bytes: std::fs::metadata(path).map_err(|e| failed(format!("{shown}: {e}")))?.len(),
        schema_version: version,
        customers: count("customers")?,
        audit_records: count("audit_log")?,
    })
}

impl Store {
    /// Writes a consistent copy of this SQLite database to `to`, a new file (an existing
    /// one is never overwritten), and checks it.
    pub fn backup_into(&mut self, to: &Path) -> Result<BackupReport, StoreError> {
        if let Target::Postgres { .. } = self.target {
            return Err(failed(
                "a PostgreSQL database is backed up with pg_dump (pg_dump --format=custom --file=credence.dump URL) \
                 and restored with pg_restore; see the README's production section",
            ));
        }
        crate::files::create_private(to, false).map_err(|e| {
            failed(format!("cannot create {}: {e} (a backup never overwrites a file)", to.display()))
        })?;
        let path = to.to_str().ok_or_else(|| failed(format!("{} is not a UTF-8 path", to.display())))?;
        if let Err(e) = self.db.execute("VACUUM INTO ?", &[path.into()]) {
            let _ = std::fs::remove_file(to);
            return Err(e.into());
        }
        inspect(to)
    }
}

/// Replaces the SQLite database at `target` with the backup at `from`: refused when the
/// target exists unless `replace`. The server must not be running on the target.
pub fn restore_sqlite(from: &Path, target: &Path, replace: bool) -> Result<BackupReport, StoreError> {
    inspect(from)?;
    if target.exists() && !replace {
        return Err(failed(format!(
            "{} exists; pass --replace to overwrite it with the backup (stop the server first)",
            target.display()
        )));
    }
    let mut staging = target.as_os_str().to_owned();
    staging.push(".restoring");
    let staging = PathBuf::from(staging);
    let _ = std::fs::remove_file(&staging);
    let copy = crate::files::create_private(&staging, false).and_then(|mut out| {
        std::io::copy(&mut std::fs::File::open(from)?, &mut out).and_then(|_| out.sync_all())
    });
    if let Err(e) = copy {
        let _ = std::fs::remove_file(&staging);
        return Err(failed(format!("cannot copy {} to {}: {e}", from.display(), staging.display())));
    }
    // An older backup is brought up to this program's schema before it goes in place.
    let staged =
        staging.to_str().ok_or_else(|| failed(format!("{} is not a UTF-8 path", staging.display())))?;
    if let Err(e) = Store::open(staged) {
        for f in [staging.clone(), suffixed(&staging, "-wal"), suffixed(&staging, "-shm")] {
            let _ = std::fs::remove_file(f);
        }
        return Err(e);
    }
    put_in_place(&staging, target)
        .map_err(|e| failed(format!("cannot move {} to {}: {e}", staging.display(), target.display())))?;
    inspect(target)
}

/// Puts a SQLite file built or checked beside `target` in its place. The target's
/// write-ahead log and its index belong to the database being replaced: left beside the
/// new file, the log would be replayed into it, so they are removed first.
pub fn put_in_place(staged: &Path, target: &Path) -> std::io::Result<()> {
    for f in [suffixed(target, "-wal"), suffixed(target, "-shm")] {
        match std::fs::remove_file(&f) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    std::fs::rename(staged, target)
}

/// `p` with `suffix` appended to its file name (`credence.db-wal`).
pub fn suffixed(p: &Path, suffix: &str) -> PathBuf {
    let mut s = p.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}
