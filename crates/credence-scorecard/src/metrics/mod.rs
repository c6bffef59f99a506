//! Model metrics over a 0/1 target and scores where higher means riskier (a PD, or minus
//! a points score): AUC, Gini, KS, Brier score, log-loss, capture rate, the ROC and KS
//! curves, calibration tables, and the stratified k-fold splitter used to validate a fit.
//!
//! **AUC** is the Mann–Whitney statistic U / (B · G) with B events and G non-events: the
//! probability that an event scores higher than a non-event, a tie counting one half. It
//! equals the rank formula (R_B − B(B+1)/2) / (B · G), where R_B sums the events' ranks
//! and tied scores share the average of their ranks, and `sklearn.metrics.roc_auc_score`.
//! It is computed over the groups of tied scores: the events of a group beat every
//! non-event of the groups below it and half of the non-events of their own group.
//!
//! **KS** is the largest distance between the cumulative distributions of events and
//! non-events, both taken from the riskiest score down, evaluated after each group of tied
//! scores (a threshold never splits a tie).
//!
//! **Gini** = 2 · AUC − 1. **Brier** = mean (p − y)². **Log-loss** = −mean(y ln p +
//! (1 − y) ln(1 − p)) with p clipped to [10⁻¹⁵, 1 − 10⁻¹⁵] so a confident miss costs
//! about 34.5 rather than infinity.

mod calibration_table;
mod curves;
mod folds;

pub use calibration_table::{CalibrationRow, calibration_by_group, calibration_by_quantile};
pub use curves::{KsPoint, RocPoint, ks_curve, roc_curve};
pub use folds::{Folds, stratified_folds};

use serde::{Deserialize, Serialize};

use crate::column::{DataError, check_length, check_target};

/// Probabilities are clipped to [`LOG_LOSS_EPS`, 1 − `LOG_LOSS_EPS`] in [`log_loss`].
pub const LOG_LOSS_EPS: f64 = 1e-15;

/// Scores tied at one value, with their classes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct TieGroup {
    pub score: f64,
    pub events: f64,
    pub non_events: f64,
}

/// Checks target and scores and returns the groups of tied scores, riskiest first, with
/// the totals (events, non-events).
pub(crate) fn tie_groups(target: &[u8], scores: &[f64]) -> Result<(Vec<TieGroup>, f64, f64), DataError> {
    check_length("the scores", scores.len(), target.len())?;
    let counts = check_target(target)?;
    if let Some(row) = scores.iter().position(|s| !s.is_finite()) {
        return Err(DataError::NotFinite { what: "a score".into(), row });
    }
    let mut order: Vec<u32> = (0..scores.len() as u32).collect();
    order.sort_unstable_by(|&a, &b| scores[b as usize].total_cmp(&scores[a as usize]));
    let mut groups: Vec<TieGroup> = Vec::new();
    for &i in &order {
        let (s, y) = (scores[i as usize], target[i as usize]);
        match groups.last_mut() {
            Some(g) if g.score == s => {
                if y == 1 {
                    g.events += 1.0
                } else {
                    g.non_events += 1.0
                }
            }
            _ => groups.push(TieGroup { score: s, events: f64::from(y), non_events: f64::from(1 - y) }),
        }
    }
    Ok((groups, counts.events as f64, counts.non_events as f64))
}

/// Area under the ROC curve (see the module documentation).
pub fn auc(target: &[u8], scores: &[f64]) -> Result<f64, DataError> {
    let (groups, events, non_events) = tie_groups(target, scores)?;
    Ok(auc_of_groups(&groups, events, non_events))
}

fn auc_of_groups(groups: &[TieGroup], events: f64, non_events: f64) -> f64 {
    // Walk from the least risky group up: `below` counts the non-events scored lower.
    let mut below = 0.0;
    let mut wins = 0.0;
    for g in groups.iter().rev() {
        wins += g.events * (below + 0.5 * g.non_events);
        below += g.non_events;
    }
    wins / (events * non_events)
}

/// Gini coefficient (accuracy ratio) = 2 · AUC − 1.
pub fn gini(target: &[u8], scores: &[f64]) -> Result<f64, DataError> {
    Ok(2.0 * auc(target, scores)? - 1.0)
}

