//! Reading a rule pack: TOML into plain declarations, then every check — codes, names,
//! levels, scopes, conditions, peer rules, the level and monitoring policies — with each
//! problem located in the file, and the compilation of the conditions into one program.

use credence_domain::{CustomerType, Labelled, MonitoringTier};
use credence_indicators::{Catalogue, industry_key_problem};
use serde::Deserialize;
use toml::Spanned;

use crate::aggregate::{AggregateRule, GroupBy, Leading, PeerSignal};
use crate::check::{MAX_HISTORY_QUARTERS, compile_condition};
use crate::compile::{NodeId, Plan, Program};
use credence_source::{line_column, verbatim_start};

use crate::error::{PackError, Problems};
use crate::frequency::{Interval, MonitoringCheck, MonitoringPolicy, parse_tier};
use crate::level::{Level, LevelPolicy, RuleLevel};
use crate::pack::{Rule, RulePack, Scope};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPack {
    version: Spanned<String>,
    history_quarters: Spanned<i64>,
    levels: RawLevels,
    #[serde(default)]
    monitoring: RawMonitoring,
    #[serde(default)]
    rule: Vec<RawRule>,
    #[serde(default)]
    aggregate: Vec<RawAggregate>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLevels {
    grade_scale: Spanned<Vec<Spanned<String>>>,
    yellow_at_or_below: Spanned<String>,
    red_at_or_below: Spanned<String>,
    yellow_rules_for_red: Spanned<i64>,
    watch_rules_for_yellow: Spanned<i64>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawMonitoring {
    #[serde(default)]
    check: Vec<RawCheck>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCheck {
    code: Spanned<String>,
    name_zh: Spanned<String>,
    name_en: Spanned<String>,
    every: Spanned<String>,
    #[serde(default)]
    tiers: Vec<Spanned<String>>,
    #[serde(default)]
    levels: Vec<Spanned<String>>,
    #[serde(default)]
    industries: Vec<Spanned<String>>,
    source: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    code: Spanned<String>,
    name: Spanned<String>,
    name_zh: Spanned<String>,
    name_en: Spanned<String>,
    level: Spanned<String>,
    when: Spanned<String>,
    action_zh: Spanned<String>,
    action_en: Spanned<String>,
    source: Spanned<String>,
    #[serde(default)]
    scope: Option<RawScope>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawScope {
    #[serde(default)]
    industries: Vec<Spanned<String>>,
    #[serde(default)]
    customer_types: Vec<Spanned<String>>,
    #[serde(default)]
    tiers: Vec<Spanned<String>>,
    #[serde(default)]
    regions: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAggregate {
    code: Spanned<String>,
    name: Spanned<String>,
    name_zh: Spanned<String>,
    name_en: Spanned<String>,
    group_by: Spanned<String>,
    #[serde(default)]
    leading: Option<Spanned<RawLeading>>,
    signals: Spanned<Vec<RawSignal>>,
    min_count: Spanned<i64>,
    #[serde(default)]
    min_share: Option<Spanned<f64>>,
    level: Spanned<String>,
    action_zh: Spanned<String>,
    action_en: Spanned<String>,
    source: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLeading {
    #[serde(default)]
    top_by_revenue: Option<Spanned<i64>>,
    #[serde(default)]
    tiers: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSignal {
    id: Spanned<String>,
    when: Spanned<String>,
}

fn is_code(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

fn is_condition_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase()) && chars.all(|c| c.is_ascii_alphanumeric())
}

/// A reader of one pack file: problems and the conditions compiled so far.
struct Loader<'a> {
    text: &'a str,
    catalogue: &'a Catalogue,
    problems: Problems<'a>,
    program: Program,
    history: u16,
    /// Codes of rules and peer rules so far, with their offsets, to refuse duplicates.
    codes: Vec<(String, usize)>,
}

impl Loader<'_> {
    fn at<T>(&mut self, value: &Spanned<T>, rule: Option<&str>, message: impl Into<String>) {
        let s = value.span();
        self.problems.at(s.start, s.end, rule, message);
    }

    fn non_empty(&mut self, value: &Spanned<String>, what: &str, rule: Option<&str>) -> String {
        let v = value.get_ref().trim();
        if v.is_empty() {
            self.at(value, rule, format!("{what} must not be empty"));
        }
        v.to_owned()
    }

    /// Checks a rule or peer-rule code: its form, and that it is not taken.
    fn code(&mut self, code: &Spanned<String>) {
        let c = code.get_ref();
        if !is_code(c) {
            self.at(code, None, format!("code '{c}' must be upper-case letters, digits, '_' or '-' (W01)"));
        } else if let Some((_, first)) = self.codes.iter().find(|(x, _)| x == c) {
            let (line, _) = line_column(self.text, *first);
            self.at(code, None, format!("duplicate code '{c}' (first at line {line})"));
        } else {
            self.codes.push((c.clone(), code.span().start));
        }
    }

    fn rule_level(&mut self, value: &Spanned<String>, rule: Option<&str>) -> RuleLevel {
        RuleLevel::parse(value.get_ref()).unwrap_or_else(|| {
            self.at(
                value,
                rule,
                format!("unknown level '{}' (one of red|yellow|green_watch)", value.get_ref()),
            );
            RuleLevel::Yellow
        })
    }

    fn tiers(&mut self, values: &[Spanned<String>], rule: Option<&str>) -> Vec<MonitoringTier> {
        let mut out = Vec::new();
        for v in values {
            match parse_tier(v.get_ref()) {
                Some(t) => out.push(t),
                None => self.at(
                    v,
                    rule,
                    format!(
                        "unknown monitoring tier '{}' (one of {})",
                        v.get_ref(),
                        MonitoringTier::codes_joined()
                    ),
                ),
            }
        }
        out
    }

    fn industries(&mut self, values: &[Spanned<String>], rule: Option<&str>) -> Vec<String> {
        for v in values {
            if let Some(m) = industry_key_problem(v.get_ref()) {
                self.at(v, rule, m);
            }
        }
        values.iter().map(|v| v.get_ref().clone()).collect()
    }

    /// Compiles a condition, reporting its problems at their place in the file.
    fn condition(&mut self, when: &Spanned<String>, rule: &str) -> Option<NodeId> {
        let text = when.get_ref();
        match compile_condition(&mut self.program, self.catalogue, text, self.history) {
            Ok(root) => Some(root),
            Err(problems) => {
                let span = when.span();
                let start = verbatim_start(self.text, &span, text);
                for p in problems {
                    let (s, e) = match start {
                        Some(base) => (base + p.span.start, base + p.span.end),
                        None => (span.start, span.end),
                    };
                    self.problems.at(s, e, Some(rule), p.message);
                }
                None
            }
        }
    }
}

/// `text` (a pack's TOML) with its version and the conditions of the rules named replaced;
/// comments, order and layout stay as written. Unknown codes are an error; the result is
/// not checked here (load it to check it).
pub(crate) fn rewrite(text: &str, version: &str, conditions: &[(&str, String)]) -> Result<String, String> {
    let raw: RawPack = toml::from_str(text).map_err(|e| e.message().trim().to_owned())?;
    let mut edits: Vec<(std::ops::Range<usize>, String)> = vec![(raw.version.span(), toml_string(version))];
    for (code, when) in conditions {
        let rule = raw
            .rule
            .iter()
            .find(|r| r.code.get_ref() == code)
            .ok_or_else(|| format!("the pack has no rule {code}"))?;
        edits.push((rule.when.span(), toml_string(when)));
    }
    edits.sort_by_key(|(span, _)| std::cmp::Reverse(span.start));
    let mut out = text.to_owned();
    for (span, literal) in edits {
        out.replace_range(span, &literal);
    }
    Ok(out)
}

/// A TOML basic string holding `text` exactly.
fn toml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

pub(crate) fn load(text: &str, file: &str, catalogue: &Catalogue) -> Result<RulePack, PackError> {
    let mut problems = Problems::new(text, file);
    let raw: RawPack = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            problems.at(span.start, span.end, None, e.message().trim());
            return Err(problems.into_error());
        }
    };
    let history = *raw.history_quarters.get_ref();
    let mut l = Loader {
        text,
        catalogue,
        problems,
        program: Program::default(),
        history: history.clamp(1, MAX_HISTORY_QUARTERS as i64) as u16,
        codes: Vec::new(),
    };
    if raw.version.get_ref().trim().is_empty() {
        l.at(&raw.version, None, "the pack version must not be empty");
    }
    if !(1..=MAX_HISTORY_QUARTERS as i64).contains(&history) {
        l.at(
            &raw.history_quarters,
            None,
            format!("history_quarters must be from 1 to {MAX_HISTORY_QUARTERS}"),
        );
    }
    let levels = level_policy(&mut l, &raw.levels);
    let monitoring = monitoring_policy(&mut l, &raw.monitoring);
    let mut rules = Vec::new();
    let mut roots = Vec::new();
    for r in &raw.rule {
        if let Some((rule, root)) = rule(&mut l, r) {
            rules.push(rule);
            roots.push(root);
        }
    }
    let mut aggregates = Vec::new();
    let mut signal_roots = Vec::new();
    for a in &raw.aggregate {
        if let Some((rule, roots)) = peer_rule(&mut l, a) {
            aggregates.push(rule);
            signal_roots.push(roots);
        }
    }
    if !l.problems.is_empty() {
        return Err(l.problems.into_error());
    }
    let plan = match Plan::new(&l.program, l.history, catalogue.version()) {
        Ok(p) => p,
        Err(e) => {
            l.problems.at(0, 0, None, format!("the indicators the pack reads could not be compiled: {e}"));
            return Err(l.problems.into_error());
        }
    };
    let reads_indicators = roots.iter().map(|&r| l.program.reads_indicators(r)).collect();
    Ok(RulePack {
        version: raw.version.get_ref().trim().to_owned(),
        catalogue_version: catalogue.version().to_owned(),
        history_quarters: l.history,
        rules,
        roots,
        reads_indicators,
        aggregates,
        signal_roots,
        levels,
        monitoring,
        program: l.program,
        plan,
    })
}

fn level_policy(l: &mut Loader, raw: &RawLevels) -> LevelPolicy {
    let scale: Vec<String> =
        raw.grade_scale.get_ref().iter().map(|g| g.get_ref().trim().to_owned()).collect();
    if scale.is_empty() {
        l.at(&raw.grade_scale, None, "grade_scale needs the grades, best first");
    }
    for (i, g) in raw.grade_scale.get_ref().iter().enumerate() {
        if scale[..i].iter().any(|x| x.eq_ignore_ascii_case(&scale[i])) {
            l.at(g, None, format!("grade '{}' is listed twice", scale[i]));
        }
    }
    let position = |g: &str| scale.iter().position(|x| x.eq_ignore_ascii_case(g.trim()));
    let (yellow, red) = (position(raw.yellow_at_or_below.get_ref()), position(raw.red_at_or_below.get_ref()));
    for (value, p) in [(&raw.yellow_at_or_below, yellow), (&raw.red_at_or_below, red)] {
        if p.is_none() {
            l.at(value, None, format!("grade '{}' is not on grade_scale", value.get_ref()));
        }
    }
    if let (Some(y), Some(r)) = (yellow, red)
        && r < y
    {
        l.at(
            &raw.red_at_or_below,
            None,
            "red_at_or_below must be at or below yellow_at_or_below on the scale",
        );
    }
    let count = |l: &mut Loader, v: &Spanned<i64>, what: &str| -> u32 {
        let n = *v.get_ref();
        if n < 0 || n > u32::MAX as i64 {
            l.at(v, None, format!("{what} is a number of rules (0 turns it off)"));
            return 0;
        }
        n as u32
    };
    LevelPolicy {
        grade_scale: scale.clone(),
        yellow_at_or_below: yellow.map(|p| scale[p].clone()).unwrap_or_default(),
        red_at_or_below: red.map(|p| scale[p].clone()).unwrap_or_default(),
        yellow_rules_for_red: count(l, &raw.yellow_rules_for_red, "yellow_rules_for_red"),
        watch_rules_for_yellow: count(l, &raw.watch_rules_for_yellow, "watch_rules_for_yellow"),
    }
}

fn monitoring_policy(l: &mut Loader, raw: &RawMonitoring) -> MonitoringPolicy {
    let mut checks: Vec<MonitoringCheck> = Vec::new();
    for k in &raw.check {
        let code = k.code.get_ref().clone();
        let c = Some(code.as_str());
        if code.is_empty()
            || !code.chars().all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_')
        {
            l.at(&k.code, None, format!("check code '{code}' must be lower-case letters, digits and '_'"));
        } else if checks.iter().any(|x| x.code == code) {
            l.at(&k.code, None, format!("duplicate check code '{code}'"));
        }
        let every = Interval::parse(k.every.get_ref()).unwrap_or_else(|| {
            l.at(
                &k.every,
                c,
                format!("'{}' is not an interval such as 1w, 1m, 1q, 6m or 1y", k.every.get_ref()),
            );
            Interval::Months(1)
        });
        let tiers = l.tiers(&k.tiers, c);
        let mut levels = Vec::new();
        for v in &k.levels {
            match Level::parse(v.get_ref()) {
                Some(x) => levels.push(x),
                None => l.at(v, c, format!("unknown level '{}' (one of green|yellow|red)", v.get_ref())),
            }
        }
        let industries = l.industries(&k.industries, c);
        checks.push(MonitoringCheck {
            name_zh: l.non_empty(&k.name_zh, "name_zh", c),
            name_en: l.non_empty(&k.name_en, "name_en", c),
            source: l.non_empty(&k.source, "source", c),
            code,
            every,
            tiers,
            levels,
            industries,
        });
    }
    MonitoringPolicy { checks }
}

/// A rule and its compiled condition; `None` when the condition does not compile (the
/// problems are recorded).
fn rule(l: &mut Loader, r: &RawRule) -> Option<(Rule, NodeId)> {
    l.code(&r.code);
    let code = r.code.get_ref().clone();
    let c = Some(code.as_str());
    if !is_condition_name(r.name.get_ref()) {
        l.at(&r.name, c, "the name says the condition flagged, in UpperCamelCase (CurrentRatioBelowFloor)");
    }
    let level = l.rule_level(&r.level, c);
    let scope = r.scope.as_ref().map(|s| scope(l, s, c)).unwrap_or_default();
    let rule = Rule {
        code: code.clone(),
        name: r.name.get_ref().clone(),
        name_zh: l.non_empty(&r.name_zh, "name_zh", c),
        name_en: l.non_empty(&r.name_en, "name_en", c),
        level,
        when: r.when.get_ref().clone(),
        action_zh: l.non_empty(&r.action_zh, "action_zh", c),
        action_en: l.non_empty(&r.action_en, "action_en", c),
        source: l.non_empty(&r.source, "source", c),
        scope,
    };
    let root = l.condition(&r.when, &code)?;
    Some((rule, root))
}

fn scope(l: &mut Loader, s: &RawScope, c: Option<&str>) -> Scope {
    let industries = l.industries(&s.industries, c);
    let mut customer_types = Vec::new();
    for t in &s.customer_types {
        if CustomerType::ALL.iter().any(|x| x.code() == t.get_ref()) {
            customer_types.push(t.get_ref().clone());
        } else {
            let message =
                format!("unknown customer type '{}' (one of {})", t.get_ref(), CustomerType::codes_joined());
            l.at(t, c, message);
        }
    }
    let tiers = l.tiers(&s.tiers, c);
    let regions = s.regions.iter().map(|x| l.non_empty(x, "a region", c)).collect();
    Scope { industries, customer_types, tiers, regions }
}

/// A peer rule and its compiled signals; `None` when a signal does not compile.
fn peer_rule(l: &mut Loader, a: &RawAggregate) -> Option<(AggregateRule, Vec<NodeId>)> {
    l.code(&a.code);
    let code = a.code.get_ref().clone();
    let c = Some(code.as_str());
    if !is_condition_name(a.name.get_ref()) {
        l.at(&a.name, c, "the name says the condition flagged, in UpperCamelCase");
    }
    let group_by = GroupBy::ALL.into_iter().find(|g| g.code() == a.group_by.get_ref()).unwrap_or_else(|| {
        let message =
            format!("unknown group_by '{}' (one of industry|sub_industry|region)", a.group_by.get_ref());
        l.at(&a.group_by, c, message);
        GroupBy::Industry
    });
    let leading = a.leading.as_ref().map(|lead| leading(l, lead, c));
    let min_count = *a.min_count.get_ref();
    if min_count < 1 || min_count > u32::MAX as i64 {
        l.at(&a.min_count, c, "min_count must be at least 1");
    }
    let min_share = a.min_share.as_ref().map(|s| {
        let v = *s.get_ref();
        if !(v > 0.0 && v <= 1.0) {
            l.at(s, c, "min_share is a share of the counted firms, above 0 and at most 1");
        }
        v
    });
    if a.signals.get_ref().is_empty() {
        l.at(&a.signals, c, "a peer rule needs at least one signal");
    }
    let mut signals = Vec::new();
    let mut roots = Vec::new();
    for s in a.signals.get_ref() {
        let id = l.non_empty(&s.id, "a signal id", c);
        if signals.iter().any(|x: &PeerSignal| x.id == id) {
            l.at(&s.id, c, format!("duplicate signal '{id}'"));
        }
        if let Some(root) = l.condition(&s.when, &code) {
            roots.push(root);
        }
        signals.push(PeerSignal { id, when: s.when.get_ref().clone() });
    }
    let rule = AggregateRule {
        code: code.clone(),
        name: a.name.get_ref().clone(),
        name_zh: l.non_empty(&a.name_zh, "name_zh", c),
        name_en: l.non_empty(&a.name_en, "name_en", c),
        group_by,
        leading,
        signals,
        min_count: min_count.clamp(1, u32::MAX as i64) as u32,
        min_share,
        level: l.rule_level(&a.level, c),
        action_zh: l.non_empty(&a.action_zh, "action_zh", c),
        action_en: l.non_empty(&a.action_en, "action_en", c),
        source: l.non_empty(&a.source, "source", c),
    };
    (roots.len() == rule.signals.len()).then_some((rule, roots))
}

fn leading(l: &mut Loader, lead: &Spanned<RawLeading>, c: Option<&str>) -> Leading {
    let raw = lead.get_ref();
    let top = raw.top_by_revenue.as_ref().and_then(|t| {
        let n = *t.get_ref();
        if n < 1 || n > u32::MAX as i64 {
            l.at(t, c, "top_by_revenue must be at least 1");
            None
        } else {
            Some(n as u32)
        }
    });
    let tiers = l.tiers(&raw.tiers, c);
    if raw.top_by_revenue.is_none() && raw.tiers.is_empty() {
        l.at(lead, c, "leading needs top_by_revenue, tiers or both (leave it out to count every firm)");
    }
    Leading { top_by_revenue: top, tiers }
}
