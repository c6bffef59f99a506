//! Monitoring a model on new data (GOV-2): the PSI of its PDs and the CSI of every
//! feature against the training profile, with the usual levels (< 0.1 stable, 0.1–0.25
//! watch, > 0.25 act), and discrimination on the new data when its outcomes are known.

use serde::Serialize;

use credence_scorecard::stability::{Psi, StabilityLevel, csi, psi};

use crate::artefact::{Metrics, ModelFile};
use crate::fit::{TrainError, measure};
use crate::score::model_pd;
use crate::table::{Column, Table};

/// One feature's stability.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeatureStability {
    pub feature: String,
    pub csi: Psi,
    pub missing_share_training: f64,
    pub missing_share_now: f64,
}

/// The monitoring report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonitorReport {
    pub model_version: String,
    pub rows: usize,
    pub psi: Psi,
    /// Features by CSI, largest first.
    pub features: Vec<FeatureStability>,
    /// The worst level of the PSI and every CSI.
    pub level: StabilityLevel,
    /// Discrimination on the new rows, when their outcomes are given.
    pub performance: Option<Metrics>,
    /// The same figures at training (cross-validated when the model was), for comparison.
    pub performance_at_training: Metrics,
}

fn worse(a: StabilityLevel, b: StabilityLevel) -> StabilityLevel {
    let rank = |l: StabilityLevel| match l {
        StabilityLevel::Stable => 0,
        StabilityLevel::Watch => 1,
        StabilityLevel::Act => 2,
    };
    if rank(b) > rank(a) { b } else { a }
}

/// The PSI of a set of the model's PDs (a portfolio run's) against the training
/// distribution: how far the scored population drifted (GOV-2); none without PDs.
pub fn pd_drift(model: &ModelFile, pds: &[f64]) -> Option<Psi> {
    psi(&model.profile.pd_counts, &model.profile.pd_bands.counts(pds)).ok()
}

/// Compares `table` (in the model's schema) with the training profile; `target` (the new
/// rows' outcomes) adds performance.
pub fn monitor(model: &ModelFile, table: &Table, target: Option<&[u8]>) -> Result<MonitorReport, TrainError> {
    let pd = model_pd(model, table)?;
    let psi_now = psi(&model.profile.pd_counts, &model.profile.pd_bands.counts(&pd))
        .map_err(|_| TrainError::NoFeatures("no rows to monitor".into()))?;
    let mut level = psi_now.level;
    let mut features = Vec::new();
    for p in &model.profile.features {
        let Some(c) = table.column(&p.name) else { continue };
        let column = match c {
            Column::Numeric { values } => credence_scorecard::Column::Numeric(values),
            Column::Categorical { codes, labels } => {
                credence_scorecard::Column::Categorical { codes, labels }
            }
        };
        let index =
            csi(&p.binning, column).map_err(|_| TrainError::NoFeatures("no rows to monitor".into()))?;
        level = worse(level, index.level);
        features.push(FeatureStability {
            feature: p.name.clone(),
            missing_share_training: p.missing_share,
            missing_share_now: c.missing() as f64 / table.rows.max(1) as f64,
            csi: index,
        });
    }
    features.sort_by(|a, b| b.csi.value.total_cmp(&a.csi.value).then(a.feature.cmp(&b.feature)));
    let is_high = |p: f64| model.grade_row(p).is_some_and(|g| g.high_risk);
    let performance = match target {
        Some(y) => Some(measure(y, &pd, &is_high)?),
        None => None,
    };
    Ok(MonitorReport {
        model_version: model.version.clone(),
        rows: table.rows,
        psi: psi_now,
        features,
        level,
        performance,
        performance_at_training: model.validation.as_ref().map_or(model.training, |v| v.mean),
    })
}