/// The Kolmogorov–Smirnov statistic and the score at which it is reached.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Ks {
    /// Largest distance between the cumulative event and non-event distributions, in [0, 1].
    pub statistic: f64,
    /// Rows scoring at or above this value are the part where the distance is largest.
    pub threshold: f64,
}

/// KS statistic (see the module documentation).
pub fn ks(target: &[u8], scores: &[f64]) -> Result<Ks, DataError> {
    let (groups, events, non_events) = tie_groups(target, scores)?;
    Ok(ks_of_groups(&groups, events, non_events))
}

fn ks_of_groups(groups: &[TieGroup], events: f64, non_events: f64) -> Ks {
    let (mut cum_b, mut cum_g) = (0.0, 0.0);
    let mut best = Ks { statistic: 0.0, threshold: groups[0].score };
    for g in groups {
        cum_b += g.events;
        cum_g += g.non_events;
        let d = (cum_b / events - cum_g / non_events).abs();
        if d > best.statistic {
            best = Ks { statistic: d, threshold: g.score };
        }
    }
    best
}

/// Checks predicted probabilities against the target.
fn check_probabilities(target: &[u8], pd: &[f64]) -> Result<(), DataError> {
    check_length("the probabilities", pd.len(), target.len())?;
    if target.is_empty() {
        return Err(DataError::Empty);
    }
    if let Some(row) = pd.iter().position(|p| !(0.0..=1.0).contains(p)) {
        return Err(DataError::OutOfRange { what: "a probability".into(), row });
    }
    if let Some(row) = target.iter().position(|&y| y > 1) {
        return Err(DataError::TargetNotBinary { row, value: target[row] });
    }
    Ok(())
}

/// Brier score: the mean squared difference between the PD and the outcome.
pub fn brier(target: &[u8], pd: &[f64]) -> Result<f64, DataError> {
    check_probabilities(target, pd)?;
    let sum: f64 = target.iter().zip(pd).map(|(&y, &p)| (p - f64::from(y)).powi(2)).sum();
    Ok(sum / target.len() as f64)
}

/// Log-loss (cross-entropy) with probabilities clipped to [`LOG_LOSS_EPS`, 1 − `LOG_LOSS_EPS`].
pub fn log_loss(target: &[u8], pd: &[f64]) -> Result<f64, DataError> {
    check_probabilities(target, pd)?;
    let sum: f64 = target
        .iter()
        .zip(pd)
        .map(|(&y, &p)| {
            let p = p.clamp(LOG_LOSS_EPS, 1.0 - LOG_LOSS_EPS);
            if y == 1 { -p.ln() } else { -(1.0 - p).ln() }
        })
        .sum();
    Ok(sum / target.len() as f64)
}

/// Share of all events among the `share` (0–1] of rows with the highest scores. Rows tied
/// at the cut count in proportion to the part of their group that falls inside it.
pub fn capture_rate(target: &[u8], scores: &[f64], share: f64) -> Result<f64, DataError> {
    let (groups, events, non_events) = tie_groups(target, scores)?;
    let mut room = (share.clamp(0.0, 1.0)) * (events + non_events);
    let mut captured = 0.0;
    for g in &groups {
        let size = g.events + g.non_events;
        if room <= 0.0 {
            break;
        }
        let take = room.min(size);
        captured += g.events * take / size;
        room -= take;
    }
    Ok(captured / events)
}

/// The usual discrimination and accuracy figures of one set of predictions.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub auc: f64,
    pub gini: f64,
    pub ks: f64,
    pub brier: f64,
    pub log_loss: f64,
}

