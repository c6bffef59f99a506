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

pub(crate) fn customer_files(
    db: &mut Db,
    first: &str,
    last: &str,
    wanted: Wanted<'_>,
    mut visit: impl FnMut(usize, Kind, &[Cell<'_>]),
) -> Result<Vec<CustomerHead>, StoreError> {
    let range = [Value::from(first), Value::from(last)];
    let mut out: Vec<CustomerHead> = Vec::new();
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
            let mut h = xxhash_rust::xxh3::Xxh3::new();
            h.update(cells[1].text().unwrap_or_default().as_bytes());
            hashers.push(h);
            let customer = Record { kind: Kind::Customers, values: cells[2..].iter().map(|c| c.to_value()).collect() };
            index.insert(customer.text("customer_id").unwrap_or_default().to_owned(), out.len());
            out.push(CustomerHead {
                customer,
                data_version: cells[0].int().unwrap_or(0),
                records_hash: String::new(),
            });
        },
    )?;
    for kind in Kind::ALL {
        if kind == Kind::Customers || kind.schema().customer_column.is_none() {
            continue;
        }
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
                    hashers[i].update(cells[1].text().unwrap_or_default().as_bytes());
                    if wanted_columns.is_some() {
                        visit(i, kind, &cells[3..]);
                    }
                }
            },
        )?;
    }
    for (c, h) in out.iter_mut().zip(&hashers) {
        c.records_hash = format!("{:032x}", h.digest128());
    }
    Ok(out)
}

impl Store {
    /// Every customer id, in order.
    pub fn customer_ids(&mut self) -> Result<Vec<String>, StoreError> {
        let mut ids = Vec::new();
        self.db.query_each("SELECT customer_id FROM customers ORDER BY customer_id", &[], |r| {
            ids.push(r[0].as_text().unwrap_or_default().to_owned());
            Ok(())
        })?;
        Ok(ids)
    }

    /// The credit files of every customer whose id is in `first ..= last`: returns their
    /// heads in id order and calls `visit(position in the heads, kind, cells)` for each
    /// of their records of the `wanted` kinds, with the wanted columns in the order
    /// asked, kind by kind and in natural-key order within a customer.
    pub fn customer_files(
        &mut self,
        first: &str,
        last: &str,
        wanted: Wanted<'_>,
        visit: impl FnMut(usize, Kind, &[Cell<'_>]),
    ) -> Result<Vec<CustomerHead>, StoreError> {
        customer_files(&mut self.db, first, last, wanted, visit)
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

    /// The newest import that wrote any of one customer's records (0: none), in one query.
    pub fn data_version(&mut self, customer_id: &str) -> Result<i64, StoreError> {
        let parts: Vec<String> = Kind::ALL
            .iter()
            .filter_map(|kind| {
                let column = kind.schema().customer_column?;
                // A customer's own record is found by its natural key, which is indexed.
                let column = if *kind == Kind::Customers { "natural_key" } else { column };
                Some(format!("SELECT MAX(import_id) AS v FROM {} WHERE {column} = ?", kind.code()))
            })
            .collect();
        let params: Vec<Value> = parts.iter().map(|_| customer_id.into()).collect();
        let row =
            self.db.query_one(&format!("SELECT MAX(v) FROM ({}) x", parts.join(" UNION ALL ")), &params)?;
        Ok(row.and_then(|x| x.as_int()).unwrap_or(0))
    }

    /// For each customer, the newest import that wrote any of its records: a rating older
    /// than this is stale.
    pub fn data_versions(&mut self) -> Result<HashMap<String, i64>, StoreError> {
        let mut out: HashMap<String, i64> = HashMap::new();
        for kind in Kind::ALL {
            if kind.schema().customer_column.is_none() {
                continue;
            }
            self.db.query_each(
                &format!("SELECT customer_id, MAX(import_id) FROM {} GROUP BY customer_id", kind.code()),
                &[],
                |r| {
                    let v = r[1].as_int().unwrap_or(0);
                    let e = out.entry(r[0].as_text().unwrap_or_default().to_owned()).or_insert(v);
                    *e = (*e).max(v);
                    Ok(())
                },
            )?;
        }
        Ok(out)
    }
}
