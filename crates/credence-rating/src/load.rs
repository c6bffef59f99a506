//! Checking a model file into a [`ScorecardModel`]: every rule a file must follow, each
//! broken rule reported at its line and column, all of them in one pass.

use credence_domain::is_version_name;
use std::collections::HashMap;

use credence_domain::{CustomerType, Industry, Labelled};
use toml::Spanned;

use crate::calibration::Calibration;
use crate::condition::{self, Names};
use crate::curve::Curve;
use crate::error::{ModelError, Problems};
use crate::file::{self, RawLabel, RawModel, RawSubModel, RawWeights, content_start};
use crate::model::{KnockoutRule, Label, ScorecardModel};
use crate::scale::Scale;
use crate::submodel::{Base, Layer, Selector, Source};

/// Weights must sum to 1 within this.
const WEIGHT_TOLERANCE: f64 = 1e-6;

pub(crate) fn load(
    text: &str,
    file_name: &str,
    known: Option<&[&str]>,
) -> Result<ScorecardModel, ModelError> {
    let raw = file::read(text, file_name)?;
    let mut problems = Problems::new(text, file_name);
    let p = &mut problems;

    let version = raw.version.get_ref().clone();
    if !is_version_name(&version) {
        p.at(
            content_start(text, raw.version.span().start),
            format!("version `{version}` is not named like 2026-Q4-V1.0"),
        );
    }
    let neutral_points = *raw.missing.neutral_points.get_ref();
    if !(0.0..=100.0).contains(&neutral_points) {
        p.at(
            raw.missing.neutral_points.span().start,
            format!("neutral_points must be within 0–100, found {neutral_points}"),
        );
    }
    let dimensions = labels(&raw.dimensions, "dimension", p);
    if dimensions.is_empty() {
        p.at(0, "the model needs at least one `[[dimensions]]` entry");
    }
    let factors = labels(&raw.qualitative, "qualitative factor", p);
    let flags = labels(&raw.flags, "flag", p);
    if flags.len() > 64 {
        p.at(raw.flags[64].id.span().start, "a model may declare at most 64 flags");
    }

    // Curves: slot i is curve i, in id order.
    let mut slots = Vec::new();
    let mut curves = Vec::new();
    for (key, raw_curve) in &raw.indicators {
        let id = key.get_ref();
        let offset = content_start(text, key.span().start);
        check_known(id, offset, known, p);
        if factors.iter().any(|f| &f.id == id) {
            p.at(offset, format!("`{id}` is both an indicator and a qualitative factor"));
        }
        if let Some(curve) = Curve::check(raw_curve, offset, id, p) {
            slots.push(id.clone());
            curves.push(curve);
        }
    }
    let curve_failed = slots.len() < raw.indicators.len();
    let mut slot_of: HashMap<Box<str>, usize, _> = HashMap::default();
    for (i, id) in slots.iter().enumerate() {
        slot_of.insert(id.as_str().into(), i);
    }

    let layers = check_layers(&raw, &dimensions, &factors, &slot_of, curve_failed, p);
    let calibration = Calibration::check(&raw.calibration.get_ref().anchors, raw.calibration.span().start, p);
    let letter = Scale::check_letter(&raw.letter_grades, 0, p);
    let points = Scale::check_points(&raw.point_grades, 0, p);

    let knockouts = check_knockouts(&raw, &mut slots, &mut slot_of, &flags, known, (&letter, &points), p);

    // A part that failed its checks recorded why, so the model is whole exactly when no
    // problem was found.
    let (Some((layers, base)), Some(calibration), Some(letter), Some(points), true) =
        (layers, calibration, letter, points, problems.is_empty())
    else {
        return Err(problems.into_error());
    };
    let selector = Selector::compile(&layers, &base);
    Ok(ScorecardModel {
        version,
        name_zh: raw.name_zh,
        name_en: raw.name_en,
        missing_policy: raw.missing.policy,
        neutral_points,
        dimensions,
        factors,
        flags,
        slots,
        curves,
        slot_of,
        layers,
        selector,
        calibration,
        letter,
        points,
        knockouts,
    })
}

