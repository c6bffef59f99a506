//! Worklists: the next action by bucket and grade, priority order, promises on hold and
//! broken-promise escalation, success of actions.

use credence_control::{
    Action, ActionRecord, CaseState, CollectionCase, CollectionStrategy, Ledger, LedgerCreditNote,
    LedgerInvoice, LedgerPayment, OverdueBucket, Promise, WorkReason, collection_success, next_action,
    worklist,
};

use crate::fixtures::{date, item, yuan};

const TODAY: (i32, u32, u32) = (2026, 3, 31);

fn today() -> chrono::NaiveDate {
    date(TODAY.0, TODAY.1, TODAY.2)
}

fn case(id: &str, owner: &str, grade: &str, pd: f64, due: chrono::NaiveDate, amount: i64) -> CollectionCase {
    CollectionCase {
        customer_id: id.into(),
        owner: owner.into(),
        grade: Some(grade.into()),
        pd: Some(pd),
        receivables: vec![item(&format!("{id}-1"), due - chrono::TimeDelta::days(30), due, amount)],
        actions: vec![],
        promises: vec![],
        payments: vec![],
    }
}

fn due(c: &CollectionCase) -> credence_control::WorkItem {
    match next_action(&CollectionStrategy::builtin(), c, today()) {
        CaseState::Due(w) => w,
        other => panic!("expected an action, got {other:?}"),
    }
}

/// As of 2026-03-31 (urgency: 0.5 at 0 days rising to 1.0 at 30, 1.5 at 60):
/// - C1, grade A, PD 2%, 100,000 due 03-01 (30 days): A's 1–30 ladder step at day 25 is a
///   letter, due 03-26; urgency 1.0; priority 10,000,000 × 0.02 × 1.0 = 200,000.
/// - C2, grade B, PD 25%, 20,000 due 03-21 (10 days): the default 1–30 ladder has a call at
///   day 1, due 03-22; urgency 0.5 + 10/30 × 0.5 = 0.6667; priority 2,000,000 × 0.25 ×
///   0.6667 = 333,333.33.
/// - C3, grade AA, PD 1%, 500,000 due 01-30 (60 days): 31–60 for AA has a visit at day 45,
///   due 03-16; urgency 1.5; priority 50,000,000 × 0.01 × 1.5 = 750,000.
/// - C4 (another collector), grade AA, 80,000 due 04-02 (−2 days): the reminder 3 days
///   ahead, due 03-30, for the 80,000 due by 04-03.
/// - C5 as C1 but the letter was sent on 03-27: nothing due.
///
/// Collector "li": C3, C2, C1. Collector "wang": C4.
#[test]
fn worklists_are_ordered_by_expected_loss_avoided() {
    let c1 = case("C1", "li", "A", 0.02, date(2026, 3, 1), yuan(100_000));
    let c2 = case("C2", "li", "B", 0.25, date(2026, 3, 21), yuan(20_000));
    let c3 = case("C3", "li", "AA", 0.01, date(2026, 1, 30), yuan(500_000));
    let c4 = case("C4", "wang", "AA", 0.01, date(2026, 4, 2), yuan(80_000));
    let mut c5 = case("C5", "li", "A", 0.02, date(2026, 3, 1), yuan(100_000));
    c5.actions = vec![ActionRecord { date: date(2026, 3, 27), action: Action::Letter }];

    let w1 = due(&c1);
    assert_eq!(
        (w1.action, w1.due_on, w1.days_overdue, w1.bucket),
        (Action::Letter, date(2026, 3, 26), 30, OverdueBucket::Days1To30)
    );
    assert_eq!((w1.urgency, w1.priority), (1.0, 200_000.0));
    assert_eq!(
        w1.text_en,
        "Dunning letter due 2026-03-26: oldest invoice 30 days overdue (1-30 days overdue)"
    );
    let w2 = due(&c2);
    assert_eq!((w2.action, w2.due_on), (Action::Phone, date(2026, 3, 22)));
    assert!((w2.priority - 333_333.333_333).abs() < 0.001);
    let w3 = due(&c3);
    assert_eq!((w3.action, w3.due_on, w3.priority), (Action::Visit, date(2026, 3, 16), 750_000.0));
    let w4 = due(&c4);
    assert_eq!(
        (w4.action, w4.due_on, w4.amount, w4.days_overdue),
        (Action::Reminder, date(2026, 3, 30), yuan(80_000), -2)
    );
    assert_eq!(next_action(&CollectionStrategy::builtin(), &c5, today()), CaseState::NothingDue);

    let list = worklist(&CollectionStrategy::builtin(), &[c1, c2, c3, c4, c5], today());
    let order: Vec<(&str, Vec<&str>)> = list
        .collectors
        .iter()
        .map(|c| (c.owner.as_str(), c.items.iter().map(|i| i.customer_id.as_str()).collect()))
        .collect();
    assert_eq!(order, [("li", vec!["C3", "C2", "C1"]), ("wang", vec!["C4"])]);
    assert_eq!(list.strategy_version, "2026-Q4-V1.1");
}

