//! The order-time credit check: every step passing and blocking, the group limit, and the
//! remedies. Thresholds of the shipped policy: oldest overdue item ≤ 30 days, overdue share
//! ≤ 20%, list-managed orders ≤ 50% of the limit.

use credence_control::{
    BookError, CheckResult, CreditPolicy, CustomerSnapshot, ExposureBook, GroupSnapshot, Lang, Level,
    Measure, ReleaseKind, Remedy, StepCode, TemporaryLimit, check,
};
use credence_domain::Currency;

use crate::fixtures::{customer, date, item, yuan};

const CHECK_DATE: (i32, u32, u32) = (2026, 9, 30);

fn book(customers: Vec<CustomerSnapshot>, groups: Vec<GroupSnapshot>) -> ExposureBook {
    let (book, diagnostics) = ExposureBook::build(&CreditPolicy::builtin(), Currency::CNY, customers, groups);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    book
}

fn run(book: &ExposureBook, id: &str, amount: i64) -> CheckResult {
    let (y, m, d) = CHECK_DATE;
    check(book, id, amount, Currency::CNY, date(y, m, d)).unwrap()
}

fn blocked(r: &CheckResult) -> Vec<StepCode> {
    r.blocking().map(|s| s.code).collect()
}

fn options(r: &CheckResult) -> Vec<(ReleaseKind, i64, String)> {
    match r.remedy.as_ref().unwrap() {
        Remedy::Release { options } => options.iter().map(|o| (o.kind, o.size, o.text_en.clone())).collect(),
        Remedy::Escalate { .. } => panic!("expected release options, got {:?}", r.remedy),
    }
}

/// Limit 1M; a current invoice of 300,000 and open orders of 100,000: an order of 200,000
/// makes 600,000 and passes every step.
#[test]
fn an_order_within_every_threshold_passes() {
    let mut c = customer("C1", yuan(1_000_000));
    c.receivables = vec![item("INV-1", date(2026, 9, 1), date(2026, 10, 31), yuan(300_000))];
    c.open_orders = yuan(100_000);
    let b = book(vec![c], vec![]);
    let r = run(&b, "C1", yuan(200_000));
    assert!(r.pass, "{:?}", r.steps);
    assert!(r.remedy.is_none());
    assert_eq!(r.exposure.total, yuan(600_000));
    assert_eq!(
        r.step(StepCode::Limit).message(Lang::En),
        "exposure with this order 600,000.00 CNY within the limit 1,000,000.00 CNY"
    );
    assert_eq!(r.step(StepCode::OldestOverdue).message(Lang::Zh), "无逾期");
    assert!(!r.step(StepCode::GroupLimit).applies);
    let codes: Vec<&str> = r.steps.iter().map(|s| s.code.code()).collect();
    assert_eq!(codes, ["limit", "oldest_overdue", "overdue_share", "grade", "red_level", "group_limit"]);
}

/// Exposure 900,000 (receivables) + order 112,400 = 1,012,400 against 1,000,000: 12,400 over.
/// Prepay 12,400; or ship floor(100,000 / 112,400 × 100) = 88% = 98,912 now (13,488 held
/// back). Prepay is smaller.
#[test]
fn limit_step_blocks_and_the_remedy_is_the_prepayment() {
    let mut c = customer("C1", yuan(1_000_000));
    c.receivables = vec![item("INV-1", date(2026, 9, 1), date(2026, 10, 31), yuan(900_000))];
    let b = book(vec![c], vec![]);
    let r = run(&b, "C1", yuan(112_400));
    assert_eq!(blocked(&r), [StepCode::Limit]);
    assert_eq!(r.step(StepCode::Limit).value, Measure::Money(yuan(1_012_400)));
    assert_eq!(
        r.step(StepCode::Limit).message(Lang::En),
        "exposure with this order 1,012,400.00 CNY exceeds the limit 1,000,000.00 CNY by 12,400.00 CNY"
    );
    assert_eq!(
        options(&r),
        [
            (ReleaseKind::Prepay, yuan(12_400), "prepay 12,400.00 CNY".to_owned()),
            (ReleaseKind::ShipPart, yuan(13_488), "ship 88% now (98,912.00 CNY), the rest later".to_owned()),
        ]
    );
    // Exactly at the limit passes.
    assert!(run(&b, "C1", yuan(100_000)).pass);
}

