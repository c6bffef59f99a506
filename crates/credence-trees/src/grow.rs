//! Growing one tree on binned data from per-row gradients: the part shared by boosting and
//! forests.
//!
//! A leaf owns a contiguous range of the row buffer; splitting it partitions the range in
//! place (stably, so rows stay in ascending order and histogram reads stay cache-friendly).
//! In boosting only the smaller child's histogram is built from rows; the larger child's is
//! the parent's minus it. Forests draw new features at every node, so each node's histogram
//! is built directly, over the drawn features only.
//!
//! Monotone constraints are enforced with output bounds: every leaf carries an interval its
//! output (and all outputs below it) must stay in. A split on an increasing feature is only
//! taken when the left output does not exceed the right; the children then get the intervals
//! below and above the midpoint of the two outputs. Two rows that differ only in that feature
//! part ways at the first node splitting on it, after which every leaf the lower row can reach
//! is bounded above by a value that bounds every leaf the higher row can reach from below. So
//! each tree, and the sum of trees, is monotone at any depth.

use rand::seq::index;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::binning::{BinMapper, BinnedData};
use crate::histogram::{GradPair, GradSum, Histogram, Stats};
use crate::split::{Bounds, LeafContext, SplitCandidate, SplitRule, SplitSettings, best_split, leaf_output};
use crate::tree::{Node, SplitTest, Tree};

/// Which open leaf to split next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Order {
    /// The leaf with the largest gain (boosting, with a leaf budget).
    BestFirst,
    /// The most recently created leaf (forests, without a leaf budget): memory then holds
    /// histograms along one path only.
    DepthFirst,
}

#[derive(Debug)]
pub(crate) struct GrowSettings<'a> {
    pub split: &'a SplitSettings,
    pub max_leaves: usize,
    pub max_depth: Option<usize>,
    pub order: Order,
    /// Features this tree may use, ascending.
    pub features: &'a [usize],
    /// Draw this many of `features` afresh at every node (forests).
    pub features_per_split: Option<usize>,
    /// +1, −1 or 0 for every feature.
    pub monotone: &'a [i8],
}

#[derive(Debug, Clone)]
pub(crate) enum GrownNode {
    /// `value` is the output before any scaling.
    Leaf {
        value: f64,
        stats: Stats,
    },
    Split {
        feature: usize,
        rule: SplitRule,
        left: usize,
        right: usize,
        gain: f64,
        stats: Stats,
    },
}

#[derive(Debug)]
pub(crate) struct GrownTree {
    pub nodes: Vec<GrownNode>,
    /// For each leaf: its node and its range in the row buffer.
    pub leaves: Vec<(usize, usize, usize)>,
}

struct Open {
    node: usize,
    begin: usize,
    end: usize,
    depth: usize,
    totals: Stats,
    bounds: Bounds,
    hist: Histogram,
    best: SplitCandidate,
}

struct Grower<'a> {
    data: &'a BinnedData,
    gh: &'a [GradPair],
    settings: &'a GrowSettings<'a>,
    rng: &'a mut ChaCha8Rng,
    /// Memory of spent histograms.
    pool: &'a mut Vec<Vec<GradSum>>,
    nodes: Vec<GrownNode>,
    leaves: Vec<(usize, usize, usize)>,
    scratch: Vec<u32>,
}

/// Grows a tree on `rows` (which it reorders). Leaf values are unscaled outputs. `pool`
/// keeps histogram memory from one tree to the next.
pub(crate) fn grow(
    data: &BinnedData,
    gh: &[GradPair],
    rows: &mut [u32],
    settings: &GrowSettings<'_>,
    rng: &mut ChaCha8Rng,
    pool: &mut Vec<Vec<GradSum>>,
) -> GrownTree {
    let mut grower =
        Grower { data, gh, settings, rng, pool, nodes: Vec::new(), leaves: Vec::new(), scratch: Vec::new() };
    let features = grower.draw_features();
    let hist = Histogram::build(data, gh, rows, &features, grower.pool.pop().unwrap_or_default());
    let totals = hist.totals(rows.len());
    grower.nodes.push(GrownNode::Leaf { value: 0.0, stats: totals });
    let mut open: Vec<Open> = Vec::new();
    grower.open_or_close(&mut open, 0, 0, rows, 0, totals, Bounds::NONE, Some(hist));
    let mut n_leaves = 1;
    while n_leaves < settings.max_leaves && !open.is_empty() {
        let pick = match settings.order {
            Order::DepthFirst => open.len() - 1,
            Order::BestFirst => {
                let mut pick = 0;
                for (i, o) in open.iter().enumerate() {
                    if o.best.gain > open[pick].best.gain {
                        pick = i;
                    }
                }
                pick
            }
        };
        let leaf = open.remove(pick);
        grower.split(&mut open, leaf, rows);
        n_leaves += 1;
    }
    for o in open {
        grower.close(o.node, o.begin, o.end, o.totals, o.bounds);
        grower.pool.push(o.hist.into_buffer());
    }
    GrownTree { nodes: grower.nodes, leaves: grower.leaves }
}

