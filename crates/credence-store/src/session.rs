//! One import inside one transaction: idempotent upserts that keep the replaced version,
//! look-ups for validation, and commit or (on error, drop, or a killed process) nothing.
//!
//! Records are written [`ROWS`] of a kind at a time (on PostgreSQL [`COPY_ROWS`], the new
//! ones sent by `COPY`): one query finds the stored hashes of a batch and one statement
//! inserts its new records: a round trip or two per record would make a PostgreSQL import
//! many times slower than a SQLite one. A batch is
//! written before anything reads the tables it fills (validation's look-ups, scope
//! checks, commit), so reads see every record staged before them.

use crate::batch::{COPY_ROWS, ROWS, Rows};
use crate::db::{Db, DbError};
use crate::sql::sql_for;
use crate::write_scope::{admits_stored, refusal};
use crate::{Store, StoreError};
use credence_domain::CustomerScope;
use credence_domain::Timestamp;
use credence_records::{BillFacts, FactsError, InvoiceFacts, Kind, Record, StoredFacts, Value};

/// What an upsert did with a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Inserted,
    Updated,
    Unchanged,
}

/// Counts of one import.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
}

impl Counts {
    pub fn add(&mut self, o: Outcome) {
        match o {
            Outcome::Inserted => self.inserted += 1,
            Outcome::Updated => self.updated += 1,
            Outcome::Unchanged => self.unchanged += 1,
        }
    }
}

/// The description of an import run, recorded with it.
#[derive(Debug, Clone)]
pub struct NewImportRun {
    pub kind: String,
    /// File name or `demo`.
    pub source: String,
    pub source_hash: String,
    /// `strict`, `skip-invalid` or `demo`.
    pub mode: String,
    pub as_of: String,
    pub started_at: Timestamp,
}

/// An open import: everything written through it becomes visible at [`ImportSession::commit`]
/// and not before; dropping it rolls back.
///
/// A session opened with a data scope writes only records whose customers are in it
/// (see [`ScopeRefusal`](crate::ScopeRefusal)), and its look-ups for validation do not see customers
/// and invoices outside it, so a refusal does not tell which ids exist elsewhere.
pub struct ImportSession<'s> {
    db: &'s mut Db,
    scope: CustomerScope,
    import_id: i64,
    now: Timestamp,
    counts: Counts,
    /// Customers whose records this import inserted or changed: their credit-file
    /// snapshots are rebuilt at commit.
    touched: std::collections::HashSet<String>,
    /// Records staged and not written yet, by kind (in `Kind::ALL` order).
    pending: Vec<Pending>,
    /// Customers a look-up found stored (none is removed while the session is open).
    known_customers: std::collections::HashSet<String>,
    /// Billing accounts a look-up found stored: a bill file names each account again
    /// every month.
    known_accounts: std::collections::HashSet<String>,
    /// Records inserted or changed, by kind (in `Kind::ALL` order).
    written: Vec<u64>,
    open: bool,
}

/// Rows an import must write to a PostgreSQL table before the table's planner statistics
/// are refreshed at commit. Without them, right after a bulk load the planner takes a
/// look-up of 64 customers' invoices for a scan of millions of rows: an overnight drop
/// of 10,000 invoices into the 1M-customer demo ran for minutes instead of seconds.
const ANALYZE_AFTER: u64 = 50_000;

/// Records of one kind waiting to be written, in the order they came.
#[derive(Default)]
struct Pending {
    records: Vec<Staged>,
    keys: std::collections::HashSet<String>,
}

struct Staged {
    record: Record,
    key: String,
    hash: String,
    /// Known to be new (the demo generator's records): no stored hash is looked up.
    new: bool,
}

fn slot(kind: Kind) -> usize {
    Kind::ALL.iter().position(|k| *k == kind).expect("every kind is in ALL")
}

impl<'s> ImportSession<'s> {
    pub(crate) fn begin(
        store: &'s mut Store,
        run: NewImportRun,
        scope: CustomerScope,
    ) -> Result<Self, StoreError> {
        let db = &mut store.db;
        db.begin_write()?;
        let mut session = Self {
            db,
            scope,
            import_id: 0,
            now: run.started_at.clone(),
            counts: Counts::default(),
            touched: std::collections::HashSet::new(),
            pending: Kind::ALL.iter().map(|_| Pending::default()).collect(),
            known_customers: std::collections::HashSet::new(),
            known_accounts: std::collections::HashSet::new(),
            written: vec![0; Kind::ALL.len()],
            open: true,
        };
        let id = session.db.query_one(
            "INSERT INTO import_runs (kind, source, source_hash, mode, as_of, started_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            &[run.kind.into(), run.source.into(), run.source_hash.into(), run.mode.into(), run.as_of.into(), run.started_at.into()],
        )?;
        session.import_id = id.and_then(|v| v.as_int()).ok_or(StoreError::NoImportId)?;
        Ok(session)
    }

