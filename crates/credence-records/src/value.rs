//! Normalised cell values and records: what validation produces and the store persists.

use crate::schema::{FieldType, Kind, Schema};
use credence_domain::{Timestamp, decimal_from_minor_units};

/// A normalised cell. Dates are ISO text, booleans 0/1, money integer minor units, labels
/// and currencies their codes: the same four types fit SQLite and PostgreSQL.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(untagged)]
pub enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
}

impl Value {
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }

    pub fn as_real(&self) -> Option<f64> {
        match self {
            Value::Real(r) => Some(*r),
            Value::Int(i) => Some(*i as f64),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// Feeds a type-tagged encoding to a hasher, so `Int(1)` and `Text("1")` differ.
    fn hash_into(&self, h: &mut xxhash_rust::xxh3::Xxh3) {
        match self {
            Value::Null => h.update(&[0]),
            Value::Int(i) => {
                h.update(&[1]);
                h.update(&i.to_le_bytes());
            }
            Value::Real(r) => {
                h.update(&[2]);
                h.update(&r.to_bits().to_le_bytes());
            }
            Value::Text(s) => {
                h.update(&[3]);
                h.update(&(s.len() as u64).to_le_bytes());
                h.update(s.as_bytes());
            }
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Text(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Text(s)
    }
}

impl From<Timestamp> for Value {
    fn from(t: Timestamp) -> Self {
        Value::Text(t.into_string())
    }
}

impl From<&Timestamp> for Value {
    fn from(t: &Timestamp) -> Self {
        Value::Text(t.as_str().to_owned())
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}

impl From<f64> for Value {
    fn from(r: f64) -> Self {
        Value::Real(r)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(o: Option<T>) -> Self {
        o.map_or(Value::Null, Into::into)
    }
}

/// One validated record of a kind: values in the order of the kind's fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub kind: Kind,
    pub values: Vec<Value>,
}

impl Record {
    /// A record with every column null, to be filled with [`Record::set`].
    pub fn empty(kind: Kind) -> Self {
        Self { kind, values: vec![Value::Null; kind.schema().fields.len()] }
    }

    pub fn schema(&self) -> &'static Schema {
        self.kind.schema()
    }

    /// Sets a column by name. Panics on an unknown column: names are compile-time constants
    /// of the schema.
    pub fn set(&mut self, column: &str, value: impl Into<Value>) -> &mut Self {
        let i = self.schema().col(column);
        self.values[i] = value.into();
        self
    }

    pub fn get(&self, column: &str) -> &Value {
        &self.values[self.schema().col(column)]
    }

    /// The value of a column the kind may not have.
    pub fn try_get(&self, column: &str) -> Option<&Value> {
        self.schema().index(column).map(|i| &self.values[i])
    }

    pub fn text(&self, column: &str) -> Option<&str> {
        self.get(column).as_text()
    }

    pub fn int(&self, column: &str) -> Option<i64> {
        self.get(column).as_int()
    }

    pub fn real(&self, column: &str) -> Option<f64> {
        self.get(column).as_real()
    }

    /// The natural key as one string (columns joined by U+001F).
    pub fn key(&self) -> String {
        let schema = self.schema();
        let mut out = String::new();
        for (n, i) in schema.key_indices().into_iter().enumerate() {
            if n > 0 {
                out.push('\u{1f}');
            }
            match &self.values[i] {
                Value::Null => {}
                Value::Int(v) => out.push_str(&v.to_string()),
                Value::Real(v) => out.push_str(&v.to_string()),
                Value::Text(s) => out.push_str(s),
            }
        }
        out
    }

    /// A 128-bit content hash of every value, hex encoded: equal hashes mean a re-import
    /// leaves the record unchanged.
    pub fn content_hash(&self) -> String {
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        h.update(self.kind.code().as_bytes());
        for v in &self.values {
            v.hash_into(&mut h);
        }
        format!("{:032x}", h.digest128())
    }

    /// Cells as text for export, in the same format import reads: money with its
    /// currency's decimals, booleans 1/0, empty for null.
    pub fn to_cells(&self) -> Vec<String> {
        let schema = self.schema();
        schema
            .fields
            .iter()
            .zip(&self.values)
            .map(|(field, value)| match (field.ty, value) {
                (_, Value::Null) => String::new(),
                (FieldType::Money { currency }, Value::Int(minor)) => {
                    let exponent = self
                        .text(currency)
                        .and_then(|c| credence_domain::Currency::parse(c).ok())
                        .map_or(2, |c| c.exponent());
                    decimal_from_minor_units(*minor, exponent)
                }
                (_, Value::Int(i)) => i.to_string(),
                (_, Value::Real(r)) => r.to_string(),
                (_, Value::Text(s)) => s.clone(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_and_hash_follow_values() {
        let mut a = Record::empty(Kind::Events);
        a.set("customer_id", "C1").set("event_type", "news").set("event_date", "2026-01-02");
        assert_eq!(a.key(), "C1\u{1f}news\u{1f}2026-01-02\u{1f}");
        let mut b = a.clone();
        assert_eq!(a.content_hash(), b.content_hash());
        b.set("sentiment", 0.5);
        assert_ne!(a.content_hash(), b.content_hash());
    }

    #[test]
    fn text_and_number_hash_differently() {
        let mut a = Record::empty(Kind::Customers);
        a.set("employees", 1_i64);
        let mut b = Record::empty(Kind::Customers);
        b.set("employees", "1");
        assert_ne!(a.content_hash(), b.content_hash());
    }

    #[test]
    fn cells_format_money_with_currency_decimals() {
        let mut r = Record::empty(Kind::Invoices);
        r.set("invoice_no", "I1").set("amount", 123_450_i64).set("currency", "CNY");
        assert_eq!(r.to_cells()[4], "1234.50");
        r.set("currency", "JPY");
        assert_eq!(r.to_cells()[4], "123450");
    }
}
