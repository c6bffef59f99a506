//! Tests of the scorecard: a one-feature card by hand, selection, scoring, reasons and
//! storage.

use super::*;
use crate::column::{Column, MISSING_CODE};
use crate::logistic::sigmoid;
use crate::rng::SplitMix64;

fn close(a: f64, b: f64, tol: f64) {
    assert!((a - b).abs() < tol, "{a} != {b}");
}

/// The four bins of the binning test (x = 1: 36 non-events, 4 events; x = 2: 30, 10;
/// x = 3: 10, 10; missing: 14, 6; G = 90, B = 30). WoE_b = ln(g_b/b_b) − ln(G/B), so the
/// logistic fit on WoE alone reproduces each bin's rate with β = −1 and β₀ = ln(B/G) =
/// −ln 3. A row's score is then offset + factor · ln(g_b/b_b), the bin's odds: x = 1 has
/// PD 4/40 and score 487.1229 + 28.8539 · ln 9 = 550.5214 (one doubling of the odds from
/// 9 to 18 would add 20 points); x = 3 has odds 1, the offset.
#[test]
fn a_one_feature_scorecard_by_hand() {
    let mut v = Vec::new();
    let mut y = Vec::new();
    for (x, n, events) in [(1.0, 40, 4), (2.0, 40, 10), (3.0, 20, 10), (f64::NAN, 20, 6)] {
        for i in 0..n {
            v.push(x);
            y.push(u8::from(i < events));
        }
    }
    let plain = ScorecardConfig { logistic: LogisticConfig::default(), ..Default::default() };
    let card = fit_scorecard(&[Feature::numeric("x", &v)], &y, &plain).unwrap();
    close(card.features[0].coefficient.estimate, -1.0, 1e-9);
    close(card.intercept.estimate, -(3f64.ln()), 1e-9);
    let s = Scaling::default();
    let scores = card.score(&[Feature::numeric("x", &[1.0, 3.0, f64::NAN])]).unwrap();
    close(scores.pd[0], 0.1, 1e-9);
    close(scores.score[0], s.offset() + s.factor() * 9f64.ln(), 1e-7);
    close(scores.score[0], 550.5214, 1e-4);
    close(scores.score[1], s.offset(), 1e-7);
    close(scores.pd[2], 0.3, 1e-9);
    // Points per bin are the scores themselves with one feature.
    close(card.features[0].points[0], scores.score[0], 1e-7);
}

/// A portfolio with two informative numeric features (one with missing values and a
/// special value), an informative categorical one and pure noise.
fn portfolio(n: usize, seed: u64) -> (Vec<Vec<f64>>, Vec<u32>, Vec<String>, Vec<u8>) {
    let mut rng = SplitMix64::new(seed);
    let labels: Vec<String> = ["rent", "own", "mortgage", "other"].iter().map(|s| s.to_string()).collect();
    let (mut a, mut b, mut noise, mut codes, mut y) = (vec![], vec![], vec![], vec![], vec![]);
    for _ in 0..n {
        let quality = rng.unit() * 2.0 - 1.0;
        let x1 = quality * 10.0 + rng.unit() * 8.0;
        let x2 = -quality * 3.0 + rng.unit() * 4.0;
        let code = if rng.unit() < 0.05 {
            MISSING_CODE
        } else {
            (rng.below(3) + usize::from(quality < -0.5)) as u32
        };
        let eta = -2.0 - 1.5 * quality + if code == 0 { 0.6 } else { 0.0 };
        y.push(u8::from(rng.unit() < sigmoid(eta)));
        a.push(if rng.unit() < 0.08 {
            f64::NAN
        } else if rng.unit() < 0.03 {
            -999.0
        } else {
            x1
        });
        b.push(x2);
        noise.push(rng.unit());
        codes.push(code);
    }
    (vec![a, b, noise], codes, labels, y)
}

fn features<'a>(cols: &'a [Vec<f64>], codes: &'a [u32], labels: &'a [String]) -> Vec<Feature<'a>> {
    vec![
        Feature::numeric("balance", &cols[0]).with_special_values(vec![-999.0]),
        Feature::numeric("utilisation", &cols[1]),
        Feature::numeric("noise", &cols[2]),
        Feature::categorical("housing", codes, labels),
    ]
}

