//! Persistence of credit files: SQLite (the embedded default, one file, nothing to
//! install) and PostgreSQL (many users, many instances) behind one [`Store`], with the
//! same behaviour on both.
//!
//! - Migrations run when a store is opened; released migrations are never edited (an
//!   edited one is detected by checksum and refused).
//! - Every import is one transaction ([`ImportSession`]): a failed, abandoned or killed
//!   import leaves the database as it was.
//! - Upserts are idempotent on each kind's natural key: an identical record is
//!   "unchanged"; a changed one is updated and its previous version kept in
//!   `record_history`.
//!
//! This crate is the only one that knows SQL. It does not decide anything about credit.
//!
//! ```
//! let dir = tempfile::tempdir().unwrap();
//! let mut store = credence_store::Store::open(dir.path().join("c.db").to_str().unwrap()).unwrap();
//! assert_eq!(store.count(credence_records::Kind::Customers).unwrap(), 0);
//! ```

mod access;
mod audit;
mod backup;
mod batch;
mod billing;
mod billing_runs;
mod browse;
mod cases;
mod cells;
mod control;
mod db;
mod disputes;
mod exposure;
mod files;
mod load;
mod logins;
mod migrate;
mod models;
mod notifications;
mod packed;
mod ratings;
mod repair;
mod session;
mod shared_runs;
mod snapshot;
mod sql;
mod tls;
mod warnings;
mod write_scope;

pub use access::{HeldAuthority, JobRun, StoredSession, StoredToken, StoredUser, UserAccess};
pub use audit::checkpoint::{AuditCheckpoint, CheckpointFileError};
pub use audit::key::{AuditKey, AuditKeyError, MacAlgorithm};
pub use audit::retention::{AuditArchive, RetentionError, jsonl as audit_jsonl, syslog as audit_syslog};
pub use audit::{
    AuditEntry, AuditFilter, AuditRecord, AuditVerification, GENESIS_HASH, PendingAudit, audit_hash,
    audit_mac,
};
pub use backup::{
    BackupReport, put_in_place as put_sqlite_file_in_place, restore_sqlite, suffixed as path_with_suffix,
};
pub use billing::{
    AccountLedger, StoredAccount, StoredBill, StoredBillPayment, StoredDisconnection, StoredHolderChange,
    StoredMeterEvent,
};
pub use billing_runs::{
    AccountGrade, BillingAction, BillingDecision, BillingRequest, BillingRun, GradeFilter, TermsInForce,
};
pub use browse::{CustomerQuery, CustomerSort, CustomerSummary, LatestGrade};
pub use cases::{CaseEvent, CaseFile, CaseFilter, StoredCase};
pub use control::{
    ApprovedLimit, BlockedOrder, CollectionAction, OrderDecision, StoredLimitDecision, StoredLimitRequest,
    StoredPromise,
};
pub use db::{Cell, DbError, Dialect};
pub use disputes::{ResolveOutcome, StoredDispute};
pub use load::{CustomerHead, Wanted};
pub use logins::{LoginAttempt, LoginCounts};
pub use models::{ModelRun, ModelScore, Registered, StoredModel};
pub use notifications::{NewNotification, StoredNotification};
pub use packed::{Packer, Text, TextKind};
pub use ratings::{
    NewRating, NewRatingRun, OverrideRequest, RatingRun, RatingSession, RatingStamp, StoredOverride,
    StoredRating,
};
pub use repair::{RepairItem, RepairPlan};
pub use session::{Counts, ImportSession, NewImportRun, Outcome};
pub use shared_runs::{Benchmark, ClaimedPart, PartWritten, PartsState, RatedPart, SharedRun, part_bounds};
pub use warnings::{
    AlertFilter, LevelChange, LevelState, NewAlert, OpenAlert, OpenAlerts, StoredAlert, WHOLE_PORTFOLIO,
    WarningCounts, WarningSession, WorkCounts, evidence_text_hash,
};
pub use write_scope::{ScopeReason, ScopeRefusal, whole_portfolio_only};

/// Values by customer id over a whole portfolio, with a hasher made for many short keys.
pub type IdMap<V> = rustc_hash::FxHashMap<String, V>;

use credence_domain::CustomerScope;
use credence_domain::Timestamp;
use credence_records::{Kind, Record, Value};
use db::Db;
use sql::sql_for;
use std::collections::HashMap;

