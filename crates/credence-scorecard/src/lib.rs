//! Statistical scorecards for Credence: optimal binning with weight of evidence, logistic
//! regression with stepwise selection, points scaling with reasons, calibration, stability
//! and model metrics — the modelling core behind `credence model train|score|report|monitor`.
//!
//! # Model
//!
//! - **Input** ([`column`](mod@column)): plain slices. A numeric feature is `&[f64]` with NaN for
//!   missing (and optional special values such as −999 that get bins of their own); a
//!   categorical feature is `&[u32]` codes into a label table with [`MISSING_CODE`] for
//!   missing; the target is `&[u8]`, 1 for the event (bad, default). The caller reads files.
//! - **Binning** ([`binning`]): quantile pre-bins, then the exact dynamic programme that
//!   maximises IV under a trend (ascending, descending, peak, valley, or chosen
//!   automatically), a minimum bin share and event count and a maximum bin count; missing
//!   and special values apart; categories ordered by event rate with rare ones pooled.
//!   WoE = ln(share of non-events / share of events): higher WoE, lower risk.
//! - **Regression** ([`logistic`]): Newton/IRLS with an optional ridge, Wald statistics,
//!   stepwise selection by score and Wald tests; the pass over the rows runs in parallel.
//! - **Scorecard** ([`scorecard`]): binning → IV filter → regression on WoE → points
//!   (600 at 50:1, 20 points to double the odds, by default); scores and PDs for many rows,
//!   and a row's reasons. Serialisable; a loaded scorecard scores the same bits.
//! - **Around the model**: [`calibration`] (Platt, isotonic), [`stability`] (PSI, CSI),
//!   [`metrics`] (AUC, KS, Gini, Brier, log-loss, capture rate, curves, calibration
//!   tables, stratified folds) and [`prepare`] (outlier clipping, mean imputation).
//!
//! The crate does no IO, reads no clock or environment and draws no random number but
//! from seeds it is given (or fixed seeds it documents). Parallel sums are added in a
//! fixed order, so a fit gives the same bits on any number of threads. Bad input comes
//! back as typed errors; conditions that do not stop a fit (a feature left out, a
//! warning of the regression) are recorded in its result.
//!
//! # Example
//!
//! ```
//! use credence_scorecard::Feature;
//! use credence_scorecard::metrics::auc;
//! use credence_scorecard::scorecard::{ScorecardConfig, fit_scorecard};
//!
//! // Utilisation drives risk; a tenth of the values are missing.
//! let utilisation: Vec<f64> =
//!     (0..2000).map(|i| if i % 10 == 0 { f64::NAN } else { f64::from(i % 100) / 100.0 }).collect();
//! let bad: Vec<u8> = (0..2000).map(|i| u8::from((i * 7919) % 100 < i % 100 / 2)).collect();
//!
//! let features = [Feature::numeric("utilisation", &utilisation)];
//! let card = fit_scorecard(&features, &bad, &ScorecardConfig::default()).unwrap();
//! let binning = &card.features[0].binning;
//! assert_eq!(binning.bins.last().unwrap().label, "missing");
//! // Risk rises with utilisation, so the bins' event rates do too.
//! assert!(binning.bins[0].event_rate < binning.bins[binning.cuts.len()].event_rate);
//!
//! let scores = card.score(&features).unwrap();
//! assert!(auc(&bad, &scores.pd).unwrap() > 0.7);
//! let why = card.explain(&features, 99, 3).unwrap();
//! assert_eq!(why.reasons[0].feature, "utilisation");
//! ```
#![forbid(unsafe_code)]

pub mod binning;
pub mod calibration;
pub mod column;
pub mod logistic;
pub mod metrics;
pub mod prepare;
mod rng;
pub mod scorecard;
pub mod stability;

pub use column::{Column, DataError, Feature, MISSING_CODE};
