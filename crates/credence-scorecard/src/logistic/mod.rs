//! Logistic regression by Newton's method (iteratively reweighted least squares), with
//! an optional ridge penalty, Wald statistics, and stepwise selection.
//!
//! **Model.** P(y = 1 | x) = 1 / (1 + exp(−(β₀ + Σ βⱼ xⱼ))). The fit maximises the
//! log-likelihood minus (λ/2) Σⱼ βⱼ² ([`LogisticConfig::l2`] = λ; the intercept is not
//! penalised, as in scikit-learn's `LogisticRegression` where λ = 1/C). Each iteration
//! solves (I + λ) Δ = U − λβ by Cholesky, with the information I = XᵀWX and score U =
//! Xᵀ(y − μ) from one pass over the rows in parallel chunks (summed in chunk order, so
//! the result does not depend on the number of threads); when a step lowers the
//! penalised likelihood it is halved, up to 30 times. The fit stops when the relative change of the penalised deviance falls below
//! [`LogisticConfig::tolerance`] (R's `glm` criterion, tighter by default).
//!
//! **Standard errors** are the square roots of the diagonal of the inverse (penalised)
//! information at the optimum; z = β / se and the two-sided p-value is
//! 2(1 − Φ(|z|)) = erfc(|z|/√2).
//!
//! **Separation.** When a combination of columns separates the classes, the likelihood
//! has no maximum and the coefficients grow without bound. The fit then stops at the
//! iteration limit, or converges with fitted probabilities numerically 0 or 1; either way
//! it carries a [`FitWarning`] and the remedy is a positive `l2`. A column that is a
//! combination of the others makes the information singular: [`LogisticError::Singular`].

mod cholesky;
pub(crate) mod design;
pub(crate) mod moments;
mod stepwise;

pub(crate) use stepwise::stepwise_design;
pub use stepwise::{Step, StepAction, StepDirection, Stepwise, StepwiseConfig, stepwise};

use serde::{Deserialize, Serialize};

use crate::column::{DataError, check_length, check_target};
use design::{Dense, Design};
use moments::moments;

/// How to fit. [`LogisticConfig::default`] gives the values documented on each field.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LogisticConfig {
    /// Ridge penalty λ on the coefficients (not the intercept), ≥ 0; default 0.
    pub l2: f64,
    /// Relative change of the penalised deviance at which the fit stops; default 1e-10.
    pub tolerance: f64,
    /// Newton iterations at most; default 50.
    pub max_iterations: usize,
}

impl Default for LogisticConfig {
    fn default() -> Self {
        LogisticConfig { l2: 0.0, tolerance: 1e-10, max_iterations: 50 }
    }
}

/// A coefficient with its Wald statistics.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Coefficient {
    pub estimate: f64,
    pub std_error: f64,
    /// estimate / std_error.
    pub z: f64,
    /// Two-sided p-value of z under the standard normal.
    pub p_value: f64,
}

/// Something to know about a fit that did not stop it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "warning")]
pub enum FitWarning {
    /// The iteration limit came before convergence.
    NotConverged { iterations: usize },
    /// Some fitted probabilities are numerically 0 or 1: the classes are (nearly)
    /// separated and the coefficients are not to be trusted without a penalty.
    Separation { rows: usize },
}

/// A fitted logistic regression.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogisticFit {
    pub intercept: Coefficient,
    /// One per column, in column order.
    pub coefficients: Vec<Coefficient>,
    /// Log-likelihood at the estimates (without the penalty).
    pub log_likelihood: f64,
    /// Log-likelihood of the intercept-only model.
    pub null_log_likelihood: f64,
    /// −2 log-likelihood + 2 × (number of coefficients with the intercept).
    pub aic: f64,
    pub rows: usize,
    pub events: usize,
    pub l2: f64,
    pub iterations: usize,
    pub converged: bool,
    pub warnings: Vec<FitWarning>,
}

/// Why a model could not be fitted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LogisticError {
    #[error(transparent)]
    Data(#[from] DataError),
    #[error("{field} must be {expected}, found {found}")]
    Config { field: &'static str, expected: &'static str, found: f64 },
    /// The information matrix is singular: the column (0-based, `None` for the intercept)
    /// is a linear combination of the columns before it.
    #[error("the information matrix is singular at column {column:?}: columns are collinear")]
    Singular { column: Option<usize> },
}

impl LogisticConfig {
    /// Checks every field against its documented range.
    pub fn validate(&self) -> Result<(), LogisticError> {
        let bad = |field, expected, found| Err(LogisticError::Config { field, expected, found });
        if !(self.l2 >= 0.0 && self.l2.is_finite()) {
            return bad("l2", "finite and at least 0", self.l2);
        }
        if self.tolerance.is_nan() || self.tolerance <= 0.0 {
            return bad("tolerance", "above 0", self.tolerance);
        }
        if self.max_iterations == 0 {
            return bad("max_iterations", "at least 1", 0.0);
        }
        Ok(())
    }
}

impl LogisticFit {
    /// β₀ + Σ βⱼ xⱼ for every row of `columns` (in the fit's column order).
    pub fn linear_predictor(&self, columns: &[&[f64]]) -> Vec<f64> {
        let n = columns.first().map_or(0, |c| c.len());
        let mut eta = vec![self.intercept.estimate; n];
        for (col, c) in columns.iter().zip(&self.coefficients) {
            for (e, &x) in eta.iter_mut().zip(col.iter()) {
                *e += c.estimate * x;
            }
        }
        eta
    }

