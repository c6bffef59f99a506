//! The expert scorecard (RATE-1, RATE-2, RATE-3): a versioned model file turns a
//! customer's indicator values and an analyst's qualitative scores into a score, a PD, a
//! letter grade and a 100-point grade, with knock-outs, caps, manual overrides and
//! explanations in Chinese and English.
//!
//! # Design
//!
//! The model is data: `models/expert.toml` (embedded as [`BUILTIN_MODEL`], or loaded from a
//! path; the file's comments document every choice) declares
//! - **dimensions** (financial 30, operations 40, development 30 by default) and
//!   **sub-models**: a base plus layers selected by customer type, industry section or
//!   sub-industry, each replacing the dimension weights or whole dimension line lists. The
//!   most specific applicable layer wins part by part: specificity is 4 for a sub-industry
//!   selector + 2 for an industry selector + 1 for a customer-type selector, so an SME
//!   manufacturer gets the SME dimension weights and the manufacturing line lists
//!   (`sub_model` = `sme+manufacturing`). Micro enterprises are listed in the SME layer;
//!   individuals and unknown types get the base.
//! - a **scoring curve** per indicator, in the indicator catalogue's units (percentages in
//!   percent): threshold bands `[from, to)` or piecewise-linear `[[x, points], …]`, flat
//!   beyond the ends, with a declared direction that is checked against the shape;
//! - the **qualitative factors** (character, capacity, capital, collateral, conditions,
//!   management quality), scored 0–100 by an analyst, as lines inside the dimension they
//!   describe, so the dimension split holds with or without them;
//! - the **missing-value policy**. Shipped: `redistribute` — a line without a value gets
//!   weight 0 and its weight goes pro rata to the present lines of its dimension (a wholly
//!   missing dimension's weight to the other dimensions); every [`ScoreLine`] shows its
//!   `nominal_weight` beside the `weight` it got, and explanations say where it went. The
//!   alternative `neutral` scores a missing line `neutral_points` at full weight.
//! - the **score → PD calibration**: anchors interpolated log-linearly in PD, flat beyond
//!   the ends, PD strictly falling as the score rises (checked);
//! - the two **grade scales**: letter grades by PD band and the 100-point trade-credit
//!   grades by score, best first, half-open with the lower end inclusive, contiguous
//!   (checked for gaps and overlaps);
//! - **knock-outs and caps** with stable codes (`K01` …): conditions in a small language
//!   (`net_margin < -10`, `payment_timeliness_score.yoy < -0.2`, `missing(current_ratio)`,
//!   `flag(key_documents_missing)`, `and`/`or`/`not`, parentheses); when one holds, each grade
//!   is at best the one it names, so they only ever worsen a grade. A comparison with a
//!   missing value is false.
//!
//! Loading checks everything and reports every problem with `file:line:column`, including
//! indicator ids that are not in the catalogue the caller passes (a TOML syntax or type
//! error stops the reading and is reported alone). The checked model is compiled into
//! index-based plans, one per combination of sub-model layers that can occur, so rating does
//! no name lookups beyond one hash probe per indicator value.
//!
//! [`ScorecardModel::rate`] returns a fresh [`Rating`];
//! [`ScorecardModel::rate_into`] fills an existing one, reusing its allocations, for batch
//! runs. Score and PD come from the lines alone; knock-outs and caps act on the grades, and
//! `grade_pd` carries the PD moved into the final letter grade's band. Manual overrides
//! ([`ScorecardModel::apply_override`]) need a reason and an approver and keep the model's
//! grade beside the new one.
//!
//! This crate reads no clock, draws no random numbers and does no IO: a model file comes in
//! as text (the engine reads files). The same inputs and model give a bit-identical
//! [`Rating`]; all outputs are `Serialize` (and `Rating` `Deserialize`) for storage.
//!
//! # Example
//!
//! ```
//! use chrono::NaiveDate;
//! use credence_indicators::{IndicatorSet, IndicatorValue};
//! use credence_rating::{Lang, Override, RatingInput, ScaleKind, ScorecardModel};
//!
//! let model = ScorecardModel::builtin();
//! let value = |id: &str, v: f64| IndicatorValue {
//!     id: id.into(), value: Some(v), missing: None, period_end: None, trend: None,
//! };
//! let set = IndicatorSet {
//!     customer_id: "C1".into(),
//!     as_of: NaiveDate::from_ymd_opt(2026, 9, 30).unwrap(),
//!     catalogue_version: "2026-Q4-V1.0".into(),
//!     values: vec![
//!         value("current_ratio", 2.1),
//!         value("debt_to_asset", 45.0),
//!         value("payment_timeliness_score", 9.5),
//!         value("relationship_months", 40.0),
//!     ],
//! };
//! let input = RatingInput {
//!     indicators: &set,
//!     customer_type: "sme",
//!     industry: "C",
//!     sub_industry: None,
//!     qualitative: &[],
//!     flags: &[],
//! };
//! let rating = model.rate(&input);
//! assert_eq!(rating.sub_model, "sme+manufacturing");
//! assert!(rating.score > 90.0 && rating.letter_grade == "AAA");
//! let total: f64 = rating.lines.iter().map(|l| l.weight).sum();
//! assert!((total - 1.0).abs() < 1e-12);
//!
//! let overridden = model.apply_override(&rating, &Override {
//!     scale: ScaleKind::Letter,
//!     grade: "AA".into(),
//!     reason: "single large order pending".into(),
//!     approver: "risk committee".into(),
//! }).unwrap();
//! assert_eq!((overridden.letter_grade.as_str(), overridden.overrides[0].original_grade.as_str()), ("AA", "AAA"));
//! for line in model.explain(&overridden, Lang::En, None) {
//!     println!("{line}");
//! }
//! ```

mod calibration;
mod condition;
mod curve;
mod error;
mod explain;
mod file;
mod load;
mod model;
mod overrides;
mod rate;
mod scale;
mod submodel;

pub use error::{ModelError, Problem};
pub use explain::Lang;
pub use file::MissingPolicy;
pub use model::{BUILTIN_MODEL, BUILTIN_MODEL_FILE, KnockoutRule, Label, ScorecardModel};
pub use overrides::{Override, OverrideError, OverrideRecord};
pub use rate::{
    DimensionScore, KnockoutHit, MISSING_NO_REASON, MISSING_NOT_FINITE, MISSING_NOT_IN_SET,
    MISSING_NOT_SCORED, QualitativeScore, Rating, RatingInput, RatingNote, ScoreLine,
};
pub use scale::{Grade, ScaleKind};
