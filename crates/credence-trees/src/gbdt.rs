//! Gradient boosting on binary log-loss.
//!
//! The score starts at the log-odds of the event rate; each round computes every row's
//! gradient `p − y` and hessian `p(1 − p)` at its current score (in parallel), grows a tree on
//! them leaf by leaf, and adds the tree's leaf values times the learning rate.

use std::collections::BTreeMap;

use rand::Rng;
use rand::seq::index;
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;
use rayon::prelude::*;

use crate::binning::BinnedData;
use crate::dataset::{Dataset, Feature, FeatureKind};
use crate::error::TrainError;
use crate::grow::{GrowSettings, GrownTree, Order, grow};
use crate::histogram::GradPair;
use crate::model::{FeatureInfo, Model, ModelKind, TrainedWith, TrainingLog, columns_for};
use crate::params::{GbdtParams, Monotone};
use crate::tree::Node;

/// Held-out rows for early stopping.
#[derive(Debug, Clone, Copy)]
pub struct Validation<'a> {
    pub data: &'a Dataset,
    pub target: &'a [u8],
}

/// Checked boosting parameters, ready to fit.
#[derive(Debug, Clone)]
pub struct Gbdt {
    params: GbdtParams,
}

/// Random streams: one per purpose and round, so no draw depends on another's count.
const STREAM_BAGGING: u64 = 1 << 32;
const STREAM_FEATURES: u64 = 2 << 32;
const STREAM_GROWTH: u64 = 3 << 32;

