//! The binning + logistic scorecard: fit, points, scoring and reasons.
//!
//! [`fit_scorecard`] bins every feature ([`crate::binning`], in parallel), keeps
//! the features whose IV reaches [`SelectionConfig::min_iv`], optionally drops the weaker
//! of two features whose WoE columns correlate beyond
//! [`SelectionConfig::max_correlation`], fits a logistic regression of the target on the
//! WoE columns (all of them, or a stepwise selection), removes features whose coefficient
//! has the wrong sign and refits, and scales the result to points ([`Scaling`]). The WoE
//! matrix is never built: the regression reads each row's bin and the bin's WoE.
//!
//! **Signs.** WoE rises as risk falls, so every coefficient of a sensible model on WoE is
//! negative, and points rise with WoE. A positive coefficient means the feature is
//! standing in for others it correlates with; with [`SelectionConfig::drop_wrong_sign`]
//! (the default) the wrong-signed feature with the largest p-value is dropped and the
//! model refitted until every sign is right.
//!
//! **Scoring** ([`Scorecard::score`]) gives each row its PD and score; rows are scored in
//! parallel chunks and a feature's points come from a table per bin. **Reasons**
//! ([`Scorecard::explain`]) rank a row's features by the points it lost against the best
//! bin of each feature (the usual basis of adverse-action reason codes).
//!
//! A [`Scorecard`] is plain data: serialise it (JSON through serde) and load it back to
//! score the same bits. [`FORMAT_VERSION`] changes whenever the stored form does.

mod scaling;
mod score;
mod select;

pub use scaling::Scaling;
pub use score::{Contribution, Explanation, Scores};

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::binning::{self, Binning, BinningConfig, BinningError};
use crate::column::{DataError, Feature, check_target};
use crate::logistic::{Coefficient, FitWarning, LogisticConfig, LogisticError, StepwiseConfig};

/// Version of the stored form of a [`Scorecard`].
pub const FORMAT_VERSION: u32 = 1;

/// Which features the model keeps. [`SelectionConfig::default`] gives the values
/// documented on each field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SelectionConfig {
    /// Least IV of a feature; default 0.02 (below it a feature is "not predictive",
    /// Siddiqi 2006).
    pub min_iv: f64,
    /// Of two features whose WoE columns correlate beyond this (in absolute value), the
    /// one with the lower IV is dropped; default none.
    pub max_correlation: Option<f64>,
    /// Stepwise selection among the remaining features; default none (all enter).
    pub stepwise: Option<StepwiseConfig>,
    /// Drop features whose coefficient has the wrong sign; default true.
    pub drop_wrong_sign: bool,
}

impl Default for SelectionConfig {
    fn default() -> Self {
        SelectionConfig { min_iv: 0.02, max_correlation: None, stepwise: None, drop_wrong_sign: true }
    }
}

/// How to fit a scorecard. [`ScorecardConfig::default`] takes the defaults of each part,
/// except for a ridge penalty λ = 1 on the regression (scikit-learn's default `C = 1`):
/// it steadies the coefficients of correlated WoE columns on small samples and is
/// negligible on large ones.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ScorecardConfig {
    /// Binning of every feature not in `binning_overrides`.
    pub binning: BinningConfig,
    /// Binning of particular features, by name.
    pub binning_overrides: BTreeMap<String, BinningConfig>,
    pub selection: SelectionConfig,
    pub logistic: LogisticConfig,
    pub scaling: Scaling,
}

impl Default for ScorecardConfig {
    fn default() -> Self {
        ScorecardConfig {
            binning: BinningConfig::default(),
            binning_overrides: BTreeMap::new(),
            selection: SelectionConfig::default(),
            logistic: LogisticConfig { l2: 1.0, ..LogisticConfig::default() },
            scaling: Scaling::default(),
        }
    }
}

/// A feature in the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoredFeature {
    pub binning: Binning,
    pub coefficient: Coefficient,
    /// Points of each bin, in bin order.
    pub points: Vec<f64>,
}

impl ScoredFeature {
    pub fn name(&self) -> &str {
        &self.binning.feature
    }
}

/// Why a feature is not in the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Exclusion {
    /// IV below [`SelectionConfig::min_iv`].
    LowIv,
    /// Its WoE correlates with a feature of higher IV beyond
    /// [`SelectionConfig::max_correlation`].
    Correlated { with: String, correlation: f64 },
    /// Stepwise selection left it out (never entered, or removed with this p-value).
    Stepwise { p_value: Option<f64> },
    /// Its coefficient was positive (with this estimate) in the fit that dropped it.
    WrongSign { estimate: f64 },
    /// Its WoE column is a linear combination of the WoE columns of features before it
    /// (such as an exact copy), which makes the regression singular.
    Collinear,
}

/// A feature left out, with its binning for reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExcludedFeature {
    pub binning: Binning,
    pub reason: Exclusion,
}

/// The figures of the final regression.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitSummary {
    pub log_likelihood: f64,
    pub null_log_likelihood: f64,
    pub aic: f64,
    pub rows: usize,
    pub events: usize,
    pub iterations: usize,
    pub converged: bool,
    pub warnings: Vec<FitWarning>,
}

