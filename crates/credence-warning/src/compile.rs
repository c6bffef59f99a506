//! The compiled form of a rule pack: one flat array of operations shared by every rule
//! and peer signal, the indicators they read (each with the quarters back it is read
//! at) and the event quantities they count; and the plan that turns those reads into one
//! small catalogue evaluated once per customer.
//!
//! Indicator values come from `credence-indicators`, which evaluates a catalogue over a
//! credit file at one as-of date. A rule pack reads a handful of indicators, some of them
//! one or more quarters back (`for 2 quarters`, `change(x, 1y)`, `x rising`). The plan
//! therefore derives a *probe catalogue* from the real one: every indicator the pack reads
//! at the current quarter keeps its formula; a read k quarters back becomes an indicator
//! `id__lagk` whose formula is `lag(formula, k)`, the catalogue's own way to evaluate a
//! formula k quarters earlier (statements and ledger dates move together). One call of
//! [`Catalogue::evaluate`] on the probe then yields exactly the values the pack needs and
//! nothing else, with shared sub-formulas computed once.

use chrono::NaiveDate;
use credence_domain::EventKind;
use credence_indicators::{Catalogue, CatalogueError, IndicatorDef, Unit, add_months};

pub(crate) use credence_expr::CmpOp;

use crate::syntax::Span;

pub(crate) type NodeId = u32;

/// Sentinel for "no value read here".
pub(crate) const NONE: u32 = u32::MAX;

/// What a number is, for type checks and for printing it: a plain number, a relative
/// change (a fraction, written with `%`), or a quantity in a catalogue unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Quantity {
    Plain,
    Fraction,
    In(Unit),
}

impl Quantity {
    pub fn describe(self) -> &'static str {
        match self {
            Quantity::Plain => "a number",
            Quantity::Fraction => "a relative change",
            Quantity::In(u) => match u {
                Unit::Ratio => "a ratio",
                Unit::Percent => "a value in percent",
                Unit::Times => "times per year",
                Unit::PercentPerYear => "percent per year",
                Unit::Days => "days",
                Unit::Months => "months",
                Unit::Years => "years",
                Unit::Money => "money",
                Unit::MoneyPerYear => "money per year",
                Unit::MoneyPerPersonYear => "money per person and year",
                Unit::Count => "a count",
                Unit::Score => "a score",
            },
        }
    }

    /// The unit code used in evidence: a catalogue unit, `fraction` or `number`.
    pub fn code(self) -> &'static str {
        match self {
            Quantity::Plain => "number",
            Quantity::Fraction => "fraction",
            Quantity::In(u) => u.code(),
        }
    }
}

/// One operation. Operands are indices into [`Program::ops`]. Every operation is
/// evaluated at an *offset*: a number of quarters back from the as-of date.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Op {
    Const(f64),
    /// An indicator of [`Program::indicators`].
    Indicator(u16),
    /// The good or poor threshold of an indicator for the customer's industry.
    Threshold {
        indicator: u16,
        good: bool,
    },
    /// An event quantity of [`Program::events`].
    Event(u16),
    Neg(NodeId),
    Abs(NodeId),
    Add(NodeId, NodeId),
    Sub(NodeId, NodeId),
    Mul(NodeId, NodeId),
    /// Missing when the divisor is zero.
    Div(NodeId, NodeId),
    Min(NodeId, NodeId),
    Max(NodeId, NodeId),
    /// The operand `quarters` earlier.
    Lag(NodeId, u16),
    /// `sign × (now − then) / |then|`, then = `quarters` earlier; missing when then is 0.
    /// `sign` is −1 for the worsening of a higher-better indicator.
    Change {
        value: NodeId,
        quarters: u16,
        sign: f64,
    },
    Cmp(CmpOp, NodeId, NodeId),
    /// Now strictly above (rising) or below (falling) the value `quarters` earlier.
    Trend {
        value: NodeId,
        quarters: u16,
        rising: bool,
    },
    And(NodeId, NodeId),
    Or(NodeId, NodeId),
    Not(NodeId),
    /// The condition holds now and in each of the `quarters − 1` quarters before.
    Held(NodeId, u16),
}

/// A numeric field of an event, for filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EventField {
    Amount,
    Count,
    ChangePct,
    Sentiment,
}

