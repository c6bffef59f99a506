//! One connection to SQLite or PostgreSQL behind the same small interface: SQL text with
//! `?` placeholders, parameters and rows as [`Value`]s.
//!
//! Hand-written rather than an ORM or sqlx's `Any` driver: the store needs prepared
//! statements executed millions of times per import on SQLite (sqlx's SQLite driver sends
//! every statement through a worker thread), and four value types cover every column,
//! so this layer stays a few hundred lines.

use credence_records::Value;
use std::collections::HashMap;

/// An error of either database driver.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("SQLite")]
    Sqlite(#[from] rusqlite::Error),
    #[error("PostgreSQL")]
    Postgres(#[from] postgres::Error),
    #[error("column {column} holds text that is not UTF-8")]
    NotUtf8 { column: usize },
    #[error("the audit record of the change could not be written")]
    Audit(#[source] Box<crate::StoreError>),
    #[error("sending rows to PostgreSQL failed")]
    Copy(#[source] std::io::Error),
}

/// A cell of a row as the database returned it, borrowed: reading millions of rows
/// through [`Cell`]s allocates nothing per cell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    Null,
    Int(i64),
    Real(f64),
    Text(&'a str),
}

impl<'a> Cell<'a> {
    pub fn text(self) -> Option<&'a str> {
        match self {
            Cell::Text(t) => Some(t),
            _ => None,
        }
    }

    pub fn int(self) -> Option<i64> {
        match self {
            Cell::Int(i) => Some(i),
            _ => None,
        }
    }

    /// A number; an integer column reads as its value.
    pub fn real(self) -> Option<f64> {
        match self {
            Cell::Real(r) => Some(r),
            Cell::Int(i) => Some(i as f64),
            _ => None,
        }
    }

    /// The owned [`Value`] of this cell.
    pub fn to_value(self) -> Value {
        match self {
            Cell::Null => Value::Null,
            Cell::Int(i) => Value::Int(i),
            Cell::Real(r) => Value::Real(r),
            Cell::Text(t) => Value::Text(t.to_owned()),
        }
    }
}

/// Which SQL dialect a connection speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// A connection and the state of its transaction.
///
/// Transactions nest: the outermost `begin_write` opens the database transaction and
/// every nested one is a savepoint inside it, so a store method that opens its own
/// transaction becomes part of a caller's wider one (an API change and its audit record,
/// a command and its record) instead of committing on its own. Every `BEGIN`, `COMMIT`
/// and `ROLLBACK` of the store goes through here, which keeps the depth right.
pub(crate) struct Db {
    conn: Conn,
    /// Open transactions: 0 none, 1 the database transaction, more: savepoints.
    depth: u32,
    /// The audit chain's key and the record waiting for the next commit.
    pub(crate) audit: crate::audit::AuditState,
}

enum Conn {
    Sqlite(rusqlite::Connection),
    Postgres(Box<PgConn>),
}

pub(crate) struct PgConn {
    client: postgres::Client,
    statements: HashMap<String, postgres::Statement>,
}

/// Rewrites `?` placeholders to PostgreSQL's `$1, $2…` (outside quoted literals).
fn pg_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let (mut n, mut quoted) = (0, false);
    for ch in sql.chars() {
        match ch {
            '\'' => {
                quoted = !quoted;
                out.push(ch);
            }
            '?' if !quoted => {
                n += 1;
                out.push('$');
                out.push_str(&n.to_string());
            }
            c => out.push(c),
        }
    }
    out
}

struct SqliteParam<'a>(&'a Value);

impl rusqlite::ToSql for SqliteParam<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match self.0 {
            Value::Null => ValueRef::Null,
            Value::Int(i) => ValueRef::Integer(*i),
            Value::Real(r) => ValueRef::Real(*r),
            Value::Text(s) => ValueRef::Text(s.as_bytes()),
        }))
    }
}

