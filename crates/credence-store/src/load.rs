//! Reading whole credit files: every record of a range of customers, with one range
//! query per kind, streamed to the caller as borrowed cells of the columns it asks for.

use crate::db::{Cell, Db};
use crate::sql::sql_for;
use crate::{Store, StoreError};
use credence_records::{Kind, Record, Value};
use std::collections::HashMap;

/// A customer's master record and what identifies the version of its whole file.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerHead {
    pub customer: Record,
    /// The newest import that wrote any of the customer's records.
    pub data_version: i64,
    /// Hash over every record's content hash, kind by kind in natural-key order: equal
    /// when the records are.
    pub records_hash: String,
}

/// The columns a reader wants of each kind, by name; kinds not named are still read for
/// the version and hash of the file.
pub type Wanted<'a> = &'a [(Kind, &'a [&'a str])];

/// How to read a set of customers: one range query over the span of their ids when they
/// fill most of it (a whole portfolio), one look-up each when they are a sparse few (the
/// customers an overnight drop touched).
fn dense(db: &mut Db, table: &str, key: &str, ids: &[String]) -> Result<bool, StoreError> {
    let (Some(first), Some(last)) = (ids.first(), ids.last()) else { return Ok(true) };
    if ids.len() == 1 {
        return Ok(false);
    }
    let n = db
        .query_one(
            &format!("SELECT COUNT(*) FROM {table} WHERE {key} >= ? AND {key} <= ?"),
            &[first.as_str().into(), last.as_str().into()],
        )?
        .and_then(|v| v.as_int())
        .unwrap_or(0);
    Ok(n as usize <= ids.len().saturating_mul(2))
}

/// The credit files of the customers `ids` (in the store's id order) assembled from the
/// record tables, with one range query per kind, or one per kind and customer when the
/// ids are sparse. Builds the snapshots; [`customer_files`] reads them.
pub(crate) fn files_from_rows(
    db: &mut Db,
    ids: &[String],
    wanted: Wanted<'_>,
    mut visit: impl FnMut(usize, Kind, &[Cell<'_>]),
) -> Result<Vec<CustomerHead>, StoreError> {
    let mut out = Vec::new();
    let mut each: Vec<&String> = ids.iter().collect();
    if dense(db, "customers", "natural_key", ids)?
        && let (Some(first), Some(last)) = (ids.first(), ids.last())
    {
        let keep: std::collections::HashSet<&str> = ids.iter().map(String::as_str).collect();
        rows_in_range(db, first, last, &keep, wanted, &mut out, &mut visit)?;
        each = not_found(ids, &out);
    }
    for id in each {
        let keep = std::collections::HashSet::from([id.as_str()]);
        rows_in_range(db, id, id, &keep, wanted, &mut out, &mut visit)?;
    }
    Ok(out)
}

/// The ids a range read did not find: none when the ids came in the database's order
/// and all exist; otherwise each is looked up on its own, so no order can lose one.
fn not_found<'i>(ids: &'i [String], found: &[CustomerHead]) -> Vec<&'i String> {
    if found.len() == ids.len() {
        return Vec::new();
    }
    let found: std::collections::HashSet<&str> =
        found.iter().filter_map(|h| h.customer.text("customer_id")).collect();
    ids.iter().filter(|id| !found.contains(id.as_str())).collect()
}

