//! The modelling workbench (RATE-4, RATE-5, GOV-2): tabular data typed into feature
//! columns, the target read as event or not, models trained and cross-validated, scored
//! with reasons, reported for validation and monitored for drift.
//!
//! - [`table`]: rows of text into numeric and categorical columns; the target.
//! - [`spec`]: what to train (scorecard, logistic, gbdt, forest) and how, checked first.
//! - [`fit`]: feature choice (constant and identifier-like columns are left out, with the
//!   reason), stratified k-fold cross-validation, the final fit, grade table and profile.
//! - [`artefact`]: the saved model (versioned, with its training profile) and reading new
//!   rows into its schema.
//! - [`score`]: PD, points and grade per row with the top reasons.
//! - [`report`]: the validation report as data or HTML. [`monitor`]: PSI and CSI.
//!
//! The numerical work is done by `credence-scorecard` (binning, WoE, logistic regression,
//! metrics, stability) and `credence-trees` (boosting, forests, TreeSHAP). This crate
//! does no IO and reads no clock: the engine reads files row by row and writes what
//! comes out, and passes the training time in.

pub mod artefact;
pub mod fit;
pub mod monitor;
pub mod report;
pub mod score;
pub mod spec;
pub mod table;

pub use artefact::{FeatureSpec, ModelFile, SchemaReader};
pub use credence_scorecard::stability::{Psi, StabilityLevel};
pub use fit::{TrainError, train};
pub use score::{Reason, RowScore, score_table};
pub use spec::{Calibrate, GradeBand, ModelKind, Shape, TrainSpec};
pub use table::{Column, Table, TableBuilder, TableError, Target, TargetError, read_target};
