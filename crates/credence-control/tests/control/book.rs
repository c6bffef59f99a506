//! Building the exposure book and keeping it current with orders, invoices, payments and
//! credit notes.

use credence_control::{
    BookError, CreditPolicy, CustomerSnapshot, ExposureBook, GroupSnapshot, InvoiceEntry, Level, StepCode,
    check,
};
use credence_domain::Currency;

use crate::fixtures::{customer, date, item, yuan};

fn build(customers: Vec<CustomerSnapshot>, groups: Vec<GroupSnapshot>) -> ExposureBook {
    ExposureBook::build(&CreditPolicy::builtin(), Currency::CNY, customers, groups).0
}

fn invoice(no: &str, due: (i32, u32, u32), amount: i64, releases: i64) -> InvoiceEntry {
    InvoiceEntry {
        invoice_no: no.into(),
        issue_date: date(2026, 9, 1),
        due_date: date(due.0, due.1, due.2),
        amount,
        releases_open_orders: releases,
    }
}

fn open(book: &ExposureBook, id: &str) -> Vec<(String, i64)> {
    book.receivables(id).unwrap().into_iter().map(|r| (r.invoice_no, r.open)).collect()
}

/// Order 100,000 → exposure 100,000 and the group's too; invoiced against the order: the
/// order is released and the invoice is open (still 100,000). A payment of 30,000 on it
/// leaves 70,000; a credit note of 10,000 leaves 60,000.
#[test]
fn orders_become_invoices_and_payments_reduce_them() {
    let mut c = customer("C1", yuan(1_000_000));
    c.group_id = Some("G".into());
    let groups =
        vec![GroupSnapshot { group_id: "G".into(), limit: Some(yuan(5_000_000)), outside_exposure: 0 }];
    let mut b = build(vec![c], groups);
    b.record_order("C1", yuan(100_000)).unwrap();
    assert_eq!(b.exposure("C1"), Ok(yuan(100_000)));
    assert_eq!(b.group_exposure("G"), Some(yuan(100_000)));
    b.record_invoice("C1", &invoice("INV-1", (2026, 10, 31), yuan(100_000), yuan(100_000))).unwrap();
    assert_eq!(b.exposure("C1"), Ok(yuan(100_000)));
    assert_eq!(open(&b, "C1"), [("INV-1".to_owned(), yuan(100_000))]);
    b.record_payment("C1", Some("INV-1"), yuan(30_000)).unwrap();
    b.record_credit_note("C1", "INV-1", yuan(10_000)).unwrap();
    assert_eq!(open(&b, "C1"), [("INV-1".to_owned(), yuan(60_000))]);
    assert_eq!(b.group_exposure("G"), Some(yuan(60_000)));
}

/// Open: INV-B 500 due 08-31, INV-A 300 due 08-15 (oldest). A payment of 400 on account
/// pays INV-A (300) and 100 of INV-B. An overpayment of INV-B (500 for 400 open) pays it
/// and leaves 100 unapplied, which takes exposure below zero and is applied to the next
/// invoice (INV-C 1,000 → 900).
#[test]
fn payments_on_account_go_to_the_oldest_due_and_the_rest_waits() {
    let mut c = customer("C1", yuan(1_000_000));
    c.receivables = vec![
        item("INV-B", date(2026, 8, 1), date(2026, 8, 31), yuan(500)),
        item("INV-A", date(2026, 7, 16), date(2026, 8, 15), yuan(300)),
    ];
    let mut b = build(vec![c], vec![]);
    b.record_payment("C1", None, yuan(400)).unwrap();
    assert_eq!(open(&b, "C1"), [("INV-B".to_owned(), yuan(400))]);
    b.record_payment("C1", Some("INV-B"), yuan(500)).unwrap();
    assert!(open(&b, "C1").is_empty());
    assert_eq!(b.exposure("C1"), Ok(-yuan(100)));
    b.record_invoice("C1", &invoice("INV-C", (2026, 10, 31), yuan(1_000), 0)).unwrap();
    assert_eq!(open(&b, "C1"), [("INV-C".to_owned(), yuan(900))]);
    assert_eq!(b.exposure("C1"), Ok(yuan(900)));
}

/// Snapshot unapplied cash is applied to the oldest items when the book is built.
#[test]
fn snapshot_unapplied_cash_is_applied_when_building() {
    let mut c = customer("C1", yuan(1_000_000));
    c.receivables = vec![item("INV-1", date(2026, 7, 1), date(2026, 7, 31), yuan(300))];
    c.unapplied = yuan(200);
    let b = build(vec![c], vec![]);
    assert_eq!(open(&b, "C1"), [("INV-1".to_owned(), yuan(100))]);
}

/// Recording a payment clears the overdue item that blocked the check.
#[test]
fn updates_change_later_checks() {
    let mut c = customer("C1", yuan(1_000_000));
    c.receivables = vec![item("INV-1", date(2026, 7, 1), date(2026, 7, 31), yuan(3_200))];
    let mut b = build(vec![c], vec![]);
    let d = date(2026, 9, 30);
    let r = check(&b, "C1", yuan(1_000), Currency::CNY, d).unwrap();
    assert!(!r.step(StepCode::OldestOverdue).passed);
    b.record_payment("C1", Some("INV-1"), yuan(3_200)).unwrap();
    assert!(check(&b, "C1", yuan(1_000), Currency::CNY, d).unwrap().pass);
    b.set_level("C1", Level::Red).unwrap();
    assert!(!check(&b, "C1", yuan(1_000), Currency::CNY, d).unwrap().pass);
    b.set_level("C1", Level::Green).unwrap();
    b.set_grade(&CreditPolicy::builtin(), "C1", Some("C")).unwrap();
    assert!(!check(&b, "C1", yuan(1_000), Currency::CNY, d).unwrap().step(StepCode::Grade).passed);
    b.set_limit("C1", 0, None).unwrap();
    b.set_special_exposure("C1", yuan(5)).unwrap();
    assert_eq!(b.exposure("C1"), Ok(yuan(5)));
    assert_eq!(b.record_order("NOPE", 1), Err(BookError::UnknownCustomer("NOPE".into())));
}

#[test]
fn bad_snapshots_become_diagnostics() {
    let mut unknown_grade = customer("C2", 0);
    unknown_grade.grade = Some("Z".into());
    let mut unknown_group = customer("C3", 0);
    unknown_group.group_id = Some("G9".into());
    let mut negative = customer("C4", -5);
    negative.open_orders = -1;
    let (b, d) = ExposureBook::build(
        &CreditPolicy::builtin(),
        Currency::CNY,
        vec![customer("C1", 0), customer("C1", 0), unknown_grade, unknown_group, negative],
        vec![],
    );
    let codes: Vec<(&str, &str)> = d.iter().map(|x| (x.customer_id.as_str(), x.code)).collect();
    assert_eq!(
        codes,
        [
            ("C1", "duplicate_customer"),
            ("C2", "unknown_grade"),
            ("C3", "unknown_group"),
            ("C4", "negative_amount"),
            ("C4", "negative_amount"),
        ]
    );
    assert_eq!(b.len(), 4);
    let r = check(&b, "C2", 1, Currency::CNY, date(2026, 9, 30)).unwrap();
    assert_eq!(r.grade.as_str(), "B");
    assert_eq!(b.group_exposure("G9"), Some(0));
}
