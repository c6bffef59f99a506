//! Calibration: maps from a score (or an uncalibrated PD) to a probability of the event,
//! fitted on outcomes.
//!
//! **Platt scaling** fits P(y = 1 | s) = 1 / (1 + exp(−(a + b · s))) by maximum
//! likelihood (the logistic regression of [`logistic`](crate::logistic) on one column),
//! on the outcomes themselves; it keeps the ranking and only bends the scale.
//!
//! **Isotonic regression** fits the monotone step function closest to the outcomes in
//! least squares by pool-adjacent-violators: rows sorted by score (tied scores pooled
//! first), neighbouring blocks whose means break the order are merged until none does.
//! Between the scores of two neighbouring blocks the map is linear; within a block and
//! beyond the fitted range it is flat (as scikit-learn's `IsotonicRegression` with
//! `out_of_bounds="clip"`).

use serde::{Deserialize, Serialize};

use crate::column::{DataError, check_length, check_target};
use crate::logistic::{LogisticConfig, LogisticError, fit_logistic, sigmoid};

/// Why a calibration could not be fitted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CalibrationError {
    #[error(transparent)]
    Data(#[from] DataError),
    #[error("fitting the Platt regression")]
    Logistic(#[from] LogisticError),
}

/// P = 1 / (1 + exp(−(intercept + slope · score))).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PlattScaling {
    pub intercept: f64,
    pub slope: f64,
}

impl PlattScaling {
    /// Fits on scores and outcomes.
    pub fn fit(scores: &[f64], target: &[u8]) -> Result<Self, CalibrationError> {
        let fit = fit_logistic(&[scores], target, &LogisticConfig::default())?;
        Ok(PlattScaling { intercept: fit.intercept.estimate, slope: fit.coefficients[0].estimate })
    }

    /// The calibrated probability of a score.
    pub fn probability(&self, score: f64) -> f64 {
        sigmoid(self.intercept + self.slope * score)
    }

    /// The calibrated probabilities of many scores.
    pub fn apply(&self, scores: &[f64]) -> Vec<f64> {
        scores.iter().map(|&s| self.probability(s)).collect()
    }
}

/// Whether the probability rises or falls with the score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Higher input, higher probability (a PD).
    Increasing,
    /// Higher input, lower probability (a points score).
    Decreasing,
}

/// A fitted isotonic map: knots by increasing score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IsotonicCalibration {
    pub direction: Direction,
    /// Scores of the knots, increasing.
    pub scores: Vec<f64>,
    /// Probabilities at the knots.
    pub probabilities: Vec<f64>,
}

impl IsotonicCalibration {
    /// Fits on scores and outcomes.
    pub fn fit(scores: &[f64], target: &[u8], direction: Direction) -> Result<Self, CalibrationError> {
        check_length("the scores", scores.len(), target.len())?;
        check_target(target)?;
        if let Some(row) = scores.iter().position(|s| !s.is_finite()) {
            return Err(DataError::NotFinite { what: "a score".into(), row }.into());
        }
        let mut order: Vec<usize> = (0..scores.len()).collect();
        order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
        let sign = if direction == Direction::Increasing { 1.0 } else { -1.0 };
        // Blocks of (lowest score, highest score, sum of outcomes, rows).
        let mut blocks: Vec<(f64, f64, f64, f64)> = Vec::new();
        for &i in &order {
            let (s, y) = (scores[i], f64::from(target[i]));
            match blocks.last_mut() {
                Some(b) if b.1 == s => {
                    b.2 += y;
                    b.3 += 1.0;
                }
                _ => blocks.push((s, s, y, 1.0)),
            }
            // Pool while the last block breaks the order.
            while blocks.len() > 1 {
                let (b, a) = (blocks[blocks.len() - 1], blocks[blocks.len() - 2]);
                if sign * (b.2 / b.3) >= sign * (a.2 / a.3) {
                    break;
                }
                blocks.pop();
                *blocks.last_mut().expect("two blocks") = (a.0, b.1, a.2 + b.2, a.3 + b.3);
            }
        }
        let mut knots_s = Vec::new();
        let mut knots_p = Vec::new();
        for (lo, hi, sum, n) in blocks {
            knots_s.push(lo);
            knots_p.push(sum / n);
            if hi > lo {
                knots_s.push(hi);
                knots_p.push(sum / n);
            }
        }
        Ok(IsotonicCalibration { direction, scores: knots_s, probabilities: knots_p })
    }

