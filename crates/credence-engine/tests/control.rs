//! Credit control over stored records end to end: the order-time check with every step
//! and the remedy, the blocked-order queue, aging on hand-computed figures, the policy
//! applied to a rated portfolio with limit requests approved along their route, and the
//! approved limit used by the next check.

use chrono::NaiveDate;
use credence_control::{Action, CollectionStrategy, CreditPolicy, StepCode};
use credence_domain::Currency;
use credence_domain::Labelled;
use credence_engine::{
    BlockedDecision, ImportOptions, ImportStatus, OrderDecisionKind, OrderToCheck, RateOptions, RateScope,
    aging, apply_policy, build_demo, check_order, decide_blocked_order, decide_limit, import_file,
    rate_portfolio,
};
use credence_records::Kind;
use credence_store::Store;

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn import(store: &mut Store, dir: &std::path::Path, kind: Kind, csv: &str) {
    let path = dir.join(format!("{}.csv", kind.code()));
    std::fs::write(&path, csv).unwrap();
    let options = ImportOptions::new(date("2026-09-30"), "2026-10-01T08:00:00Z".into());
    let report = import_file(store, kind, &path, &options, &mut |_| {}).unwrap();
    assert_eq!(report.status, ImportStatus::Committed, "{:#?}", report.diagnostics);
}

/// C1 (limit 1,000.00): I1 600.00 due 2026-07-01 with 100.00 paid, I2 300.00 due
/// 2026-10-01, an open order of 100.00. On 2026-09-30: receivables 500 + 300 = 800.00,
/// exposure 900.00; I1 is 91 days overdue; overdue share 500 / 800 = 62.5%.
/// C2 (limit 2,000.00): I3 400.00 due 2026-10-15, nothing overdue.
fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path().join("c.db").to_str().unwrap()).unwrap();
    import(
        &mut store,
        dir.path(),
        Kind::Customers,
        "customer_id,name,registration_no,customer_type,industry,region,org_unit,business_line,monitoring_tier,relationship_start,credit_limit,limit_currency,payment_terms_days\n\
         C1,公司C1,R-1,sme,C,浙江,east,machinery,core,2019-01-01,1000.00,CNY,30\n\
         C2,公司C2,R-2,sme,C,浙江,east,textiles,core,2019-01-01,2000.00,CNY,30",
    );
    import(
        &mut store,
        dir.path(),
        Kind::Invoices,
        "invoice_no,customer_id,issue_date,due_date,amount,currency\n\
         I1,C1,2026-06-01,2026-07-01,600.00,CNY\n\
         I2,C1,2026-09-01,2026-10-01,300.00,CNY\n\
         I3,C2,2026-09-15,2026-10-15,400.00,CNY",
    );
    import(
        &mut store,
        dir.path(),
        Kind::Payments,
        "payment_id,customer_id,invoice_no,payment_date,amount,currency\nP1,C1,I1,2026-07-15,100.00,CNY",
    );
    import(
        &mut store,
        dir.path(),
        Kind::Orders,
        "order_no,customer_id,order_date,amount,currency,status\nO1,C1,2026-09-20,100.00,CNY,open",
    );
    (dir, store)
}

fn order<'a>(
    customer: &'a str,
    amount: i64,
    order_ref: Option<&'a str>,
    actor: &'a str,
    now: &'a credence_domain::Timestamp,
) -> OrderToCheck<'a> {
    OrderToCheck { customer, amount, order_ref, actor, now }
}

fn decision<'a>(
    kind: OrderDecisionKind,
    reason: &'a str,
    by: &'a str,
    now: &'a credence_domain::Timestamp,
    date: NaiveDate,
) -> BlockedDecision<'a> {
    BlockedDecision { kind, reason, by, now, date }
}

