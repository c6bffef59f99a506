//! Every rule of the shipped pack on the baseline customer of [`crate::fixture`] changed
//! just enough to fire it, and just short of that: the hand calculations are in each
//! test's comment.

use credence_domain::EventKind::{self, *};
use credence_indicators::CustomerFile;
use credence_warning::{Language, Level};

use crate::fixture::*;

/// Evaluates the file with the shipped pack and checks which rules fired.
fn fired(file: &CustomerFile, expected: &[&str]) -> credence_warning::CustomerWarnings {
    let w = evaluate(&builtin(), file);
    assert_eq!(codes(&w), expected, "undetermined: {:?}", w.undetermined);
    w
}

fn with_events(events: Vec<credence_indicators::Event>) -> CustomerFile {
    let mut f = baseline();
    add_events(&mut f, events);
    f
}

fn counted(kind: EventKind, date: chrono::NaiveDate, count: f64) -> credence_indicators::Event {
    let mut e = event(kind, date);
    e.count = Some(count);
    e
}

#[test]
fn baseline_fires_nothing_and_decides_everything() {
    let w = fired(&baseline(), &[]);
    assert!(w.undetermined.is_empty(), "{:?}", w.undetermined);
    assert_eq!(w.level.level, Level::Green);
    assert_eq!(w.pack_version, "2026-Q4-V1.1");
}

/// Current ratio 1,320 / 1,000 = 1.32 at 2026-09-30 and 1,410 / 1,000 = 1.41 at
/// 2026-06-30: both below 1.5. With 1,500 in June the ratio is 1.5, not below.
#[test]
fn w01_current_ratio_below_floor_two_quarters() {
    let mut f = baseline();
    set(&mut f, d(2026, 9, 30), &[("current_assets", 1_320.0)]);
    set(&mut f, d(2026, 6, 30), &[("current_assets", 1_410.0)]);
    let w = fired(&f, &["W01"]);
    let facts = &firing(&w, "W01").evidence;
    assert_eq!(facts.len(), 2);
    let left: Vec<(f64, String)> =
        facts.iter().map(|x| (x.left.value, x.left.readings[0].date.to_string())).collect();
    assert!(close(left[0].0, 1.32) && close(left[1].0, 1.41), "{left:?}");
    assert_eq!((left[0].1.as_str(), left[1].1.as_str()), ("2026-09-30", "2026-06-30"));
    assert_eq!(
        firing(&w, "W01").sentence(Language::Zh),
        "W01 流动比率连续两个季度低于1.5：流动比率 1.32（2026-09-30）、1.41（2026-06-30） < 1.5。"
    );
    set(&mut f, d(2026, 6, 30), &[("current_assets", 1_500.0)]);
    fired(&f, &[]);
}

/// A firing hashes like itself evaluated again, and differently once any value it cites
/// moves (1.41 → 1.42 in June), however small the move.
#[test]
fn a_firing_hashes_by_everything_it_says() {
    use std::hash::BuildHasher;
    let state = std::hash::RandomState::new();
    let print = |f: &CustomerFile| {
        let w = fired(f, &["W01"]);
        state.hash_one(firing(&w, "W01"))
    };
    let mut f = baseline();
    set(&mut f, d(2026, 9, 30), &[("current_assets", 1_320.0)]);
    set(&mut f, d(2026, 6, 30), &[("current_assets", 1_410.0)]);
    let first = print(&f);
    assert_eq!(print(&f), first);
    set(&mut f, d(2026, 6, 30), &[("current_assets", 1_420.0)]);
    assert_ne!(print(&f), first);
    set(&mut f, d(2026, 6, 30), &[("current_assets", 1_410.000_000_1)]);
    assert_ne!(print(&f), first);
}

