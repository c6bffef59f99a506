//! Behavioural quantities from the receivables ledger (IND-2), as at any date `d`, so
//! the same definitions serve the as-of date and the earlier dates trends need.
//!
//! * **Open amount of an invoice** at `d`: its amount if issued on or before `d`, less
//!   the payments applied to it and the credit notes against it dated on or before `d`,
//!   never below zero. Payments on account (no invoice number) dated on or before `d` are
//!   applied to the open invoices with the oldest due date first, as collectors do.
//! * **`open_receivables`**: the sum of open amounts.
//! * **`overdue_receivables(a, b)`**: open amount of invoices `a` to `b` days past due
//!   (days from the due date to `d`; due today is 0 days).
//! * **`open_orders`**: orders flagged open and dated on or before `d` (the ledger keeps
//!   only the current open flag, so earlier dates use it too).
//! * **`invoiced(window)`**: amount of invoices issued in the window.
//! * **`dso`**: open receivables / amount invoiced in the 365 days to `d` × 365 days;
//!   missing when nothing was invoiced then.
//! * **`days_beyond_terms`**: the amount-weighted mean of days paid after the due date
//!   over the payments applied to invoices in the 12 months to `d` (early or on-time
//!   payments count 0 days, weight = payment amount), together with the invoices still
//!   open and past due at `d`, which count the days overdue so far (weight = open
//!   amount). Payments on account have no due date and do not count. Missing when there
//!   is neither.
//! * **`timeliness_score`**: 0–10 points from days beyond terms, piecewise linear through
//!   (0 days, 10), (15, 8), (30, 5), (60, 2), (90, 0) and 0 beyond. The sources fix only
//!   the knock-out "≤ 5 points → grade C" (RATE-3); the curve puts it at one month
//!   late on average, the usual first collection escalation.

use chrono::{Datelike, NaiveDate};

use crate::input::CustomerFile;
use crate::periods::{shift_days, shift_months};
use crate::program::{Period, Window};

const NONE: u32 = u32::MAX;

/// The curve of the payment timeliness score: (days beyond terms, points).
pub(crate) const TIMELINESS_CURVE: [(f64, f64); 5] =
    [(0.0, 10.0), (15.0, 8.0), (30.0, 5.0), (60.0, 2.0), (90.0, 0.0)];

pub(crate) fn timeliness_points(days: f64) -> f64 {
    let mut prev = TIMELINESS_CURVE[0];
    if days <= prev.0 {
        return prev.1;
    }
    for p in &TIMELINESS_CURVE[1..] {
        if days <= p.0 {
            return prev.1 + (days - prev.0) * (p.1 - prev.1) / (p.0 - prev.0);
        }
        prev = *p;
    }
    prev.1
}

/// Days since the common era: date arithmetic on plain integers.
pub(crate) fn day(d: NaiveDate) -> i32 {
    d.num_days_from_ce()
}

/// The window `(start, end]` of a window at date `d`.
pub(crate) fn window_bounds(w: Window, d: NaiveDate) -> (NaiveDate, NaiveDate) {
    let back = |date: NaiveDate, p: Period| match p {
        Period::Days(n) => shift_days(date, -(n as i64)),
        Period::Months(n) => shift_months(date, -(n as i32)),
    };
    let end = back(d, w.shift);
    (back(end, w.length), end)
}

/// A customer's ledger with dates as day numbers and payments and credit notes matched
/// to invoices, prepared once per evaluation.
pub(crate) struct Ledger {
    invoices: Vec<Row>,
    /// (day, invoice, amount) of payments applied to an invoice.
    applied: Vec<(i32, u32, f64)>,
    /// (day, amount) of payments on account.
    on_account: Vec<(i32, f64)>,
    /// (day, invoice, amount) of credit notes against a known invoice.
    notes: Vec<(i32, u32, f64)>,
    /// (day, amount) of open orders.
    orders: Vec<(i32, f64)>,
    /// Invoices by due date, for applying payments on account.
    by_due: Vec<u32>,
}

/// An invoice in day numbers, with its open amount at the date last computed.
#[derive(Debug, Clone, Copy)]
struct Row {
    issue: i32,
    due: i32,
    amount: f64,
    open: f64,
}

/// Ledger figures at one date, from which the aggregates are read.
pub(crate) struct LedgerAt<'l> {
    ledger: &'l Ledger,
    day: i32,
    pub open_total: f64,
}

