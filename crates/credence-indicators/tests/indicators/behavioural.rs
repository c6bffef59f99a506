//! Behavioural indicators (IND-2) on a hand-built receivables ledger at 2026-09-30.

use credence_indicators::{
    CreditNote, CustomerFile, Dispute, Invoice, Order, Payment, PromiseOutcome, UtilityBill,
};

use crate::fixture::{Expect, Expect::*, catalogue, check, d, empty_file, evaluate};

fn invoice(no: &str, issued: (i32, u32, u32), due: (i32, u32, u32), amount: f64) -> Invoice {
    Invoice {
        invoice_no: no.into(),
        issue_date: d(issued.0, issued.1, issued.2),
        due_date: d(due.0, due.1, due.2),
        amount,
    }
}

fn payment(no: Option<&str>, date: (i32, u32, u32), amount: f64) -> Payment {
    Payment { invoice_no: no.map(str::to_owned), date: d(date.0, date.1, date.2), amount }
}

/// Terms 30 days, limit 10,000. At 2026-09-30:
///
/// | invoice | issued | due | amount | settled | open | days past due |
/// | --- | --- | --- | --- | --- | --- | --- |
/// | A | 2025-09-01 | 2025-10-01 | 1,000 | paid 2025-10-11 (10 days late) | 0 | |
/// | B | 2026-03-01 | 2026-03-31 | 2,000 | paid 2026-03-31 (on time) | 0 | |
/// | C | 2026-06-01 | 2026-07-01 | 1,500 | 500 paid 2026-07-21 (20 late) | 1,000 | 91 |
/// | D | 2026-08-01 | 2026-08-31 | 800 | | 800 | 30 |
/// | E | 2026-09-15 | 2026-10-15 | 1,200 | | 1,200 | not due |
/// | F | 2025-01-10 | 2025-02-09 | 400 | 200 on account 2026-09-20 (oldest due first) | 200 | 598 |
/// | G | 2026-07-10 | 2026-08-09 | 600 | credit note 100 | 500 | 52 |
///
/// Open 3,700; overdue 2,500 (C, D, F, G); invoiced in the 12 months and 365 days to
/// 2026-09-30 (after 2025-09-30): B + C + D + E + G = 6,100 (A was issued before).
/// Open orders 1,000 (one more order of 500 is not open).
pub fn ledger() -> CustomerFile {
    let mut file = empty_file("F", Some("F51"));
    file.credit_limit = Some(10_000.0);
    file.invoices = vec![
        invoice("F", (2025, 1, 10), (2025, 2, 9), 400.0),
        invoice("A", (2025, 9, 1), (2025, 10, 1), 1000.0),
        invoice("B", (2026, 3, 1), (2026, 3, 31), 2000.0),
        invoice("C", (2026, 6, 1), (2026, 7, 1), 1500.0),
        invoice("G", (2026, 7, 10), (2026, 8, 9), 600.0),
        invoice("D", (2026, 8, 1), (2026, 8, 31), 800.0),
        invoice("E", (2026, 9, 15), (2026, 10, 15), 1200.0),
    ];
    file.payments = vec![
        payment(Some("A"), (2025, 10, 11), 1000.0),
        payment(Some("B"), (2026, 3, 31), 2000.0),
        payment(Some("C"), (2026, 7, 21), 500.0),
        payment(None, (2026, 9, 20), 200.0),
    ];
    file.credit_notes = vec![CreditNote { invoice_no: "G".into(), date: d(2026, 8, 20), amount: 100.0 }];
    file.orders = vec![
        Order { order_date: d(2026, 9, 1), amount: 1000.0, open: true },
        Order { order_date: d(2026, 9, 2), amount: 500.0, open: false },
    ];
    file
}

