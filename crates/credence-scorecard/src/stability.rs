//! Population stability: PSI between the training distribution and new data over the
//! same bins (score bands, or a binning's bins — the characteristic stability index,
//! CSI, of a feature).
//!
//! With eᵢ and aᵢ the expected (training) and actual shares of bin i,
//!
//! ```text
//! PSI = Σᵢ (aᵢ − eᵢ) · ln(aᵢ / eᵢ)
//! ```
//!
//! A share of 0 is replaced by [`PSI_EPSILON`] (10⁻⁴, one row in ten thousand) so that a
//! bin that empties or fills counts heavily but finitely; a bin empty on both sides adds
//! nothing. The usual reading ([`StabilityLevel`]): below 0.1 stable, 0.1 to 0.25 watch,
//! above 0.25 act (Siddiqi, *Credit Risk Scorecards*, 2006).

use serde::{Deserialize, Serialize};

use crate::binning::Binning;
use crate::binning::prebin::{locate, quantile_cuts};
use crate::column::{Column, DataError};

/// Stands in for a share of 0.
pub const PSI_EPSILON: f64 = 1e-4;
/// PSI from here up is [`StabilityLevel::Watch`].
pub const PSI_WATCH: f64 = 0.1;
/// PSI above this is [`StabilityLevel::Act`].
pub const PSI_ACT: f64 = 0.25;

/// What a PSI calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StabilityLevel {
    /// PSI < 0.1.
    Stable,
    /// 0.1 ≤ PSI ≤ 0.25.
    Watch,
    /// PSI > 0.25.
    Act,
}

impl StabilityLevel {
    pub fn of(psi: f64) -> Self {
        if psi < PSI_WATCH {
            StabilityLevel::Stable
        } else if psi <= PSI_ACT {
            StabilityLevel::Watch
        } else {
            StabilityLevel::Act
        }
    }
}

/// One bin of a PSI.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PsiBin {
    pub expected: u64,
    pub actual: u64,
    pub expected_share: f64,
    pub actual_share: f64,
    /// (actual share − expected share) · ln(actual share / expected share), shares of 0
    /// replaced by [`PSI_EPSILON`].
    pub contribution: f64,
}

/// A population stability index with its bins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Psi {
    pub value: f64,
    pub level: StabilityLevel,
    pub bins: Vec<PsiBin>,
}

/// Why a PSI could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StabilityError {
    #[error(transparent)]
    Data(#[from] DataError),
    #[error("{expected} expected bins but {actual} actual ones")]
    BinCount { expected: usize, actual: usize },
    #[error("the {0} counts are all zero")]
    Empty(&'static str),
}

/// PSI between expected and actual counts over the same bins.
pub fn psi(expected: &[u64], actual: &[u64]) -> Result<Psi, StabilityError> {
    if expected.len() != actual.len() {
        return Err(StabilityError::BinCount { expected: expected.len(), actual: actual.len() });
    }
    let (te, ta) = (expected.iter().sum::<u64>() as f64, actual.iter().sum::<u64>() as f64);
    if te == 0.0 {
        return Err(StabilityError::Empty("expected"));
    }
    if ta == 0.0 {
        return Err(StabilityError::Empty("actual"));
    }
    let bins: Vec<PsiBin> = expected
        .iter()
        .zip(actual)
        .map(|(&e, &a)| {
            let (es, as_) = (e as f64 / te, a as f64 / ta);
            let contribution = if e == 0 && a == 0 {
                0.0
            } else {
                let (x, y) = (es.max(PSI_EPSILON), as_.max(PSI_EPSILON));
                (y - x) * (y / x).ln()
            };
            PsiBin { expected: e, actual: a, expected_share: es, actual_share: as_, contribution }
        })
        .collect();
    let value = bins.iter().map(|b| b.contribution).sum();
    Ok(Psi { value, level: StabilityLevel::of(value), bins })
}

/// The characteristic stability index of a feature: PSI between the binning's training
/// counts and the counts of `column` in the same bins.
pub fn csi(binning: &Binning, column: Column<'_>) -> Result<Psi, StabilityError> {
    let expected: Vec<u64> = binning.bins.iter().map(|b| b.count).collect();
    let actual = binning.counts(column)?;
    psi(&expected, &actual)
}

/// Score bands: [cut_{i−1}, cut_i), the first open below and the last above.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreBands {
    pub cuts: Vec<f64>,
}

