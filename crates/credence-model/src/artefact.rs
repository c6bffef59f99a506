//! A trained model as saved: its version, what it was trained on, the features it reads
//! (with their categories), how it validated, its grade table and training profile, and
//! the fitted model itself. Scoring reads new rows into the model's own schema.

use serde::{Deserialize, Serialize};

use crate::spec::ModelKind;
use crate::table::{Column, Table, is_missing, parse_number};

/// The format of saved models.
pub const FORMAT: &str = "credence-model/1";

/// A feature the model reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FeatureSpec {
    Numeric {
        name: String,
    },
    /// Categories by training code; an unseen category reads as missing.
    Categorical {
        name: String,
        labels: Vec<String>,
    },
}

impl FeatureSpec {
    pub fn name(&self) -> &str {
        match self {
            FeatureSpec::Numeric { name } | FeatureSpec::Categorical { name, .. } => name,
        }
    }
}

/// A column of the training file the model does not read, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dropped {
    pub name: String,
    pub reason: String,
}

/// Discrimination and accuracy of one set of predictions.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    pub rows: usize,
    pub events: usize,
    pub auc: f64,
    pub gini: f64,
    pub ks: f64,
    pub brier: f64,
    pub log_loss: f64,
    /// Share of events among the 20% of rows with the highest PD.
    pub capture_20: f64,
    /// Share of events in the grades flagged high-risk.
    pub capture_high_risk: f64,
}

/// Cross-validation: each fold's figures on its held-out rows, and their means.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Validation {
    pub folds: Vec<Metrics>,
    pub mean: Metrics,
    pub seed: u64,
}

/// One grade of the training data: rows, events, mean PD and observed rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradeRow {
    pub grade: String,
    pub pd_to: f64,
    pub high_risk: bool,
    pub rows: usize,
    pub events: usize,
    pub mean_pd: f64,
    pub event_rate: Option<f64>,
}

/// A feature's distribution at training, in the bins its CSI is measured over.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureProfile {
    pub name: String,
    pub missing_share: f64,
    /// Numeric: mean, minimum, maximum of the present values.
    pub mean: Option<f64>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// The feature's optimal binning on the training data (bins, counts, WoE, IV).
    pub binning: credence_scorecard::binning::Binning,
}

/// The training data's profile: per feature, and the score distribution for PSI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub features: Vec<FeatureProfile>,
    /// PD bands (deciles of the training PDs) and the training PDs' counts in them.
    pub pd_bands: credence_scorecard::stability::ScoreBands,
    pub pd_counts: Vec<u64>,
    /// The ROC and KS curves and calibration by decile on the training data, for the report.
    pub roc: Vec<credence_scorecard::metrics::RocPoint>,
    pub ks_curve: Vec<credence_scorecard::metrics::KsPoint>,
    pub calibration: Vec<credence_scorecard::metrics::CalibrationRow>,
    /// Histogram of training PDs: 20 equal bands of the PD range's log-odds.
    pub pd_histogram: Vec<(f64, f64, u64)>,
}

/// A logistic model's input: a numeric feature clipped at 3σ, mean-imputed and
/// standardised, or a categorical one as its WoE.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LogisticInput {
    Numeric { name: String, clip: credence_scorecard::prepare::OutlierClip, mean: f64, sd: f64 },
    Woe { name: String, binning: credence_scorecard::binning::Binning },
}

