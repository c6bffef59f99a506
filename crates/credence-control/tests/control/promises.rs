//! Promises to pay: kept, broken or pending, with their grace days.

use credence_control::{LedgerPayment, Promise, PromiseStatus, promise_status};

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
        grace_days: None,
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

/// A promise logged with 7 grace days of its own keeps them whatever the strategy's
/// default: promised for 03-10, 7,000 paid on 03-16 → kept on 03-16 (deadline 03-17),
/// where the default 3 days (deadline 03-13) would have broken it on 03-14.
#[test]
fn a_promise_keeps_its_own_grace_days() {
    let p = Promise {
        made_on: date(2026, 3, 1),
        promised_date: date(2026, 3, 10),
        amount: 7_000,
        invoice_no: None,
        grace_days: Some(7),
    };
    let paid = [pay(None, 3, 16, 7_000)];
    assert_eq!(p.deadline(3), date(2026, 3, 17));
    assert_eq!(
        promise_status(&p, &paid, date(2026, 3, 31), 3),
        PromiseStatus::Kept { on: date(2026, 3, 16) }
    );
    let default = Promise { grace_days: None, ..p };
    assert_eq!(
        promise_status(&default, &paid, date(2026, 3, 31), 3),
        PromiseStatus::Broken { on: date(2026, 3, 14), paid: 0 }
    );
}