impl ScoreBands {
    /// About `bands` bands of equal count over `scores` (the training scores); the cuts
    /// fall between distinct scores, so heavy ties can leave fewer bands.
    pub fn quantiles(scores: &[f64], bands: usize) -> Result<Self, DataError> {
        if let Some(row) = scores.iter().position(|s| !s.is_finite()) {
            return Err(DataError::NotFinite { what: "a score".into(), row });
        }
        let mut sorted = scores.to_vec();
        sorted.sort_unstable_by(f64::total_cmp);
        Ok(ScoreBands { cuts: quantile_cuts(&sorted, bands) })
    }

    /// Scores in each band.
    pub fn counts(&self, scores: &[f64]) -> Vec<u64> {
        let mut out = vec![0u64; self.cuts.len() + 1];
        for &s in scores {
            out[locate(&self.cuts, s)] += 1;
        }
        out
    }

    /// PSI of `actual` scores against `expected` ones over these bands.
    pub fn psi(&self, expected: &[f64], actual: &[f64]) -> Result<Psi, StabilityError> {
        psi(&self.counts(expected), &self.counts(actual))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::binning::{BinningConfig, fit_binning};
    use crate::column::Feature;

    /// Expected 50 30 20, actual 40 30 30: (0.4 − 0.5) ln 0.8 + 0 + (0.3 − 0.2) ln 1.5 =
    /// 0.022314 + 0.040547 = 0.062861, stable. A bin that was empty: expected 100 0,
    /// actual 90 10: (0.9 − 1) ln 0.9 + (0.1 − 10⁻⁴) ln(0.1/10⁻⁴) = 0.010536 + 0.690085 =
    /// 0.700621, act.
    #[test]
    fn psi_by_hand() {
        let p = psi(&[50, 30, 20], &[40, 30, 30]).unwrap();
        let want = -0.1 * 0.8f64.ln() + 0.1 * 1.5f64.ln();
        assert!((p.value - want).abs() < 1e-15);
        assert!((p.value - 0.062861).abs() < 1e-6);
        assert_eq!(p.level, StabilityLevel::Stable);
        let q = psi(&[100, 0], &[90, 10]).unwrap();
        assert!((q.value - 0.700621).abs() < 1e-6);
        assert_eq!(q.level, StabilityLevel::Act);
        assert_eq!(psi(&[5, 0, 5], &[5, 0, 5]).unwrap().value, 0.0);
        assert_eq!(StabilityLevel::of(0.1), StabilityLevel::Watch);
        assert_eq!(StabilityLevel::of(0.25), StabilityLevel::Watch);
        assert!(matches!(psi(&[1], &[1, 2]), Err(StabilityError::BinCount { .. })));
        assert!(matches!(psi(&[0, 0], &[1, 2]), Err(StabilityError::Empty("expected"))));
    }

    #[test]
    fn score_bands_and_csi() {
        let train: Vec<f64> = (0..1000).map(f64::from).collect();
        let bands = ScoreBands::quantiles(&train, 10).unwrap();
        assert_eq!(bands.counts(&train), vec![100; 10]);
        assert_eq!(bands.psi(&train, &train).unwrap().value, 0.0);
        let shifted: Vec<f64> = train.iter().map(|x| x + 300.0).collect();
        assert_eq!(bands.psi(&train, &shifted).unwrap().level, StabilityLevel::Act);

        let y: Vec<u8> = (0..1000).map(|i| u8::from(i % 7 == 0 || i > 800)).collect();
        let b = fit_binning(&Feature::numeric("x", &train), &y, &BinningConfig::default()).unwrap();
        let same = csi(&b, Column::Numeric(&train)).unwrap();
        assert_eq!(same.value, 0.0);
        let drift = csi(&b, Column::Numeric(&shifted)).unwrap();
        assert!(drift.value > PSI_ACT);
    }
}
