//! Promises to pay (CTRL-9): whether a promise was kept or broken at a date. The engine
//! hands each promise's outcome to the indicators, where the promise-kept rate is a
//! behavioural indicator for rating.
//!
//! A promise is **kept** on the day the payments counted for it reach the promised amount,
//! if that is on or before its deadline (the promised date plus its grace days: those
//! fixed when it was made, else the strategy's).
//! It is **broken** the day after the deadline if they did not. Until then it is
//! **pending**. Counted payments are those dated from the day the promise was made to the
//! deadline; a promise that names an invoice counts payments naming that invoice and
//! payments on account.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::aging::LedgerPayment;

/// A customer's promise to pay an amount (minor units) by a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Promise {
    pub made_on: NaiveDate,
    pub promised_date: NaiveDate,
    pub amount: i64,
    pub invoice_no: Option<String>,
    /// Grace days fixed when the promise was made; `None`: the strategy's.
    pub grace_days: Option<u32>,
}

impl Promise {
    /// The last day a payment counts: the promised date plus the promise's grace days,
    /// or `default_grace_days` when it has none of its own.
    pub fn deadline(&self, default_grace_days: u32) -> NaiveDate {
        let grace = self.grace_days.unwrap_or(default_grace_days);
        self.promised_date.checked_add_days(Days::new(u64::from(grace))).unwrap_or(NaiveDate::MAX)
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

/// The status of a promise at `as_of`, from the customer's payments (any order), with
/// `default_grace_days` for a promise without grace days of its own.
pub fn promise_status(
    promise: &Promise,
    payments: &[LedgerPayment],
    as_of: NaiveDate,
    default_grace_days: u32,
) -> PromiseStatus {
    let deadline = promise.deadline(default_grace_days);
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