/// A fitted scorecard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scorecard {
    pub format_version: u32,
    pub scaling: Scaling,
    pub intercept: Coefficient,
    /// The model's features, in the order of the input.
    pub features: Vec<ScoredFeature>,
    /// The features left out, in the order of the input.
    pub excluded: Vec<ExcludedFeature>,
    pub fit: FitSummary,
}

/// Why a scorecard could not be fitted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ScorecardError {
    #[error(transparent)]
    Data(#[from] DataError),
    #[error("binning feature {feature}")]
    Binning {
        feature: String,
        #[source]
        source: BinningError,
    },
    #[error("fitting the regression")]
    Logistic(#[from] LogisticError),
    #[error("feature {0} appears twice")]
    DuplicateFeature(String),
    #[error("no feature passed the selection")]
    NoFeatureSelected,
    #[error("invalid scaling {0:?}: PDO and base odds must be positive and finite")]
    Scaling(Scaling),
    #[error("max_correlation must be in (0, 1], found {0}")]
    Correlation(f64),
}

/// Fits a scorecard (see the module documentation).
pub fn fit_scorecard(
    features: &[Feature<'_>],
    target: &[u8],
    config: &ScorecardConfig,
) -> Result<Scorecard, ScorecardError> {
    config.scaling.validate()?;
    config.logistic.validate()?;
    if let Some(c) = config.selection.max_correlation.filter(|c| !(*c > 0.0 && *c <= 1.0)) {
        return Err(ScorecardError::Correlation(c));
    }
    let counts = check_target(target)?;
    let mut names = HashSet::new();
    if let Some(f) = features.iter().find(|f| !names.insert(f.name.as_str())) {
        return Err(ScorecardError::DuplicateFeature(f.name.clone()));
    }

    let fitted = fit_all_binnings(features, target, config)?;
    let mut reasons: Vec<Option<Exclusion>> =
        fitted.iter().map(|(b, _)| (b.iv < config.selection.min_iv).then_some(Exclusion::LowIv)).collect();
    let woe: Vec<Vec<f64>> = fitted.iter().map(|(b, _)| b.woe()).collect();
    if let Some(limit) = config.selection.max_correlation {
        select::drop_correlated(&fitted, &woe, limit, &mut reasons);
    }
    let kept: Vec<usize> = (0..fitted.len()).filter(|&i| reasons[i].is_none()).collect();
    let regression = select::Regression { fitted: &fitted, woe: &woe, target, config };
    let (kept, fit) = regression.fit(kept, &mut reasons)?;

    let scaling = config.scaling;
    let share = (scaling.offset() - scaling.factor() * fit.intercept.estimate) / kept.len() as f64;
    let mut model = Vec::with_capacity(kept.len());
    let mut excluded = Vec::new();
    let mut coefs = kept.iter().zip(&fit.coefficients);
    let mut next = coefs.next();
    for (i, (binning, _)) in fitted.into_iter().enumerate() {
        match next {
            Some((&k, c)) if k == i => {
                let points =
                    binning.bins.iter().map(|b| -scaling.factor() * c.estimate * b.woe + share).collect();
                model.push(ScoredFeature { binning, coefficient: *c, points });
                next = coefs.next();
            }
            _ => excluded.push(ExcludedFeature {
                binning,
                reason: reasons[i].clone().unwrap_or(Exclusion::Stepwise { p_value: None }),
            }),
        }
    }
    Ok(Scorecard {
        format_version: FORMAT_VERSION,
        scaling,
        intercept: fit.intercept,
        features: model,
        excluded,
        fit: FitSummary {
            log_likelihood: fit.log_likelihood,
            null_log_likelihood: fit.null_log_likelihood,
            aic: fit.aic,
            rows: fit.rows,
            events: counts.events,
            iterations: fit.iterations,
            converged: fit.converged,
            warnings: fit.warnings,
        },
    })
}

/// Bins every feature with its configuration, keeping the training rows' bins.
fn fit_all_binnings(
    features: &[Feature<'_>],
    target: &[u8],
    config: &ScorecardConfig,
) -> Result<Vec<(Binning, Vec<u16>)>, ScorecardError> {
    let mut out: Vec<Option<(Binning, Vec<u16>)>> = vec![None; features.len()];
    // Group the features by configuration so each group is binned in one parallel call.
    let mut groups: BTreeMap<Option<&str>, Vec<usize>> = BTreeMap::new();
    for (i, f) in features.iter().enumerate() {
        let key = config.binning_overrides.get_key_value(&f.name).map(|(k, _)| k.as_str());
        groups.entry(key).or_default().push(i);
    }
    for (key, members) in groups {
        let cfg = key.map_or(&config.binning, |k| &config.binning_overrides[k]);
        let subset: Vec<Feature<'_>> = members.iter().map(|&i| features[i].clone()).collect();
        for (&i, r) in members.iter().zip(binning::fit_with_indices(&subset, target, cfg, true)) {
            let fitted =
                r.map_err(|source| ScorecardError::Binning { feature: features[i].name.clone(), source })?;
            out[i] = Some(fitted);
        }
    }
    Ok(out.into_iter().flatten().collect())
}

#[cfg(test)]
mod tests;
