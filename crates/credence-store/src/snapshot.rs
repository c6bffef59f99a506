//! Credit-file snapshots: each customer's master record and every record of every kind
//! that belongs to it, in one compact value per customer, kept current by every import in
//! the import's own transaction. A portfolio run reads one row per customer instead of
//! re-assembling the file from a dozen ledger tables (~67 rows per customer).
//!
//! A body is a format byte, then the LZ4 block (size prepended) of: the master record's
//! values, then for each kind of [`file_kinds`] the number of its rows and each row's
//! values, all columns in schema order. A value is a tag byte (0 null, 1 integer as a
//! zig-zag varint, 2 real as 8 little-endian bytes, 3 text as a varint length and UTF-8
//! bytes). The encoding is written here because it is a few dozen lines over the store's
//! own cell type; a general serialiser would need an owned copy of every cell.

use crate::db::{Cell, Db};
use crate::{StoreError, load};
use credence_records::{Kind, Value};

/// The current body format; a body of another format is not read (the store rebuilds
/// snapshots when the format changes).
const FORMAT: u8 = 1;

/// Customers read or rebuilt together.
pub(crate) const CHUNK: usize = 4_000;

/// The kinds a credit file holds besides the master record, in [`Kind::ALL`] order.
pub(crate) fn file_kinds() -> impl Iterator<Item = Kind> {
    Kind::ALL.into_iter().filter(|k| *k != Kind::Customers && k.schema().customer_column.is_some())
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn put_cell(out: &mut Vec<u8>, cell: Cell<'_>) {
    match cell {
        Cell::Null => out.push(0),
        Cell::Int(i) => {
            out.push(1);
            put_varint(out, ((i << 1) ^ (i >> 63)) as u64);
        }
        Cell::Real(r) => {
            out.push(2);
            out.extend_from_slice(&r.to_le_bytes());
        }
        Cell::Text(t) => {
            out.push(3);
            put_varint(out, t.len() as u64);
            out.extend_from_slice(t.as_bytes());
        }
    }
}

fn value_cell(v: &Value) -> Cell<'_> {
    match v {
        Value::Null => Cell::Null,
        Value::Int(i) => Cell::Int(*i),
        Value::Real(r) => Cell::Real(*r),
        Value::Text(t) => Cell::Text(t),
    }
}

/// Why a stored body cannot be read: the snapshot is corrupt or of another format.
fn corrupt(customer: &str, what: &str) -> StoreError {
    StoreError::Snapshot { customer: customer.to_owned(), reason: what.to_owned() }
}

/// Reads a body's values in order.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Option<u8> {
        let b = *self.bytes.get(self.at)?;
        self.at += 1;
        Some(b)
    }

    fn varint(&mut self) -> Option<u64> {
        let mut v = 0_u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }

    fn cell(&mut self) -> Option<Cell<'a>> {
        Some(match self.byte()? {
            0 => Cell::Null,
            1 => {
                let z = self.varint()?;
                Cell::Int(((z >> 1) as i64) ^ -((z & 1) as i64))
            }
            2 => {
                let b = self.bytes.get(self.at..self.at + 8)?;
                self.at += 8;
                Cell::Real(f64::from_le_bytes(b.try_into().ok()?))
            }
            3 => {
                let n = usize::try_from(self.varint()?).ok()?;
                let b = self.bytes.get(self.at..self.at.checked_add(n)?)?;
                self.at += n;
                Cell::Text(std::str::from_utf8(b).ok()?)
            }
            _ => return None,
        })
    }
}

/// Encodes a customer's file; `rows[k]` holds the count and encoded rows of the k-th of
/// [`file_kinds`].
fn encode(customer: &[Value], rows: &[(u64, Vec<u8>)]) -> Vec<u8> {
    let mut plain = Vec::with_capacity(256 + rows.iter().map(|r| r.1.len() + 4).sum::<usize>());
    for v in customer {
        put_cell(&mut plain, value_cell(v));
    }
    for (count, bytes) in rows {
        put_varint(&mut plain, *count);
        plain.extend_from_slice(bytes);
    }
    let mut body = vec![FORMAT];
    body.extend_from_slice(&lz4_flex::compress_prepend_size(&plain));
    body
}

