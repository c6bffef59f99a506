//! DSO (count-back) and CEI against hand calculations.

use credence_control::{
    AgingDates, CeiInput, Dso, Ledger, LedgerInvoice, OpenItems, age_ledger, cei, cei_between, dso_count_back,
};

use crate::fixtures::date;

/// Receivables 150,000 as of 31 March; March sales 100,000 (31 days), February 80,000 (28
/// days). March is covered whole: 31 days, 50,000 left; 50,000 / 80,000 of February's 28
/// days = 17.5. DSO 48.5 days.
#[test]
fn dso_counts_back_month_by_month() {
    assert_eq!(dso_count_back(150_000, &[100_000, 80_000], &[31, 28]), Dso { days: 48.5, exhausted: false });
    // Receivables below the latest month's sales: a fraction of it. 25,000 / 100,000 × 31.
    assert_eq!(dso_count_back(25_000, &[100_000], &[31]).days, 7.75);
    // A month without sales counts whole.
    assert_eq!(dso_count_back(50_000, &[0, 100_000], &[30, 31]).days, 30.0 + 15.5);
    // Sales that do not cover the receivables: a lower bound.
    assert_eq!(dso_count_back(500_000, &[100_000, 80_000], &[31, 28]), Dso { days: 59.0, exhausted: true });
    assert_eq!(dso_count_back(0, &[100_000], &[31]).days, 0.0);
}

/// As of 2024-03-15 the month of the date counts 15 days, February 2024 29, January 31.
/// Sales: 2024-03-05 60,000, 2024-02-10 58,000 (both open), 2024-01-10 40,000 (paid).
/// Receivables 118,000: March 60,000 (15 days) → 58,000 left = February's sales exactly →
/// 29 days. DSO 44.
#[test]
fn dso_from_a_ledger_uses_calendar_months() {
    let inv =
        |no: &str, d, amount| LedgerInvoice { invoice_no: no.into(), issue_date: d, due_date: d, amount };
    let ledger = Ledger {
        invoices: vec![
            inv("A", date(2024, 1, 10), 40_000),
            inv("B", date(2024, 2, 10), 58_000),
            inv("C", date(2024, 3, 5), 60_000),
        ],
        payments: vec![credence_control::LedgerPayment {
            invoice_no: Some("A".into()),
            date: date(2024, 2, 1),
            amount: 40_000,
        }],
        ..Ledger::default()
    };
    let dates = AgingDates::new(date(2024, 3, 15));
    assert_eq!(&dates.month_days()[..3], &[15, 29, 31]);
    let p = age_ledger(&ledger, &dates, &mut OpenItems::default());
    assert_eq!(p.net_receivables(), 118_000);
    assert_eq!(dates.dso(&p), Dso { days: 44.0, exhausted: false });
}

/// Start 1,000,000, credit sales 500,000, end 900,000 of which 600,000 current:
/// (1,000,000 + 500,000 − 900,000) / (1,000,000 + 500,000 − 600,000) = 600,000 / 900,000
/// = 66.67%.
#[test]
fn cei_is_collected_over_collectable() {
    let x = CeiInput {
        begin_receivables: 1_000_000,
        credit_sales: 500_000,
        end_receivables: 900_000,
        end_current: 600_000,
    };
    assert!((cei(&x).unwrap() - 66.666_666_666_666_67).abs() < 1e-9);
    // Everything collected that could be: 100.
    let all = CeiInput { end_receivables: 600_000, ..x };
    assert_eq!(cei(&all), Some(100.0));
    assert_eq!(
        cei(&CeiInput { begin_receivables: 0, credit_sales: 0, end_receivables: 0, end_current: 0 }),
        None
    );
}

/// Between two agings: at the start 1,000 open (overdue); 500 sold in the period; at the
/// end 600 open of which 500 current. (1,000 + 500 − 600) / (1,000 + 500 − 500) = 90%.
#[test]
fn cei_between_two_agings() {
    let inv = |no: &str, issue, due, amount| LedgerInvoice {
        invoice_no: no.into(),
        issue_date: issue,
        due_date: due,
        amount,
    };
    let ledger = Ledger {
        invoices: vec![
            inv("OLD", date(2024, 1, 1), date(2024, 1, 31), 1_000),
            inv("NEW", date(2024, 3, 10), date(2024, 4, 10), 500),
        ],
        payments: vec![credence_control::LedgerPayment {
            invoice_no: Some("OLD".into()),
            date: date(2024, 3, 1),
            amount: 900,
        }],
        ..Ledger::default()
    };
    let mut scratch = OpenItems::default();
    let begin = age_ledger(&ledger, &AgingDates::new(date(2024, 2, 29)), &mut scratch);
    let end = age_ledger(&ledger, &AgingDates::new(date(2024, 3, 31)), &mut scratch);
    assert_eq!((begin.open, end.open, end.overdue.current), (1_000, 600, 500));
    assert_eq!(cei_between(&begin, &end, 500), Some(90.0));
}