/// The expected values of [`ledger`] at 2026-09-30.
pub const LEDGER: &[(&str, Expect)] = &[
    // 3,700 / 6,100 × 365
    ("dso", Value(221.393_442_622_950_8)),
    // Paid: A 1,000 × 10, B 2,000 × 0, C 500 × 20; open past due: C 1,000 × 91,
    // D 800 × 30, F 200 × 598, G 500 × 52 → 280,600 / 6,000
    ("days_beyond_terms", Value(46.766_666_666_666_67)),
    // 2,500 / 3,700
    ("overdue_rate", Value(67.567_567_567_567_57)),
    // Open more than 180 days past due: F 200 / 6,100
    ("bad_debt_rate", Value(3.278_688_524_590_164)),
    // Between (30, 5) and (60, 2): 5 − (46.7667 − 30) × 3 / 30
    ("payment_timeliness_score", Value(3.323_333_333_333_333)),
    // (3,700 + 1,000) / 10,000
    ("limit_utilisation", Value(47.0)),
    // D 800 / 3,700
    ("aging_1_30_share", Value(21.621_621_621_621_62)),
    // G 500 / 3,700
    ("aging_31_60_share", Value(13.513_513_513_513_514)),
    ("aging_61_90_share", Value(0.0)),
    // (C 1,000 + F 200) / 3,700
    ("aging_over_90_share", Value(32.432_432_432_432_43)),
];

#[test]
fn every_behavioural_indicator_on_a_ledger() {
    let set = evaluate(&ledger());
    check(&set, LEDGER);
    assert_eq!(set.get("dso").unwrap().period_end, Some(crate::fixture::as_of()));
    assert_eq!(
        set.get("current_ratio").unwrap().missing.as_deref(),
        Some("no statement on or before 2026-09-30")
    );
}

#[test]
fn an_empty_ledger_says_why() {
    check(
        &evaluate(&empty_file("F", None)),
        &[
            ("dso", Missing("nothing invoiced in the 365 days to 2026-09-30")),
            ("days_beyond_terms", Missing("no payments in the 12 months to 2026-09-30 and nothing overdue")),
            (
                "payment_timeliness_score",
                Missing("no payments in the 12 months to 2026-09-30 and nothing overdue"),
            ),
            ("overdue_rate", Missing("no open receivables")),
            ("bad_debt_rate", Missing("nothing invoiced in the last 12 months")),
            ("limit_utilisation", Missing("no credit limit on file")),
        ],
    );
    let mut file = empty_file("F", None);
    file.credit_limit = Some(0.0);
    check(&evaluate(&file), &[("limit_utilisation", Missing("the credit limit is zero"))]);
}

/// The ledger quantities themselves, at the as-of date and two quarters earlier
/// (2026-03-31, via `lag`): then only F was open (400, 415 days past due); A had been
/// paid 10 days late and B on its due date, that day; invoiced in the 365 days to
/// 2026-03-31: A + B = 3,000.
#[test]
fn ledger_quantities_at_earlier_dates() {
    let c = catalogue(&[
        ("open", "money", "open_receivables"),
        ("open_then", "money", "lag(open_receivables, 2)"),
        ("orders", "money", "open_orders"),
        ("invoiced_6m", "money", "invoiced(6m)"),
        ("invoiced_then", "money", "invoiced(12m, shift = 2q)"),
        ("overdue_then", "money", "lag(overdue_receivables(1), 2)"),
        ("dso_then", "days", "lag(dso, 2)"),
        ("dbt_then", "days", "lag(days_beyond_terms, 2)"),
        ("terms", "days", "payment_terms"),
        ("limit", "money", "credit_limit"),
    ]);
    let set = c.evaluate(&ledger(), crate::fixture::as_of(), &Default::default());
    check(
        &set,
        &[
            ("open", Value(3700.0)),
            ("open_then", Value(400.0)),
            ("orders", Value(1000.0)),
            // C, G, D, E issued after 2026-03-31
            ("invoiced_6m", Value(4100.0)),
            ("invoiced_then", Value(3000.0)),
            ("overdue_then", Value(400.0)),
            // 400 / 3,000 × 365
            ("dso_then", Value(48.666_666_666_666_664)),
            // A 1,000 × 10, B 2,000 × 0 (paid on its due date), F 400 × 415 open
            // → 176,000 / 3,400
            ("dbt_then", Value(51.764_705_882_352_94)),
            ("terms", Value(30.0)),
            ("limit", Value(10_000.0)),
        ],
    );
}

fn promise(made: (i32, u32, u32), decided: Option<(i32, u32, u32)>, kept: bool) -> PromiseOutcome {
    PromiseOutcome {
        made_on: d(made.0, made.1, made.2),
        decided_on: decided.map(|(y, m, day)| d(y, m, day)),
        kept,
    }
}

