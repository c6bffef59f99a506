//! Aging on edge dates: bucket boundaries, leap years, month ends, partial payments,
//! credit notes, payments on account, roll-ups.

use chrono::NaiveDate;
use credence_control::{
    AgingDates, AgingProfile, AgingRollup, Ledger, LedgerCreditNote, LedgerInvoice, LedgerPayment, OpenItems,
    OverdueBuckets, age_ledger,
};
use credence_domain::Currency;

use crate::fixtures::date;

fn inv(no: &str, issue: NaiveDate, due: NaiveDate, amount: i64) -> LedgerInvoice {
    LedgerInvoice { invoice_no: no.into(), issue_date: issue, due_date: due, amount }
}

fn pay(no: Option<&str>, d: NaiveDate, amount: i64) -> LedgerPayment {
    LedgerPayment { invoice_no: no.map(Into::into), date: d, amount }
}

fn profile(ledger: &Ledger, as_of: NaiveDate) -> AgingProfile {
    age_ledger(ledger, &AgingDates::new(as_of), &mut OpenItems::default())
}

/// As of 2024-03-31, invoices of 1 each due so that they are 0, 1, 30, 31, 60, 61, 90 and 91
/// days overdue (plus one due in the future): 0 and the future one are current.
#[test]
fn bucket_boundaries() {
    let as_of = date(2024, 3, 31);
    let ledger = Ledger {
        invoices: [-10, 0, 1, 30, 31, 60, 61, 90, 91]
            .iter()
            .map(|&days| {
                let due = as_of - chrono::TimeDelta::days(days);
                inv(&format!("D{days}"), due - chrono::TimeDelta::days(30), due, 1)
            })
            .collect(),
        ..Ledger::default()
    };
    let p = profile(&ledger, as_of);
    assert_eq!(
        p.overdue,
        OverdueBuckets { current: 2, days_1_30: 2, days_31_60: 2, days_61_90: 2, over_90: 1 }
    );
    assert_eq!((p.items, p.overdue_items, p.oldest_overdue_days), (9, 7, 91));
}

/// Days overdue across 29 February: due 2024-02-28, as of 2024-03-01 is 2 days. Due
/// 2024-01-30 as of 2024-02-29 is 30 days (1–30); due 2024-01-29 is 31 days (31–60).
#[test]
fn leap_day_counts_as_a_day() {
    let l = |due| Ledger { invoices: vec![inv("I", date(2024, 1, 1), due, 100)], ..Ledger::default() };
    assert_eq!(profile(&l(date(2024, 2, 28)), date(2024, 3, 1)).oldest_overdue_days, 2);
    assert_eq!(profile(&l(date(2024, 1, 30)), date(2024, 2, 29)).overdue.days_1_30, 100);
    assert_eq!(profile(&l(date(2024, 1, 29)), date(2024, 2, 29)).overdue.days_31_60, 100);
}

/// An invoice issued on 2024-02-29 is under a year old on 2025-02-28 (one year back from
/// 2025-02-28 is 2024-02-28) and 1–2 years old from 2025-03-01. Issued 2022-03-01, as of
/// 2025-02-28 it is 2–3 years (after 2022-02-28); issued 2022-02-28 it is over 3 years.
#[test]
fn age_bands_around_the_leap_day() {
    let l = |issue| Ledger { invoices: vec![inv("I", issue, issue, 100)], ..Ledger::default() };
    assert_eq!(profile(&l(date(2024, 2, 29)), date(2025, 2, 28)).age.under_1y, 100);
    assert_eq!(profile(&l(date(2024, 2, 29)), date(2025, 3, 1)).age.years_1_2, 100);
    assert_eq!(profile(&l(date(2022, 3, 1)), date(2025, 2, 28)).age.years_2_3, 100);
    assert_eq!(profile(&l(date(2022, 2, 28)), date(2025, 2, 28)).age.over_3y, 100);
    // Leap-day as-of: one year back from 2024-02-29 is 2023-02-28.
    assert_eq!(profile(&l(date(2023, 2, 28)), date(2024, 2, 29)).age.years_1_2, 100);
    assert_eq!(profile(&l(date(2023, 3, 1)), date(2024, 2, 29)).age.under_1y, 100);
}

/// Due on 31 January: 29 days overdue on 29 February 2024, 30 on 1 March, 31 on 2 March.
#[test]
fn month_end_due_dates() {
    let l =
        Ledger { invoices: vec![inv("I", date(2024, 1, 1), date(2024, 1, 31), 100)], ..Ledger::default() };
    assert_eq!(profile(&l, date(2024, 2, 29)).oldest_overdue_days, 29);
    assert_eq!(profile(&l, date(2024, 3, 1)).overdue.days_1_30, 100);
    assert_eq!(profile(&l, date(2024, 3, 2)).overdue.days_31_60, 100);
}

