//! The quarterly effectiveness check of indicators against observed defaults (IND-5):
//! information value, AUC oriented by the indicator's declared direction, and the
//! keep / watch / retire recommendation that follows.
//!
//! **Information value.** The non-missing values are cut into `bins` equal-frequency
//! bins by rank (value of rank r, 0-based, of n goes to bin ⌊r · bins / n⌋; equal values
//! always share the bin of the first of them, so ties can leave fewer bins); missing
//! values form one more bin of their own. A bin with no defaults or no non-defaults gets
//! 0.5 added to both counts — the usual adjustment that keeps the weight of evidence
//! finite. With bᵢ, gᵢ the (adjusted) defaults and non-defaults of bin i and B, G their
//! totals over all bins,
//!
//! ```text
//! IV = Σᵢ (bᵢ/B − gᵢ/G) · ln((bᵢ/B) / (gᵢ/G))
//! ```
//!
//! **AUC.** [`auc`] is the Mann–Whitney statistic: the probability that a defaulter
//! scores higher than a non-defaulter, ties counting one half (average ranks) — what
//! `sklearn.metrics.roc_auc_score(defaulted, scores)` computes. [`oriented_auc`] reads
//! the indicator in its declared direction: a higher-better indicator should score
//! defaulters *low*, so its oriented AUC is 1 − AUC of its raw values; a lower-better one
//! keeps its AUC. A current ratio (higher better) whose raw AUC against defaults is 0.3
//! therefore has oriented AUC 0.7: it works as declared. Above 0.5 means the indicator
//! separates defaulters in the direction the catalogue says.
//!
//! **Recommendation.** The information-value rules of thumb of scorecard practice
//! (Siddiqi, *Credit Risk Scorecards*, 2006): IV < 0.02 is not predictive → retire;
//! 0.02 ≤ IV < 0.1 is weak → watch; IV ≥ 0.1 is medium or strong → keep. An indicator
//! whose oriented AUC is 0.5 or less is watched rather than kept whatever its IV: its
//! relationship with default runs against its declared direction (or is not monotone),
//! so its direction and thresholds need review before it scores anyone.

use crate::catalogue::Direction;

/// Information value of an indicator's values against default flags; `None` when the
/// inputs differ in length, `bins` is 0, or either class is absent.
pub fn information_value(values: &[Option<f64>], defaulted: &[bool], bins: usize) -> Option<f64> {
    if values.len() != defaulted.len() || bins == 0 {
        return None;
    }
    let bads = defaulted.iter().filter(|d| **d).count();
    if bads == 0 || bads == defaulted.len() {
        return None;
    }
    let mut present: Vec<(f64, bool)> = values
        .iter()
        .zip(defaulted)
        .filter_map(|(v, d)| v.filter(|x| !x.is_nan()).map(|x| (x, *d)))
        .collect();
    present.sort_by(|a, b| a.0.total_cmp(&b.0));
    // (non-defaults, defaults) per bin, the missing bin last.
    let mut cells = vec![(0.0f64, 0.0f64); bins + 1];
    let n = present.len();
    let mut bin = 0;
    for (r, &(v, d)) in present.iter().enumerate() {
        if r == 0 || v != present[r - 1].0 {
            bin = r * bins / n;
        }
        let cell = &mut cells[bin];
        if d { cell.1 += 1.0 } else { cell.0 += 1.0 }
    }
    for (v, d) in values.iter().zip(defaulted) {
        if v.is_none_or(f64::is_nan) {
            let cell = &mut cells[bins];
            if *d { cell.1 += 1.0 } else { cell.0 += 1.0 }
        }
    }
    let mut cells: Vec<(f64, f64)> = cells.into_iter().filter(|(g, b)| g + b > 0.0).collect();
    for (g, b) in &mut cells {
        if *g == 0.0 || *b == 0.0 {
            *g += 0.5;
            *b += 0.5;
        }
    }
    let goods: f64 = cells.iter().map(|c| c.0).sum();
    let bads: f64 = cells.iter().map(|c| c.1).sum();
    Some(
        cells
            .iter()
            .map(|(g, b)| {
                let (pb, pg) = (b / bads, g / goods);
                (pb - pg) * (pb / pg).ln()
            })
            .sum(),
    )
}

/// Area under the ROC curve of `scores` as a predictor of `defaulted` (higher score =
/// more likely to default), ties averaged; `None` when the lengths differ or either
/// class is absent.
pub fn auc(scores: &[f64], defaulted: &[bool]) -> Option<f64> {
    if scores.len() != defaulted.len() {
        return None;
    }
    let positives = defaulted.iter().filter(|d| **d).count() as f64;
    let negatives = defaulted.len() as f64 - positives;
    if positives == 0.0 || negatives == 0.0 {
        return None;
    }
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && scores[order[j + 1]] == scores[order[i]] {
            j += 1;
        }
        // Ranks i+1 … j+1 share their average.
        let rank = (i + j + 2) as f64 / 2.0;
        rank_sum += order[i..=j].iter().filter(|&&k| defaulted[k]).count() as f64 * rank;
        i = j + 1;
    }
    Some((rank_sum - positives * (positives + 1.0) / 2.0) / (positives * negatives))
}

/// AUC of an indicator in its declared direction over the customers that have a value.
pub fn oriented_auc(values: &[Option<f64>], defaulted: &[bool], direction: Direction) -> Option<f64> {
    if values.len() != defaulted.len() {
        return None;
    }
    let (scores, flags): (Vec<f64>, Vec<bool>) =
        values.iter().zip(defaulted).filter_map(|(v, d)| v.filter(|x| !x.is_nan()).map(|x| (x, *d))).unzip();
    let raw = auc(&scores, &flags)?;
    Some(match direction {
        Direction::LowerBetter => raw,
        Direction::HigherBetter => 1.0 - raw,
    })
}

/// What to do with an indicator after its effectiveness check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Recommendation {
    Keep,
    Watch,
    Retire,
}

/// IV below this is not predictive (Siddiqi 2006).
pub const IV_USELESS: f64 = 0.02;
/// IV from [`IV_USELESS`] to this is weak (Siddiqi 2006).
pub const IV_WEAK: f64 = 0.1;

/// The recommendation for an information value and an oriented AUC (see the module
/// documentation for the rules).
pub fn recommendation(iv: f64, oriented_auc: f64) -> Recommendation {
    let by_iv = if iv < IV_USELESS {
        Recommendation::Retire
    } else if iv < IV_WEAK {
        Recommendation::Watch
    } else {
        Recommendation::Keep
    };
    if by_iv == Recommendation::Keep && oriented_auc <= 0.5 { Recommendation::Watch } else { by_iv }
}

/// The effectiveness of one indicator.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Effectiveness {
    pub information_value: Option<f64>,
    pub oriented_auc: Option<f64>,
    /// `None` when either measure could not be computed (no defaults, no values).
    pub recommendation: Option<Recommendation>,
}

/// Information value, oriented AUC and recommendation of one indicator.
pub fn assess(
    values: &[Option<f64>],
    defaulted: &[bool],
    direction: Direction,
    bins: usize,
) -> Effectiveness {
    let iv = information_value(values, defaulted, bins);
    let auc = oriented_auc(values, defaulted, direction);
    Effectiveness {
        information_value: iv,
        oriented_auc: auc,
        recommendation: iv.zip(auc).map(|(iv, auc)| recommendation(iv, auc)),
    }
}