/// Receivables 800 at 2026-09-30: turnover 4,000 / ((800 + 500) / 2) = 6.1538 against
/// 8 a year earlier, a change of −23.1 %. With 740 it is 4,000 / 620 = 6.4516, −19.4 %.
#[test]
fn w02_receivables_turnover_down_a_fifth() {
    let mut f = baseline();
    set(&mut f, d(2026, 9, 30), &[("accounts_receivable", 800.0)]);
    let w = fired(&f, &["W02"]);
    let fact = &firing(&w, "W02").evidence[0];
    assert!(close(fact.left.value, (4_000.0 / 650.0 - 8.0) / 8.0), "{}", fact.left.value);
    assert_eq!(fact.left.unit, "fraction");
    let readings: Vec<(f64, String)> =
        fact.left.readings.iter().map(|r| (r.value, r.date.to_string())).collect();
    assert!(close(readings[0].0, 4_000.0 / 650.0) && close(readings[1].0, 8.0), "{readings:?}");
    assert_eq!((readings[0].1.as_str(), readings[1].1.as_str()), ("2026-09-30", "2025-09-30"));
    assert_eq!(
        firing(&w, "W02").sentence(Language::En),
        "W02 Receivables turnover down more than 20% on a year earlier: change(receivables_turnover, 1y) = -23.1% \
         (Receivables turnover 6.15 times a year (2026-09-30); Receivables turnover 8.00 times a year (2025-09-30)) < -20%."
    );
    set(&mut f, d(2026, 9, 30), &[("accounts_receivable", 740.0)]);
    fired(&f, &[]);
}

/// Cash 260: 260 / 3,200 × 12 = 0.975 months. With 270: 1.0125 months.
#[test]
fn w03_cash_reserve_under_one_month() {
    let mut f = baseline();
    set(&mut f, d(2026, 9, 30), &[("cash", 260.0)]);
    let w = fired(&f, &["W03"]);
    assert!(close(firing(&w, "W03").evidence[0].left.value, 0.975));
    set(&mut f, d(2026, 9, 30), &[("cash", 270.0)]);
    fired(&f, &[]);
}

/// Main customers lost on 2026-02-02 (10 %) and 2026-08-08 (6 %): 16 % of revenue in
/// the four quarters (2025-09-30, 2026-09-30]. A loss dated 2025-09-30 is outside the
/// window, leaving 6 %.
#[test]
fn w04_main_customer_loss_over_fifteen_percent() {
    let loss = |date, pct| {
        let mut e = event(CustomerLoss, date);
        e.change_pct = Some(pct);
        e
    };
    let w = fired(&with_events(vec![loss(d(2026, 2, 2), 10.0), loss(d(2026, 8, 8), 6.0)]), &["W04"]);
    assert!(close(firing(&w, "W04").evidence[0].left.value, 0.16));
    fired(&with_events(vec![loss(d(2025, 9, 30), 10.0), loss(d(2026, 8, 8), 6.0)]), &[]);
}

/// Complaints: 2 on 2026-01-05 and 1 on 2026-07-07 (3 in the last four quarters)
/// against 2 on 2025-03-03 (the four before): 3 ≥ 1.3 × 2 = 2.6. Against 3 before:
/// 3 < 3.9. One complaint after none is no rise (fewer than 2).
#[test]
fn w05_quality_complaints_up_thirty_percent() {
    let now =
        || vec![counted(QualityComplaint, d(2026, 1, 5), 2.0), counted(QualityComplaint, d(2026, 7, 7), 1.0)];
    let mut events = now();
    events.push(counted(QualityComplaint, d(2025, 3, 3), 2.0));
    let w = fired(&with_events(events), &["W05"]);
    let facts = &firing(&w, "W05").evidence;
    assert_eq!((facts[0].left.value, facts[0].right.value), (3.0, 2.6));
    assert_eq!(facts[1].left.value, 3.0);
    let mut events = now();
    events.push(counted(QualityComplaint, d(2025, 3, 3), 3.0));
    fired(&with_events(events), &[]);
    fired(&with_events(vec![counted(QualityComplaint, d(2026, 7, 7), 1.0)]), &[]);
}

/// Core staff departures of 2 and 2 people: 4 > 3. Of 2 and one without a head count
/// (counting 1): 3.
#[test]
fn w06_more_than_three_core_staff_lost() {
    let w = fired(
        &with_events(vec![
            counted(CoreStaffDeparture, d(2026, 3, 3), 2.0),
            counted(CoreStaffDeparture, d(2026, 6, 6), 2.0),
        ]),
        &["W06"],
    );
    assert_eq!(firing(&w, "W06").evidence[0].left.value, 4.0);
    fired(
        &with_events(vec![
            counted(CoreStaffDeparture, d(2026, 3, 3), 2.0),
            event(CoreStaffDeparture, d(2026, 6, 6)),
        ]),
        &[],
    );
}

