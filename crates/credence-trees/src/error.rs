//! Error types: one enum per step (building a data set, checking parameters, training,
//! loading or applying a model).

use thiserror::Error;

use crate::dataset::FeatureKind;

#[derive(Debug, Error, PartialEq)]
pub enum DatasetError {
    #[error("a data set needs at least one feature")]
    NoFeatures,
    #[error("feature `{feature}` has {len} rows, expected {expected}")]
    LengthMismatch { feature: String, len: usize, expected: usize },
    #[error("feature name `{feature}` appears more than once")]
    DuplicateName { feature: String },
    #[error("categorical feature `{feature}` declares {n_categories} categories (allowed: 1 to 1,048,576)")]
    BadCategoryCount { feature: String, n_categories: u32 },
    #[error(
        "categorical feature `{feature}` has code {code} at row {row}, but only {n_categories} categories"
    )]
    CategoryOutOfRange { feature: String, row: usize, code: u32, n_categories: u32 },
}

/// A parameter outside its allowed range, found before any work is done.
#[derive(Debug, Error, PartialEq)]
#[error("parameter `{name}` {requirement}, got {value}")]
pub struct ParamError {
    pub name: &'static str,
    pub requirement: &'static str,
    pub value: String,
}

#[derive(Debug, Error)]
pub enum TrainError {
    #[error(transparent)]
    Param(#[from] ParamError),
    #[error("the target has {len} values but the data set has {expected} rows")]
    TargetLength { len: usize, expected: usize },
    #[error("the target must be 0 or 1, found {value} at row {row}")]
    TargetNotBinary { row: usize, value: u8 },
    #[error("the training target has {events} events in {rows} rows; both classes are needed")]
    SingleClass { events: usize, rows: usize },
    #[error("monotone constraint on unknown feature `{feature}`")]
    MonotoneUnknownFeature { feature: String },
    #[error("monotone constraint on categorical feature `{feature}`; only numeric features can be monotone")]
    MonotoneOnCategorical { feature: String },
    #[error("validation data does not match the training features")]
    ValidationFeatures(#[source] ModelError),
    #[error("the validation target has {len} values but the validation data has {expected} rows")]
    ValidationTargetLength { len: usize, expected: usize },
    #[error("the validation data has no rows")]
    EmptyValidation,
}

#[derive(Debug, Error)]
pub enum ModelError {
    #[error("the model file is not valid JSON for a tree model")]
    Parse(#[source] serde_json::Error),
    #[error("model format version {found} is not supported (this build reads version {supported})")]
    UnsupportedVersion { found: u32, supported: u32 },
    #[error("the model file is inconsistent: {reason}")]
    Invalid { reason: String },
    #[error("the data has no feature `{feature}`, which the model uses")]
    MissingFeature { feature: String },
    #[error("feature `{feature}` is {found:?} in the data but {expected:?} in the model")]
    KindMismatch { feature: String, expected: FeatureKind, found: FeatureKind },
}
