//! Curves, dimension weighting and missing values on the small model.

use credence_rating::{MISSING_NOT_IN_SET, MISSING_NOT_SCORED, RatingNote, ScorecardModel};

use crate::fixtures::*;

/// Checks the points `indicator` earns for each `(value, points)`.
fn check_curve(model: &ScorecardModel, indicator: &str, cases: &[(f64, f64)]) {
    for &(x, expected) in cases {
        let got = model.points_for(indicator, x).unwrap_or_else(|| panic!("{indicator} has no curve"));
        assert!((got - expected).abs() < 1e-9, "{indicator} at {x}: expected {expected}, got {got}");
    }
}

/// current_ratio `[[1, 0], [2, 100]]`: 1.25 → 0 + 0.25 × 100 = 25; flat below 1 and above 2.
#[test]
fn piecewise_linear_curve() {
    check_curve(
        &small(),
        "current_ratio",
        &[(0.3, 0.0), (1.0, 0.0), (1.25, 25.0), (1.5, 50.0), (2.0, 100.0), (7.0, 100.0)],
    );
}

/// debt_to_asset bands (lower is better): below 50 → 100, [50, 70) → 60, from 70 → 20;
/// the lower end of a band is inclusive, and nothing lies beyond the open ends.
#[test]
fn threshold_bands() {
    check_curve(
        &small(),
        "debt_to_asset",
        &[(-1.0, 100.0), (30.0, 100.0), (50.0, 60.0), (69.99, 60.0), (70.0, 20.0), (500.0, 20.0)],
    );
}

/// overseas_revenue_share `[[0, 50], [20, 100], [100, 0]]` (target): rises to 20 then
/// falls: 10 → 50 + 0.5 × 50 = 75; 60 → 100 − 0.5 × 100 = 50.
#[test]
fn target_curve_rises_and_falls() {
    check_curve(
        &small(),
        "overseas_revenue_share",
        &[(10.0, 75.0), (20.0, 100.0), (60.0, 50.0), (150.0, 0.0)],
    );
}

/// Shipped curves in both directions: days beyond terms (bands, lower better, first band
/// open below); revenue CAGR (linear, higher better: 5 → 40 + 0.5 × 40 = 60); debt ratio
/// (linear, lower better: 78 → 60 − 0.9 × 40 = 24; 55 → 85 − 0.5 × 25 = 72.5).
#[test]
fn shipped_curves_point_the_right_way() {
    let m = builtin();
    check_curve(
        &m,
        "days_beyond_terms",
        &[(-3.0, 100.0), (4.9, 100.0), (5.0, 80.0), (45.0, 30.0), (90.0, 0.0), (400.0, 0.0)],
    );
    check_curve(&m, "revenue_cagr_3y", &[(-50.0, 0.0), (5.0, 60.0), (30.0, 100.0)]);
    check_curve(&m, "debt_to_asset", &[(78.0, 24.0), (55.0, 72.5)]);
    assert_eq!(
        m.points_for("supplier_payment_suits_4q", 1.0),
        None,
        "a condition-only indicator has no curve"
    );
}

/// Base sub-model, all four lines present:
/// financial 0.4 × (0.5 × 50 + 0.5 × 60) = 0.4 × 55 = 22;
/// operations 0.6 × (0.75 × 80 + 0.25 × 70) = 0.6 × 77.5 = 46.5; score 68.5.
/// Line weights 0.2, 0.2, 0.45, 0.15; contributions 10, 12, 36, 10.5.
#[test]
fn dimensions_weight_the_total() {
    let r = rate(&small(), &set(reference()), ("large", "F", None), &character(70.0));
    assert_eq!(r.sub_model, "general");
    assert_close(r.score, 68.5);
    let got: Vec<(&str, &str, f64, f64, f64)> = r
        .lines
        .iter()
        .map(|l| (l.indicator.as_str(), l.dimension.as_str(), l.points, l.weight, l.contribution))
        .collect();
    let expected = [
        ("current_ratio", "financial", 50.0, 0.2, 10.0),
        ("debt_to_asset", "financial", 60.0, 0.2, 12.0),
        ("payment_timeliness_score", "operations", 80.0, 0.45, 36.0),
        ("character", "operations", 70.0, 0.15, 10.5),
    ];
    assert_eq!(got.len(), expected.len());
    for (g, e) in got.iter().zip(expected) {
        assert_eq!((g.0, g.1), (e.0, e.1));
        assert_close(g.2, e.2);
        assert_close(g.3, e.3);
        assert_close(g.4, e.4);
    }
    let dims: Vec<(f64, f64, f64)> =
        r.dimensions.iter().map(|d| (d.points, d.weight, d.contribution)).collect();
    for (g, e) in dims.iter().zip([(55.0, 0.4, 22.0), (77.5, 0.6, 46.5)]) {
        assert_close(g.0, e.0);
        assert_close(g.1, e.1);
        assert_close(g.2, e.2);
    }
    assert!(r.lines[3].qualitative && !r.lines[2].qualitative);
}

