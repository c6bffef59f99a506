//! Data preparation fitted on training data and applied unchanged to new data: clipping
//! outliers at mean ± k standard deviations, and mean imputation.
//!
//! Both fit on the finite values of a column (NaN and infinities are ignored) and use the
//! sample standard deviation (divisor n − 1). Binning does not need either: it is
//! indifferent to outliers and gives missing values their own bin. They are for models
//! that read raw values.

use serde::{Deserialize, Serialize};

/// The usual multiple of the standard deviation for clipping.
pub const DEFAULT_SIGMAS: f64 = 3.0;

/// Why a transform could not be fitted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PrepareError {
    #[error("the column has no finite value")]
    NoValues,
    #[error("sigmas must be positive and finite, found {0}")]
    Sigmas(f64),
}

fn mean_sd(values: &[f64]) -> Result<(f64, f64), PrepareError> {
    let (mut n, mut sum) = (0usize, 0.0);
    for &x in values.iter().filter(|x| x.is_finite()) {
        n += 1;
        sum += x;
    }
    if n == 0 {
        return Err(PrepareError::NoValues);
    }
    let mean = sum / n as f64;
    let ss: f64 = values.iter().filter(|x| x.is_finite()).map(|x| (x - mean).powi(2)).sum();
    let sd = if n > 1 { (ss / (n - 1) as f64).sqrt() } else { 0.0 };
    Ok((mean, sd))
}

/// Clips values to [mean − k·sd, mean + k·sd] of the training data.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct OutlierClip {
    pub mean: f64,
    pub sd: f64,
    pub lower: f64,
    pub upper: f64,
}

impl OutlierClip {
    /// Fits on training values with k = `sigmas` ([`DEFAULT_SIGMAS`] is the usual 3).
    pub fn fit(values: &[f64], sigmas: f64) -> Result<Self, PrepareError> {
        if !(sigmas > 0.0 && sigmas.is_finite()) {
            return Err(PrepareError::Sigmas(sigmas));
        }
        let (mean, sd) = mean_sd(values)?;
        Ok(OutlierClip { mean, sd, lower: mean - sigmas * sd, upper: mean + sigmas * sd })
    }

    /// One value clipped; NaN stays NaN.
    pub fn clip(&self, x: f64) -> f64 {
        if x.is_nan() { x } else { x.clamp(self.lower, self.upper) }
    }

    /// Clips values in place.
    pub fn apply(&self, values: &mut [f64]) {
        for x in values {
            *x = self.clip(*x);
        }
    }
}

/// Replaces missing values (NaN) with the training mean.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MeanImputer {
    pub mean: f64,
}

impl MeanImputer {
    /// Fits on training values.
    pub fn fit(values: &[f64]) -> Result<Self, PrepareError> {
        Ok(MeanImputer { mean: mean_sd(values)?.0 })
    }

    /// Fills missing values in place.
    pub fn apply(&self, values: &mut [f64]) {
        for x in values.iter_mut().filter(|x| x.is_nan()) {
            *x = self.mean;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 1, 2, 3, 4, 100 (and a missing value): mean 22, squared deviations 441, 400, 361,
    /// 324 and 6084 summing to 7610, sd = √(7610/4) = 43.6176; at one sd the bounds are −21.6176
    /// and 65.6176, so 100 becomes 65.6176. At three sd (152.85) nothing is clipped.
    #[test]
    fn clip_by_hand() {
        let train = [1.0, 2.0, 3.0, 4.0, 100.0, f64::NAN];
        let c = OutlierClip::fit(&train, 1.0).unwrap();
        assert_eq!(c.mean, 22.0);
        assert!((c.sd - 1902.5f64.sqrt()).abs() < 1e-12);
        let mut x = train;
        c.apply(&mut x);
        assert!((x[4] - (22.0 + 1902.5f64.sqrt())).abs() < 1e-12);
        assert_eq!(x[..4], [1.0, 2.0, 3.0, 4.0]);
        assert!(x[5].is_nan());
        assert_eq!(OutlierClip::fit(&train, DEFAULT_SIGMAS).unwrap().clip(100.0), 100.0);
        assert_eq!(c.clip(f64::NEG_INFINITY), c.lower);
        assert_eq!(OutlierClip::fit(&[f64::NAN], 3.0), Err(PrepareError::NoValues));
        assert_eq!(OutlierClip::fit(&train, 0.0), Err(PrepareError::Sigmas(0.0)));
    }

    #[test]
    fn impute_by_hand() {
        let m = MeanImputer::fit(&[1.0, f64::NAN, 5.0]).unwrap();
        assert_eq!(m.mean, 3.0);
        let mut x = [f64::NAN, 2.0];
        m.apply(&mut x);
        assert_eq!(x, [3.0, 2.0]);
        let back: MeanImputer = serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
        assert_eq!(back, m);
    }
}
