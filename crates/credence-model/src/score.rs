//! Scoring rows with a trained model: PD, points, grade, and the top reasons (WoE points
//! lost for scorecards, exact TreeSHAP for trees, coefficient × standardised value for
//! logistic models).

use serde::Serialize;

use crate::artefact::{Body, LogisticInput, ModelFile, points};
use crate::fit::{scorecard_features, tree_data};
use crate::table::{Column, Table};

/// Why rows could not be scored.
#[derive(Debug, thiserror::Error)]
pub enum ScoreError {
    #[error("the rows do not fit the model")]
    Data(#[from] credence_scorecard::DataError),
    #[error("the rows do not fit the trees")]
    Trees(#[from] credence_trees::ModelError),
    #[error("the rows do not fit the trees")]
    TreeData(#[from] credence_trees::DatasetError),
    #[error("the model has no feature '{0}' in the rows")]
    Missing(String),
}

/// Why a row's risk is what it is: a feature, the row's value (or bin), and how much it
/// pushed the risk up (points lost for scorecards, log-odds otherwise).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reason {
    pub feature: String,
    pub value: String,
    pub contribution: f64,
}

/// One row scored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowScore {
    pub pd: f64,
    pub score: f64,
    pub grade: String,
    pub reasons: Vec<Reason>,
}

/// The design columns of a logistic model's inputs.
pub(crate) fn logistic_columns(inputs: &[LogisticInput], table: &Table) -> Result<Vec<Vec<f64>>, ScoreError> {
    inputs
        .iter()
        .map(|input| {
            let c = table.column(input.name()).ok_or_else(|| ScoreError::Missing(input.name().to_owned()))?;
            Ok(match (input, c) {
                (LogisticInput::Numeric { clip, mean, sd, .. }, Column::Numeric { values }) => values
                    .iter()
                    .map(|&v| (if v.is_nan() { *mean } else { clip.clip(v) } - mean) / sd)
                    .collect(),
                (LogisticInput::Woe { binning, .. }, Column::Categorical { codes, labels }) => {
                    binning.transform(credence_scorecard::Column::Categorical { codes, labels })?
                }
                _ => return Err(ScoreError::Missing(input.name().to_owned())),
            })
        })
        .collect()
}

/// PDs of every row.
pub fn predict(body: &Body, table: &Table) -> Result<Vec<f64>, ScoreError> {
    Ok(match body {
        Body::Scorecard(sc) => sc.score(&scorecard_features(table, &Default::default()))?.pd,
        Body::Logistic(l) => {
            let columns = logistic_columns(&l.inputs, table)?;
            let refs: Vec<&[f64]> = columns.iter().map(Vec::as_slice).collect();
            l.fit.predict(&refs)
        }
        Body::Trees(m) => m.predict_proba(&tree_data(table)?)?,
    })
}

/// The PDs the model reports: the fitted model's, calibrated when it was.
pub fn model_pd(model: &ModelFile, table: &Table) -> Result<Vec<f64>, ScoreError> {
    let pd = predict(&model.body, table)?;
    Ok(match &model.calibration {
        Some(c) => pd.into_iter().map(|p| c.apply(p)).collect(),
        None => pd,
    })
}

/// How a row's value reads in a reason.
fn shown(table: &Table, feature: &str, row: usize) -> String {
    match table.column(feature) {
        Some(Column::Numeric { values }) if values[row].is_nan() => "missing".into(),
        Some(Column::Numeric { values }) => values[row].to_string(),
        Some(Column::Categorical { codes, labels }) => {
            labels.get(codes[row] as usize).cloned().unwrap_or_else(|| "missing".into())
        }
        None => String::new(),
    }
}

/// The `k` features that pushed row `r`'s risk up most (contributions by feature, in
/// `names` order; ties in that order).
fn top_reasons(
    contributions: impl Iterator<Item = f64>,
    names: &[&str],
    table: &Table,
    r: usize,
    k: usize,
) -> Vec<Reason> {
    let mut c: Vec<(usize, f64)> = contributions.enumerate().filter(|(_, v)| *v > 0.0).collect();
    c.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    c.into_iter()
        .take(k)
        .map(|(f, v)| Reason {
            feature: names[f].to_owned(),
            value: shown(table, names[f], r),
            contribution: v,
        })
        .collect()
}

/// Scores every row of `table` (in the model's schema) with up to `reasons` reasons each.
pub fn score_table(model: &ModelFile, table: &Table, reasons: usize) -> Result<Vec<RowScore>, ScoreError> {
    // A scorecard's points come from its own scaling; other models' from the PD.
    let (pd, score) = match &model.body {
        Body::Scorecard(sc) => {
            let s = sc.score(&scorecard_features(table, &Default::default()))?;
            let pd = match &model.calibration {
                Some(c) => s.pd.iter().map(|&p| c.apply(p)).collect(),
                None => s.pd,
            };
            (pd, s.score)
        }
        _ => {
            let pd = model_pd(model, table)?;
            let score = pd.iter().map(|&p| points(p)).collect();
            (pd, score)
        }
    };
    let mut out: Vec<RowScore> = pd
        .iter()
        .zip(score)
        .map(|(&p, s)| RowScore { pd: p, score: s, grade: model.grade_of(p).to_owned(), reasons: Vec::new() })
        .collect();
    if reasons == 0 {
        return Ok(out);
    }
    match &model.body {
        Body::Scorecard(sc) => {
            let features = scorecard_features(table, &Default::default());
            for (row, e) in out.iter_mut().zip(sc.reasons_rows(&features, reasons)?) {
                row.reasons = e
                    .into_iter()
                    .map(|c| Reason {
                        value: c.label.clone(),
                        feature: c.feature.clone(),
                        contribution: c.points_below_best,
                    })
                    .collect();
            }
        }
        Body::Trees(m) => {
            let why = m.explain(&tree_data(table)?)?;
            let names: Vec<&str> = m.features().iter().map(|f| f.name.as_str()).collect();
            for (r, row) in out.iter_mut().enumerate() {
                row.reasons = top_reasons(why.row(r).iter().copied(), &names, table, r, reasons);
            }
        }
        Body::Logistic(l) => {
            let columns = logistic_columns(&l.inputs, table)?;
            let names: Vec<&str> = l.inputs.iter().map(LogisticInput::name).collect();
            for (r, row) in out.iter_mut().enumerate() {
                let parts = l.fit.coefficients.iter().zip(&columns).map(|(b, col)| b.estimate * col[r]);
                row.reasons = top_reasons(parts, &names, table, r, reasons);
            }
        }
    }
    Ok(out)
}