impl Ledger {
    pub fn new(file: &CustomerFile) -> Ledger {
        let inv = &file.invoices;
        // Payments usually follow their invoices in order, so the invoice found last is
        // tried first; a sorted index is built only when that guess misses.
        let mut by_number: Vec<(&str, u32)> = Vec::new();
        let mut last = 0usize;
        let mut find = |no: &str| -> u32 {
            for i in [last, last + 1] {
                if inv.get(i).is_some_and(|x| x.invoice_no == no) {
                    last = i;
                    return i as u32;
                }
            }
            if by_number.is_empty() {
                by_number = inv.iter().enumerate().map(|(i, x)| (x.invoice_no.as_str(), i as u32)).collect();
                by_number.sort_unstable();
            }
            match by_number.binary_search_by(|(n, _)| (*n).cmp(no)) {
                Ok(k) => {
                    last = by_number[k].1 as usize;
                    by_number[k].1
                }
                Err(_) => NONE,
            }
        };
        let mut applied = Vec::with_capacity(file.payments.len());
        let mut on_account = Vec::new();
        for p in &file.payments {
            match p.invoice_no.as_deref().map_or(NONE, &mut find) {
                NONE => on_account.push((day(p.date), p.amount)),
                i => applied.push((day(p.date), i, p.amount)),
            }
        }
        let notes = file
            .credit_notes
            .iter()
            .filter_map(|c| match find(&c.invoice_no) {
                NONE => None,
                i => Some((day(c.date), i, c.amount)),
            })
            .collect();
        let invoices: Vec<Row> = inv
            .iter()
            .map(|i| Row { issue: day(i.issue_date), due: day(i.due_date), amount: i.amount, open: 0.0 })
            .collect();
        let mut by_due = Vec::new();
        if !on_account.is_empty() {
            by_due = (0..inv.len() as u32).collect();
            by_due.sort_by_key(|&i| invoices[i as usize].due);
        }
        Ledger {
            invoices,
            applied,
            on_account,
            notes,
            orders: file.orders.iter().filter(|o| o.open).map(|o| (day(o.order_date), o.amount)).collect(),
            by_due,
        }
    }

    /// Computes the open amount of every invoice at day `d`.
    pub fn at(&mut self, d: i32) -> LedgerAt<'_> {
        for r in &mut self.invoices {
            r.open = if r.issue <= d { r.amount } else { 0.0 };
        }
        for &(when, inv, amount) in self.applied.iter().chain(&self.notes) {
            if when <= d {
                self.invoices[inv as usize].open -= amount;
            }
        }
        for r in &mut self.invoices {
            r.open = r.open.max(0.0);
        }
        let mut on_account: f64 = self.on_account.iter().filter(|(when, _)| *when <= d).map(|(_, a)| a).sum();
        for &i in &self.by_due {
            if on_account <= 0.0 {
                break;
            }
            let r = &mut self.invoices[i as usize];
            let take = r.open.min(on_account);
            r.open -= take;
            on_account -= take;
        }
        let open_total = self.invoices.iter().map(|r| r.open).sum();
        LedgerAt { ledger: self, day: d, open_total }
    }
}

impl LedgerAt<'_> {
    /// Amount of invoices issued in the days `(start, end]`.
    pub fn invoiced(&self, (start, end): (i32, i32)) -> f64 {
        self.ledger.invoices.iter().filter(|r| r.issue > start && r.issue <= end).map(|r| r.amount).sum()
    }

    pub fn overdue(&self, min_days: u32, max_days: u32) -> f64 {
        let mut sum = 0.0;
        for r in &self.ledger.invoices {
            let past_due = (self.day - r.due) as i64;
            if r.open > 0.0 && past_due >= min_days as i64 && past_due <= max_days as i64 {
                sum += r.open;
            }
        }
        sum
    }

    pub fn open_orders(&self) -> f64 {
        self.ledger.orders.iter().filter(|(when, _)| *when <= self.day).map(|(_, a)| a).sum()
    }

    /// Open receivables over the amount invoiced in the 365 days to this date (the DSO
    /// in years); `None` when nothing was invoiced.
    pub fn dso(&self) -> Option<f64> {
        let invoiced = self.invoiced((self.day - 365, self.day));
        (invoiced > 0.0).then(|| self.open_total / invoiced)
    }

    /// Days beyond terms at this date, in days; `since` is the day 12 months before.
    /// `None` when there is no payment in the window and nothing overdue.
    pub fn days_beyond_terms(&self, since: i32) -> Option<f64> {
        let l = self.ledger;
        let mut weighted = 0.0;
        let mut weight = 0.0;
        for &(when, inv, amount) in &l.applied {
            if when > since && when <= self.day && amount > 0.0 {
                let late = (when - l.invoices[inv as usize].due).max(0) as f64;
                weighted += amount * late;
                weight += amount;
            }
        }
        for r in &l.invoices {
            if r.open > 0.0 && r.due < self.day {
                weighted += r.open * (self.day - r.due) as f64;
                weight += r.open;
            }
        }
        (weight > 0.0).then(|| weighted / weight)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeliness_curve() {
        let cases =
            [(0.0, 10.0), (-3.0, 10.0), (7.5, 9.0), (30.0, 5.0), (45.0, 3.5), (75.0, 1.0), (200.0, 0.0)];
        for (d, p) in cases {
            assert!((timeliness_points(d) - p).abs() < 1e-12, "{d}");
        }
    }
}
