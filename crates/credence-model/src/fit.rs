//! Training: which columns become features, cross-validation on stratified folds, the
//! final fit on every row, its grade table and the training profile.

use std::collections::BTreeMap;

use credence_scorecard::binning::{BinningConfig, Trend, fit_binning};
use credence_scorecard::logistic::{LogisticConfig, fit_logistic};
use credence_scorecard::metrics;
use credence_scorecard::prepare::OutlierClip;
use credence_scorecard::scorecard::{ScorecardConfig, fit_scorecard};
use credence_scorecard::stability::ScoreBands;

use crate::artefact::{
    Body, Dropped, FORMAT, FeatureProfile, FeatureSpec, GradeRow, LogisticBody, LogisticInput, Metrics,
    ModelFile, Profile, Validation,
};
use crate::artefact::{Calibration, logit};
use crate::score::predict;
use crate::spec::{Calibrate, ModelKind, Shape, SpecError, TrainSpec};
use crate::table::{Column, Table, Target};
use credence_scorecard::calibration::{Direction, IsotonicCalibration, PlattScaling};

/// Why a model could not be trained.
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    #[error(transparent)]
    Spec(#[from] SpecError),
    #[error("no column is usable as a feature ({0})")]
    NoFeatures(String),
    #[error("the target needs both outcomes: {events} events in {rows} rows")]
    OneOutcome { rows: usize, events: usize },
    #[error("fitting the scorecard")]
    Scorecard(#[from] credence_scorecard::scorecard::ScorecardError),
    #[error("fitting the logistic regression")]
    Logistic(#[from] credence_scorecard::logistic::LogisticError),
    #[error("binning feature {0}")]
    Binning(String, #[source] credence_scorecard::binning::BinningError),
    #[error("training the trees")]
    Trees(#[from] credence_trees::TrainError),
    #[error("preparing the tree data")]
    TreeData(#[from] credence_trees::DatasetError),
    #[error("measuring the model")]
    Data(#[from] credence_scorecard::DataError),
    #[error("scoring the training rows")]
    Score(#[from] crate::score::ScoreError),
    #[error("calibrating the PDs")]
    Calibration(#[from] credence_scorecard::calibration::CalibrationError),
    #[error("preparing feature {0}")]
    Prepare(String, #[source] credence_scorecard::prepare::PrepareError),
}

/// A categorical column this varied is an identifier, not a feature.
fn looks_like_id(labels: usize, rows: usize) -> bool {
    labels > 50 && labels * 2 > rows
}

/// The columns that become features, and those left out with the reason.
pub fn choose_features(table: &Table) -> (Vec<usize>, Vec<Dropped>) {
    let mut keep = Vec::new();
    let mut dropped = Vec::new();
    for (i, (name, col)) in table.names.iter().zip(&table.columns).enumerate() {
        let reason = match col {
            Column::Numeric { values } => {
                let mut present = values.iter().filter(|v| !v.is_nan());
                match present.next() {
                    None => Some("every value is missing".to_owned()),
                    Some(first) => present.all(|v| v == first).then(|| format!("every value is {first}")),
                }
            }
            Column::Categorical { codes, labels } => {
                if codes.iter().all(|&c| c == Column::MISSING) {
                    Some("every value is missing".to_owned())
                } else if labels.len() == 1 {
                    Some(format!("every value is '{}'", labels[0]))
                } else if looks_like_id(labels.len(), table.rows) {
                    Some(format!("{} distinct values in {} rows: an identifier", labels.len(), table.rows))
                } else {
                    None
                }
            }
        };
        match reason {
            Some(reason) => dropped.push(Dropped { name: name.clone(), reason }),
            None => keep.push(i),
        }
    }
    (keep, dropped)
}

fn subset(table: &Table, keep: &[usize]) -> Table {
    Table {
        names: keep.iter().map(|&i| table.names[i].clone()).collect(),
        columns: keep.iter().map(|&i| table.columns[i].clone()).collect(),
        rows: table.rows,
    }
}

/// The table's columns as scorecard inputs.
pub(crate) fn scorecard_features<'a>(
    table: &'a Table,
    special: &BTreeMap<String, Vec<f64>>,
) -> Vec<credence_scorecard::Feature<'a>> {
    table
        .names
        .iter()
        .zip(&table.columns)
        .map(|(name, c)| match c {
            Column::Numeric { values } => {
                let f = credence_scorecard::Feature::numeric(name.clone(), values);
                match special.get(name) {
                    Some(s) => f.with_special_values(s.clone()),
                    None => f,
                }
            }
            Column::Categorical { codes, labels } => {
                credence_scorecard::Feature::categorical(name.clone(), codes, labels)
            }
        })
        .collect()
}

/// Every column of the table as a scorecard input (no special values).
pub fn scorecard_inputs(table: &Table) -> Vec<credence_scorecard::Feature<'_>> {
    scorecard_features(table, &BTreeMap::new())
}

/// The table as a tree data set (the trees keep their own copy of the columns).
pub fn tree_data(table: &Table) -> Result<credence_trees::Dataset, credence_trees::DatasetError> {
    let features = table
        .names
        .iter()
        .zip(&table.columns)
        .map(|(name, c)| match c {
            Column::Numeric { values } => credence_trees::Feature::numeric(name.clone(), values.clone()),
            Column::Categorical { codes, labels } => {
                credence_trees::Feature::categorical(name.clone(), codes.clone(), labels.len() as u32)
            }
        })
        .collect();
    credence_trees::Dataset::new(features)
}

fn trend(shape: Shape) -> Trend {
    match shape {
        Shape::Increasing => Trend::Ascending,
        Shape::Decreasing => Trend::Descending,
        Shape::Auto => Trend::Auto,
        Shape::Peak => Trend::Peak,
        Shape::Valley => Trend::Valley,
    }
}

fn monotone(spec: &TrainSpec) -> BTreeMap<String, credence_trees::Monotone> {
    spec.shapes
        .iter()
        .filter_map(|(f, s)| match s {
            Shape::Increasing => Some((f.clone(), credence_trees::Monotone::Increasing)),
            Shape::Decreasing => Some((f.clone(), credence_trees::Monotone::Decreasing)),
            _ => None,
        })
        .collect()
}

/// Fits one model of the spec's kind on every row (no validation, no profile).
pub fn fit_body(table: &Table, target: &[u8], spec: &TrainSpec) -> Result<Body, TrainError> {
    match spec.kind {
        ModelKind::Scorecard => {
            let features = scorecard_features(table, &spec.special_values);
            let mut config = ScorecardConfig::default();
            config.selection.min_iv = spec.min_iv;
            config.selection.max_correlation = spec.max_correlation;
            if spec.stepwise {
                config.selection.stepwise = Some(credence_scorecard::logistic::StepwiseConfig::default());
            }
            for (name, shape) in &spec.shapes {
                config
                    .binning_overrides
                    .insert(name.clone(), BinningConfig { trend: trend(*shape), ..BinningConfig::default() });
            }
            Ok(Body::Scorecard(fit_scorecard(&features, target, &config)?))
        }
        ModelKind::Logistic => {
            let mut inputs = Vec::with_capacity(table.columns.len());
            for (name, c) in table.names.iter().zip(&table.columns) {
                inputs.push(match c {
                    Column::Numeric { values } => {
                        let clip = OutlierClip::fit(values, 3.0)
                            .map_err(|e| TrainError::Prepare(name.clone(), e))?;
                        let clipped: Vec<f64> =
                            values.iter().filter(|v| !v.is_nan()).map(|&v| clip.clip(v)).collect();
                        let mean = clipped.iter().sum::<f64>() / clipped.len().max(1) as f64;
                        let var = clipped.iter().map(|v| (v - mean).powi(2)).sum::<f64>()
                            / clipped.len().max(1) as f64;
                        LogisticInput::Numeric { name: name.clone(), clip, mean, sd: var.sqrt().max(1e-12) }
                    }
                    Column::Categorical { codes, labels } => {
                        let f = credence_scorecard::Feature::categorical(name.clone(), codes, labels);
                        let binning = fit_binning(&f, target, &BinningConfig::default())
                            .map_err(|e| TrainError::Binning(name.clone(), e))?;
                        LogisticInput::Woe { name: name.clone(), binning }
                    }
                });
            }
            let columns = crate::score::logistic_columns(&inputs, table)?;
            let refs: Vec<&[f64]> = columns.iter().map(Vec::as_slice).collect();
            let fit = fit_logistic(&refs, target, &LogisticConfig { l2: 1.0, ..LogisticConfig::default() })?;
            Ok(Body::Logistic(LogisticBody { inputs, fit }))
        }
        ModelKind::Gbdt => {
            let data = tree_data(table)?;
            let params = credence_trees::GbdtParams {
                seed: spec.seed,
                monotone: monotone(spec),
                ..Default::default()
            };
            Ok(Body::Trees(credence_trees::Gbdt::new(params)?.fit(&data, target, None)?))
        }
        ModelKind::Forest => {
            let data = tree_data(table)?;
            let params = credence_trees::ForestParams {
                seed: spec.seed,
                monotone: monotone(spec),
                ..Default::default()
            };
            Ok(Body::Trees(credence_trees::Forest::new(params)?.fit(&data, target)?))
        }
    }
}

/// The figures of predictions `pd` against `target`, with grades from `grades`.
pub fn measure(target: &[u8], pd: &[f64], high_risk: &dyn Fn(f64) -> bool) -> Result<Metrics, TrainError> {
    let s = metrics::summarize(target, pd)?;
    let events = target.iter().filter(|&&t| t == 1).count();
    let captured = target.iter().zip(pd).filter(|(t, p)| **t == 1 && high_risk(**p)).count();
    Ok(Metrics {
        rows: target.len(),
        events,
        auc: s.auc,
        gini: s.gini,
        ks: s.ks,
        brier: s.brier,
        log_loss: s.log_loss,
        capture_20: metrics::capture_rate(target, pd, 0.2)?,
        capture_high_risk: if events == 0 { 0.0 } else { captured as f64 / events as f64 },
    })
}

fn mean_metrics(folds: &[Metrics]) -> Metrics {
    let n = folds.len().max(1) as f64;
    let avg = |f: fn(&Metrics) -> f64| folds.iter().map(f).sum::<f64>() / n;
    Metrics {
        rows: folds.iter().map(|m| m.rows).sum(),
        events: folds.iter().map(|m| m.events).sum(),
        auc: avg(|m| m.auc),
        gini: avg(|m| m.gini),
        ks: avg(|m| m.ks),
        brier: avg(|m| m.brier),
        log_loss: avg(|m| m.log_loss),
        capture_20: avg(|m| m.capture_20),
        capture_high_risk: avg(|m| m.capture_high_risk),
    }
}

/// Trains a model of `spec` on the table's features and the target: cross-validates when
/// asked, fits on every row, and returns the model with everything its report needs.
/// `progress` hears of each fold and the final fit.
pub fn train(
    table: &Table,
    target: &Target,
    spec: &TrainSpec,
    progress: &mut dyn FnMut(&str),
) -> Result<ModelFile, TrainError> {
    let events = target.events();
    if events == 0 || events == target.values.len() {
        return Err(TrainError::OneOutcome { rows: target.values.len(), events });
    }
    let (keep, dropped) = choose_features(table);
    if keep.is_empty() {
        let why = dropped.iter().map(|d| format!("{}: {}", d.name, d.reason)).collect::<Vec<_>>().join("; ");
        return Err(TrainError::NoFeatures(why));
    }
    let features = subset(table, &keep);
    for name in spec.shapes.keys() {
        if let Some(d) = dropped.iter().find(|d| &d.name == name) {
            return Err(SpecError::Shape {
                feature: name.clone(),
                problem: format!("the column is not used: {}", d.reason),
            }
            .into());
        }
    }
    spec.check(&|name| features.column(name).map(Column::is_numeric))?;
    let y = &target.values;
    let grade_of = |pd: f64| spec.grades.iter().position(|g| pd < g.pd_to).unwrap_or(spec.grades.len() - 1);
    let high_risk = |pd: f64| spec.grades[grade_of(pd)].high_risk;
    // Held-out PDs of every row, for calibration.
    let mut held_out = vec![f64::NAN; y.len()];
    let validation = if spec.folds >= 2 {
        let folds = metrics::stratified_folds(y, spec.folds, spec.seed)?;
        let mut out = Vec::with_capacity(spec.folds);
        for k in 0..spec.folds {
            let (train_rows, test_rows) = (folds.train_rows(k), folds.test_rows(k));
            let train_y: Vec<u8> = train_rows.iter().map(|&i| y[i]).collect();
            let test_y: Vec<u8> = test_rows.iter().map(|&i| y[i]).collect();
            let body = fit_body(&features.take(&train_rows), &train_y, spec)?;
            let pd = predict(&body, &features.take(&test_rows))?;
            for (&row, &p) in test_rows.iter().zip(&pd) {
                held_out[row] = p;
            }
            let m = measure(&test_y, &pd, &high_risk)?;
            progress(&format!("fold {}/{}: AUC {:.4}, KS {:.4}", k + 1, spec.folds, m.auc, m.ks));
            out.push(m);
        }
        Some(Validation { mean: mean_metrics(&out), folds: out, seed: spec.seed })
    } else {
        None
    };
    let calibration = match spec.calibrate {
        Calibrate::None => None,
        Calibrate::Platt => {
            let log_odds: Vec<f64> = held_out.iter().map(|&p| logit(p)).collect();
            Some(Calibration::Platt(PlattScaling::fit(&log_odds, y)?))
        }
        Calibrate::Isotonic => {
            Some(Calibration::Isotonic(IsotonicCalibration::fit(&held_out, y, Direction::Increasing)?))
        }
    };
    let body = fit_body(&features, y, spec)?;
    let mut pd = predict(&body, &features)?;
    if let Some(c) = &calibration {
        pd.iter_mut().for_each(|p| *p = c.apply(*p));
    }
    progress("final fit on every row");
    let training = measure(y, &pd, &high_risk)?;
    let mut grades: Vec<GradeRow> = spec
        .grades
        .iter()
        .map(|g| GradeRow {
            grade: g.grade.clone(),
            pd_to: g.pd_to,
            high_risk: g.high_risk,
            rows: 0,
            events: 0,
            mean_pd: 0.0,
            event_rate: None,
        })
        .collect();
    for (&p, &t) in pd.iter().zip(y) {
        let g = &mut grades[grade_of(p)];
        g.rows += 1;
        g.events += usize::from(t);
        g.mean_pd += p;
    }
    for g in &mut grades {
        if g.rows > 0 {
            g.mean_pd /= g.rows as f64;
            g.event_rate = Some(g.events as f64 / g.rows as f64);
        }
    }
    let profile = profile(&features, y, &pd, spec)?;
    let specs = features
        .names
        .iter()
        .zip(&features.columns)
        .map(|(name, c)| match c {
            Column::Numeric { .. } => FeatureSpec::Numeric { name: name.clone() },
            Column::Categorical { labels, .. } => {
                FeatureSpec::Categorical { name: name.clone(), labels: labels.clone() }
            }
        })
        .collect();
    Ok(ModelFile {
        format: FORMAT.to_owned(),
        version: spec.version.clone(),
        kind: spec.kind,
        trained_at: spec.trained_at.clone(),
        source: spec.source.clone(),
        target: String::new(),
        event: target.event.clone(),
        non_event: target.non_event.clone(),
        rows: y.len(),
        events,
        features: specs,
        dropped,
        validation,
        training,
        grades,
        profile,
        calibration,
        body,
    })
}

/// Each feature's distribution and binning, and the PD distribution, at training.
fn profile(features: &Table, y: &[u8], pd: &[f64], spec: &TrainSpec) -> Result<Profile, TrainError> {
    let inputs = scorecard_features(features, &spec.special_values);
    let binnings = credence_scorecard::binning::fit_binnings(&inputs, y, &BinningConfig::default());
    let mut out = Vec::with_capacity(inputs.len());
    for ((name, c), binning) in features.names.iter().zip(&features.columns).zip(binnings) {
        let binning = binning.map_err(|e| TrainError::Binning(name.clone(), e))?;
        let (mean, min, max) = match c {
            Column::Numeric { values } => {
                let present: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
                let n = present.len().max(1) as f64;
                (
                    Some(present.iter().sum::<f64>() / n),
                    present.iter().copied().reduce(f64::min),
                    present.iter().copied().reduce(f64::max),
                )
            }
            Column::Categorical { .. } => (None, None, None),
        };
        out.push(FeatureProfile {
            name: name.clone(),
            missing_share: c.missing() as f64 / features.rows.max(1) as f64,
            mean,
            min,
            max,
            binning,
        });
    }
    let pd_bands = ScoreBands::quantiles(pd, 10)?;
    let pd_counts = pd_bands.counts(pd);
    Ok(Profile {
        features: out,
        pd_counts,
        pd_bands,
        roc: metrics::roc_curve(y, pd, 101)?,
        ks_curve: metrics::ks_curve(y, pd, 101)?,
        calibration: metrics::calibration_by_quantile(y, pd, 10)?,
        pd_histogram: histogram(pd, 20),
    })
}

/// Counts of PDs in `bands` equal bands of log-odds between the lowest and highest PD.
fn histogram(pd: &[f64], bands: usize) -> Vec<(f64, f64, u64)> {
    let (lo, hi) =
        pd.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &p| (a.min(logit(p)), b.max(logit(p))));
    if !lo.is_finite() || hi <= lo {
        return vec![(
            pd.first().copied().unwrap_or(0.0),
            pd.first().copied().unwrap_or(0.0),
            pd.len() as u64,
        )];
    }
    let width = (hi - lo) / bands as f64;
    let mut counts = vec![0u64; bands];
    for &p in pd {
        counts[(((logit(p) - lo) / width) as usize).min(bands - 1)] += 1;
    }
    let back = |x: f64| 1.0 / (1.0 + (-x).exp());
    counts
        .into_iter()
        .enumerate()
        .map(|(k, c)| (back(lo + k as f64 * width), back(lo + (k + 1) as f64 * width), c))
        .collect()
}
