//! Helpers shared by the tests.

use chrono::NaiveDate;
use credence_control::{CustomerSnapshot, Level, OpenReceivable};

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Minor units of whole yuan.
pub fn yuan(x: i64) -> i64 {
    x * 100
}

pub fn item(no: &str, issue: NaiveDate, due: NaiveDate, open: i64) -> OpenReceivable {
    OpenReceivable { invoice_no: no.into(), issue_date: issue, due_date: due, open }
}

/// A green, grade-A customer without receivables or orders.
pub fn customer(id: &str, limit: i64) -> CustomerSnapshot {
    CustomerSnapshot {
        customer_id: id.into(),
        receivables: vec![],
        unapplied: 0,
        open_orders: 0,
        special_exposure: 0,
        limit,
        temporary_limit: None,
        grade: Some("A".into()),
        level: Level::Green,
        group_id: None,
    }
}