fn sqlite_value(v: rusqlite::types::ValueRef<'_>) -> Value {
    use rusqlite::types::ValueRef;
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Int(i),
        ValueRef::Real(r) => Value::Real(r),
        ValueRef::Text(t) | ValueRef::Blob(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
    }
}

/// An emptied vector of cells, its allocation kept for cells of another lifetime (the
/// next row's): in-place collection reuses the buffer.
fn recycle<'b>(mut cells: Vec<Cell<'_>>) -> Vec<Cell<'b>> {
    cells.clear();
    cells.into_iter().map(|_| Cell::Null).collect()
}

#[inline(always)]
fn sqlite_cell(v: rusqlite::types::ValueRef<'_>, column: usize) -> Result<Cell<'_>, DbError> {
    use rusqlite::types::ValueRef;
    Ok(match v {
        ValueRef::Null => Cell::Null,
        ValueRef::Integer(i) => Cell::Int(i),
        ValueRef::Real(r) => Cell::Real(r),
        ValueRef::Text(t) | ValueRef::Blob(t) => {
            Cell::Text(std::str::from_utf8(t).map_err(|_| DbError::NotUtf8 { column })?)
        }
    })
}

#[derive(Debug)]
struct PgParam<'a>(&'a Value);

impl postgres::types::ToSql for PgParam<'_> {
    fn to_sql(
        &self,
        ty: &postgres::types::Type,
        out: &mut postgres::types::private::BytesMut,
    ) -> Result<postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>> {
        use postgres::types::Type;
        // Convert by the column's type so that an integer bound to a DOUBLE PRECISION
        // column (or the reverse) is encoded the way the server expects.
        match (self.0, ty) {
            (Value::Null, _) => Ok(postgres::types::IsNull::Yes),
            (Value::Int(i), &Type::FLOAT8) => (*i as f64).to_sql(ty, out),
            (Value::Int(i), &Type::INT4) => i32::try_from(*i)?.to_sql(ty, out),
            (Value::Int(i), &Type::TEXT | &Type::VARCHAR) => i.to_string().to_sql(ty, out),
            (Value::Int(i), _) => i.to_sql(ty, out),
            (Value::Real(r), &Type::INT8) if r.fract() == 0.0 => (*r as i64).to_sql(ty, out),
            (Value::Real(r), &Type::TEXT | &Type::VARCHAR) => r.to_string().to_sql(ty, out),
            (Value::Real(r), _) => r.to_sql(ty, out),
            (Value::Text(s), _) => s.as_str().to_sql(ty, out),
        }
    }

    fn accepts(_: &postgres::types::Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

fn pg_value(row: &postgres::Row, i: usize) -> Result<Value, postgres::Error> {
    use postgres::types::Type;
    let ty = row.columns()[i].type_();
    Ok(match *ty {
        Type::INT8 => row.try_get::<_, Option<i64>>(i)?.map_or(Value::Null, Value::Int),
        Type::INT4 => row.try_get::<_, Option<i32>>(i)?.map_or(Value::Null, |v| Value::Int(v.into())),
        Type::INT2 => row.try_get::<_, Option<i16>>(i)?.map_or(Value::Null, |v| Value::Int(v.into())),
        Type::FLOAT8 => row.try_get::<_, Option<f64>>(i)?.map_or(Value::Null, Value::Real),
        Type::FLOAT4 => row.try_get::<_, Option<f32>>(i)?.map_or(Value::Null, |v| Value::Real(v.into())),
        Type::BOOL => row.try_get::<_, Option<bool>>(i)?.map_or(Value::Null, |b| Value::Int(b.into())),
        _ => row.try_get::<_, Option<String>>(i)?.map_or(Value::Null, Value::Text),
    })
}

fn pg_cell(row: &postgres::Row, i: usize) -> Result<Cell<'_>, postgres::Error> {
    use postgres::types::Type;
    let ty = row.columns()[i].type_();
    Ok(match *ty {
        Type::INT8 => row.try_get::<_, Option<i64>>(i)?.map_or(Cell::Null, Cell::Int),
        Type::INT4 => row.try_get::<_, Option<i32>>(i)?.map_or(Cell::Null, |v| Cell::Int(v.into())),
        Type::INT2 => row.try_get::<_, Option<i16>>(i)?.map_or(Cell::Null, |v| Cell::Int(v.into())),
        Type::FLOAT8 => row.try_get::<_, Option<f64>>(i)?.map_or(Cell::Null, Cell::Real),
        Type::FLOAT4 => row.try_get::<_, Option<f32>>(i)?.map_or(Cell::Null, |v| Cell::Real(v.into())),
        Type::BOOL => row.try_get::<_, Option<bool>>(i)?.map_or(Cell::Null, |b| Cell::Int(b.into())),
        _ => row.try_get::<_, Option<&str>>(i)?.map_or(Cell::Null, Cell::Text),
    })
}

