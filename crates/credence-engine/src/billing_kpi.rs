//! The figures a billing department is judged by (SCN-1), for one month, by supply unit
//! and meter-reading route:
//!
//! - **collection rate** (电费回收率): of the bills due in the month, the share of the
//!   amount paid by the month end;
//! - **zero arrears at month end** (月末结零): no bill due by the month end left unpaid;
//!   the accounts still in arrears and the amount;
//! - **old arrears** (陈欠): what is unpaid at the month end on bills issued in an earlier
//!   calendar year;
//! - **receivables** (应收电费余额): everything owed at the month end, due or not.
//!
//! Disputed bills are left out of every figure. Amounts are major units.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use credence_store::AccountLedger;

use crate::billing_ledger::Ledger;

/// One group's figures.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct KpiLine {
    pub accounts: u64,
    /// Due in the month.
    pub billed: f64,
    /// Of that, paid by the month end.
    pub collected: f64,
    /// Unpaid at the month end on bills due by then.
    pub arrears: f64,
    pub accounts_in_arrears: u64,
    /// Of the arrears, on bills issued in an earlier year.
    pub old_arrears: f64,
    /// Everything owed at the month end.
    pub receivables: f64,
}

impl KpiLine {
    /// Collected over billed; none when nothing was due.
    pub fn collection_rate(&self) -> Option<f64> {
        (self.billed > 0.0).then(|| self.collected / self.billed)
    }

    /// No arrears at the month end.
    pub fn zero_arrears(&self) -> bool {
        self.arrears < 0.005
    }

    fn add(&mut self, o: &KpiLine) {
        self.accounts += o.accounts;
        self.billed += o.billed;
        self.collected += o.collected;
        self.arrears += o.arrears;
        self.accounts_in_arrears += o.accounts_in_arrears;
        self.old_arrears += o.old_arrears;
        self.receivables += o.receivables;
    }
}

/// A month's figures: the whole book, by supply unit, and by unit and route.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BillingKpis {
    pub month_end: Option<NaiveDate>,
    pub total: KpiLine,
    pub by_unit: BTreeMap<String, KpiLine>,
    /// "unit / route" → figures.
    pub by_route: BTreeMap<String, KpiLine>,
}

impl BillingKpis {
    pub fn new(month_end: NaiveDate) -> BillingKpis {
        BillingKpis { month_end: Some(month_end), ..Default::default() }
    }

    /// Adds an account open at some time in the month.
    pub(crate) fn add(&mut self, stored: &AccountLedger, ledger: &Ledger) {
        let Some(end) = self.month_end else { return };
        let a = &stored.account;
        let start = end.with_day(1).unwrap_or(end);
        if a.opened.is_some_and(|d| d > end) || a.closed.is_some_and(|d| d < start) {
            return;
        }
        let mut line = KpiLine { accounts: 1, ..Default::default() };
        for b in ledger.bills.iter().filter(|b| !b.disputed && b.issued <= end) {
            let unpaid = b.unpaid_at(end).max(0) as f64 / b.unit;
            if b.due >= start && b.due <= end {
                line.billed += b.owed() as f64 / b.unit;
                line.collected += b.owed() as f64 / b.unit - unpaid;
            }
            line.receivables += unpaid;
            if b.due < end {
                line.arrears += unpaid;
                if b.issued.year() < end.year() {
                    line.old_arrears += unpaid;
                }
            }
        }
        line.accounts_in_arrears = u64::from(line.arrears >= 0.005);
        self.total.add(&line);
        self.by_unit.entry(a.supply_unit.clone()).or_default().add(&line);
        let route = a.route.as_deref().unwrap_or("-");
        self.by_route.entry(format!("{} / {route}", a.supply_unit)).or_default().add(&line);
    }
}

/// The month's figures over every stored billing account.
pub fn billing_kpis(
    store: &mut credence_store::Store,
    month_end: NaiveDate,
) -> Result<BillingKpis, credence_store::StoreError> {
    let mut out = BillingKpis::new(month_end);
    store.for_each_account_ledger(|stored| {
        out.add(&stored, &Ledger::of(&stored));
        Ok(())
    })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use credence_store::{StoredAccount, StoredBill, StoredBillPayment};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn bill(id: &str, issued: &str, due: &str, yuan: i64) -> StoredBill {
        StoredBill {
            bill_id: id.into(),
            issued: d(issued),
            due: d(due),
            amount: yuan * 100,
            currency: "CNY".into(),
            consumption_kwh: None,
            arrears_months: None,
            disputed: false,
        }
    }

    fn pay(on: &str, yuan: i64) -> StoredBillPayment {
        StoredBillPayment { paid: d(on), amount: yuan * 100, currency: "CNY".into(), bill_id: None }
    }

    /// One account in unit U1 on route R1. Bills: December 2025, 100, due 15 January;
    /// February, 200, due 15 March; March, 300, due 15 April. Payments go to the oldest
    /// open bill: 40 on 1 February to December; 150 on 20 March, 60 to December (settled)
    /// and 90 to February.
    ///
    /// At 31 March: due in March 200, collected 90 (45%); arrears 110 (February), none
    /// old; receivables 110 + 300 = 410. At 31 January: due 100 (December), collected 0,
    /// and all 100 is old arrears (issued in 2025).
    #[test]
    fn a_months_figures_by_hand() {
        let stored = AccountLedger {
            account: StoredAccount {
                account_id: "A1".into(),
                customer_id: None,
                account_class: "residential".into(),
                settlement: "postpaid".into(),
                billing_cycle: None,
                supply_unit: "U1".into(),
                route: Some("R1".into()),
                credit_limit: None,
                deposit: None,
                opened: Some(d("2020-01-01")),
                closed: None,
            },
            bills: vec![
                bill("B12", "2025-12-31", "2026-01-15", 100),
                bill("B02", "2026-02-28", "2026-03-15", 200),
                bill("B03", "2026-03-31", "2026-04-15", 300),
            ],
            payments: vec![pay("2026-02-01", 40), pay("2026-03-20", 150)],
            disconnections: vec![],
            meter_events: vec![],
            holder_changes: vec![],
        };
        let mut k = BillingKpis::new(d("2026-03-31"));
        k.add(&stored, &Ledger::of(&stored));
        let t = &k.total;
        assert_eq!(
            (t.billed, t.collected, t.arrears, t.old_arrears, t.receivables),
            (200.0, 90.0, 110.0, 0.0, 410.0)
        );
        assert_eq!(t.collection_rate(), Some(0.45));
        assert!(!t.zero_arrears());
        assert_eq!(k.by_route["U1 / R1"], k.total);

        // At 31 January the December bill had 100 unpaid, all of it old arrears.
        let mut jan = BillingKpis::new(d("2026-01-31"));
        jan.add(&stored, &Ledger::of(&stored));
        assert_eq!((jan.total.billed, jan.total.collected, jan.total.old_arrears), (100.0, 0.0, 100.0));
    }
}