/// A temporary limit of 200,000 until 2026-10-15 counts on the day itself and not after.
#[test]
fn temporary_limits_count_until_they_expire() {
    let mut c = customer("C1", yuan(1_000_000));
    c.open_orders = yuan(900_000);
    c.temporary_limit = Some(TemporaryLimit { amount: yuan(200_000), expires: date(2026, 10, 15) });
    let b = book(vec![c], vec![]);
    let on = |d| check(&b, "C1", yuan(250_000), Currency::CNY, d).unwrap();
    let r = on(date(2026, 10, 15));
    assert!(r.pass);
    assert_eq!((r.permanent_limit, r.temporary_limit), (yuan(1_000_000), yuan(200_000)));
    let r = on(date(2026, 10, 16));
    assert_eq!(blocked(&r), [StepCode::Limit]);
    assert_eq!(r.temporary_limit, 0);
}

/// An invoice of 3,200 due 2026-08-15 is 46 days overdue on 2026-09-30 (> 30); it is 3,200
/// of 503,200 open (0.6%), so only the oldest-item step blocks. Collecting it releases the
/// order. Due 2026-08-31 it is 30 days overdue: passes.
#[test]
fn oldest_overdue_item_blocks_and_collecting_it_releases() {
    let mut c = customer("C1", yuan(2_000_000));
    c.receivables = vec![
        item("INV-7", date(2026, 7, 16), date(2026, 8, 15), yuan(3_200)),
        item("INV-9", date(2026, 9, 10), date(2026, 10, 10), yuan(500_000)),
    ];
    let mut d = c.clone();
    d.customer_id = "C2".into();
    d.receivables[0].due_date = date(2026, 8, 31);
    let b = book(vec![c, d], vec![]);
    let r = run(&b, "C1", yuan(10_000));
    assert_eq!(blocked(&r), [StepCode::OldestOverdue]);
    assert_eq!(r.step(StepCode::OldestOverdue).value, Measure::Days(46));
    assert_eq!(
        r.step(StepCode::OldestOverdue).message(Lang::En),
        "oldest item 46 days overdue, more than the 30 allowed"
    );
    assert_eq!(
        options(&r),
        [(
            ReleaseKind::CollectOverdue,
            yuan(3_200),
            "collect overdue invoice INV-7 (3,200.00 CNY) first".to_owned()
        )]
    );
    let r2 = run(&b, "C2", yuan(10_000));
    assert!(r2.pass);
    assert_eq!(r2.step(StepCode::OldestOverdue).value, Measure::Days(30));
}

/// 1,000,000 open of which 250,000 overdue 10 days (INV-A 150,000 due 09-20, INV-B 100,000
/// due 09-21): 25% > 20%. Collecting INV-A (oldest first) leaves 100,000 / 850,000 =
/// 11.8%. With 200,000 overdue of 1,000,000 the share is exactly 20%: passes.
#[test]
fn overdue_share_blocks_and_the_oldest_invoices_are_collected_first() {
    let mut c = customer("C1", yuan(5_000_000));
    c.receivables = vec![
        item("INV-B", date(2026, 8, 22), date(2026, 9, 21), yuan(100_000)),
        item("INV-A", date(2026, 8, 21), date(2026, 9, 20), yuan(150_000)),
        item("INV-C", date(2026, 9, 25), date(2026, 10, 25), yuan(750_000)),
    ];
    let mut d = c.clone();
    d.customer_id = "C2".into();
    d.receivables[1].open = yuan(100_000);
    d.receivables[2].open = yuan(800_000);
    let b = book(vec![c, d], vec![]);
    let r = run(&b, "C1", yuan(10_000));
    assert_eq!(blocked(&r), [StepCode::OverdueShare]);
    assert_eq!(r.step(StepCode::OverdueShare).value, Measure::Percent(25.0));
    assert_eq!(
        r.step(StepCode::OverdueShare).message(Lang::En),
        "25.0% of receivables overdue, more than the 20% allowed"
    );
    let o = options(&r);
    assert_eq!(o[0].0, ReleaseKind::CollectOverdue);
    assert_eq!(o[0].1, yuan(150_000));
    assert_eq!(o[0].2, "collect overdue invoice INV-A (150,000.00 CNY) first");
    assert!(run(&b, "C2", yuan(10_000)).pass);
}