impl Db {
    pub(crate) fn sqlite(conn: rusqlite::Connection) -> Self {
        conn.set_prepared_statement_cache_capacity(128);
        Db { conn: Conn::Sqlite(conn), depth: 0, audit: Default::default() }
    }

    pub(crate) fn postgres(client: postgres::Client) -> Self {
        Db {
            conn: Conn::Postgres(Box::new(PgConn { client, statements: HashMap::new() })),
            depth: 0,
            audit: Default::default(),
        }
    }

    /// The connection was lost (a PostgreSQL server restarted or cut it); a SQLite file
    /// never is.
    pub(crate) fn is_closed(&self) -> bool {
        match &self.conn {
            Conn::Sqlite(_) => false,
            Conn::Postgres(pg) => pg.client.is_closed(),
        }
    }

    /// Asks the server whether the connection still works, within `timeout`.
    pub(crate) fn ping(&mut self, timeout: std::time::Duration) -> Result<(), DbError> {
        match &mut self.conn {
            Conn::Sqlite(c) => c.query_row("SELECT 1", [], |_| Ok(())).map_err(DbError::Sqlite),
            Conn::Postgres(pg) => pg.client.is_valid(timeout).map_err(DbError::Postgres),
        }
    }

    pub(crate) fn dialect(&self) -> Dialect {
        match self.conn {
            Conn::Sqlite(_) => Dialect::Sqlite,
            Conn::Postgres(_) => Dialect::Postgres,
        }
    }

    /// Runs a script of statements without parameters (DDL, settings). Transaction
    /// control goes through [`Db::begin_write`], [`Db::commit`] and [`Db::rollback`].
    pub(crate) fn batch(&mut self, sql: &str) -> Result<(), DbError> {
        match &mut self.conn {
            Conn::Sqlite(c) => c.execute_batch(sql)?,
            Conn::Postgres(pg) => pg.client.batch_execute(sql)?,
        }
        Ok(())
    }

    /// Open transactions: 0 none, 1 the database transaction, more: savepoints.
    pub(crate) fn depth(&self) -> u32 {
        self.depth
    }

    fn pg_statement(pg: &mut PgConn, sql: &str) -> Result<postgres::Statement, postgres::Error> {
        if let Some(s) = pg.statements.get(sql) {
            return Ok(s.clone());
        }
        let s = pg.client.prepare(&pg_placeholders(sql))?;
        pg.statements.insert(sql.to_owned(), s.clone());
        Ok(s)
    }

    /// Opens a transaction that will write: SQLite takes the write lock at once (so a
    /// second writer waits at BEGIN rather than failing half-way). Inside an open
    /// transaction this is a savepoint.
    pub(crate) fn begin_write(&mut self) -> Result<(), DbError> {
        let sql = match (self.depth, self.dialect()) {
            (0, Dialect::Sqlite) => "BEGIN IMMEDIATE".to_owned(),
            (0, Dialect::Postgres) => "BEGIN".to_owned(),
            (d, _) => format!("SAVEPOINT credence_{d}"),
        };
        self.batch(&sql)?;
        self.depth += 1;
        Ok(())
    }

