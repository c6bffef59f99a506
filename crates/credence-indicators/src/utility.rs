//! Utility billing quantities (IND-2, SCN-1) from the bills of the billing accounts a
//! customer holds (a manufacturer with a trade-credit file and an electricity account),
//! as at a date `d` with a window `(start, end]`:
//!
//! * **`utility_bills(window)`**: bills with something to pay, not disputed, due in the
//!   window on or before `d`.
//! * **`utility_late_bills(window)`**: of those, the ones not paid in full by their due
//!   date (still open at `d`, or settled after the due date).
//! * **`utility_billed(window)`**: the amount of the bills issued in the window
//!   (corrections included).
//! * **`utility_overdue(min_days)`**: what is unpaid at `d` on undisputed bills past their
//!   due date by at least `min_days` days (and at least one).
//!
//! All are missing for a customer that holds no billing account with a bill, so a
//! customer without one is not rated as a perfect payer of electricity.
//! `1 − utility_late_bills(12m) / utility_bills(12m)` is the share of bills paid on time.

use crate::input::CustomerFile;
use crate::ledger::day;

fn inside((start, end): (i32, i32), d: i32) -> bool {
    d > start && d <= end
}

fn to_pay(file: &CustomerFile, window: (i32, i32)) -> impl Iterator<Item = &crate::input::UtilityBill> {
    file.utility_bills
        .iter()
        .filter(move |b| b.amount > 0.0 && !b.disputed && inside(window, day(b.due_date)))
}

pub(crate) fn bills(file: &CustomerFile, window: (i32, i32)) -> f64 {
    to_pay(file, window).count() as f64
}

pub(crate) fn late_bills(file: &CustomerFile, window: (i32, i32)) -> f64 {
    to_pay(file, window).filter(|b| b.unpaid_at(b.due_date) > 0.0).count() as f64
}

pub(crate) fn billed(file: &CustomerFile, window: (i32, i32)) -> f64 {
    file.utility_bills.iter().filter(|b| inside(window, day(b.issue_date))).map(|b| b.amount).sum()
}

pub(crate) fn overdue(file: &CustomerFile, min_days: u32, d: chrono::NaiveDate) -> f64 {
    file.utility_bills
        .iter()
        .filter(|b| {
            let days = (d - b.due_date).num_days();
            !b.disputed && days >= 1 && days >= i64::from(min_days)
        })
        .map(|b| b.unpaid_at(d))
        .sum()
}