/// AUC, Gini, KS, Brier score and log-loss of predicted probabilities of the event.
pub fn summarize(target: &[u8], pd: &[f64]) -> Result<Summary, DataError> {
    let (groups, events, non_events) = tie_groups(target, pd)?;
    let auc = auc_of_groups(&groups, events, non_events);
    Ok(Summary {
        auc,
        gini: 2.0 * auc - 1.0,
        ks: ks_of_groups(&groups, events, non_events).statistic,
        brier: brier(target, pd)?,
        log_loss: log_loss(target, pd)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-12, "{a} != {b}");
    }

    /// Scores 0.1 0.4 0.35 0.8 with targets 0 0 1 1 (sklearn's `roc_auc_score` example).
    /// Event–non-event pairs: (0.35, 0.1) win, (0.35, 0.4) loss, (0.8, 0.1) win, (0.8, 0.4)
    /// win: AUC = 3/4. Ranks 1 3 2 4 give R_B = 2 + 4 = 6 and (6 − 3)/(2 · 2) = 0.75 too.
    /// KS from the top: after 0.8, F_B = 1/2, F_G = 0; after 0.4, 1/2 and 1/2; after 0.35,
    /// 1 and 1/2: the largest distance is 1/2, first reached at 0.8.
    #[test]
    fn auc_and_ks_by_hand() {
        let (y, s) = ([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]);
        close(auc(&y, &s).unwrap(), 0.75);
        close(gini(&y, &s).unwrap(), 0.5);
        assert_eq!(ks(&y, &s).unwrap(), Ks { statistic: 0.5, threshold: 0.8 });
    }

    /// Scores 1 2 2 2 3 with targets 0 1 1 0 1. Ranks: 1, then (2 + 3 + 4)/3 = 3 for each
    /// of the three tied 2s, then 5. The events hold ranks 3, 3 and 5: R_B = 11 and AUC =
    /// (11 − 3 · 4/2)/(3 · 2) = 5/6. By pairs: the event at 3 beats both non-events (2);
    /// each event at 2 beats the non-event at 1 and ties the one at 2 (1.5 each): 5 of 6.
    #[test]
    fn ties_count_one_half() {
        let (y, s) = ([0, 1, 1, 0, 1], [1.0, 2.0, 2.0, 2.0, 3.0]);
        close(auc(&y, &s).unwrap(), 5.0 / 6.0);
        // All scores tied: every pair is a tie.
        close(auc(&[0, 1, 0, 1], &[0.3; 4]).unwrap(), 0.5);
        // KS never splits a tie: after 3, F_B = 1/3, F_G = 0; after the 2s, 1 and 1/2.
        assert_eq!(ks(&y, &s).unwrap(), Ks { statistic: 0.5, threshold: 2.0 });
    }

    /// p = 0.2 0.7 0.9 for y = 0 1 0: Brier = (0.04 + 0.09 + 0.81)/3 = 0.94/3; log-loss =
    /// −(ln 0.8 + ln 0.7 + ln 0.1)/3.
    #[test]
    fn brier_and_log_loss_by_hand() {
        let (y, p) = ([0, 1, 0], [0.2, 0.7, 0.9]);
        close(brier(&y, &p).unwrap(), 0.94 / 3.0);
        close(log_loss(&y, &p).unwrap(), -(0.8f64.ln() + 0.7f64.ln() + 0.1f64.ln()) / 3.0);
        // A certain miss is clipped, not infinite.
        close(log_loss(&[1], &[0.0]).unwrap(), -LOG_LOSS_EPS.ln());
        assert!(brier(&[0], &[1.5]).is_err());
    }

    /// Ten rows, events at the scores 10, 9 and 5. The top 20% (scores 10, 9) hold 2 of 3
    /// events; the top 60% (down to 5) all 3. With the two top scores tied at 9.5 and a 10% cut, half
    /// of the tied group counts: 2 events × 1/2 = 1 of 3.
    #[test]
    fn capture_rate_by_hand() {
        let s: Vec<f64> = (1..=10).map(f64::from).collect();
        let y = [0, 0, 0, 0, 1, 0, 0, 0, 1, 1];
        close(capture_rate(&y, &s, 0.2).unwrap(), 2.0 / 3.0);
        close(capture_rate(&y, &s, 0.6).unwrap(), 1.0);
        close(capture_rate(&y, &s, 0.5).unwrap(), 2.0 / 3.0);
        let mut tied = s.clone();
        tied[8] = 9.5;
        tied[9] = 9.5;
        close(capture_rate(&y, &tied, 0.1).unwrap(), 1.0 / 3.0);
    }

    #[test]
    fn summary_agrees_with_the_parts() {
        let (y, p) = ([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]);
        let s = summarize(&y, &p).unwrap();
        close(s.auc, 0.75);
        close(s.gini, 0.5);
        close(s.ks, 0.5);
        close(s.brier, brier(&y, &p).unwrap());
        assert!(summarize(&[0, 0], &[0.1, 0.2]).is_err());
    }
}