/// At 2026-09-30: total liabilities 1,100 (debt-to-asset 44 % against 40 %), net profit
/// 40 (net margin 340 / 4,000 = 8.5 % against 10 %), operating cash flow 100 (twelve
/// months 550 against 600 a year earlier: −8.33 %). With the cash flow unchanged its
/// growth is 0, not negative.
#[test]
fn w07_leverage_up_margin_down_cash_flow_shrinking() {
    let mut f = baseline();
    set(
        &mut f,
        d(2026, 9, 30),
        &[("total_liabilities", 1_100.0), ("net_profit", 40.0), ("operating_cash_flow", 100.0)],
    );
    let w = fired(&f, &["W07"]);
    let firing = firing(&w, "W07");
    assert_eq!(
        firing.sentence(Language::En),
        "W07 Debt ratio up, margin down and operating cash flow shrinking: \
         Debt-to-asset ratio rose from 40.0% (2026-06-30) to 44.0% (2026-09-30); \
         Net margin fell from 10.0% (2026-06-30) to 8.5% (2026-09-30); \
         Operating cash-flow growth -8.3% (2026-09-30) < 0."
    );
    assert_eq!(
        firing.sentence(Language::Zh),
        "W07 资产负债率上升、利润率下降且经营现金流负增长：资产负债率由40.0%（2026-06-30）升至44.0%（2026-09-30）；\
         净利润率由10.0%（2026-06-30）降至8.5%（2026-09-30）；经营现金流增长率 -8.3%（2026-09-30） < 0。"
    );
    set(&mut f, d(2026, 9, 30), &[("operating_cash_flow", 150.0)]);
    fired(&f, &[]);
}

/// A CFO change on 2026-08-01 is within two quarters; a change of a director, one
/// without a role, and a CEO change on 2026-03-31 (the window is (2026-03-31,
/// 2026-09-30]) are not.
#[test]
fn w08_ceo_or_cfo_change() {
    let change = |date, role: Option<&str>| {
        let mut e = event(ManagementChange, date);
        e.role = role.map(str::to_owned);
        e
    };
    let w = fired(&with_events(vec![change(d(2026, 8, 1), Some(" cfo "))]), &["W08"]);
    let reading = &firing(&w, "W08").evidence[0].left.readings[0];
    assert_eq!((reading.from, reading.date), (Some(d(2026, 4, 1)), d(2026, 9, 30)));
    fired(&with_events(vec![change(d(2026, 8, 1), Some("董事"))]), &[]);
    fired(&with_events(vec![change(d(2026, 8, 1), None)]), &[]);
    fired(&with_events(vec![change(d(2026, 3, 31), Some("CEO"))]), &[]);
    fired(&with_events(vec![change(d(2026, 4, 1), Some("总经理"))]), &["W08"]);
}

/// Lawsuits as defendant: none in Q1 2026, one in Q2 (2026-05-10), two in Q3
/// (2026-07-01, 2026-09-30). Q3: 2 > 1.2 × 1; Q2: 1 > 1.2 × 0. With one in Q3:
/// 1 > 1.2 fails.
#[test]
fn w09_defendant_lawsuits_rising_two_quarters() {
    let suits = |dates: &[chrono::NaiveDate]| dates.iter().map(|&x| event(LawsuitDefendant, x)).collect();
    let w = fired(&with_events(suits(&[d(2026, 5, 10), d(2026, 7, 1), d(2026, 9, 30)])), &["W09"]);
    let firing = firing(&w, "W09");
    let pairs: Vec<(f64, f64)> = firing.evidence.iter().map(|x| (x.left.value, x.right.value)).collect();
    assert_eq!(pairs, [(2.0, 1.2), (1.0, 0.0)]);
    assert_eq!(
        firing.sentence(Language::En),
        "W09 Lawsuits as defendant up more than 20% in consecutive quarters: \
         Lawsuit as defendant: number of events 2 (2026-07-01 to 2026-09-30) > \
         1.2 * count(lawsuit_defendant, 1q, 1q ago) = 1.2 (Lawsuit as defendant: number of events 1 (2026-04-01 to 2026-06-30)); \
         Lawsuit as defendant: number of events 1 (2026-04-01 to 2026-06-30) > \
         1.2 * count(lawsuit_defendant, 1q, 1q ago) = 0 (Lawsuit as defendant: number of events 0 (2026-01-01 to 2026-03-31))."
    );
    fired(&with_events(suits(&[d(2026, 5, 10), d(2026, 9, 30)])), &[]);
}