    pub fn import_id(&self) -> i64 {
        self.import_id
    }

    /// What the records written so far did (staged ones count once written).
    pub fn counts(&self) -> Counts {
        self.counts
    }

    fn touch(&mut self, record: &Record) {
        if let Some(id) = record.kind.schema().customer_column.and_then(|c| record.text(c))
            && !self.touched.contains(id)
        {
            self.touched.insert(id.to_owned());
        }
    }

    /// Refuses a record the session's scope does not allow, before anything is written.
    fn check_scope(&mut self, record: &Record) -> Result<(), StoreError> {
        if self.scope.is_whole_portfolio() {
            return Ok(());
        }
        // The check reads the customers' placement.
        self.write_kind(Kind::Customers)?;
        match refusal(self.db, &self.scope, record)? {
            Some(r) => Err(StoreError::OutsideScope(r)),
            None => Ok(()),
        }
    }

    /// Inserts a new record, updates a changed one (keeping the old version in the
    /// history), or leaves an identical one alone. A record outside the session's scope is
    /// [`StoreError::OutsideScope`] and writes nothing; the session stays usable.
    pub fn upsert(&mut self, record: &Record) -> Result<Outcome, StoreError> {
        self.stage(record)?;
        Ok(self.write_kind(record.kind)?.unwrap_or(Outcome::Unchanged))
    }

    /// As [`ImportSession::upsert`], written with the other records of its kind a batch
    /// at a time (its outcome is counted then). A record outside the session's scope is
    /// refused here, before anything is staged.
    pub fn stage(&mut self, record: &Record) -> Result<(), StoreError> {
        self.check_scope(record)?;
        self.push(record, false)
    }

    /// Inserts a record known to be new (the demo generator's fast path), a batch at a
    /// time; a duplicate key is an error from the database when its batch is written.
    pub fn insert_new(&mut self, record: &Record) -> Result<(), StoreError> {
        self.check_scope(record)?;
        self.push(record, true)
    }

    fn push(&mut self, record: &Record, new: bool) -> Result<(), StoreError> {
        let key = record.key();
        // A key staged twice: the first is written before the second is compared with it.
        if self.pending[slot(record.kind)].keys.contains(&key) {
            self.write_kind(record.kind)?;
        }
        let p = &mut self.pending[slot(record.kind)];
        p.keys.insert(key.clone());
        p.records.push(Staged { record: record.clone(), key, hash: record.content_hash(), new });
        // PostgreSQL takes the new ones by COPY, many more at a time.
        let batch = match self.db.dialect() {
            crate::db::Dialect::Sqlite => ROWS,
            crate::db::Dialect::Postgres => COPY_ROWS,
        };
        if p.records.len() >= batch {
            self.write_kind(record.kind)?;
        }
        Ok(())
    }

    /// Writes the staged records of every kind.
    fn write_all(&mut self) -> Result<(), StoreError> {
        for kind in Kind::ALL {
            self.write_kind(kind)?;
        }
        Ok(())
    }

    /// Writes the staged records of `kind`: the stored hashes of those not known to be
    /// new in one query, the new ones in one statement, changed ones one by one with
    /// their history. Returns the last record's outcome.
    fn write_kind(&mut self, kind: Kind) -> Result<Option<Outcome>, StoreError> {
        let batch = std::mem::take(&mut self.pending[slot(kind)]);
        if batch.records.is_empty() {
            return Ok(None);
        }
        let sql = sql_for(kind);
        let asked: Vec<Value> =
            batch.records.iter().filter(|r| !r.new).map(|r| Value::Text(r.key.clone())).collect();
        let mut stored = std::collections::HashMap::new();
        if !asked.is_empty() {
            let marks = vec!["?"; asked.len()].join(", ");
            let query =
                format!("SELECT natural_key, row_hash FROM {} WHERE natural_key IN ({marks})", kind.code());
            self.db.query_each(&query, &asked, |mut r| {
                let hash = r.pop().unwrap_or(Value::Null);
                if let Some(Value::Text(key)) = r.pop() {
                    stored.insert(key, hash);
                }
                Ok(())
            })?;
        }
        let mut inserts = Rows::new(sql.insert_head.as_str(), "");
        let mut last = None;
        for Staged { record, key, hash, .. } in batch.records {
            let outcome = match stored.remove(&key) {
                None => {
                    let mut p = Vec::with_capacity(record.values.len() + 3);
                    p.extend([Value::Text(key), Value::Text(hash), Value::Int(self.import_id)]);
                    p.extend(record.values.iter().cloned());
                    inserts.push(self.db, p)?;
                    Outcome::Inserted
                }
                Some(Value::Text(h)) if h == hash => Outcome::Unchanged,
                Some(old_hash) => {
                    self.keep_history(kind, &key, old_hash)?;
                    let mut p = Vec::with_capacity(record.values.len() + 3);
                    p.push(Value::Text(hash));
                    p.push(Value::Int(self.import_id));
                    p.extend(record.values.iter().cloned());
                    p.push(Value::Text(key));
                    self.db.execute(&sql.update, &p)?;
                    Outcome::Updated
                }
            };
            if outcome != Outcome::Unchanged {
                self.touch(&record);
                self.written[slot(kind)] += 1;
            }
            self.counts.add(outcome);
            last = Some(outcome);
        }
        inserts.flush(self.db)?;
        Ok(last)
    }