/// Promises and disputes on [`ledger`] at 2026-09-30 (window: after 2025-09-30):
///
/// | promise | made | decided | counts |
/// | --- | --- | --- | --- |
/// | 1 | 2025-08-01 | kept 2025-08-20 | no: before the window |
/// | 2 | 2026-02-01 | kept 2026-02-15 | kept |
/// | 3 | 2026-05-01 | broken 2026-05-14 | broken |
/// | 4 | 2026-07-01 | kept 2026-07-21 | kept |
/// | 5 | 2026-09-01 | broken 2026-10-05 | no: decided after the as-of date |
/// | 6 | 2026-09-20 | open | no |
///
/// Kept rate 2 / (2 + 1) = 66.67 %. Invoices issued in the window: B, C, G, D, E (5).
/// Disputes: C twice, D (opened 2026-09-10), E opened 2026-10-02 (after the as-of date),
/// A (issued before the window) → C and D: 2 / 5 = 40 %. Two quarters earlier
/// (2026-03-31, window after 2025-03-31): promises 1 and 2 kept, none broken; invoices
/// A and B issued, A disputed (2025-09-20).
pub const COLLECTIONS: &[(&str, Expect)] =
    &[("promise_kept_rate", Value(66.666_666_666_666_67)), ("dispute_rate", Value(40.0))];

#[test]
fn promise_kept_and_dispute_rates() {
    let mut file = ledger();
    file.promises = vec![
        promise((2025, 8, 1), Some((2025, 8, 20)), true),
        promise((2026, 2, 1), Some((2026, 2, 15)), true),
        promise((2026, 5, 1), Some((2026, 5, 14)), false),
        promise((2026, 7, 1), Some((2026, 7, 21)), true),
        promise((2026, 9, 1), Some((2026, 10, 5)), false),
        promise((2026, 9, 20), None, false),
    ];
    let dispute =
        |no: &str, on: (i32, u32, u32)| Dispute { invoice_no: no.into(), opened_on: d(on.0, on.1, on.2) };
    file.disputes = vec![
        dispute("C", (2026, 6, 10)),
        dispute("C", (2026, 7, 2)),
        dispute("D", (2026, 9, 10)),
        dispute("E", (2026, 10, 2)),
        dispute("A", (2025, 9, 20)),
    ];
    check(&evaluate(&file), COLLECTIONS);
    let c = catalogue(&[
        ("kept_then", "count", "lag(promises_kept(12m), 2)"),
        ("broken_then", "count", "lag(promises_broken(12m), 2)"),
        ("invoices_then", "count", "lag(invoice_count(12m), 2)"),
        ("disputed_then", "count", "lag(disputed_invoices(12m), 2)"),
    ]);
    check(
        &c.evaluate(&file, crate::fixture::as_of(), &Default::default()),
        &[
            ("kept_then", Value(2.0)),
            ("broken_then", Value(0.0)),
            ("invoices_then", Value(2.0)),
            ("disputed_then", Value(1.0)),
        ],
    );
}

#[test]
fn without_promises_or_invoices_the_rates_are_missing() {
    check(
        &evaluate(&empty_file("F", None)),
        &[
            ("promise_kept_rate", Missing("no promise to pay was kept or broken in the last 12 months")),
            ("dispute_rate", Missing("nothing invoiced in the last 12 months")),
        ],
    );
}

fn utility_bill(
    issued: (i32, u32, u32),
    due: (i32, u32, u32),
    amount: f64,
    applied: &[((i32, u32, u32), f64)],
) -> UtilityBill {
    UtilityBill {
        account_id: "E1".into(),
        issue_date: d(issued.0, issued.1, issued.2),
        due_date: d(due.0, due.1, due.2),
        amount,
        disputed: false,
        applied: applied.iter().map(|((y, m, day), a)| (d(*y, *m, *day), *a)).collect(),
    }
}

