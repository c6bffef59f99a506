//! End-to-end: a scorecard fitted on one synthetic sample, stored and loaded, scoring a
//! second sample, then calibrated and monitored there — through the public API only.

use credence_scorecard::calibration::{Direction, IsotonicCalibration, PlattScaling};
use credence_scorecard::metrics::{self, calibration_by_quantile, stratified_folds};
use credence_scorecard::scorecard::{Scorecard, ScorecardConfig, fit_scorecard};
use credence_scorecard::stability::{ScoreBands, StabilityLevel, csi};
use credence_scorecard::{Column, Feature, MISSING_CODE};

/// SplitMix64 for test data.
struct Rng(u64);

impl Rng {
    fn unit(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
}

struct Sample {
    income: Vec<f64>,
    age: Vec<f64>,
    region: Vec<u32>,
    target: Vec<u8>,
}

/// Income (lognormal-ish, −1 when not declared, 5% missing) lowers risk; age has a
/// U-shaped effect; one region is riskier. `shift` moves income up for a drifted sample.
fn sample(n: usize, seed: u64, shift: f64) -> Sample {
    let mut rng = Rng(seed);
    let mut s = Sample { income: vec![], age: vec![], region: vec![], target: vec![] };
    for _ in 0..n {
        let z = rng.unit() * 2.0 - 1.0;
        let age = 20.0 + rng.unit() * 50.0;
        let region = (rng.unit() * 4.0) as u32;
        let eta = -2.2 - 1.2 * z + 0.002 * (age - 45.0).powi(2) + if region == 3 { 0.5 } else { 0.0 };
        s.target.push(u8::from(rng.unit() < 1.0 / (1.0 + (-eta).exp())));
        let u = rng.unit();
        s.income.push(if u < 0.05 {
            f64::NAN
        } else if u < 0.08 {
            -1.0
        } else {
            (30_000.0 * (1.0 + z) + 5_000.0 * rng.unit() + shift).round()
        });
        s.age.push(age.floor());
        s.region.push(if rng.unit() < 0.02 { MISSING_CODE } else { region });
    }
    s
}

fn features<'a>(s: &'a Sample, labels: &'a [String]) -> Vec<Feature<'a>> {
    vec![
        Feature::numeric("income", &s.income).with_special_values(vec![-1.0]),
        Feature::numeric("age", &s.age),
        Feature::categorical("region", &s.region, labels),
    ]
}

#[test]
fn fit_store_score_calibrate_and_monitor() {
    let labels: Vec<String> = ["north", "south", "east", "west"].iter().map(|s| s.to_string()).collect();
    let train = sample(20_000, 1, 0.0);
    let card = fit_scorecard(&features(&train, &labels), &train.target, &ScorecardConfig::default()).unwrap();
    assert_eq!(card.features.len(), 3);
    let income = &card.features[0].binning;
    assert!(income.bins.iter().any(|b| b.label == "special -1"));
    assert_eq!(card.features[1].binning.trend, Some(credence_scorecard::binning::Trend::Valley));

    let stored = serde_json::to_string_pretty(&card).unwrap();
    let card: Scorecard = serde_json::from_str(&stored).unwrap();

    let test = sample(10_000, 2, 0.0);
    let scores = card.score(&features(&test, &labels)).unwrap();
    assert!(scores.pd.iter().all(|p| (0.0..=1.0).contains(p)));
    let summary = metrics::summarize(&test.target, &scores.pd).unwrap();
    assert!(summary.auc > 0.68, "{summary:?}");
    assert!(summary.ks > 0.25);

    // Isotonic calibration on the points score (higher score, lower PD) keeps the ranking.
    let iso = IsotonicCalibration::fit(&scores.score, &test.target, Direction::Decreasing).unwrap();
    let calibrated = iso.apply(&scores.score);
    let table = calibration_by_quantile(&test.target, &calibrated, 10).unwrap();
    for row in &table {
        assert!((row.mean_pd - row.observed_rate).abs() < 0.05, "{row:?}");
    }
    let platt = PlattScaling::fit(&scores.score, &test.target).unwrap();
    assert!(platt.slope < 0.0);

    // The same population is stable; one whose income rose is not.
    let train_scores = card.score(&features(&train, &labels)).unwrap();
    let bands = ScoreBands::quantiles(&train_scores.score, 10).unwrap();
    assert_eq!(bands.psi(&train_scores.score, &scores.score).unwrap().level, StabilityLevel::Stable);
    let drifted = sample(10_000, 3, 20_000.0);
    assert_eq!(csi(income, Column::Numeric(&drifted.income)).unwrap().level, StabilityLevel::Act);
}

/// For many seeds: PDs in [0, 1], a higher score never a higher PD, and scores that come
/// back the same after a round trip through JSON.
#[test]
fn scores_are_probabilities_monotone_in_points_and_reproducible() {
    let labels: Vec<String> = ["north", "south", "east", "west"].iter().map(|s| s.to_string()).collect();
    for seed in 10..14 {
        let s = sample(3_000, seed, 0.0);
        let folds = stratified_folds(&s.target, 3, seed).unwrap();
        assert_eq!(folds.test_rows(0).len() + folds.train_rows(0).len(), 3_000);
        let f = features(&s, &labels);
        let card = fit_scorecard(&f, &s.target, &ScorecardConfig::default()).unwrap();
        let scores = card.score(&f).unwrap();
        let mut order: Vec<usize> = (0..3_000).collect();
        order.sort_by(|&a, &b| scores.score[a].total_cmp(&scores.score[b]));
        assert!(order.windows(2).all(|w| scores.pd[w[0]] >= scores.pd[w[1]]));
        let back: Scorecard = serde_json::from_str(&serde_json::to_string(&card).unwrap()).unwrap();
        assert_eq!(back.score(&f).unwrap(), scores);
    }
}
