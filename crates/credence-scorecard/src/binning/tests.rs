//! Tests of binning: hand-worked tables, the trend and size constraints on random data,
//! special and missing bins, categories.

use super::*;
use crate::rng::SplitMix64;

fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-12, "{a} != {b}");
}

/// Rows of value `x`, `events` of them events.
fn rows(values: &mut Vec<f64>, target: &mut Vec<u8>, x: f64, n: usize, events: usize) {
    for i in 0..n {
        values.push(x);
        target.push(u8::from(i < events));
    }
}

/// x = 1: 40 rows, 4 events; x = 2: 40 rows, 10 events; x = 3: 20 rows, 10 events;
/// missing: 20 rows, 6 events. Totals 90 non-events (G) and 30 events (B). The rates
/// 10%, 25%, 50% rise, so the three values stay apart, cut at 2 and 3:
///
/// | bin       | g  | b  | g/G  | b/B  | WoE             | IV                  |
/// |-----------|----|----|------|------|-----------------|---------------------|
/// | (-inf, 2) | 36 | 4  | 0.4  | 2/15 | ln 3            | (4/15) ln 3         |
/// | [2, 3)    | 30 | 10 | 1/3  | 1/3  | 0               | 0                   |
/// | [3, inf)  | 10 | 10 | 1/9  | 1/3  | −ln 3           | (2/9) ln 3          |
/// | missing   | 14 | 6  | 7/45 | 1/5  | ln(7/9)         | (2/45) ln(9/7)      |
///
/// Total IV = (22/45) ln 3 + (2/45) ln(9/7) ≈ 0.54827.
#[test]
fn woe_and_iv_by_hand() {
    let (mut v, mut y) = (Vec::new(), Vec::new());
    rows(&mut v, &mut y, 1.0, 40, 4);
    rows(&mut v, &mut y, 2.0, 40, 10);
    rows(&mut v, &mut y, 3.0, 20, 10);
    rows(&mut v, &mut y, f64::NAN, 20, 6);
    let b = fit_binning(&Feature::numeric("x", &v), &y, &BinningConfig::default()).unwrap();
    assert_eq!(b.cuts, [2.0, 3.0]);
    assert_eq!(b.trend, Some(Trend::Ascending));
    let labels: Vec<&str> = b.bins.iter().map(|b| b.label.as_str()).collect();
    assert_eq!(labels, ["(-inf, 2)", "[2, 3)", "[3, inf)", "missing"]);
    let ln3 = 3f64.ln();
    let woe = b.woe();
    close(woe[0], ln3);
    close(woe[1], 0.0);
    close(woe[2], -ln3);
    close(woe[3], (7.0f64 / 9.0).ln());
    close(b.bins[0].iv, 4.0 / 15.0 * ln3);
    close(b.bins[3].iv, 2.0 / 45.0 * (9.0f64 / 7.0).ln());
    close(b.iv, 22.0 / 45.0 * ln3 + 2.0 / 45.0 * (9.0f64 / 7.0).ln());
    assert_eq!((b.bins[2].count, b.bins[2].events, b.bins[2].non_events), (20, 10, 10));
    assert_eq!(b.bins[1].event_rate, 0.25);
    let t = b.transform(Column::Numeric(&[-5.0, 2.5, f64::NAN, 3.0])).unwrap();
    assert_eq!(t, [woe[0], 0.0, woe[3], woe[2]]);
}

/// Values 0..1000 whose event rate is low in the middle, with −999 ("no account") as a
/// special value and every tenth value missing.
fn u_shaped(rng: &mut SplitMix64, n: usize) -> (Vec<f64>, Vec<u8>) {
    let mut v = Vec::with_capacity(n);
    let mut y = Vec::with_capacity(n);
    for i in 0..n {
        let x = (rng.unit() * 1000.0).floor();
        let p = 0.05 + 0.4 * ((x - 500.0) / 500.0).powi(2);
        let value = if i % 10 == 0 {
            f64::NAN
        } else if i % 17 == 0 {
            -999.0
        } else {
            x
        };
        v.push(value);
        y.push(u8::from(rng.unit() < p));
    }
    (v, y)
}

