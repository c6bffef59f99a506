//! One decision tree: the saved form (a list of nodes, parents before children) and a compact
//! copy of it for fast prediction.

use serde::{Deserialize, Serialize};

/// A node of a saved tree. Node 0 is the root; children always come after their parent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "node", rename_all = "snake_case")]
pub enum Node {
    Leaf {
        /// The leaf's contribution to the score (after the learning rate).
        value: f64,
        /// Training rows (in the tree's sample) that reached the leaf.
        cover: f64,
    },
    Split {
        feature: u32,
        test: SplitTest,
        left: u32,
        right: u32,
        /// Loss reduction of this split during training (for gain importance).
        gain: f64,
        cover: f64,
    },
}

impl Node {
    pub fn cover(&self) -> f64 {
        match self {
            Node::Leaf { cover, .. } | Node::Split { cover, .. } => *cover,
        }
    }
}

/// How a split node sends a row left.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SplitTest {
    /// Left when `value <= threshold`; missing values go left when `missing_left`.
    Numeric {
        #[serde(with = "float_or_infinity")]
        threshold: f64,
        missing_left: bool,
    },
    /// Left when the category code is in `categories` (sorted); missing values go left when
    /// `missing_left`; codes not seen in training go right.
    Categorical { categories: Vec<u32>, missing_left: bool },
}

impl SplitTest {
    /// Whether a value in the row encoding (categories as numbers, `NaN` missing) goes left.
    #[inline]
    pub fn goes_left(&self, value: f64) -> bool {
        match self {
            SplitTest::Numeric { threshold, missing_left } => {
                if value.is_nan() {
                    *missing_left
                } else {
                    value <= *threshold
                }
            }
            SplitTest::Categorical { categories, missing_left } => {
                if value.is_nan() {
                    *missing_left
                } else {
                    categories.binary_search(&(value as u32)).is_ok()
                }
            }
        }
    }
}

