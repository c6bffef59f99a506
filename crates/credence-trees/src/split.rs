//! Finding a leaf's best split from its histogram.
//!
//! A split's gain is the drop in the second-order approximation of the loss,
//!
//! ```text
//! score(G, H, w) = -(2·G·w + (H + λ)·w²)        gain = score(left) + score(right) − score(parent)
//! ```
//!
//! where `w` is the leaf output. Without constraints `w = −G / (H + λ)` and the score is the
//! familiar `G² / (H + λ)`; under monotone constraints `w` is clamped into the leaf's allowed
//! interval first, so the gain is that of the outputs the tree will really have.
//!
//! Numeric features try every bin boundary twice, once with the missing bin on each side.
//! Categorical features sort their categories by `G / (H + smoothing)` and try the prefixes of
//! that order from both ends (or each category alone when the feature has few), so a split
//! sends a set of categories left.

use rayon::prelude::*;

use crate::binning::BinnedData;
use crate::histogram::{Histogram, Stats};

/// Split-search settings shared by boosting and forests.
#[derive(Debug, Clone)]
pub(crate) struct SplitSettings {
    pub lambda: f64,
    pub min_data_in_leaf: u64,
    pub min_sum_hessian: f64,
    pub min_gain: f64,
    pub max_cat_to_onehot: usize,
    pub max_cat_threshold: usize,
    pub cat_smooth: f64,
    pub cat_l2: f64,
    pub min_data_per_group: u64,
}

/// Allowed interval for the outputs of a leaf and every leaf below it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Bounds {
    pub lo: f64,
    pub hi: f64,
}

impl Bounds {
    pub const NONE: Bounds = Bounds { lo: f64::NEG_INFINITY, hi: f64::INFINITY };
}

/// A set of bins, as a bitmap over the at most 256 bins of a feature.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct BinSet([u64; 4]);

impl BinSet {
    pub fn insert(&mut self, bin: u8) {
        self.0[(bin >> 6) as usize] |= 1u64 << (bin & 63);
    }

    #[inline]
    pub fn contains(&self, bin: u8) -> bool {
        self.0[(bin >> 6) as usize] & (1u64 << (bin & 63)) != 0
    }
}

/// How a split sends a row's bin left or right.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum SplitRule {
    /// Left when `bin <= threshold`; the missing bin goes left when `missing_left`.
    Numeric { threshold: u8, missing_bin: u8, missing_left: bool },
    /// Left when the bin is in the set (which holds the missing bin when missing goes left).
    Categorical { left: BinSet },
}