impl LogisticInput {
    pub fn name(&self) -> &str {
        match self {
            LogisticInput::Numeric { name, .. } | LogisticInput::Woe { name, .. } => name,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogisticBody {
    pub inputs: Vec<LogisticInput>,
    pub fit: credence_scorecard::logistic::LogisticFit,
}

/// The fitted model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "family", rename_all = "snake_case")]
pub enum Body {
    Scorecard(credence_scorecard::scorecard::Scorecard),
    Logistic(LogisticBody),
    Trees(credence_trees::Model),
}

/// A fitted calibration of the model's PDs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Calibration {
    /// On the log-odds of the raw PD.
    Platt(credence_scorecard::calibration::PlattScaling),
    Isotonic(credence_scorecard::calibration::IsotonicCalibration),
}

impl Calibration {
    pub fn apply(&self, pd: f64) -> f64 {
        match self {
            Calibration::Platt(p) => p.probability(logit(pd)),
            Calibration::Isotonic(i) => i.probability(pd),
        }
    }
}

/// A saved model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelFile {
    pub format: String,
    pub version: String,
    pub kind: ModelKind,
    pub trained_at: String,
    pub source: String,
    pub target: String,
    pub event: String,
    pub non_event: String,
    pub rows: usize,
    pub events: usize,
    pub features: Vec<FeatureSpec>,
    pub dropped: Vec<Dropped>,
    pub validation: Option<Validation>,
    /// Training metrics of the final model (in-sample).
    pub training: Metrics,
    pub grades: Vec<GradeRow>,
    pub profile: Profile,
    /// Applied to the fitted model's PD before grading; absent: the raw PD.
    #[serde(default)]
    pub calibration: Option<Calibration>,
    pub body: Body,
}

/// Why a saved model cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum ArtefactError {
    #[error("not a Credence model file")]
    Json(#[source] serde_json::Error),
    #[error("model format '{0}' is not {FORMAT}; retrain it with this version")]
    Format(String),
}

impl ModelFile {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a model serialises")
    }

    pub fn from_json(text: &str) -> Result<ModelFile, ArtefactError> {
        let m: ModelFile = serde_json::from_str(text).map_err(ArtefactError::Json)?;
        if m.format != FORMAT {
            return Err(ArtefactError::Format(m.format));
        }
        Ok(m)
    }

    /// The grade row of a PD on the model's scale.
    pub fn grade_row(&self, pd: f64) -> Option<&GradeRow> {
        let last = self.grades.len().saturating_sub(1);
        self.grades.get(self.grades.iter().position(|g| pd < g.pd_to).unwrap_or(last))
    }

    /// The grade of a PD on the model's scale.
    pub fn grade_of(&self, pd: f64) -> &str {
        self.grade_row(pd).map_or("", |g| g.grade.as_str())
    }
}

/// The log-odds of a probability, kept finite at 0 and 1.
pub fn logit(p: f64) -> f64 {
    let q = p.clamp(1e-12, 1.0 - 1e-12);
    (q / (1.0 - q)).ln()
}

/// The points of a PD on the usual scale (600 at 50:1 odds, 20 points to double them),
/// so every model kind reports a score the same way.
pub fn points(pd: f64) -> f64 {
    let factor = 20.0 / std::f64::consts::LN_2;
    600.0 - factor * (50.0_f64).ln() - factor * logit(pd)
}

/// Builds a table of new rows in a model's schema: numeric cells parsed (text counts as
/// missing, and is counted), categorical cells mapped to the training codes (an unseen
/// category is missing, and is counted).
pub struct SchemaReader {
    /// For each model feature, its position in the file's header.
    positions: Vec<usize>,
    specs: Vec<FeatureSpec>,
    index: Vec<std::collections::HashMap<String, u32>>,
    columns: Vec<Column>,
    rows: usize,
    /// Per feature: cells that were not numbers, categories never seen in training.
    pub unreadable: Vec<u64>,
    pub unseen: Vec<u64>,
}

/// The model reads a column the file does not have.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("the file has no column '{0}', which the model reads")]
pub struct MissingColumn(pub String);

