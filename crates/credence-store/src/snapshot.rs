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

    /// Passes over a value without reading it.
    fn skip(&mut self) -> Option<()> {
        let n = match self.byte()? {
            0 => 0,
            1 => {
                self.varint()?;
                0
            }
            2 => 8,
            3 => usize::try_from(self.varint()?).ok()?,
            _ => return None,
        };
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len())?;
        self.at = end;
        Some(())
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

/// What a reader wants of each kind of a body, worked out once per read: for each kind
/// of [`file_kinds`], its number of columns and, when wanted, each column's places among
/// the cells handed on (none: skipped unread) and how many are handed on.
pub(crate) struct Plan {
    kinds: Vec<KindPlan>,
}

/// One kind of a [`Plan`]: the kind, its number of columns, and when wanted each column's
/// places among the cells handed on with their number.
type KindPlan = (Kind, usize, Option<(Vec<Vec<usize>>, usize)>);

impl Plan {
    pub(crate) fn new(wanted: load::Wanted<'_>) -> Plan {
        let kinds = file_kinds()
            .map(|kind| {
                let schema = kind.schema();
                let slots = wanted.iter().find(|(k, _)| *k == kind).map(|(_, columns)| {
                    let mut slots = vec![Vec::new(); schema.fields.len()];
                    for (i, c) in columns.iter().enumerate() {
                        slots[schema.col(c)].push(i);
                    }
                    (slots, columns.len())
                });
                (kind, schema.fields.len(), slots)
            })
            .collect();
        Plan { kinds }
    }
}