    /// Commits the innermost transaction: releases a savepoint, or commits the database
    /// transaction, first appending the audit record that waits for it (see
    /// [`crate::audit::AuditState`]). When that append fails, everything is rolled back.
    pub(crate) fn commit(&mut self) -> Result<(), crate::StoreError> {
        match self.depth {
            0 => Ok(()),
            1 => {
                if let Err(e) = crate::audit::append_pending(self) {
                    self.rollback()?;
                    return Err(e);
                }
                match self.batch("COMMIT") {
                    Ok(()) => {
                        self.depth = 0;
                        self.audit.committed();
                        Ok(())
                    }
                    Err(e) => {
                        // A failed COMMIT may leave the transaction open (SQLite when
                        // busy); end it so the connection is usable again.
                        let _ = self.batch("ROLLBACK");
                        self.depth = 0;
                        self.audit.rolled_back(1);
                        Err(e.into())
                    }
                }
            }
            d => {
                self.batch(&format!("RELEASE SAVEPOINT credence_{}", d - 1))?;
                self.depth -= 1;
                self.audit.released(d);
                Ok(())
            }
        }
    }

    /// Undoes the innermost transaction: back to its savepoint, or the whole database
    /// transaction.
    pub(crate) fn rollback(&mut self) -> Result<(), DbError> {
        match self.depth {
            0 => Ok(()),
            1 => {
                self.depth = 0;
                self.audit.rolled_back(1);
                self.batch("ROLLBACK")
            }
            d => {
                self.depth -= 1;
                self.audit.rolled_back(d);
                self.batch(&format!(
                    "ROLLBACK TO SAVEPOINT credence_{0}; RELEASE SAVEPOINT credence_{0}",
                    d - 1
                ))
            }
        }
    }

    /// Makes what a long run wrote so far durable and goes on in a new transaction; in a
    /// caller's wider transaction it does nothing, the run being part of that one.
    pub(crate) fn checkpoint(&mut self) -> Result<(), crate::StoreError> {
        if self.depth == 1 {
            self.commit()?;
            self.begin_write()?;
        }
        Ok(())
    }

    /// Runs `f` in one write transaction (a savepoint when one is open): committed when
    /// it returns `Ok`, rolled back when it returns `Err`.
    pub(crate) fn transaction<T, E: From<crate::StoreError>>(
        &mut self,
        f: impl FnOnce(&mut Db) -> Result<T, E>,
    ) -> Result<T, E> {
        self.begin_write().map_err(|e| E::from(e.into()))?;
        match f(self) {
            Ok(v) => {
                self.commit()?;
                Ok(v)
            }
            Err(e) => {
                self.rollback().map_err(|e| E::from(e.into()))?;
                Err(e)
            }
        }
    }

    /// Executes one statement; returns the number of rows changed. A statement outside
    /// any transaction while an audit record waits for the next commit runs in a
    /// transaction of its own that carries the record, so no change escapes it.
    /// Sends rows in COPY's text format (`COPY t (a, b) FROM STDIN`), inside the open
    /// write transaction: PostgreSQL only.
    pub(crate) fn copy_in(&mut self, sql: &str, data: &[u8]) -> Result<(), DbError> {
        debug_assert!(self.depth > 0, "COPY outside a transaction");
        match &mut self.conn {
            Conn::Postgres(pg) => {
                use std::io::Write;
                let mut writer = pg.client.copy_in(sql)?;
                writer.write_all(data).map_err(DbError::Copy)?;
                writer.finish()?;
                Ok(())
            }
            Conn::Sqlite(_) => unreachable!("COPY is PostgreSQL's"),
        }
    }