/// Calls `visit(kind, wanted cells)` for each record of a stored body, kind by kind and in
/// natural-key order within a kind, and returns the master record's values. A damaged
/// body is refused before anything is visited.
pub(crate) fn decode(
    customer: &str,
    body: &[u8],
    wanted: load::Wanted<'_>,
    mut visit: impl FnMut(Kind, &[Cell<'_>]),
) -> Result<Vec<Value>, StoreError> {
    let Some((&FORMAT, packed)) = body.split_first() else {
        return Err(corrupt(customer, "the snapshot is of an unknown format"));
    };
    let plain = lz4_flex::decompress_size_prepended(packed).map_err(|e| corrupt(customer, &e.to_string()))?;
    walk(&plain, None, &mut |_, _| {}).ok_or_else(|| corrupt(customer, "the snapshot is truncated"))?;
    walk(&plain, Some(wanted), &mut visit).ok_or_else(|| corrupt(customer, "the snapshot is truncated"))
}

/// Reads a decompressed body: the master record's values, and each record's wanted
/// cells handed to `visit` (none when `wanted` is `None`: a check of the structure).
fn walk(
    plain: &[u8],
    wanted: Option<load::Wanted<'_>>,
    visit: &mut impl FnMut(Kind, &[Cell<'_>]),
) -> Option<Vec<Value>> {
    let mut r = Reader { bytes: plain, at: 0 };
    let head_fields = Kind::Customers.schema().fields.len();
    let mut master = Vec::with_capacity(head_fields);
    for _ in 0..head_fields {
        master.push(r.cell()?.to_value());
    }
    let mut row: Vec<Cell<'_>> = Vec::new();
    let mut picked: Vec<Cell<'_>> = Vec::new();
    for kind in file_kinds() {
        let schema = kind.schema();
        let positions: Option<Vec<usize>> = wanted
            .and_then(|w| w.iter().find(|(k, _)| *k == kind))
            .map(|(_, columns)| columns.iter().map(|c| schema.col(c)).collect());
        let count = r.varint()?;
        for _ in 0..count {
            row.clear();
            for _ in 0..schema.fields.len() {
                row.push(r.cell()?);
            }
            if let Some(positions) = &positions {
                picked.clear();
                picked.extend(positions.iter().map(|&p| row[p]));
                visit(kind, &picked);
            }
        }
    }
    (r.at == plain.len()).then_some(master)
}

/// Every column of every kind of a credit file, in schema order.
fn all_columns() -> Vec<(Kind, Vec<&'static str>)> {
    file_kinds().map(|k| (k, k.schema().fields.iter().map(|f| f.name).collect())).collect()
}

/// Writes the snapshots of the customers `ids` (sorted, distinct) from their stored
/// records, replacing any earlier ones. Runs inside the caller's transaction.
pub(crate) fn rebuild(db: &mut Db, ids: &[String]) -> Result<u64, StoreError> {
    let columns = all_columns();
    let wanted: Vec<(Kind, &[&str])> = columns.iter().map(|(k, c)| (*k, c.as_slice())).collect();
    let slot: Vec<Kind> = file_kinds().collect();
    let mut written = 0;
    for chunk in ids.chunks(CHUNK) {
        let mut parts: Vec<Vec<(u64, Vec<u8>)>> = Vec::new();
        let heads = load::files_from_rows(db, chunk, &wanted, |i, kind, cells| {
            if parts.len() <= i {
                parts.resize_with(i + 1, || vec![(0, Vec::new()); slot.len()]);
            }
            let k = slot.iter().position(|s| *s == kind).expect("a file kind");
            let (count, bytes) = &mut parts[i][k];
            *count += 1;
            for c in cells {
                put_cell(bytes, *c);
            }
        })?;
        parts.resize_with(heads.len(), || vec![(0, Vec::new()); slot.len()]);
        for (head, rows) in heads.iter().zip(&parts) {
            let id = head.customer.text("customer_id").unwrap_or_default();
            // The file a stored rating was computed from is kept when replaced.
            db.execute(
                "INSERT INTO credit_file_history (customer_id, data_version, records_hash, body) \
                 SELECT f.customer_id, f.data_version, f.records_hash, f.body FROM credit_files f \
                 WHERE f.customer_id = ? AND f.data_version <> ? AND EXISTS \
                 (SELECT 1 FROM ratings r WHERE r.customer_id = f.customer_id AND r.data_version = f.data_version) \
                 ON CONFLICT (customer_id, data_version) DO NOTHING",
                &[id.into(), Value::Int(head.data_version)],
            )?;
            db.execute_with_blob(
                "INSERT INTO credit_files (customer_id, data_version, records_hash, body) VALUES (?, ?, ?, ?) \
                 ON CONFLICT (customer_id) DO UPDATE SET data_version = excluded.data_version, \
                 records_hash = excluded.records_hash, body = excluded.body",
                &[id.into(), Value::Int(head.data_version), head.records_hash.as_str().into()],
                &encode(&head.customer.values, rows),
            )?;
            written += 1;
        }
    }
    Ok(written)
}

/// Puts customer ids in the order the database sorts them, which the range reads rely
/// on: byte order in SQLite, the column's collation in PostgreSQL.
pub(crate) fn sort_like_store(db: &mut Db, ids: &mut Vec<String>) -> Result<(), StoreError> {
    if db.dialect() == crate::db::Dialect::Sqlite || ids.len() < 2 {
        ids.sort_unstable();
        return Ok(());
    }
    let wanted: std::collections::HashSet<String> = std::mem::take(ids).into_iter().collect();
    db.query_each("SELECT natural_key FROM customers ORDER BY natural_key", &[], |r| {
        if let Some(id) = r[0].as_text().filter(|id| wanted.contains(*id)) {
            ids.push(id.to_owned());
        }
        Ok(())
    })?;
    Ok(())
}

/// Rebuilds every customer's snapshot (after the table is created, or when the format
/// changes).
pub(crate) fn rebuild_all(db: &mut Db) -> Result<u64, StoreError> {
    let mut ids = Vec::new();
    db.query_each("SELECT natural_key FROM customers ORDER BY natural_key", &[], |r| {
        ids.push(r[0].as_text().unwrap_or_default().to_owned());
        Ok(())
    })?;
    rebuild(db, &ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_read_back_as_written() {
        let cells = [
            Cell::Null,
            Cell::Int(0),
            Cell::Int(-1),
            Cell::Int(i64::MAX),
            Cell::Int(i64::MIN),
            Cell::Int(300),
            Cell::Real(-0.125),
            Cell::Real(f64::NAN),
            Cell::Text(""),
            Cell::Text("华东区 · 应收"),
        ];
        let mut bytes = Vec::new();
        for c in cells {
            put_cell(&mut bytes, c);
        }
        let mut r = Reader { bytes: &bytes, at: 0 };
        for c in cells {
            let back = r.cell().unwrap();
            match (c, back) {
                (Cell::Real(a), Cell::Real(b)) => assert_eq!(a.to_bits(), b.to_bits()),
                (a, b) => assert_eq!(format!("{a:?}"), format!("{b:?}")),
            }
        }
        assert_eq!(r.at, bytes.len());
        assert!(r.cell().is_none());
    }

    #[test]
    fn damaged_bodies_are_refused_with_the_customer_named() {
        let body = encode(&[Value::Text("C1".into())], &[]);
        let wanted: load::Wanted<'_> = &[];
        let err = |b: &[u8]| decode("C1", b, wanted, |_, _| {}).unwrap_err().to_string();
        assert!(err(&[]).contains("C1"), "{}", err(&[]));
        assert!(err(&[9, 1, 2]).contains("unknown format"));
        let mut cut = body.clone();
        cut.truncate(body.len() - 1);
        assert!(!err(&cut).is_empty());
    }
}
