//! A customer's latest rating with its breakdown as the API sends it: every scored line,
//! the dimensions, knock-outs, overrides and notes, and the analysts' inputs. Converted
//! from the engine's rating so the wire format is written down here.

use serde::Serialize;
use utoipa::ToSchema;

use credence_engine::types::rating as r;

/// The latest rating with its breakdown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RatingDetailBody {
    pub rating: RatingBody,
    /// `[indicator id, value]` of the indicators the scorecard does not score.
    #[schema(value_type = Vec<Vec<Object>>)]
    pub unscored: Vec<(String, Option<f64>)>,
    /// The qualitative scores the analysts entered.
    pub qualitative: Vec<QualitativeBody>,
    pub flags: Vec<String>,
}

/// The result of rating one customer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RatingBody {
    pub customer_id: String,
    #[schema(value_type = String, format = Date)]
    pub as_of: chrono::NaiveDate,
    pub catalogue_version: String,
    pub model_version: String,
    /// The applied sub-model layers joined by `+` (`sme+manufacturing`), or the base's id.
    pub sub_model: String,
    /// 0–100.
    pub score: f64,
    /// PD by the calibration of `score`.
    pub pd: f64,
    /// `pd` moved into the final letter grade's band.
    pub grade_pd: f64,
    /// Final letter grade, after knock-outs, caps and overrides.
    pub letter_grade: String,
    /// Final 100-point grade, after knock-outs, caps and overrides.
    pub point_grade: String,
    /// `[letter grade, 100-point grade]` from score and PD alone.
    #[schema(value_type = Vec<String>)]
    pub grade_before_knockouts: (String, String),
    /// Dimension by dimension, in model order.
    pub lines: Vec<ScoreLineBody>,
    pub dimensions: Vec<DimensionScoreBody>,
    /// Every knock-out and cap whose condition held, in model order.
    pub knockouts: Vec<KnockoutHitBody>,
    /// Manual overrides applied by the model, oldest first.
    pub overrides: Vec<OverrideRecordBody>,
    pub notes: Vec<RatingNoteBody>,
}

/// One scored line: an indicator or a qualitative factor.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScoreLineBody {
    /// Indicator id, or qualitative factor id when `qualitative`.
    pub indicator: String,
    pub dimension: String,
    pub qualitative: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// Why there is no value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing: Option<String>,
    /// 0–100 (0 for a missing line whose weight was redistributed).
    pub points: f64,
    /// Share of the total score as written.
    pub nominal_weight: f64,
    /// Share of the total score after redistribution.
    pub weight: f64,
    /// `points × weight`; sums to `score`.
    pub contribution: f64,
}

/// One dimension's score.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DimensionScoreBody {
    pub dimension: String,
    /// Weighted mean points of the dimension's lines that count, 0–100.
    pub points: f64,
    pub nominal_weight: f64,
    pub weight: f64,
    pub contribution: f64,
    /// Lines of the dimension without a value.
    pub missing_lines: usize,
}

/// A knock-out or cap whose condition held.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KnockoutHitBody {
    pub code: String,
    pub name: String,
    pub letter_grade_at_best: String,
    pub point_grade_at_best: String,
}

/// An override applied to the rating.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OverrideRecordBody {
    /// `letter` or `points`.
    pub scale: String,
    /// The grade the model gave on this scale (after knock-outs), before any override.
    pub original_grade: String,
    /// The grade just before this override.
    pub previous_grade: String,
    pub grade: String,
    pub reason: String,
    pub approver: String,
}

/// Something about the input the rating worked around.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RatingNoteBody {
    /// A flag the model does not declare; ignored.
    UnknownFlag { flag: String },
    /// A qualitative factor the model does not use; ignored.
    UnknownQualitativeFactor { factor: String },
    /// A factor scored more than once; the first score counts.
    QualitativeScoreRepeated { factor: String },
    /// A factor score outside 0–100, clamped to it.
    QualitativeScoreOutOfRange { factor: String, score: f64 },
    /// No line had a value: every line scored the neutral points.
    NoValues,
}

/// A qualitative score an analyst entered (factor code, 0–100).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QualitativeBody {
    pub factor: String,
    pub score: f64,
    pub assessed_on: String,
}

impl From<credence_engine::RatingDetail> for RatingDetailBody {
    fn from(d: credence_engine::RatingDetail) -> Self {
        RatingDetailBody {
            rating: d.rating.into(),
            unscored: d.unscored,
            qualitative: d
                .qualitative
                .into_iter()
                .map(|q| QualitativeBody { factor: q.factor, score: q.score, assessed_on: q.assessed_on })
                .collect(),
            flags: d.flags,
        }
    }
}

impl From<r::Rating> for RatingBody {
    fn from(x: r::Rating) -> Self {
        RatingBody {
            customer_id: x.customer_id.into_string(),
            as_of: x.as_of,
            catalogue_version: x.catalogue_version,
            model_version: x.model_version,
            sub_model: x.sub_model,
            score: x.score,
            pd: x.pd,
            grade_pd: x.grade_pd,
            letter_grade: x.letter_grade,
            point_grade: x.point_grade,
            grade_before_knockouts: x.grade_before_knockouts,
            lines: x
                .lines
                .into_iter()
                .map(|l| ScoreLineBody {
                    indicator: l.indicator,
                    dimension: l.dimension,
                    qualitative: l.qualitative,
                    value: l.value,
                    missing: l.missing,
                    points: l.points,
                    nominal_weight: l.nominal_weight,
                    weight: l.weight,
                    contribution: l.contribution,
                })
                .collect(),
            dimensions: x
                .dimensions
                .into_iter()
                .map(|d| DimensionScoreBody {
                    dimension: d.dimension,
                    points: d.points,
                    nominal_weight: d.nominal_weight,
                    weight: d.weight,
                    contribution: d.contribution,
                    missing_lines: d.missing_lines,
                })
                .collect(),
            knockouts: x
                .knockouts
                .into_iter()
                .map(|k| KnockoutHitBody {
                    code: k.code,
                    name: k.name,
                    letter_grade_at_best: k.letter_grade_at_best,
                    point_grade_at_best: k.point_grade_at_best,
                })
                .collect(),
            overrides: x.overrides.into_iter().map(override_record).collect(),
            notes: x.notes.into_iter().map(RatingNoteBody::from).collect(),
        }
    }
}

fn override_record(o: r::OverrideRecord) -> OverrideRecordBody {
    OverrideRecordBody {
        scale: match o.scale {
            r::ScaleKind::Letter => "letter",
            r::ScaleKind::Points => "points",
        }
        .to_owned(),
        original_grade: o.original_grade,
        previous_grade: o.previous_grade,
        grade: o.grade,
        reason: o.reason,
        approver: o.approver,
    }
}

impl From<r::RatingNote> for RatingNoteBody {
    fn from(n: r::RatingNote) -> Self {
        match n {
            r::RatingNote::UnknownFlag { flag } => RatingNoteBody::UnknownFlag { flag },
            r::RatingNote::UnknownQualitativeFactor { factor } => {
                RatingNoteBody::UnknownQualitativeFactor { factor }
            }
            r::RatingNote::QualitativeScoreRepeated { factor } => {
                RatingNoteBody::QualitativeScoreRepeated { factor }
            }
            r::RatingNote::QualitativeScoreOutOfRange { factor, score } => {
                RatingNoteBody::QualitativeScoreOutOfRange { factor, score }
            }
            r::RatingNote::NoValues => RatingNoteBody::NoValues,
        }
    }
}
