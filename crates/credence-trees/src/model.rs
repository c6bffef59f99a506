//! A fitted model: features, trees and base score; prediction, importances and the saved
//! JSON form.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::dataset::{Column, Dataset, FeatureKind, MISSING_CATEGORY};
use crate::error::ModelError;
use crate::params::{ForestParams, GbdtParams, Monotone};
use crate::tree::{Node, SplitTest, Tree, order_key};

/// Version of the saved JSON layout; bumped on any incompatible change.
pub const FORMAT_VERSION: u32 = 1;

/// Rows scored together: a block's values (row-major) and the trees stay in cache.
pub(crate) const ROW_BLOCK: usize = 256;

/// Which algorithm fitted the model, and so how a score becomes a probability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    /// Boosted trees: the score is log-odds; probability = 1 / (1 + e^−score).
    Gbdt,
    /// Random forest: the score is already the averaged probability.
    Forest,
}

/// A feature as the model knows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureInfo {
    pub name: String,
    #[serde(flatten)]
    pub kind: FeatureKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monotone: Option<Monotone>,
}

/// The parameters a model was trained with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum TrainedWith {
    Gbdt(GbdtParams),
    Forest(ForestParams),
}

/// What happened in training.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingLog {
    pub params: TrainedWith,
    pub rows: usize,
    pub events: usize,
    /// Validation log-loss after each round (boosting with validation data only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub validation_log_loss: Vec<f64>,
    /// The round kept when early stopping cut training short (0-based).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub best_iteration: Option<usize>,
}

/// A trained tree ensemble. The score of a row is `base_score` plus the leaf value it
/// reaches in every tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "ModelFile", into = "ModelFile")]
pub struct Model {
    kind: ModelKind,
    features: Vec<FeatureInfo>,
    base_score: f64,
    trees: Vec<Tree>,
    training: TrainingLog,
}

#[derive(Serialize, Deserialize)]
struct ModelFile {
    format_version: u32,
    kind: ModelKind,
    features: Vec<FeatureInfo>,
    base_score: f64,
    training: TrainingLog,
    trees: Vec<Tree>,
}

impl From<Model> for ModelFile {
    fn from(m: Model) -> ModelFile {
        ModelFile {
            format_version: FORMAT_VERSION,
            kind: m.kind,
            features: m.features,
            base_score: m.base_score,
            training: m.training,
            trees: m.trees,
        }
    }
}

impl TryFrom<ModelFile> for Model {
    type Error = ModelError;
    fn try_from(f: ModelFile) -> Result<Model, ModelError> {
        if f.format_version != FORMAT_VERSION {
            return Err(ModelError::UnsupportedVersion {
                found: f.format_version,
                supported: FORMAT_VERSION,
            });
        }
        Model::new(f.kind, f.features, f.base_score, f.trees, f.training)
    }
}

/// Which importance [`Model::feature_importance`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Importance {
    /// Total loss reduction of the feature's splits.
    Gain,
    /// Number of splits on the feature.
    Splits,
}

impl Model {
    /// Assembles a model, checking that every split names an existing feature of the right
    /// kind and that the base score is finite.
    pub fn new(
        kind: ModelKind,
        features: Vec<FeatureInfo>,
        base_score: f64,
        trees: Vec<Tree>,
        training: TrainingLog,
    ) -> Result<Model, ModelError> {
        let invalid = |reason: String| ModelError::Invalid { reason };
        if !base_score.is_finite() {
            return Err(invalid(format!("base score {base_score}")));
        }
        for (t, tree) in trees.iter().enumerate() {
            if tree.max_feature().is_some_and(|f| f as usize >= features.len()) {
                return Err(invalid(format!("tree {t} uses a feature beyond the {} listed", features.len())));
            }
            for node in tree.nodes() {
                if let Node::Split { feature, test, .. } = node {
                    let categorical =
                        matches!(features[*feature as usize].kind, FeatureKind::Categorical { .. });
                    if categorical != matches!(test, SplitTest::Categorical { .. }) {
                        return Err(invalid(format!(
                            "tree {t} splits feature `{}` as the wrong kind",
                            features[*feature as usize].name
                        )));
                    }
                }
            }
        }
        Ok(Model { kind, features, base_score, trees, training })
    }

    pub fn kind(&self) -> ModelKind {
        self.kind
    }

    pub fn features(&self) -> &[FeatureInfo] {
        &self.features
    }

    pub fn trees(&self) -> &[Tree] {
        &self.trees
    }

    pub fn base_score(&self) -> f64 {
        self.base_score
    }

    pub fn training(&self) -> &TrainingLog {
        &self.training
    }