impl Grower<'_> {
    fn close(&mut self, node: usize, begin: usize, end: usize, totals: Stats, bounds: Bounds) {
        let value = leaf_output(totals, self.settings.split.lambda, bounds);
        self.nodes[node] = GrownNode::Leaf { value, stats: totals };
        self.leaves.push((node, begin, end));
    }

    /// The features a node may split on: all of the tree's, or a fresh draw (forests).
    fn draw_features(&mut self) -> Vec<usize> {
        let s = self.settings;
        match s.features_per_split {
            Some(k) if k < s.features.len() => {
                let mut picked = index::sample(&mut *self.rng, s.features.len(), k).into_vec();
                picked.sort_unstable();
                picked.into_iter().map(|i| s.features[i]).collect()
            }
            _ => s.features.to_vec(),
        }
    }

    /// Finds the new leaf's best split and keeps it open, or closes it as a final leaf. Without
    /// a histogram (forests), one is built over freshly drawn features.
    #[allow(clippy::too_many_arguments)]
    fn open_or_close(
        &mut self,
        open: &mut Vec<Open>,
        node: usize,
        begin: usize,
        rows: &[u32],
        depth: usize,
        totals: Stats,
        bounds: Bounds,
        hist: Option<Histogram>,
    ) {
        let end = begin + rows.len();
        let s = self.settings;
        let splittable = s.max_depth.is_none_or(|d| depth < d)
            && totals.n >= 2 * s.split.min_data_in_leaf
            && totals.h >= 2.0 * s.split.min_sum_hessian;
        if !splittable {
            if let Some(hist) = hist {
                self.pool.push(hist.into_buffer());
            }
            return self.close(node, begin, end, totals, bounds);
        }
        let hist = match hist {
            Some(hist) => hist,
            None => {
                let features = self.draw_features();
                Histogram::build(self.data, self.gh, rows, &features, self.pool.pop().unwrap_or_default())
            }
        };
        let context = LeafContext { totals, bounds };
        match best_split(self.data, &hist, context, hist.features(), s.monotone, s.split) {
            Some(best) => open.push(Open { node, begin, end, depth, totals, bounds, hist, best }),
            None => {
                self.pool.push(hist.into_buffer());
                self.close(node, begin, end, totals, bounds)
            }
        }
    }

    fn split(&mut self, open: &mut Vec<Open>, leaf: Open, rows: &mut [u32]) {
        let Open { node, begin, end, depth, bounds, mut hist, mut best, totals } = leaf;
        let feature = best.feature;
        let mid = begin
            + partition(self.data.column(feature), &best.rule, &mut rows[begin..end], &mut self.scratch);
        // The search estimated the children's rows; the partition counts them.
        best.left.n = (mid - begin) as u64;
        best.right.n = (end - mid) as u64;

        let (left_bounds, right_bounds) = match self.settings.monotone[feature] {
            0 => (bounds, bounds),
            m => {
                let midpoint = (best.left_output + best.right_output) / 2.0;
                let below = Bounds { lo: bounds.lo, hi: midpoint };
                let above = Bounds { lo: midpoint, hi: bounds.hi };
                if m > 0 { (below, above) } else { (above, below) }
            }
        };
        let left = self.nodes.len();
        let right = left + 1;
        self.nodes.push(GrownNode::Leaf { value: 0.0, stats: best.left });
        self.nodes.push(GrownNode::Leaf { value: 0.0, stats: best.right });
        self.nodes[node] =
            GrownNode::Split { feature, rule: best.rule, left, right, gain: best.gain, stats: totals };

        let (left_hist, right_hist) = if self.settings.features_per_split.is_some() {
            // Forests draw new features at every node: no histogram to subtract from.
            self.pool.push(hist.into_buffer());
            (None, None)
        } else {
            let left_smaller = mid - begin <= end - mid;
            let small = if left_smaller { &rows[begin..mid] } else { &rows[mid..end] };
            let buffer = self.pool.pop().unwrap_or_default();
            let small_hist = Histogram::build(self.data, self.gh, small, hist.features(), buffer);
            hist.subtract(&small_hist);
            if left_smaller { (Some(small_hist), Some(hist)) } else { (Some(hist), Some(small_hist)) }
        };
        // Depth-first pops the last pushed: push right first so the left side is grown first.
        self.open_or_close(
            open,
            right,
            mid,
            &rows[mid..end],
            depth + 1,
            best.right,
            right_bounds,
            right_hist,
        );
        self.open_or_close(
            open,
            left,
            begin,
            &rows[begin..mid],
            depth + 1,
            best.left,
            left_bounds,
            left_hist,
        );
    }
}

