//! Evidence of a firing: the comparisons that made its condition true, each side with the
//! values it was computed from and the periods they describe, and their rendering as a
//! sentence in English or Chinese.
//!
//! Evidence is built only for rules that fire, by walking the condition again: for
//! `and` every side, for `or` the first side that holds, for `for n quarters` each
//! quarter, for `not` the comparison that fails (written the other way round).

use chrono::{Days, NaiveDate};
use credence_domain::Labelled;
use serde::Serialize;

use crate::compile::{CmpOp, EventAggregate, NodeId, Op};
use crate::eval::{Reads, Truth};
use crate::level::RuleLevel;

/// A language for sentences.
pub use credence_domain::Lang as Language;

/// One rule that fired for a customer, with its evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Firing {
    pub code: String,
    /// The condition's name (`CurrentRatioBelowFloor`).
    pub name: String,
    pub name_zh: String,
    pub name_en: String,
    pub level: RuleLevel,
    pub action_zh: String,
    pub action_en: String,
    /// The comparisons that held, in the order of the condition.
    pub evidence: Vec<Fact>,
}

/// Everything a firing says, fed to `state`: two firings hash alike exactly when they
/// serialise alike (numbers by their bits), so a run can tell an alert's evidence is
/// unchanged without writing it out.
impl std::hash::Hash for Firing {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        let Firing { code, name, name_zh, name_en, level, action_zh, action_en, evidence } = self;
        (code, name, name_zh, name_en, level, action_zh, action_en).hash(state);
        state.write_usize(evidence.len());
        for Fact { kind, left, op, right } in evidence {
            (kind, op).hash(state);
            left.hash_into(state);
            right.hash_into(state);
        }
    }
}

impl Term {
    fn hash_into<H: std::hash::Hasher>(&self, state: &mut H) {
        use std::hash::Hash;
        let Term { expression, value, unit, readings } = self;
        (expression, value.to_bits(), unit).hash(state);
        state.write_usize(readings.len());
        for Reading { quantity, name_zh, name_en, value, unit, from, date } in readings {
            (quantity, name_zh, name_en, value.to_bits(), unit, from, date).hash(state);
        }
    }
}

impl Firing {
    /// The rule and its level, without the evidence: what a level is decided from.
    pub fn hit(&self) -> crate::level::RuleHit {
        crate::level::RuleHit { code: self.code.clone(), level: self.level }
    }
}

/// How a fact came about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FactKind {
    /// A comparison of the condition (`current_ratio < 1.5`).
    Comparison,
    /// `x rising`: the left side is now, the right side earlier.
    Rising,
    /// `x falling`: the left side is now, the right side earlier.
    Falling,
}

/// A comparison that held: `left op right`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fact {
    pub kind: FactKind,
    pub left: Term,
    /// `<`, `<=`, `>`, `>=`, `==` or `!=`.
    pub op: &'static str,
    pub right: Term,
}

/// One side of a comparison: the expression as written, its value and the values read
/// to compute it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Term {
    pub expression: String,
    pub value: f64,
    /// A catalogue unit code, `fraction` (a relative change) or `number`.
    pub unit: &'static str,
    pub readings: Vec<Reading>,
}

/// A value read from the credit file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reading {
    /// The indicator id, `poor(id)`/`good(id)`, or the event quantity as written.
    pub quantity: String,
    pub name_zh: String,
    pub name_en: String,
    pub value: f64,
    pub unit: &'static str,
    /// First day of an event window; `None` for a value at a date.
    pub from: Option<NaiveDate>,
    /// The statement period end, the window's last day, or the date of a ledger value.
    pub date: NaiveDate,
}

/// The evidence of a condition that holds at offset 0.
pub(crate) fn explain(reads: &Reads, text: &str, root: NodeId) -> Vec<Fact> {
    let mut out = Vec::new();
    why(reads, text, root, 0, true, &mut out);
    out
}

/// Collects the facts that make `id` at `offset` have the truth value `want`.
fn why(reads: &Reads, text: &str, id: NodeId, offset: u16, want: bool, out: &mut Vec<Fact>) {
    let wanted = if want { Truth::True } else { Truth::False };
    match reads.program.ops[id as usize] {
        Op::And(a, b) | Op::Or(a, b) => {
            let all = matches!(reads.program.ops[id as usize], Op::And(..)) == want;
            for c in [a, b] {
                if reads.truth(c, offset) == wanted {
                    why(reads, text, c, offset, want, out);
                    if !all {
                        return;
                    }
                }
            }
        }
        Op::Not(a) => why(reads, text, a, offset, !want, out),
        Op::Held(a, n) => {
            for j in 0..n {
                if reads.truth(a, offset + j) == wanted {
                    why(reads, text, a, offset + j, want, out);
                    if !want {
                        return;
                    }
                }
            }
        }
        Op::Cmp(op, a, b) => out.push(Fact {
            kind: FactKind::Comparison,
            left: term(reads, text, a, offset),
            op: if want { op } else { op.negated() }.symbol(),
            right: term(reads, text, b, offset),
        }),
        Op::Trend { value, quarters, rising } => {
            let op = match (rising, want) {
                (true, true) => CmpOp::Gt,
                (true, false) => CmpOp::Le,
                (false, true) => CmpOp::Lt,
                (false, false) => CmpOp::Ge,
            };
            out.push(Fact {
                kind: if rising { FactKind::Rising } else { FactKind::Falling },
                left: term(reads, text, value, offset),
                op: op.symbol(),
                right: term(reads, text, value, offset + quarters),
            });
        }
        _ => {}
    }
}

