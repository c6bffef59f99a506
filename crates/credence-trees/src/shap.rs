//! Exact path-dependent TreeSHAP: per row, each feature's contribution to the score, and the
//! expected score they start from.
//!
//! # The computation
//!
//! "Path-dependent" means the expected score given a subset `S` of a row's features is taken
//! over the training data as the tree saw it: at a node splitting on a feature in `S` follow
//! the row, at any other node average both children weighted by their cover (training rows).
//! The score is a sum of leaf terms, and for one leaf with value `v` whose path tests the
//! distinct features `D` (`d` of them) this expectation factorises:
//!
//! ```text
//! E[leaf | S] = v · Π_{j ∈ D} (j ∈ S ? o_j : z_j)
//! ```
//!
//! where `o_j` is 1 when the row passes every test on `j` along the path (else 0) and `z_j`
//! is the product of the cover fractions of those tests. Shapley values are linear, so the
//! row's values are sums of per-leaf values. For one leaf, with `A` the features the row
//! passes and `B = D \ A`, the Shapley formula collapses (terms with a failed `o_j` vanish)
//! to
//!
//! ```text
//! φ_i = v · (1 − z_i) · Π_B z · Σ_{k<|A|}   w(k) · e_{|A|−1−k}(z over A \ {i})     i ∈ A
//! φ_i = −v ·            Π_B z · Σ_{k≤|A|}   w(k) · e_{|A|−k}(z over A)              i ∈ B
//! w(k) = k! (d − 1 − k)! / d!
//! ```
//!
//! with `e_m` the elementary symmetric polynomials. This is the same polynomial-time result
//! the recursive TreeSHAP algorithm computes, in `O(d²)` per leaf. Features off the path get
//! nothing, and the contributions add up to the leaf term minus its expectation `v · Π z`
//! (the leaf's share of the bias).
//!
//! # Speed
//!
//! A leaf's values depend on the row only through which of its `d` features pass (the set
//! `A`), so for short paths all `2^d` cases are computed once per model; explaining a row
//! is then one pass over the tree's tests and a table look-up per leaf. Longer paths (deep
//! forest trees) are computed directly.

use rayon::prelude::*;

use crate::dataset::Dataset;
use crate::error::ModelError;
use crate::model::{Model, ROW_BLOCK, fill_rows};
use crate::tree::{Node, SplitTest, Tree};

/// Paths of at most this many distinct features get a table of all cases.
const TABLE_MAX_FEATURES: usize = 10;
/// Table entries allowed for one model (8 bytes each); beyond it leaves are computed directly.
const TABLE_BUDGET: usize = 16 << 20;

/// Feature contributions for a set of rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    bias: f64,
    n_features: usize,
    values: Vec<f64>,
}

impl Explanation {
    /// The expected score: base score plus each tree's cover-weighted mean leaf value.
    pub fn bias(&self) -> f64 {
        self.bias
    }

    pub fn n_rows(&self) -> usize {
        self.values.len() / self.n_features
    }

    /// Contributions of row `r`, one per model feature; they sum to the row's score minus the
    /// bias.
    pub fn row(&self, r: usize) -> &[f64] {
        &self.values[r * self.n_features..(r + 1) * self.n_features]
    }

    /// The `k` largest contributions of row `r` by absolute value, as (feature index, value),
    /// largest first; ties keep feature order.
    pub fn top(&self, r: usize, k: usize) -> Vec<(usize, f64)> {
        let mut all: Vec<(usize, f64)> = self.row(r).iter().copied().enumerate().collect();
        all.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then(a.0.cmp(&b.0)));
        all.truncate(k);
        all
    }
}

impl Model {
    /// The expected score (the bias of every explanation).
    pub fn expected_value(&self) -> f64 {
        self.base_score() + self.trees().iter().map(|t| TreePlan::new(t, &mut 0).bias).sum::<f64>()
    }

    /// Exact TreeSHAP contributions for one row in the model's feature order (numbers as they
    /// are, category codes as numbers, `NaN` for missing); they sum to the row's score minus
    /// [`Model::expected_value`].
    pub fn explain_row(&self, row: &[f64]) -> Vec<f64> {
        assert_eq!(row.len(), self.features().len(), "a row needs one value per model feature");
        // One row: computing each leaf directly is cheaper than building tables.
        let mut budget = 0;
        let mut phi = vec![0.0; row.len()];
        let mut work = Work::default();
        for tree in self.trees() {
            TreePlan::new(tree, &mut budget).add_row(row, &mut phi, &mut work);
        }
        phi
    }

