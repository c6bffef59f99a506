//! The receivables ledger.

use std::collections::HashMap;

use chrono::NaiveDate;
use credence_records::{Kind, Record};

use crate::{int, of, portfolio, text};

#[test]
fn payments_and_credit_notes_never_exceed_or_precede_their_invoice() {
    let (records, _) = portfolio();
    let invoices: HashMap<&str, &Record> =
        of(records, Kind::Invoices).map(|r| (text(r, "invoice_no"), r)).collect();
    let mut applied: HashMap<&str, i64> = HashMap::new();
    let mut late_days = Vec::new();
    for r in of(records, Kind::Payments).chain(of(records, Kind::CreditNotes)) {
        let inv = invoices[text(r, "invoice_no")];
        let date = if r.kind == Kind::Payments { text(r, "payment_date") } else { text(r, "issue_date") };
        assert!(date >= text(inv, "issue_date"));
        assert_eq!(text(r, "currency"), text(inv, "currency"));
        *applied.entry(text(inv, "invoice_no")).or_default() += int(r, "amount");
        if r.kind == Kind::Payments {
            let due = NaiveDate::parse_from_str(text(inv, "due_date"), "%Y-%m-%d").unwrap();
            let paid = NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
            late_days.push((paid - due).num_days());
        }
    }
    for (no, total) in &applied {
        assert!(*total <= int(invoices[no], "amount"), "{no}");
    }
    for inv in invoices.values() {
        assert!(text(inv, "due_date") >= text(inv, "issue_date"));
    }
    // Most payments are on time or a few days late; a tail is months late.
    late_days.sort_unstable();
    let median = late_days[late_days.len() / 2];
    let p95 = late_days[late_days.len() * 95 / 100];
    assert!((-5..=10).contains(&median), "median {median}");
    assert!(p95 >= 20, "95th percentile {p95}");
    let usd = of(records, Kind::Invoices).filter(|r| text(r, "currency") == "USD").count() as f64;
    let share = usd / invoices.len() as f64;
    assert!((0.005..0.08).contains(&share), "USD share {share}");
}