    /// The fitted probability of the event for every row of `columns`.
    pub fn predict(&self, columns: &[&[f64]]) -> Vec<f64> {
        self.linear_predictor(columns).into_iter().map(sigmoid).collect()
    }
}

/// 1 / (1 + e^−x), without overflow.
pub fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let t = x.exp();
        t / (1.0 + t)
    }
}

/// Two-sided p-value of a standard normal statistic: erfc(|z|/√2).
pub fn two_sided_p(z: f64) -> f64 {
    libm::erfc(z.abs() / std::f64::consts::SQRT_2)
}

/// Fits a logistic regression of `target` on `columns` (each as long as the target).
pub fn fit_logistic(
    columns: &[&[f64]],
    target: &[u8],
    config: &LogisticConfig,
) -> Result<LogisticFit, LogisticError> {
    check_columns(columns, target)?;
    fit_design(&Dense { columns, rows: target.len() }, target, config, None)
}

pub(crate) fn check_columns(columns: &[&[f64]], target: &[u8]) -> Result<(), LogisticError> {
    check_target(target)?;
    for (j, c) in columns.iter().enumerate() {
        check_length(&format!("column {j}"), c.len(), target.len())?;
        if let Some(row) = c.iter().position(|x| !x.is_finite()) {
            return Err(DataError::NotFinite { what: format!("column {j}"), row }.into());
        }
    }
    Ok(())
}

/// Fits on a checked design, from `start` (intercept first) or from the intercept-only
/// solution.
pub(crate) fn fit_design<D: Design>(
    design: &D,
    target: &[u8],
    config: &LogisticConfig,
    start: Option<&[f64]>,
) -> Result<LogisticFit, LogisticError> {
    config.validate()?;
    let counts = check_target(target)?;
    let (n, b) = (target.len() as f64, counts.events as f64);
    let q = design.cols() + 1;
    let null_ll = b * (b / n).ln() + (n - b) * ((n - b) / n).ln();
    let mut beta = match start {
        Some(s) => s.to_vec(),
        None => {
            let mut v = vec![0.0; q];
            v[0] = (b / (n - b)).ln();
            v
        }
    };
    let lambda = config.l2;
    let penalised = |ll: f64, beta: &[f64]| ll - 0.5 * lambda * beta[1..].iter().map(|x| x * x).sum::<f64>();
    let mut m = moments(design, &beta, target, None::<&D>);
    let mut objective = penalised(m.log_likelihood, &beta);
    let mut converged = false;
    let mut iterations = 0;
    while iterations < config.max_iterations {
        iterations += 1;
        let (info, grad) = penalise(&m.information, &m.score, &beta, lambda, q);
        let l = cholesky::factor(&info, q).map_err(|e| singular(e.pivot))?;
        let delta = cholesky::solve(&l, q, &grad);
        let mut step = 1.0;
        let mut accepted = false;
        for _ in 0..=30 {
            let trial: Vec<f64> = beta.iter().zip(&delta).map(|(b, d)| b + step * d).collect();
            let tm = moments(design, &trial, target, None::<&D>);
            let tobj = penalised(tm.log_likelihood, &trial);
            if tobj >= objective - 1e-12 * objective.abs() {
                let change = (tobj - objective).abs() / (tobj.abs() + 0.1);
                beta = trial;
                m = tm;
                objective = tobj;
                accepted = true;
                converged = change < config.tolerance;
                break;
            }
            step *= 0.5;
        }
        if !accepted {
            // No step along the Newton direction improves: the optimum to working precision.
            converged = true;
        }
        if converged {
            break;
        }
    }
    let (info, _) = penalise(&m.information, &m.score, &beta, lambda, q);
    let l = cholesky::factor(&info, q).map_err(|e| singular(e.pivot))?;
    let cov = cholesky::inverse(&l, q);
    let coef = |j: usize| {
        let se = cov[j * q + j].sqrt();
        let z = beta[j] / se;
        Coefficient { estimate: beta[j], std_error: se, z, p_value: two_sided_p(z) }
    };
    let mut warnings = Vec::new();
    if !converged {
        warnings.push(FitWarning::NotConverged { iterations });
    }
    if m.extreme > 0 {
        warnings.push(FitWarning::Separation { rows: m.extreme });
    }
    Ok(LogisticFit {
        intercept: coef(0),
        coefficients: (1..q).map(coef).collect(),
        log_likelihood: m.log_likelihood,
        null_log_likelihood: null_ll,
        aic: -2.0 * m.log_likelihood + 2.0 * q as f64,
        rows: target.len(),
        events: counts.events,
        l2: lambda,
        iterations,
        converged,
        warnings,
    })
}

fn singular(pivot: usize) -> LogisticError {
    LogisticError::Singular { column: pivot.checked_sub(1) }
}

/// The penalised information and gradient.
fn penalise(info: &[f64], score: &[f64], beta: &[f64], lambda: f64, q: usize) -> (Vec<f64>, Vec<f64>) {
    let mut i = info.to_vec();
    let mut g = score.to_vec();
    for j in 1..q {
        i[j * q + j] += lambda;
        g[j] -= lambda * beta[j];
    }
    (i, g)
}

#[cfg(test)]
mod tests;
