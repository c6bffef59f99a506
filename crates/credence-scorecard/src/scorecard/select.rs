//! Feature selection after binning: the correlation filter, and the regression with its
//! stepwise search, collinearity and sign checks.

use std::collections::BTreeMap;

use rayon::prelude::*;

use super::{Exclusion, ScorecardConfig, ScorecardError};
use crate::binning::Binning;
use crate::logistic::design::Binned;
use crate::logistic::{self, LogisticError, LogisticFit, StepAction};

/// The binned training data of a scorecard fit.
pub(super) struct Regression<'a> {
    pub fitted: &'a [(Binning, Vec<u16>)],
    pub woe: &'a [Vec<f64>],
    pub target: &'a [u8],
    pub config: &'a ScorecardConfig,
}

impl Regression<'_> {
    fn design(&self, kept: &[usize]) -> Binned<'_> {
        Binned {
            indices: kept.iter().map(|&i| self.fitted[i].1.as_slice()).collect(),
            values: kept.iter().map(|&i| self.woe[i].as_slice()).collect(),
            rows: self.target.len(),
        }
    }

    /// Fits the regression on the features `kept` (increasing), searching stepwise when
    /// configured, dropping collinear and then wrong-signed features; returns the features
    /// of the final fit (increasing) and the fit, and records why the others left.
    pub fn fit(
        &self,
        mut kept: Vec<usize>,
        reasons: &mut [Option<Exclusion>],
    ) -> Result<(Vec<usize>, LogisticFit), ScorecardError> {
        let (config, target) = (&self.config.logistic, self.target);
        if kept.is_empty() {
            return Err(ScorecardError::NoFeatureSelected);
        }
        let mut fit = if let Some(sw) = &self.config.selection.stepwise {
            let result = loop {
                match logistic::stepwise_design(&self.design(&kept), target, config, sw) {
                    Err(LogisticError::Singular { column: Some(pos) }) => {
                        drop_collinear(&mut kept, pos, reasons)?
                    }
                    r => break r?,
                }
            };
            let removed: BTreeMap<usize, f64> = result
                .steps
                .iter()
                .filter(|s| s.action == StepAction::Remove)
                .map(|s| (s.column, s.p_value))
                .collect();
            for (pos, &i) in kept.iter().enumerate() {
                if !result.selected.contains(&pos) {
                    reasons[i] = Some(Exclusion::Stepwise { p_value: removed.get(&pos).copied() });
                }
            }
            kept = result.selected.iter().map(|&pos| kept[pos]).collect();
            result.fit
        } else {
            loop {
                match logistic::fit_design(&self.design(&kept), target, config, None) {
                    Err(LogisticError::Singular { column: Some(pos) }) => {
                        drop_collinear(&mut kept, pos, reasons)?
                    }
                    r => break r?,
                }
            }
        };
        while let Some((pos, estimate)) =
            self.config.selection.drop_wrong_sign.then(|| wrong_sign(&fit)).flatten()
        {
            reasons[kept[pos]] = Some(Exclusion::WrongSign { estimate });
            kept.remove(pos);
            if kept.is_empty() {
                return Err(ScorecardError::NoFeatureSelected);
            }
            let start: Vec<f64> = std::iter::once(fit.intercept.estimate)
                .chain(
                    fit.coefficients.iter().enumerate().filter(|(k, _)| *k != pos).map(|(_, c)| c.estimate),
                )
                .collect();
            fit = logistic::fit_design(&self.design(&kept), target, config, Some(&start))?;
        }
        Ok((kept, fit))
    }
}

/// The position and estimate of the positive coefficient with the largest p-value.
fn wrong_sign(fit: &LogisticFit) -> Option<(usize, f64)> {
    fit.coefficients
        .iter()
        .enumerate()
        .filter(|(_, c)| c.estimate > 0.0)
        .max_by(|a, b| a.1.p_value.total_cmp(&b.1.p_value))
        .map(|(pos, c)| (pos, c.estimate))
}

/// Drops the feature at `pos` of `kept` as collinear.
fn drop_collinear(
    kept: &mut Vec<usize>,
    pos: usize,
    reasons: &mut [Option<Exclusion>],
) -> Result<(), ScorecardError> {
    reasons[kept[pos]] = Some(Exclusion::Collinear);
    kept.remove(pos);
    if kept.is_empty() { Err(ScorecardError::NoFeatureSelected) } else { Ok(()) }
}

/// Marks as [`Exclusion::Correlated`] every feature, among those not yet excluded, whose
/// WoE column correlates beyond `limit` (Pearson, absolute value) with a feature of higher
/// IV that is kept. Features are visited by decreasing IV (input order on ties).
pub(super) fn drop_correlated(
    fitted: &[(Binning, Vec<u16>)],
    woe: &[Vec<f64>],
    limit: f64,
    reasons: &mut [Option<Exclusion>],
) {
    let mut order: Vec<usize> = (0..fitted.len()).filter(|&i| reasons[i].is_none()).collect();
    order.sort_by(|&a, &b| fitted[b].0.iv.total_cmp(&fitted[a].0.iv));
    let stats: Vec<(f64, f64)> = fitted.iter().zip(woe).map(|((b, _), w)| mean_sd(b, w)).collect();
    let mut kept: Vec<usize> = Vec::new();
    for i in order {
        let hit = kept
            .par_iter()
            .map(|&k| (k, correlation(&fitted[i].1, &woe[i], stats[i], &fitted[k].1, &woe[k], stats[k])))
            .find_first(|(_, r)| r.abs() > limit);
        match hit {
            Some((k, r)) => {
                reasons[i] = Some(Exclusion::Correlated { with: fitted[k].0.feature.clone(), correlation: r })
            }
            None => kept.push(i),
        }
    }
}

/// Mean and standard deviation of a WoE column, from the bin counts.
fn mean_sd(binning: &Binning, woe: &[f64]) -> (f64, f64) {
    let n: f64 = binning.bins.iter().map(|b| b.count as f64).sum();
    let mean: f64 = binning.bins.iter().zip(woe).map(|(b, w)| b.count as f64 * w).sum::<f64>() / n;
    let var: f64 =
        binning.bins.iter().zip(woe).map(|(b, w)| b.count as f64 * (w - mean).powi(2)).sum::<f64>() / n;
    (mean, var.sqrt())
}

fn correlation(
    ia: &[u16],
    wa: &[f64],
    (ma, sa): (f64, f64),
    ib: &[u16],
    wb: &[f64],
    (mb, sb): (f64, f64),
) -> f64 {
    if sa == 0.0 || sb == 0.0 {
        return 0.0;
    }
    let cov: f64 =
        ia.iter().zip(ib).map(|(&a, &b)| (wa[usize::from(a)] - ma) * (wb[usize::from(b)] - mb)).sum::<f64>()
            / ia.len() as f64;
    cov / (sa * sb)
}
