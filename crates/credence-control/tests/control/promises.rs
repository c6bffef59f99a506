//! Promises to pay: kept, broken or pending; the promise-kept and dispute rates.

use credence_control::{
    Dispute, LedgerInvoice, LedgerPayment, Promise, PromiseStatus, payment_behaviour, promise_status,
};

use crate::fixtures::date;

fn pay(no: Option<&str>, m: u32, d: u32, amount: i64) -> LedgerPayment {
    LedgerPayment { invoice_no: no.map(Into::into), date: date(2026, m, d), amount }
}

/// 10,000 promised on 03-01 for 03-10, 3 grace days: deadline 03-13.
/// Payments 4,000 (03-05) + 6,000 (03-12): kept on 03-12. A payment before the promise was
/// made (02-28) does not count. With only 4,000 by 03-13: pending on 03-13, broken on 03-14
/// with 4,000 paid. A promise for invoice INV-1 ignores a payment naming INV-2.
#[test]
fn promises_are_kept_broken_or_pending() {
    let p = Promise {
        made_on: date(2026, 3, 1),
        promised_date: date(2026, 3, 10),
        amount: 10_000,
        invoice_no: None,
    };
    let both = [pay(None, 2, 28, 9_000), pay(None, 3, 5, 4_000), pay(Some("INV-2"), 3, 12, 6_000)];
    assert_eq!(
        promise_status(&p, &both, date(2026, 3, 31), 3),
        PromiseStatus::Kept { on: date(2026, 3, 12) }
    );
    let part = &both[..2];
    assert_eq!(
        promise_status(&p, part, date(2026, 3, 13), 3),
        PromiseStatus::Pending { deadline: date(2026, 3, 13), paid: 4_000 }
    );
    assert_eq!(
        promise_status(&p, part, date(2026, 3, 14), 3),
        PromiseStatus::Broken { on: date(2026, 3, 14), paid: 4_000 }
    );
    // A payment after the deadline does not rescue it.
    let late = [pay(None, 3, 5, 4_000), pay(None, 3, 20, 6_000)];
    assert!(matches!(promise_status(&p, &late, date(2026, 3, 31), 3), PromiseStatus::Broken { .. }));
    let for_inv1 = Promise { invoice_no: Some("INV-1".into()), ..p.clone() };
    assert!(matches!(
        promise_status(&for_inv1, &both, date(2026, 3, 31), 3),
        PromiseStatus::Broken { paid: 4_000, .. }
    ));
    // Payments seen only up to the as-of date: 03-12's is not yet known on 03-11.
    assert!(matches!(
        promise_status(&p, &both, date(2026, 3, 11), 3),
        PromiseStatus::Pending { paid: 4_000, .. }
    ));
}

/// Window: the 12 months to 2026-03-31 (after 2025-03-31). Promises: kept 2026-01-10, broken
/// (deadline 2026-02-13 → 02-14), kept 2024-12-01 (outside), pending. Kept rate 1 / 2 = 50%.
/// Invoices issued in the window: 4 (one more in 2024 outside); disputes on two of them,
/// one of them twice, and one on the old invoice: 2 / 4 = 50%.
#[test]
fn promise_kept_and_dispute_rates() {
    let promise = |made: (i32, u32, u32), by: (i32, u32, u32), amount| Promise {
        made_on: date(made.0, made.1, made.2),
        promised_date: date(by.0, by.1, by.2),
        amount,
        invoice_no: None,
    };
    let promises = [
        promise((2026, 1, 2), (2026, 1, 9), 100),
        promise((2026, 2, 1), (2026, 2, 10), 100),
        promise((2024, 11, 20), (2024, 12, 1), 100),
        promise((2026, 3, 25), (2026, 4, 5), 100),
    ];
    let payments = [
        LedgerPayment { invoice_no: None, date: date(2026, 1, 10), amount: 100 },
        LedgerPayment { invoice_no: None, date: date(2024, 12, 1), amount: 100 },
    ];
    let inv = |no: &str, y, m| LedgerInvoice {
        invoice_no: no.into(),
        issue_date: date(y, m, 15),
        due_date: date(y, m, 28),
        amount: 1_000,
    };
    let invoices =
        [inv("I1", 2025, 5), inv("I2", 2025, 8), inv("I3", 2025, 11), inv("I4", 2026, 2), inv("I0", 2024, 6)];
    let dispute = |no: &str, m| Dispute {
        invoice_no: no.into(),
        opened_on: date(2026, m, 1),
        amount: 500,
        resolved_on: None,
    };
    let disputes = [dispute("I2", 1), dispute("I2", 2), dispute("I4", 3), dispute("I0", 1)];
    let b = payment_behaviour(&promises, &payments, &disputes, &invoices, date(2026, 3, 31), 12, 3);
    assert_eq!((b.promises_kept, b.promises_broken, b.promises_pending), (1, 1, 1));
    assert_eq!(b.promise_kept_rate_pct, Some(50.0));
    assert_eq!((b.invoices, b.disputed_invoices, b.dispute_rate_pct), (4, 2, Some(50.0)));
    assert_eq!(b.window_start, date(2025, 3, 31));
}