/// A condition on one event's fields. A comparison with a field the event does not
/// carry is false, so `role == "CEO"` does not match an event without a role.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Filter {
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
    Compare {
        field: EventField,
        op: CmpOp,
        value: f64,
    },
    /// Role among `values` (stored lower-case, compared ignoring case and surrounding
    /// white space); `negate` for `!=`.
    Role {
        values: Vec<String>,
        negate: bool,
    },
}

impl Filter {
    pub fn matches(&self, e: &credence_indicators::Event) -> bool {
        match self {
            Filter::And(a, b) => a.matches(e) && b.matches(e),
            Filter::Or(a, b) => a.matches(e) || b.matches(e),
            Filter::Not(a) => !a.matches(e),
            Filter::Compare { field, op, value } => {
                let v = match field {
                    EventField::Amount => e.amount,
                    EventField::Count => e.count,
                    EventField::ChangePct => e.change_pct,
                    EventField::Sentiment => e.sentiment,
                };
                v.is_some_and(|v| op.holds(v, *value))
            }
            Filter::Role { values, negate } => match e.role.as_deref() {
                None => false,
                Some(role) => {
                    let role = role.trim();
                    values.iter().any(|v| v.eq_ignore_ascii_case(role)) != *negate
                }
            },
        }
    }
}

/// How events in a window are summed up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EventAggregate {
    /// Number of events.
    Count,
    /// Sum of the events' `count` (people, complaints), an event without one counting 1.
    SumCount,
    /// Sum of the events' amounts.
    SumAmount,
    /// Sum of the events' `change_pct`, as a fraction.
    SumChange,
    /// Mean sentiment of the events that carry one; missing when none does.
    MeanSentiment,
}

impl EventAggregate {
    pub fn name(self) -> &'static str {
        match self {
            EventAggregate::Count => "count",
            EventAggregate::SumCount => "sum_count",
            EventAggregate::SumAmount => "sum_amount",
            EventAggregate::SumChange => "sum_change",
            EventAggregate::MeanSentiment => "mean_sentiment",
        }
    }

    pub fn parse(name: &str) -> Option<EventAggregate> {
        [
            EventAggregate::Count,
            EventAggregate::SumCount,
            EventAggregate::SumAmount,
            EventAggregate::SumChange,
            EventAggregate::MeanSentiment,
        ]
        .into_iter()
        .find(|a| a.name() == name)
    }

    pub fn quantity(self) -> Quantity {
        match self {
            EventAggregate::Count | EventAggregate::SumCount => Quantity::In(Unit::Count),
            EventAggregate::SumAmount => Quantity::In(Unit::Money),
            EventAggregate::SumChange => Quantity::Fraction,
            EventAggregate::MeanSentiment => Quantity::In(Unit::Score),
        }
    }
}

/// A calendar length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Period {
    Days(u32),
    Months(u32),
}

impl Period {
    /// Whole months covered, a day counting as a thirtieth of a month rounded up.
    pub fn months_up(self) -> u32 {
        match self {
            Period::Days(d) => d.div_ceil(30),
            Period::Months(m) => m,
        }
    }

    pub fn back(self, from: NaiveDate) -> NaiveDate {
        match self {
            Period::Days(n) => from.checked_sub_days(chrono::Days::new(n as u64)).unwrap_or(from),
            Period::Months(n) => shift_months(from, -(n as i32)),
        }
    }
}

/// One distinct event quantity read by the pack.
#[derive(Debug, Clone)]
pub(crate) struct EventRead {
    pub kind: EventKind,
    pub filter: Option<Filter>,
    /// The filter as written, white space collapsed; part of the identity of the read.
    pub filter_text: String,
    pub aggregate: EventAggregate,
    pub length: Period,
    pub shift: Period,
    /// Offsets (quarters back) at which the pack reads it, as bits.
    pub offsets: u64,
}

impl EventRead {
    /// The window `(start, end]` at `offset` quarters before `as_of`: the end is moved
    /// back by whole quarters (keeping month ends) and then by the shift.
    pub fn window(&self, as_of: NaiveDate, offset: u16) -> (NaiveDate, NaiveDate) {
        let end = self.shift.back(shift_months(as_of, -3 * offset as i32));
        (self.length.back(end), end)
    }