/// The knock-out rules: codes and names unique, each condition parsed (an indicator only
/// a condition names gets a slot after those with curves) and its grades found on both
/// scales. A rule with a problem is left out (the problem says why).
fn check_knockouts(
    raw: &RawModel,
    slots: &mut Vec<String>,
    slot_of: &mut HashMap<Box<str>, usize, std::hash::BuildHasherDefault<crate::model::IdHasher>>,
    flags: &[Label],
    known: Option<&[&str]>,
    (letter, points): (&Option<Scale>, &Option<Scale>),
    p: &mut Problems,
) -> Vec<KnockoutRule> {
    let text = p.text();
    let mut knockouts: Vec<KnockoutRule> = Vec::new();
    for k in &raw.knockouts {
        let code = k.code.get_ref();
        if knockouts.iter().any(|x| &x.code == code) {
            p.at(content_start(text, k.code.span().start), format!("knock-out code `{code}` is used twice"));
        }
        let name = k.name.get_ref();
        if knockouts.iter().any(|x| &x.name == name) {
            p.at(content_start(text, k.name.span().start), format!("knock-out name `{name}` is used twice"));
        }
        let rank = |scale: &Option<Scale>, grade: &Spanned<String>, p: &mut Problems| {
            let scale = scale.as_ref()?;
            let found = scale.rank_of_grade(grade.get_ref());
            if found.is_none() {
                let list: Vec<&str> = scale.grades.iter().map(|g| g.grade.as_str()).collect();
                p.at(
                    content_start(text, grade.span().start),
                    format!("grade `{}` is not on the scale ({})", grade.get_ref(), list.join(", ")),
                );
            }
            found
        };
        let letter_rank = rank(letter, &k.letter_grade_at_best, p);
        let point_rank = rank(points, &k.point_grade_at_best, p);
        let base = content_start(text, k.when.span().start);
        let mut names = CondNames { slots, slot_of, flags, known, base, problems: p };
        let cond = match condition::parse(k.when.get_ref(), &mut names) {
            Ok(c) => Some(c),
            Err((offset, message)) => {
                p.at(base + offset, message);
                None
            }
        };
        if let (Some(cond), Some(letter_rank), Some(point_rank)) = (cond, letter_rank, point_rank) {
            knockouts.push(KnockoutRule {
                code: code.clone(),
                name: name.clone(),
                name_zh: k.name_zh.clone(),
                name_en: k.name_en.clone(),
                when: k.when.get_ref().clone(),
                letter_grade_at_best: k.letter_grade_at_best.get_ref().clone(),
                point_grade_at_best: k.point_grade_at_best.get_ref().clone(),
                cond,
                letter_rank,
                point_rank,
            });
        }
    }

    knockouts
}

fn labels(raw: &[RawLabel], what: &str, p: &mut Problems) -> Vec<Label> {
    let mut out: Vec<Label> = Vec::with_capacity(raw.len());
    for l in raw {
        let id = l.id.get_ref();
        let offset = content_start(p.text(), l.id.span().start);
        if !is_identifier(id) {
            p.at(offset, format!("{what} id `{id}` must be lower-case letters, digits and `_`"));
        } else if out.iter().any(|x| &x.id == id) {
            p.at(offset, format!("{what} `{id}` is declared twice"));
        } else {
            out.push(Label { id: id.clone(), name_zh: l.name_zh.clone(), name_en: l.name_en.clone() });
        }
    }
    out
}

fn is_identifier(s: &str) -> bool {
    s.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn check_known(id: &str, offset: usize, known: Option<&[&str]>, p: &mut Problems) {
    if let Some(known) = known
        && !known.contains(&id)
    {
        p.at(offset, format!("unknown indicator `{id}`: not in the indicator catalogue"));
    }
}

struct CondNames<'a, 'p, 't> {
    slots: &'a mut Vec<String>,
    slot_of: &'a mut HashMap<Box<str>, usize, std::hash::BuildHasherDefault<crate::model::IdHasher>>,
    flags: &'a [Label],
    known: Option<&'a [&'a str]>,
    base: usize,
    problems: &'p mut Problems<'t>,
}

impl Names for CondNames<'_, '_, '_> {
    fn indicator(&mut self, id: &str, offset: usize) -> usize {
        check_known(id, self.base + offset, self.known, self.problems);
        if let Some(&slot) = self.slot_of.get(id) {
            return slot;
        }
        self.slots.push(id.to_string());
        self.slot_of.insert(id.into(), self.slots.len() - 1);
        self.slots.len() - 1
    }

    fn flag(&mut self, id: &str, offset: usize) -> usize {
        self.flags.iter().position(|f| f.id == id).unwrap_or_else(|| {
            let list: Vec<&str> = self.flags.iter().map(|f| f.id.as_str()).collect();
            self.problems
                .at(self.base + offset, format!("unknown flag `{id}` (declared: {})", list.join(", ")));
            0
        })
    }
}

