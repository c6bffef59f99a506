//! Writes of a portfolio run, many rows to a statement: a run that raises a million alerts
//! or records a million levels spends its time in the per-statement round trip (bind,
//! step, reset; a network round trip on PostgreSQL) unless rows travel together. Rows are
//! buffered and written when a statement's worth has gathered and when the owner flushes
//! (before it reads what it wrote, and before commit), always inside the owner's
//! transaction. On PostgreSQL plain inserts travel by `COPY … FROM STDIN` instead, many
//! more rows at a time, with no parameters to bind. Ids of buffered rows are handed out
//! beforehand by [`Ids`], so a row can be referred to (a case's alert) before it is
//! written.

use crate::db::{DbError, Dialect};
use crate::{Db, StoreError};
use credence_records::Value;

/// Rows per statement. On SQLite past 64 the gain is under a few per cent; on
/// PostgreSQL, whose every statement is a round trip and a bind, 256 made a first warning
/// run of 100k customers and a 20k-customer import 12–15% faster than 64. The widest row
/// written this way (a record of the widest kind) stays below either database's limit on
/// parameters (see the test).
pub(crate) const ROWS: usize = 256;

/// Rows per `COPY` on PostgreSQL: a few megabytes of text at most, sent in one stream.
pub(crate) const COPY_ROWS: usize = 4096;

/// Rows of one `INSERT` (or upsert), written [`ROWS`] to a statement.
pub(crate) struct Rows {
    /// `INSERT INTO t (a, b)`: the statement up to `VALUES`.
    head: String,
    /// A row's placeholders: `(?, ?)` unless a statement needs casts.
    row: String,
    /// What follows the rows (`ON CONFLICT …`), or nothing.
    tail: &'static str,
    /// Values of a row.
    width: usize,
    params: Vec<Value>,
    /// `COPY t (a, b) FROM STDIN` for a plain insert (no casts, nothing after the rows),
    /// which PostgreSQL is sent this way.
    copy: Option<String>,
}

impl Rows {
    /// Rows of `head`, which ends with its column list: a row has a value for each column.
    pub(crate) fn new(head: impl Into<String>, tail: &'static str) -> Rows {
        let head = head.into();
        let columns = head.rsplit('(').next().map_or(0, |list| list.split(',').count());
        Rows::with_row(head, &format!("({})", vec!["?"; columns].join(", ")), tail)
    }

    /// Rows whose placeholders are `row`, one `?` per value: `(CAST(? AS BIGINT), ?)`
    /// where PostgreSQL must be told a type it cannot infer.
    pub(crate) fn with_row(head: impl Into<String>, row: &str, tail: &'static str) -> Rows {
        let head = head.into();
        let width = row.matches('?').count();
        let plain = row == format!("({})", vec!["?"; width].join(", "));
        let copy = head
            .strip_prefix("INSERT INTO ")
            .filter(|_| plain && tail.is_empty())
            .map(|target| format!("COPY {target} FROM STDIN"));
        Rows { head, row: row.to_owned(), tail, width, params: Vec::new(), copy }
    }

    /// Adds a row (exactly `width` values), writing the buffer when it is full.
    pub(crate) fn push(&mut self, db: &mut Db, row: impl IntoIterator<Item = Value>) -> Result<(), DbError> {
        let before = self.params.len();
        self.params.extend(row);
        debug_assert_eq!(self.params.len() - before, self.width, "a row of {}", self.head);
        let rows = match (&self.copy, db.dialect()) {
            (Some(_), Dialect::Postgres) => COPY_ROWS,
            _ => ROWS,
        };
        if self.params.len() >= rows * self.width {
            self.flush(db)?;
        }
        Ok(())
    }

    /// Writes the rows buffered so far.
    pub(crate) fn flush(&mut self, db: &mut Db) -> Result<(), DbError> {
        if self.params.is_empty() {
            return Ok(());
        }
        if let (Some(copy), Dialect::Postgres) = (&self.copy, db.dialect()) {
            let text = copy_text(&self.params, self.width);
            db.copy_in(copy, &text)?;
            self.params.clear();
            return Ok(());
        }
        let rows = vec![self.row.as_str(); self.params.len() / self.width].join(", ");
        db.execute(&format!("{} VALUES {rows}{}", self.head, self.tail), &self.params)?;
        self.params.clear();
        Ok(())
    }
}