/// Why the store failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error")]
    Db(#[from] DbError),
    #[error("the stored credit file of customer {customer} cannot be read: {reason}")]
    Snapshot { customer: String, reason: String },
    #[error("a stored text cannot be read: {0}")]
    PackedText(String),
    #[error("cannot open SQLite database {path}")]
    OpenSqlite {
        path: String,
        #[source]
        source: rusqlite::Error,
    },
    #[error("cannot create the database file {path}")]
    CreateFile {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot connect to PostgreSQL at {url}")]
    ConnectPostgres {
        url: String,
        #[source]
        source: postgres::Error,
    },
    #[error("migration {version} ({name}) failed")]
    Migration {
        version: i64,
        name: &'static str,
        #[source]
        source: DbError,
    },
    #[error(
        "migration {version} ({name}) differs from the one applied to this database; released migrations must not be edited"
    )]
    MigrationChanged { version: i64, name: &'static str },
    #[error("the database has schema version {found}, newer than this program knows; upgrade Credence")]
    NewerSchema { found: i64 },
    #[error("the database did not return the new import's id")]
    NoImportId,
    #[error("a record outside the writer's data scope")]
    OutsideScope(#[source] ScopeRefusal),
    #[error("{0}")]
    Backup(String),
    #[error("cannot set up TLS for PostgreSQL at {url}: {reason}")]
    Tls { url: String, reason: String },
    #[error("shared run: {0}")]
    SharedRun(String),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Db(DbError::Sqlite(e))
    }
}

impl From<postgres::Error> for StoreError {
    fn from(e: postgres::Error) -> Self {
        StoreError::Db(DbError::Postgres(e))
    }
}

/// A replaced version of a record.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct HistoryEntry {
    pub row_hash: String,
    /// The old values, column name → value, as JSON text.
    pub payload: String,
    pub import_id: i64,
    pub replaced_by: i64,
    pub replaced_at: Timestamp,
}

/// One recorded import run.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ImportRun {
    pub id: i64,
    pub kind: String,
    pub source: String,
    pub mode: String,
    pub started_at: Timestamp,
    pub finished_at: Option<Timestamp>,
    pub inserted: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub rejected: i64,
    pub warnings: i64,
}

/// A connection to the credit-file database.
pub struct Store {
    db: Db,
    location: String,
    /// How to open another connection to the same database.
    target: Target,
    /// The dictionaries of packed texts read so far (they never change).
    texts: packed::Unpacker,
}

#[derive(Clone)]
enum Target {
    Sqlite(String),
    Postgres { url: String, schema: Option<String> },
}

/// Hides a password in a connection URL for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Creates a new SQLite database file readable and writable by its owner only: it holds
/// credit files, personal data and password hashes. SQLite gives its journal files the
/// same permissions. An existing file is left as it is.
/// Puts a SQLite file in write-ahead-log mode. Two processes opening a new file at once
/// both try; the switch needs a lock SQLite will not wait for (it answers "busy" at once
/// rather than risk a deadlock), so it is tried again for up to ten seconds.
fn switch_to_wal(conn: &rusqlite::Connection) -> Result<(), rusqlite::Error> {
    let started = std::time::Instant::now();
    loop {
        match conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0)) {
            Ok(_) => return Ok(()),
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy
                    && started.elapsed() < std::time::Duration::from_secs(10) =>
            {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            Err(e) => return Err(e),
        }
    }
}

fn create_database_file(path: &str) -> Result<(), StoreError> {
    if path == ":memory:" || path.starts_with("file:") || std::path::Path::new(path).exists() {
        return Ok(());
    }
    match files::create_private(std::path::Path::new(path), false) {
        Ok(_) => Ok(()),
        // Another process created it in the meantime.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(source) => Err(StoreError::CreateFile { path: path.to_owned(), source }),
    }
}

impl Store {
    /// Opens a SQLite file path or a `postgres://` / `postgresql://` URL, creating and
    /// migrating the schema as needed.
    pub fn open(target: &str) -> Result<Self, StoreError> {
        if target.starts_with("postgres://") || target.starts_with("postgresql://") {
            Self::open_postgres(target, None)
        } else {
            Self::open_sqlite(target)
        }
    }

    fn open_sqlite(path: &str) -> Result<Self, StoreError> {
        let err = |source| StoreError::OpenSqlite { path: path.to_owned(), source };
        create_database_file(path)?;
        let conn = rusqlite::Connection::open(path).map_err(err)?;
        // WAL: readers never block the writer; NORMAL sync is safe against a killed
        // process (a transaction is either in the log whole or not at all). The log is
        // copied back into the database every 8,192 pages (32 MB) rather than every
        // 1,000: a rating run commits every few thousand customers, and copying (and
        // syncing) the same index pages back after each commit cost it a tenth of its
        // time on 100,000 customers.
        conn.execute_batch("PRAGMA busy_timeout = 10000;").map_err(err)?;
        switch_to_wal(&conn).map_err(err)?;
        conn.execute_batch(
            "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;
             PRAGMA wal_autocheckpoint = 8192;",
        )
        .map_err(err)?;
        let mut db = Db::sqlite(conn);
        migrate::migrate(&mut db)?;
        Ok(Self {
            db,
            location: path.to_owned(),
            target: Target::Sqlite(path.to_owned()),
            texts: Default::default(),
        })
    }