fn check_layers(
    raw: &RawModel,
    dimensions: &[Label],
    factors: &[Label],
    slot_of: &HashMap<Box<str>, usize, std::hash::BuildHasherDefault<crate::model::IdHasher>>,
    curve_failed: bool,
    p: &mut Problems,
) -> Option<(Vec<Layer>, Base)> {
    let before = p.len();
    let text = p.text();
    let mut layers: Vec<(usize, Layer)> = Vec::new();
    if raw.sub_models.len() > 64 {
        p.at(raw.sub_models[64].id.span().start, "a model may have at most 64 sub-models");
    }
    for sm in &raw.sub_models {
        let at = content_start(text, sm.id.span().start);
        let id = sm.id.get_ref();
        if !is_identifier(id) {
            p.at(at, format!("sub-model id `{id}` must be lower-case letters, digits and `_`"));
        } else if layers.iter().any(|(_, l)| &l.id == id) {
            p.at(at, format!("sub-model `{id}` is declared twice"));
        }
        let customer_types = codes(&sm.customer_types, p, "a customer type", |c| {
            CustomerType::ALL
                .iter()
                .any(|t| t.code() == c)
                .then_some(())
                .ok_or_else(CustomerType::codes_joined)
        });
        let industries = codes(&sm.industries, p, "an industry section", |c| {
            Industry::ALL.iter().any(|t| t.code() == c).then_some(()).ok_or_else(Industry::codes_joined)
        });
        let sub_industries = codes(&sm.sub_industries, p, "a sub-industry", |c| {
            (!c.trim().is_empty()).then_some(()).ok_or_else(|| "a non-empty code".to_string())
        });
        let dimension_weights = sub_model_weights(sm, dimensions, p);
        let lines = sub_model_lines(raw, sm, dimensions, factors, slot_of, curve_failed, p);
        let layer = Layer {
            id: id.clone(),
            name_zh: sm.name_zh.clone(),
            name_en: sm.name_en.clone(),
            customer_types,
            industries,
            sub_industries,
            dimension_weights,
            lines,
        };
        if layer.is_base() && (layer.dimension_weights.is_none() || layer.lines.iter().any(Option::is_none)) {
            p.at(at, format!("sub-model `{id}` has no selector, so it is the base and must give the dimension weights and the lines of every dimension"));
        }
        if !layer.is_base() && layer.dimension_weights.is_none() && layer.lines.iter().all(Option::is_none) {
            p.at(
                at,
                format!(
                    "sub-model `{id}` changes nothing: give dimension weights or the lines of a dimension"
                ),
            );
        }
        for (_, other) in
            layers.iter().filter(|(_, l)| l.specificity() == layer.specificity() && l.overlaps(&layer))
        {
            let what = if layer.is_base() {
                "both have no selector"
            } else {
                "are equally specific and can select the same customer"
            };
            p.at(at, format!("sub-models `{}` and `{id}` {what}", other.id));
        }
        layers.push((at, layer));
    }
    let bases = layers.iter().filter(|(_, l)| l.is_base()).count();
    if bases == 0 {
        let at = raw.sub_models.first().map_or(0, |s| content_start(text, s.id.span().start));
        p.at(at, "no base sub-model: one `[[sub_models]]` entry must have no customer_types, industries or sub_industries");
    }
    if p.len() > before {
        return None;
    }
    // The base first: plan compilation relies on it.
    let mut layers: Vec<Layer> = layers.into_iter().map(|(_, l)| l).collect();
    layers.sort_by_key(|l| !l.is_base());
    // The base is checked above to define every part.
    let base = Base::of(&layers[0])?;
    Some((layers, base))
}