#[test]
fn an_order_is_checked_step_by_step_and_a_blocked_one_is_queued_and_decided() {
    let (_dir, mut store) = store();
    let policy = CreditPolicy::builtin();
    let day = date("2026-09-30");
    let ok = check_order(
        &mut store,
        &policy,
        &order("C2", 100_000, Some("SO-9"), "sales", &"2026-09-30T09:00:00Z".into()),
        day,
    )
    .unwrap();
    assert!(ok.result.pass);
    let e = &ok.result.exposure;
    assert_eq!((e.receivables, e.open_orders, e.new_order, e.total), (40_000, 0, 100_000, 140_000));
    assert_eq!(ok.blocked_order, None);

    let checked = check_order(
        &mut store,
        &policy,
        &order("C1", 5_000, Some("SO-1"), "sales", &"2026-09-30T09:00:00Z".into()),
        day,
    )
    .unwrap();
    let r = &checked.result;
    assert!(!r.pass);
    let e = &r.exposure;
    assert_eq!((e.receivables, e.open_orders, e.total), (80_000, 10_000, 95_000), "800.00 + 100.00 + 50.00");
    assert!(r.step(StepCode::Limit).passed, "950.00 within 1,000.00");
    assert!(!r.step(StepCode::OldestOverdue).passed, "I1 is 91 days overdue");
    assert!(!r.step(StepCode::OverdueShare).passed, "62.5% overdue");
    let remedy = serde_json::to_string(&r.remedy).unwrap();
    assert!(remedy.contains("I1"), "collecting I1 releases the order: {remedy}");
    let id = checked.blocked_order.expect("a blocked order with a reference is queued");

    assert!(
        decide_blocked_order(
            &mut store,
            &policy,
            id,
            &decision(OrderDecisionKind::Release, " ", "li", &"t1".into(), day)
        )
        .is_err()
    );
    let again = decide_blocked_order(
        &mut store,
        &policy,
        id,
        &decision(OrderDecisionKind::Recheck, "", "li", &"t1".into(), day),
    )
    .unwrap();
    assert_eq!(again.status, "blocked");
    let released = decide_blocked_order(
        &mut store,
        &policy,
        id,
        &decision(OrderDecisionKind::Release, "CFO accepted", "li", &"t2".into(), day),
    )
    .unwrap();
    assert_eq!((released.status.as_str(), released.reason.as_deref()), ("released", Some("CFO accepted")));
    assert!(
        decide_blocked_order(
            &mut store,
            &policy,
            id,
            &decision(OrderDecisionKind::Reject, "late", "li", &"t3".into(), day)
        )
        .is_err()
    );
    let (_, log) = store.blocked_order(id).unwrap().unwrap();
    let kinds: Vec<&str> = log.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["blocked", "rechecked", "released"]);
    assert!(check_order(&mut store, &policy, &order("C9", 1, None, "sales", &"t".into()), day).is_err());
}

/// Portfolio on 2026-09-30: open 800.00 + 400.00 = 1,200.00; current 300.00 + 400.00 =
/// 700.00; 90+ days 500.00 (I1, 91 days); overdue rate 500 / 1,200 = 41.7%.
/// Month ends before: 2026-06-30 I1 600.00 not yet due; 2026-07-31 I1 500.00 (after the
/// payment of 07-15) 30 days overdue; 2026-08-31 the same 500.00, 61 days overdue.
#[test]
fn aging_matches_the_hand_calculation() {
    let (_dir, mut store) = store();
    let options = credence_engine::AgingOptions {
        top: 1,
        months: 3,
        ..credence_engine::AgingOptions::new(date("2026-09-30"), credence_domain::Currency::CNY)
    };
    let view = aging(&mut store, &options).unwrap();
    let report = &view.report;
    assert_eq!(view.top_customers.len(), 1);
    assert_eq!(
        (view.top_customers[0].0.as_str(), view.top_customers[0].1.profile.overdue.over_90),
        ("C1", 50_000)
    );
    let months: Vec<(String, i64, i64, i64, i64)> = view
        .history
        .iter()
        .map(|(d, l)| {
            let o = &l.profile.overdue;
            (d.to_string(), l.profile.open, o.current, o.days_1_30, o.days_61_90)
        })
        .collect();
    assert_eq!(
        months,
        vec![
            ("2026-06-30".to_owned(), 60_000, 60_000, 0, 0),
            ("2026-07-31".to_owned(), 50_000, 0, 50_000, 0),
            ("2026-08-31".to_owned(), 50_000, 0, 0, 50_000),
        ]
    );
    let p = &report.portfolio;
    assert_eq!(p.customers, 2);
    assert_eq!(
        (p.profile.open, p.profile.overdue.current, p.profile.overdue.over_90),
        (120_000, 70_000, 50_000)
    );
    assert!((p.overdue_rate_pct.unwrap() - 500.0 / 1200.0 * 100.0).abs() < 1e-9);
    assert_eq!(report.business_lines["machinery"].profile.open, 80_000);
    assert_eq!(report.business_lines["textiles"].profile.overdue.over_90, 0);
}

