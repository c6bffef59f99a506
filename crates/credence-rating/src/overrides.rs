//! Manual overrides (RATE-3): an analyst sets a grade with a reason and an approver; the
//! model's grade stays in the record beside it.

use serde::{Deserialize, Serialize};

use crate::model::ScorecardModel;
use crate::rate::Rating;
use crate::scale::ScaleKind;

/// A requested change of grade.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Override {
    pub scale: ScaleKind,
    /// The new grade; must be on `scale`.
    pub grade: String,
    pub reason: String,
    /// Who approved it (user id or name).
    pub approver: String,
}

/// An applied override, kept in [`Rating::overrides`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OverrideRecord {
    pub scale: ScaleKind,
    /// The grade the model gave on this scale (after knock-outs), before any override.
    pub original_grade: String,
    /// The grade just before this override (differs from `original_grade` when an earlier
    /// override on the same scale exists).
    pub previous_grade: String,
    pub grade: String,
    pub reason: String,
    pub approver: String,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OverrideError {
    #[error("an override needs a reason")]
    ReasonMissing,
    #[error("an override needs an approver")]
    ApproverMissing,
    #[error("grade `{grade}` is not on the {scale:?} scale (grades: {known})")]
    UnknownGrade { grade: String, scale: ScaleKind, known: String },
    #[error("the rating was made with model {rating}, this model is {model}")]
    ModelMismatch { rating: String, model: String },
}

impl ScorecardModel {
    /// A copy of `rating` with the override applied and recorded. The grade must exist on
    /// the override's scale and reason and approver must not be blank. A letter-grade
    /// override also moves `grade_pd` into the new grade's PD band.
    pub fn apply_override(&self, rating: &Rating, request: &Override) -> Result<Rating, OverrideError> {
        if request.reason.trim().is_empty() {
            return Err(OverrideError::ReasonMissing);
        }
        if request.approver.trim().is_empty() {
            return Err(OverrideError::ApproverMissing);
        }
        if rating.model_version != self.version {
            return Err(OverrideError::ModelMismatch {
                rating: rating.model_version.clone(),
                model: self.version.clone(),
            });
        }
        let scale = self.scale(request.scale);
        let Some(rank) = scale.rank_of_grade(&request.grade) else {
            let known: Vec<&str> = scale.grades.iter().map(|g| g.grade.as_str()).collect();
            return Err(OverrideError::UnknownGrade {
                grade: request.grade.clone(),
                scale: request.scale,
                known: known.join(", "),
            });
        };
        let mut out = rating.clone();
        let current = match request.scale {
            ScaleKind::Letter => &mut out.letter_grade,
            ScaleKind::Points => &mut out.point_grade,
        };
        let previous_grade = std::mem::replace(current, request.grade.clone());
        let original_grade = rating
            .overrides
            .iter()
            .find(|o| o.scale == request.scale)
            .map_or_else(|| previous_grade.clone(), |o| o.original_grade.clone());
        if request.scale == ScaleKind::Letter {
            out.grade_pd = if self.letter.rank_of(rating.pd) == rank {
                rating.pd
            } else {
                self.letter.pd_in_band(rating.pd, rank)
            };
        }
        out.overrides.push(OverrideRecord {
            scale: request.scale,
            original_grade,
            previous_grade,
            grade: request.grade.clone(),
            reason: request.reason.trim().to_string(),
            approver: request.approver.trim().to_string(),
        });
        Ok(out)
    }
}