/// The bills of an electricity account the customer holds, at 2026-09-30 (window: after
/// 2025-09-30):
///
/// | bill | issued | due | amount | paid | counts |
/// | --- | --- | --- | --- | --- | --- |
/// | 1 | 2025-08-31 | 2025-09-20 | 1,000 | 2025-09-15 | no: due and issued before the window |
/// | 2 | 2025-12-31 | 2026-01-20 | 1,200 | 2026-01-18 | on time |
/// | 3 | 2026-03-31 | 2026-04-20 | 1,500 | 1,000 on 04-20, 500 on 05-10 | late |
/// | 4 | 2026-05-31 | 2026-06-20 | 800 | disputed, unpaid | no: disputed |
/// | 5 | 2026-06-30 | 2026-07-20 | 2,000 | 500 on 08-01 | late; 1,500 unpaid 72 days past due |
/// | 6 | 2026-07-15 | 2026-08-05 | −100 | correction | no: nothing to pay |
/// | 7 | 2026-08-31 | 2026-09-20 | 900 | unpaid | late; 10 days past due |
/// | 8 | 2026-09-30 | 2026-10-20 | 1,100 | — | no: due after the as-of date |
///
/// Bills due in the window 2, 3, 5, 7 (4), late 3, 5, 7 (3): on time 1 / 4 = 25 %.
/// Billed in the window 1,200 + 1,500 + 800 + 2,000 − 100 + 900 + 1,100 = 7,400; unpaid
/// 30 days or more past due: bill 5's 1,500 (bill 4 is disputed, bill 7 only 10 days
/// late): 1,500 / 7,400 = 20.27 %. Two quarters earlier (2026-03-31, window after
/// 2025-03-31): bills 1 and 2 were due, both on time.
pub const UTILITY: &[(&str, Expect)] = &[
    ("utility_on_time_share", Value(25.0)),
    ("utility_late_bills", Value(3.0)),
    ("utility_overdue_share", Value(1_500.0 / 7_400.0 * 100.0)),
];

pub fn utility_file() -> CustomerFile {
    let mut file = empty_file("C", Some("C34"));
    let mut disputed = utility_bill((2026, 5, 31), (2026, 6, 20), 800.0, &[]);
    disputed.disputed = true;
    file.utility_bills = vec![
        utility_bill((2025, 8, 31), (2025, 9, 20), 1_000.0, &[((2025, 9, 15), 1_000.0)]),
        utility_bill((2025, 12, 31), (2026, 1, 20), 1_200.0, &[((2026, 1, 18), 1_200.0)]),
        utility_bill(
            (2026, 3, 31),
            (2026, 4, 20),
            1_500.0,
            &[((2026, 4, 20), 1_000.0), ((2026, 5, 10), 500.0)],
        ),
        disputed,
        utility_bill((2026, 6, 30), (2026, 7, 20), 2_000.0, &[((2026, 8, 1), 500.0)]),
        utility_bill((2026, 7, 15), (2026, 8, 5), -100.0, &[]),
        utility_bill((2026, 8, 31), (2026, 9, 20), 900.0, &[]),
        utility_bill((2026, 9, 30), (2026, 10, 20), 1_100.0, &[]),
    ];
    file
}

#[test]
fn utility_billing_behaviour_of_a_linked_account() {
    let file = utility_file();
    check(&evaluate(&file), UTILITY);
    let c = catalogue(&[
        ("bills_then", "count", "lag(utility_bills(12m), 2)"),
        ("late_then", "count", "lag(utility_late_bills(12m), 2)"),
        ("overdue_any", "money", "utility_overdue(0)"),
        ("overdue_60", "money", "utility_overdue(60)"),
    ]);
    check(
        &c.evaluate(&file, crate::fixture::as_of(), &Default::default()),
        &[
            ("bills_then", Value(2.0)),
            ("late_then", Value(0.0)),
            // Bills 5 and 7 (bill 8 is not due yet; bill 4 is disputed).
            ("overdue_any", Value(2_400.0)),
            ("overdue_60", Value(1_500.0)),
        ],
    );
    // Without a billing account the utility indicators are missing, not perfect.
    check(
        &evaluate(&empty_file("C", None)),
        &[
            ("utility_on_time_share", Missing("the customer holds no utility billing account with a bill")),
            ("utility_overdue_share", Missing("the customer holds no utility billing account with a bill")),
        ],
    );
}
