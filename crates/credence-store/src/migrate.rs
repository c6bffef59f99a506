//! Schema migrations: numbered SQL files per dialect, applied in order, each in its own
//! transaction, recorded with a checksum so that an edited released migration is refused
//! instead of silently diverging.

use crate::StoreError;
use crate::db::{Db, Dialect};
use credence_records::Value;

/// Work a migration's SQL cannot do, run in its transaction after the SQL.
type Then = fn(&mut Db) -> Result<(), StoreError>;

struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
    /// What the SQL cannot do, run in the same transaction after it (filling a new table
    /// from the records already stored).
    then: Option<Then>,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "credit_files",
        sqlite: include_str!("../migrations/sqlite/0001_credit_files.sql"),
        postgres: include_str!("../migrations/postgres/0001_credit_files.sql"),
        then: None,
    },
    Migration {
        version: 2,
        name: "ratings",
        sqlite: include_str!("../migrations/sqlite/0002_ratings.sql"),
        postgres: include_str!("../migrations/postgres/0002_ratings.sql"),
        then: None,
    },
    Migration {
        version: 3,
        name: "customer_file_order",
        sqlite: include_str!("../migrations/sqlite/0003_customer_file_order.sql"),
        postgres: include_str!("../migrations/postgres/0003_customer_file_order.sql"),
        then: None,
    },
    Migration {
        version: 4,
        name: "warnings",
        sqlite: include_str!("../migrations/sqlite/0004_warnings.sql"),
        postgres: include_str!("../migrations/postgres/0004_warnings.sql"),
        then: None,
    },
    Migration {
        version: 5,
        name: "credit_control",
        sqlite: include_str!("../migrations/sqlite/0005_credit_control.sql"),
        postgres: include_str!("../migrations/postgres/0005_credit_control.sql"),
        then: None,
    },
    Migration {
        version: 6,
        name: "disputes",
        sqlite: include_str!("../migrations/sqlite/0006_disputes.sql"),
        postgres: include_str!("../migrations/postgres/0006_disputes.sql"),
        then: None,
    },
    Migration {
        version: 7,
        name: "models",
        sqlite: include_str!("../migrations/sqlite/0007_models.sql"),
        postgres: include_str!("../migrations/postgres/0007_models.sql"),
        then: None,
    },
    Migration {
        version: 8,
        name: "access_audit",
        sqlite: include_str!("../migrations/sqlite/0008_access_audit.sql"),
        postgres: include_str!("../migrations/postgres/0008_access_audit.sql"),
        then: None,
    },
    Migration {
        version: 9,
        name: "user_language",
        sqlite: include_str!("../migrations/sqlite/0009_user_language.sql"),
        postgres: include_str!("../migrations/postgres/0009_user_language.sql"),
        then: None,
    },
    Migration {
        version: 10,
        name: "work_queue_order",
        sqlite: include_str!("../migrations/sqlite/0010_work_queue_order.sql"),
        postgres: include_str!("../migrations/postgres/0010_work_queue_order.sql"),
        then: None,
    },
    Migration {
        version: 11,
        name: "authorities_overrides",
        sqlite: include_str!("../migrations/sqlite/0011_authorities_overrides.sql"),
        postgres: include_str!("../migrations/postgres/0011_authorities_overrides.sql"),
        then: None,
    },
    Migration {
        version: 12,
        name: "audit_evidence",
        sqlite: include_str!("../migrations/sqlite/0012_audit_evidence.sql"),
        postgres: include_str!("../migrations/postgres/0012_audit_evidence.sql"),
        then: None,
    },
    Migration {
        version: 13,
        name: "sign_in_guard",
        sqlite: include_str!("../migrations/sqlite/0013_sign_in_guard.sql"),
        postgres: include_str!("../migrations/postgres/0013_sign_in_guard.sql"),
        then: None,
    },
    Migration {
        version: 14,
        name: "credit_file_snapshots",
        sqlite: include_str!("../migrations/sqlite/0014_credit_file_snapshots.sql"),
        postgres: include_str!("../migrations/postgres/0014_credit_file_snapshots.sql"),
        then: Some(|db| crate::snapshot::rebuild_all(db).map(|_| ())),
    },
    Migration {
        version: 15,
        name: "alerts_status_index",
        sqlite: include_str!("../migrations/sqlite/0015_alerts_status_index.sql"),
        postgres: include_str!("../migrations/postgres/0015_alerts_status_index.sql"),
        then: None,
    },
    Migration {
        version: 16,
        name: "text_dictionaries",
        sqlite: include_str!("../migrations/sqlite/0016_text_dictionaries.sql"),
        postgres: include_str!("../migrations/postgres/0016_text_dictionaries.sql"),
        then: None,
    },
    Migration {
        version: 17,
        name: "billing",
        sqlite: include_str!("../migrations/sqlite/0017_billing.sql"),
        postgres: include_str!("../migrations/postgres/0017_billing.sql"),
        then: None,
    },
    Migration {
        version: 18,
        name: "account_grades",
        sqlite: include_str!("../migrations/sqlite/0018_account_grades.sql"),
        postgres: include_str!("../migrations/postgres/0018_account_grades.sql"),
        then: None,
    },
    Migration {
        version: 19,
        name: "account_events",
        sqlite: include_str!("../migrations/sqlite/0019_account_events.sql"),
        postgres: include_str!("../migrations/postgres/0019_account_events.sql"),
        then: None,
    },
    Migration {
        version: 20,
        name: "shared_runs",
        sqlite: include_str!("../migrations/sqlite/0020_shared_runs.sql"),
        postgres: include_str!("../migrations/postgres/0020_shared_runs.sql"),
        then: None,
    },
];

