//! Stepwise selection of columns for a logistic regression, as SAS `PROC LOGISTIC`
//! does it: columns enter by the score (Rao) test and leave by the Wald test.
//!
//! - **Forward**: from the intercept alone, the column with the smallest score-test
//!   p-value enters while that p-value is below [`StepwiseConfig::p_enter`]. The score
//!   statistic of a column c not in the model M, at the fit of M, is
//!   (U_c − I_cM I_MM⁻¹ U_M)² / (I_cc − I_cM I_MM⁻¹ I_Mc), chi-square with one degree of
//!   freedom; one pass over the rows gives it for every candidate at once, so a step costs
//!   one refit and one pass, not one fit per candidate. It is computed without the ridge
//!   penalty.
//! - **Backward**: from all columns, the column with the largest Wald p-value leaves
//!   while that p-value is above [`StepwiseConfig::p_remove`].
//! - **Both**: forward, but after every entry the columns whose Wald p-value has risen
//!   above `p_remove` leave, worst first. A selection met before ends the search, so it
//!   cannot cycle.

use serde::{Deserialize, Serialize};

use super::design::{Dense, Design, Subset};
use super::{LogisticConfig, LogisticError, LogisticFit, check_columns, cholesky, fit_design, moments};

/// Which way to search.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepDirection {
    Forward,
    Backward,
    Both,
}

/// How to search. [`StepwiseConfig::default`] gives the values documented on each field.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StepwiseConfig {
    /// Default [`StepDirection::Both`].
    pub direction: StepDirection,
    /// Score-test p-value below which a column may enter; default 0.05.
    pub p_enter: f64,
    /// Wald p-value above which a column leaves; default 0.05.
    pub p_remove: f64,
    /// Most columns in the model; default none.
    pub max_columns: Option<usize>,
}

impl Default for StepwiseConfig {
    fn default() -> Self {
        StepwiseConfig { direction: StepDirection::Both, p_enter: 0.05, p_remove: 0.05, max_columns: None }
    }
}

/// Whether a column entered or left.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepAction {
    Enter,
    Remove,
}

/// One step of the search.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub action: StepAction,
    /// Index of the column among the candidates.
    pub column: usize,
    /// The score-test p-value of an entry, the Wald p-value of a removal.
    pub p_value: f64,
}

/// The result of a stepwise search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stepwise {
    /// The chosen columns, in increasing order.
    pub selected: Vec<usize>,
    pub steps: Vec<Step>,
    /// The fit on the chosen columns (coefficients in the order of `selected`).
    pub fit: LogisticFit,
}

/// Stepwise selection among `columns`.
pub fn stepwise(
    columns: &[&[f64]],
    target: &[u8],
    logistic: &LogisticConfig,
    config: &StepwiseConfig,
) -> Result<Stepwise, LogisticError> {
    check_columns(columns, target)?;
    let design = Dense { columns, rows: target.len() };
    stepwise_design(&design, target, logistic, config)
}

pub(crate) fn stepwise_design<D: Design>(
    design: &D,
    target: &[u8],
    logistic: &LogisticConfig,
    config: &StepwiseConfig,
) -> Result<Stepwise, LogisticError> {
    let p = design.cols();
    let max = config.max_columns.unwrap_or(p).min(p);
    let mut selected: Vec<usize> =
        if config.direction == StepDirection::Backward { (0..p).collect() } else { vec![] };
    let mut steps = Vec::new();
    let mut visited = vec![selected.clone()];
    // Coefficients of the last fit, by column, for warm starts.
    let mut last: Vec<f64> = vec![0.0; p + 1];
    loop {
        let fit = fit_subset(design, target, logistic, &selected, &mut last)?;
        if config.direction != StepDirection::Forward {
            let worst = fit
                .coefficients
                .iter()
                .enumerate()
                .max_by(|a, b| a.1.p_value.total_cmp(&b.1.p_value))
                .filter(|(_, c)| c.p_value > config.p_remove);
            if let Some((k, c)) = worst {
                let mut next = selected.clone();
                let column = next.remove(k);
                if visited.contains(&next) {
                    return Ok(Stepwise { selected, steps, fit });
                }
                steps.push(Step { action: StepAction::Remove, column, p_value: c.p_value });
                visited.push(next.clone());
                selected = next;
                continue;
            }
        }
        if config.direction == StepDirection::Backward || selected.len() >= max {
            return Ok(Stepwise { selected, steps, fit });
        }
        let Some((column, p_value)) = best_entry(design, target, &selected, &last)? else {
            return Ok(Stepwise { selected, steps, fit });
        };
        if p_value >= config.p_enter {
            return Ok(Stepwise { selected, steps, fit });
        }
        let mut next = selected.clone();
        next.push(column);
        next.sort_unstable();
        if visited.contains(&next) {
            return Ok(Stepwise { selected, steps, fit });
        }
        steps.push(Step { action: StepAction::Enter, column, p_value });
        visited.push(next.clone());
        selected = next;
    }
}