/// [`files_from_rows`] over one span of ids, appending to `out`; `visit` is called with
/// positions in `out`.
fn rows_in_range(
    db: &mut Db,
    first: &str,
    last: &str,
    keep: &std::collections::HashSet<&str>,
    wanted: Wanted<'_>,
    out: &mut Vec<CustomerHead>,
    visit: &mut impl FnMut(usize, Kind, &[Cell<'_>]),
) -> Result<(), StoreError> {
    let range = [Value::from(first), Value::from(last)];
    let base = out.len();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut hashers: Vec<xxhash_rust::xxh3::Xxh3> = Vec::new();
    // A customer's natural key is its id, and that column carries the unique index.
    db.query_cells(
        &format!(
            "SELECT import_id, row_hash, {} FROM customers WHERE natural_key >= ? AND natural_key <= ? ORDER BY natural_key",
            sql_for(Kind::Customers).columns
        ),
        &range,
        |cells| {
            let customer = Record { kind: Kind::Customers, values: cells[2..].iter().map(|c| c.to_value()).collect() };
            let id = customer.text("customer_id").unwrap_or_default();
            if !keep.contains(id) {
                return;
            }
            let mut h = xxhash_rust::xxh3::Xxh3::new();
            h.update(cells[1].text().unwrap_or_default().as_bytes());
            hashers.push(h);
            index.insert(id.to_owned(), out.len());
            out.push(CustomerHead {
                customer,
                data_version: cells[0].int().unwrap_or(0),
                records_hash: String::new(),
            });
        },
    )?;
    for kind in crate::snapshot::file_kinds() {
        let schema = kind.schema();
        let wanted_columns = wanted.iter().find(|(k, _)| *k == kind).map(|(_, c)| *c);
        let columns: Vec<&str> =
            wanted_columns.unwrap_or_default().iter().map(|c| schema.fields[schema.col(c)].name).collect();
        let select: String = columns.iter().map(|c| format!(", {c}")).collect();
        // Rows come in customer order, so the last customer found is usually the next
        // row's too.
        let mut current: Option<(usize, String)> = None;
        db.query_cells(
            &format!(
                "SELECT import_id, row_hash, customer_id{select} FROM {} WHERE customer_id >= ? AND customer_id <= ? ORDER BY customer_id, natural_key",
                kind.code()
            ),
            &range,
            |cells| {
                let id = cells[2].text().unwrap_or_default();
                let i = match &current {
                    Some((i, c)) if c == id => Some(*i),
                    _ => index.get(id).copied().inspect(|&i| current = Some((i, id.to_owned()))),
                };
                if let Some(i) = i {
                    let c = &mut out[i];
                    c.data_version = c.data_version.max(cells[0].int().unwrap_or(0));
                    hashers[i - base].update(cells[1].text().unwrap_or_default().as_bytes());
                    if wanted_columns.is_some() {
                        visit(i, kind, &cells[3..]);
                    }
                }
            },
        )?;
    }
    for (c, h) in out[base..].iter_mut().zip(&hashers) {
        c.records_hash = format!("{:032x}", h.digest128());
    }
    Ok(())
}

/// The columns a snapshot row is read with, the body last.
const SNAPSHOT_COLUMNS: &str = "customer_id, data_version, records_hash, body";

/// A customer's head from a snapshot row read with [`SNAPSHOT_COLUMNS`].
fn snapshot_head(cells: &[Cell<'_>], customer: Record) -> CustomerHead {
    CustomerHead {
        customer,
        data_version: cells[1].int().unwrap_or(0),
        records_hash: cells[2].text().unwrap_or_default().to_owned(),
    }
}

/// The credit files of the customers `ids` (in the store's id order) from their
/// snapshots: one row per customer, by range or by look-up as in [`files_from_rows`].
pub(crate) fn customer_files(
    db: &mut Db,
    ids: &[String],
    wanted: Wanted<'_>,
    mut visit: impl FnMut(usize, Kind, &[Cell<'_>]),
) -> Result<Vec<CustomerHead>, StoreError> {
    let select = format!("SELECT {SNAPSHOT_COLUMNS} FROM credit_files");
    let plan = crate::snapshot::Plan::new(wanted);
    let mut out: Vec<CustomerHead> = Vec::new();
    // Customers whose snapshot cannot be read (damaged, or of a format this version does
    // not know), by position: their files are read from the records instead.
    let mut damaged: Vec<(usize, String)> = Vec::new();
    let mut read = |cells: &[Cell<'_>], body: &[u8], out: &mut Vec<CustomerHead>| {
        let id = cells[0].text().unwrap_or_default();
        let i = out.len();
        let customer = match crate::snapshot::decode(id, body, &plan, |kind, cells| visit(i, kind, cells)) {
            Ok(values) => Record { kind: Kind::Customers, values },
            Err(_) => {
                damaged.push((i, id.to_owned()));
                Record { kind: Kind::Customers, values: Vec::new() }
            }
        };
        out.push(snapshot_head(cells, customer));
    };
    let mut each: Vec<&String> = ids.iter().collect();
    if dense(db, "credit_files", "customer_id", ids)?
        && let (Some(first), Some(last)) = (ids.first(), ids.last())
    {
        let keep: std::collections::HashSet<&str> = ids.iter().map(String::as_str).collect();
        db.query_blob_rows(
            &format!("{select} WHERE customer_id >= ? AND customer_id <= ? ORDER BY customer_id"),
            &[first.as_str().into(), last.as_str().into()],
            |cells, body| {
                if keep.contains(cells[0].text().unwrap_or_default()) {
                    read(cells, body, &mut out);
                }
            },
        )?;
        each = not_found(ids, &out);
    }
    {
        for id in each {
            db.query_blob_rows(
                &format!("{select} WHERE customer_id = ?"),
                &[id.as_str().into()],
                |cells, body| read(cells, body, &mut out),
            )?;
        }
    }
    for (i, id) in damaged {
        let from_rows =
            files_from_rows(db, std::slice::from_ref(&id), wanted, |_, kind, cells| visit(i, kind, cells))?;
        out[i] = from_rows.into_iter().next().ok_or(StoreError::Snapshot {
            customer: id,
            reason: "the snapshot cannot be read and the customer has no records".to_owned(),
        })?;
    }
    Ok(out)
}

impl Store {
    /// Every customer id, in order.
    pub fn customer_ids(&mut self) -> Result<Vec<String>, StoreError> {
        let mut ids = Vec::new();
        // A customer's natural key is its id: its unique index gives the ids in order
        // without reading or sorting the table.
        self.db.query_cells("SELECT natural_key FROM customers ORDER BY natural_key", &[], |r| {
            ids.push(r[0].text().unwrap_or_default().to_owned());
        })?;
        Ok(ids)
    }

    /// The credit files of the customers `ids` (in the store's id order, as
    /// [`Store::customer_ids`] gives them), read from their snapshots: returns the heads of
    /// those that exist, in that order, and calls `visit(position in the heads, kind,
    /// cells)` for each of their records of the `wanted` kinds, with the wanted columns in
    /// the order asked, kind by kind and in natural-key order within a customer.
    pub fn customer_files(
        &mut self,
        ids: &[String],
        wanted: Wanted<'_>,
        visit: impl FnMut(usize, Kind, &[Cell<'_>]),
    ) -> Result<Vec<CustomerHead>, StoreError> {
        customer_files(&mut self.db, ids, wanted, visit)
    }

    /// One customer's credit file as it was at a data version (the newest import that
    /// had written any of its records then), when that version is the current one or was
    /// kept because a rating was computed from it; `None` otherwise.
    pub fn customer_file_at(
        &mut self,
        customer_id: &str,
        data_version: i64,
        wanted: Wanted<'_>,
        mut visit: impl FnMut(Kind, &[Cell<'_>]),
    ) -> Result<Option<CustomerHead>, StoreError> {
        let plan = crate::snapshot::Plan::new(wanted);
        let mut head = None;
        let mut failed = None;
        for table in ["credit_files", "credit_file_history"] {
            self.db.query_blob_rows(
                &format!("SELECT {SNAPSHOT_COLUMNS} FROM {table} WHERE customer_id = ? AND data_version = ?"),
                &[customer_id.into(), Value::Int(data_version)],
                |cells, body| match crate::snapshot::decode(customer_id, body, &plan, &mut visit) {
                    Ok(values) => head = Some(snapshot_head(cells, Record { kind: Kind::Customers, values })),
                    Err(e) => failed = Some(e),
                },
            )?;
            if let Some(e) = failed {
                return Err(e);
            }
            if head.is_some() {
                break;
            }
        }
        Ok(head)
    }

    /// [`Store::customer_files`] assembled from the record tables instead of the
    /// snapshots: the reference the snapshots are checked against.
    pub fn customer_files_from_rows(
        &mut self,
        ids: &[String],
        wanted: Wanted<'_>,
        visit: impl FnMut(usize, Kind, &[Cell<'_>]),
    ) -> Result<Vec<CustomerHead>, StoreError> {
        files_from_rows(&mut self.db, ids, wanted, visit)
    }

    /// The first date of an event type per customer (e.g. each customer's first
    /// `default`).
    pub fn first_event_dates(&mut self, event_type: &str) -> Result<HashMap<String, String>, StoreError> {
        let mut out = HashMap::new();
        self.db.query_each(
            "SELECT customer_id, MIN(event_date) FROM events WHERE event_type = ? GROUP BY customer_id",
            &[event_type.into()],
            |r| {
                out.insert(
                    r[0].as_text().unwrap_or_default().to_owned(),
                    r[1].as_text().unwrap_or_default().to_owned(),
                );
                Ok(())
            },
        )?;
        Ok(out)
    }

    /// The newest import that wrote any of one customer's records (0: none).
    pub fn data_version(&mut self, customer_id: &str) -> Result<i64, StoreError> {
        let v = self.db.query_one(
            "SELECT data_version FROM credit_files WHERE customer_id = ?",
            &[customer_id.into()],
        )?;
        Ok(v.and_then(|x| x.as_int()).unwrap_or(0))
    }

    /// For each customer, the newest import that wrote any of its records: a rating older
    /// than this is stale. Read from the snapshots' index, not the record tables.
    pub fn data_versions(&mut self) -> Result<crate::IdMap<i64>, StoreError> {
        let n = self
            .db
            .query_one("SELECT COUNT(*) FROM credit_files", &[])?
            .and_then(|v| v.as_int())
            .unwrap_or(0);
        let mut out = crate::IdMap::with_capacity_and_hasher(n.max(0) as usize, Default::default());
        self.db.query_cells("SELECT customer_id, data_version FROM credit_files", &[], |r| {
            out.insert(r[0].text().unwrap_or_default().to_owned(), r[1].int().unwrap_or(0));
        })?;
        Ok(out)
    }
}