    fn keep_history(&mut self, kind: Kind, key: &str, old_hash: Value) -> Result<(), StoreError> {
        let sql = sql_for(kind);
        let rows = self.db.query(&sql.select_one, &[Value::Text(key.to_owned())])?;
        let old_import = self.db.query_one(
            &format!("SELECT import_id FROM {} WHERE natural_key = ?", kind.code()),
            &[Value::Text(key.to_owned())],
        )?;
        let mut payload = serde_json::Map::new();
        if let Some(row) = rows.into_iter().next() {
            for (field, v) in kind.schema().fields.iter().zip(row) {
                payload.insert(field.name.to_owned(), serde_json::to_value(v).unwrap_or_default());
            }
        }
        self.db.execute(
            "INSERT INTO record_history (kind, natural_key, row_hash, payload, import_id, replaced_by, replaced_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            &[
                kind.code().into(),
                key.into(),
                old_hash,
                serde_json::Value::Object(payload).to_string().into(),
                old_import.unwrap_or(Value::Int(0)),
                Value::Int(self.import_id),
                self.now.clone().into(),
            ],
        )?;
        Ok(())
    }

    /// Rebuilds the credit-file snapshots of the customers the import touched, records
    /// the run's totals and makes everything visible at once.
    pub fn commit(
        mut self,
        rejected: u64,
        warnings: u64,
        finished_at: &Timestamp,
    ) -> Result<Counts, StoreError> {
        self.write_all()?;
        let mut touched: Vec<String> = std::mem::take(&mut self.touched).into_iter().collect();
        crate::snapshot::sort_like_store(self.db, &mut touched)?;
        crate::snapshot::rebuild(self.db, &touched)?;
        let c = self.counts;
        self.db.execute(
            "UPDATE import_runs SET finished_at = ?, inserted = ?, updated = ?, unchanged = ?, rejected = ?, warnings = ? WHERE id = ?",
            &[
                finished_at.into(),
                Value::Int(c.inserted as i64),
                Value::Int(c.updated as i64),
                Value::Int(c.unchanged as i64),
                Value::Int(rejected as i64),
                Value::Int(warnings as i64),
                Value::Int(self.import_id),
            ],
        )?;
        self.open = false;
        self.db.commit()?;
        if self.db.dialect() == crate::db::Dialect::Postgres {
            let mut tables: Vec<&str> = Kind::ALL
                .iter()
                .zip(&self.written)
                .filter(|(_, n)| **n >= ANALYZE_AFTER)
                .map(|(k, _)| k.code())
                .collect();
            if !tables.is_empty() {
                tables.push("credit_files");
                // The import is committed: should the refresh fail, the statistics are
                // left to autovacuum rather than the import reported as failed.
                let _ = self.db.batch(&format!("ANALYZE {}", tables.join(", ")));
            }
        }
        Ok(c)
    }

    /// Every stored record of a kind, as the transaction sees it (for outlier references).
    pub fn for_each_record(&mut self, kind: Kind, mut f: impl FnMut(Record)) -> Result<(), StoreError> {
        self.write_kind(kind)?;
        self.db.query_each(&sql_for(kind).select_all, &[], |values| {
            f(Record { kind, values });
            Ok(())
        })?;
        Ok(())
    }

    /// Every record of a kind held by one of `customers`, as the transaction sees it
    /// (the kind has a customer id), in no particular order.
    pub fn for_each_record_of(
        &mut self,
        kind: Kind,
        customers: &[String],
        mut f: impl FnMut(Record),
    ) -> Result<(), StoreError> {
        self.write_kind(kind)?;
        let columns = &sql_for(kind).columns;
        for ids in customers.chunks(64) {
            let marks = vec!["?"; ids.len()].join(", ");
            let params: Vec<Value> = ids.iter().map(|id| id.as_str().into()).collect();
            let sql = format!("SELECT {columns} FROM {} WHERE customer_id IN ({marks})", kind.code());
            self.db.query_each(&sql, &params, |values| {
                f(Record { kind, values });
                Ok(())
            })?;
        }
        Ok(())
    }

    /// Customer id → industry section, as the transaction sees it.
    pub fn customer_industries(&mut self) -> Result<std::collections::HashMap<String, String>, StoreError> {
        self.write_kind(Kind::Customers)?;
        crate::customer_industries(self.db)
    }

    fn sum_applied(&mut self, table: &str, invoice_no: &str, except: (Kind, &str)) -> Result<i64, DbError> {
        let exclude = if except.0.code() == table { except.1 } else { "" };
        let v = self.db.query_one(
            &format!("SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM {table} WHERE invoice_no = ? AND natural_key <> ?"),
            &[invoice_no.into(), exclude.into()],
        )?;
        Ok(v.and_then(|v| v.as_int()).unwrap_or(0))
    }
}