/// On a rated demo portfolio, the policy raises limit requests; one is approved along
/// its route (a wrong role is refused) and the approved limit is what the next check
/// counts.
#[test]
fn limit_requests_follow_their_route_and_the_approved_limit_is_checked_against() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path().join("d.db").to_str().unwrap()).unwrap();
    build_demo(
        &mut store,
        &credence_demo::DemoConfig { customers: 300, seed: 9, as_of: date("2026-09-30") },
        &"t0".into(),
    )
    .unwrap();
    let catalogue = credence_indicators::Catalogue::builtin();
    let model = credence_rating::ScorecardModel::builtin();
    let options = RateOptions::new(date("2026-09-30"), RateScope::All, "2026-10-01T08:00:00Z".into());
    rate_portfolio(&mut store, &catalogue, &model, &options).unwrap();
    let policy = CreditPolicy::builtin();
    let run = apply_policy(&mut store, &policy, date("2026-09-30"), &"2026-10-01T09:00:00Z".into()).unwrap();
    assert_eq!((run.proposed, run.proposals.len()), (300, 300));
    assert_eq!(run.admissions.values().sum::<u64>(), 300);
    assert!(!run.requests.is_empty());
    let pending = store.limit_requests(Some("pending"), None).unwrap();
    assert_eq!(pending.len(), run.requests.len());
    let request = pending
        .iter()
        .find(|r| serde_json::from_str::<Vec<serde_json::Value>>(&r.route).unwrap().len() >= 2)
        .expect("a request needing two approvers");
    let route: Vec<serde_json::Value> = serde_json::from_str(&request.route).unwrap();
    let role = |i: usize| route[i]["role"].as_str().unwrap().to_owned();
    // Nobody signs without holding the next step's authority, whatever their name.
    assert!(
        decide_limit(&mut store, request.id, true, "nobody", "", &"2026-10-01T10:00:00Z".into()).is_err()
    );
    let mut status = serde_json::Value::Null;
    for (i, _) in route.iter().enumerate() {
        let name = format!("approver{i}");
        person(&mut store, &name, &[&role(i)]);
        if i == 0 {
            // Holding a later step's authority does not sign an earlier one.
            person(&mut store, "later", &[&role(1)]);
            let e = decide_limit(&mut store, request.id, true, "later", "", &"2026-10-01T10:00:00Z".into())
                .unwrap_err();
            assert!(e.to_string().contains(&role(0)), "{e}");
        }
        let done =
            decide_limit(&mut store, request.id, true, &name, "ok", &"2026-10-01T10:00:00Z".into()).unwrap();
        assert_eq!(done.authority, role(i));
        status = serde_json::to_value(&done.status).unwrap();
    }
    assert_eq!(status["status"], "approved");
    person(&mut store, "late", &[&role(0)]);
    assert!(decide_limit(&mut store, request.id, true, "late", "", &"2026-10-01T11:00:00Z".into()).is_err());
    let approved = &store.approved_limits().unwrap()[request.customer_id.as_str()];
    assert_eq!(approved.credit_limit, request.requested_limit);
    let checked = check_order(
        &mut store,
        &policy,
        &order(&request.customer_id, 1, None, "s", &"t".into()),
        date("2026-09-30"),
    )
    .unwrap();
    assert_eq!(checked.result.permanent_limit, request.requested_limit);
}

