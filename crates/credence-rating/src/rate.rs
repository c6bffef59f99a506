//! Rating one customer: lines scored, weighted by dimension, calibrated to PD, graded on
//! both scales, then knock-outs and caps applied.
//!
//! Missing values (policy `redistribute`, the shipped default): a line without a value gets
//! weight 0 and its weight goes pro rata to the lines of its dimension that have one; a
//! dimension with no value at all gives its weight pro rata to the other dimensions. If
//! nothing at all has a value, every line scores the model's `neutral_points` at its
//! nominal weight and the rating carries [`RatingNote::NoValues`]. With policy `neutral` a
//! missing line scores `neutral_points` at its full weight. Either way each line shows its
//! `nominal_weight` (as written) beside the `weight` it got.

use chrono::NaiveDate;
use credence_indicators::{IndicatorSet, IndicatorValue};
use serde::{Deserialize, Serialize};

use crate::file::MissingPolicy;
use crate::model::ScorecardModel;
use crate::overrides::OverrideRecord;
use crate::submodel::Source;

/// Reason recorded for an indicator the set does not contain.
pub const MISSING_NOT_IN_SET: &str = "not in the indicator set";
/// Reason recorded for a value that is NaN or infinite.
pub const MISSING_NOT_FINITE: &str = "not a finite number";
/// Reason recorded for a value-less indicator that gave no reason.
pub const MISSING_NO_REASON: &str = "no value";
/// Reason recorded for a qualitative factor no analyst scored.
pub const MISSING_NOT_SCORED: &str = "not scored by an analyst";

/// An analyst's score of one qualitative factor (`character`, `capacity`, `capital`,
/// `collateral`, `conditions`, `management`), 0–100.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QualitativeScore {
    pub factor: String,
    pub score: f64,
}

/// Everything a rating is computed from.
#[derive(Debug, Clone, Copy)]
pub struct RatingInput<'a> {
    pub indicators: &'a IndicatorSet,
    /// Customer type code: `large`, `sme`, `micro`, `government_platform`, `individual`.
    pub customer_type: &'a str,
    /// GB/T 4754 section letter.
    pub industry: &'a str,
    pub sub_industry: Option<&'a str>,
    pub qualitative: &'a [QualitativeScore],
    /// Facts outside the indicators, declared by the model (`key_documents_missing`).
    pub flags: &'a [&'a str],
}

/// The result of rating one customer. Same inputs and model → bit-identical value.
/// `Default` is an empty rating, for [`ScorecardModel::rate_into`] to fill.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Rating {
    pub customer_id: credence_domain::CustomerId,
    pub as_of: NaiveDate,
    pub catalogue_version: String,
    pub model_version: String,
    /// The applied sub-model layers joined by `+` (`sme+manufacturing`), or the base's id.
    pub sub_model: String,
    /// 0–100.
    pub score: f64,
    /// PD by the calibration of `score`.
    pub pd: f64,
    /// `pd` moved into the final letter grade's band: raised to the band's lower edge when
    /// a knock-out or override worsened the grade, lowered to its upper edge when an
    /// override improved it; equal to `pd` otherwise.
    pub grade_pd: f64,
    /// Final letter grade (PD scale), after knock-outs, caps and overrides.
    pub letter_grade: String,
    /// Final 100-point grade, after knock-outs, caps and overrides.
    pub point_grade: String,
    /// `(letter grade, 100-point grade)` from score and PD alone.
    pub grade_before_knockouts: (String, String),
    /// Dimension by dimension, in model order.
    pub lines: Vec<ScoreLine>,
    pub dimensions: Vec<DimensionScore>,
    /// Every knock-out and cap whose condition held, in model order.
    pub knockouts: Vec<KnockoutHit>,
    /// Manual overrides, oldest first.
    pub overrides: Vec<OverrideRecord>,
    pub notes: Vec<RatingNote>,
}