    /// Exact TreeSHAP contributions for every row of `data` (features found by name), in
    /// parallel over rows.
    pub fn explain(&self, data: &Dataset) -> Result<Explanation, ModelError> {
        let columns = self.columns(data)?;
        let nf = self.features().len();
        let mut budget = TABLE_BUDGET;
        let plans: Vec<TreePlan> = self.trees().iter().map(|t| TreePlan::new(t, &mut budget)).collect();
        let bias = self.base_score() + plans.iter().map(|p| p.bias).sum::<f64>();
        let mut values = vec![0.0; data.n_rows() * nf];
        values.par_chunks_mut(ROW_BLOCK * nf).enumerate().for_each(|(block, out)| {
            let n = out.len() / nf;
            let mut rows = vec![0.0; n * nf];
            fill_rows(&columns, block * ROW_BLOCK, &mut rows);
            let mut work = Work::default();
            for plan in &plans {
                for (row, phi) in rows.chunks_exact(nf).zip(out.chunks_exact_mut(nf)) {
                    plan.add_row(row, phi, &mut work);
                }
            }
        });
        Ok(Explanation { bias, n_features: nf, values })
    }
}

/// One test on a leaf's path, packed: the row passes when the direction bits selected by
/// `mask` in word `word` equal `want`.
#[derive(Debug, Clone, Copy)]
struct Cond {
    word: u32,
    mask: u64,
    want: u64,
}

#[derive(Debug, Clone)]
struct Slot {
    feature: u32,
    zero: f64,
    conds: std::ops::Range<u32>,
}

#[derive(Debug, Clone)]
struct LeafPlan {
    value: f64,
    slots: std::ops::Range<u32>,
    table: Option<u32>,
}

#[derive(Debug, Clone)]
struct TreePlan {
    /// Split nodes in node order: (feature, test); a row's direction at split `s` is bit `s`.
    splits: Vec<(u32, SplitTest)>,
    leaves: Vec<LeafPlan>,
    slots: Vec<Slot>,
    conds: Vec<Cond>,
    table: Vec<f64>,
    bias: f64,
    /// Set when the tree has at most 64 splits and every leaf has a table (boosted trees).
    packed: Option<Packed>,
}

/// The common case laid out flat: a row's directions fit one `u64`, each path feature's
/// tests are one mask and one expected pattern, and every leaf is a table look-up.
#[derive(Debug, Clone)]
struct Packed {
    mask: Vec<u64>,
    want: Vec<u64>,
    feature: Vec<u32>,
    /// Per leaf: first slot, number of slots, start of its table ([`NO_TABLE`] when the
    /// leaf is computed directly).
    leaves: Vec<(u32, u32, u32)>,
}

const NO_TABLE: u32 = u32::MAX;

#[derive(Default)]
struct Work {
    bits: Vec<u64>,
    w: Vec<f64>,
    e: Vec<f64>,
    e_without: Vec<f64>,
    phi: Vec<f64>,
}

impl TreePlan {
    fn new(tree: &Tree, budget: &mut usize) -> TreePlan {
        let nodes = tree.nodes();
        let mut split_of = vec![u32::MAX; nodes.len()];
        let mut splits = Vec::new();
        for (i, node) in nodes.iter().enumerate() {
            if let Node::Split { feature, test, .. } = node {
                split_of[i] = splits.len() as u32;
                splits.push((*feature, test.clone()));
            }
        }
        let mut parent = vec![(usize::MAX, false); nodes.len()];
        for (i, node) in nodes.iter().enumerate() {
            if let Node::Split { left, right, .. } = node {
                parent[*left as usize] = (i, true);
                parent[*right as usize] = (i, false);
            }
        }
        let mut plan = TreePlan {
            splits,
            leaves: Vec::new(),
            slots: Vec::new(),
            conds: Vec::new(),
            table: Vec::new(),
            bias: 0.0,
            packed: None,
        };
        for (i, node) in nodes.iter().enumerate() {
            if let Node::Leaf { value, .. } = node {
                let path = path_to(nodes, &parent, i);
                plan.add_leaf(nodes, &split_of, &path, *value, budget);
            }
        }
        if plan.splits.len() <= 64 {
            let mut packed =
                Packed { mask: Vec::new(), want: Vec::new(), feature: Vec::new(), leaves: Vec::new() };
            for slot in &plan.slots {
                // Every test is in word 0; one condition per slot.
                let cond = plan.conds[slot.conds.start as usize];
                packed.mask.push(cond.mask);
                packed.want.push(cond.want);
                packed.feature.push(slot.feature);
            }
            for leaf in &plan.leaves {
                let d = leaf.slots.end - leaf.slots.start;
                packed.leaves.push((leaf.slots.start, d, leaf.table.unwrap_or(NO_TABLE)));
            }
            plan.packed = Some(packed);
        }
        plan
    }