/// A phone call on 2026-07-10 followed by C1's payment of 100.00 on 2026-07-15 (within 14
/// days): one attempt, one success, 100.00 recovered; a letter on 2026-09-01 with no
/// payment after it: one attempt, no success.
/// C1 (unrated, so the buckets' default rules): a call on 07-10 (I1 9 days overdue: rule
/// 4, 1-30) followed by the payment of 100.00 on 07-15; a letter on 09-01 (I1 62 days
/// overdue: rule 8, 61-90) followed by nothing. An action after the as-of date is not
/// counted.
#[test]
fn collection_success_credits_payments_to_the_action_before_them() {
    let (_dir, mut store) = store();
    for (day, action) in
        [("2026-07-10", Action::Phone), ("2026-09-01", Action::Letter), ("2026-10-02", Action::Visit)]
    {
        credence_engine::log_collection_action(&mut store, "C1", action, date(day), "", "zhao", &"t".into())
            .unwrap();
    }
    let strategy = CollectionStrategy::builtin();
    let report =
        credence_engine::collection_report(&mut store, &strategy, Currency::CNY, date("2026-09-30")).unwrap();
    let phone = report.by_action.iter().find(|l| l.action == Action::Phone).unwrap();
    assert_eq!((phone.attempts, phone.successes, phone.recovered), (1, 1, 10_000));
    assert_eq!(phone.success_rate_pct, Some(100.0));
    let letter = report.by_action.iter().find(|l| l.action == Action::Letter).unwrap();
    assert_eq!((letter.attempts, letter.successes, letter.recovered), (1, 0, 0));
    assert!(report.by_action.iter().all(|l| l.action != Action::Visit));
    let rules: Vec<(usize, &str, bool, Action, u32)> = report
        .by_rule
        .iter()
        .map(|l| (l.rule + 1, l.bucket.code(), l.grades.is_empty(), l.action, l.successes))
        .collect();
    assert_eq!(rules, [(4, "1-30", true, Action::Phone, 1), (8, "61-90", true, Action::Letter, 0)]);
    let e = credence_engine::log_collection_action(
        &mut store,
        "C9",
        Action::Phone,
        date("2026-09-01"),
        "",
        "z",
        &"t".into(),
    );
    assert_eq!(e.unwrap_err().to_string(), "no customer with id 'C9'");
}