/// JSON has no infinity; a threshold that sends every value left is `+inf` and is written as
/// the string "inf" (and "-inf" likewise).
mod float_or_infinity {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(value: &f64, s: S) -> Result<S::Ok, S::Error> {
        if value.is_finite() {
            s.serialize_f64(*value)
        } else if *value > 0.0 {
            s.serialize_str("inf")
        } else if *value < 0.0 {
            s.serialize_str("-inf")
        } else {
            Err(serde::ser::Error::custom("a split threshold cannot be NaN"))
        }
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Repr {
        Number(f64),
        Text(String),
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        match Repr::deserialize(d)? {
            Repr::Number(v) => Ok(v),
            Repr::Text(t) if t == "inf" => Ok(f64::INFINITY),
            Repr::Text(t) if t == "-inf" => Ok(f64::NEG_INFINITY),
            Repr::Text(t) => Err(D::Error::custom(format!("`{t}` is not a threshold"))),
        }
    }
}

const MISSING_LEFT: u32 = 1 << 31;
const CATEGORICAL: u32 = 1 << 30;
const LEAF: u32 = 1 << 29;
const FEATURE: u32 = LEAF - 1;

/// A key that orders numbers as `<=` does (with −0 equal to +0) and puts `NaN` above
/// everything, so one unsigned comparison replaces a float comparison and a `NaN` test.
#[inline]
pub(crate) fn order_key(value: f64) -> u64 {
    if value.is_nan() {
        return u64::MAX;
    }
    // Adding +0 turns −0 into +0.
    let bits = (value + 0.0).to_bits();
    if bits >> 63 == 1 { !bits } else { bits | 1 << 63 }
}

/// A node laid out for prediction (24 bytes), at the same index as in the saved form. A leaf
/// points to itself from both sides, so a row can take a fixed number of steps — the tree's
/// depth — without checking whether it has arrived.
#[derive(Debug, Clone, Copy)]
struct FlatNode {
    threshold: f64,
    /// For numeric nodes: [`order_key`] of the threshold, plus one when missing values go
    /// left. The fast path compares `order_key(value) + shift <= key` (wrapping), where the
    /// shift is the same one: missing values have the largest key, which the shift wraps to 0.
    key: u64,
    /// Feature index with the flags above in the top bits.
    feature: u32,
    /// Right, left.
    children: [u32; 2],
    /// For categorical nodes: the first word of the category bitmap in `cat_words` (the
    /// bitmap length is in `threshold`).
    cat_start: u32,
}

/// A tree ready for prediction and explanation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "TreeFile", into = "TreeFile")]
pub struct Tree {
    nodes: Vec<Node>,
    #[serde(skip)]
    flat: Flat,
}

#[derive(Debug, Clone, Default)]
struct Flat {
    nodes: Vec<FlatNode>,
    /// Leaf values by node index (0 for split nodes).
    values: Vec<f64>,
    cat_words: Vec<u64>,
    depth: usize,
    has_categorical: bool,
}

// The flat copy is derived from `nodes`; equal nodes mean equal trees.
impl PartialEq for Flat {
    fn eq(&self, _: &Flat) -> bool {
        true
    }
}

#[derive(Serialize, Deserialize)]
struct TreeFile {
    nodes: Vec<Node>,
}

impl From<Tree> for TreeFile {
    fn from(tree: Tree) -> TreeFile {
        TreeFile { nodes: tree.nodes }
    }
}

impl TryFrom<TreeFile> for Tree {
    type Error = String;
    fn try_from(file: TreeFile) -> Result<Tree, String> {
        Tree::new(file.nodes)
    }
}

impl Tree {
    /// Checks the structure (children after parents, each node reached once, finite values,
    /// sorted category lists) and builds the prediction layout.
    pub fn new(nodes: Vec<Node>) -> Result<Tree, String> {
        if nodes.is_empty() {
            return Err("a tree has no nodes".into());
        }
        let mut reached = vec![false; nodes.len()];
        reached[0] = true;
        for (i, node) in nodes.iter().enumerate() {
            if !reached[i] {
                return Err(format!("node {i} is not reached from the root"));
            }
            match node {
                Node::Leaf { value, .. } if !value.is_finite() => {
                    return Err(format!("leaf {i} has value {value}"));
                }
                Node::Leaf { .. } => {}
                Node::Split { left, right, test, feature, .. } => {
                    if *feature > FEATURE {
                        return Err(format!("node {i} has feature index {feature}"));
                    }
                    for &child in [left, right] {
                        let c = child as usize;
                        if c <= i || c >= nodes.len() || reached[c] {
                            return Err(format!("node {i} has an invalid child {child}"));
                        }
                        reached[c] = true;
                    }
                    if let SplitTest::Categorical { categories, .. } = test
                        && categories.windows(2).any(|w| w[0] >= w[1])
                    {
                        return Err(format!("node {i} has unsorted categories"));
                    }
                    if let SplitTest::Numeric { threshold, .. } = test
                        && threshold.is_nan()
                    {
                        return Err(format!("node {i} has a NaN threshold"));
                    }
                }
            }
        }
        let flat = Flat::build(&nodes);
        Ok(Tree { nodes, flat })
    }

    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    pub fn n_leaves(&self) -> usize {
        self.nodes.iter().filter(|n| matches!(n, Node::Leaf { .. })).count()
    }

    /// Depth of the deepest leaf (a single leaf has depth 0).
    pub fn depth(&self) -> usize {
        let mut depth = vec![0usize; self.nodes.len()];
        let mut max = 0;
        for (i, node) in self.nodes.iter().enumerate() {
            if let Node::Split { left, right, .. } = node {
                depth[*left as usize] = depth[i] + 1;
                depth[*right as usize] = depth[i] + 1;
                max = max.max(depth[i] + 1);
            }
        }
        max
    }

    /// The leaf value reached by a row in the row encoding, indexed by the model's features.
    #[inline]
    pub fn predict(&self, row: &[f64]) -> f64 {
        self.flat.predict(row)
    }

    /// Adds the leaf value of each row of `rows` (row-major, `n_features` values each) to
    /// the matching entry of `out`.
    pub(crate) fn add_predictions(&self, rows: &[f64], keys: &[u64], n_features: usize, out: &mut [f64]) {
        self.flat.add_predictions(rows, keys, n_features, out);
    }