/// Not yet in reminder range (due in 10 days) or nothing open: nothing due. Equal priority:
/// the larger amount first, then the customer id.
#[test]
fn nothing_due_and_ties() {
    let early = case("C1", "li", "AA", 0.01, date(2026, 4, 10), yuan(1));
    assert_eq!(next_action(&CollectionStrategy::builtin(), &early, today()), CaseState::NothingDue);
    let mut paid = case("C2", "li", "AA", 0.01, date(2026, 3, 1), yuan(1));
    paid.receivables[0].open = 0;
    assert_eq!(next_action(&CollectionStrategy::builtin(), &paid, today()), CaseState::NothingDue);
    let b = case("B", "li", "A", 0.02, date(2026, 3, 1), yuan(100));
    let a = case("A", "li", "A", 0.02, date(2026, 3, 1), yuan(100));
    let list = worklist(&CollectionStrategy::builtin(), &[b, a], today());
    let ids: Vec<&str> = list.collectors[0].items.iter().map(|i| i.customer_id.as_str()).collect();
    assert_eq!(ids, ["A", "B"]);
}

/// Grade A, 100,000 due 03-01 (30 days on 03-31). Called on 03-11; on 03-12 the customer
/// promised to pay by 03-20; with 3 grace days the deadline is 03-23.
/// - On 03-22 the promise is pending: on hold until 03-23.
/// - On 03-31, nothing paid: broken on 03-24. The harshest action so far was the call, so
///   it escalates to a letter (A's ladder is at a letter too); due 03-24; urgency 1.0 ×
///   1.5.
/// - Had a letter been sent before, it escalates to a visit, harsher than the ladder's letter.
/// - Paid on 03-19: kept, and the ladder goes on (the letter due 03-26; the call of 03-11 is
///   milder).
#[test]
fn broken_promises_escalate() {
    let strategy = CollectionStrategy::builtin();
    let mut c = case("C1", "li", "A", 0.02, date(2026, 3, 1), yuan(100_000));
    c.actions = vec![ActionRecord { date: date(2026, 3, 11), action: Action::Phone }];
    c.promises = vec![Promise {
        made_on: date(2026, 3, 12),
        promised_date: date(2026, 3, 20),
        amount: yuan(100_000),
        invoice_no: None,
        grace_days: None,
    }];
    assert_eq!(next_action(&strategy, &c, date(2026, 3, 22)), CaseState::OnHold { until: date(2026, 3, 23) });
    let w = due(&c);
    assert_eq!(
        (w.action, w.reason, w.due_on),
        (Action::Letter, WorkReason::BrokenPromise, date(2026, 3, 24))
    );
    assert_eq!(w.urgency, 1.5);
    assert_eq!(w.text_en, "Dunning letter due 2026-03-24: promise to pay broken on 2026-03-24");

    let mut lettered = c.clone();
    lettered.actions.push(ActionRecord { date: date(2026, 3, 5), action: Action::Letter });
    assert_eq!(due(&lettered).action, Action::Visit);

    // The escalation (a visit) was made on 03-25: back to the ladder, whose letter due on
    // 03-26 the visit answers (it was made in the letter's stage, which began 03-11).
    let mut handled = lettered.clone();
    handled.actions.push(ActionRecord { date: date(2026, 3, 25), action: Action::Visit });
    assert_eq!(next_action(&strategy, &handled, today()), CaseState::NothingDue);

    let mut kept = c.clone();
    kept.payments = vec![LedgerPayment { invoice_no: None, date: date(2026, 3, 19), amount: yuan(100_000) }];
    kept.receivables[0].open = yuan(50_000);
    let w = due(&kept);
    assert_eq!((w.action, w.reason, w.due_on), (Action::Letter, WorkReason::Ladder, date(2026, 3, 26)));

    let list = worklist(&strategy, &[c], date(2026, 3, 22));
    assert!(list.collectors.is_empty());
    assert_eq!(list.on_hold, [("C1".to_owned(), "li".to_owned(), date(2026, 3, 23))]);
}