/// Calls `visit(kind, wanted cells)` for each record of a stored body, kind by kind and in
/// natural-key order within a kind, and returns the master record's values. The body is
/// read once; a damaged one is refused before anything is visited.
pub(crate) fn decode(
    customer: &str,
    body: &[u8],
    plan: &Plan,
    mut visit: impl FnMut(Kind, &[Cell<'_>]),
) -> Result<Vec<Value>, StoreError> {
    let Some((&FORMAT, packed)) = body.split_first() else {
        return Err(corrupt(customer, "the snapshot is of an unknown format"));
    };
    let plain = lz4_flex::decompress_size_prepended(packed).map_err(|e| corrupt(customer, &e.to_string()))?;
    // Sized for a typical file, so a customer's cells are not copied as they grow.
    let mut cells: Vec<Cell<'_>> = Vec::with_capacity(plain.len() / 8);
    let mut rows: Vec<(Kind, usize, usize)> = Vec::with_capacity(128);
    let master = read_body(&plain, plan, &mut cells, &mut rows)
        .ok_or_else(|| corrupt(customer, "the snapshot is truncated"))?;
    for (kind, start, n) in rows {
        visit(kind, &cells[start..start + n]);
    }
    Ok(master)
}

/// Reads a decompressed body: returns the master record's values and appends each
/// wanted record's cells to `cells`, with (kind, start, count) in `rows`.
fn read_body<'a>(
    plain: &'a [u8],
    plan: &Plan,
    cells: &mut Vec<Cell<'a>>,
    rows: &mut Vec<(Kind, usize, usize)>,
) -> Option<Vec<Value>> {
    let mut r = Reader { bytes: plain, at: 0 };
    let head_fields = Kind::Customers.schema().fields.len();
    let mut master = Vec::with_capacity(head_fields);
    for _ in 0..head_fields {
        master.push(r.cell()?.to_value());
    }
    for (kind, columns, slots) in &plan.kinds {
        let count = r.varint()?;
        for _ in 0..count {
            match slots {
                Some((slots, n)) => {
                    let start = cells.len();
                    cells.resize(start + n, Cell::Null);
                    for places in slots {
                        if places.is_empty() {
                            r.skip()?;
                            continue;
                        }
                        let cell = r.cell()?;
                        for i in places {
                            cells[start + i] = cell;
                        }
                    }
                    rows.push((*kind, start, *n));
                }
                None => {
                    for _ in 0..*columns {
                        r.skip()?;
                    }
                }
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
        // The file a stored rating was computed from is kept when replaced.
        let mut kept = crate::batch::Rows::with_row(
            "INSERT INTO credit_file_history (customer_id, data_version, records_hash, body) \
             SELECT f.customer_id, f.data_version, f.records_hash, f.body FROM credit_files f JOIN (",
            "(?, CAST(? AS BIGINT))",
            ") AS v ON f.customer_id = v.column1 WHERE f.data_version <> v.column2 AND EXISTS \
             (SELECT 1 FROM ratings r WHERE r.customer_id = f.customer_id AND r.data_version = f.data_version) \
             ON CONFLICT (customer_id, data_version) DO NOTHING",
        );
        for head in &heads {
            let id = head.customer.text("customer_id").unwrap_or_default();
            kept.push(db, [id.into(), Value::Int(head.data_version)])?;
        }
        kept.flush(db)?;
        let files: Vec<(Vec<Value>, Vec<u8>)> = heads
            .iter()
            .zip(&parts)
            .map(|(head, rows)| {
                let id = head.customer.text("customer_id").unwrap_or_default();
                let values =
                    vec![id.into(), Value::Int(head.data_version), head.records_hash.as_str().into()];
                (values, encode(&head.customer.values, rows))
            })
            .collect();
        for rows in files.chunks(crate::batch::ROWS) {
            let marks = vec!["(?, ?, ?, ?)"; rows.len()].join(", ");
            db.execute_with_blobs(
                &format!(
                    "INSERT INTO credit_files (customer_id, data_version, records_hash, body) VALUES {marks} \
                     ON CONFLICT (customer_id) DO UPDATE SET data_version = excluded.data_version, \
                     records_hash = excluded.records_hash, body = excluded.body"
                ),
                rows,
            )?;
            written += rows.len() as u64;
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

    /// A body read back hands on exactly the columns asked, in the order asked (one asked
    /// twice comes twice), kind by kind, and the master record whole.
    #[test]
    fn bodies_hand_on_the_columns_asked() {
        let master: Vec<Value> =
            (0..Kind::Customers.schema().fields.len()).map(|i| Value::Int(i as i64)).collect();
        let kinds: Vec<Kind> = file_kinds().collect();
        let mut rows = vec![(0_u64, Vec::new()); kinds.len()];
        let invoices = kinds.iter().position(|k| *k == Kind::Invoices).unwrap();
        let schema = Kind::Invoices.schema();
        for (no, amount) in [("I1", 100), ("I2", -5)] {
            rows[invoices].0 += 1;
            for f in schema.fields {
                put_cell(
                    &mut rows[invoices].1,
                    match f.name {
                        "invoice_no" => Cell::Text(no),
                        "amount" => Cell::Int(amount),
                        _ => Cell::Null,
                    },
                );
            }
        }
        let body = encode(&master, &rows);
        let plan = Plan::new(&[(Kind::Invoices, &["amount", "invoice_no", "amount"])]);
        let mut seen = Vec::new();
        let back = decode("C1", &body, &plan, |k, c| {
            seen.push((k, c.iter().map(|c| c.to_value()).collect::<Vec<_>>()))
        })
        .unwrap();
        assert_eq!(back, master);
        assert_eq!(
            seen,
            vec![
                (Kind::Invoices, vec![Value::Int(100), Value::from("I1"), Value::Int(100)]),
                (Kind::Invoices, vec![Value::Int(-5), Value::from("I2"), Value::Int(-5)]),
            ]
        );
    }

    #[test]
    fn damaged_bodies_are_refused_with_the_customer_named() {
        let body = encode(&[Value::Text("C1".into())], &[]);
        let plan = Plan::new(&[]);
        let err = |b: &[u8]| decode("C1", b, &plan, |_, _| {}).unwrap_err().to_string();
        assert!(err(&[]).contains("C1"), "{}", err(&[]));
        assert!(err(&[9, 1, 2]).contains("unknown format"));
        let mut cut = body.clone();
        cut.truncate(body.len() - 1);
        assert!(!err(&cut).is_empty());
    }
}