fn checksum(sql: &str) -> String {
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(sql.as_bytes()))
}

/// Applies every migration not yet applied; returns how many were applied.
/// The latest migration this program knows.
pub(crate) fn latest_version() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

/// Brings the schema up to date. Instances starting together take turns: on PostgreSQL
/// under an advisory lock per schema (held by the session, released whatever happens); on
/// SQLite each migration's write transaction checks again that no one applied it first.
pub(crate) fn migrate(db: &mut Db) -> Result<usize, StoreError> {
    if db.dialect() == Dialect::Postgres {
        // Simple statements: the functions return `void`, which no parameterised read takes.
        db.batch("SELECT pg_advisory_lock(hashtext('credence.migrate.' || current_schema()))")?;
        let done = migrate_locked(db);
        let unlocked =
            db.batch("SELECT pg_advisory_unlock(hashtext('credence.migrate.' || current_schema()))");
        let count = done?;
        unlocked?;
        return Ok(count);
    }
    migrate_locked(db)
}

fn migrate_locked(db: &mut Db) -> Result<usize, StoreError> {
    db.batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version BIGINT PRIMARY KEY,
            name TEXT NOT NULL,
            checksum TEXT NOT NULL,
            applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
        )",
    )?;
    let applied = db.query("SELECT version, checksum FROM schema_migrations ORDER BY version", &[])?;
    let mut count = 0;
    for m in MIGRATIONS {
        let sql = match db.dialect() {
            Dialect::Sqlite => m.sqlite,
            Dialect::Postgres => m.postgres,
        };
        let sum = checksum(sql);
        if let Some(row) = applied.iter().find(|r| r[0] == Value::Int(m.version)) {
            if row[1].as_text() != Some(sum.as_str()) {
                return Err(StoreError::MigrationChanged { version: m.version, name: m.name });
            }
            continue;
        }
        let applied_meanwhile = db.transaction(|db| {
            // Another process may have applied it since the list above was read.
            if !db
                .query("SELECT 1 FROM schema_migrations WHERE version = ?", &[Value::Int(m.version)])?
                .is_empty()
            {
                return Ok(true);
            }
            db.batch(sql)
                .and_then(|()| {
                    db.execute(
                        "INSERT INTO schema_migrations (version, name, checksum) VALUES (?, ?, ?)",
                        &[Value::Int(m.version), m.name.into(), sum.into()],
                    )
                })
                .map_err(|source| StoreError::Migration { version: m.version, name: m.name, source })?;
            m.then.map_or(Ok(()), |then| then(db))?;
            Ok::<_, StoreError>(false)
        })?;
        if !applied_meanwhile {
            count += 1;
        }
    }
    if let Some(latest) = applied.iter().filter_map(|r| r[0].as_int()).max()
        && latest > MIGRATIONS.last().map_or(0, |m| m.version)
    {
        return Err(StoreError::NewerSchema { found: latest });
    }
    Ok(count)
}