/// Fits the columns `selected`, warm-started from `last` (intercept first, then by
/// column), which it updates.
fn fit_subset<D: Design>(
    design: &D,
    target: &[u8],
    logistic: &LogisticConfig,
    selected: &[usize],
    last: &mut [f64],
) -> Result<LogisticFit, LogisticError> {
    let sub = Subset { design, cols: selected };
    let start: Vec<f64> = std::iter::once(last[0]).chain(selected.iter().map(|&c| last[c + 1])).collect();
    let fit = fit_design(&sub, target, logistic, Some(&start))?;
    last.fill(0.0);
    last[0] = fit.intercept.estimate;
    for (&c, coef) in selected.iter().zip(&fit.coefficients) {
        last[c + 1] = coef.estimate;
    }
    Ok(fit)
}

/// The candidate with the smallest score-test p-value, if any can enter.
fn best_entry<D: Design>(
    design: &D,
    target: &[u8],
    selected: &[usize],
    last: &[f64],
) -> Result<Option<(usize, f64)>, LogisticError> {
    let remaining: Vec<usize> = (0..design.cols()).filter(|c| !selected.contains(c)).collect();
    if remaining.is_empty() {
        return Ok(None);
    }
    let model = Subset { design, cols: selected };
    let all: Vec<usize> = selected.iter().chain(&remaining).copied().collect();
    let info = Subset { design, cols: &all };
    let beta: Vec<f64> = std::iter::once(last[0]).chain(selected.iter().map(|&c| last[c + 1])).collect();
    let m = moments::moments(&model, &beta, target, Some(&info));
    let q = 1 + all.len();
    let a = 1 + selected.len();
    let mut imm = vec![0.0; a * a];
    for i in 0..a {
        imm[i * a..(i + 1) * a].copy_from_slice(&m.information[i * q..i * q + a]);
    }
    let l =
        cholesky::factor(&imm, a).map_err(|e| LogisticError::Singular { column: e.pivot.checked_sub(1) })?;
    let um = &m.score[..a];
    let mut best: Option<(usize, f64)> = None;
    for (t, &column) in remaining.iter().enumerate() {
        let k = a + t;
        let imk: Vec<f64> = (0..a).map(|i| m.information[i * q + k]).collect();
        let v = cholesky::solve(&l, a, &imk);
        let ikk = m.information[k * q + k];
        let denom = ikk - imk.iter().zip(&v).map(|(x, y)| x * y).sum::<f64>();
        if denom.is_nan() || denom <= 1e-10 * ikk {
            continue; // a combination of the model's columns
        }
        let num = m.score[k] - um.iter().zip(&v).map(|(x, y)| x * y).sum::<f64>();
        let stat = num * num / denom;
        let p = libm::erfc((stat / 2.0).sqrt());
        if best.is_none_or(|(_, bp)| p < bp) {
            best = Some((column, p));
        }
    }
    Ok(best)
}

/// The entry test of the best candidate, for tests.
#[cfg(test)]
pub(crate) fn tests_entry<D: Design>(
    design: &D,
    target: &[u8],
    selected: &[usize],
    last: &[f64],
) -> (usize, f64) {
    best_entry(design, target, selected, last).unwrap().unwrap()
}