/// Rows in COPY's text format: values separated by tabs, rows ended by newlines, `\N` for
/// null, and backslash, tab, newline and carriage return escaped in text. A whole
/// number held as a real is written as an integer, as the parameter binding converts it
/// for an integer column; the server reads either into a floating-point one.
fn copy_text(params: &[Value], width: usize) -> Vec<u8> {
    use std::io::Write;
    let mut out = Vec::with_capacity(params.len() * 12);
    for row in params.chunks(width) {
        for (i, v) in row.iter().enumerate() {
            if i > 0 {
                out.push(b'\t');
            }
            match v {
                Value::Null => out.extend_from_slice(b"\\N"),
                Value::Int(n) => {
                    let _ = write!(out, "{n}");
                }
                Value::Real(r) if r.fract() == 0.0 && r.abs() < 9.0e15 => {
                    let _ = write!(out, "{}", *r as i64);
                }
                Value::Real(r) if r.is_nan() => out.extend_from_slice(b"NaN"),
                Value::Real(r) if r.is_infinite() => {
                    out.extend_from_slice(if *r > 0.0 { b"Infinity" } else { b"-Infinity" })
                }
                Value::Real(r) => {
                    let _ = write!(out, "{r}");
                }
                Value::Text(s) => {
                    for b in s.bytes() {
                        match b {
                            b'\\' => out.extend_from_slice(b"\\\\"),
                            b'\t' => out.extend_from_slice(b"\\t"),
                            b'\n' => out.extend_from_slice(b"\\n"),
                            b'\r' => out.extend_from_slice(b"\\r"),
                            b => out.push(b),
                        }
                    }
                }
            }
        }
        out.push(b'\n');
    }
    out
}

/// Rows that one `UPDATE` changes alike, by key: `UPDATE t SET a = ?, b = ? WHERE k IN
/// (…)`, [`ROWS`] keys to a statement. The values set are the same for every key; new
/// values write the keys gathered under the old ones first.
pub(crate) struct SameUpdate {
    /// `UPDATE t SET a = ?, b = ? WHERE k IN`.
    head: &'static str,
    set: Vec<Value>,
    keys: Vec<Value>,
}

impl SameUpdate {
    pub(crate) fn new(head: &'static str) -> SameUpdate {
        SameUpdate { head, set: Vec::new(), keys: Vec::new() }
    }

    /// Sets `set` on the row of `key`.
    pub(crate) fn push(&mut self, db: &mut Db, set: &[Value], key: Value) -> Result<(), DbError> {
        if self.set != set {
            self.flush(db)?;
            self.set = set.to_vec();
        }
        self.keys.push(key);
        if self.keys.len() >= ROWS {
            self.flush(db)?;
        }
        Ok(())
    }

    pub(crate) fn flush(&mut self, db: &mut Db) -> Result<(), DbError> {
        if self.keys.is_empty() {
            return Ok(());
        }
        let marks = vec!["?"; self.keys.len()].join(", ");
        let mut params = Vec::with_capacity(self.set.len() + self.keys.len());
        params.extend(self.set.iter().cloned());
        params.append(&mut self.keys);
        db.execute(&format!("{} ({marks})", self.head), &params)?;
        Ok(())
    }
}

/// Ids for rows of a table with an integer `id` key, handed out before the rows are
/// written. On SQLite the writer holds the database's write lock for the whole
/// transaction, so the ids after the largest stored one are its own; on PostgreSQL they
/// are drawn from the column's sequence, which other writers draw from too.
pub(crate) struct Ids {
    table: &'static str,
    /// Drawn and not handed out yet, in the order they are handed out (last first).
    drawn: Vec<i64>,
    /// SQLite: the last id handed out (none before the first).
    last: Option<i64>,
}

/// Ids drawn from a PostgreSQL sequence at a time.
const DRAW: i64 = 256;

impl Ids {
    pub(crate) fn new(table: &'static str) -> Ids {
        Ids { table, drawn: Vec::new(), last: None }
    }