#[test]
fn missing_and_special_values_keep_their_own_bins() {
    let mut rng = SplitMix64::new(1);
    let (v, y) = u_shaped(&mut rng, 3000);
    let f = Feature::numeric("x", &v).with_special_values(vec![-999.0, 5000.0]);
    let b = fit_binning(&f, &y, &BinningConfig::default()).unwrap();
    let k = b.bins.len();
    assert_eq!(b.bins[k - 3].kind, BinKind::Special { value: -999.0 });
    assert_eq!(b.bins[k - 2].kind, BinKind::Special { value: 5000.0 });
    assert_eq!(b.bins[k - 2].count, 0);
    assert_eq!(b.bins[k - 2].woe, 0.0);
    assert_eq!(b.bins[k - 1].kind, BinKind::Missing);
    let missing = v.iter().filter(|x| x.is_nan()).count() as u64;
    let special = v.iter().filter(|&&x| x == -999.0).count() as u64;
    assert_eq!(b.bins[k - 1].count, missing);
    assert_eq!(b.bins[k - 3].count, special);
    let regular: u64 = b.bins[..k - 3].iter().map(|b| b.count).sum();
    assert_eq!(regular, 3000 - missing - special);
    // The training rows land in the bins their counts say.
    assert_eq!(b.counts(Column::Numeric(&v)).unwrap(), b.bins.iter().map(|b| b.count).collect::<Vec<_>>());
    let idx = b.bin_indices(Column::Numeric(&[f64::NAN, -999.0, 5000.0, 500.0])).unwrap();
    assert_eq!(&idx[..3], [k as u16 - 1, k as u16 - 3, k as u16 - 2]);
}

fn follows(rates: &[f64], trend: Trend) -> bool {
    let up = |w: &[f64]| w[1] >= w[0];
    let down = |w: &[f64]| w[1] <= w[0];
    match trend {
        Trend::Ascending => rates.windows(2).all(up),
        Trend::Descending => rates.windows(2).all(down),
        Trend::Peak => {
            (0..rates.len()).any(|t| rates[..=t].windows(2).all(up) && rates[t..].windows(2).all(down))
        }
        Trend::Valley => {
            (0..rates.len()).any(|t| rates[..=t].windows(2).all(down) && rates[t..].windows(2).all(up))
        }
        _ => true,
    }
}

/// Random data of several kinds (rising, falling, U-shaped, pure noise) under every trend:
/// the chosen bins follow their trend and meet the size, event and count limits.
#[test]
fn constraints_hold_on_random_data() {
    let mut rng = SplitMix64::new(2024);
    let trends =
        [Trend::Ascending, Trend::Descending, Trend::Auto, Trend::AutoShape, Trend::Peak, Trend::Valley];
    for case in 0..40 {
        let n = 500 + rng.below(2000);
        let kind = case % 4;
        let mut v = Vec::with_capacity(n);
        let mut y = Vec::with_capacity(n);
        for _ in 0..n {
            let x = rng.unit();
            let p = match kind {
                0 => 0.05 + 0.3 * x,
                1 => 0.35 - 0.3 * x,
                2 => 0.05 + (x - 0.5).powi(2),
                _ => 0.2,
            };
            v.push(if rng.unit() < 0.05 { f64::NAN } else { (x * 200.0).round() });
            y.push(u8::from(rng.unit() < p));
        }
        for (t, &trend) in trends.iter().enumerate() {
            let config = BinningConfig {
                trend,
                min_bin_share: [0.02, 0.05, 0.1][t % 3],
                min_bin_events: [0, 5][case % 2],
                max_bins: [None, Some(4)][(case / 2) % 2],
                ..BinningConfig::default()
            };
            let b = fit_binning(&Feature::numeric("x", &v), &y, &config).unwrap();
            let regular = &b.bins[..b.cuts.len() + 1];
            let rates: Vec<f64> = regular.iter().map(|b| b.event_rate).collect();
            let chosen = b.trend.unwrap();
            assert!(follows(&rates, chosen), "case {case} {trend:?} → {chosen:?}: {rates:?}");
            if trend == Trend::Auto {
                assert!(matches!(chosen, Trend::Ascending | Trend::Descending));
            }
            if regular.len() > 1 {
                for bin in regular {
                    assert!(bin.count as f64 >= config.min_bin_share * n as f64, "case {case}: {bin:?}");
                    assert!(bin.events as usize >= config.min_bin_events);
                }
            }
            assert!(regular.len() <= config.max_bins.unwrap_or(usize::MAX));
            assert!(b.cuts.windows(2).all(|w| w[0] < w[1]));
            let total: u64 = b.bins.iter().map(|b| b.count).sum();
            assert_eq!(total, n as u64);
        }
    }
}

#[test]
fn a_u_shape_is_found_when_asked() {
    let mut rng = SplitMix64::new(5);
    let (v, y) = u_shaped(&mut rng, 20_000);
    let mono = fit_binning(
        &Feature::numeric("x", &v),
        &y,
        &BinningConfig { trend: Trend::Auto, ..Default::default() },
    )
    .unwrap();
    let shaped = fit_binning(
        &Feature::numeric("x", &v),
        &y,
        &BinningConfig { trend: Trend::AutoShape, ..Default::default() },
    )
    .unwrap();
    assert_eq!(shaped.trend, Some(Trend::Valley));
    assert!(shaped.iv > 2.0 * mono.iv, "{} vs {}", shaped.iv, mono.iv);
}