    /// The probability for a score.
    pub fn probability(&self, score: f64) -> f64 {
        match self.kind {
            ModelKind::Gbdt => 1.0 / (1.0 + (-score).exp()),
            ModelKind::Forest => score.clamp(0.0, 1.0),
        }
    }

    /// The score of one row given as values in the model's feature order: numbers as they
    /// are, category codes as numbers, `NaN` for missing.
    pub fn predict_raw_row(&self, row: &[f64]) -> f64 {
        assert_eq!(row.len(), self.features.len(), "a row needs one value per model feature");
        // Added in the same order as in batch scoring, so both give the same bits.
        self.trees.iter().fold(self.base_score, |score, tree| score + tree.predict(row))
    }

    pub fn predict_proba_row(&self, row: &[f64]) -> f64 {
        self.probability(self.predict_raw_row(row))
    }

    /// Scores of every row of `data`, whose features are found by name (extra columns are
    /// ignored). Rows are scored in parallel; the result does not depend on the thread count.
    pub fn predict_raw(&self, data: &Dataset) -> Result<Vec<f64>, ModelError> {
        let columns = self.columns(data)?;
        let nf = self.features.len();
        let mut out = vec![0.0; data.n_rows()];
        out.par_chunks_mut(ROW_BLOCK).enumerate().for_each(|(block, out)| {
            let mut rows = vec![0.0; out.len() * nf];
            fill_rows(&columns, block * ROW_BLOCK, &mut rows);
            let keys: Vec<u64> = rows.iter().map(|&v| order_key(v)).collect();
            out.fill(self.base_score);
            for tree in &self.trees {
                tree.add_predictions(&rows, &keys, nf, out);
            }
        });
        Ok(out)
    }

    /// Probabilities of every row of `data` (see [`Model::predict_raw`]).
    pub fn predict_proba(&self, data: &Dataset) -> Result<Vec<f64>, ModelError> {
        let mut scores = self.predict_raw(data)?;
        scores.par_iter_mut().for_each(|s| *s = self.probability(*s));
        Ok(scores)
    }

    /// The columns of `data` in model feature order, checked for kind.
    pub(crate) fn columns<'a>(&self, data: &'a Dataset) -> Result<Vec<&'a Column>, ModelError> {
        columns_for(&self.features, data)
    }

    /// Importance of every feature, in feature order.
    pub fn feature_importance(&self, kind: Importance) -> Vec<(String, f64)> {
        let mut totals = vec![0.0; self.features.len()];
        for tree in &self.trees {
            for node in tree.nodes() {
                if let Node::Split { feature, gain, .. } = node {
                    totals[*feature as usize] += match kind {
                        Importance::Gain => *gain,
                        Importance::Splits => 1.0,
                    };
                }
            }
        }
        self.features.iter().map(|f| f.name.clone()).zip(totals).collect()
    }

    /// The saved form: JSON that [`Model::from_json`] reads back to an identical model.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a model serialises to JSON")
    }

    pub fn from_json(json: &str) -> Result<Model, ModelError> {
        serde_json::from_str::<ModelFile>(json).map_err(ModelError::Parse)?.try_into()
    }
}

/// The columns of `data` for `features`, found by name and checked for kind.
pub(crate) fn columns_for<'a>(
    features: &[FeatureInfo],
    data: &'a Dataset,
) -> Result<Vec<&'a Column>, ModelError> {
    features
        .iter()
        .map(|info| {
            let index = data
                .position(&info.name)
                .ok_or_else(|| ModelError::MissingFeature { feature: info.name.clone() })?;
            let column = &data.feature(index).column;
            let found = column.kind();
            let same = matches!(
                (info.kind, found),
                (FeatureKind::Numeric, FeatureKind::Numeric)
                    | (FeatureKind::Categorical { .. }, FeatureKind::Categorical { .. })
            );
            if same {
                Ok(column)
            } else {
                Err(ModelError::KindMismatch { feature: info.name.clone(), expected: info.kind, found })
            }
        })
        .collect()
}

/// Copies rows `start..` of `columns` into `out` (row-major, as many rows as fit) in the row
/// encoding.
pub(crate) fn fill_rows(columns: &[&Column], start: usize, out: &mut [f64]) {
    let nf = columns.len();
    let n = out.len() / nf;
    for (f, column) in columns.iter().enumerate() {
        match column {
            Column::Numeric(values) => {
                for (r, &v) in values[start..start + n].iter().enumerate() {
                    out[r * nf + f] = v;
                }
            }
            Column::Categorical { codes, .. } => {
                for (r, &c) in codes[start..start + n].iter().enumerate() {
                    out[r * nf + f] = if c == MISSING_CATEGORY { f64::NAN } else { f64::from(c) };
                }
            }
        }
    }
}