/// Payments 20 days late all along (days beyond terms 20 at both quarter ends, 7
/// points), plus an invoice of 600 due 2026-07-31 still open, 61 days overdue:
/// (12 × 100 × 20 + 600 × 61) / (1,200 + 600) = 33.67 days. With 300 open:
/// (24,000 + 18,300) / 1,500 = 28.2 days. The timeliness score falls to 4.63 points but
/// was 7, not good (8), a quarter before: no collapse.
#[test]
fn w10_payments_beyond_terms_over_thirty_days() {
    let mut f = baseline();
    monthly_ledger(&mut f, 100.0, 20);
    unpaid(&mut f, d(2026, 7, 1), d(2026, 7, 31), 600.0);
    let w = fired(&f, &["W10"]);
    assert!(close(firing(&w, "W10").evidence[0].left.value, 60_600.0 / 1_800.0));
    let mut f = baseline();
    monthly_ledger(&mut f, 100.0, 20);
    unpaid(&mut f, d(2026, 7, 1), d(2026, 7, 31), 300.0);
    fired(&f, &[]);
}

/// An invoice of 50 due 2026-07-01 still open is 91 days overdue at 2026-09-30: 50 of
/// the 150 open (33.3 %) is over 90 days; days beyond terms 50 × 91 / 1,250 = 3.64.
/// Due 2026-07-02 it is 90 days overdue, not over 90.
#[test]
fn w11_overdue_beyond_ninety_days_share() {
    let mut f = baseline();
    unpaid(&mut f, d(2026, 6, 1), d(2026, 7, 1), 50.0);
    let w = fired(&f, &["W11"]);
    assert!(close(firing(&w, "W11").evidence[0].left.value, 100.0 / 3.0));
    let mut f = baseline();
    unpaid(&mut f, d(2026, 6, 2), d(2026, 7, 2), 50.0);
    fired(&f, &[]);
}

/// On-time payments, then an invoice of 2,400 due 2026-07-31 left open (61 days):
/// (2,400 × 61) / (1,200 + 2,400) = 40.67 days beyond terms, 5 − 10.67 × 0.1 = 3.93
/// points, against 10 points at 2026-06-30. Days beyond terms above 30 fire W10 too.
/// The near miss is the W10 case: 7 points a quarter before.
#[test]
fn w12_payment_timeliness_collapse() {
    let mut f = baseline();
    unpaid(&mut f, d(2026, 7, 1), d(2026, 7, 31), 2_400.0);
    let w = fired(&f, &["W10", "W12"]);
    let facts = &firing(&w, "W12").evidence;
    assert!(close(facts[0].left.value, 5.0 - (146_400.0 / 3_600.0 - 30.0) * 0.1), "{}", facts[0].left.value);
    assert_eq!((facts[1].left.value, facts[1].left.readings[0].date), (10.0, d(2026, 6, 30)));
    assert_eq!(w.level.level, Level::Red);
}

#[test]
fn w13_enforcement_or_dishonest_debtor() {
    let w = fired(&with_events(vec![event(DishonestDebtor, d(2026, 4, 1))]), &["W13"]);
    assert_eq!(w.level.level, Level::Red);
    fired(&with_events(vec![event(Enforcement, d(2025, 9, 30))]), &[]);
}