pub(crate) fn rng(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

impl Gbdt {
    pub fn new(params: GbdtParams) -> Result<Gbdt, TrainError> {
        params.check()?;
        Ok(Gbdt { params })
    }

    pub fn params(&self) -> &GbdtParams {
        &self.params
    }

    /// Fits a model on `data` with `target` (1 = event). With `validation`, the validation
    /// log-loss is recorded every round and training stops early as configured.
    pub fn fit(
        &self,
        data: &Dataset,
        target: &[u8],
        validation: Option<Validation<'_>>,
    ) -> Result<Model, TrainError> {
        let p = &self.params;
        let events = check_target(data, target)?;
        let features = feature_infos(data, &p.monotone)?;
        let monotone: Vec<i8> = features.iter().map(|f| f.monotone.map_or(0, Monotone::sign)).collect();
        let binned = BinnedData::new(data, p.seed);
        let n = data.n_rows();
        let rate = events as f64 / n as f64;
        let base_score = (rate / (1.0 - rate)).ln();

        let mut valid =
            validation.map(|v| ValidationState::new(v, &features, &binned, base_score)).transpose()?;

        let split = p.split_settings();
        let all_features: Vec<usize> = (0..features.len()).collect();
        let mut scores = vec![base_score; n];
        let mut gh = vec![GradPair::default(); n];
        let mut rows: Vec<u32> = Vec::with_capacity(n);
        let mut in_bag = vec![true; n];
        let mut trees = Vec::new();
        let mut pool = Vec::new();
        let mut log_loss = Vec::new();
        let mut best: Option<(usize, f64)> = None;

        for round in 0..p.n_trees {
            gh.par_iter_mut().zip(&scores).zip(target).for_each(|((gp, &s), &y)| {
                let prob = 1.0 / (1.0 + (-s).exp());
                *gp = GradPair { g: prob - f64::from(y), h: (prob * (1.0 - prob)).max(1e-16) };
            });
            rows.clear();
            if p.bagging_fraction < 1.0 {
                let mut r = rng(p.seed, STREAM_BAGGING + round as u64);
                for (i, bagged) in in_bag.iter_mut().enumerate() {
                    *bagged = r.random::<f64>() < p.bagging_fraction;
                    if *bagged {
                        rows.push(i as u32);
                    }
                }
            } else {
                rows.extend(0..n as u32);
            }
            let tree_features = if p.feature_fraction < 1.0 {
                let k = ((features.len() as f64 * p.feature_fraction).round() as usize).max(1);
                let mut r = rng(p.seed, STREAM_FEATURES + round as u64);
                let mut picked = index::sample(&mut r, features.len(), k).into_vec();
                picked.sort_unstable();
                picked
            } else {
                all_features.clone()
            };
            let settings = GrowSettings {
                split: &split,
                max_leaves: p.num_leaves,
                max_depth: p.max_depth,
                order: Order::BestFirst,
                features: &tree_features,
                features_per_split: None,
                monotone: &monotone,
            };
            let grown = grow(
                &binned,
                &gh,
                &mut rows,
                &settings,
                &mut rng(p.seed, STREAM_GROWTH + round as u64),
                &mut pool,
            );
            let tree = grown.to_tree(&binned.mappers, p.learning_rate);

            // In-bag rows sit in their leaves' ranges; the others are routed through the tree.
            for &(node, begin, end) in &grown.leaves {
                let Node::Leaf { value, .. } = tree.nodes()[node] else { unreachable!("a grown leaf") };
                for &r in &rows[begin..end] {
                    scores[r as usize] += value;
                }
            }
            if p.bagging_fraction < 1.0 {
                scores.par_iter_mut().enumerate().filter(|(i, _)| !in_bag[*i]).for_each(|(i, s)| {
                    *s += grown.predict_binned(&binned, i) * p.learning_rate;
                });
            }
            trees.push(tree);

            if let Some(v) = valid.as_mut() {
                let loss = v.add_tree(&grown, p.learning_rate);
                log_loss.push(loss);
                if best.is_none_or(|(_, b)| loss < b) {
                    best = Some((round, loss));
                }
                if let (Some(rounds), Some((at, _))) = (p.early_stopping_rounds, best)
                    && round - at >= rounds
                {
                    break;
                }
            }
        }
        let mut best_iteration = None;
        if let (Some(_), Some((at, _))) = (p.early_stopping_rounds, best)
            && at + 1 < trees.len()
        {
            trees.truncate(at + 1);
            best_iteration = Some(at);
        }
        let training = TrainingLog {
            params: TrainedWith::Gbdt(p.clone()),
            rows: n,
            events,
            validation_log_loss: log_loss,
            best_iteration,
        };
        Ok(Model::new(ModelKind::Gbdt, features, base_score, trees, training)
            .expect("a trained model is consistent"))
    }
}

struct ValidationState {
    binned: BinnedData,
    target: Vec<u8>,
    scores: Vec<f64>,
}

impl ValidationState {
    fn new(
        v: Validation<'_>,
        features: &[FeatureInfo],
        train: &BinnedData,
        base_score: f64,
    ) -> Result<ValidationState, TrainError> {
        if v.data.n_rows() == 0 {
            return Err(TrainError::EmptyValidation);
        }
        if v.target.len() != v.data.n_rows() {
            return Err(TrainError::ValidationTargetLength {
                len: v.target.len(),
                expected: v.data.n_rows(),
            });
        }
        let columns = columns_for(features, v.data).map_err(TrainError::ValidationFeatures)?;
        let aligned = Dataset::new(
            features
                .iter()
                .zip(columns)
                .map(|(info, column)| Feature { name: info.name.clone(), column: column.clone() })
                .collect(),
        )
        .expect("columns of one data set");
        Ok(ValidationState {
            binned: BinnedData::with_mappers(&aligned, train.mappers.clone()),
            target: v.target.to_vec(),
            scores: vec![base_score; v.data.n_rows()],
        })
    }

    /// Adds a tree and returns the mean log-loss.
    fn add_tree(&mut self, tree: &GrownTree, scale: f64) -> f64 {
        let binned = &self.binned;
        self.scores.par_iter_mut().enumerate().for_each(|(i, s)| {
            *s += tree.predict_binned(binned, i) * scale;
        });
        mean_log_loss(&self.scores, &self.target)
    }
}

/// Mean log-loss of log-odds scores; summed in fixed blocks so the value does not depend on
/// the thread count.
pub(crate) fn mean_log_loss(scores: &[f64], target: &[u8]) -> f64 {
    let parts: Vec<f64> = scores
        .par_chunks(4096)
        .zip(target.par_chunks(4096))
        .map(|(s, t)| {
            s.iter()
                .zip(t)
                .map(|(&s, &y)| {
                    // log(1 + e^x) computed without overflow.
                    let softplus = |x: f64| if x > 0.0 { x + (-x).exp().ln_1p() } else { x.exp().ln_1p() };
                    if y == 1 { softplus(-s) } else { softplus(s) }
                })
                .sum::<f64>()
        })
        .collect();
    parts.iter().sum::<f64>() / scores.len() as f64
}

/// Checks the target and returns the number of events.
pub(crate) fn check_target(data: &Dataset, target: &[u8]) -> Result<usize, TrainError> {
    if target.len() != data.n_rows() {
        return Err(TrainError::TargetLength { len: target.len(), expected: data.n_rows() });
    }
    if let Some(row) = target.iter().position(|&y| y > 1) {
        return Err(TrainError::TargetNotBinary { row, value: target[row] });
    }
    let events = target.iter().filter(|&&y| y == 1).count();
    if events == 0 || events == target.len() {
        return Err(TrainError::SingleClass { events, rows: target.len() });
    }
    Ok(events)
}

/// The model's feature list, with monotone constraints checked against the columns.
pub(crate) fn feature_infos(
    data: &Dataset,
    monotone: &BTreeMap<String, Monotone>,
) -> Result<Vec<FeatureInfo>, TrainError> {
    for name in monotone.keys() {
        match data.position(name) {
            None => return Err(TrainError::MonotoneUnknownFeature { feature: name.clone() }),
            Some(i) if data.feature(i).column.kind() != FeatureKind::Numeric => {
                return Err(TrainError::MonotoneOnCategorical { feature: name.clone() });
            }
            Some(_) => {}
        }
    }
    Ok(data
        .features()
        .iter()
        .map(|f| FeatureInfo {
            name: f.name.clone(),
            kind: f.column.kind(),
            monotone: monotone.get(&f.name).copied(),
        })
        .collect())
}
