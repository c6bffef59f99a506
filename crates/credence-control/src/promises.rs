//! Promises to pay and disputes (CTRL-9): whether a promise was kept or broken at a date,
//! and the promise-kept and dispute rates a rating can use as behavioural indicators.
//!
//! A promise is **kept** on the day the payments counted for it reach the promised amount,
//! if that is on or before its deadline (the promised date plus the strategy's grace days).
//! It is **broken** the day after the deadline if they did not. Until then it is
//! **pending**. Counted payments are those dated from the day the promise was made to the
//! deadline; a promise that names an invoice counts payments naming that invoice and
//! payments on account.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::aging::{LedgerInvoice, LedgerPayment};
use crate::dates::months_back;

/// A customer's promise to pay an amount (minor units) by a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Promise {
    pub made_on: NaiveDate,
    pub promised_date: NaiveDate,
    pub amount: i64,
    pub invoice_no: Option<String>,
}

impl Promise {
    /// The last day a payment counts: the promised date plus the grace days.
    pub fn deadline(&self, grace_days: u32) -> NaiveDate {
        self.promised_date.checked_add_days(Days::new(u64::from(grace_days))).unwrap_or(NaiveDate::MAX)
    }
}

/// Where a promise stands at a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum PromiseStatus {
    /// Not yet kept; payments still count until `deadline`.
    Pending {
        deadline: NaiveDate,
        paid: i64,
    },
    Kept {
        on: NaiveDate,
    },
    /// Broken on the day after the deadline, with what was paid by then.
    Broken {
        on: NaiveDate,
        paid: i64,
    },
}

/// The status of a promise at `as_of`, from the customer's payments (any order).
pub fn promise_status(
    promise: &Promise,
    payments: &[LedgerPayment],
    as_of: NaiveDate,
    grace_days: u32,
) -> PromiseStatus {
    let deadline = promise.deadline(grace_days);
    let last = deadline.min(as_of);
    let mut counted: Vec<(NaiveDate, i64)> = payments
        .iter()
        .filter(|p| p.date >= promise.made_on && p.date <= last)
        .filter(|p| match (&promise.invoice_no, &p.invoice_no) {
            (Some(want), Some(got)) => want == got,
            _ => true,
        })
        .map(|p| (p.date, p.amount))
        .collect();
    counted.sort_by_key(|&(d, _)| d);
    let mut paid = 0;
    for (d, a) in counted {
        paid += a;
        if paid >= promise.amount {
            return PromiseStatus::Kept { on: d };
        }
    }
    if as_of > deadline {
        PromiseStatus::Broken { on: deadline.succ_opt().unwrap_or(deadline), paid }
    } else {
        PromiseStatus::Pending { deadline, paid }
    }
}

/// A dispute raised by the customer about an invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dispute {
    pub invoice_no: String,
    pub opened_on: NaiveDate,
    pub amount: i64,
    pub resolved_on: Option<NaiveDate>,
}

/// Promise and dispute behaviour over a window, for rating (IND-2).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PaymentBehaviour {
    pub window_start: NaiveDate,
    pub as_of: NaiveDate,
    /// Promises decided (kept or broken) in the window.
    pub promises_kept: u32,
    pub promises_broken: u32,
    pub promises_pending: u32,
    /// kept / (kept + broken) × 100; `None` when no promise was decided.
    pub promise_kept_rate_pct: Option<f64>,
    /// Invoices issued in the window and how many of them were disputed (by the as-of date).
    pub invoices: u32,
    pub disputed_invoices: u32,
    /// disputed / invoices × 100; `None` when no invoice was issued.
    pub dispute_rate_pct: Option<f64>,
}

/// Promise-kept and dispute rates over the `window_months` to `as_of` (after the date that
/// many months earlier, up to and including `as_of`). A promise belongs to the window of
/// the day it was decided (kept, or broken); a dispute counts against the invoices issued
/// in the window, each invoice once.
pub fn payment_behaviour(
    promises: &[Promise],
    payments: &[LedgerPayment],
    disputes: &[Dispute],
    invoices: &[LedgerInvoice],
    as_of: NaiveDate,
    window_months: u32,
    grace_days: u32,
) -> PaymentBehaviour {
    let start = months_back(as_of, window_months);
    let in_window = |d: NaiveDate| d > start && d <= as_of;
    let (mut kept, mut broken, mut pending) = (0, 0, 0);
    for p in promises.iter().filter(|p| p.made_on <= as_of) {
        match promise_status(p, payments, as_of, grace_days) {
            PromiseStatus::Kept { on } if in_window(on) => kept += 1,
            PromiseStatus::Broken { on, .. } if in_window(on) => broken += 1,
            PromiseStatus::Pending { .. } => pending += 1,
            _ => {}
        }
    }
    let mut issued: Vec<&str> =
        invoices.iter().filter(|i| in_window(i.issue_date)).map(|i| i.invoice_no.as_str()).collect();
    issued.sort_unstable();
    issued.dedup();
    let mut disputed: Vec<&str> = disputes
        .iter()
        .filter(|d| d.opened_on <= as_of && issued.binary_search(&d.invoice_no.as_str()).is_ok())
        .map(|d| d.invoice_no.as_str())
        .collect();
    disputed.sort_unstable();
    disputed.dedup();
    let decided = kept + broken;
    PaymentBehaviour {
        window_start: start,
        as_of,
        promises_kept: kept,
        promises_broken: broken,
        promises_pending: pending,
        promise_kept_rate_pct: (decided > 0).then(|| f64::from(kept) / f64::from(decided) * 100.0),
        invoices: issued.len() as u32,
        disputed_invoices: disputed.len() as u32,
        dispute_rate_pct: (!issued.is_empty()).then(|| disputed.len() as f64 / issued.len() as f64 * 100.0),
    }
}
