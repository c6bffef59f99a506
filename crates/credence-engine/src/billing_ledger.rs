//! An account's bills and payments as a ledger (SCN-1), and when a bill counts as in
//! arrears.
//!
//! **Payments.** A payment naming a bill settles that bill first; what it does not need,
//! and every payment on account, settles the oldest undisputed bills still open when it
//! arrives (first in, first out); what is left is credit (prepaid electricity), which
//! settles bills as they are issued. A correction bill (zero or negative) is credit from
//! its issue date. After a change of holder (过户) or a bankruptcy, money on account
//! settles only the bills issued since: the earlier ones stay with the previous holder, or
//! are a claim in the bankruptcy.

use chrono::NaiveDate;
use credence_store::AccountLedger;

/// When a bill counts as in arrears.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct ArrearsRule {
    /// Days after the due date at which what is unpaid is measured.
    pub days_after_due: u32,
    /// The smallest unpaid amount that counts, in minor units.
    pub min_amount: i64,
}

impl Default for ArrearsRule {
    fn default() -> Self {
        // 100.00 in minor units.
        ArrearsRule { days_after_due: 30, min_amount: 10_000 }
    }
}

/// A bill in the ledger, with what was applied to it and when.
#[derive(Debug, Clone)]
pub(crate) struct Bill {
    pub(crate) issued: NaiveDate,
    pub(crate) due: NaiveDate,
    /// Minor units; zero or less for a correction bill.
    pub(crate) amount: i64,
    /// Amounts in major units divide by this.
    pub(crate) unit: f64,
    pub(crate) kwh: Option<f64>,
    pub(crate) status: Option<i64>,
    pub(crate) disputed: bool,
    /// (date, minor units) applied to the bill, in date order.
    pub(crate) applied: Vec<(NaiveDate, i64)>,
}

impl Bill {
    pub(crate) fn owed(&self) -> i64 {
        self.amount.max(0)
    }
    pub(crate) fn unpaid_at(&self, on: NaiveDate) -> i64 {
        self.owed() - self.applied.iter().filter(|(d, _)| *d <= on).map(|(_, a)| a).sum::<i64>()
    }
    /// The date the bill was settled in full, if it was.
    pub(crate) fn settled_on(&self) -> Option<NaiveDate> {
        if self.owed() == 0 {
            return Some(self.issued);
        }
        let mut paid = 0;
        for (d, a) in &self.applied {
            paid += a;
            if paid >= self.owed() {
                return Some(*d);
            }
        }
        None
    }
    /// Whether the bill is in arrears by `rule` (asked only once it is mature).
    pub(crate) fn in_arrears(&self, rule: &ArrearsRule) -> bool {
        !self.disputed
            && self.unpaid_at(self.due + chrono::Days::new(rule.days_after_due.into())) >= rule.min_amount
    }
    pub(crate) fn mature(&self, rule: &ArrearsRule, on: NaiveDate) -> bool {
        self.due + chrono::Days::new(rule.days_after_due.into()) <= on
    }
    /// Days the bill was paid late, as seen at `on` (only for a bill due by then): until
    /// it was settled, or until `on` while it is open.
    pub(crate) fn late_days(&self, on: NaiveDate) -> i64 {
        let until = self.settled_on().filter(|d| *d <= on).unwrap_or(on);
        (until - self.due).num_days().max(0)
    }
}

/// An account's bills with its payments applied, and its credit over time.
#[derive(Debug, Clone)]
pub(crate) struct Ledger {
    pub(crate) bills: Vec<Bill>,
    /// (date, minor units, major-unit divisor) of every payment.
    pub(crate) payments: Vec<(NaiveDate, i64, f64)>,
    /// Changes of the credit balance (unapplied money) in date order.
    credit: Vec<(NaiveDate, i64)>,
    /// Disconnections by day cut.
    pub(crate) cuts: Vec<Cut>,
    /// (date, whether tampering) of every meter event, by date.
    pub(crate) meter: Vec<(NaiveDate, bool)>,
    /// Days the account passed to a new holder (过户), in order.
    transfers: Vec<NaiveDate>,
    /// Days a court accepted the holder's bankruptcy, in order.
    bankruptcies: Vec<NaiveDate>,
}

/// A disconnection as the features see it: days only.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cut {
    pub(crate) on: NaiveDate,
    pub(crate) back: Option<NaiveDate>,
    /// Cut for arrears (not for safety or at the holder's request).
    pub(crate) arrears: bool,
}

/// The day of a stored `YYYY-MM-DD HH:MM` time.
pub(crate) fn day_of(time: &str) -> Option<NaiveDate> {
    time.get(..10).and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
}

fn unit_of(currency: &str) -> f64 {
    let exponent = credence_domain::Currency::parse(currency).map_or(2, |c| c.exponent());
    10f64.powi(exponent.into())
}