/// INV-1 1,000 (due 01-31): paid 300 and 100, credit note 250 → 350 open. INV-2 800 (due
/// 02-15): a payment of 900 on it pays it and puts 100 on account. On account 200 (dated
/// 03-01) + 100 excess + a payment of 50 naming an unknown invoice = 350, applied to the
/// oldest due: INV-1 350 → 0; INV-3 (due 03-20, 500) untouched. A payment dated after the
/// as-of date and an invoice issued after it are ignored.
#[test]
fn payments_credit_notes_and_cash_on_account() {
    let ledger = Ledger {
        invoices: vec![
            inv("INV-1", date(2024, 1, 1), date(2024, 1, 31), 1_000),
            inv("INV-2", date(2024, 1, 16), date(2024, 2, 15), 800),
            inv("INV-3", date(2024, 2, 19), date(2024, 3, 20), 500),
            inv("INV-4", date(2024, 4, 2), date(2024, 5, 2), 9_999),
        ],
        payments: vec![
            pay(Some("INV-1"), date(2024, 2, 1), 300),
            pay(Some("INV-1"), date(2024, 2, 10), 100),
            pay(Some("INV-2"), date(2024, 2, 20), 900),
            pay(None, date(2024, 3, 1), 200),
            pay(Some("INV-X"), date(2024, 3, 5), 50),
            pay(None, date(2024, 4, 1), 7_777),
        ],
        credit_notes: vec![LedgerCreditNote {
            invoice_no: "INV-1".into(),
            date: date(2024, 1, 20),
            amount: 250,
        }],
    };
    let as_of = date(2024, 3, 31);
    let o = OpenItems::of(&ledger, as_of);
    let open: Vec<(&str, i64)> =
        o.items.iter().map(|i| (ledger.invoices[i.invoice as usize].invoice_no.as_str(), i.open)).collect();
    assert_eq!(open, [("INV-3", 500)]);
    assert_eq!((o.unapplied, o.unmatched), (0, 1));
    // Partially paid: without the cash on account INV-1 would be 350.
    let mut partial = ledger.clone();
    partial.payments.retain(|p| p.invoice_no.as_deref() == Some("INV-1"));
    let o = OpenItems::of(&partial, as_of);
    assert_eq!(o.items.iter().map(|i| i.open).collect::<Vec<_>>(), [350, 800, 500]);
    // More cash on account than is open: the rest is unapplied and nets the receivables.
    let mut rich = ledger.clone();
    rich.payments.push(pay(None, date(2024, 3, 30), 600));
    let p = profile(&rich, as_of);
    assert_eq!((p.open, p.unapplied, p.net_receivables()), (0, 100, -100));
}

/// Two customers in group G, one of them and a third in business line "east": the roll-up
/// adds them; the portfolio has all three.
#[test]
fn roll_ups_add_profiles() {
    let as_of = date(2024, 6, 30);
    let one = |amount| Ledger {
        invoices: vec![inv("I", date(2024, 5, 1), date(2024, 5, 31), amount)],
        ..Ledger::default()
    };
    let dates = AgingDates::new(as_of);
    let mut scratch = OpenItems::default();
    let mut r = AgingRollup::new(dates, Currency::CNY);
    r.add(Some("G"), Some("east"), &age_ledger(&one(100), &dates, &mut scratch));
    r.add(Some("G"), None, &age_ledger(&one(200), &dates, &mut scratch));
    r.add(None, Some("east"), &age_ledger(&one(400), &dates, &mut scratch));
    let report = r.report();
    assert_eq!(report.portfolio.customers, 3);
    assert_eq!(report.portfolio.profile.overdue.days_1_30, 700);
    assert_eq!(report.groups["G"].profile.open, 300);
    assert_eq!(report.business_lines["east"].profile.open, 500);
    assert_eq!(report.portfolio.overdue_rate_pct, Some(100.0));
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["groups"]["G"]["customers"], 2);
}

/// Bad-debt proxy: 300 open 181 days past due over 1,200 invoiced in the twelve months to
/// the date = 25%. The 1,000 invoice of 2023-06-30 is exactly one year old and outside.
#[test]
fn bad_debt_rate_is_the_old_overdue_share_of_a_years_sales() {
    let as_of = date(2024, 6, 30);
    let due = as_of - chrono::TimeDelta::days(181);
    let ledger = Ledger {
        invoices: vec![
            inv("OLD", date(2023, 6, 30), date(2023, 7, 30), 1_000),
            inv("BAD", due - chrono::TimeDelta::days(30), due, 300),
            inv("NEW", date(2024, 6, 1), date(2024, 7, 1), 900),
        ],
        payments: vec![pay(Some("OLD"), date(2023, 7, 30), 1_000)],
        ..Ledger::default()
    };
    let p = profile(&ledger, as_of);
    assert_eq!((p.over_180, p.invoiced_12m), (300, 1_200));
    assert_eq!(p.bad_debt_rate_pct(), Some(25.0));
    // Sales by calendar month, newest first: June 900, then December 2023 (BAD issued
    // 2023-12-02), July 2023 is month 11 back, June 2023 is outside.
    assert_eq!(p.sales_by_month[0], 900);
    assert_eq!(p.sales_by_month[6], 300);
    assert_eq!(p.sales_by_month.iter().sum::<i64>(), 1_200);
}
