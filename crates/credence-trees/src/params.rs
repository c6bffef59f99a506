//! Training parameters with their defaults, and the checks that turn them into a trainer.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::ParamError;
use crate::split::SplitSettings;

/// Direction of a monotone constraint on a numeric feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Monotone {
    /// The score never falls when the feature rises (all else equal).
    Increasing,
    /// The score never rises when the feature rises.
    Decreasing,
}

impl Monotone {
    pub(crate) fn sign(self) -> i8 {
        match self {
            Monotone::Increasing => 1,
            Monotone::Decreasing => -1,
        }
    }
}

/// How categorical features are split (both model kinds).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CategoricalParams {
    /// Features with at most this many categories try each category alone against the rest
    /// instead of ordered partitions. Default 4.
    pub max_cat_to_onehot: usize,
    /// Most categories on the left of one split. Default 32.
    pub max_cat_threshold: usize,
    /// Added to a category's hessian sum when ranking categories, and the least rows a
    /// category needs to be ranked at all (rarer ones go right). Default 10.
    pub cat_smooth: f64,
    /// Extra L2 regularisation in the gain of ordered categorical splits. Default 10.
    pub cat_l2: f64,
    /// Least rows on each side of an ordered categorical split, and between two cut points
    /// tried along the category order. Default 100.
    pub min_data_per_group: usize,
}

impl Default for CategoricalParams {
    fn default() -> Self {
        CategoricalParams {
            max_cat_to_onehot: 4,
            max_cat_threshold: 32,
            cat_smooth: 10.0,
            cat_l2: 10.0,
            min_data_per_group: 100,
        }
    }
}

/// Gradient boosting on binary log-loss.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GbdtParams {
    /// Boosting rounds (trees). Default 200.
    pub n_trees: usize,
    /// Shrinkage applied to every leaf. Default 0.05.
    pub learning_rate: f64,
    /// Leaves per tree; trees grow best leaf first. Default 15.
    pub num_leaves: usize,
    /// Deepest a leaf may be (root = 0); `None` = no limit. Default `None`.
    pub max_depth: Option<usize>,
    /// Least training rows in a leaf. Split search checks it on row counts estimated from
    /// hessian sums (see the `histogram` module); the model's covers are exact. Default 20.
    pub min_data_in_leaf: usize,
    /// Least hessian sum in a leaf. Default 1e-3.
    pub min_sum_hessian: f64,
    /// L2 regularisation of leaf values. Default 0.
    pub lambda: f64,
    /// Least loss reduction for a split. Default 0.
    pub min_gain: f64,
    /// Share of features each tree may use, drawn per tree. Default 1.
    pub feature_fraction: f64,
    /// Share of rows each tree is trained on, drawn per tree. Default 1.
    pub bagging_fraction: f64,
    /// Seed of every random draw (bin-edge sample, bagging, feature sampling). Default 42.
    pub seed: u64,
    /// Stop after this many rounds without a lower validation log-loss and keep the best
    /// round; only used when validation data is given. Default 50.
    pub early_stopping_rounds: Option<usize>,
    pub categorical: CategoricalParams,
    /// Monotone constraints by feature name (numeric features only).
    pub monotone: BTreeMap<String, Monotone>,
}

impl Default for GbdtParams {
    fn default() -> Self {
        GbdtParams {
            n_trees: 200,
            learning_rate: 0.05,
            num_leaves: 15,
            max_depth: None,
            min_data_in_leaf: 20,
            min_sum_hessian: 1e-3,
            lambda: 0.0,
            min_gain: 0.0,
            feature_fraction: 1.0,
            bagging_fraction: 1.0,
            seed: 42,
            early_stopping_rounds: Some(50),
            categorical: CategoricalParams::default(),
            monotone: BTreeMap::new(),
        }
    }
}

/// How many features a forest node may choose from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeaturesPerSplit {
    /// ⌈√p⌉ of the p features.
    Sqrt,
    /// A fixed number (capped at p).
    Count(usize),
    /// Every feature (bagged trees).
    All,
}

/// A random forest of probability trees.
///
/// Trees grow until their leaves are pure or hold fewer than `2 × min_data_in_leaf` rows, so a
/// tree has up to rows / `min_data_in_leaf` leaves: on large data sets raise
/// `min_data_in_leaf` or set `max_depth` to keep the model (and its JSON) small.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ForestParams {
    /// Trees. Default 300.
    pub n_trees: usize,
    /// Least bootstrap rows in a leaf. Default 10.
    pub min_data_in_leaf: usize,
    /// Deepest a leaf may be; `None` = grow until leaves are pure or too small. Default `None`.
    pub max_depth: Option<usize>,
    /// Features drawn for each split. Default √p.
    pub features_per_split: FeaturesPerSplit,
    /// Bootstrap sample size as a share of the rows (drawn with replacement). Default 1.
    pub sample_fraction: f64,
    /// Seed of the bootstrap and feature draws (each tree draws from its own stream). Default 42.
    pub seed: u64,
    pub categorical: CategoricalParams,
    /// Monotone constraints by feature name (numeric features only).
    pub monotone: BTreeMap<String, Monotone>,
}