fn source(text: &str, reads: &Reads, id: NodeId) -> String {
    let s = reads.program.spans[id as usize];
    text.get(s.start..s.end).unwrap_or_default().split_whitespace().collect::<Vec<_>>().join(" ")
}

fn term(reads: &Reads, text: &str, id: NodeId, offset: u16) -> Term {
    let mut readings = Vec::new();
    leaves(reads, text, id, offset, &mut readings);
    Term {
        expression: source(text, reads, id),
        value: reads.number(id, offset).unwrap_or(f64::NAN),
        unit: reads.program.quantities[id as usize].code(),
        readings,
    }
}

fn event_names(kind: credence_domain::EventKind, aggregate: EventAggregate) -> (String, String) {
    let (zh, en) = match aggregate {
        EventAggregate::Count => ("次数", "number of events"),
        EventAggregate::SumCount => ("数量合计", "total count"),
        EventAggregate::SumAmount => ("金额合计", "total amount"),
        EventAggregate::SumChange => ("变动比例合计", "total change"),
        EventAggregate::MeanSentiment => ("平均情感", "mean sentiment"),
    };
    (format!("{}{zh}", kind.name_zh()), format!("{}: {en}", kind.name_en()))
}

fn leaves(reads: &Reads, text: &str, id: NodeId, offset: u16, out: &mut Vec<Reading>) {
    let program = reads.program;
    let quantity = program.quantities[id as usize].code();
    let reading = match program.ops[id as usize] {
        Op::Indicator(i) => {
            let Some(value) = reads.indicator(i, offset) else { return };
            let def = &program.indicators[i as usize].def;
            Reading {
                quantity: def.id.clone(),
                name_zh: def.name_zh.clone(),
                name_en: def.name_en.clone(),
                value,
                unit: quantity,
                from: None,
                date: reads.indicator_date(i, offset),
            }
        }
        Op::Threshold { indicator, good } => {
            let def = &program.indicators[indicator as usize].def;
            let (zh, en, word) =
                if good { ("良好值", "good level", "good") } else { ("较差值", "poor level", "poor") };
            Reading {
                quantity: format!("{word}({})", def.id),
                name_zh: format!("{}{zh}", def.name_zh),
                name_en: format!("{} {en}", def.name_en),
                value: reads.threshold(indicator, good),
                unit: quantity,
                from: None,
                date: reads.as_of,
            }
        }
        Op::Event(e) => {
            let Some(value) = reads.event(e, offset) else { return };
            let read = &program.events[e as usize];
            let (start, end) = read.window(reads.as_of, offset);
            let (mut name_zh, mut name_en) = event_names(read.kind, read.aggregate);
            if !read.filter_text.is_empty() {
                name_zh.push_str(&format!("［{}］", read.filter_text));
                name_en.push_str(&format!(" [{}]", read.filter_text));
            }
            Reading {
                quantity: source(text, reads, id),
                name_zh,
                name_en,
                value,
                unit: quantity,
                from: start.checked_add_days(Days::new(1)),
                date: end,
            }
        }
        Op::Lag(a, q) => return leaves(reads, text, a, offset + q, out),
        Op::Change { value, quarters, .. } => {
            leaves(reads, text, value, offset, out);
            return leaves(reads, text, value, offset + quarters, out);
        }
        _ => {
            for c in program.children(id).into_iter().flatten() {
                leaves(reads, text, c, offset, out);
            }
            return;
        }
    };
    if !out.iter().any(|r| r.quantity == reading.quantity && r.date == reading.date) {
        out.push(reading);
    }
}

/// A number as written for people, by unit.
pub(crate) fn format_value(value: f64, unit: &str, lang: Language) -> String {
    let zh = lang == Language::Zh;
    let trimmed = |v: f64, places: usize| {
        let s = format!("{v:.places$}");
        if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_owned() } else { s }
    };
    match unit {
        "ratio" => format!("{value:.2}"),
        "percent" | "percent_per_year" => format!("{value:.1}%"),
        "fraction" => format!("{:.1}%", value * 100.0),
        "times" if zh => format!("{value:.2}次/年"),
        "times" => format!("{value:.2} times a year"),
        "days" if zh => format!("{value:.1}天"),
        "days" => format!("{value:.1} days"),
        "months" if zh => format!("{value:.2}个月"),
        "months" => format!("{value:.2} months"),
        "years" if zh => format!("{value:.2}年"),
        "years" => format!("{value:.2} years"),
        "score" if zh => format!("{}分", trimmed(value, 2)),
        "score" => format!("{} points", trimmed(value, 2)),
        "money" | "money_per_year" | "money_per_person_year" => format!("{value:.2}"),
        _ => trimmed(value, 4),
    }
}