/// The limit is short by 3,000 and a 3,200 invoice is 10 days overdue (within the
/// thresholds): prepaying 3,000 is smaller than collecting 3,200; both are offered, the
/// prepayment first. (When the overdue steps block, collecting comes first: see
/// `oldest_overdue_item_blocks_and_collecting_it_releases`.)
#[test]
fn options_are_ordered_by_size() {
    let mut c = customer("C1", yuan(1_000_000));
    c.receivables = vec![
        item("INV-1", date(2026, 8, 20), date(2026, 9, 20), yuan(3_200)),
        item("INV-2", date(2026, 9, 20), date(2026, 10, 20), yuan(996_800)),
    ];
    let b = book(vec![c], vec![]);
    let r = run(&b, "C1", yuan(3_000));
    assert_eq!(
        options(&r),
        [
            (ReleaseKind::Prepay, yuan(3_000), "prepay 3,000.00 CNY".to_owned()),
            (
                ReleaseKind::CollectOverdue,
                yuan(3_200),
                "collect overdue invoice INV-1 (3,200.00 CNY) first".to_owned()
            ),
        ]
    );
}

/// Oldest item 50,000 overdue 41 days blocks, and the limit is short by 80,000: collect
/// INV-OLD (50,000), then prepay the remaining 30,000 (size 80,000). Collecting INV-OLD and
/// INV-MID (50,000 + 40,000 = 90,000, both overdue) also releases it without prepaying.
#[test]
fn collect_then_prepay_when_both_kinds_of_step_block() {
    let mut c = customer("C1", yuan(1_000_000));
    c.receivables = vec![
        item("INV-OLD", date(2026, 7, 20), date(2026, 8, 20), yuan(50_000)),
        item("INV-MID", date(2026, 8, 25), date(2026, 9, 25), yuan(40_000)),
        item("INV-NEW", date(2026, 9, 26), date(2026, 10, 26), yuan(910_000)),
    ];
    let b = book(vec![c], vec![]);
    let r = run(&b, "C1", yuan(80_000));
    assert_eq!(blocked(&r), [StepCode::Limit, StepCode::OldestOverdue]);
    assert_eq!(
        options(&r),
        [
            (
                ReleaseKind::CollectThenPrepay,
                yuan(80_000),
                "collect overdue invoice INV-OLD (50,000.00 CNY) first, then prepay 30,000.00 CNY".to_owned()
            ),
            (
                ReleaseKind::CollectOverdue,
                yuan(90_000),
                "collect overdue invoices INV-OLD, INV-MID (90,000.00 CNY) first".to_owned()
            ),
        ]
    );
}

/// Grade B (list-managed) with a 500,000 limit: one order may be at most 50% = 250,000.
#[test]
fn list_managed_grades_cap_single_orders() {
    let mut c = customer("C1", yuan(500_000));
    c.grade = Some("B".into());
    let b = book(vec![c], vec![]);
    assert!(run(&b, "C1", yuan(250_000)).pass);
    let r = run(&b, "C1", yuan(300_000));
    assert_eq!(blocked(&r), [StepCode::Grade]);
    assert_eq!(r.step(StepCode::Grade).threshold, Measure::Money(yuan(250_000)));
    assert_eq!(
        r.step(StepCode::Grade).message(Lang::En),
        "grade B is list-managed: order 300,000.00 CNY above the 250,000.00 CNY allowed per order"
    );
    assert_eq!(options(&r)[0], (ReleaseKind::Prepay, yuan(50_000), "prepay 50,000.00 CNY".to_owned()));
}

/// A refused grade and a red level have no remedy but escalation: refused to the CFO, red
/// to the risk director, both to the higher of the two (the CFO).
#[test]
fn refused_grade_and_red_level_escalate() {
    let mut refused = customer("C1", yuan(500_000));
    refused.grade = Some("C".into());
    let mut red = customer("C2", yuan(500_000));
    red.level = Level::Red;
    let mut both = refused.clone();
    both.customer_id = "C3".into();
    both.level = Level::Red;
    let b = book(vec![refused, red, both], vec![]);
    let role = |r: &CheckResult| match r.remedy.as_ref().unwrap() {
        Remedy::Escalate { role, because, .. } => (role.clone(), because.clone()),
        other => panic!("{other:?}"),
    };
    let r = run(&b, "C1", yuan(1_000));
    assert_eq!(blocked(&r), [StepCode::Grade]);
    assert_eq!(role(&r), ("cfo".to_owned(), vec![StepCode::Grade]));
    assert_eq!(r.step(StepCode::Grade).message(Lang::En), "grade C is refused credit");
    let r = run(&b, "C2", yuan(1_000));
    assert_eq!(blocked(&r), [StepCode::RedLevel]);
    assert_eq!(role(&r), ("risk_director".to_owned(), vec![StepCode::RedLevel]));
    assert_eq!(r.step(StepCode::RedLevel).message(Lang::Zh), "红色预警：冻结授信");
    let r = run(&b, "C3", yuan(1_000));
    assert_eq!(role(&r).0, "cfo");
    assert!(r.remedy.as_ref().unwrap().best().is_none());
}

