//! What to train: the model kind and its options, checked before any fitting.

use credence_domain::is_version_name;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The model families of the workbench.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    /// Optimal binning, WoE, logistic regression and points (RATE-4).
    Scorecard,
    /// Logistic regression on the features themselves: numeric ones clipped at 3σ and
    /// mean-imputed, categorical ones by WoE.
    Logistic,
    /// Gradient-boosted trees (RATE-5).
    Gbdt,
    /// Random forest of probability trees.
    Forest,
}

impl ModelKind {
    pub fn parse(s: &str) -> Option<ModelKind> {
        match s {
            "scorecard" => Some(ModelKind::Scorecard),
            "logistic" => Some(ModelKind::Logistic),
            "gbdt" => Some(ModelKind::Gbdt),
            "forest" => Some(ModelKind::Forest),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            ModelKind::Scorecard => "scorecard",
            ModelKind::Logistic => "logistic",
            ModelKind::Gbdt => "gbdt",
            ModelKind::Forest => "forest",
        }
    }
}

/// How risk may move with a feature (`--monotone COL=…`): for scorecards the binning's
/// event-rate trend, for trees a constraint on the score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Shape {
    /// Risk rises with the value.
    Increasing,
    /// Risk falls with the value.
    Decreasing,
    /// Rising or falling, whichever separates better.
    Auto,
    /// Rises, then falls (scorecards only).
    Peak,
    /// Falls, then rises (scorecards only).
    Valley,
}

impl Shape {
    pub fn parse(s: &str) -> Option<Shape> {
        match s {
            "inc" | "increasing" | "asc" => Some(Shape::Increasing),
            "dec" | "decreasing" | "desc" => Some(Shape::Decreasing),
            "auto" => Some(Shape::Auto),
            "peak" => Some(Shape::Peak),
            "valley" => Some(Shape::Valley),
            _ => None,
        }
    }
}

/// How raw model PDs are calibrated to observed default rates before grading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Calibrate {
    /// The model's own PD.
    #[default]
    None,
    /// A logistic fit of the outcome on the PD's log-odds (Platt).
    Platt,
    /// A non-decreasing step function (pool-adjacent-violators).
    Isotonic,
}

/// A grade band of the PD scale models grade on: PDs below `pd_to` (and at or above the
/// band before) get `grade`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradeBand {
    pub grade: String,
    pub pd_to: f64,
    /// Grades whose customers credit policy treats as high risk (their capture of events
    /// is reported).
    pub high_risk: bool,
}

/// Everything a training run is told.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainSpec {
    pub kind: ModelKind,
    /// Stratified folds for cross-validation; below 2, none.
    pub folds: usize,
    pub seed: u64,
    pub shapes: BTreeMap<String, Shape>,
    /// Scorecards: features whose IV is below this are left out (0: none).
    pub min_iv: f64,
    /// Numeric values that mean something other than a number (−999 "not applicable"),
    /// by feature: they get bins of their own.
    pub special_values: BTreeMap<String, Vec<f64>>,
    /// `2026-Q4-V1.0` style.
    pub version: String,
    /// When, as the caller says (RFC 3339).
    pub trained_at: String,
    /// Where the data came from (a file name), for the report.
    pub source: String,
    pub grades: Vec<GradeBand>,
    /// Calibration, fitted on the cross-validation's held-out PDs.
    pub calibrate: Calibrate,
    /// Scorecards: stepwise selection (score test in, Wald test out, p < 0.05).
    pub stepwise: bool,
    /// Scorecards: of two features whose WoE correlate beyond this, the weaker goes.
    pub max_correlation: Option<f64>,
}

/// Why a spec cannot be trained.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SpecError {
    #[error("--folds {0}: use 0 (no cross-validation) or 2 to 20")]
    Folds(usize),
    #[error("--monotone {feature}: {problem}")]
    Shape { feature: String, problem: String },
    #[error("--min-iv {0}: must be 0 to 1")]
    MinIv(f64),
    #[error("version '{0}' is not named like 2026-Q4-V1.0")]
    Version(String),
    #[error("the grade scale is empty or its PD bounds do not rise")]
    Grades,
    #[error("--calibrate needs cross-validation (--folds 2 or more): it is fitted on held-out PDs")]
    CalibrationWithoutFolds,
    #[error("{0}: only scorecards select features this way")]
    ScorecardOnly(&'static str),
    #[error("--max-correlation {0}: must be above 0 and at most 1")]
    Correlation(f64),
}

impl TrainSpec {
    pub fn check(&self, numeric: &dyn Fn(&str) -> Option<bool>) -> Result<(), SpecError> {
        if self.folds == 1 || self.folds > 20 {
            return Err(SpecError::Folds(self.folds));
        }
        if !(0.0..=1.0).contains(&self.min_iv) {
            return Err(SpecError::MinIv(self.min_iv));
        }
        if !is_version_name(&self.version) {
            return Err(SpecError::Version(self.version.clone()));
        }
        if self.grades.is_empty() || self.grades.windows(2).any(|w| w[0].pd_to >= w[1].pd_to) {
            return Err(SpecError::Grades);
        }
        if self.calibrate != Calibrate::None && self.folds < 2 {
            return Err(SpecError::CalibrationWithoutFolds);
        }
        if self.kind != ModelKind::Scorecard {
            if self.stepwise {
                return Err(SpecError::ScorecardOnly("--stepwise"));
            }
            if self.max_correlation.is_some() {
                return Err(SpecError::ScorecardOnly("--max-correlation"));
            }
        }
        if let Some(c) = self.max_correlation.filter(|c| !(*c > 0.0 && *c <= 1.0)) {
            return Err(SpecError::Correlation(c));
        }
        let trees = matches!(self.kind, ModelKind::Gbdt | ModelKind::Forest);
        for (feature, shape) in &self.shapes {
            let problem = match numeric(feature) {
                None => Some("no such feature".to_owned()),
                Some(false) => Some("a categorical feature has no order to be monotone in".to_owned()),
                Some(true) if trees && matches!(shape, Shape::Peak | Shape::Valley | Shape::Auto) => {
                    Some("trees take inc or dec".to_owned())
                }
                Some(true) if self.kind == ModelKind::Logistic => {
                    Some("a logistic model is monotone in every numeric feature already".to_owned())
                }
                Some(true) => None,
            };
            if let Some(problem) = problem {
                return Err(SpecError::Shape { feature: feature.clone(), problem });
            }
        }
        Ok(())
    }
}