/// Calls on 03-01 and 03-10, a letter on 03-20. Payments: 03-05 (500, 4 days after the first
/// call: credited to it), 03-12 (300, credited to the second call), 03-15 (200, also to the
/// second call), 04-20 (900, 31 days after the letter: outside the 14-day window).
/// Calls: 2 attempts, 2 successes, 1,000 recovered; letter: 1 attempt, 0 successes.
///
/// By rule, for a grade-A customer whose only invoice (10,000) fell due on 02-25: the
/// first call was 4 days overdue (1-30, rule 2: A's rule of the bucket), the second 13
/// days; on 03-20 the invoice was no longer open (paid 1,000, plus a credit note for the
/// rest on 03-18), so the letter fell under the current bucket's rule for A (rule 0).
#[test]
fn success_rate_by_action_and_strategy_rule() {
    let strategy = CollectionStrategy::builtin();
    let a = |m, d, action| ActionRecord { date: date(2026, m, d), action };
    let p = |m, d, amount| LedgerPayment { invoice_no: None, date: date(2026, m, d), amount };
    let actions = [a(3, 1, Action::Phone), a(3, 10, Action::Phone), a(3, 20, Action::Letter)];
    let ledger = Ledger {
        invoices: vec![LedgerInvoice {
            invoice_no: "I1".into(),
            issue_date: date(2026, 1, 26),
            due_date: date(2026, 2, 25),
            amount: 10_000,
        }],
        payments: vec![p(3, 5, 500), p(3, 12, 300), p(3, 15, 200), p(4, 20, 900)],
        credit_notes: vec![LedgerCreditNote {
            invoice_no: "I1".into(),
            date: date(2026, 3, 18),
            amount: 9_000,
        }],
    };
    let s = collection_success(&strategy, Some("A"), &ledger, &actions);
    let phone = s.by_action.iter().find(|x| x.action == Action::Phone).unwrap();
    assert_eq!(
        (phone.attempts, phone.successes, phone.recovered, phone.success_rate_pct),
        (2, 2, 1_000, Some(100.0))
    );
    let letter = s.by_action.iter().find(|x| x.action == Action::Letter).unwrap();
    assert_eq!(
        (letter.attempts, letter.successes, letter.recovered, letter.success_rate_pct),
        (1, 0, 0, Some(0.0))
    );
    assert!(s.by_action.iter().all(|x| x.action != Action::Legal));
    let by_rule: Vec<_> =
        s.by_rule.iter().map(|r| (r.rule, r.bucket, r.action, r.attempts, r.recovered)).collect();
    assert_eq!(
        by_rule,
        [
            (0, OverdueBucket::Current, Action::Letter, 1, 0),
            (2, OverdueBucket::Days1To30, Action::Phone, 2, 1_000)
        ]
    );
    assert_eq!(s.by_rule[1].grades, ["AAA", "AA", "A", "BBB"]);

    // Two customers' lines add up; rates are recomputed.
    let mut total = s.clone();
    total.add(collection_success(&strategy, None, &ledger, &actions[2..]));
    let letter = total.by_action.iter().find(|x| x.action == Action::Letter).unwrap();
    assert_eq!((letter.attempts, letter.successes), (2, 0));
    // The unrated customer's letter falls under the current bucket's default rule (1).
    assert_eq!(total.by_rule.iter().map(|r| r.rule).collect::<Vec<_>>(), [0, 1, 2]);
}
