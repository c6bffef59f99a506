//! Reading a catalogue file: TOML into plain declarations, then every check — ids,
//! groups, units, directions, thresholds, industries and formulas — with each problem
//! located by line and column in the file.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use crate::catalogue::{Catalogue, Direction, Group, IndicatorDef, Thresholds};
use crate::check::compile;
use credence_source::{Problems, line_column, verbatim_start};

use crate::error::CatalogueError;
use crate::program::Program;
use crate::types::Unit;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalogue {
    version: Spanned<String>,
    #[serde(default)]
    indicator: Vec<RawIndicator>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIndicator {
    id: Spanned<String>,
    name_zh: String,
    name_en: String,
    group: Spanned<String>,
    unit: Spanned<String>,
    direction: Spanned<String>,
    formula: Spanned<String>,
    doc: String,
    #[serde(default)]
    applies_to: Vec<Spanned<String>>,
    thresholds: Spanned<BTreeMap<Spanned<String>, Spanned<RawThresholds>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawThresholds {
    good: Spanned<f64>,
    poor: Spanned<f64>,
    source: Spanned<String>,
}

fn is_code(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Checks an industry key (as written in `applies_to`, thresholds or a rule pack's
/// industry settings): a GB/T 4754 section letter A–T or a sub-industry code. `None` when
/// it is one; otherwise what is wrong.
pub fn industry_key_problem(key: &str) -> Option<String> {
    if !is_code(key) {
        return Some(format!("'{key}' is neither a GB/T 4754 section letter nor a sub-industry code"));
    }
    let mut chars = key.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        if c.is_ascii_lowercase() {
            return Some(format!("section letters are upper case: write '{}'", c.to_ascii_uppercase()));
        }
        if !('A'..='T').contains(&c) {
            return Some(format!("'{key}' is not a GB/T 4754 section letter (A–T)"));
        }
    }
    None
}

fn parse_choice<T: Copy>(
    problems: &mut Problems,
    value: &Spanned<String>,
    what: &str,
    all: &[(T, &str)],
) -> Option<T> {
    let found = all.iter().find(|(_, c)| *c == value.get_ref().as_str()).map(|(t, _)| *t);
    if found.is_none() {
        let codes: Vec<&str> = all.iter().map(|(_, c)| *c).collect();
        problems.at(
            value.span().start,
            format!("unknown {what} '{}' (one of {})", value.get_ref(), codes.join("|")),
        );
    }
    found
}

pub(crate) fn load(text: &str, file: &str) -> Result<Catalogue, CatalogueError> {
    let mut problems = Problems::new(text, file);
    let raw: RawCatalogue = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            problems.at(e.span().map_or(0, |s| s.start), e.message().trim());
            return Err(CatalogueError::Invalid(problems.into_vec()));
        }
    };
    if raw.version.get_ref().trim().is_empty() {
        problems.at(raw.version.span().start, "the catalogue version must not be empty");
    }
    let mut program = Program::default();
    let mut defs = Vec::new();
    let mut roots = Vec::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for ind in &raw.indicator {
        let id = ind.id.get_ref();
        if !is_code(id) || id.chars().any(|c| c.is_ascii_uppercase()) {
            problems.at(
                ind.id.span().start,
                format!("indicator id '{id}' must be lower-case letters, digits and '_'"),
            );
        } else if let Some(&first) = seen.get(id) {
            let (line, _) = line_column(text, first);
            problems.at(ind.id.span().start, format!("duplicate indicator id '{id}' (first at line {line})"));
        } else {
            seen.insert(id.clone(), ind.id.span().start);
        }
        let groups = Group::ALL.map(|g| (g, g.code()));
        let group = parse_choice(&mut problems, &ind.group, "group", &groups);
        let units = Unit::ALL.map(|u| (u, u.code()));
        let unit = parse_choice(&mut problems, &ind.unit, "unit", &units);
        let directions = [Direction::HigherBetter, Direction::LowerBetter].map(|d| (d, d.code()));
        let direction = parse_choice(&mut problems, &ind.direction, "direction", &directions);
        for a in &ind.applies_to {
            if let Some(m) = industry_key_problem(a.get_ref()) {
                problems.at(a.span().start, m);
            }
        }
        let (default, by_industry) = thresholds(&mut problems, ind, direction);
        let root = unit.and_then(|unit| {
            let formula = ind.formula.get_ref();
            let span = ind.formula.span();
            match compile(&mut program, formula, unit) {
                Ok(root) => Some(root),
                Err(errors) => {
                    let start = verbatim_start(text, &span, formula);
                    for e in errors {
                        problems.at(start.map_or(span.start, |s| s + e.span.start), e.message);
                    }
                    None
                }
            }
        });
        if let (Some(group), Some(unit), Some(direction), Some(default), Some(root)) =
            (group, unit, direction, default, root)
        {
            defs.push(IndicatorDef {
                id: id.clone(),
                name_zh: ind.name_zh.clone(),
                name_en: ind.name_en.clone(),
                group,
                unit,
                direction,
                formula: ind.formula.get_ref().clone(),
                doc: ind.doc.trim().to_owned(),
                default_thresholds: default,
                industry_thresholds: by_industry,
                applies_to: ind.applies_to.iter().map(|a| a.get_ref().clone()).collect(),
            });
            roots.push(root);
        }
    }
    if !problems.is_empty() {
        return Err(CatalogueError::Invalid(problems.into_sorted()));
    }
    program.finish(&roots);
    let aggregate_lag = roots.iter().filter_map(|r| r.aggregate_lag).max().unwrap_or(0) as usize;
    Ok(Catalogue { version: raw.version.into_inner(), defs, roots, program, aggregate_lag })
}

type ThresholdSet = (Option<Thresholds>, Vec<(String, Thresholds)>);

fn thresholds(problems: &mut Problems, ind: &RawIndicator, direction: Option<Direction>) -> ThresholdSet {
    let mut default = None;
    let mut by_industry = Vec::new();
    for (key, t) in ind.thresholds.get_ref() {
        let (good, poor) = (*t.get_ref().good.get_ref(), *t.get_ref().poor.get_ref());
        let good_at = t.get_ref().good.span().start;
        let source = t.get_ref().source.get_ref().trim();
        let mut ok = true;
        let mut bad = |offset: usize, message: String| {
            problems.at(offset, message);
            ok = false;
        };
        if key.get_ref() != "default"
            && let Some(m) = industry_key_problem(key.get_ref())
        {
            bad(key.span().start, m);
        }
        if !good.is_finite() || !poor.is_finite() {
            bad(good_at, "thresholds must be finite numbers".into());
        } else if good == poor {
            bad(good_at, format!("good and poor are both {good}: they must differ"));
        } else {
            match direction {
                Some(Direction::HigherBetter) if good < poor => bad(
                    good_at,
                    format!("a higher_better indicator needs good above poor (good {good}, poor {poor})"),
                ),
                Some(Direction::LowerBetter) if good > poor => bad(
                    good_at,
                    format!("a lower_better indicator needs good below poor (good {good}, poor {poor})"),
                ),
                _ => {}
            }
        }
        if source.is_empty() {
            bad(t.get_ref().source.span().start, "every threshold needs a source".into());
        }
        let levels = Thresholds { good, poor, source: source.to_owned() };
        if !ok {
            continue;
        }
        if key.get_ref() == "default" {
            default = Some(levels);
        } else {
            by_industry.push((key.get_ref().clone(), levels));
        }
    }
    let has_default = ind.thresholds.get_ref().keys().any(|k| k.get_ref() == "default");
    if !has_default {
        problems.at(
            ind.thresholds.span().start,
            format!("indicator '{}' needs default thresholds", ind.id.get_ref()),
        );
    }
    (default, by_industry)
}
