//! Reading whole credit files: every record of a range of customers, grouped per
//! customer, with one range query per kind.

use crate::db::Db;
use crate::sql::sql_for;
use crate::{Store, StoreError};
use credence_records::{Kind, Record, Value};
use std::collections::HashMap;

/// One customer's records of every kind.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerRecords {
    pub customer: Record,
    /// The newest import that wrote any of these records.
    pub data_version: i64,
    /// Hash over every record's content hash, in load order: equal when the records are.
    pub records_hash: String,
    /// Records of the other customer-owned kinds, each ordered by natural key.
    pub records: Vec<(Kind, Vec<Record>)>,
}

impl CustomerRecords {
    pub fn of(&self, kind: Kind) -> &[Record] {
        self.records.iter().find(|(k, _)| *k == kind).map_or(&[], |(_, r)| r.as_slice())
    }
}

pub(crate) fn customer_records(
    db: &mut Db,
    first: &str,
    last: &str,
) -> Result<Vec<CustomerRecords>, StoreError> {
    let range = [Value::from(first), Value::from(last)];
    let mut out: Vec<CustomerRecords> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut hashers: Vec<xxhash_rust::xxh3::Xxh3> = Vec::new();
    // A customer's natural key is its id, and that column carries the unique index.
    db.query_each(
        &format!(
            "SELECT import_id, row_hash, {} FROM customers WHERE natural_key >= ? AND natural_key <= ? ORDER BY natural_key",
            sql_for(Kind::Customers).columns
        ),
        &range,
        |mut values| {
            let mut head = values.drain(..2);
            let data_version = head.next().and_then(|v| v.as_int()).unwrap_or(0);
            let row_hash = head.next().unwrap_or(Value::Null);
            drop(head);
            let mut h = xxhash_rust::xxh3::Xxh3::new();
            h.update(row_hash.as_text().unwrap_or_default().as_bytes());
            hashers.push(h);
            let customer = Record { kind: Kind::Customers, values };
            index.insert(customer.text("customer_id").unwrap_or_default().to_owned(), out.len());
            out.push(CustomerRecords { customer, data_version, records_hash: String::new(), records: Vec::new() });
            Ok(())
        },
    )?;
    for kind in Kind::ALL {
        if kind == Kind::Customers || kind.schema().customer_column.is_none() {
            continue;
        }
        for c in &mut out {
            c.records.push((kind, Vec::new()));
        }
        let slot = out.first().map_or(0, |c| c.records.len() - 1);
        let at = kind.schema().col("customer_id");
        db.query_each(
            &format!(
                "SELECT import_id, row_hash, {} FROM {} WHERE customer_id >= ? AND customer_id <= ? ORDER BY customer_id, natural_key",
                sql_for(kind).columns,
                kind.code()
            ),
            &range,
            |mut values| {
                let mut head = values.drain(..2);
                let version = head.next().and_then(|v| v.as_int()).unwrap_or(0);
                let row_hash = head.next().unwrap_or(Value::Null);
                drop(head);
                if let Some(&i) = values[at].as_text().and_then(|c| index.get(c)) {
                    let c = &mut out[i];
                    c.data_version = c.data_version.max(version);
                    hashers[i].update(row_hash.as_text().unwrap_or_default().as_bytes());
                    c.records[slot].1.push(Record { kind, values });
                }
                Ok(())
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

    /// The records of every customer whose id is in `first ..= last`, in id order.
    pub fn customer_records(&mut self, first: &str, last: &str) -> Result<Vec<CustomerRecords>, StoreError> {
        customer_records(&mut self.db, first, last)
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