    /// The id of the next row; only inside the write transaction that writes the row.
    pub(crate) fn next(&mut self, db: &mut Db) -> Result<i64, StoreError> {
        debug_assert!(db.depth() > 0, "ids of {} handed out outside a transaction", self.table);
        match db.dialect() {
            Dialect::Sqlite => {
                let last = match self.last {
                    Some(id) => id,
                    None => db
                        .query_one(&format!("SELECT COALESCE(MAX(id), 0) FROM {}", self.table), &[])?
                        .and_then(|v| v.as_int())
                        .unwrap_or(0),
                };
                self.last = Some(last + 1);
                Ok(last + 1)
            }
            Dialect::Postgres => {
                if self.drawn.is_empty() {
                    let sql = format!(
                        "SELECT nextval(pg_get_serial_sequence('{}', 'id')) FROM generate_series(1, {DRAW})",
                        self.table
                    );
                    self.drawn = db.query(&sql, &[])?.into_iter().filter_map(|r| r[0].as_int()).collect();
                    self.drawn.sort_unstable_by(|a, b| b.cmp(a));
                }
                self.drawn.pop().ok_or(StoreError::NoImportId)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A statement of [`ROWS`] rows of the widest record kind (its columns and the key,
    /// hash and import id) binds fewer parameters than SQLite's limit (32,766), which is
    /// below PostgreSQL's (65,535).
    #[test]
    fn the_widest_batch_binds_within_the_limits() {
        let widest = credence_records::Kind::ALL.iter().map(|k| k.schema().fields.len() + 3).max().unwrap();
        assert!(ROWS * widest < 32_766, "{ROWS} rows of {widest} values");
    }

    fn db() -> Db {
        let mut db = Db::sqlite(rusqlite::Connection::open_in_memory().unwrap());
        db.batch("CREATE TABLE t (id INTEGER PRIMARY KEY, k TEXT, n INTEGER)").unwrap();
        db
    }

    fn rows(db: &mut Db) -> Vec<Vec<Value>> {
        db.query("SELECT id, k, n FROM t ORDER BY id", &[]).unwrap()
    }

    /// Two full statements and a rest of 22 rows: the statements are written as they
    /// fill, the rest by the flush; ids go on after the largest stored one.
    #[test]
    fn rows_reach_the_table_by_the_statement_and_by_the_flush() {
        let mut db = db();
        db.execute("INSERT INTO t VALUES (7, 'x', 0)", &[]).unwrap();
        db.begin_write().unwrap();
        let mut ids = Ids::new("t");
        let mut t = Rows::new("INSERT INTO t (id, k, n)", "");
        let n = 2 * ROWS as i64 + 22;
        for i in 0..n {
            let id = ids.next(&mut db).unwrap();
            t.push(&mut db, [Value::Int(id), Value::from(format!("k{i}").as_str()), Value::Int(i)]).unwrap();
        }
        assert_eq!(rows(&mut db).len(), 1 + 2 * ROWS);
        t.flush(&mut db).unwrap();
        db.commit().unwrap();
        let all = rows(&mut db);
        assert_eq!(all.len(), 1 + n as usize);
        assert_eq!(all[1], vec![Value::Int(8), Value::from("k0"), Value::Int(0)]);
        let last = format!("k{}", n - 1);
        assert_eq!(all[n as usize], vec![Value::Int(7 + n), Value::from(last.as_str()), Value::Int(n - 1)]);
    }

    /// Keys under new values are written apart from those gathered under the old ones.
    #[test]
    fn same_updates_keep_each_key_with_its_values() {
        let mut db = db();
        for i in 1..=100 {
            db.execute("INSERT INTO t VALUES (?, 'x', 0)", &[Value::Int(i)]).unwrap();
        }
        let mut u = SameUpdate::new("UPDATE t SET n = ?, k = ? WHERE id IN");
        for i in 1..=90 {
            let set =
                if i <= 70 { [Value::Int(1), Value::from("a")] } else { [Value::Int(2), Value::from("b")] };
            u.push(&mut db, &set, Value::Int(i)).unwrap();
        }
        u.flush(&mut db).unwrap();
        let n = |db: &mut Db, sql: &str| db.query_one(sql, &[]).unwrap().and_then(|v| v.as_int());
        assert_eq!(n(&mut db, "SELECT COUNT(*) FROM t WHERE n = 1 AND k = 'a'"), Some(70));
        assert_eq!(n(&mut db, "SELECT COUNT(*) FROM t WHERE n = 2 AND k = 'b'"), Some(20));
        assert_eq!(n(&mut db, "SELECT COUNT(*) FROM t WHERE n = 0"), Some(10));
    }
}