    /// Opens a new SQLite file for a one-off bulk load (the demo portfolio): no journal,
    /// no fsync, a large cache. A crash leaves a broken file, so callers build into a
    /// temporary path and rename it into place after [`Store::finish_bulk_load`].
    pub fn open_sqlite_bulk(path: &str) -> Result<Self, StoreError> {
        let err = |source| StoreError::OpenSqlite { path: path.to_owned(), source };
        create_database_file(path)?;
        let conn = rusqlite::Connection::open(path).map_err(err)?;
        conn.execute_batch(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA locking_mode = EXCLUSIVE;
             PRAGMA cache_size = -524288; PRAGMA temp_store = MEMORY;",
        )
        .map_err(err)?;
        let mut db = Db::sqlite(conn);
        migrate::migrate(&mut db)?;
        Ok(Self {
            db,
            location: path.to_owned(),
            target: Target::Sqlite(path.to_owned()),
            texts: Default::default(),
        })
    }

    /// Ends a bulk load: the file is switched to the normal write-ahead log and closed.
    pub fn finish_bulk_load(mut self) -> Result<(), StoreError> {
        self.db
            .batch("PRAGMA locking_mode = NORMAL; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")?;
        Ok(())
    }

    /// Opens PostgreSQL; with `schema`, every table lives in that schema (created if
    /// missing), which lets tests and tenants share one database.
    pub fn open_postgres(url: &str, schema: Option<&str>) -> Result<Self, StoreError> {
        let client = tls::connect(url)?;
        let mut db = Db::postgres(client);
        if let Some(s) = schema {
            let quoted = s.replace('"', "\"\"");
            // CREATE SCHEMA IF NOT EXISTS is not safe against another session doing the
            // same at once: instances starting together take turns.
            let key = format!("'credence.schema.{}'", s.replace('\'', "''"));
            db.batch(&format!("SELECT pg_advisory_lock(hashtext({key}))"))?;
            let created = db
                .batch(&format!("CREATE SCHEMA IF NOT EXISTS \"{quoted}\"; SET search_path TO \"{quoted}\""));
            db.batch(&format!("SELECT pg_advisory_unlock(hashtext({key}))"))?;
            created?;
        }
        migrate::migrate(&mut db)?;
        let target = Target::Postgres { url: url.to_owned(), schema: schema.map(str::to_owned) };
        Ok(Self { db, location: redact(url), target, texts: Default::default() })
    }

    /// Another connection to the same database, for work in parallel: a rating run
    /// reads customers through one while it writes ratings through the other.
    pub fn open_another(&self) -> Result<Self, StoreError> {
        let mut other = match &self.target {
            Target::Sqlite(path) => Self::open_sqlite(path)?,
            Target::Postgres { url, schema } => Self::open_postgres(url, schema.as_deref())?,
        };
        // Records appended through the other connection are keyed alike.
        other.set_audit_key(self.audit_key().cloned());
        Ok(other)
    }

    /// Whether the connection was lost (it is then dropped, not reused).
    pub fn is_broken(&self) -> bool {
        self.db.is_closed()
    }

    /// Checks that the connection still works (a pool does before handing it out).
    pub fn ping(&mut self) -> Result<(), StoreError> {
        Ok(self.db.ping(std::time::Duration::from_secs(5))?)
    }

    /// Whether the connection is encrypted: on PostgreSQL, what the server says of it
    /// (`pg_stat_ssl`); a SQLite file is local and `false`.
    pub fn connection_encrypted(&mut self) -> Result<bool, StoreError> {
        if self.db.dialect() == Dialect::Sqlite {
            return Ok(false);
        }
        let rows = self
            .db
            .query("SELECT CAST(ssl AS INTEGER) FROM pg_stat_ssl WHERE pid = pg_backend_pid()", &[])?;
        Ok(rows.first().and_then(|r| r[0].as_int()) == Some(1))
    }