impl Ledger {
    pub(crate) fn of(ledger: &AccountLedger) -> Ledger {
        // Bills by issue date (stable: a day's bills keep their order), and where each
        // bill's number ended up, for payments that name one.
        let mut order: Vec<&credence_store::StoredBill> = ledger.bills.iter().collect();
        order.sort_by_key(|b| b.issued);
        let ids: std::collections::HashMap<&str, usize> =
            order.iter().enumerate().map(|(i, b)| (b.bill_id.as_str(), i)).collect();
        let mut bills: Vec<Bill> = order
            .iter()
            .map(|b| Bill {
                issued: b.issued,
                due: b.due,
                amount: b.amount,
                unit: unit_of(&b.currency),
                kwh: b.consumption_kwh,
                status: b.arrears_months,
                disputed: b.disputed,
                applied: Vec::new(),
            })
            .collect();
        let mut payments: Vec<(NaiveDate, i64, Option<usize>, f64)> = ledger
            .payments
            .iter()
            .map(|p| {
                (
                    p.paid,
                    p.amount,
                    p.bill_id.as_deref().and_then(|id| ids.get(id).copied()),
                    unit_of(&p.currency),
                )
            })
            .collect();
        payments.sort_by_key(|p| p.0);
        let mut credit_changes = Vec::new();
        let mut credit = 0i64;
        let mut next_bill = 0;
        // Money on account after a change of holder or a bankruptcy settles only the bills
        // issued since: a new holder does not pay its predecessor's bills, and a bankrupt
        // holder's debts before the court's acceptance are settled in the bankruptcy.
        let changes = |kind: &str| -> Vec<NaiveDate> {
            let mut days: Vec<NaiveDate> =
                ledger.holder_changes.iter().filter(|c| c.change_type == kind).map(|c| c.date).collect();
            days.sort_unstable();
            days
        };
        let (transfers, bankruptcies) = (changes("transfer"), changes("bankruptcy"));
        let floor = |on: NaiveDate| transfers.iter().chain(&bankruptcies).copied().filter(|d| *d <= on).max();
        // Applies `money` on `on` to the oldest open undisputed bills issued by then (and
        // not before `floor`); returns what is left.
        fn settle_oldest(
            bills: &mut [Bill],
            upto: usize,
            on: NaiveDate,
            floor: Option<NaiveDate>,
            mut money: i64,
        ) -> i64 {
            for b in bills[..upto].iter_mut().filter(|b| !b.disputed && floor.is_none_or(|f| b.issued >= f)) {
                if money <= 0 {
                    break;
                }
                let open = b.unpaid_at(on);
                if open > 0 {
                    let take = open.min(money);
                    b.applied.push((on, take));
                    money -= take;
                }
            }
            money
        }
        let mut pay = payments.iter().peekable();
        loop {
            // Bills issued on a day come before that day's payments.
            let bill_first = match (bills.get(next_bill), pay.peek()) {
                (Some(b), Some(p)) => b.issued <= p.0,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => break,
            };
            if bill_first {
                let i = next_bill;
                next_bill += 1;
                let (on, amount) = (bills[i].issued, bills[i].amount);
                if amount <= 0 {
                    // A correction: credit from its issue date.
                    let left = settle_oldest(&mut bills, i, on, floor(on), -amount);
                    if left != 0 {
                        credit += left;
                        credit_changes.push((on, left));
                    }
                } else if credit > 0 && !bills[i].disputed {
                    let take = credit.min(amount);
                    bills[i].applied.push((on, take));
                    credit -= take;
                    credit_changes.push((on, -take));
                }
            } else {
                let &(on, amount, bill, _) = pay.next().expect("peeked");
                let mut money = amount;
                if let Some(i) = bill.filter(|i| *i < next_bill) {
                    let open = bills[i].unpaid_at(on);
                    if open > 0 {
                        let take = open.min(money);
                        bills[i].applied.push((on, take));
                        money -= take;
                    }
                }
                let left = settle_oldest(&mut bills, next_bill, on, floor(on), money);
                if left != 0 {
                    credit += left;
                    credit_changes.push((on, left));
                }
            }
        }
        let cuts = ledger
            .disconnections
            .iter()
            .filter_map(|c| {
                Some(Cut {
                    on: day_of(&c.disconnected_at)?,
                    back: c.reconnected_at.as_deref().and_then(day_of),
                    arrears: c.reason == "arrears",
                })
            })
            .collect();
        let meter = ledger.meter_events.iter().map(|e| (e.date, e.event_type == "tamper")).collect();
        Ledger {
            bills,
            payments: payments.iter().map(|p| (p.0, p.1, p.3)).collect(),
            credit: credit_changes,
            cuts,
            meter,
            transfers,
            bankruptcies,
        }
    }

    /// The day the holder at `t` took the account over, if it changed hands by then: bills
    /// issued before it are the previous holder's.
    pub(crate) fn holder_since(&self, t: NaiveDate) -> Option<NaiveDate> {
        self.transfers.iter().copied().filter(|d| *d <= t).max()
    }

    /// The day of the latest bankruptcy accepted by `t`: what was owed on bills issued
    /// before it is a claim in the bankruptcy, not collected from the account.
    pub(crate) fn bankrupt_since(&self, t: NaiveDate) -> Option<NaiveDate> {
        self.bankruptcies.iter().copied().filter(|d| *d <= t).max()
    }

    /// Whether a bill is the current holder's to pay at `t`: issued after the latest change
    /// of holder and the latest bankruptcy by then.
    pub(crate) fn current_at(&self, b: &Bill, t: NaiveDate) -> bool {
        self.holder_since(t).is_none_or(|d| b.issued >= d)
            && self.bankrupt_since(t).is_none_or(|d| b.issued >= d)
    }

    pub(crate) fn credit_at(&self, on: NaiveDate) -> i64 {
        self.credit.iter().filter(|(d, _)| *d <= on).map(|(_, a)| a).sum()
    }
}