    /// The value over the customer's events (ascending by date) in the window
    /// `(start, end]`.
    pub fn value(
        &self,
        events: &[credence_indicators::Event],
        (start, end): (NaiveDate, NaiveDate),
    ) -> Option<f64> {
        // Events are sorted by date: skip to the window, stop after it.
        let first = events.partition_point(|e| e.date <= start);
        let mut n = 0u32;
        let mut sum = 0.0;
        for e in &events[first..] {
            if e.date > end {
                break;
            }
            if e.kind != self.kind || !self.filter.as_ref().is_none_or(|f| f.matches(e)) {
                continue;
            }
            match self.aggregate {
                EventAggregate::Count => n += 1,
                EventAggregate::SumCount => sum += e.count.unwrap_or(1.0),
                EventAggregate::SumAmount => sum += e.amount.unwrap_or(0.0),
                EventAggregate::SumChange => sum += e.change_pct.unwrap_or(0.0) / 100.0,
                EventAggregate::MeanSentiment => {
                    if let Some(s) = e.sentiment {
                        n += 1;
                        sum += s;
                    }
                }
            }
        }
        match self.aggregate {
            EventAggregate::Count => Some(n as f64),
            EventAggregate::MeanSentiment => (n > 0).then(|| sum / n as f64),
            _ => Some(sum),
        }
    }
}

/// An indicator the pack reads.
#[derive(Debug, Clone)]
pub(crate) struct IndicatorRead {
    pub def: IndicatorDef,
    /// Offsets (quarters back) at which the pack reads it, as bits.
    pub offsets: u64,
}

/// Every operation of every condition of a pack, and what they read.
#[derive(Debug, Clone, Default)]
pub(crate) struct Program {
    pub ops: Vec<Op>,
    /// Per operation, its text in the condition it belongs to.
    pub spans: Vec<Span>,
    /// Per operation, what its number is (`Plain` for conditions).
    pub quantities: Vec<Quantity>,
    pub indicators: Vec<IndicatorRead>,
    pub events: Vec<EventRead>,
}

impl Program {
    pub fn push(&mut self, op: Op, span: Span, quantity: Quantity) -> NodeId {
        self.ops.push(op);
        self.spans.push(span);
        self.quantities.push(quantity);
        (self.ops.len() - 1) as NodeId
    }

    pub fn indicator(&mut self, def: &IndicatorDef) -> u16 {
        if let Some(i) = self.indicators.iter().position(|r| r.def.id == def.id) {
            return i as u16;
        }
        self.indicators.push(IndicatorRead { def: def.clone(), offsets: 0 });
        (self.indicators.len() - 1) as u16
    }

    pub fn event(&mut self, read: EventRead) -> u16 {
        let same = |r: &EventRead| {
            r.kind == read.kind
                && r.filter_text == read.filter_text
                && r.aggregate == read.aggregate
                && r.length == read.length
                && r.shift == read.shift
        };
        if let Some(i) = self.events.iter().position(same) {
            return i as u16;
        }
        self.events.push(read);
        (self.events.len() - 1) as u16
    }

    /// The operands of an operation.
    pub fn children(&self, id: NodeId) -> [Option<NodeId>; 2] {
        match self.ops[id as usize] {
            Op::Const(_) | Op::Indicator(_) | Op::Threshold { .. } | Op::Event(_) => [None, None],
            Op::Neg(a)
            | Op::Abs(a)
            | Op::Lag(a, _)
            | Op::Change { value: a, .. }
            | Op::Trend { value: a, .. }
            | Op::Not(a)
            | Op::Held(a, _) => [Some(a), None],
            Op::Add(a, b)
            | Op::Sub(a, b)
            | Op::Mul(a, b)
            | Op::Div(a, b)
            | Op::Min(a, b)
            | Op::Max(a, b)
            | Op::Cmp(_, a, b)
            | Op::And(a, b)
            | Op::Or(a, b) => [Some(a), Some(b)],
        }
    }

    /// Whether the operation reads an indicator (so needs the probe evaluated).
    pub fn reads_indicators(&self, id: NodeId) -> bool {
        matches!(self.ops[id as usize], Op::Indicator(_))
            || self.children(id).into_iter().flatten().any(|c| self.reads_indicators(c))
    }
}

/// Highest offset in a set of offsets.
pub(crate) fn highest(mask: u64) -> u16 {
    (63 - mask.leading_zeros()) as u16
}