#[test]
fn w14_sued_by_supplier_over_payment() {
    fired(&with_events(vec![event(SupplierPaymentSuit, d(2026, 5, 5))]), &["W14"]);
    fired(&with_events(vec![event(SupplierPaymentSuit, d(2025, 9, 15))]), &[]);
}

#[test]
fn w15_default_recorded() {
    fired(&with_events(vec![event(Default, d(2026, 9, 1))]), &["W15"]);
    fired(&with_events(vec![event(Default, d(2025, 6, 1))]), &[]);
}

#[test]
fn w16_industry_blacklist_hit() {
    fired(&with_events(vec![event(Blacklist, d(2026, 2, 1))]), &["W16"]);
    fired(&with_events(vec![event(Blacklist, d(2025, 2, 1))]), &[]);
}

/// News of the last two quarters with sentiment −0.6, −0.4 and −0.2: mean −0.4 <
/// −0.3 over three items. With 0.2 instead of −0.2 the mean is −0.267.
#[test]
fn w17_negative_news_sentiment() {
    let news = |s: &[f64]| {
        s.iter()
            .zip([d(2026, 4, 10), d(2026, 6, 10), d(2026, 8, 10)])
            .map(|(&v, date)| {
                let mut e = event(News, date);
                e.sentiment = Some(v);
                e
            })
            .collect()
    };
    let w = fired(&with_events(news(&[-0.6, -0.4, -0.2])), &["W17"]);
    assert!(close(firing(&w, "W17").evidence[0].left.value, -0.4));
    assert_eq!((w.level.level, w.level.watch), (Level::Green, true));
    fired(&with_events(news(&[-0.6, -0.4, 0.2])), &[]);
}

#[test]
fn w18_ownership_changed() {
    fired(&with_events(vec![event(OwnershipChange, d(2026, 7, 1))]), &["W18"]);
    fired(&with_events(vec![event(OwnershipChange, d(2026, 3, 31))]), &[]);
}

/// Three yellow rules at once (W03 cash, W06 staff, W16 blacklist) make red.
#[test]
fn three_yellow_rules_make_red() {
    let mut f =
        with_events(vec![counted(CoreStaffDeparture, d(2026, 3, 3), 4.0), event(Blacklist, d(2026, 2, 1))]);
    set(&mut f, d(2026, 9, 30), &[("cash", 260.0)]);
    let w = fired(&f, &["W03", "W06", "W16"]);
    assert_eq!(w.level.level, Level::Red);
}

/// Without statements every financial rule is undetermined, never fired; event and
/// ledger rules are still decided.
#[test]
fn missing_statements_leave_financial_rules_undetermined() {
    let mut f = baseline();
    f.statements.clear();
    let w = fired(&f, &[]);
    assert_eq!(w.undetermined, ["W01", "W02", "W03", "W07"]);
}

/// A tuned pack is the shipped text with the version and the changed conditions replaced:
/// it loads, the changed rule reads its new condition, everything else is as written.
#[test]
fn a_pack_rewritten_with_new_conditions_keeps_everything_else() {
    use credence_warning::RulePack;
    let w08 = builtin().rule("W08").unwrap().when.clone();
    let changed = RulePack::rewrite_toml(
        credence_warning::BUILTIN_PACK,
        "2026-Q4-V1.1-tuned",
        &[("W01", "current_ratio < 1.2 for 3 consecutive quarters".to_owned()), ("W08", w08.clone())],
    )
    .unwrap();
    let pack =
        RulePack::from_toml(&changed, "tuned.toml", &credence_indicators::Catalogue::builtin()).unwrap();
    assert_eq!(pack.version(), "2026-Q4-V1.1-tuned");
    assert_eq!(pack.rule("W01").unwrap().when, "current_ratio < 1.2 for 3 consecutive quarters");
    // W08's condition holds quotes and Chinese text: written back, it reads the same.
    assert_eq!(pack.rule("W08").unwrap().when, w08);
    assert_eq!(pack.rules().len(), builtin().rules().len());
    assert!(changed.contains("# Credence early-warning rule pack."));
    let err =
        RulePack::rewrite_toml(credence_warning::BUILTIN_PACK, "v", &[("W99", "x".into())]).unwrap_err();
    assert_eq!(err, "the pack has no rule W99");
}
