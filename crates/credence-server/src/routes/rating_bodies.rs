//! Ratings as the API sends them: a customer's latest rating with its breakdown (every
//! scored line, the dimensions, knock-outs, overrides and notes, the analysts' inputs),
//! its history, override requests and overrides in force, rating runs with their
//! back-test and grade migration. Converted from the engine's and store's values so the
//! wire format is written down here.

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

/// A rating override entered by one person for an approver it names.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OverrideRequestBody {
    pub id: i64,
    pub rating_id: i64,
    pub customer_id: String,
    pub letter_grade: String,
    pub point_grade: String,
    pub reason: String,
    pub approver: String,
    pub entered_by: String,
    pub entered_at: String,
    /// `pending`, `approved` or `rejected`.
    pub status: String,
    pub decided_at: Option<String>,
    pub decision_comment: Option<String>,
    /// The override put in force, once approved.
    pub override_id: Option<i64>,
}

impl From<credence_store::OverrideRequest> for OverrideRequestBody {
    fn from(o: credence_store::OverrideRequest) -> Self {
        OverrideRequestBody {
            id: o.id,
            rating_id: o.rating_id,
            customer_id: o.customer_id.into_string(),
            letter_grade: o.letter_grade,
            point_grade: o.point_grade,
            reason: o.reason,
            approver: o.approver,
            entered_by: o.entered_by,
            entered_at: o.entered_at.into(),
            status: o.status,
            decided_at: o.decided_at.map(Into::into),
            decision_comment: o.decision_comment,
            override_id: o.override_id,
        }
    }
}

/// A new override request, as entered (keys in alphabetical order).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EnteredOverrideBody {
    pub approver: String,
    pub customer_id: String,
    pub decided_at: Option<String>,
    pub decision_comment: Option<String>,
    pub entered_at: String,
    pub entered_by: String,
    pub id: i64,
    pub letter_grade: String,
    pub override_id: Option<i64>,
    pub point_grade: String,
    pub rating_id: i64,
    pub reason: String,
    /// `pending`.
    pub status: String,
}

impl From<credence_store::OverrideRequest> for EnteredOverrideBody {
    fn from(o: credence_store::OverrideRequest) -> Self {
        EnteredOverrideBody {
            approver: o.approver,
            customer_id: o.customer_id.into_string(),
            decided_at: o.decided_at.map(Into::into),
            decision_comment: o.decision_comment,
            entered_at: o.entered_at.into(),
            entered_by: o.entered_by,
            id: o.id,
            letter_grade: o.letter_grade,
            override_id: o.override_id,
            point_grade: o.point_grade,
            rating_id: o.rating_id,
            reason: o.reason,
            status: o.status,
        }
    }
}

/// A customer's ratings, newest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RatingHistoryBody {
    pub customer_id: String,
    pub ratings: Vec<RatingLineBody>,
}

/// One rating of a customer (keys in alphabetical order).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RatingLineBody {
    pub as_of: String,
    pub letter_grade: String,
    pub model_version: String,
    /// The approved override in force on this rating.
    #[serde(rename = "override")]
    pub overridden: Option<OverrideInForceBody>,
    pub pd: f64,
    pub point_grade: String,
    pub rating_id: i64,
    pub score: f64,
}

/// An approved override of a rating's grades (keys in alphabetical order).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OverrideInForceBody {
    pub approver: String,
    pub customer_id: String,
    pub entered_at: String,
    pub entered_by: String,
    pub id: i64,
    pub letter_grade: String,
    pub point_grade: String,
    pub rating_id: i64,
    pub reason: String,
}

impl From<credence_store::StoredRating> for RatingLineBody {
    fn from(r: credence_store::StoredRating) -> Self {
        RatingLineBody {
            as_of: r.rating.as_of,
            letter_grade: r.rating.letter_grade,
            model_version: r.rating.model_version,
            overridden: r.overridden.map(|o| OverrideInForceBody {
                approver: o.approver,
                customer_id: o.customer_id.into_string(),
                entered_at: o.entered_at.into(),
                entered_by: o.entered_by,
                id: o.id,
                letter_grade: o.letter_grade,
                point_grade: o.point_grade,
                rating_id: o.rating_id,
                reason: o.reason,
            }),
            pd: r.rating.pd,
            point_grade: r.rating.point_grade,
            rating_id: r.id,
            score: r.rating.score,
        }
    }
}

/// A rating run.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RatingRunBody {
    pub id: i64,
    pub as_of: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub model_version: String,
    pub catalogue_version: String,
    pub scope: String,
    pub rated: i64,
    pub skipped: i64,
    pub failed: i64,
}

impl From<credence_store::RatingRun> for RatingRunBody {
    fn from(r: credence_store::RatingRun) -> Self {
        RatingRunBody {
            id: r.id,
            as_of: r.as_of,
            started_at: r.started_at.into(),
            finished_at: r.finished_at.map(Into::into),
            model_version: r.model_version,
            catalogue_version: r.catalogue_version,
            scope: r.scope,
            rated: r.rated,
            skipped: r.skipped,
            failed: r.failed,
        }
    }
}

/// How a rating run's grades compare with the defaults that followed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RatingPerformanceBody {
    pub run_id: i64,
    pub as_of: String,
    pub horizon_months: u32,
    pub customers: u64,
    pub defaults: u64,
    /// AUC of the score against default within the horizon (higher score = safer).
    pub auc: Option<f64>,
    /// Letter grades from best to worst.
    pub letter_grades: Vec<GradeOutcomeBody>,
    pub point_grades: Vec<GradeOutcomeBody>,
}

/// Default rate of one grade in a back-test.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GradeOutcomeBody {
    pub grade: String,
    pub customers: u64,
    pub defaults: u64,
    pub default_rate: f64,
    /// Mean PD the rating gave the grade's customers.
    pub mean_pd: f64,
}

impl From<credence_engine::RatingPerformance> for RatingPerformanceBody {
    fn from(p: credence_engine::RatingPerformance) -> Self {
        let grades = |g: Vec<credence_engine::GradeOutcome>| {
            g.into_iter()
                .map(|g| GradeOutcomeBody {
                    grade: g.grade,
                    customers: g.customers,
                    defaults: g.defaults,
                    default_rate: g.default_rate,
                    mean_pd: g.mean_pd,
                })
                .collect()
        };
        RatingPerformanceBody {
            run_id: p.run_id,
            as_of: p.as_of,
            horizon_months: p.horizon_months,
            customers: p.customers,
            defaults: p.defaults,
            auc: p.auc,
            letter_grades: grades(p.letter_grades),
            point_grades: grades(p.point_grades),
        }
    }
}

/// How customers moved between letter grades from one rating run to another.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MigrationBody {
    pub from_run: i64,
    pub to_run: i64,
    /// Grades from best to worst; rows are the `from` grade, columns the `to` grade.
    pub grades: Vec<String>,
    pub counts: Vec<Vec<u64>>,
    /// Customers rated in both runs.
    pub customers: u64,
    pub upgraded: u64,
    pub downgraded: u64,
}

impl From<credence_engine::MigrationMatrix> for MigrationBody {
    fn from(m: credence_engine::MigrationMatrix) -> Self {
        MigrationBody {
            from_run: m.from_run,
            to_run: m.to_run,
            grades: m.grades,
            counts: m.counts,
            customers: m.customers,
            upgraded: m.upgraded,
            downgraded: m.downgraded,
        }
    }
}
