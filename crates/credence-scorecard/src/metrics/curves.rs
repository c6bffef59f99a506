//! ROC and KS curves for reports, thinned to a bounded number of points.
//!
//! Both curves walk the groups of tied scores from the riskiest down. With many distinct
//! scores a curve keeps the first point past each 1/(`max_points` − 1) of the population,
//! plus the origin and the end, so a million scores give a curve of at most `max_points`
//! points that a report can draw (the KS curve also keeps its largest distance). The
//! figures themselves come from [`auc`](super::auc) and [`ks`](super::ks), not from the
//! thinned curves.

use serde::{Deserialize, Serialize};

use super::tie_groups;
use crate::column::DataError;

/// One point of a ROC curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RocPoint {
    /// Rows scoring at or above this are called events; `None` at the origin.
    pub threshold: Option<f64>,
    /// Share of non-events called events.
    pub false_positive_rate: f64,
    /// Share of events called events.
    pub true_positive_rate: f64,
}

/// One point of a KS curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct KsPoint {
    /// Rows scoring at or above this; `None` at the origin.
    pub threshold: Option<f64>,
    /// Share of all rows at or above the threshold.
    pub population: f64,
    /// Cumulative share of events.
    pub events: f64,
    /// Cumulative share of non-events.
    pub non_events: f64,
    /// `events − non_events` in absolute value.
    pub distance: f64,
}

/// (threshold, rows, events, non-events) so far.
type Step = (f64, f64, f64, f64);

/// Cumulative counts after each tie group, thinned, with the event and non-event totals.
fn walk(target: &[u8], scores: &[f64], max_points: usize) -> Result<(Vec<Step>, f64, f64), DataError> {
    let (groups, events, non_events) = tie_groups(target, scores)?;
    let total = events + non_events;
    let buckets = max_points.max(2) as f64 - 1.0;
    let mut out = Vec::new();
    let (mut rows, mut b, mut g) = (0.0, 0.0, 0.0);
    let mut last_bucket = 0.0;
    for (i, grp) in groups.iter().enumerate() {
        rows += grp.events + grp.non_events;
        b += grp.events;
        g += grp.non_events;
        let bucket = (rows / total * buckets).floor();
        if bucket > last_bucket || i + 1 == groups.len() {
            last_bucket = bucket;
            out.push((grp.score, rows, b, g));
        }
    }
    Ok((out, events, non_events))
}

/// The ROC curve from (0, 0) to (1, 1), at most `max_points` points.
pub fn roc_curve(target: &[u8], scores: &[f64], max_points: usize) -> Result<Vec<RocPoint>, DataError> {
    let (steps, events, non_events) = walk(target, scores, max_points)?;
    let mut points = vec![RocPoint { threshold: None, false_positive_rate: 0.0, true_positive_rate: 0.0 }];
    points.extend(steps.iter().map(|&(t, _, b, g)| RocPoint {
        threshold: Some(t),
        false_positive_rate: g / non_events,
        true_positive_rate: b / events,
    }));
    Ok(points)
}

/// The KS curve against the population share, at most `max_points` points plus the point
/// of the largest distance.
pub fn ks_curve(target: &[u8], scores: &[f64], max_points: usize) -> Result<Vec<KsPoint>, DataError> {
    let (groups, events, non_events) = tie_groups(target, scores)?;
    let best = super::ks_of_groups(&groups, events, non_events);
    let (steps, _, _) = walk(target, scores, max_points)?;
    let total = events + non_events;
    let point = |t: Option<f64>, rows: f64, b: f64, g: f64| KsPoint {
        threshold: t,
        population: rows / total,
        events: b / events,
        non_events: g / non_events,
        distance: (b / events - g / non_events).abs(),
    };
    let mut points = vec![point(None, 0.0, 0.0, 0.0)];
    points.extend(steps.iter().map(|&(t, rows, b, g)| point(Some(t), rows, b, g)));
    if !points.iter().any(|p| p.threshold == Some(best.threshold)) {
        // The thinned walk skipped the KS point: put it back in its place.
        let (mut rows, mut b, mut g) = (0.0, 0.0, 0.0);
        for grp in &groups {
            rows += grp.events + grp.non_events;
            b += grp.events;
            g += grp.non_events;
            if grp.score == best.threshold {
                break;
            }
        }
        let at = points.iter().position(|p| p.threshold.is_some_and(|t| t < best.threshold));
        points.insert(at.unwrap_or(points.len()), point(Some(best.threshold), rows, b, g));
    }
    Ok(points)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Scores 0.8 0.4 0.35 0.1 for targets 1 0 1 0: after 0.8, TPR 1/2 FPR 0; after 0.4,
    /// 1/2 and 1/2; after 0.35, 1 and 1/2; after 0.1, 1 and 1.
    #[test]
    fn roc_points_by_hand() {
        let roc = roc_curve(&[0, 0, 1, 1], &[0.1, 0.4, 0.35, 0.8], 200).unwrap();
        let xy: Vec<(f64, f64)> = roc.iter().map(|p| (p.false_positive_rate, p.true_positive_rate)).collect();
        assert_eq!(xy, [(0.0, 0.0), (0.0, 0.5), (0.5, 0.5), (0.5, 1.0), (1.0, 1.0)]);
        assert_eq!(roc[1].threshold, Some(0.8));
        let ks = ks_curve(&[0, 0, 1, 1], &[0.1, 0.4, 0.35, 0.8], 200).unwrap();
        let d: Vec<f64> = ks.iter().map(|p| p.distance).collect();
        assert_eq!(d, [0.0, 0.5, 0.0, 0.5, 0.0]);
        assert_eq!(ks[2].population, 0.5);
    }

    #[test]
    fn long_curves_are_thinned_and_keep_their_ends() {
        let n = 10_000;
        let scores: Vec<f64> = (0..n).map(|i| f64::from(i) / f64::from(n)).collect();
        let target: Vec<u8> = (0..n).map(|i| u8::from(i % 7 == 0 || i > 9_000)).collect();
        let roc = roc_curve(&target, &scores, 200).unwrap();
        assert!(roc.len() <= 200, "{}", roc.len());
        assert_eq!(roc.last().unwrap().true_positive_rate, 1.0);
        assert_eq!(roc.last().unwrap().false_positive_rate, 1.0);
        let ks = ks_curve(&target, &scores, 50).unwrap();
        assert!(ks.len() <= 51);
        let best = crate::metrics::ks(&target, &scores).unwrap();
        let top = ks.iter().map(|p| p.distance).fold(0.0, f64::max);
        assert!((top - best.statistic).abs() < 1e-12);
        assert!(ks.windows(2).all(|w| w[0].population <= w[1].population));
    }
}
