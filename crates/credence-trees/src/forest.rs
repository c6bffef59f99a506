//! Random forests of probability trees, on the same binned data and split search as boosting.
//!
//! Each tree sees a bootstrap sample (rows drawn with replacement) and draws a fresh subset
//! of features at every node. Splits minimise the squared error of the 0/1 target — the same
//! ordering of splits as Gini impurity — which is the boosting gain with gradient `−y` and
//! hessian 1 and no regularisation, and the leaf output `−G/H` is then the leaf's event rate.
//! A leaf stores its event rate divided by the number of trees, so the score (the sum) is
//! the averaged probability.

use rand::Rng;
use rayon::prelude::*;

use crate::binning::BinnedData;
use crate::dataset::Dataset;
use crate::error::TrainError;
use crate::gbdt::{check_target, feature_infos, rng};
use crate::grow::{GrowSettings, Order, grow};
use crate::histogram::GradPair;
use crate::model::{Model, ModelKind, TrainedWith, TrainingLog};
use crate::params::{FeaturesPerSplit, ForestParams, Monotone};

/// Checked forest parameters, ready to fit.
#[derive(Debug, Clone)]
pub struct Forest {
    params: ForestParams,
}

impl Forest {
    pub fn new(params: ForestParams) -> Result<Forest, TrainError> {
        params.check()?;
        Ok(Forest { params })
    }

    pub fn params(&self) -> &ForestParams {
        &self.params
    }

    /// Fits a forest on `data` with `target` (1 = event). Trees are grown in parallel, each
    /// from its own random stream, so the result does not depend on the thread count.
    pub fn fit(&self, data: &Dataset, target: &[u8]) -> Result<Model, TrainError> {
        let p = &self.params;
        let events = check_target(data, target)?;
        let features = feature_infos(data, &p.monotone)?;
        let monotone: Vec<i8> = features.iter().map(|f| f.monotone.map_or(0, Monotone::sign)).collect();
        let binned = BinnedData::new(data, p.seed);
        let n = data.n_rows();
        let gh: Vec<GradPair> = target.iter().map(|&y| GradPair { g: -f64::from(y), h: 1.0 }).collect();
        let split = p.split_settings();
        let all_features: Vec<usize> = (0..features.len()).collect();
        let per_split = match p.features_per_split {
            FeaturesPerSplit::Sqrt => Some((features.len() as f64).sqrt().ceil() as usize),
            FeaturesPerSplit::Count(k) => Some(k.min(features.len())),
            FeaturesPerSplit::All => None,
        };
        let sample = ((n as f64 * p.sample_fraction).round() as usize).max(1);
        let scale = 1.0 / p.n_trees as f64;
        let trees = (0..p.n_trees)
            .into_par_iter()
            .map(|t| {
                let mut r = rng(p.seed, t as u64);
                let mut rows: Vec<u32> = (0..sample).map(|_| r.random_range(0..n as u32)).collect();
                rows.sort_unstable();
                let settings = GrowSettings {
                    split: &split,
                    max_leaves: usize::MAX,
                    max_depth: p.max_depth,
                    order: Order::DepthFirst,
                    features: &all_features,
                    features_per_split: per_split,
                    monotone: &monotone,
                };
                grow(&binned, &gh, &mut rows, &settings, &mut r, &mut Vec::new())
                    .to_tree(&binned.mappers, scale)
            })
            .collect();
        let training = TrainingLog {
            params: TrainedWith::Forest(p.clone()),
            rows: n,
            events,
            validation_log_loss: Vec::new(),
            best_iteration: None,
        };
        Ok(Model::new(ModelKind::Forest, features, 0.0, trees, training)
            .expect("a trained model is consistent"))
    }
}