/// Group G: limit 2,000,000; members X (open orders 800,000) and Y (900,000) and 100,000
/// outside the book: 1,800,000. X's order of 250,000 makes 2,050,000 — over by 50,000 though
/// within X's own limit; Y's order of 150,000 makes 1,950,000 and passes. Group H has no
/// limit: the step does not apply.
#[test]
fn group_limit_step() {
    let mut x = customer("X", yuan(2_000_000));
    x.open_orders = yuan(800_000);
    x.group_id = Some("G".into());
    let mut y = customer("Y", yuan(2_000_000));
    y.open_orders = yuan(900_000);
    y.group_id = Some("G".into());
    let mut z = customer("Z", yuan(2_000_000));
    z.group_id = Some("H".into());
    let groups = vec![
        GroupSnapshot { group_id: "G".into(), limit: Some(yuan(2_000_000)), outside_exposure: yuan(100_000) },
        GroupSnapshot { group_id: "H".into(), limit: None, outside_exposure: 0 },
    ];
    let b = book(vec![x, y, z], groups);
    assert_eq!(b.group_exposure("G"), Some(yuan(1_800_000)));
    let r = run(&b, "X", yuan(250_000));
    assert_eq!(blocked(&r), [StepCode::GroupLimit]);
    assert_eq!(r.group_exposure, Some(yuan(1_800_000)));
    assert_eq!(
        r.step(StepCode::GroupLimit).message(Lang::En),
        "group exposure with this order 2,050,000.00 CNY exceeds the limit 2,000,000.00 CNY by 50,000.00 CNY"
    );
    assert_eq!(options(&r)[0].2, "prepay 50,000.00 CNY");
    assert!(run(&b, "Y", yuan(150_000)).pass);
    let r = run(&b, "Z", yuan(150_000));
    assert!(r.pass && !r.step(StepCode::GroupLimit).applies);
}

#[test]
fn unknown_customers_and_other_currencies_are_errors() {
    let b = book(vec![customer("C1", 0)], vec![]);
    let d = date(2026, 9, 30);
    assert_eq!(check(&b, "NOPE", 1, Currency::CNY, d), Err(BookError::UnknownCustomer("NOPE".into())));
    assert!(matches!(check(&b, "C1", 1, Currency::USD, d), Err(BookError::Currency { .. })));
}

/// A limit of 0 (a new customer's cash in advance): the whole order is prepaid, and no
/// partial shipment fits.
#[test]
fn a_zero_limit_means_prepaying_everything() {
    let b = book(vec![customer("C1", 0)], vec![]);
    let r = run(&b, "C1", yuan(5_000));
    assert_eq!(options(&r), [(ReleaseKind::Prepay, yuan(5_000), "prepay 5,000.00 CNY".to_owned())]);
}

#[test]
fn results_serialize_with_messages_in_both_languages() {
    let mut c = customer("C1", yuan(1_000_000));
    c.receivables = vec![item("INV-1", date(2026, 9, 1), date(2026, 10, 31), yuan(900_000))];
    let b = book(vec![c], vec![]);
    let json = serde_json::to_value(run(&b, "C1", yuan(112_400))).unwrap();
    assert_eq!(json["pass"], false);
    assert_eq!(json["grade"], "A");
    assert_eq!(json["currency"], "CNY");
    assert_eq!(json["steps"][0]["code"], "limit");
    assert_eq!(json["steps"][0]["name_zh"], "信用额度");
    assert_eq!(json["steps"][0]["value"], serde_json::json!({ "money": 101_240_000 }));
    assert_eq!(
        json["steps"][0]["message_zh"],
        "含本单敞口1,012,400.00 CNY，超过额度1,000,000.00 CNY，超出12,400.00 CNY"
    );
    assert_eq!(json["remedy"]["kind"], "release");
    assert_eq!(json["remedy"]["options"][0]["kind"], "prepay");
}