    pub(crate) fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, DbError> {
        if self.depth == 0 && self.audit.has_pending() {
            self.begin_write()?;
            let n = match self.execute_now(sql, params) {
                Ok(n) => n,
                Err(e) => {
                    let _ = self.rollback();
                    return Err(e);
                }
            };
            return match self.commit() {
                Ok(()) => Ok(n),
                Err(crate::StoreError::Db(e)) => Err(e),
                Err(other) => Err(DbError::Audit(Box::new(other))),
            };
        }
        self.execute_now(sql, params)
    }

    fn execute_now(&mut self, sql: &str, params: &[Value]) -> Result<u64, DbError> {
        match &mut self.conn {
            Conn::Sqlite(c) => {
                let mut st = c.prepare_cached(sql)?;
                let n = st.execute(rusqlite::params_from_iter(params.iter().map(SqliteParam)))?;
                Ok(n as u64)
            }
            Conn::Postgres(pg) => {
                let st = Self::pg_statement(pg, sql)?;
                let ps: Vec<PgParam> = params.iter().map(PgParam).collect();
                let refs: Vec<&(dyn postgres::types::ToSql + Sync)> = ps.iter().map(|p| p as _).collect();
                Ok(pg.client.execute(&st, &refs)?)
            }
        }
    }

    /// Runs a query and calls `f` with each row, streaming.
    pub(crate) fn query_each(
        &mut self,
        sql: &str,
        params: &[Value],
        mut f: impl FnMut(Vec<Value>) -> Result<(), DbError>,
    ) -> Result<(), DbError> {
        match &mut self.conn {
            Conn::Sqlite(c) => {
                let mut st = c.prepare_cached(sql)?;
                let n = st.column_count();
                let mut rows = st.query(rusqlite::params_from_iter(params.iter().map(SqliteParam)))?;
                while let Some(row) = rows.next()? {
                    let mut vals = Vec::with_capacity(n);
                    for i in 0..n {
                        vals.push(sqlite_value(row.get_ref(i)?));
                    }
                    f(vals)?;
                }
            }
            Conn::Postgres(pg) => {
                use postgres::fallible_iterator::FallibleIterator;
                let st = Self::pg_statement(pg, sql)?;
                let ps: Vec<PgParam> = params.iter().map(PgParam).collect();
                let mut rows =
                    pg.client.query_raw(&st, ps.iter().map(|p| p as &dyn postgres::types::ToSql))?;
                while let Some(row) = rows.next()? {
                    let vals = (0..row.len()).map(|i| pg_value(&row, i)).collect::<Result<Vec<_>, _>>()?;
                    f(vals)?;
                }
            }
        }
        Ok(())
    }

