//! Score → PD on the shipped anchors.

use crate::fixtures::*;

/// Score 80 lies halfway between 85 → 0.8% and 75 → 2.5%:
/// PD = exp(ln 0.008 + 0.5 × (ln 0.025 − ln 0.008)) = √(0.008 × 0.025) = 1.41421%.
/// Score 60 between 65 → 6% and 55 → 12%: √(0.06 × 0.12) = 8.48528%.
/// Score 30 between 40 → 25% and 20 → 45%: √(0.25 × 0.45) = 33.54102%.
/// Score 91 between 95 → 0.2% and 85 → 0.8%, t = 0.4: 0.002 × 4^0.4 = 0.34822%.
#[test]
fn log_linear_between_anchors() {
    let m = builtin();
    for (score, pd) in
        [(80.0, 0.014_142_135_6), (60.0, 0.084_852_813_7), (30.0, 0.335_410_196_6), (91.0, 0.003_482_202_3)]
    {
        let got = m.pd_for_score(score);
        assert!((got - pd).abs() < 1e-10, "score {score}: expected {pd}, got {got}");
    }
}

/// Anchors are hit exactly and PD is flat beyond 100 and 0.
#[test]
fn anchors_and_ends() {
    let m = builtin();
    for (score, pd) in [
        (100.0, 0.001),
        (95.0, 0.002),
        (85.0, 0.008),
        (55.0, 0.12),
        (0.0, 0.70),
        (-5.0, 0.70),
        (120.0, 0.001),
    ] {
        assert!((m.pd_for_score(score) - pd).abs() < 1e-12, "score {score}");
    }
}

/// PD falls strictly as the score rises over the whole range (steps of 0.05).
#[test]
fn monotone() {
    let m = builtin();
    let pds: Vec<f64> = (0..=2000).map(|i| m.pd_for_score(f64::from(i) * 0.05)).collect();
    assert!(pds.windows(2).all(|w| w[1] < w[0]));
}
