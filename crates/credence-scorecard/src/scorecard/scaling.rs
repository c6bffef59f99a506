//! Points scaling: a score that rises by a fixed number of points each time the odds of a
//! good outcome double.
//!
//! With odds = (1 − PD) / PD, factor = PDO / ln 2 and offset = base score − factor ·
//! ln(base odds), score = offset + factor · ln(odds) = offset − factor · η, where η =
//! β₀ + Σ βⱼ WoEⱼ is the model's log-odds of the event. The default (600 points at odds
//! of 50:1, 20 points to double the odds) gives factor 28.8539 and offset 487.1229.
//!
//! A scorecard shares the intercept equally among its k features, so the points of bin b
//! of feature j are −factor · βⱼ · WoE_jb + (offset − factor · β₀) / k and a row's score
//! is the sum of its points.

use serde::{Deserialize, Serialize};

/// How log-odds become points.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Scaling {
    /// Score at the base odds; default 600.
    pub base_score: f64,
    /// Odds good:bad at the base score; default 50.
    pub base_odds: f64,
    /// Points to double the odds; default 20.
    pub pdo: f64,
}

impl Default for Scaling {
    fn default() -> Self {
        Scaling { base_score: 600.0, base_odds: 50.0, pdo: 20.0 }
    }
}

impl Scaling {
    /// Points per unit of log-odds: PDO / ln 2.
    pub fn factor(&self) -> f64 {
        self.pdo / std::f64::consts::LN_2
    }

    /// Score at even odds: base score − factor · ln(base odds).
    pub fn offset(&self) -> f64 {
        self.base_score - self.factor() * self.base_odds.ln()
    }

    /// The score of a log-odds of the event η.
    pub fn score_of_log_odds(&self, eta: f64) -> f64 {
        self.offset() - self.factor() * eta
    }

    /// The score of a PD in (0, 1).
    pub fn score_of_pd(&self, pd: f64) -> f64 {
        self.score_of_log_odds((pd / (1.0 - pd)).ln())
    }

    /// The PD of a score.
    pub fn pd_of_score(&self, score: f64) -> f64 {
        crate::logistic::sigmoid((self.offset() - score) / self.factor())
    }

    pub(crate) fn validate(&self) -> Result<(), super::ScorecardError> {
        let ok = self.pdo > 0.0 && self.pdo.is_finite() && self.base_odds > 0.0 && self.base_odds.is_finite();
        if ok && self.base_score.is_finite() { Ok(()) } else { Err(super::ScorecardError::Scaling(*self)) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 600 at 50:1, 20 points to double: factor 20/ln 2 = 28.853900817779268, offset
    /// 600 − 28.8539 · ln 50 = 487.1228762045055. Odds 100:1 (PD 1/101) score 620, odds
    /// 25:1 score 580, even odds the offset.
    #[test]
    fn scaling_by_hand() {
        let s = Scaling::default();
        assert!((s.factor() - 28.853_900_817_779_27).abs() < 1e-12);
        assert!((s.offset() - 487.1228762045055).abs() < 1e-10);
        assert!((s.score_of_pd(1.0 / 101.0) - 620.0).abs() < 1e-10);
        assert!((s.score_of_pd(1.0 / 26.0) - 580.0).abs() < 1e-10);
        assert!((s.score_of_pd(0.5) - s.offset()).abs() < 1e-12);
        assert!((s.pd_of_score(600.0) - 1.0 / 51.0).abs() < 1e-15);
    }
}