    /// Runs a query and calls `f` with each row as borrowed [`Cell`]s, streaming: the
    /// fast path for reading millions of rows.
    pub(crate) fn query_cells(
        &mut self,
        sql: &str,
        params: &[Value],
        mut f: impl FnMut(&[Cell<'_>]),
    ) -> Result<(), DbError> {
        self.query_rows(sql, params, false, |cells, _| f(cells))
    }

    /// Runs a query whose last column is a blob and calls `f` with each row's other
    /// columns as borrowed [`Cell`]s and the blob's bytes (empty when NULL), streaming.
    pub(crate) fn query_blob_rows(
        &mut self,
        sql: &str,
        params: &[Value],
        f: impl FnMut(&[Cell<'_>], &[u8]),
    ) -> Result<(), DbError> {
        self.query_rows(sql, params, true, f)
    }

    /// [`Db::query_cells`], and with `blob` the last column as bytes for
    /// [`Db::query_blob_rows`] (empty otherwise).
    fn query_rows(
        &mut self,
        sql: &str,
        params: &[Value],
        blob: bool,
        mut f: impl FnMut(&[Cell<'_>], &[u8]),
    ) -> Result<(), DbError> {
        match &mut self.conn {
            Conn::Sqlite(c) => {
                let mut st = c.prepare_cached(sql)?;
                let n = st.column_count() - usize::from(blob);
                let mut rows = st.query(rusqlite::params_from_iter(params.iter().map(SqliteParam)))?;
                let mut buffer: Vec<Cell<'_>> = Vec::with_capacity(n);
                while let Some(row) = rows.next()? {
                    let mut cells = recycle(buffer);
                    for i in 0..n {
                        cells.push(sqlite_cell(row.get_ref(i)?, i)?);
                    }
                    let bytes = match blob.then(|| row.get_ref(n)).transpose()? {
                        Some(rusqlite::types::ValueRef::Blob(b) | rusqlite::types::ValueRef::Text(b)) => b,
                        _ => &[],
                    };
                    f(&cells, bytes);
                    buffer = recycle(cells);
                }
            }
            Conn::Postgres(pg) => {
                use postgres::fallible_iterator::FallibleIterator;
                let st = Self::pg_statement(pg, sql)?;
                let ps: Vec<PgParam> = params.iter().map(PgParam).collect();
                let mut rows =
                    pg.client.query_raw(&st, ps.iter().map(|p| p as &dyn postgres::types::ToSql))?;
                while let Some(row) = rows.next()? {
                    let n = row.len() - usize::from(blob);
                    let cells = (0..n).map(|i| pg_cell(&row, i)).collect::<Result<Vec<_>, _>>()?;
                    let bytes: Option<&[u8]> = if blob { row.try_get(n)? } else { None };
                    f(&cells, bytes.unwrap_or_default());
                }
            }
        }
        Ok(())
    }

    /// Runs a statement whose rows each end with a blob: the values of a row, then its
    /// blob, row after row.
    pub(crate) fn execute_with_blobs(
        &mut self,
        sql: &str,
        rows: &[(Vec<Value>, Vec<u8>)],
    ) -> Result<u64, DbError> {
        match &mut self.conn {
            Conn::Sqlite(c) => {
                let mut st = c.prepare_cached(sql)?;
                let wrapped: Vec<(Vec<SqliteParam>, &Vec<u8>)> =
                    rows.iter().map(|(v, b)| (v.iter().map(SqliteParam).collect(), b)).collect();
                let mut ps: Vec<&dyn rusqlite::ToSql> = Vec::new();
                for (values, blob) in &wrapped {
                    ps.extend(values.iter().map(|p| p as &dyn rusqlite::ToSql));
                    ps.push(blob);
                }
                Ok(st.execute(ps.as_slice())? as u64)
            }
            Conn::Postgres(pg) => {
                let st = Self::pg_statement(pg, sql)?;
                let wrapped: Vec<(Vec<PgParam>, &Vec<u8>)> =
                    rows.iter().map(|(v, b)| (v.iter().map(PgParam).collect(), b)).collect();
                let mut refs: Vec<&(dyn postgres::types::ToSql + Sync)> = Vec::new();
                for (values, blob) in &wrapped {
                    refs.extend(values.iter().map(|p| p as &(dyn postgres::types::ToSql + Sync)));
                    refs.push(blob);
                }
                Ok(pg.client.execute(&st, &refs)?)
            }
        }
    }

    /// Runs a query and collects its rows.
    pub(crate) fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Vec<Value>>, DbError> {
        let mut out = Vec::new();
        self.query_each(sql, params, |r| {
            out.push(r);
            Ok(())
        })?;
        Ok(out)
    }

    /// The first column of the first row, if any.
    pub(crate) fn query_one(&mut self, sql: &str, params: &[Value]) -> Result<Option<Value>, DbError> {
        Ok(self.query(sql, params)?.into_iter().next().and_then(|r| r.into_iter().next()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_outside_quotes_are_numbered() {
        assert_eq!(pg_placeholders("SELECT ? , '?' , ?"), "SELECT $1 , '?' , $2");
    }
}