    /// The calibrated probability of a score.
    pub fn probability(&self, score: f64) -> f64 {
        let (s, p) = (&self.scores, &self.probabilities);
        let k = s.partition_point(|&x| x <= score);
        if k == 0 {
            return p[0];
        }
        if k == s.len() {
            return p[k - 1];
        }
        let t = (score - s[k - 1]) / (s[k] - s[k - 1]);
        p[k - 1] + t * (p[k] - p[k - 1])
    }

    /// The calibrated probabilities of many scores.
    pub fn apply(&self, scores: &[f64]) -> Vec<f64> {
        scores.iter().map(|&s| self.probability(s)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-9, "{a} != {b}");
    }

    /// Score 0: 1 event in 4; score 1: 3 in 4. Two groups fit exactly: a = logit(1/4) =
    /// ln(1/3), a + b = logit(3/4) = ln 3, so b = 2 ln 3.
    #[test]
    fn platt_by_hand() {
        let s = [0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0];
        let y = [1, 0, 0, 0, 1, 1, 1, 0];
        let p = PlattScaling::fit(&s, &y).unwrap();
        close(p.intercept, -(3f64.ln()));
        close(p.slope, 2.0 * 3f64.ln());
        close(p.probability(0.0), 0.25);
        close(p.apply(&[1.0])[0], 0.75);
    }

    /// Scores 1…6 with outcomes 0 1 0 0 1 1. Pooling: 1 then 0 at scores 2, 3 break the
    /// order → 1/2 over 2–3; the 0 at 4 breaks it again → 1/3 over 2–4. Knots: (1, 0),
    /// (2, 1/3), (4, 1/3), (5, 1), (6, 1). At 4.5 the map is halfway from 1/3 to 1: 2/3; at
    /// 1.5, 1/6; below 1 it is 0 and above 6 it is 1.
    #[test]
    fn isotonic_by_hand() {
        let s = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let y = [0, 1, 0, 0, 1, 1];
        let iso = IsotonicCalibration::fit(&s, &y, Direction::Increasing).unwrap();
        assert_eq!(iso.scores, [1.0, 2.0, 4.0, 5.0, 6.0]);
        for (got, want) in iso.probabilities.iter().zip([0.0, 1.0 / 3.0, 1.0 / 3.0, 1.0, 1.0]) {
            close(*got, want);
        }
        close(iso.probability(4.5), 2.0 / 3.0);
        close(iso.probability(1.5), 1.0 / 6.0);
        close(iso.probability(3.0), 1.0 / 3.0);
        assert_eq!(iso.apply(&[-10.0, 10.0]), [0.0, 1.0]);
        // Points scores fall as risk rises: the same data read backwards.
        let rev: Vec<f64> = s.iter().map(|x| -x).collect();
        let dec = IsotonicCalibration::fit(&rev, &y, Direction::Decreasing).unwrap();
        close(dec.probability(-4.5), 2.0 / 3.0);
        assert!(dec.probabilities.windows(2).all(|w| w[0] >= w[1]));
    }

    /// Tied scores are pooled before anything else: two rows at 1 (outcomes 1, 0) form
    /// one block of 1/2 that the 0 at score 2 then joins (1/3).
    #[test]
    fn ties_are_pooled_first() {
        let iso =
            IsotonicCalibration::fit(&[1.0, 1.0, 2.0, 3.0], &[1, 0, 0, 1], Direction::Increasing).unwrap();
        assert_eq!(iso.scores, [1.0, 2.0, 3.0]);
        close(iso.probabilities[0], 1.0 / 3.0);
        close(iso.probabilities[2], 1.0);
    }
}