    pub(crate) fn max_feature(&self) -> Option<u32> {
        self.nodes
            .iter()
            .filter_map(|n| match n {
                Node::Split { feature, .. } => Some(*feature),
                Node::Leaf { .. } => None,
            })
            .max()
    }
}

impl Flat {
    fn build(nodes: &[Node]) -> Flat {
        let mut flat = Flat::default();
        let mut depth = vec![0usize; nodes.len()];
        for (i, node) in nodes.iter().enumerate() {
            let me = i as u32;
            match node {
                Node::Leaf { value, .. } => {
                    flat.nodes.push(FlatNode {
                        threshold: 0.0,
                        key: 0,
                        feature: LEAF,
                        children: [me, me],
                        cat_start: 0,
                    });
                    flat.values.push(*value);
                }
                Node::Split { feature, test, left, right, .. } => {
                    depth[*left as usize] = depth[i] + 1;
                    depth[*right as usize] = depth[i] + 1;
                    flat.depth = flat.depth.max(depth[i] + 1);
                    let (threshold, flags, cat_start) = match test {
                        SplitTest::Numeric { threshold, missing_left } => {
                            (*threshold, if *missing_left { MISSING_LEFT } else { 0 }, 0)
                        }
                        SplitTest::Categorical { categories, missing_left } => {
                            flat.has_categorical = true;
                            let words = categories.last().map_or(0, |&c| c as usize / 64 + 1);
                            let start = flat.cat_words.len();
                            flat.cat_words.resize(start + words, 0);
                            for &c in categories {
                                flat.cat_words[start + c as usize / 64] |= 1u64 << (c % 64);
                            }
                            (
                                words as f64,
                                CATEGORICAL | if *missing_left { MISSING_LEFT } else { 0 },
                                start as u32,
                            )
                        }
                    };
                    let shift = u64::from(flags & MISSING_LEFT != 0);
                    flat.nodes.push(FlatNode {
                        threshold,
                        key: order_key(threshold).wrapping_add(shift),
                        feature: *feature | flags,
                        children: [*right, *left],
                        cat_start,
                    });
                    flat.values.push(0.0);
                }
            }
        }
        flat
    }

    #[inline]
    fn predict(&self, row: &[f64]) -> f64 {
        if self.has_categorical {
            return self.predict_checked(row);
        }
        let mut i = 0usize;
        for _ in 0..self.depth {
            let node = &self.nodes[i];
            let value = row[(node.feature & FEATURE) as usize];
            // NaN fails the comparison; no branches, so rows overlap in the pipeline.
            let left = (value <= node.threshold) | (value.is_nan() & (node.feature & MISSING_LEFT != 0));
            i = node.children[usize::from(left)] as usize;
        }
        self.values[i]
    }

    /// Rows walk the tree in groups of `LANES`, one step of each in turn: their steps do not
    /// depend on each other, so the processor overlaps them instead of waiting on each load.
    /// Numeric trees compare order keys (see [`order_key`]), which needs no test for missing
    /// values.
    fn add_predictions(&self, rows: &[f64], keys: &[u64], nf: usize, out: &mut [f64]) {
        const LANES: usize = 16;
        if self.has_categorical {
            for (o, row) in out.iter_mut().zip(rows.chunks_exact(nf)) {
                *o += self.predict_checked(row);
            }
            return;
        }
        let done = out.len() / LANES * LANES;
        for (o, group) in out.chunks_exact_mut(LANES).zip(keys.chunks_exact(LANES * nf)) {
            let mut at = [0u32; LANES];
            for _ in 0..self.depth {
                for (lane, i) in at.iter_mut().enumerate() {
                    let node = &self.nodes[*i as usize];
                    let key = group[lane * nf + (node.feature & FEATURE) as usize];
                    let shift = u64::from(node.feature >> 31);
                    *i = node.children[usize::from(key.wrapping_add(shift) <= node.key)];
                }
            }
            for (o, &i) in o.iter_mut().zip(&at) {
                *o += self.values[i as usize];
            }
        }
        for (o, row) in out[done..].iter_mut().zip(rows[done * nf..].chunks_exact(nf)) {
            *o += self.predict(row);
        }
    }

    fn predict_checked(&self, row: &[f64]) -> f64 {
        let mut i = 0usize;
        loop {
            let node = &self.nodes[i];
            if node.feature & LEAF != 0 {
                return self.values[i];
            }
            let value = row[(node.feature & FEATURE) as usize];
            let left = if node.feature & CATEGORICAL == 0 {
                (value <= node.threshold) | (value.is_nan() & (node.feature & MISSING_LEFT != 0))
            } else {
                self.categorical_left(node, value)
            };
            i = node.children[usize::from(left)] as usize;
        }
    }

