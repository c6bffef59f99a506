//! The checked expert scorecard model and what it tells about itself.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::calibration::Calibration;
use crate::condition::Cond;
use crate::curve::Curve;
use crate::error::ModelError;
use crate::file::MissingPolicy;
use crate::scale::{Grade, Scale, ScaleKind};
use crate::submodel::{Layer, Selector};

/// The shipped model file, embedded.
pub const BUILTIN_MODEL: &str = include_str!("../models/expert.toml");

/// The name [`BUILTIN_MODEL`] is reported under in messages.
pub const BUILTIN_MODEL_FILE: &str = "expert.toml";

/// A loaded and checked expert scorecard (RATE-1…3). Cheap to share: `rate` takes `&self`.
#[derive(Debug, Clone)]
pub struct ScorecardModel {
    pub(crate) version: String,
    pub(crate) name_zh: String,
    pub(crate) name_en: String,
    pub(crate) missing_policy: MissingPolicy,
    pub(crate) neutral_points: f64,
    pub(crate) dimensions: Vec<Label>,
    pub(crate) factors: Vec<Label>,
    pub(crate) flags: Vec<Label>,
    /// Indicator ids by slot: first those with a curve (`curves[i]` is slot `i`), then those
    /// only named in conditions.
    pub(crate) slots: Vec<String>,
    pub(crate) curves: Vec<Curve>,
    pub(crate) slot_of: HashMap<Box<str>, usize, BuildHasherDefault<IdHasher>>,
    pub(crate) layers: Vec<Layer>,
    pub(crate) selector: Selector,
    pub(crate) calibration: Calibration,
    pub(crate) letter: Scale,
    pub(crate) points: Scale,
    pub(crate) knockouts: Vec<KnockoutRule>,
}

/// An id with its Chinese and English names.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Label {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
}

/// A knock-out or cap: when its condition holds, each grade is at best the one given.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct KnockoutRule {
    /// Stable code shown in the UI and audit log (`K01`); never reused.
    pub code: String,
    /// The condition it flags (`PaymentTimelinessAtMostFive`).
    pub name: String,
    pub name_zh: String,
    pub name_en: String,
    /// The condition as written.
    pub when: String,
    pub letter_grade_at_best: String,
    pub point_grade_at_best: String,
    #[serde(skip)]
    pub(crate) cond: Cond,
    #[serde(skip)]
    pub(crate) letter_rank: usize,
    #[serde(skip)]
    pub(crate) point_rank: usize,
}

impl ScorecardModel {
    /// Whether rating needs indicator trends (a knock-out reads `x.yoy` or the like);
    /// callers can skip computing them otherwise, which is most of the evaluation work.
    pub fn uses_trends(&self) -> bool {
        self.knockouts.iter().any(|k| k.cond.reads_trends())
    }

    /// The shipped model ([`BUILTIN_MODEL`]). Its indicator ids are not checked against a
    /// catalogue here; to check them, load [`BUILTIN_MODEL`] with [`ScorecardModel::from_toml`].
    pub fn builtin() -> ScorecardModel {
        match crate::load::load(BUILTIN_MODEL, BUILTIN_MODEL_FILE, None) {
            Ok(model) => model,
            // The shipped file is checked by the crate's tests, so this cannot happen in a
            // released build.
            Err(e) => panic!("the built-in model file is invalid:\n{e}"),
        }
    }

    /// Parses and checks a model file. Every indicator id it uses must be in
    /// `known_indicators` (the catalogue's ids). All problems found are reported, each with
    /// `file_name:line:column`.
    pub fn from_toml(
        text: &str,
        file_name: &str,
        known_indicators: &[&str],
    ) -> Result<ScorecardModel, ModelError> {
        crate::load::load(text, file_name, Some(known_indicators))
    }

    /// The model version, like `2026-Q4-V1.0`.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The letter grades, best first, each with its PD band `[from, to)`.
    pub fn letter_grades(&self) -> &[crate::Grade] {
        &self.letter.grades
    }

    pub fn name_zh(&self) -> &str {
        &self.name_zh
    }

    pub fn name_en(&self) -> &str {
        &self.name_en
    }

    /// Every indicator the model uses (scored or named in a condition), sorted.
    pub fn indicator_ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self.slots.iter().map(String::as_str).collect();
        ids.sort_unstable();
        ids
    }

    /// How lines without a value are scored.
    pub fn missing_policy(&self) -> MissingPolicy {
        self.missing_policy
    }

    pub fn dimensions(&self) -> &[Label] {
        &self.dimensions
    }

    pub fn qualitative_factors(&self) -> &[Label] {
        &self.factors
    }

    /// Flags callers may pass in [`crate::RatingInput::flags`].
    pub fn flags(&self) -> &[Label] {
        &self.flags
    }

    /// The sub-model layers, base first.
    pub fn sub_models(&self) -> Vec<Label> {
        self.layers
            .iter()
            .map(|l| Label { id: l.id.clone(), name_zh: l.name_zh.clone(), name_en: l.name_en.clone() })
            .collect()
    }

    /// The grades of a scale, best first.
    pub fn grades(&self, scale: ScaleKind) -> &[Grade] {
        &self.scale(scale).grades
    }

    pub fn knockout_rules(&self) -> &[KnockoutRule] {
        &self.knockouts
    }

    /// Calibration anchors `(score, PD)`, highest score first.
    pub fn calibration_anchors(&self) -> Vec<(f64, f64)> {
        self.calibration.anchors()
    }

    /// PD for a score by the model's calibration.
    pub fn pd_for_score(&self, score: f64) -> f64 {
        self.calibration.pd(score)
    }

    /// The letter grade of a PD (from any PD model, not only this scorecard's calibration).
    pub fn grade_for_pd(&self, pd: f64) -> &Grade {
        &self.letter.grades[self.letter.rank_of(pd)]
    }

    /// The 100-point grade of a score.
    pub fn grade_for_score(&self, score: f64) -> &Grade {
        &self.points.grades[self.points.rank_of(score)]
    }

    /// Points an indicator value earns on the model's curve; `None` for an indicator without
    /// a curve or a value that is not finite.
    pub fn points_for(&self, indicator: &str, value: f64) -> Option<f64> {
        let slot = *self.slot_of.get(indicator)?;
        let curve = self.curves.get(slot)?;
        value.is_finite().then(|| curve.points(value))
    }

    pub(crate) fn scale(&self, kind: ScaleKind) -> &Scale {
        match kind {
            ScaleKind::Letter => &self.letter,
            ScaleKind::Points => &self.points,
        }
    }
}

/// Hashes an indicator id from its length and its first and last eight bytes with one
/// multiplication. Ids are hashed once per value per rating, where SipHash's protection
/// against crafted keys buys nothing (the keys are the model's own ids) and costs a large
/// share of `rate`; the map still compares whole ids, so a collision costs a probe, not a
/// wrong answer.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let word = |b: &[u8]| {
            let mut w = [0u8; 8];
            w[..b.len()].copy_from_slice(b);
            u64::from_le_bytes(w)
        };
        let n = bytes.len();
        let (first, last) =
            if n >= 8 { (word(&bytes[..8]), word(&bytes[n - 8..])) } else { (word(bytes), 0) };
        let mixed = (first ^ last.rotate_left(29) ^ n as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        // The table uses the low bits for the bucket and the top bits as a tag.
        self.0 ^= mixed ^ (mixed >> 32);
    }

    /// `str` hashing appends a 0xff terminator; ids are the only keys, so it adds nothing.
    fn write_u8(&mut self, _: u8) {}
}