/// A sub-model's dimension weights by dimension, checked: every key a declared
/// dimension, every dimension given, the weights summing to 1.
fn sub_model_weights(sm: &RawSubModel, dimensions: &[Label], p: &mut Problems) -> Option<Vec<f64>> {
    let id = sm.id.get_ref();
    sm.dimension_weights.as_ref().map(|w| {
        let by_id = weights(w, "dimension weights", p, |key, p| {
            let found = dimensions.iter().position(|d| d.id == key);
            if found.is_none() {
                p.push(format!("`{key}` is not a declared dimension"));
            }
            found
        });
        let mut out = vec![0.0; dimensions.len()];
        for (d, w) in by_id {
            out[d] = w;
        }
        for dim in dimensions {
            if !w.get_ref().keys().any(|k| k.get_ref() == &dim.id) {
                p.at(
                    w.span().start,
                    format!("dimension weights of sub-model `{id}` lack dimension `{}`", dim.id),
                );
            }
        }
        out
    })
}

/// A sub-model's weighted lines by dimension (`None` for a dimension it does not change),
/// each line an indicator with a curve or a qualitative factor.
fn sub_model_lines(
    raw: &RawModel,
    sm: &RawSubModel,
    dimensions: &[Label],
    factors: &[Label],
    slot_of: &HashMap<Box<str>, usize, std::hash::BuildHasherDefault<crate::model::IdHasher>>,
    curve_failed: bool,
    p: &mut Problems,
) -> Vec<Option<Vec<(Source, f64)>>> {
    let text = p.text();
    let mut lines = vec![None; dimensions.len()];
    for (dim_key, table) in &sm.indicators {
        let Some(d) = dimensions.iter().position(|x| &x.id == dim_key.get_ref()) else {
            p.at(
                content_start(text, dim_key.span().start),
                format!("`{}` is not a declared dimension", dim_key.get_ref()),
            );
            continue;
        };
        let what = format!("weights of dimension `{}`", dim_key.get_ref());
        let entries = weights(table, &what, p, |key, p| {
            if let Some(&slot) = slot_of.get(key) {
                Some(Source::Curve(slot))
            } else if let Some(f) = factors.iter().position(|f| f.id == key) {
                Some(Source::Factor(f))
            } else {
                // A curve that failed its own checks was reported already.
                if !curve_failed || !raw.indicators.keys().any(|k| k.get_ref() == key) {
                    p.push(format!(
                        "`{key}` has no scoring curve under [indicators] and is not a qualitative factor"
                    ));
                }
                None
            }
        });
        lines[d] = Some(entries);
    }
    lines
}

/// A problem about a key of a weights table, reported at the key by [`weights`].
trait KeyProblem {
    fn push(&mut self, message: String);
}

struct AtKey<'p, 't> {
    problems: &'p mut Problems<'t>,
    offset: usize,
}

impl KeyProblem for AtKey<'_, '_> {
    fn push(&mut self, message: String) {
        self.problems.at(self.offset, message);
    }
}

/// Checks a `key = weight` table: keys resolve, weights positive, sum 1. Entries come out in
/// file order.
fn weights<T>(
    table: &RawWeights,
    what: &str,
    p: &mut Problems,
    mut resolve: impl FnMut(&str, &mut dyn KeyProblem) -> Option<T>,
) -> Vec<(T, f64)> {
    let mut entries: Vec<(&Spanned<String>, &Spanned<f64>)> = table.get_ref().iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    let mut out = Vec::with_capacity(entries.len());
    let mut sum = 0.0;
    for (key, weight) in entries {
        let w = *weight.get_ref();
        if !(w > 0.0 && w <= 1.0) {
            p.at(
                weight.span().start,
                format!("weight of `{}` must be above 0 and at most 1, found {w}", key.get_ref()),
            );
        }
        sum += w;
        let offset = content_start(p.text(), key.span().start);
        let mut at_key = AtKey { problems: p, offset };
        if let Some(t) = resolve(key.get_ref(), &mut at_key) {
            out.push((t, w));
        }
    }
    if (sum - 1.0).abs() > WEIGHT_TOLERANCE {
        p.at(table.span().start, format!("{what} sum to {} instead of 1", round6(sum)));
    }
    out
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

fn codes(
    values: &[Spanned<String>],
    p: &mut Problems,
    what: &str,
    valid: impl Fn(&str) -> Result<(), String>,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(values.len());
    for v in values {
        let code = v.get_ref();
        let at = content_start(p.text(), v.span().start);
        if let Err(expected) = valid(code) {
            p.at(at, format!("`{code}` is not {what} code (expected {expected})"));
        }
        if out.contains(code) {
            p.at(at, format!("`{code}` is listed twice"));
        }
        // Kept even when invalid, so the sub-model still counts as having this selector.
        out.push(code.clone());
    }
    out
}