/// Leaves below this many rows are partitioned on one thread.
const PARALLEL_PARTITION_ROWS: usize = 1 << 16;

/// Stable partition of `rows` by `rule` on the feature's bins `column`: left rows first.
/// Returns the number of left rows. Large leaves are cut into chunks partitioned in parallel
/// and joined in chunk order, which gives the same result as one pass.
fn partition(column: &[u8], rule: &SplitRule, rows: &mut [u32], scratch: &mut Vec<u32>) -> usize {
    if rows.len() < PARALLEL_PARTITION_ROWS {
        return partition_serial(column, rule, rows, scratch);
    }
    let chunk = rows.len().div_ceil(rows.len() / (PARALLEL_PARTITION_ROWS / 2)).max(1);
    let parts: Vec<(Vec<u32>, usize)> = rows
        .par_chunks(chunk)
        .map(|part| {
            let mut part = part.to_vec();
            let mut scratch = Vec::new();
            let left = partition_serial(column, rule, &mut part, &mut scratch);
            (part, left)
        })
        .collect();
    let mut at = 0;
    for (part, left) in &parts {
        rows[at..at + left].copy_from_slice(&part[..*left]);
        at += left;
    }
    let n_left = at;
    for (part, left) in &parts {
        rows[at..at + part.len() - left].copy_from_slice(&part[*left..]);
        at += part.len() - left;
    }
    n_left
}

fn partition_serial(column: &[u8], rule: &SplitRule, rows: &mut [u32], scratch: &mut Vec<u32>) -> usize {
    scratch.clear();
    scratch.resize(rows.len(), 0);
    let (mut left, mut right) = (0, 0);
    // Branch-free: each row is written to both places and only the matching cursor moves.
    // Writing back into `rows` is safe because the left cursor never passes the read position.
    for i in 0..rows.len() {
        let r = rows[i];
        let goes_left = rule.goes_left(column[r as usize]);
        rows[left] = r;
        scratch[right] = r;
        left += usize::from(goes_left);
        right += usize::from(!goes_left);
    }
    rows[left..].copy_from_slice(&scratch[..right]);
    left
}

impl GrownTree {
    /// The leaf output reached by row `row` of the binned data.
    pub fn predict_binned(&self, data: &BinnedData, row: usize) -> f64 {
        let mut i = 0;
        loop {
            match &self.nodes[i] {
                GrownNode::Leaf { value, .. } => return *value,
                GrownNode::Split { feature, rule, left, right, .. } => {
                    i = if rule.goes_left(data.bin(row, *feature)) { *left } else { *right };
                }
            }
        }
    }

    /// The saved form, with bins turned back into thresholds and category sets, and leaf
    /// values multiplied by `scale`.
    pub fn to_tree(&self, mappers: &[BinMapper], scale: f64) -> Tree {
        let nodes = self
            .nodes
            .iter()
            .map(|node| match node {
                GrownNode::Leaf { value, stats } => {
                    Node::Leaf { value: value * scale, cover: stats.n as f64 }
                }
                GrownNode::Split { feature, rule, left, right, gain, stats } => Node::Split {
                    feature: *feature as u32,
                    test: split_test(&mappers[*feature], rule),
                    left: *left as u32,
                    right: *right as u32,
                    gain: *gain,
                    cover: stats.n as f64,
                },
            })
            .collect();
        Tree::new(nodes).expect("a grown tree is well formed")
    }
}

fn split_test(mapper: &BinMapper, rule: &SplitRule) -> SplitTest {
    match (mapper, rule) {
        (BinMapper::Numeric { upper }, SplitRule::Numeric { threshold, missing_left, .. }) => {
            SplitTest::Numeric { threshold: upper[*threshold as usize], missing_left: *missing_left }
        }
        (BinMapper::Categorical { bin_codes, .. }, SplitRule::Categorical { left }) => {
            let mut categories: Vec<u32> = (0..bin_codes.len())
                .filter(|&b| left.contains(b as u8))
                .flat_map(|b| bin_codes[b].iter().copied())
                .collect();
            categories.sort_unstable();
            SplitTest::Categorical { categories, missing_left: left.contains(mapper.missing_bin()) }
        }
        _ => unreachable!("split rule does not match the feature kind"),
    }
}
