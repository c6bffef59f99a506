//! Trends (IND-4): the same formula evaluated one to twelve quarters back.

use credence_indicators::{Catalogue, EvalOptions, Trend};

use crate::fixture::{as_of, catalogue, d, empty_file, quarter};

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-9 * b.abs().max(1.0))
}

fn trend_of(c: &Catalogue, file: &credence_indicators::CustomerFile, id: &str) -> Trend {
    let set = c.evaluate(file, as_of(), &EvalOptions { trends: true });
    set.get(id).unwrap().trend.clone().unwrap_or_else(|| panic!("{id} has no trend"))
}

/// Thirteen quarters 2023-09-30 … 2026-09-30 with market share 1, 2, …, 13 %: now 13,
/// a quarter ago 12, a year ago 9, three years ago 1.
///
/// QoQ (13 − 12) / 12, YoY (13 − 9) / 9, CAGR 13^(1/3) − 1 = 1.3513, and the slope over
/// the last twelve quarters (13 … 2, one quarter apart) is 1 a quarter = 4 a year.
#[test]
fn statement_trends() {
    let mut file = empty_file("C", None);
    let ends = (2023..=2026).flat_map(|y| [d(y, 3, 31), d(y, 6, 30), d(y, 9, 30), d(y, 12, 31)]);
    let ends = ends.filter(|e| *e >= d(2023, 9, 30) && *e <= as_of());
    for (k, end) in ends.enumerate() {
        let share = (k + 1) as f64;
        file.statements.push(quarter(end, &[("market_share_pct", share), ("revenue", 100.0 * share)]));
    }
    assert_eq!(file.statements.last().unwrap().period_end, as_of());
    let c =
        catalogue(&[("share", "percent", "market_share_pct"), ("sales", "money_per_year", "ttm(revenue)")]);
    let t = trend_of(&c, &file, "share");
    assert!(close(t.qoq, 1.0 / 12.0), "{t:?}");
    assert!(close(t.yoy, 4.0 / 9.0), "{t:?}");
    assert!(close(t.cagr_3y, 13f64.cbrt() - 1.0), "{t:?}");
    assert!(close(t.slope_3y, 4.0), "{t:?}");
    // Trailing twelve months: 100 × (13 + 12 + 11 + 10) = 4,600 now, 4,200 a quarter ago,
    // 3,000 a year ago; three years ago there is no full year (no CAGR); the slope of a
    // line rising 400 a quarter is 1,600 a year, over the ten quarters with a full year.
    let t = trend_of(&c, &file, "sales");
    assert!(close(t.qoq, 400.0 / 4200.0), "{t:?}");
    assert!(close(t.yoy, 1600.0 / 3000.0), "{t:?}");
    assert_eq!(t.cagr_3y, None);
    assert!(close(t.slope_3y, 1600.0), "{t:?}");
}

/// Relationship months at 2026-09-30 and each quarter end before: 89, 86, …, 53.
#[test]
fn as_of_trends() {
    let c = Catalogue::builtin();
    let t = trend_of(&c, &empty_file("C", None), "relationship_months");
    assert!(close(t.qoq, 3.0 / 86.0), "{t:?}");
    assert!(close(t.yoy, 12.0 / 77.0), "{t:?}");
    assert!(close(t.cagr_3y, (89.0f64 / 53.0).cbrt() - 1.0), "{t:?}");
    assert!(close(t.slope_3y, 12.0), "{t:?}");
    // Without trends requested there are none.
    let set = c.evaluate(&empty_file("C", None), as_of(), &EvalOptions::default());
    assert_eq!(set.get("relationship_months").unwrap().trend, None);
}