fn period(r: &Reading, lang: Language) -> String {
    match (r.from, lang) {
        (Some(from), Language::En) => format!("{from} to {}", r.date),
        (Some(from), Language::Zh) => format!("{from}至{}", r.date),
        (None, _) => r.date.to_string(),
    }
}

fn reading_text(r: &Reading, lang: Language) -> String {
    let v = format_value(r.value, r.unit, lang);
    match lang {
        Language::En => format!("{} {v} ({})", r.name_en, period(r, lang)),
        Language::Zh => format!("{} {v}（{}）", r.name_zh, period(r, lang)),
    }
}

/// The term is exactly one value read (`current_ratio`), not a computation.
fn single(t: &Term) -> Option<&Reading> {
    match t.readings.as_slice() {
        [r] if r.quantity == t.expression => Some(r),
        _ => None,
    }
}

fn term_text(t: &Term, lang: Language) -> String {
    if t.readings.is_empty() {
        return t.expression.clone();
    }
    if let Some(r) = single(t) {
        return reading_text(r, lang);
    }
    let v = format_value(t.value, t.unit, lang);
    let parts: Vec<String> = t.readings.iter().map(|r| reading_text(r, lang)).collect();
    match lang {
        Language::En => format!("{} = {v} ({})", t.expression, parts.join("; ")),
        Language::Zh => format!("{} = {v}（{}）", t.expression, parts.join("；")),
    }
}

fn op_text(op: &str) -> &str {
    match op {
        "<=" => "≤",
        ">=" => "≥",
        "==" => "=",
        "!=" => "≠",
        other => other,
    }
}

fn fact_text(f: &Fact, lang: Language) -> String {
    if let (FactKind::Rising | FactKind::Falling, Some(now), Some(then)) =
        (f.kind, single(&f.left), single(&f.right))
    {
        let moved = matches!(f.op, ">" | "<");
        let (now_v, then_v) =
            (format_value(now.value, now.unit, lang), format_value(then.value, then.unit, lang));
        return match (lang, f.kind, moved) {
            (Language::En, FactKind::Rising, true) => {
                format!("{} rose from {then_v} ({}) to {now_v} ({})", now.name_en, then.date, now.date)
            }
            (Language::En, _, true) => {
                format!("{} fell from {then_v} ({}) to {now_v} ({})", now.name_en, then.date, now.date)
            }
            (Language::Zh, FactKind::Rising, true) => {
                format!("{}由{then_v}（{}）升至{now_v}（{}）", now.name_zh, then.date, now.date)
            }
            (Language::Zh, _, true) => {
                format!("{}由{then_v}（{}）降至{now_v}（{}）", now.name_zh, then.date, now.date)
            }
            _ => format!("{} {} {}", term_text(&f.left, lang), op_text(f.op), term_text(&f.right, lang)),
        };
    }
    format!("{} {} {}", term_text(&f.left, lang), op_text(f.op), term_text(&f.right, lang))
}

/// The facts as clauses; consecutive comparisons of the same value with the same
/// constant (`for 2 quarters`) are merged: "Current ratio 1.32 (2026-06-30) and 1.41
/// (2026-03-31) < 1.5".
pub(crate) fn clauses(facts: &[Fact], lang: Language) -> Vec<String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < facts.len() {
        let f = &facts[i];
        let mergeable = |g: &Fact| {
            g.kind == FactKind::Comparison
                && g.op == f.op
                && g.left.expression == f.left.expression
                && g.right.expression == f.right.expression
                && g.right.readings.is_empty()
                && single(&g.left).is_some()
        };
        let mut j = i + 1;
        if mergeable(f) {
            while j < facts.len() && mergeable(&facts[j]) {
                j += 1;
            }
        }
        if j - i > 1 {
            let first = single(&f.left).map(|r| if lang == Language::En { &r.name_en } else { &r.name_zh });
            let values: Vec<String> = facts[i..j]
                .iter()
                .filter_map(|g| single(&g.left))
                .map(|r| match lang {
                    Language::En => format!("{} ({})", format_value(r.value, r.unit, lang), period(r, lang)),
                    Language::Zh => format!("{}（{}）", format_value(r.value, r.unit, lang), period(r, lang)),
                })
                .collect();
            let joined = match lang {
                Language::En => values.join(" and "),
                Language::Zh => values.join("、"),
            };
            out.push(format!(
                "{} {joined} {} {}",
                first.map_or("", |s| s.as_str()),
                op_text(f.op),
                f.right.expression
            ));
        } else {
            out.push(fact_text(f, lang));
        }
        i = j;
    }
    out
}

impl Firing {
    /// The firing as one sentence: code, name and evidence.
    pub fn sentence(&self, lang: Language) -> String {
        let clauses = clauses(&self.evidence, lang);
        match lang {
            Language::En => format!("{} {}: {}.", self.code, self.name_en, clauses.join("; ")),
            Language::Zh => format!("{} {}：{}。", self.code, self.name_zh, clauses.join("；")),
        }
    }
}
