//! The default process: its band, its predictability, and how defaulters behave.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use credence_domain::Labelled;
use credence_records::{Kind, Record};

use crate::{int, of, portfolio, text};

/// Mann–Whitney AUC of `score` (higher = riskier) for the labelled pairs, ties counted
/// half.
fn auc(pairs: &[(f64, bool)]) -> f64 {
    let mut sorted = pairs.to_vec();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (mut positive_ranks, mut i) = (0.0, 0);
    while i < sorted.len() {
        let j = (i..sorted.len()).take_while(|&j| sorted[j].0 == sorted[i].0).last().unwrap();
        let mid_rank = (i + j) as f64 / 2.0 + 1.0;
        positive_ranks += mid_rank * sorted[i..=j].iter().filter(|p| p.1).count() as f64;
        i = j + 1;
    }
    let p = sorted.iter().filter(|x| x.1).count() as f64;
    let n = sorted.len() as f64 - p;
    (positive_ranks - p * (p + 1.0) / 2.0) / (p * n)
}

#[test]
fn auc_of_a_perfect_and_a_useless_score() {
    assert_eq!(auc(&[(1.0, false), (2.0, false), (3.0, true)]), 1.0);
    assert_eq!(auc(&[(1.0, true), (1.0, false)]), 0.5);
    // 2 positives, 2 negatives: pairs (3>1, 3>2, 0<1, 0<2) → 2 of 4 won.
    assert_eq!(auc(&[(3.0, true), (0.0, true), (1.0, false), (2.0, false)]), 0.5);
}

/// The documented default band holds, and statement ratios four quarters before as_of
/// rank next-year defaulters well but not perfectly.
#[test]
fn defaults_are_in_band_and_predictable_but_not_perfectly() {
    let (records, summary) = portfolio();
    assert!((0.06..=0.10).contains(&summary.default_rate), "default rate {}", summary.default_rate);
    let cutoff = "2025-06-30"; // four quarters before as_of
    let defaults: HashMap<&str, &str> = of(records, Kind::Events)
        .filter(|r| text(r, "event_type") == "default")
        .map(|r| (text(r, "customer_id"), text(r, "event_date")))
        .collect();
    let recent = defaults.values().filter(|d| **d > cutoff).count() as u64;
    assert_eq!(recent, summary.defaults_last_four_quarters);

    let f = |r: &Record, c: &str| int(r, c) as f64;
    let mut rows = Vec::new();
    for s in of(records, Kind::Statements)
        .filter(|s| text(s, "period_type") == "Q" && text(s, "period_end") == cutoff)
    {
        let id = text(s, "customer_id");
        let label = match defaults.get(id) {
            Some(d) if *d <= cutoff => continue, // already defaulted: not in the population
            Some(_) => true,
            None => false,
        };
        let leverage = f(s, "total_liabilities") / f(s, "total_assets");
        let net_margin = f(s, "net_profit") / f(s, "revenue");
        let cash_months = 3.0 * f(s, "cash") / (f(s, "cost_of_sales") + f(s, "operating_expenses"));
        rows.push(([leverage, -net_margin, -cash_months], label));
    }
    let positives = rows.iter().filter(|r| r.1).count();
    assert!(positives >= 50, "{positives} defaulters in the next four quarters");
    let single = |j: usize| auc(&rows.iter().map(|r| (r.0[j], r.1)).collect::<Vec<_>>());
    let (leverage, margin, cash) = (single(0), single(1), single(2));
    for (name, a) in [("leverage", leverage), ("net margin", margin), ("cash months", cash)] {
        assert!((0.65..=0.95).contains(&a), "{name}: AUC {a}");
    }
    // Equal-weight sum of the three ranks: a crude model, better than any one ratio.
    let ranks: Vec<Vec<f64>> = (0..3)
        .map(|j| {
            let mut order: Vec<usize> = (0..rows.len()).collect();
            order.sort_by(|&a, &b| rows[a].0[j].total_cmp(&rows[b].0[j]));
            let mut rank = vec![0.0; rows.len()];
            for (r, &k) in order.iter().enumerate() {
                rank[k] = r as f64;
            }
            rank
        })
        .collect();
    let combined =
        auc(&(0..rows.len()).map(|k| (ranks.iter().map(|r| r[k]).sum(), rows[k].1)).collect::<Vec<_>>());
    assert!(combined > leverage.max(margin).max(cash) && combined < 0.95, "combined AUC {combined}");
}

/// Defaulters stop paying before they default, and collect more court events.
#[test]
fn defaulters_stop_paying_and_attract_lawsuits() {
    let (records, _) = portfolio();
    let defaults: HashMap<&str, NaiveDate> = of(records, Kind::Events)
        .filter(|r| text(r, "event_type") == "default")
        .map(|r| {
            (text(r, "customer_id"), NaiveDate::parse_from_str(text(r, "event_date"), "%Y-%m-%d").unwrap())
        })
        .collect();
    for p in of(records, Kind::Payments) {
        if let Some(d) = defaults.get(text(p, "customer_id")) {
            let paid = NaiveDate::parse_from_str(text(p, "payment_date"), "%Y-%m-%d").unwrap();
            assert!((*d - paid).num_days() > 60, "paid {paid} with default on {d}");
        }
    }
    let court = ["lawsuit_defendant", "supplier_payment_suit", "enforcement", "dishonest_debtor"];
    let sued: HashSet<&str> = of(records, Kind::Events)
        .filter(|r| court.contains(&text(r, "event_type")))
        .map(|r| text(r, "customer_id"))
        .collect();
    let customers: Vec<&str> = of(records, Kind::Customers).map(|r| text(r, "customer_id")).collect();
    let rate = |defaulted: bool| {
        let group: Vec<&&str> =
            customers.iter().filter(|c| defaults.contains_key(**c) == defaulted).collect();
        group.iter().filter(|c| sued.contains(***c)).count() as f64 / group.len() as f64
    };
    let (bad, good) = (rate(true), rate(false));
    assert!(bad > 2.0 * good, "sued: defaulters {bad}, others {good}");
    let kinds: HashSet<&str> = of(records, Kind::Events).map(|r| text(r, "event_type")).collect();
    assert_eq!(kinds.len(), credence_domain::EventKind::ALL.len(), "{kinds:?}");
}
