//! Peer rules: the industry systemic alert (S01) and the regional shock (S02) of the
//! shipped pack.

use credence_domain::MonitoringTier;
use credence_warning::{CustomerStatus, GroupBy, Language, PeerSummary, SignalHit};

use crate::fixture::*;

fn summary(id: &str, industry: &str, revenue: f64, signals: &[&str]) -> PeerSummary {
    PeerSummary {
        customer_id: id.into(),
        industry: industry.into(),
        sub_industry: None,
        region: "福建".into(),
        tier: Some(MonitoringTier::Secondary),
        revenue_ttm: Some(revenue),
        deteriorations: signals
            .iter()
            .map(|s| SignalHit { rule: "S01".into(), signal: (*s).into() })
            .collect(),
    }
}

/// Industry C has 14 customers with revenue 1,000 … 14,000 (C01 … C14): the ten largest
/// (C05 … C14) lead. Customers C01 … C04 deteriorate on the current ratio but do not
/// lead; C12, C13 and C14 lead and deteriorate.
fn industry(leaders_deteriorating: usize) -> Vec<PeerSummary> {
    let mut peers: Vec<PeerSummary> = (1..=14)
        .map(|i| {
            let leading_bad = i > 14 - leaders_deteriorating;
            let small_bad = i <= 4;
            let signals: &[&str] = if leading_bad || small_bad { &["current_ratio"] } else { &[] };
            summary(&format!("C{i:02}"), "C", i as f64 * 1_000.0, signals)
        })
        .collect();
    // Another industry with three deteriorating firms of its own.
    peers.extend((1..=3).map(|i| summary(&format!("F{i:02}"), "F", 500.0, &["net_margin"])));
    peers
}

#[test]
fn three_leading_firms_raise_an_industry_alert() {
    let pack = builtin();
    let alerts = pack.evaluate_peers(&industry(3));
    let s01: Vec<_> = alerts.iter().filter(|a| a.code == "S01").collect();
    assert_eq!(s01.len(), 2, "{alerts:?}");
    let c = s01[0];
    assert_eq!((c.group_by, c.group.as_str(), c.signal.as_str()), (GroupBy::Industry, "C", "current_ratio"));
    assert_eq!(c.firms, ["C12", "C13", "C14"]);
    assert_eq!((c.counted, c.members), (10, 14));
    assert!(c.covers("C", None, "上海") && !c.covers("F", None, "福建"));
    assert_eq!(
        c.sentence(Language::En),
        "S01 Industry systemic alert: 3 or more leading firms deteriorate on the same indicator: 3 of the 10 counted \
         firms of industry C deteriorated on current_ratio (C12, C13, C14); all 14 customers of the group are under watch."
    );
    // A sentence names ten firms and counts the rest; the alert keeps them all.
    let mut many = c.clone();
    many.firms = (1..=13).map(|i| format!("C{i}").into()).collect();
    assert!(
        many.sentence(Language::En).contains("(C1, C2, C3, C4, C5, C6, C7, C8, C9, C10 and 3 more)"),
        "{}",
        many.sentence(Language::En)
    );
    assert!(many.sentence(Language::Zh).contains("C10等，另有3家）"), "{}", many.sentence(Language::Zh));
    // Industry F has only three firms, all of which lead (fewer than ten).
    assert_eq!((s01[1].group.as_str(), s01[1].firms.len()), ("F", 3));
}

#[test]
fn two_leading_firms_do_not() {
    let alerts = builtin().evaluate_peers(&industry(2));
    assert!(alerts.iter().all(|a| a.group != "C"), "{alerts:?}");
}

/// A core customer leads whatever its size.
#[test]
fn core_customers_lead() {
    let mut peers = industry(2);
    peers[0].tier = Some(MonitoringTier::Core);
    let alerts = builtin().evaluate_peers(&peers);
    let c = alerts.iter().find(|a| a.group == "C").expect("an alert for C");
    assert_eq!((c.firms.len(), c.counted), (3, 11));
    assert_eq!(c.firms, ["C01", "C13", "C14"]);
}

/// Signals come from evaluating each customer: current ratio 1.75 against 2.0 a
/// quarter earlier has worsened by 12.5 % (> 10 %); twelve-month revenue 4,000.
#[test]
fn customer_evaluation_yields_the_signals() {
    let mut f = baseline();
    set(&mut f, d(2026, 9, 30), &[("current_assets", 1_750.0)]);
    let w =
        builtin().evaluate(&f, as_of(), &CustomerStatus { grade: None, tier: Some(MonitoringTier::Core) });
    assert_eq!(w.peer.deteriorations, [SignalHit { rule: "S01".into(), signal: "current_ratio".into() }]);
    assert_eq!(w.peer.revenue_ttm, Some(4_000.0));
    assert_eq!(w.peer.tier, Some(MonitoringTier::Core));
}

/// Region 福建: 10 customers; the regional shock needs at least 5 firms and 30 % on
/// one signal.
#[test]
fn regional_shock_needs_count_and_share() {
    let region = |bad: usize, total: usize| -> Vec<PeerSummary> {
        (0..total)
            .map(|i| {
                let mut s = summary(&format!("R{i:02}"), "C", 100.0, &[]);
                s.industry = ["A", "B", "C", "E", "G"][i % 5].to_owned();
                if i < bad {
                    s.deteriorations =
                        vec![SignalHit { rule: "S02".into(), signal: "days_beyond_terms".into() }];
                }
                s
            })
            .collect()
    };
    let shock = |peers: &[PeerSummary]| {
        builtin().evaluate_peers(peers).into_iter().filter(|a| a.code == "S02").count()
    };
    assert_eq!(shock(&region(5, 10)), 1, "5 of 10");
    assert_eq!(shock(&region(4, 10)), 0, "4 firms are too few");
    assert_eq!(shock(&region(5, 20)), 0, "5 of 20 is 25 %");
}