impl Drop for ImportSession<'_> {
    fn drop(&mut self) {
        if self.open {
            // Nothing of the import may remain; if even the rollback fails the connection
            // is broken and the database discards the open transaction itself.
            let _ = self.db.rollback();
        }
    }
}

impl StoredFacts for ImportSession<'_> {
    fn customer_exists(&mut self, customer_id: &str) -> Result<bool, FactsError> {
        self.write_kind(Kind::Customers)?;
        if !self.scope.is_whole_portfolio() {
            return Ok(admits_stored(self.db, &self.scope, customer_id)?);
        }
        // A ledger file names the same customers again and again.
        if self.known_customers.contains(customer_id) {
            return Ok(true);
        }
        let v = self.db.query_one("SELECT 1 FROM customers WHERE natural_key = ?", &[customer_id.into()])?;
        if v.is_some() {
            self.known_customers.insert(customer_id.to_owned());
        }
        Ok(v.is_some())
    }

    fn invoice(
        &mut self,
        invoice_no: &str,
        except: (Kind, &str),
    ) -> Result<Option<InvoiceFacts>, FactsError> {
        for kind in [Kind::Invoices, Kind::Payments, Kind::CreditNotes, Kind::Customers] {
            self.write_kind(kind)?;
        }
        let rows = self.db.query(
            "SELECT customer_id, issue_date, currency, amount FROM invoices WHERE natural_key = ?",
            &[invoice_no.into()],
        )?;
        let Some(r) = rows.into_iter().next() else {
            return Ok(None);
        };
        let text = |v: &Value| v.as_text().unwrap_or_default().to_owned();
        if !self.scope.is_whole_portfolio() && !admits_stored(self.db, &self.scope, &text(&r[0]))? {
            return Ok(None);
        }
        let applied = self.sum_applied("payments", invoice_no, except)?
            + self.sum_applied("credit_notes", invoice_no, except)?;
        Ok(Some(InvoiceFacts {
            customer_id: text(&r[0]).into(),
            issue_date: text(&r[1]),
            currency: text(&r[2]),
            amount: r[3].as_int().unwrap_or(0),
            applied,
        }))
    }

    /// Billing accounts have no customer scope: a session with a narrower scope than the
    /// whole portfolio writes none (see `write_scope.rs`) and sees none.
    fn account_exists(&mut self, account_id: &str) -> Result<bool, FactsError> {
        if !self.scope.is_whole_portfolio() {
            return Ok(false);
        }
        self.write_kind(Kind::Accounts)?;
        if self.known_accounts.contains(account_id) {
            return Ok(true);
        }
        let v = self.db.query_one("SELECT 1 FROM accounts WHERE natural_key = ?", &[account_id.into()])?;
        if v.is_some() {
            self.known_accounts.insert(account_id.to_owned());
        }
        Ok(v.is_some())
    }

    fn bill(&mut self, bill_id: &str) -> Result<Option<BillFacts>, FactsError> {
        if !self.scope.is_whole_portfolio() {
            return Ok(None);
        }
        self.write_kind(Kind::Bills)?;
        let rows = self.db.query(
            "SELECT account_id, issue_date, currency FROM bills WHERE natural_key = ?",
            &[bill_id.into()],
        )?;
        let text = |v: &Value| v.as_text().unwrap_or_default().to_owned();
        Ok(rows.into_iter().next().map(|r| BillFacts {
            account_id: text(&r[0]),
            issue_date: text(&r[1]),
            currency: text(&r[2]),
        }))
    }
}