/// One scored line: an indicator or a qualitative factor.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ScoreLine {
    /// Indicator id, or qualitative factor id when `qualitative`.
    pub indicator: String,
    pub dimension: String,
    pub qualitative: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// Why there is no value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing: Option<String>,
    /// 0–100 (0 for a missing line whose weight was redistributed).
    pub points: f64,
    /// Share of the total score as written: dimension weight × weight within dimension.
    pub nominal_weight: f64,
    /// Share of the total score after redistribution; sums to 1 over all lines.
    pub weight: f64,
    /// `points × weight`; sums to `score`.
    pub contribution: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DimensionScore {
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KnockoutHit {
    pub code: String,
    pub name: String,
    pub letter_grade_at_best: String,
    pub point_grade_at_best: String,
}

/// Something about the input the rating worked around.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RatingNote {
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

/// Overwrites a string, keeping its allocation.
fn set(target: &mut String, value: &str) {
    target.clear();
    target.push_str(value);
}

/// Slots held on the stack; models with more use the heap.
const STACK_SLOTS: usize = 128;
const ABSENT: u32 = u32::MAX;

impl ScorecardModel {
    /// Rates one customer. Never fails: problems with the input become [`RatingNote`]s.
    pub fn rate(&self, input: &RatingInput<'_>) -> Rating {
        let mut rating = Rating::default();
        self.rate_into(input, &mut rating);
        rating
    }

    /// [`ScorecardModel::rate`] into an existing rating, reusing its strings and vectors:
    /// a batch that rates customer after customer into one `Rating` (and serialises or
    /// copies what it keeps) allocates nothing once the buffers have grown. The result is
    /// identical to `rate`'s whatever `out` held before.
    pub fn rate_into(&self, input: &RatingInput<'_>, out: &mut Rating) {
        let plan = self.selector.plan(input.customer_type, input.industry, input.sub_industry);
        let values = &input.indicators.values;

        // Slot → position in the indicator set, found in one pass over the set.
        let mut stack = [ABSENT; STACK_SLOTS];
        let mut heap = Vec::new();
        let found: &mut [u32] = if self.slots.len() <= STACK_SLOTS {
            &mut stack[..self.slots.len()]
        } else {
            heap.resize(self.slots.len(), ABSENT);
            &mut heap
        };
        for (i, v) in values.iter().enumerate() {
            if let Some(&slot) = self.slot_of.get(v.id.as_str())
                && found[slot] == ABSENT
            {
                found[slot] = i as u32;
            }
        }
        let found = &*found;
        let get = |slot: usize| -> Option<&IndicatorValue> {
            found.get(slot).filter(|&&i| i != ABSENT).map(|&i| &values[i as usize])
        };

        out.notes.clear();
        out.knockouts.clear();
        out.overrides.clear();
        let flags = self.flag_bits(input.flags, &mut out.notes);
        self.check_qualitative(input.qualitative, &mut out.notes);

        out.lines.truncate(plan.lines.len());
        for (i, pl) in plan.lines.iter().enumerate() {
            let (id, value, missing, points): (&str, _, Option<&str>, _) = match pl.source {
                Source::Curve(slot) => {
                    let (value, missing) = match get(slot) {
                        None => (None, Some(MISSING_NOT_IN_SET)),
                        Some(v) => match v.value {
                            Some(x) if x.is_finite() => (Some(x), None),
                            Some(_) => (None, Some(MISSING_NOT_FINITE)),
                            None => (None, Some(v.missing.as_deref().unwrap_or(MISSING_NO_REASON))),
                        },
                    };
                    (&self.slots[slot], value, missing, value.map(|x| self.curves[slot].points(x)))
                }
                Source::Factor(f) => {
                    let id = &self.factors[f].id;
                    match input.qualitative.iter().find(|q| &q.factor == id).filter(|q| q.score.is_finite()) {
                        Some(q) => (id, Some(q.score), None, Some(q.score.clamp(0.0, 100.0))),
                        None => (id, None, Some(MISSING_NOT_SCORED), None),
                    }
                }
            };
            if i == out.lines.len() {
                out.lines.push(ScoreLine::default());
            }
            let line = &mut out.lines[i];
            set(&mut line.indicator, id);
            set(&mut line.dimension, &self.dimensions[pl.dimension].id);
            line.qualitative = matches!(pl.source, Source::Factor(_));
            line.value = value;
            match (&mut line.missing, missing) {
                (Some(old), Some(new)) => set(old, new),
                (slot, new) => *slot = new.map(str::to_string),
            }
            line.points = points.unwrap_or(0.0);
            line.nominal_weight = plan.dimension_weights[pl.dimension] * pl.weight;
        }

        self.weigh(plan, out);
        let score = out.lines.iter().map(|l| l.contribution).sum::<f64>().clamp(0.0, 100.0);
        let pd = self.calibration.pd(score);
        let letter_rank = self.letter.rank_of(pd);
        let point_rank = self.points.rank_of(score);

        let (mut final_letter, mut final_point) = (letter_rank, point_rank);
        for rule in &self.knockouts {
            if rule.cond.holds(&get, flags) {
                final_letter = final_letter.max(rule.letter_rank);
                final_point = final_point.max(rule.point_rank);
                out.knockouts.push(KnockoutHit {
                    code: rule.code.clone(),
                    name: rule.name.clone(),
                    letter_grade_at_best: rule.letter_grade_at_best.clone(),
                    point_grade_at_best: rule.point_grade_at_best.clone(),
                });
            }
        }

        out.customer_id.assign(&input.indicators.customer_id);
        out.as_of = input.indicators.as_of;
        set(&mut out.catalogue_version, &input.indicators.catalogue_version);
        set(&mut out.model_version, &self.version);
        set(&mut out.sub_model, &plan.name);
        out.score = score;
        out.pd = pd;
        out.grade_pd =
            if final_letter == letter_rank { pd } else { self.letter.pd_in_band(pd, final_letter) };
        set(&mut out.letter_grade, &self.letter.grades[final_letter].grade);
        set(&mut out.point_grade, &self.points.grades[final_point].grade);
        set(&mut out.grade_before_knockouts.0, &self.letter.grades[letter_rank].grade);
        set(&mut out.grade_before_knockouts.1, &self.points.grades[point_rank].grade);
    }

    /// Sets each line's weight and contribution by the missing-value policy, and the
    /// dimension scores.
    fn weigh(&self, plan: &crate::submodel::Plan, out: &mut Rating) {
        let redistribute = self.missing_policy == MissingPolicy::Redistribute;
        let lines = &mut out.lines;
        // The dimension weight of dimensions with at least one value.
        let present = |l: &ScoreLine| l.missing.is_none();
        let mut present_dimension_total = 0.0;
        for (d, range) in plan.dimension_ranges.iter().enumerate() {
            if lines[range.clone()].iter().any(present) {
                present_dimension_total += plan.dimension_weights[d];
            }
        }
        let nothing = present_dimension_total == 0.0;
        if nothing {
            out.notes.push(RatingNote::NoValues);
        }
        out.dimensions.truncate(plan.dimension_ranges.len());
        for (d, range) in plan.dimension_ranges.iter().enumerate() {
            let dim = &mut lines[range.clone()];
            let nominal = plan.dimension_weights[d];
            let missing_lines = dim.iter().filter(|l| !present(l)).count();
            if !redistribute || nothing {
                for l in dim.iter_mut() {
                    if !present(l) {
                        l.points = self.neutral_points;
                    }
                    l.weight = l.nominal_weight;
                }
            } else {
                let present_weight: f64 = dim.iter().filter(|l| present(l)).map(|l| l.nominal_weight).sum();
                let share = if present_weight > 0.0 {
                    nominal / present_dimension_total / present_weight
                } else {
                    0.0
                };
                for l in dim.iter_mut() {
                    l.weight = if present(l) { l.nominal_weight * share } else { 0.0 };
                }
            }
            let mut weight = 0.0;
            let mut contribution = 0.0;
            for l in dim.iter_mut() {
                l.contribution = l.points * l.weight;
                weight += l.weight;
                contribution += l.contribution;
            }
            if d == out.dimensions.len() {
                out.dimensions.push(DimensionScore::default());
            }
            let ds = &mut out.dimensions[d];
            set(&mut ds.dimension, &self.dimensions[d].id);
            ds.points = if weight > 0.0 { contribution / weight } else { 0.0 };
            ds.nominal_weight = nominal;
            ds.weight = weight;
            ds.contribution = contribution;
            ds.missing_lines = missing_lines;
        }
    }

    fn flag_bits(&self, flags: &[&str], notes: &mut Vec<RatingNote>) -> u64 {
        let mut bits = 0u64;
        for &f in flags {
            match self.flags.iter().position(|x| x.id == f) {
                Some(i) => bits |= 1 << i,
                None => notes.push(RatingNote::UnknownFlag { flag: f.to_string() }),
            }
        }
        bits
    }

    fn check_qualitative(&self, scores: &[QualitativeScore], notes: &mut Vec<RatingNote>) {
        for (i, q) in scores.iter().enumerate() {
            if !self.factors.iter().any(|f| f.id == q.factor) {
                notes.push(RatingNote::UnknownQualitativeFactor { factor: q.factor.clone() });
            } else if scores[..i].iter().any(|p| p.factor == q.factor) {
                notes.push(RatingNote::QualitativeScoreRepeated { factor: q.factor.clone() });
            } else if !(0.0..=100.0).contains(&q.score) {
                notes.push(RatingNote::QualitativeScoreOutOfRange {
                    factor: q.factor.clone(),
                    score: q.score,
                });
            }
        }
    }
}
