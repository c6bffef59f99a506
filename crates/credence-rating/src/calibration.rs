//! Score → probability of default: anchor points interpolated log-linearly in PD.
//!
//! Between two anchors `(s₁, p₁)` and `(s₂, p₂)` a score `s` gets
//! `PD = exp(ln p₁ + t·(ln p₂ − ln p₁))` with `t = (s − s₁)/(s₂ − s₁)`, so each point of
//! score changes PD by the same factor within a segment. Beyond the outermost anchors PD
//! is flat. Anchors are listed from the highest score down, and PD must rise strictly as
//! the score falls: a higher score never means a higher PD.

use toml::Spanned;

use crate::error::Problems;

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Calibration {
    /// Ascending by score: `(score, ln PD)`.
    anchors: Vec<(f64, f64)>,
}

impl Calibration {
    pub fn check(
        raw: &[Spanned<(f64, f64)>],
        key_offset: usize,
        problems: &mut Problems,
    ) -> Option<Calibration> {
        let before = problems.len();
        if raw.len() < 2 {
            problems.at(key_offset, "calibration needs at least two anchors");
            return None;
        }
        for (i, a) in raw.iter().enumerate() {
            let (score, pd) = *a.get_ref();
            let offset = a.span().start;
            if !(0.0..=100.0).contains(&score) {
                problems.at(offset, format!("anchor score must be within 0–100, found {score}"));
            }
            if !(pd > 0.0 && pd < 1.0) {
                problems.at(offset, format!("anchor PD must be above 0 and below 1, found {pd}"));
            }
            if i > 0 {
                let (prev_score, prev_pd) = *raw[i - 1].get_ref();
                if score >= prev_score {
                    problems.at(
                        offset,
                        format!(
                            "anchors must be listed from the highest score down ({prev_score} then {score})"
                        ),
                    );
                } else if pd <= prev_pd {
                    problems.at(
                        offset,
                        format!("PD must rise as the score falls: score {prev_score} has PD {prev_pd}, score {score} has {pd}"),
                    );
                }
            }
        }
        if problems.len() > before {
            return None;
        }
        let anchors = raw.iter().rev().map(|a| (a.get_ref().0, a.get_ref().1.ln())).collect();
        Some(Calibration { anchors })
    }

    /// PD for a score.
    pub fn pd(&self, score: f64) -> f64 {
        let a = &self.anchors;
        if score <= a[0].0 {
            return a[0].1.exp();
        }
        for i in 1..a.len() {
            let (s2, l2) = a[i];
            if score <= s2 {
                let (s1, l1) = a[i - 1];
                let t = (score - s1) / (s2 - s1);
                return (l1 + t * (l2 - l1)).exp();
            }
        }
        a[a.len() - 1].1.exp()
    }

    /// The anchors as `(score, PD)`, highest score first, as written.
    pub fn anchors(&self) -> Vec<(f64, f64)> {
        self.anchors.iter().rev().map(|&(s, l)| (s, l.exp())).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn calibration(anchors: &[(f64, f64)]) -> Calibration {
        Calibration { anchors: anchors.iter().rev().map(|&(s, p)| (s, f64::ln(p))).collect() }
    }

    #[test]
    fn interpolates_log_linearly_and_is_flat_outside() {
        let c = calibration(&[(85.0, 0.008), (75.0, 0.025)]);
        // Halfway: the geometric mean √(0.008 × 0.025) = √0.0002 = 0.0141421.
        assert!((c.pd(80.0) - 0.000_2f64.sqrt()).abs() < 1e-15);
        assert!((c.pd(85.0) - 0.008).abs() < 1e-15);
        assert!((c.pd(99.0) - 0.008).abs() < 1e-15);
        assert!((c.pd(3.0) - 0.025).abs() < 1e-15);
    }
}
