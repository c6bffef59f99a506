//! The collection strategy (CTRL-9): a versioned TOML file
//! (`strategy/collection_strategy.toml`, embedded as [`BUILTIN_STRATEGY`]) mapping each
//! days-overdue bucket and grade to a ladder of actions with the day each becomes due, plus
//! the worklist's urgency curve and the promise settings. The file's comments document
//! every field.

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::file::{FileError, Problems, is_version_name, parse};
use crate::labels::{Action, OverdueBucket};

/// The shipped strategy.
pub const BUILTIN_STRATEGY: &str = include_str!("../strategy/collection_strategy.toml");

/// The name [`BUILTIN_STRATEGY`] is reported under in messages.
pub const BUILTIN_STRATEGY_FILE: &str = "collection_strategy.toml";

/// One action of a ladder: due `day` days after the oldest open invoice's due date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LadderStep {
    pub day: i64,
    pub action: Action,
}

/// The ladder of one bucket for some grades (all others when `grades` is empty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StrategyRule {
    pub bucket: OverdueBucket,
    pub grades: Vec<String>,
    /// Ascending by day.
    pub steps: Vec<LadderStep>,
}

/// A checked collection strategy, built only by [`CollectionStrategy::from_toml`] (or
/// [`CollectionStrategy::builtin`]): every bucket has its default rule and the urgency
/// curve has at least one point, so lookups cannot miss.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CollectionStrategy {
    version: String,
    name_zh: String,
    name_en: String,
    urgency: Vec<(f64, f64)>,
    broken_promise_factor: f64,
    default_pd: f64,
    promise_grace_days: u32,
    success_window_days: u32,
    rules: Vec<StrategyRule>,
    /// By bucket (`bucket as usize`): the position in `rules` of its default rule.
    #[serde(skip)]
    defaults: Vec<usize>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStrategy {
    version: Spanned<String>,
    name_zh: String,
    name_en: String,
    priority: RawPriority,
    promises: RawPromises,
    success: RawSuccess,
    rules: Vec<RawRule>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPriority {
    urgency: Spanned<Vec<(f64, f64)>>,
    broken_promise_factor: Spanned<f64>,
    default_pd: Spanned<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPromises {
    grace_days: Spanned<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSuccess {
    window_days: Spanned<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    bucket: Spanned<OverdueBucket>,
    #[serde(default)]
    grades: Vec<Spanned<String>>,
    actions: Spanned<Vec<RawStep>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    day: Spanned<i64>,
    action: Action,
}

impl CollectionStrategy {
    /// The shipped strategy ([`BUILTIN_STRATEGY`]).
    pub fn builtin() -> CollectionStrategy {
        match CollectionStrategy::from_toml(BUILTIN_STRATEGY, BUILTIN_STRATEGY_FILE) {
            Ok(s) => s,
            // The shipped file is checked by the crate's tests.
            Err(e) => panic!("the built-in collection strategy is invalid: {e}"),
        }
    }

    /// Parses and checks a strategy; `file_name` is used in messages.
    pub fn from_toml(text: &str, file_name: &str) -> Result<CollectionStrategy, FileError> {
        let raw: RawStrategy = parse(text, file_name)?;
        let mut p = Problems::new(text, file_name);
        match check(raw, &mut p) {
            Some(s) if p.is_empty() => Ok(s),
            _ => Err(p.into_error()),
        }
    }

    /// Named like `2026-Q4-V1.0`.
    pub fn version(&self) -> &str {
        &self.version
    }

    pub fn name_zh(&self) -> &str {
        &self.name_zh
    }

    pub fn name_en(&self) -> &str {
        &self.name_en
    }

    /// The urgency curve: `(days overdue, factor)`, ascending by days, at least one point.
    pub fn urgency_points(&self) -> &[(f64, f64)] {
        &self.urgency
    }

    pub fn broken_promise_factor(&self) -> f64 {
        self.broken_promise_factor
    }

    pub fn default_pd(&self) -> f64 {
        self.default_pd
    }

    /// Grace days given to a promise to pay when it is made.
    pub fn promise_grace_days(&self) -> u32 {
        self.promise_grace_days
    }

    pub fn success_window_days(&self) -> u32 {
        self.success_window_days
    }

    /// Every rule, in file order.
    pub fn rules(&self) -> &[StrategyRule] {
        &self.rules
    }

    /// The rule of a bucket for a grade: the one naming the grade, else the bucket's default.
    pub fn rule(&self, bucket: OverdueBucket, grade: Option<&str>) -> &StrategyRule {
        let named = grade
            .and_then(|g| self.rules.iter().find(|r| r.bucket == bucket && r.grades.iter().any(|x| x == g)));
        named.unwrap_or(&self.rules[self.defaults[bucket as usize]])
    }

    /// The whole ladder for a grade, every bucket's steps in day order.
    pub fn ladder<'s>(&'s self, grade: Option<&'s str>) -> impl Iterator<Item = LadderStep> + 's {
        <OverdueBucket as credence_domain::Labelled>::ALL
            .iter()
            .flat_map(move |&b| self.rule(b, grade).steps.iter().copied())
    }

    /// The urgency factor at a number of days overdue.
    pub fn urgency(&self, days_overdue: i64) -> f64 {
        let x = days_overdue as f64;
        let u = &self.urgency;
        let (first, last) = (u[0], u[u.len() - 1]);
        if x <= first.0 {
            return first.1;
        }
        if x >= last.0 {
            return last.1;
        }
        let k = u.partition_point(|p| p.0 <= x);
        let (a, b) = (u[k - 1], u[k]);
        a.1 + (x - a.0) / (b.0 - a.0) * (b.1 - a.1)
    }
}

/// Checks a raw strategy; `None` when a problem leaves no usable value (the problems say
/// why).
fn check(raw: RawStrategy, p: &mut Problems) -> Option<CollectionStrategy> {
    if !is_version_name(raw.version.get_ref()) {
        p.at(
            raw.version.span().start,
            "version",
            format!("`{}` is not named like 2026-Q4-V1.0", raw.version.get_ref()),
        );
    }
    let pr = &raw.priority;
    let u = pr.urgency.get_ref();
    let at = pr.urgency.span().start;
    if u.is_empty() {
        p.at(at, "priority.urgency", "needs at least one point");
    }
    for (i, w) in u.windows(2).enumerate() {
        if w[1].0 <= w[0].0 {
            p.at(
                at,
                "priority.urgency",
                format!("days must ascend: point {} ({}) after {}", i + 1, w[1].0, w[0].0),
            );
        }
    }
    if let Some(bad) = u.iter().find(|q| !(q.0.is_finite() && q.1.is_finite() && q.1 >= 0.0)) {
        p.at(
            at,
            "priority.urgency",
            format!("factors must be finite and 0 or more, found [{}, {}]", bad.0, bad.1),
        );
    }
    let positive = |v: &Spanned<f64>, key: &str, max: f64, p: &mut Problems| {
        let x = *v.get_ref();
        if !(x.is_finite() && x > 0.0 && x <= max) {
            p.at(v.span().start, key, format!("must be above 0 and at most {max}, found {x}"));
        }
        x
    };
    let broken = positive(&pr.broken_promise_factor, "priority.broken_promise_factor", 100.0, p);
    let default_pd = positive(&pr.default_pd, "priority.default_pd", 1.0, p);
    let count = |v: &Spanned<i64>, key: &str, min: i64, max: i64, p: &mut Problems| {
        let x = *v.get_ref();
        if !(min..=max).contains(&x) {
            p.at(v.span().start, key, format!("must be {min}–{max}, found {x}"));
        }
        x.clamp(0, max) as u32
    };
    let grace = count(&raw.promises.grace_days, "promises.grace_days", 0, 90, p);
    let success = count(&raw.success.window_days, "success.window_days", 1, 365, p);
    let rules: Vec<StrategyRule> = (0..raw.rules.len()).map(|i| check_rule(&raw.rules, i, p)).collect();
    let mut defaults = Vec::new();
    for &b in <OverdueBucket as credence_domain::Labelled>::ALL {
        match rules.iter().position(|r| r.bucket == b && r.grades.is_empty()) {
            Some(i) => defaults.push(i),
            None => p.at(0, "rules", format!("bucket {b} has no default rule (one without `grades`)")),
        }
    }
    let complete = defaults.len() == <OverdueBucket as credence_domain::Labelled>::ALL.len();
    complete.then(|| CollectionStrategy {
        version: raw.version.into_inner(),
        name_zh: raw.name_zh,
        name_en: raw.name_en,
        urgency: u.clone(),
        broken_promise_factor: broken,
        default_pd,
        promise_grace_days: grace,
        success_window_days: success,
        rules,
        defaults,
    })
}

/// Checks rule `i` of the file against itself and the rules before it.
fn check_rule(rules: &[RawRule], i: usize, p: &mut Problems) -> StrategyRule {
    let r = &rules[i];
    let bucket = *r.bucket.get_ref();
    let key = format!("rules[{i}]");
    let same_bucket = &rules[..i].iter().filter(|q| *q.bucket.get_ref() == bucket).collect::<Vec<_>>();
    if r.grades.is_empty() && same_bucket.iter().any(|q| q.grades.is_empty()) {
        p.at(
            r.bucket.span().start,
            format!("{key}.bucket"),
            format!("bucket {bucket} has a second default rule"),
        );
    }
    for (j, g) in r.grades.iter().enumerate() {
        let twice = same_bucket.iter().any(|q| q.grades.iter().any(|h| h.get_ref() == g.get_ref()))
            || r.grades[..j].iter().any(|h| h.get_ref() == g.get_ref());
        if twice {
            p.at(
                g.span().start,
                format!("{key}.grades[{j}]"),
                format!("grade {} has two rules in bucket {bucket}", g.get_ref()),
            );
        }
    }
    let (low, high) = bucket.days();
    let steps = r.actions.get_ref();
    if steps.is_empty() {
        p.at(r.actions.span().start, format!("{key}.actions"), "needs at least one action");
    }
    for (j, s) in steps.iter().enumerate() {
        let d = *s.day.get_ref();
        let outside = low.is_some_and(|l| d < l) || high.is_some_and(|h| d > h);
        let skey = format!("{key}.actions[{j}].day");
        if outside {
            let range = match (low, high) {
                (None, Some(h)) => format!("at most {h}"),
                (Some(l), None) => format!("at least {l}"),
                (Some(l), Some(h)) => format!("{l}–{h}"),
                (None, None) => String::new(),
            };
            p.at(s.day.span().start, skey.clone(), format!("day {d} is outside bucket {bucket} ({range})"));
        }
        if j > 0 && d <= *steps[j - 1].day.get_ref() {
            p.at(
                s.day.span().start,
                skey,
                format!("days must ascend within a rule, found {d} after {}", steps[j - 1].day.get_ref()),
            );
        }
    }
    StrategyRule {
        bucket,
        grades: r.grades.iter().map(|g| g.get_ref().clone()).collect(),
        steps: steps.iter().map(|s| LadderStep { day: *s.day.get_ref(), action: s.action }).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_strategy_loads() {
        let s = CollectionStrategy::builtin();
        assert_eq!(s.version, "2026-Q4-V1.1");
        assert_eq!(
            s.rule(OverdueBucket::Days1To30, Some("AA")).steps[0],
            LadderStep { day: 3, action: Action::Reminder }
        );
        assert_eq!(
            s.rule(OverdueBucket::Days1To30, Some("B")).steps[0],
            LadderStep { day: 1, action: Action::Phone }
        );
        assert_eq!(s.rule(OverdueBucket::Days1To30, None).steps[0].action, Action::Phone);
        let days: Vec<i64> = s.ladder(Some("AAA")).map(|s| s.day).collect();
        assert_eq!(days, [-3, 3, 10, 25, 31, 45, 61, 80, 91, 150]);
    }

    #[test]
    fn urgency_interpolates_and_is_flat_outside() {
        let s = CollectionStrategy::builtin();
        assert_eq!(s.urgency(-30), 0.2);
        assert_eq!(s.urgency(15), 0.75);
        assert_eq!(s.urgency(45), 1.25);
        assert_eq!(s.urgency(400), 3.0);
    }
}
