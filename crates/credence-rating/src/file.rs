//! The model file as written: TOML read into plain structs that keep each value's position,
//! before any checking. `model.rs` turns this into a checked [`crate::ScorecardModel`].

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use credence_source::line_column;

use crate::error::{ModelError, Problem};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawModel {
    pub version: Spanned<String>,
    pub name_zh: String,
    pub name_en: String,
    pub missing: RawMissing,
    pub dimensions: Vec<RawLabel>,
    #[serde(default)]
    pub qualitative: Vec<RawLabel>,
    #[serde(default)]
    pub flags: Vec<RawLabel>,
    pub indicators: BTreeMap<Spanned<String>, RawCurve>,
    pub sub_models: Vec<RawSubModel>,
    pub calibration: Spanned<RawCalibration>,
    pub letter_grades: Vec<Spanned<RawLetterGrade>>,
    pub point_grades: Vec<Spanned<RawPointGrade>>,
    #[serde(default)]
    pub knockouts: Vec<RawKnockout>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MissingPolicy {
    /// A missing line's weight goes pro rata to the present lines of its dimension (and a
    /// wholly missing dimension's weight to the other dimensions).
    Redistribute,
    /// A missing line scores `neutral_points` with its full weight.
    Neutral,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMissing {
    pub policy: MissingPolicy,
    pub neutral_points: Spanned<f64>,
}

/// An id with names: dimensions, qualitative factors, flags.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawLabel {
    pub id: Spanned<String>,
    pub name_zh: String,
    pub name_en: String,
}

/// Which way an indicator is good; checked against the curve's shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    HigherBetter,
    LowerBetter,
    /// Best inside a range, worse on both sides; the curve may rise and fall.
    Target,
}

/// How a value is shown in explanations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// A plain ratio such as 1.52.
    Ratio,
    /// Percent, as the indicator catalogue reports it: 78.0 → 78.0%.
    Percent,
    /// Turns per year.
    Times,
    Days,
    Months,
    Years,
    Count,
    /// Points on the indicator's own scale (payment timeliness score 0–10).
    Points,
    /// Yuan.
    Cny,
    /// −1 … 1 (sentiment).
    Index,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCurve {
    pub name_zh: String,
    pub name_en: String,
    pub unit: Unit,
    pub direction: Spanned<Direction>,
    pub points: Option<Vec<Spanned<(f64, f64)>>>,
    pub bands: Option<Vec<Spanned<RawBand>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawBand {
    pub from: Option<f64>,
    pub to: Option<f64>,
    pub points: f64,
}

pub(crate) type RawWeights = Spanned<BTreeMap<Spanned<String>, Spanned<f64>>>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSubModel {
    pub id: Spanned<String>,
    pub name_zh: String,
    pub name_en: String,
    #[serde(default)]
    pub customer_types: Vec<Spanned<String>>,
    #[serde(default)]
    pub industries: Vec<Spanned<String>>,
    #[serde(default)]
    pub sub_industries: Vec<Spanned<String>>,
    pub dimension_weights: Option<RawWeights>,
    #[serde(default)]
    pub indicators: BTreeMap<Spanned<String>, RawWeights>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCalibration {
    pub anchors: Vec<Spanned<(f64, f64)>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawLetterGrade {
    pub grade: Spanned<String>,
    pub name_zh: String,
    pub name_en: String,
    pub pd_from: f64,
    pub pd_to: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPointGrade {
    pub grade: Spanned<String>,
    pub name_zh: String,
    pub name_en: String,
    pub score_from: f64,
    pub score_to: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawKnockout {
    pub code: Spanned<String>,
    pub name: Spanned<String>,
    pub name_zh: String,
    pub name_en: String,
    pub when: Spanned<String>,
    pub letter_grade_at_best: Spanned<String>,
    pub point_grade_at_best: Spanned<String>,
}

/// Reads the TOML; a syntax or type error becomes the file's single problem.
pub(crate) fn read(text: &str, file: &str) -> Result<RawModel, ModelError> {
    toml::from_str(text).map_err(|e| {
        let (line, column) = line_column(text, e.span().map_or(0, |s| s.start));
        ModelError::Invalid(vec![Problem::new(file, line, column, e.message().trim())])
    })
}

/// Byte offset of the first character of a string value's content: the span starts at the
/// opening quote. Exact for strings without escapes, which ids and conditions are.
pub(crate) fn content_start(text: &str, span_start: usize) -> usize {
    let rest = &text[span_start.min(text.len())..];
    if rest.starts_with("\"\"\"") || rest.starts_with("'''") {
        // A newline right after the opening quotes is not part of the value.
        match rest.as_bytes().get(3) {
            Some(b'\n') => span_start + 4,
            Some(b'\r') => span_start + 5,
            _ => span_start + 3,
        }
    } else if rest.starts_with('"') || rest.starts_with('\'') {
        span_start + 1
    } else {
        span_start
    }
}