/// Where each read of a compiled program is found for a customer: positions in the
/// probe catalogue's values and in the per-customer event values.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    /// Indicators read, at the offsets read, as a catalogue; `None` when the pack reads
    /// no indicator.
    pub probe: Option<Catalogue>,
    /// Offsets per read: `history + 1`.
    pub stride: usize,
    /// `indicator × stride + offset` → position in the probe's values, or [`NONE`].
    pub indicator_slots: Vec<u32>,
    /// `event × stride + offset` → position in the event values, or [`NONE`].
    pub event_slots: Vec<u32>,
    /// (event, offset) per event value, in order.
    pub event_reads: Vec<(u16, u16)>,
}

/// A TOML basic string holding `s`.
fn toml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn number(v: f64) -> String {
    // TOML floats need a digit after the point; `{:?}` prints round-trip with one.
    format!("{v:?}")
}

/// The probe catalogue's id of an indicator read `offset` quarters back.
pub(crate) fn probe_id(id: &str, offset: u16) -> String {
    if offset == 0 { id.to_owned() } else { format!("{id}__lag{offset}") }
}

impl Plan {
    pub fn new(program: &Program, history: u16, catalogue_version: &str) -> Result<Plan, CatalogueError> {
        let stride = history as usize + 1;
        let mut indicator_slots = vec![NONE; program.indicators.len() * stride];
        let mut text = format!("version = {}\n", toml_string(catalogue_version));
        let mut position = 0u32;
        for (i, read) in program.indicators.iter().enumerate() {
            let d = &read.def;
            for offset in 0..stride as u16 {
                if read.offsets & (1 << offset) == 0 {
                    continue;
                }
                // The newline before the lag keeps a trailing `#` comment of the formula
                // from swallowing it.
                let formula =
                    if offset == 0 { d.formula.clone() } else { format!("lag(\n{}\n, {offset})", d.formula) };
                let t = &d.default_thresholds;
                text.push_str(&format!(
                    "\n[[indicator]]\nid = {}\nname_zh = {}\nname_en = {}\ngroup = {}\nunit = {}\n\
                     direction = {}\nformula = {}\ndoc = {}\napplies_to = [{}]\n\
                     thresholds.default = {{ good = {}, poor = {}, source = {} }}\n",
                    toml_string(&probe_id(&d.id, offset)),
                    toml_string(&d.name_zh),
                    toml_string(&d.name_en),
                    toml_string(d.group.code()),
                    toml_string(d.unit.code()),
                    toml_string(d.direction.code()),
                    toml_string(&formula),
                    toml_string(&d.doc),
                    d.applies_to.iter().map(|a| toml_string(a)).collect::<Vec<_>>().join(", "),
                    number(t.good),
                    number(t.poor),
                    toml_string(&t.source),
                ));
                indicator_slots[i * stride + offset as usize] = position;
                position += 1;
            }
        }
        let probe = if position == 0 { None } else { Some(Catalogue::from_toml(&text, "rule-pack probe")?) };
        let mut event_slots = vec![NONE; program.events.len() * stride];
        let mut event_reads = Vec::new();
        for (e, read) in program.events.iter().enumerate() {
            for offset in 0..stride as u16 {
                if read.offsets & (1 << offset) != 0 {
                    event_slots[e * stride + offset as usize] = event_reads.len() as u32;
                    event_reads.push((e as u16, offset));
                }
            }
        }
        Ok(Plan { probe, stride, indicator_slots, event_slots, event_reads })
    }
}

/// `d` moved by whole months, a month end staying a month end: the indicator catalogue's
/// calendar ([`add_months`]). Beyond the calendar a rule's window stays where it is.
pub(crate) fn shift_months(d: NaiveDate, months: i32) -> NaiveDate {
    add_months(d, months).unwrap_or(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn month_shifts_stay_put_beyond_the_calendar() {
        assert_eq!(shift_months(d(2026, 6, 30), -3), d(2026, 3, 31));
        assert_eq!(shift_months(NaiveDate::MAX, 1), NaiveDate::MAX);
        assert_eq!(shift_months(NaiveDate::MIN, -1), NaiveDate::MIN);
    }

    #[test]
    fn toml_strings_escape() {
        assert_eq!(toml_string("a \"b\"\n\\"), r#""a \"b\"\n\\""#);
        assert_eq!(number(2.0), "2.0");
    }
}