/// C1's collection log at 2026-09-30. Promises: 100.00 promised on 07-01 for 07-12 and
/// paid on 07-15 (within the 3 grace days to 07-15: kept 07-15); 200.00 on 08-01 for
/// 08-10, nothing paid (broken 08-14). Kept rate 1 / 2 = 50 %. Disputes: I1 (issued
/// 06-01) opened 09-10 → 1 of C1's 2 invoices issued in the 12 months: dispute rate 50 %.
/// The open dispute takes I1 off the worklist, so I2 (due 10-01, one day ahead) is C1's
/// oldest item; once the dispute is resolved I1 (91 days overdue) is again.
#[test]
fn promises_and_disputes_feed_indicators_and_hold_back_disputed_invoices() {
    let (_dir, mut store) = store();
    let strategy = CollectionStrategy::builtin();
    let promise = |amount, made: &str, by: &str| credence_engine::NewPromise {
        customer: "C1",
        amount,
        currency: Currency::CNY,
        made_on: date(made),
        promised_date: date(by),
        invoice: None,
        actor: "zhao",
    };
    for p in [promise(10_000, "2026-07-01", "2026-07-12"), promise(20_000, "2026-08-01", "2026-08-10")] {
        credence_engine::log_promise(&mut store, &strategy, &p, &"t".into()).unwrap();
    }
    let e = credence_engine::log_promise(
        &mut store,
        &strategy,
        &promise(0, "2026-09-01", "2026-09-10"),
        &"t".into(),
    );
    assert_eq!(e.unwrap_err().to_string(), "amount: must be above zero (got 0)");
    let e = credence_engine::log_promise(
        &mut store,
        &strategy,
        &promise(1, "2026-09-10", "2026-09-01"),
        &"t".into(),
    );
    assert!(e.unwrap_err().to_string().contains("must be on or after the day the promise is made"));
    let id = credence_engine::open_dispute(
        &mut store,
        &credence_engine::NewDispute {
            customer: "C1",
            invoice: "I1",
            opened_on: date("2026-09-10"),
            amount: Some(20_000),
            reason: "price",
            actor: "zhao",
        },
        &"t".into(),
    )
    .unwrap();
    let e = credence_engine::open_dispute(
        &mut store,
        &credence_engine::NewDispute {
            customer: "C1",
            invoice: "I3",
            opened_on: date("2026-09-10"),
            amount: None,
            reason: "price",
            actor: "zhao",
        },
        &"t".into(),
    );
    assert_eq!(e.unwrap_err().to_string(), "invoice 'I3' is customer 'C2's, not 'C1's");

    let catalogue = credence_indicators::Catalogue::builtin();
    let view = credence_engine::customer_view(
        &mut store,
        &catalogue,
        &credence_rating::ScorecardModel::builtin(),
        "C1",
        date("2026-09-30"),
        credence_engine::IndicatorSource::Records,
    )
    .unwrap();
    let value = |id: &str| view.indicators.iter().find(|l| l.id == id).unwrap().value.value;
    assert_eq!(value("promise_kept_rate"), Some(50.0));
    assert_eq!(value("dispute_rate"), Some(50.0));

    let worklist = |store: &mut Store| {
        let list = credence_engine::collection_worklist(store, &strategy, Currency::CNY, date("2026-09-30"))
            .unwrap();
        list.collectors
            .iter()
            .flat_map(|c| c.items.iter().map(|i| (i.customer_id.to_string(), i.days_overdue)))
            .collect::<Vec<_>>()
    };
    assert_eq!(worklist(&mut store), [("C1".to_owned(), -1)]);
    credence_engine::resolve_dispute(&mut store, id, date("2026-09-20"), "price confirmed", "li").unwrap();
    assert_eq!(worklist(&mut store), [("C1".to_owned(), 91)]);
}

/// On 2026-09-30 C1's oldest item (I1, due 2026-07-01) is 91 days overdue: it is on its
/// business line's list in the 90+ bucket;
/// C2's only item is due 2026-10-15, beyond the earliest reminder (7 days before due).
#[test]
fn the_worklist_lists_overdue_customers_for_their_business_line() {
    let (_dir, mut store) = store();
    let strategy = credence_control::CollectionStrategy::builtin();
    let list = credence_engine::collection_worklist(
        &mut store,
        &strategy,
        credence_domain::Currency::CNY,
        date("2026-09-30"),
    )
    .unwrap();
    let items: Vec<(&str, &str, &str, i64)> = list
        .collectors
        .iter()
        .flat_map(|c| {
            c.items
                .iter()
                .map(move |i| (c.owner.as_str(), i.customer_id.as_str(), i.bucket.code(), i.days_overdue))
        })
        .collect();
    assert_eq!(items, vec![("machinery", "C1", "90+", 91)]);
}

/// A user in the store holding these authorities.
fn person(store: &mut Store, name: &str, authorities: &[&str]) {
    let u = credence_store::StoredUser {
        id: 0,
        username: name.into(),
        display_name: name.into(),
        password_hash: String::new(),
        role: "finance".into(),
        org_unit: None,
        business_lines: String::new(),
        customers: String::new(),
        hidden_indicators: String::new(),
        disabled: false,
        created_at: "t0".into(),
        password_changed_at: "t0".into(),
        language: None,
    };
    let id = store.create_user(&u).unwrap().unwrap();
    for a in authorities {
        store.grant_authority(id, a, "setup", &"t0".into()).unwrap();
    }
}