impl SchemaReader {
    pub fn new(specs: &[FeatureSpec], header: &[String]) -> Result<SchemaReader, MissingColumn> {
        let positions = specs
            .iter()
            .map(|s| {
                header
                    .iter()
                    .position(|h| h.trim() == s.name())
                    .ok_or_else(|| MissingColumn(s.name().to_owned()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let index = specs
            .iter()
            .map(|s| match s {
                FeatureSpec::Categorical { labels, .. } => {
                    labels.iter().enumerate().map(|(i, l)| (l.clone(), i as u32)).collect()
                }
                FeatureSpec::Numeric { .. } => Default::default(),
            })
            .collect();
        let columns = specs
            .iter()
            .map(|s| match s {
                FeatureSpec::Numeric { .. } => Column::Numeric { values: Vec::new() },
                FeatureSpec::Categorical { labels, .. } => {
                    Column::Categorical { codes: Vec::new(), labels: labels.clone() }
                }
            })
            .collect();
        let n = specs.len();
        Ok(SchemaReader {
            positions,
            specs: specs.to_vec(),
            index,
            columns,
            rows: 0,
            unreadable: vec![0; n],
            unseen: vec![0; n],
        })
    }

    /// Adds a row (cells in the file's header order; short rows read as missing).
    pub fn push<S: AsRef<str>>(&mut self, cells: &[S]) {
        for (k, &p) in self.positions.iter().enumerate() {
            let cell = cells.get(p).map_or("", |c| c.as_ref());
            match &mut self.columns[k] {
                Column::Numeric { values } => values.push(if is_missing(cell) {
                    f64::NAN
                } else {
                    parse_number(cell).unwrap_or_else(|| {
                        self.unreadable[k] += 1;
                        f64::NAN
                    })
                }),
                Column::Categorical { codes, .. } => codes.push(if is_missing(cell) {
                    Column::MISSING
                } else {
                    self.index[k].get(cell.trim()).copied().unwrap_or_else(|| {
                        self.unseen[k] += 1;
                        Column::MISSING
                    })
                }),
            }
        }
        self.rows += 1;
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The rows so far as a table, and a fresh start for the next chunk (counts go on).
    pub fn take(&mut self) -> Table {
        let columns = self
            .columns
            .iter_mut()
            .map(|c| match c {
                Column::Numeric { values } => Column::Numeric { values: std::mem::take(values) },
                Column::Categorical { codes, labels } => {
                    Column::Categorical { codes: std::mem::take(codes), labels: labels.clone() }
                }
            })
            .collect();
        let rows = std::mem::take(&mut self.rows);
        Table { names: self.specs.iter().map(|s| s.name().to_owned()).collect(), columns, rows }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 600 at odds 50:1 (PD 1/51); 20 points fewer at double the odds of default.
    #[test]
    fn points_follow_the_usual_scaling() {
        assert!((points(1.0 / 51.0) - 600.0).abs() < 1e-9);
        assert!((points(2.0 / 52.0) - 580.0).abs() < 1e-9);
    }

    #[test]
    fn new_rows_are_read_in_the_models_schema() {
        let specs = vec![
            FeatureSpec::Numeric { name: "age".into() },
            FeatureSpec::Categorical { name: "purpose".into(), labels: vec!["car".into(), "tv".into()] },
        ];
        let header: Vec<String> = ["id", "purpose", "age"].iter().map(|s| (*s).to_owned()).collect();
        let mut r = SchemaReader::new(&specs, &header).unwrap();
        r.push(&["1", "tv", "30"]);
        r.push(&["2", "boat", "n/a"]);
        r.push(&["3", "car", "old"]);
        let t = r.take();
        let Column::Numeric { values } = &t.columns[0] else { panic!() };
        assert_eq!((values[0], values[1].is_nan(), values[2].is_nan()), (30.0, true, true));
        let Column::Categorical { codes, .. } = &t.columns[1] else { panic!() };
        assert_eq!(codes, &[1, Column::MISSING, 0]);
        assert_eq!((r.unreadable.as_slice(), r.unseen.as_slice()), (&[1, 0][..], &[0, 1][..]));
        let missing = SchemaReader::new(&specs, &header[..2]).err().unwrap();
        assert_eq!(missing.to_string(), "the file has no column 'age', which the model reads");
    }
}