    fn add_leaf(
        &mut self,
        nodes: &[Node],
        split_of: &[u32],
        path: &[(usize, bool, f64)],
        value: f64,
        budget: &mut usize,
    ) {
        let slot_start = self.slots.len() as u32;
        let feature_of = |node: usize| match &nodes[node] {
            Node::Split { feature, .. } => *feature,
            Node::Leaf { .. } => unreachable!("a path holds split nodes"),
        };
        let mut features: Vec<u32> = Vec::new();
        for &(node, _, _) in path {
            if !features.contains(&feature_of(node)) {
                features.push(feature_of(node));
            }
        }
        let mut product = 1.0;
        for &feature in &features {
            let cond_start = self.conds.len() as u32;
            let mut zero = 1.0;
            for &(node, went_left, fraction) in path.iter().filter(|p| feature_of(p.0) == feature) {
                zero *= fraction;
                let s = split_of[node];
                let (word, bit) = (s / 64, 1u64 << (s % 64));
                let want = if went_left { bit } else { 0 };
                match self.conds[cond_start as usize..].iter_mut().find(|c| c.word == word) {
                    Some(c) => {
                        c.mask |= bit;
                        c.want |= want;
                    }
                    None => self.conds.push(Cond { word, mask: bit, want }),
                }
            }
            product *= zero;
            self.slots.push(Slot { feature, zero, conds: cond_start..self.conds.len() as u32 });
        }
        self.bias += value * product;
        let d = features.len();
        let slots = slot_start..self.slots.len() as u32;
        let table = if d <= TABLE_MAX_FEATURES && (d << d) <= *budget {
            *budget -= d << d;
            let start = self.table.len();
            self.table.resize(start + (d << d), 0.0);
            let mut work = Work::default();
            let z: Vec<f64> = self.slots[slots.start as usize..].iter().map(|s| s.zero).collect();
            let mut hot = vec![false; d];
            for mask in 0..1usize << d {
                for (j, h) in hot.iter_mut().enumerate() {
                    *h = mask >> j & 1 == 1;
                }
                let out = &mut self.table[start + mask * d..start + (mask + 1) * d];
                leaf_phi(value, &z, &hot, &mut work, out);
            }
            Some(start as u32)
        } else {
            None
        };
        self.leaves.push(LeafPlan { value, slots, table });
    }