impl SplitRule {
    #[inline]
    pub fn goes_left(&self, bin: u8) -> bool {
        match *self {
            // Written without branches: partitions test millions of unpredictable rows.
            SplitRule::Numeric { threshold, missing_bin, missing_left } => {
                (bin <= threshold) & (bin != missing_bin) | (bin == missing_bin) & missing_left
            }
            SplitRule::Categorical { left } => left.contains(bin),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct SplitCandidate {
    pub feature: usize,
    pub rule: SplitRule,
    pub gain: f64,
    pub left: Stats,
    pub right: Stats,
    /// Child outputs (before the learning rate), clamped into the parent's bounds.
    pub left_output: f64,
    pub right_output: f64,
}

#[inline]
pub(crate) fn leaf_output(s: Stats, lambda: f64, bounds: Bounds) -> f64 {
    (-s.g / (s.h + lambda)).clamp(bounds.lo, bounds.hi)
}

#[inline]
fn leaf_score(s: Stats, lambda: f64, w: f64) -> f64 {
    -(2.0 * s.g * w + (s.h + lambda) * w * w)
}

/// What the search needs to know about the leaf being split.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LeafContext {
    pub totals: Stats,
    pub bounds: Bounds,
}

/// The best split of a leaf over `features`, or `None` when no split passes the limits or
/// improves the loss by more than `min_gain`. Ties keep the earlier feature and threshold.
pub(crate) fn best_split(
    data: &BinnedData,
    hist: &Histogram,
    leaf: LeafContext,
    features: &[usize],
    monotone: &[i8],
    settings: &SplitSettings,
) -> Option<SplitCandidate> {
    // Rows per bin estimated from the bin's share of the leaf's hessian.
    let rows_per_hessian = if leaf.totals.h > 0.0 { leaf.totals.n as f64 / leaf.totals.h } else { 0.0 };
    let search = |&f: &usize| {
        let bins: Vec<Stats> = hist
            .feature(f)
            .iter()
            .map(|s| Stats { g: s.g, h: s.h, n: (s.h * rows_per_hessian).round().max(0.0) as u64 })
            .collect();
        if data.mappers[f].is_categorical() {
            best_categorical(f, &bins, leaf, settings)
        } else {
            best_numeric(f, &bins, leaf, monotone[f], settings)
        }
    };
    // Features are searched in parallel when there are many, and the winner is picked in
    // feature order either way.
    let candidates: Vec<Option<SplitCandidate>> = if features.len() >= PARALLEL_SEARCH_FEATURES {
        features.par_iter().map(search).collect()
    } else {
        features.iter().map(search).collect()
    };
    let mut best: Option<SplitCandidate> = None;
    for c in candidates.into_iter().flatten() {
        if best.as_ref().is_none_or(|b| c.gain > b.gain) {
            best = Some(c);
        }
    }
    best
}

const PARALLEL_SEARCH_FEATURES: usize = 8;

struct Evaluator<'a> {
    settings: &'a SplitSettings,
    leaf: LeafContext,
    lambda: f64,
    parent_score: f64,
    monotone: i8,
    /// No constraint and no bounds: outputs are never clamped, so the gain is the plain
    /// `G²/(H + λ)` sum and the outputs are only computed for the best candidate.
    free: bool,
}

impl Evaluator<'_> {
    fn new(settings: &SplitSettings, leaf: LeafContext, lambda: f64, monotone: i8) -> Evaluator<'_> {
        let free = monotone == 0 && leaf.bounds == Bounds::NONE;
        let t = leaf.totals;
        let parent_score = if free {
            t.g * t.g / (t.h + lambda)
        } else {
            leaf_score(t, lambda, leaf_output(t, lambda, leaf.bounds))
        };
        Evaluator { settings, leaf, lambda, parent_score, monotone, free }
    }

    /// The child outputs of a candidate that [`Evaluator::evaluate`] accepted.
    fn outputs(&self, left: Stats, right: Stats) -> (f64, f64) {
        (leaf_output(left, self.lambda, self.leaf.bounds), leaf_output(right, self.lambda, self.leaf.bounds))
    }

    fn side_ok(&self, s: Stats) -> bool {
        s.n >= self.settings.min_data_in_leaf && s.h >= self.settings.min_sum_hessian
    }

    /// Gain and right-hand sums of sending `left` one way and the rest the other, if allowed.
    #[inline]
    fn evaluate(&self, left: Stats) -> Option<(f64, Stats)> {
        let right = self.leaf.totals - left;
        if !self.side_ok(left) || !self.side_ok(right) {
            return None;
        }
        if self.free {
            let gain = left.g * left.g / (left.h + self.lambda) + right.g * right.g / (right.h + self.lambda)
                - self.parent_score;
            return (gain > self.settings.min_gain).then_some((gain, right));
        }
        let wl = leaf_output(left, self.lambda, self.leaf.bounds);
        let wr = leaf_output(right, self.lambda, self.leaf.bounds);
        if (self.monotone > 0 && wl > wr) || (self.monotone < 0 && wl < wr) {
            return None;
        }
        let gain = leaf_score(left, self.lambda, wl) + leaf_score(right, self.lambda, wr) - self.parent_score;
        (gain > self.settings.min_gain).then_some((gain, right))
    }
}

fn best_numeric(
    feature: usize,
    bins: &[Stats],
    leaf: LeafContext,
    monotone: i8,
    settings: &SplitSettings,
) -> Option<SplitCandidate> {
    let eval = Evaluator::new(settings, leaf, settings.lambda, monotone);
    let n_value = bins.len() - 1;
    let missing = bins[n_value];
    let missing_bin = n_value as u8;
    let mut best: Option<SplitCandidate> = None;
    let mut consider = |left: Stats, threshold: usize, missing_left: bool| {
        if let Some((gain, right)) = eval.evaluate(left)
            && best.as_ref().is_none_or(|b| gain > b.gain)
        {
            let (wl, wr) = eval.outputs(left, right);
            best = Some(SplitCandidate {
                feature,
                rule: SplitRule::Numeric { threshold: threshold as u8, missing_bin, missing_left },
                gain,
                left,
                right,
                left_output: wl,
                right_output: wr,
            });
        }
    };
    // Missing rows on the right. The last boundary (all values left, missing right) is a
    // split only when there are missing rows.
    let last = if missing.n > 0 { n_value } else { n_value - 1 };
    let mut left = Stats::default();
    for (b, &s) in bins[..last].iter().enumerate() {
        left += s;
        if s.n == 0 || left.n < settings.min_data_in_leaf {
            continue;
        }
        if leaf.totals.n.saturating_sub(left.n) < settings.min_data_in_leaf {
            break;
        }
        consider(left, b, false);
    }
    if missing.n > 0 {
        let mut left = missing;
        for (b, &s) in bins[..n_value - 1].iter().enumerate() {
            left += s;
            if s.n == 0 || left.n < settings.min_data_in_leaf {
                continue;
            }
            if leaf.totals.n.saturating_sub(left.n) < settings.min_data_in_leaf {
                break;
            }
            consider(left, b, true);
        }
    }
    // With no missing rows here, rows missing at prediction follow the larger side.
    if let Some(c) = best.as_mut()
        && missing.n == 0
        && let SplitRule::Numeric { missing_left, .. } = &mut c.rule
    {
        *missing_left = c.left.n >= c.right.n;
    }
    best
}