impl Default for ForestParams {
    fn default() -> Self {
        ForestParams {
            n_trees: 300,
            min_data_in_leaf: 10,
            max_depth: None,
            features_per_split: FeaturesPerSplit::Sqrt,
            sample_fraction: 1.0,
            seed: 42,
            categorical: CategoricalParams::default(),
            monotone: BTreeMap::new(),
        }
    }
}

fn bad(name: &'static str, requirement: &'static str, value: impl std::fmt::Debug) -> ParamError {
    ParamError { name, requirement, value: format!("{value:?}") }
}

fn check_fraction(name: &'static str, v: f64) -> Result<(), ParamError> {
    if v > 0.0 && v <= 1.0 { Ok(()) } else { Err(bad(name, "must be in (0, 1]", v)) }
}

fn check_non_negative(name: &'static str, v: f64) -> Result<(), ParamError> {
    if v >= 0.0 && v.is_finite() { Ok(()) } else { Err(bad(name, "must be finite and >= 0", v)) }
}

impl CategoricalParams {
    fn check(&self) -> Result<(), ParamError> {
        if self.max_cat_threshold == 0 {
            return Err(bad("categorical.max_cat_threshold", "must be at least 1", self.max_cat_threshold));
        }
        check_non_negative("categorical.cat_smooth", self.cat_smooth)?;
        check_non_negative("categorical.cat_l2", self.cat_l2)
    }
}

impl GbdtParams {
    pub(crate) fn check(&self) -> Result<(), ParamError> {
        if self.n_trees == 0 {
            return Err(bad("n_trees", "must be at least 1", self.n_trees));
        }
        if !(self.learning_rate > 0.0 && self.learning_rate.is_finite()) {
            return Err(bad("learning_rate", "must be positive", self.learning_rate));
        }
        if self.num_leaves < 2 {
            return Err(bad("num_leaves", "must be at least 2", self.num_leaves));
        }
        if self.min_data_in_leaf == 0 {
            return Err(bad("min_data_in_leaf", "must be at least 1", self.min_data_in_leaf));
        }
        if self.early_stopping_rounds == Some(0) {
            return Err(bad("early_stopping_rounds", "must be at least 1", 0));
        }
        check_non_negative("min_sum_hessian", self.min_sum_hessian)?;
        check_non_negative("lambda", self.lambda)?;
        check_non_negative("min_gain", self.min_gain)?;
        check_fraction("feature_fraction", self.feature_fraction)?;
        check_fraction("bagging_fraction", self.bagging_fraction)?;
        self.categorical.check()
    }

    pub(crate) fn split_settings(&self) -> SplitSettings {
        split_settings(
            &self.categorical,
            self.lambda,
            self.min_data_in_leaf,
            self.min_sum_hessian,
            self.min_gain,
        )
    }
}

impl ForestParams {
    pub(crate) fn check(&self) -> Result<(), ParamError> {
        if self.n_trees == 0 {
            return Err(bad("n_trees", "must be at least 1", self.n_trees));
        }
        if self.min_data_in_leaf == 0 {
            return Err(bad("min_data_in_leaf", "must be at least 1", self.min_data_in_leaf));
        }
        if self.features_per_split == FeaturesPerSplit::Count(0) {
            return Err(bad("features_per_split", "must be at least 1", self.features_per_split));
        }
        if !(self.sample_fraction > 0.0 && self.sample_fraction <= 4.0) {
            return Err(bad("sample_fraction", "must be in (0, 4]", self.sample_fraction));
        }
        self.categorical.check()
    }

    pub(crate) fn split_settings(&self) -> SplitSettings {
        split_settings(&self.categorical, 0.0, self.min_data_in_leaf, 0.0, 0.0)
    }
}

fn split_settings(
    cat: &CategoricalParams,
    lambda: f64,
    min_data_in_leaf: usize,
    min_sum_hessian: f64,
    min_gain: f64,
) -> SplitSettings {
    SplitSettings {
        lambda,
        min_data_in_leaf: min_data_in_leaf as u64,
        min_sum_hessian,
        min_gain,
        max_cat_to_onehot: cat.max_cat_to_onehot,
        max_cat_threshold: cat.max_cat_threshold,
        cat_smooth: cat.cat_smooth,
        cat_l2: cat.cat_l2,
        min_data_per_group: cat.min_data_per_group as u64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_pass_and_bad_values_name_the_parameter() {
        assert_eq!(GbdtParams::default().check(), Ok(()));
        assert_eq!(ForestParams::default().check(), Ok(()));
        let err = GbdtParams { learning_rate: 0.0, ..GbdtParams::default() }.check().unwrap_err();
        assert_eq!(err.name, "learning_rate");
        let err = GbdtParams { bagging_fraction: 1.5, ..GbdtParams::default() }.check().unwrap_err();
        assert_eq!(err.to_string(), "parameter `bagging_fraction` must be in (0, 1], got 1.5");
    }

    #[test]
    fn params_read_from_partial_json() {
        let p: GbdtParams =
            serde_json::from_str(r#"{"n_trees": 50, "monotone": {"dpd": "increasing"}}"#).unwrap();
        assert_eq!(p.n_trees, 50);
        assert_eq!(p.num_leaves, 15);
        assert_eq!(p.monotone["dpd"], Monotone::Increasing);
    }
}