/// Character not scored: its 0.15 goes to payment timeliness, the only other operations
/// line: 22 + 0.6 × 80 = 70.
#[test]
fn missing_line_weight_stays_in_its_dimension() {
    let r = rate(&small(), &set(reference()), ("large", "F", None), &[]);
    assert_close(r.score, 70.0);
    let c = &r.lines[3];
    assert_eq!((c.missing.as_deref(), c.weight, c.points), (Some(MISSING_NOT_SCORED), 0.0, 0.0));
    assert_close(c.nominal_weight, 0.15);
    assert_close(r.lines[2].weight, 0.6);
    assert_eq!(r.dimensions[1].missing_lines, 1);
}

/// No financial values at all (one absent, one without value): operations takes the whole
/// weight: 0.75 × 80 + 0.25 × 70 = 77.5.
#[test]
fn missing_dimension_weight_goes_to_the_others() {
    let s = set(vec![
        missing("current_ratio", "current liabilities are zero"),
        value("payment_timeliness_score", 8.0),
    ]);
    let r = rate(&small(), &s, ("large", "F", None), &character(70.0));
    assert_close(r.score, 77.5);
    assert_eq!(r.lines[0].missing.as_deref(), Some("current liabilities are zero"));
    assert_eq!(r.lines[1].missing.as_deref(), Some(MISSING_NOT_IN_SET));
    assert_close(r.dimensions[1].weight, 1.0);
    assert_eq!(r.dimensions[0].weight, 0.0);
    let total: f64 = r.lines.iter().map(|l| l.weight).sum();
    assert_close(total, 1.0);
}

/// Nothing has a value: every line scores the neutral 50, so the score is 50.
#[test]
fn nothing_at_all_scores_neutral() {
    let r = rate(&small(), &set(vec![]), ("large", "F", None), &[]);
    assert_close(r.score, 50.0);
    assert_eq!(r.notes, vec![RatingNote::NoValues]);
}

/// Policy `neutral`: the unscored character line counts 50 at its full 0.15:
/// 22 + 0.6 × (0.75 × 80 + 0.25 × 50) = 22 + 0.6 × 72.5 = 65.5.
#[test]
fn neutral_policy_scores_missing_lines_at_the_neutral_value() {
    let text = SMALL.replace("policy = \"redistribute\"", "policy = \"neutral\"");
    let model = ScorecardModel::from_toml(&text, "test.toml", KNOWN).unwrap();
    let r = rate(&model, &set(reference()), ("large", "F", None), &[]);
    assert_close(r.score, 65.5);
    assert_close(r.lines[3].weight, 0.15);
    assert_close(r.lines[3].points, 50.0);
}

/// NaN values are missing; qualitative scores outside 0–100 are clamped and noted; unknown
/// factors and flags are noted and ignored.
#[test]
fn odd_input_becomes_notes() {
    let mut v = reference();
    v[0] = value("current_ratio", f64::NAN);
    let mut q = character(130.0);
    q.push(credence_rating::QualitativeScore { factor: "charisma".into(), score: 50.0 });
    let r = rate_flagged(&small(), &set(v), ("large", "F", None), &q, &["vip"]);
    assert_eq!(r.lines[0].missing.as_deref(), Some(credence_rating::MISSING_NOT_FINITE));
    assert_eq!(r.lines[3].points, 100.0);
    assert_eq!(
        r.notes,
        vec![
            RatingNote::UnknownFlag { flag: "vip".into() },
            RatingNote::QualitativeScoreOutOfRange { factor: "character".into(), score: 130.0 },
            RatingNote::UnknownQualitativeFactor { factor: "charisma".into() },
        ]
    );
}