fn best_categorical(
    feature: usize,
    bins: &[Stats],
    leaf: LeafContext,
    settings: &SplitSettings,
) -> Option<SplitCandidate> {
    let used: Vec<(u8, Stats)> =
        bins.iter().enumerate().filter(|(_, s)| s.n > 0).map(|(b, &s)| (b as u8, s)).collect();
    if used.len() < 2 {
        return None;
    }
    let mut best: Option<SplitCandidate> = None;
    let mut consider = |eval: &Evaluator, left: Stats, set: &[(u8, Stats)]| {
        if let Some((gain, right)) = eval.evaluate(left)
            && best.as_ref().is_none_or(|b| gain > b.gain)
        {
            let (wl, wr) = eval.outputs(left, right);
            let mut bins = BinSet::default();
            for &(b, _) in set {
                bins.insert(b);
            }
            best = Some(SplitCandidate {
                feature,
                rule: SplitRule::Categorical { left: bins },
                gain,
                left,
                right,
                left_output: wl,
                right_output: wr,
            });
        }
    };
    if bins.len() - 1 <= settings.max_cat_to_onehot {
        let eval = Evaluator::new(settings, leaf, settings.lambda, 0);
        for one in used.chunks(1) {
            consider(&eval, one[0].1, one);
        }
        return best;
    }
    let eval = Evaluator::new(settings, leaf, settings.lambda + settings.cat_l2, 0);
    // Categories seen too rarely to rank stay on the right with the unseen ones.
    let mut ranked: Vec<(u8, Stats)> =
        used.into_iter().filter(|(_, s)| s.n as f64 >= settings.cat_smooth).collect();
    if ranked.len() < 2 {
        return None;
    }
    let ratio = |s: &Stats| s.g / (s.h + settings.cat_smooth);
    ranked.sort_by(|a, b| ratio(&a.1).total_cmp(&ratio(&b.1)).then(a.0.cmp(&b.0)));
    let max_left = settings.max_cat_threshold.min(ranked.len() - 1);
    let min_side = settings.min_data_per_group.max(settings.min_data_in_leaf);
    for reversed in [false, true] {
        if reversed {
            ranked.reverse();
        }
        let mut left = Stats::default();
        // Cut points are at least `min_data_per_group` rows apart, so a cut never separates a
        // sliver of rare categories from the ones next to it in the order.
        let mut since_cut = 0;
        for k in 0..max_left {
            left += ranked[k].1;
            since_cut += ranked[k].1.n;
            if left.n < min_side || since_cut < settings.min_data_per_group {
                continue;
            }
            if leaf.totals.n.saturating_sub(left.n) < min_side {
                break;
            }
            since_cut = 0;
            consider(&eval, left, &ranked[..=k]);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> SplitSettings {
        SplitSettings {
            lambda: 0.0,
            min_data_in_leaf: 1,
            min_sum_hessian: 0.0,
            min_gain: 0.0,
            max_cat_to_onehot: 4,
            max_cat_threshold: 32,
            cat_smooth: 10.0,
            cat_l2: 10.0,
            min_data_per_group: 1,
        }
    }

    fn stats(g: f64, h: f64, n: u64) -> Stats {
        Stats { g, h, n }
    }

    /// Three value bins and a missing bin:
    ///
    /// | bin | G | H | n |
    /// | --- | --- | --- | --- |
    /// | 0 | −2 | 1 | 4 |
    /// | 1 | −1 | 1 | 4 |
    /// | 2 | 3 | 1 | 4 |
    /// | missing | 2 | 1 | 4 |
    ///
    /// Totals G = 2, H = 4, parent score 2²/4 = 1. With λ = 0, the best split is bins 0–1 left
    /// (G = −3, H = 2) against bin 2 and missing (G = 5, H = 2): gain 9/2 + 25/2 − 1 = 16.
    /// Putting missing left instead gives (−1, 3) vs (3, 1): 1/3 + 9 − 1 = 8⅓, less.
    #[test]
    fn hand_computed_numeric_split_learns_missing_right() {
        let bins = [stats(-2.0, 1.0, 4), stats(-1.0, 1.0, 4), stats(3.0, 1.0, 4), stats(2.0, 1.0, 4)];
        let leaf = LeafContext { totals: stats(2.0, 4.0, 16), bounds: Bounds::NONE };
        let c = best_numeric(0, &bins, leaf, 0, &settings()).unwrap();
        assert_eq!(c.rule, SplitRule::Numeric { threshold: 1, missing_bin: 3, missing_left: false });
        assert!((c.gain - 16.0).abs() < 1e-12);
        assert_eq!(c.left, stats(-3.0, 2.0, 8));
        assert!((c.left_output - 1.5).abs() < 1e-12 && (c.right_output + 2.5).abs() < 1e-12);
    }

    /// The same bins with the missing bin's gradient flipped to −4 (totals G = −4): missing
    /// now belongs with bins 0–1. Left {missing, 0, 1}: G = −7, H = 3; right {2}: G = 3, H = 1;
    /// gain 49/3 + 9 − 16/4 = 21⅓.
    #[test]
    fn missing_goes_left_when_it_looks_like_the_left_bins() {
        let bins = [stats(-2.0, 1.0, 4), stats(-1.0, 1.0, 4), stats(3.0, 1.0, 4), stats(-4.0, 1.0, 4)];
        let leaf = LeafContext { totals: stats(-4.0, 4.0, 16), bounds: Bounds::NONE };
        let c = best_numeric(0, &bins, leaf, 0, &settings()).unwrap();
        assert_eq!(c.rule, SplitRule::Numeric { threshold: 1, missing_bin: 3, missing_left: true });
        assert!((c.gain - (49.0 / 3.0 + 9.0 - 4.0)).abs() < 1e-12);
    }

    /// Increasing constraint: outputs must not fall from left to right. Bin 0 has output
    /// +1 and bin 1 output −1 (a decrease), so the only split is rejected.
    #[test]
    fn monotone_constraint_rejects_a_decreasing_split() {
        let bins = [stats(-1.0, 1.0, 5), stats(1.0, 1.0, 5), stats(0.0, 0.0, 0)];
        let leaf = LeafContext { totals: stats(0.0, 2.0, 10), bounds: Bounds::NONE };
        assert!(best_numeric(0, &bins, leaf, 0, &settings()).is_some());
        assert!(best_numeric(0, &bins, leaf, 1, &settings()).is_none());
        assert!(best_numeric(0, &bins, leaf, -1, &settings()).is_some());
    }

    /// Clamped outputs: with bounds [−0.5, 0.5] the unconstrained outputs ±1 become ±0.5 and
    /// the gain is score(−1, 1, 0.5) + score(1, 1, −0.5) − 0 = 0.75 + 0.75 = 1.5 instead of 2.
    #[test]
    fn gain_uses_clamped_outputs() {
        let bins = [stats(-1.0, 1.0, 5), stats(1.0, 1.0, 5), stats(0.0, 0.0, 0)];
        let leaf = LeafContext { totals: stats(0.0, 2.0, 10), bounds: Bounds { lo: -0.5, hi: 0.5 } };
        let c = best_numeric(0, &bins, leaf, -1, &settings()).unwrap();
        assert!((c.gain - 1.5).abs() < 1e-12);
        assert_eq!((c.left_output, c.right_output), (0.5, -0.5));
    }

    /// Six categories (more than the one-hot limit) ordered by G / (H + 10): 3, 0, 5 have
    /// negative ratios, 1, 2, 4 positive, so the best partition is {3, 0, 5} against the rest.
    #[test]
    fn categorical_split_groups_categories_by_gradient_ratio() {
        let bins = [
            stats(-20.0, 10.0, 40),
            stats(15.0, 10.0, 40),
            stats(25.0, 10.0, 40),
            stats(-30.0, 10.0, 40),
            stats(10.0, 10.0, 40),
            stats(-5.0, 10.0, 40),
            stats(0.0, 0.0, 0),
        ];
        let leaf = LeafContext { totals: stats(-5.0, 60.0, 240), bounds: Bounds::NONE };
        let c = best_categorical(0, &bins, leaf, &settings()).unwrap();
        let SplitRule::Categorical { left } = c.rule else { panic!() };
        let members: Vec<u8> = (0..7).filter(|&b| left.contains(b)).collect();
        assert!(members == vec![0, 3, 5] || members == vec![1, 2, 4], "{members:?}");
        // (−55)²/(30 + 10) + 50²/(30 + 10) − 5²/(60 + 10)
        assert!((c.gain - (3025.0 / 40.0 + 2500.0 / 40.0 - 25.0 / 70.0)).abs() < 1e-9);
    }
}