    fn add_row(&self, row: &[f64], phi: &mut [f64], work: &mut Work) {
        if let Some(packed) = &self.packed {
            let mut bits = 0u64;
            for (s, (feature, test)) in self.splits.iter().enumerate() {
                bits |= u64::from(test.goes_left(row[*feature as usize])) << s;
            }
            for (leaf, &(start, d, table)) in self.leaves.iter().zip(&packed.leaves) {
                let (start, d) = (start as usize, d as usize);
                let mask = &packed.mask[start..start + d];
                let want = &packed.want[start..start + d];
                let mut case = 0usize;
                for j in 0..d {
                    case |= usize::from(bits & mask[j] == want[j]) << j;
                }
                let features = &packed.feature[start..start + d];
                if table != NO_TABLE {
                    let at = table as usize + case * d;
                    for (&feature, &v) in features.iter().zip(&self.table[at..at + d]) {
                        phi[feature as usize] += v;
                    }
                } else {
                    let hot: Vec<bool> = (0..d).map(|j| case >> j & 1 == 1).collect();
                    let z: Vec<f64> = self.slots[start..start + d].iter().map(|s| s.zero).collect();
                    let mut out = std::mem::take(&mut work.phi);
                    out.clear();
                    out.resize(d, 0.0);
                    leaf_phi(leaf.value, &z, &hot, work, &mut out);
                    for (&feature, &v) in features.iter().zip(&out) {
                        phi[feature as usize] += v;
                    }
                    work.phi = out;
                }
            }
            return;
        }
        let words = self.splits.len().div_ceil(64);
        work.bits.clear();
        work.bits.resize(words, 0);
        for (s, (feature, test)) in self.splits.iter().enumerate() {
            if test.goes_left(row[*feature as usize]) {
                work.bits[s / 64] |= 1u64 << (s % 64);
            }
        }
        for leaf in &self.leaves {
            let slots = &self.slots[leaf.slots.start as usize..leaf.slots.end as usize];
            let d = slots.len();
            if d == 0 {
                continue;
            }
            let passes = |slot: &Slot| {
                self.conds[slot.conds.start as usize..slot.conds.end as usize]
                    .iter()
                    .all(|c| work.bits[c.word as usize] & c.mask == c.want)
            };
            match leaf.table {
                Some(start) => {
                    let mut mask = 0usize;
                    for (j, slot) in slots.iter().enumerate() {
                        mask |= usize::from(passes(slot)) << j;
                    }
                    let values = &self.table[start as usize + mask * d..start as usize + (mask + 1) * d];
                    for (slot, v) in slots.iter().zip(values) {
                        phi[slot.feature as usize] += v;
                    }
                }
                None => {
                    let hot: Vec<bool> = slots.iter().map(passes).collect();
                    let z: Vec<f64> = slots.iter().map(|s| s.zero).collect();
                    let mut out = std::mem::take(&mut work.phi);
                    out.clear();
                    out.resize(d, 0.0);
                    leaf_phi(leaf.value, &z, &hot, work, &mut out);
                    for (slot, v) in slots.iter().zip(&out) {
                        phi[slot.feature as usize] += v;
                    }
                    work.phi = out;
                }
            }
        }
    }
}

/// The path from the root to `leaf`: (split node, went left, cover fraction of the child).
fn path_to(nodes: &[Node], parent: &[(usize, bool)], leaf: usize) -> Vec<(usize, bool, f64)> {
    let mut path = Vec::new();
    let mut child = leaf;
    while child != 0 {
        let (p, went_left) = parent[child];
        let cover = nodes[p].cover();
        let fraction = if cover > 0.0 { nodes[child].cover() / cover } else { 0.0 };
        path.push((p, went_left, fraction));
        child = p;
    }
    path.reverse();
    path
}

/// One leaf's contributions per path feature (see the module docs), for value `v`, cover
/// fractions `z` and which features the row passes (`hot`).
fn leaf_phi(v: f64, z: &[f64], hot: &[bool], work: &mut Work, out: &mut [f64]) {
    let d = z.len();
    work.w.clear();
    let mut w = 1.0 / d as f64;
    for k in 0..d {
        work.w.push(w);
        if k + 1 < d {
            w *= (k + 1) as f64 / (d - 1 - k) as f64;
        }
    }
    let e = &mut work.e;
    e.clear();
    e.push(1.0);
    let mut cold_product = 1.0;
    for j in 0..d {
        if hot[j] {
            e.push(0.0);
            for k in (1..e.len()).rev() {
                e[k] += z[j] * e[k - 1];
            }
        } else {
            cold_product *= z[j];
        }
    }
    let a = e.len() - 1;
    if a < d {
        let q: f64 = (0..=a).map(|k| work.w[k] * e[a - k]).sum();
        let cold = -v * cold_product * q;
        for j in 0..d {
            if !hot[j] {
                out[j] = cold;
            }
        }
    }
    for j in 0..d {
        if !hot[j] {
            continue;
        }
        // Remove z_j from the hot polynomials; z_j <= 1 keeps this recursion stable.
        let ew = &mut work.e_without;
        ew.clear();
        ew.push(1.0);
        for k in 1..a {
            let next = e[k] - z[j] * ew[k - 1];
            ew.push(next);
        }
        let s: f64 = (0..a).map(|k| work.w[k] * ew[a - 1 - k]).sum();
        out[j] = v * (1.0 - z[j]) * cold_product * s;
    }
}