    /// The latest migration applied to the database, and the latest this program knows:
    /// equal on a database this program brought up to date, the first higher when a newer
    /// version migrated it since.
    pub fn schema_versions(&mut self) -> Result<(i64, i64), StoreError> {
        let rows = self.db.query("SELECT max(version) FROM schema_migrations", &[])?;
        let applied = rows.first().and_then(|r| r[0].as_int()).unwrap_or(0);
        Ok((applied, migrate::latest_version()))
    }

    /// The path or the URL (password hidden) this store was opened on.
    pub fn location(&self) -> &str {
        &self.location
    }

    pub fn dialect(&self) -> Dialect {
        self.db.dialect()
    }

    /// Starts an import over the whole portfolio; see [`ImportSession`].
    pub fn begin_import(&mut self, run: NewImportRun) -> Result<ImportSession<'_>, StoreError> {
        ImportSession::begin(self, run, CustomerScope::default())
    }

    /// Starts an import that may write only records of customers in `scope`.
    pub fn begin_scoped_import(
        &mut self,
        run: NewImportRun,
        scope: CustomerScope,
    ) -> Result<ImportSession<'_>, StoreError> {
        ImportSession::begin(self, run, scope)
    }

    pub fn count(&mut self, kind: Kind) -> Result<u64, StoreError> {
        let v = self.db.query_one(&sql_for(kind).count, &[])?;
        Ok(v.and_then(|v| v.as_int()).unwrap_or(0) as u64)
    }

    /// Record counts of every kind, in load order.
    pub fn counts(&mut self) -> Result<Vec<(Kind, u64)>, StoreError> {
        Kind::ALL.iter().map(|k| Ok((*k, self.count(*k)?))).collect()
    }

    /// Every stored record of a kind, by natural key, streaming.
    pub fn for_each_record(
        &mut self,
        kind: Kind,
        mut f: impl FnMut(Record) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut failure = None;
        self.db.query_each(&sql_for(kind).select_all, &[], |values| {
            if failure.is_none()
                && let Err(e) = f(Record { kind, values })
            {
                failure = Some(e);
            }
            Ok(())
        })?;
        failure.map_or(Ok(()), Err)
    }

    /// One customer's records of a kind (a kind without a customer column: none), by
    /// natural key, at most `limit`.
    pub fn customer_records(
        &mut self,
        kind: Kind,
        customer_id: &str,
        limit: u32,
    ) -> Result<Vec<Record>, StoreError> {
        let Some(column) = kind.schema().customer_column else { return Ok(Vec::new()) };
        // A customer's own record is found by its natural key, which is indexed.
        let column = if kind == Kind::Customers { "natural_key" } else { column };
        let sql = format!(
            "SELECT {} FROM {} WHERE {column} = ? ORDER BY natural_key LIMIT {limit}",
            sql_for(kind).columns,
            kind.schema().table
        );
        let rows = self.db.query(&sql, &[customer_id.into()])?;
        Ok(rows.into_iter().map(|values| Record { kind, values }).collect())
    }

    /// One record by natural key.
    pub fn record(&mut self, kind: Kind, key: &str) -> Result<Option<Record>, StoreError> {
        let rows = self.db.query(&sql_for(kind).select_one, &[key.into()])?;
        Ok(rows.into_iter().next().map(|values| Record { kind, values }))
    }

    /// The replaced versions of a record, oldest first.
    pub fn history(&mut self, kind: Kind, key: &str) -> Result<Vec<HistoryEntry>, StoreError> {
        let rows = self.db.query(
            "SELECT row_hash, payload, import_id, replaced_by, replaced_at FROM record_history WHERE kind = ? AND natural_key = ? ORDER BY id",
            &[kind.code().into(), key.into()],
        )?;
        Ok(rows
            .into_iter()
            .map(|r| HistoryEntry {
                row_hash: r[0].as_text().unwrap_or_default().to_owned(),
                payload: r[1].as_text().unwrap_or_default().to_owned(),
                import_id: r[2].as_int().unwrap_or(0),
                replaced_by: r[3].as_int().unwrap_or(0),
                replaced_at: Timestamp::stored(r[4].as_text().unwrap_or_default()),
            })
            .collect())
    }

    /// Import runs, newest first.
    pub fn import_runs(&mut self, limit: u32) -> Result<Vec<ImportRun>, StoreError> {
        let rows = self.db.query(
            "SELECT id, kind, source, mode, started_at, finished_at, inserted, updated, unchanged, rejected, warnings FROM import_runs ORDER BY id DESC LIMIT ?",
            &[Value::Int(limit.into())],
        )?;
        let text = |v: &Value| v.as_text().unwrap_or_default().to_owned();
        Ok(rows
            .into_iter()
            .map(|r| ImportRun {
                id: r[0].as_int().unwrap_or(0),
                kind: text(&r[1]),
                source: text(&r[2]),
                mode: text(&r[3]),
                started_at: Timestamp::stored(text(&r[4])),
                finished_at: r[5].as_text().map(Timestamp::stored),
                inserted: r[6].as_int().unwrap_or(0),
                updated: r[7].as_int().unwrap_or(0),
                unchanged: r[8].as_int().unwrap_or(0),
                rejected: r[9].as_int().unwrap_or(0),
                warnings: r[10].as_int().unwrap_or(0),
            })
            .collect())
    }

    /// Customer id → industry section.
    pub fn customer_industries(&mut self) -> Result<HashMap<String, String>, StoreError> {
        customer_industries(&mut self.db)
    }

    pub fn meta(&mut self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .db
            .query_one("SELECT value FROM meta WHERE key = ?", &[key.into()])?
            .and_then(|v| v.as_text().map(str::to_owned)))
    }

    pub fn set_meta(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        self.db.execute("DELETE FROM meta WHERE key = ?", &[key.into()])?;
        self.db.execute("INSERT INTO meta (key, value) VALUES (?, ?)", &[key.into(), value.into()])?;
        Ok(())
    }

    /// Whether no record of any kind is stored.
    pub fn is_empty(&mut self) -> Result<bool, StoreError> {
        Ok(self.counts()?.iter().all(|(_, n)| *n == 0))
    }

    /// Deletes every record, run and history entry in one transaction (used to rebuild a
    /// demo database).
    pub fn wipe(&mut self) -> Result<(), StoreError> {
        self.db.transaction(|db| -> Result<(), StoreError> {
            for kind in Kind::ALL.iter().rev() {
                db.execute(&sql_for(*kind).delete_all, &[])?;
            }
            for t in [
                "credit_files",
                "credit_file_history",
                "record_history",
                "import_runs",
                "meta",
                "ratings",
                "rating_runs",
                "rating_failures",
                "rating_overrides",
                "override_requests",
                "indicator_benchmarks",
                "warning_runs",
                "alerts",
                "customer_levels",
                "level_changes",
                "cases",
                "case_alerts",
                "case_events",
                "repair_plans",
                "repair_items",
                "notifications",
                "limit_requests",
                "limit_decisions",
                "approved_limits",
                "blocked_orders",
                "order_decisions",
                "collection_actions",
                "promises",
                "text_dictionaries",
            ] {
                db.execute(&format!("DELETE FROM {t}"), &[])?;
            }
            Ok(())
        })
    }

    /// Columns of a table as (name, declared type), to check the schema against the
    /// record kinds.
    pub fn table_columns(&mut self, table: &str) -> Result<Vec<(String, String)>, StoreError> {
        let rows = match self.db.dialect() {
            Dialect::Sqlite => self.db.query(&format!("SELECT name, type FROM pragma_table_info('{table}')"), &[])?,
            Dialect::Postgres => self.db.query(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? AND table_schema = current_schema() ORDER BY ordinal_position",
                &[table.into()],
            )?,
        };
        Ok(rows
            .into_iter()
            .map(|r| {
                (
                    r[0].as_text().unwrap_or_default().to_owned(),
                    r[1].as_text().unwrap_or_default().to_lowercase(),
                )
            })
            .collect())
    }
}

pub(crate) fn customer_industries(db: &mut Db) -> Result<HashMap<String, String>, StoreError> {
    let mut map = HashMap::new();
    db.query_each("SELECT customer_id, industry FROM customers", &[], |r| {
        if let (Some(c), Some(i)) = (r[0].as_text(), r[1].as_text()) {
            map.insert(c.to_owned(), i.to_owned());
        }
        Ok(())
    })?;
    Ok(map)
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_hidden_in_urls() {
        assert_eq!(super::redact("postgres://u:secret@h:5432/db"), "postgres://u:***@h:5432/db");
        assert_eq!(super::redact("postgres://u@h/db"), "postgres://u@h/db");
    }

    /// A new database, and the write-ahead log SQLite creates beside it, are readable by
    /// their owner only, whatever the process's umask.
    #[cfg(unix)]
    #[test]
    fn new_database_files_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credit.db");
        let mut store = super::Store::open(path.to_str().unwrap()).unwrap();
        store.set_meta("probe", "1").unwrap();
        for file in ["credit.db", "credit.db-wal"] {
            let mode = std::fs::metadata(dir.path().join(file)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{file}: {mode:o}");
        }
    }
}