#[test]
fn large_columns_are_binned_from_a_sample() {
    let mut rng = SplitMix64::new(9);
    let (v, y) = u_shaped(&mut rng, 50_000);
    let config = BinningConfig { sample_size: 2_000, trend: Trend::Valley, ..Default::default() };
    let sampled = fit_binning(&Feature::numeric("x", &v), &y, &config).unwrap();
    let exact =
        fit_binning(&Feature::numeric("x", &v), &y, &BinningConfig { sample_size: 100_000, ..config })
            .unwrap();
    let total: u64 = sampled.bins.iter().map(|b| b.count).sum();
    assert_eq!(total, 50_000);
    assert!((sampled.iv - exact.iv).abs() < 0.02 * exact.iv, "{} vs {}", sampled.iv, exact.iv);
}

/// A: 50 rows, 5 events (10%); B: 30 rows, 12 events (40%); C: 20 rows, 4 events (20%);
/// D: 1 row, an event; 9 rows missing, 3 events. With categories under 5% pooled, D
/// is the rare pool (100%). In rate order A, C, B, pool; the pool (1 row) is under the
/// 5% bin minimum (5.5 rows) and joins B: bins A | C | B, D | missing.
/// Totals G = 85 non-events and B = 25 events; B, D: 31 rows, 13 events: WoE =
/// ln((18/85)/(13/25)) ≈ −0.8984.
#[test]
fn categories_are_grouped_by_event_rate() {
    let labels: Vec<String> = ["A", "B", "C", "D"].iter().map(|s| s.to_string()).collect();
    let mut codes = Vec::new();
    let mut y = Vec::new();
    for (code, n, events) in [(0u32, 50, 5), (1, 30, 12), (2, 20, 4), (3, 1, 1), (MISSING_CODE, 9, 3)] {
        for i in 0..n {
            codes.push(code);
            y.push(u8::from(i < events));
        }
    }
    let config = BinningConfig { min_category_share: 0.05, ..Default::default() };
    let b = fit_binning(&Feature::categorical("c", &codes, &labels), &y, &config).unwrap();
    let names: Vec<&str> = b.bins.iter().map(|b| b.label.as_str()).collect();
    assert_eq!(names, ["A", "C", "B, D", "missing"]);
    assert_eq!(b.bins[2].kind, BinKind::Categories { labels: vec!["B".into(), "D".into()], rare: true });
    close(b.bins[2].woe, ((18.0 / 85.0) / (13.0 / 25.0f64)).ln());
    // New data numbers its categories differently and has a new one, E: it goes with the
    // rare pool.
    let new_labels: Vec<String> = ["E", "A", "D"].iter().map(|s| s.to_string()).collect();
    let idx =
        b.bin_indices(Column::Categorical { codes: &[0, 1, 2, MISSING_CODE], labels: &new_labels }).unwrap();
    assert_eq!(idx, [2, 0, 2, 3]);
    // Without a rare pool, unseen categories get a neutral bin of their own.
    let common = BinningConfig { min_category_share: 0.0, ..Default::default() };
    let b = fit_binning(&Feature::categorical("c", &codes, &labels), &y, &common).unwrap();
    assert_eq!(b.bins.last().unwrap().kind, BinKind::Unseen);
    assert_eq!(b.transform(Column::Categorical { codes: &[0], labels: &new_labels }).unwrap(), [0.0]);
}

#[test]
fn bad_input_is_reported() {
    let v = [1.0, 2.0, 3.0];
    let y = [0, 1, 0];
    let f = Feature::numeric("x", &v).with_special_values(vec![f64::NAN]);
    assert!(matches!(
        fit_binning(&f, &y, &BinningConfig::default()),
        Err(BinningError::SpecialNotFinite { .. })
    ));
    let bad = BinningConfig { min_bin_share: 0.7, ..Default::default() };
    assert!(matches!(fit_binning(&Feature::numeric("x", &v), &y, &bad), Err(BinningError::Config(_))));
    let short = fit_binning(&Feature::numeric("x", &v[..2]), &y, &BinningConfig::default());
    assert!(matches!(short, Err(BinningError::Data(DataError::LengthMismatch { .. }))));
    let b = fit_binning(&Feature::numeric("x", &v), &y, &BinningConfig::default()).unwrap();
    let labels = vec!["a".to_owned()];
    let err = b.transform(Column::Categorical { codes: &[0], labels: &labels }).unwrap_err();
    assert!(matches!(err, DataError::KindMismatch { .. }));
}

#[test]
fn binnings_survive_json() {
    let mut rng = SplitMix64::new(3);
    let (v, y) = u_shaped(&mut rng, 2000);
    let b = fit_binning(
        &Feature::numeric("x", &v).with_special_values(vec![-999.0]),
        &y,
        &BinningConfig::default(),
    )
    .unwrap();
    let back: Binning = serde_json::from_str(&serde_json::to_string(&b).unwrap()).unwrap();
    assert_eq!(back, b);
}