    fn categorical_left(&self, node: &FlatNode, value: f64) -> bool {
        if value.is_nan() {
            return node.feature & MISSING_LEFT != 0;
        }
        let code = value as usize;
        let word = code / 64;
        word < node.threshold as usize
            && self.cat_words[node.cat_start as usize + word] & (1u64 << (code % 64)) != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Tree {
        Tree::new(vec![
            Node::Split {
                feature: 0,
                test: SplitTest::Numeric { threshold: 1.5, missing_left: false },
                left: 1,
                right: 2,
                gain: 1.0,
                cover: 10.0,
            },
            Node::Leaf { value: -1.0, cover: 4.0 },
            Node::Split {
                feature: 1,
                test: SplitTest::Categorical { categories: vec![2, 70], missing_left: true },
                left: 3,
                right: 4,
                gain: 0.5,
                cover: 6.0,
            },
            Node::Leaf { value: 2.0, cover: 3.0 },
            Node::Leaf { value: 3.0, cover: 3.0 },
        ])
        .unwrap()
    }

    #[test]
    fn predicts_through_numeric_and_categorical_nodes() {
        let tree = sample();
        assert_eq!(tree.predict(&[1.0, 0.0]), -1.0);
        assert_eq!(tree.predict(&[1.5, 0.0]), -1.0);
        assert_eq!(tree.predict(&[f64::NAN, 2.0]), 2.0);
        assert_eq!(tree.predict(&[2.0, 70.0]), 2.0);
        assert_eq!(tree.predict(&[2.0, 3.0]), 3.0);
        assert_eq!(tree.predict(&[2.0, 1000.0]), 3.0);
        assert_eq!(tree.predict(&[2.0, f64::NAN]), 2.0);
        for row in [[1.0, 0.0], [f64::NAN, 2.0], [2.0, 3.0], [2.0, f64::NAN]] {
            assert_eq!(tree.predict(&row), slow_predict(&tree, &row));
        }
        assert_eq!(tree.depth(), 2);
    }

    fn slow_predict(tree: &Tree, row: &[f64]) -> f64 {
        let mut i = 0;
        loop {
            match &tree.nodes()[i] {
                Node::Leaf { value, .. } => return *value,
                Node::Split { feature, test, left, right, .. } => {
                    i = if test.goes_left(row[*feature as usize]) { *left } else { *right } as usize;
                }
            }
        }
    }

    #[test]
    fn order_keys_sort_like_numbers_with_missing_last() {
        let values =
            [f64::NEG_INFINITY, -1e300, -2.5, -1e-310, 0.0, 1e-310, 3.0, 1e300, f64::INFINITY, f64::NAN];
        for pair in values.windows(2) {
            assert!(order_key(pair[0]) < order_key(pair[1]), "{pair:?}");
        }
        assert_eq!(order_key(-0.0), order_key(0.0));
        // A missing-left threshold wraps missing values to 0 and keeps the others in order.
        let node_key = order_key(1.5).wrapping_add(1);
        for (v, left) in [(1.0, true), (1.5, true), (2.0, false), (f64::NAN, true)] {
            assert_eq!(order_key(v).wrapping_add(1) <= node_key, left, "{v}");
        }
    }

    #[test]
    fn infinite_thresholds_survive_json() {
        let tree = Tree::new(vec![
            Node::Split {
                feature: 0,
                test: SplitTest::Numeric { threshold: f64::INFINITY, missing_left: false },
                left: 1,
                right: 2,
                gain: 1.0,
                cover: 2.0,
            },
            Node::Leaf { value: 1.0, cover: 1.0 },
            Node::Leaf { value: 2.0, cover: 1.0 },
        ])
        .unwrap();
        let json = serde_json::to_string(&tree).unwrap();
        assert!(json.contains("\"inf\""), "{json}");
        let back: Tree = serde_json::from_str(&json).unwrap();
        assert_eq!(back, tree);
        assert_eq!(back.predict(&[f64::INFINITY]), 1.0);
        assert_eq!(back.predict(&[f64::NAN]), 2.0);
    }

    #[test]
    fn rejects_cycles_and_shared_children() {
        let leaf = Node::Leaf { value: 0.0, cover: 1.0 };
        let split = |left, right| Node::Split {
            feature: 0,
            test: SplitTest::Numeric { threshold: 0.0, missing_left: false },
            left,
            right,
            gain: 0.0,
            cover: 1.0,
        };
        assert!(Tree::new(vec![split(0, 1), leaf.clone()]).is_err());
        assert!(Tree::new(vec![split(1, 1), leaf.clone()]).is_err());
        assert!(Tree::new(vec![split(1, 2), leaf.clone(), leaf.clone(), leaf]).is_err());
    }
}