#[test]
fn fit_select_score_and_explain() {
    let (cols, codes, labels, y) = portfolio(20_000, 1);
    let feats = features(&cols, &codes, &labels);
    let card = fit_scorecard(&feats, &y, &ScorecardConfig::default()).unwrap();
    let names: Vec<&str> = card.features.iter().map(|f| f.name()).collect();
    assert_eq!(names, ["balance", "utilisation", "housing"]);
    assert_eq!(card.excluded[0].binning.feature, "noise");
    assert_eq!(card.excluded[0].reason, Exclusion::LowIv);
    assert!(card.features.iter().all(|f| f.coefficient.estimate < 0.0));
    assert!(card.fit.converged);

    let scores = card.score(&feats).unwrap();
    let auc = crate::metrics::auc(&y, &scores.pd).unwrap();
    assert!(auc > 0.65, "{auc}");
    for row in [0, 17, 14_321] {
        let e = card.explain(&feats, row, 2).unwrap();
        close(e.pd, scores.pd[row], 1e-12);
        close(e.score, scores.score[row], 1e-9);
        // The score is the sum of the points.
        close(e.contributions.iter().map(|c| c.points).sum::<f64>(), e.score, 1e-9);
        close(card.scaling.pd_of_score(e.score), e.pd, 1e-12);
        assert!(e.reasons.len() <= 2);
        assert!(e.reasons.windows(2).all(|w| w[0].points_below_best >= w[1].points_below_best));
    }
    // Every row's reasons at once are the ones of explaining it alone.
    let all = card.reasons_rows(&feats, 2).unwrap();
    assert_eq!(all.len(), y.len());
    for row in [0, 17, 9_999, 14_321] {
        assert_eq!(all[row], card.explain(&feats, row, 2).unwrap().reasons);
    }
    // Higher score, lower PD.
    let mut order: Vec<usize> = (0..y.len()).collect();
    order.sort_by(|&a, &b| scores.score[a].total_cmp(&scores.score[b]));
    assert!(order.windows(2).all(|w| scores.pd[w[0]] >= scores.pd[w[1]] - 1e-15));
}

#[test]
fn saved_and_loaded_scorecards_score_the_same() {
    let (cols, codes, labels, y) = portfolio(3000, 2);
    let feats = features(&cols, &codes, &labels);
    let card = fit_scorecard(&feats, &y, &ScorecardConfig::default()).unwrap();
    let json = serde_json::to_string(&card).unwrap();
    let back: Scorecard = serde_json::from_str(&json).unwrap();
    assert_eq!(back, card);
    let (new_cols, new_codes, _, _) = portfolio(500, 3);
    let new = features(&new_cols, &new_codes, &labels);
    assert_eq!(back.score(&new).unwrap(), card.score(&new).unwrap());
}

#[test]
fn stepwise_and_correlation_filters_record_their_reasons() {
    let (mut cols, codes, labels, y) = portfolio(4000, 4);
    // A near copy of utilisation.
    let copy: Vec<f64> = cols[1].iter().map(|x| x * 1.01 + 0.001).collect();
    cols.push(copy);
    let mut feats = features(&cols, &codes, &labels);
    feats.push(Feature::numeric("utilisation_copy", &cols[3]));
    let config = ScorecardConfig {
        selection: SelectionConfig {
            max_correlation: Some(0.9),
            stepwise: Some(StepwiseConfig::default()),
            ..Default::default()
        },
        ..Default::default()
    };
    let card = fit_scorecard(&feats, &y, &config).unwrap();
    let copy = card.excluded.iter().find(|e| e.binning.feature.starts_with("utilisation")).unwrap();
    assert!(matches!(&copy.reason, Exclusion::Correlated { correlation, .. } if *correlation > 0.9));
    assert!(card.features.iter().any(|f| f.name().starts_with("utilisation")));
}

#[test]
fn bad_input_is_reported() {
    let (cols, codes, labels, y) = portfolio(3000, 5);
    let mut feats = features(&cols, &codes, &labels);
    feats.push(Feature::numeric("noise", &cols[2]));
    assert_eq!(
        fit_scorecard(&feats, &y, &ScorecardConfig::default()),
        Err(ScorecardError::DuplicateFeature("noise".into()))
    );
    let only_noise = [Feature::numeric("noise", &cols[2])];
    assert_eq!(
        fit_scorecard(&only_noise, &y, &ScorecardConfig::default()),
        Err(ScorecardError::NoFeatureSelected)
    );
    let card = fit_scorecard(&feats[..4], &y, &ScorecardConfig::default()).unwrap();
    assert_eq!(card.score(&feats[1..2]), Err(DataError::MissingFeature("balance".into())));
    let wrong = [
        Feature::numeric("balance", &cols[0]),
        Feature::numeric("utilisation", &cols[1][..10]),
        Feature::categorical("housing", &codes, &labels),
    ];
    assert!(matches!(card.score(&wrong), Err(DataError::LengthMismatch { .. })));
    let as_numeric = [
        Feature::numeric("balance", &cols[0]),
        Feature::numeric("utilisation", &cols[1]),
        Feature::numeric("housing", &cols[2]),
    ];
    assert!(matches!(card.score(&as_numeric), Err(DataError::KindMismatch { .. })));
    let _ = Column::Numeric(&[]);
}
