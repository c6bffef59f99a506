//! Type checking of rule conditions against the indicator catalogue, lowered into the
//! shared [`Program`] as it goes. Names resolve to catalogue indicators; events are only
//! counted, never compared bare; numbers carry what they are (a ratio, days, a count, a
//! relative change) and only like meets like; every look back in time fits the history a
//! credit file holds. Each problem carries the span of the text it concerns, and checking
//! goes on after a problem so one load lists them all.

use credence_domain::{EventKind, Labelled};
use credence_indicators::{Catalogue, Direction};

use crate::compile::{CmpOp, EventAggregate, NodeId, Op, Period, Program, Quantity};
use crate::syntax::{Arg, BinOp, Duration, DurationUnit, Expr, Node, Span, parse};

mod events;
mod history;

/// A problem in one condition, located by a byte span of its text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ConditionProblem {
    pub span: Span,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Ty {
    Bool,
    Num {
        q: Quantity,
        literal: Option<f64>,
    },
    /// Already reported: accepted anywhere so one mistake gives one message.
    Error,
}

type Checked = (NodeId, Ty);

/// The most quarters any look back may reach: the catalogue's `lag` accepts 40.
pub(crate) const MAX_HISTORY_QUARTERS: u16 = 40;

struct Checker<'a> {
    catalogue: &'a Catalogue,
    program: &'a mut Program,
    text: &'a str,
    history: u16,
    problems: Vec<ConditionProblem>,
}

/// Checks a rule condition and compiles it into `program`; `history` is the number of
/// quarters a condition may look back.
pub(crate) fn compile_condition(
    program: &mut Program,
    catalogue: &Catalogue,
    text: &str,
    history: u16,
) -> Result<NodeId, Vec<ConditionProblem>> {
    let node = parse(text).map_err(|e| vec![ConditionProblem { span: e.span, message: e.message }])?;
    let mut c = Checker { catalogue, program, text, history, problems: Vec::new() };
    let (id, ty) = c.expr(&node);
    if c.problems.is_empty() {
        match ty {
            Ty::Num { .. } => {
                c.fail(node.span, "a rule needs a condition such as current_ratio < 1.5, not a number");
            }
            Ty::Bool => c.reach(id, 1),
            Ty::Error => {}
        }
    }
    if c.problems.is_empty() { Ok(id) } else { Err(c.problems) }
}

pub(crate) use credence_source::suggestion;

const FUNCTIONS: [&str; 13] = [
    "count",
    "sum_count",
    "sum_amount",
    "sum_change",
    "mean_sentiment",
    "change",
    "lag",
    "worsening",
    "good",
    "poor",
    "abs",
    "min",
    "max",
];

const EVENT_FIELDS: &str = "role, amount, count, change_pct, sentiment";

impl Checker<'_> {
    fn fail(&mut self, span: Span, message: impl Into<String>) -> Checked {
        self.problems.push(ConditionProblem { span, message: message.into() });
        (0, Ty::Error)
    }

    /// The text of a span with runs of white space collapsed, for messages.
    fn source(&self, span: Span) -> String {
        self.text[span.start..span.end].split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// "cannot `verb` 'a' (its quantity) by 'b' (its quantity): `advice`".
    fn mismatch(
        &self,
        verb: &str,
        (l, lq): (&Node, Quantity),
        (r, rq): (&Node, Quantity),
        advice: &str,
    ) -> String {
        let (a, b) = (self.source(l.span), self.source(r.span));
        format!("cannot {verb} '{a}' ({}) by '{b}' ({}): {advice}", lq.describe(), rq.describe())
    }

    fn push(&mut self, op: Op, span: Span, q: Quantity) -> NodeId {
        self.program.push(op, span, q)
    }

    fn number(&mut self, q: Quantity, v: f64, span: Span) -> Checked {
        (self.push(Op::Const(v), span, q), Ty::Num { q, literal: Some(v) })
    }

    fn expr(&mut self, n: &Node) -> Checked {
        match &n.expr {
            Expr::Number(v) => self.number(Quantity::Plain, *v, n.span),
            Expr::Percent(v) => self.number(Quantity::Fraction, *v, n.span),
            Expr::Duration(_) => self.fail(
                n.span,
                "a duration such as 4q is only allowed as a window, a lag or a shift (count(news, 4q), lag(x, 1q), 1q ago)",
            ),
            Expr::Text(_) => self.fail(
                n.span,
                "a string is only allowed in an event filter such as management_change[role == \"CEO\"]",
            ),
            Expr::In(..) => self.fail(
                n.span,
                "'in' is only allowed in an event filter such as management_change[role in (\"CEO\", \"CFO\")]",
            ),
            Expr::Filtered { name, .. } => self.fail(
                n.span,
                format!("an event filter belongs inside an event count, such as count({name}[…], 4q)"),
            ),
            Expr::Name(name) => self.name(name, n.span),
            Expr::Neg(x) => {
                let (x, t) = self.expr(x);
                match t {
                    Ty::Error => (x, t),
                    Ty::Bool => self.fail(n.span, "'-' needs a number, not a condition"),
                    Ty::Num { q, literal: Some(v) } => self.number(q, -v, n.span),
                    Ty::Num { q, literal: None } => {
                        (self.push(Op::Neg(x), n.span, q), Ty::Num { q, literal: None })
                    }
                }
            }
            Expr::Not(x) => {
                let (x, t) = self.expr(x);
                match t {
                    Ty::Error => (x, t),
                    Ty::Num { .. } => self.fail(n.span, "'not' needs a condition, not a number"),
                    Ty::Bool => (self.push(Op::Not(x), n.span, Quantity::Plain), Ty::Bool),
                }
            }
            Expr::Binary(op, op_span, l, r) => {
                let lc = self.expr(l);
                let rc = self.expr(r);
                self.binary(*op, *op_span, n.span, (l, lc), (r, rc))
            }
            Expr::Trend { rising, value, over, word } => {
                let (x, t) = self.expr(value);
                let quarters = match over {
                    Some(d) => match self.quarters(d, "the look-back of 'rising' and 'falling'") {
                        Some(q) => q,
                        None => return (x, Ty::Error),
                    },
                    None => 1,
                };
                match t {
                    Ty::Error => (x, t),
                    Ty::Bool => self.fail(
                        value.span,
                        format!(
                            "'{}' needs a number, but '{}' is a condition",
                            self.source(*word),
                            self.source(value.span)
                        ),
                    ),
                    Ty::Num { literal: Some(_), .. } => {
                        self.fail(value.span, "a constant neither rises nor falls")
                    }
                    Ty::Num { .. } => (
                        self.push(Op::Trend { value: x, quarters, rising: *rising }, n.span, Quantity::Plain),
                        Ty::Bool,
                    ),
                }
            }
            Expr::Held { condition, quarters, count_span } => {
                let (x, t) = self.expr(condition);
                if quarters.fract() != 0.0 || *quarters < 1.0 {
                    let n = self.source(*count_span);
                    return self.fail(
                        *count_span,
                        format!("a condition must hold for a whole number of quarters, at least 1 (found {n})"),
                    );
                }
                if *quarters > MAX_HISTORY_QUARTERS as f64 {
                    return self.fail(
                        *count_span,
                        format!("a condition can be required for at most {MAX_HISTORY_QUARTERS} quarters"),
                    );
                }
                match t {
                    Ty::Error => (x, t),
                    Ty::Num { .. } => self.fail(
                        condition.span,
                        format!(
                            "'for … quarters' needs a condition, but '{}' is a number",
                            self.source(condition.span)
                        ),
                    ),
                    Ty::Bool => (self.push(Op::Held(x, *quarters as u16), n.span, Quantity::Plain), Ty::Bool),
                }
            }
            Expr::Call { name, name_span, args } => self.call(name, *name_span, args, n.span),
        }
    }

    fn name(&mut self, name: &str, span: Span) -> Checked {
        if let Some(def) = self.catalogue.indicator(name) {
            let q = Quantity::In(def.unit);
            let i = self.program.indicator(def);
            return (self.push(Op::Indicator(i), span, q), Ty::Num { q, literal: None });
        }
        if EventKind::ALL.iter().any(|k| k.code() == name) {
            return self.fail(
                span,
                format!("'{name}' is an event kind, not a value: count it, as in count({name}, 4q)"),
            );
        }
        if FUNCTIONS.contains(&name) {
            return self.fail(span, format!("'{name}' is a function: write {name}(…)"));
        }
        let ids = self.catalogue.indicators().iter().map(|d| d.id.as_str());
        let hint = suggestion(name, ids.chain(EventKind::ALL.iter().map(|k| k.code())));
        self.fail(span, format!("unknown indicator '{name}'{hint}"))
    }

    /// The common quantity of two numbers that are compared, added or subtracted.
    fn unify(
        &mut self,
        verb: &str,
        op_span: Span,
        (ln, lt): (&Node, Ty),
        (rn, rt): (&Node, Ty),
    ) -> Option<Quantity> {
        let (Ty::Num { q: a, literal: la }, Ty::Num { q: b, literal: lb }) = (lt, rt) else {
            return None;
        };
        let zero = |l: Option<f64>| l == Some(0.0);
        match (a, b) {
            _ if a == b => return Some(a),
            (Quantity::Plain, Quantity::In(_)) => return Some(b),
            (Quantity::In(_), Quantity::Plain) => return Some(a),
            (Quantity::Plain, Quantity::Fraction) if zero(la) => return Some(b),
            (Quantity::Fraction, Quantity::Plain) if zero(lb) => return Some(a),
            _ => {}
        }
        let describe = |c: &Self, n: &Node, q: Quantity| format!("'{}' ({})", c.source(n.span), q.describe());
        let hint = match (a, b) {
            (Quantity::Plain, Quantity::Fraction) | (Quantity::Fraction, Quantity::Plain) => {
                ": write the plain number as a percentage (0.2 is 20%)"
            }
            (Quantity::In(credence_indicators::Unit::Percent), Quantity::Fraction)
            | (Quantity::Fraction, Quantity::In(credence_indicators::Unit::Percent)) => {
                ": an indicator in percent is a plain number of percent (write 15, not 15%)"
            }
            _ => "",
        };
        let message = format!("cannot {verb} {} and {}{hint}", describe(self, ln, a), describe(self, rn, b));
        self.fail(op_span, message);
        None
    }

    fn binary(
        &mut self,
        op: BinOp,
        op_span: Span,
        span: Span,
        (ln, (l, lt)): (&Node, Checked),
        (rn, (r, rt)): (&Node, Checked),
    ) -> Checked {
        if matches!(lt, Ty::Error) || matches!(rt, Ty::Error) {
            return (l, Ty::Error);
        }
        if matches!(op, BinOp::And | BinOp::Or) {
            for (t, n) in [(lt, ln), (rt, rn)] {
                if t != Ty::Bool {
                    let s = self.source(n.span);
                    return self.fail(
                        n.span,
                        format!("'{}' needs conditions on both sides, but '{s}' is a number", op.symbol()),
                    );
                }
            }
            let o = if op == BinOp::And { Op::And(l, r) } else { Op::Or(l, r) };
            return (self.push(o, span, Quantity::Plain), Ty::Bool);
        }
        for (t, n) in [(lt, ln), (rt, rn)] {
            if t == Ty::Bool {
                let s = self.source(n.span);
                return self.fail(
                    n.span,
                    format!("'{}' needs numbers on both sides, but '{s}' is a condition", op.symbol()),
                );
            }
        }
        let (Ty::Num { q: lq, literal: la }, Ty::Num { q: rq, literal: lb }) = (lt, rt) else {
            return (l, Ty::Error);
        };
        let fold = |c: &mut Self, q: Quantity, v: f64| c.number(q, v, span);
        match op {
            BinOp::Add | BinOp::Sub => {
                let verb = if op == BinOp::Add { "add" } else { "subtract" };
                let Some(q) = self.unify(verb, op_span, (ln, lt), (rn, rt)) else {
                    return (l, Ty::Error);
                };
                if let (Some(a), Some(b)) = (la, lb) {
                    return fold(self, q, if op == BinOp::Add { a + b } else { a - b });
                }
                let o = if op == BinOp::Add { Op::Add(l, r) } else { Op::Sub(l, r) };
                (self.push(o, span, q), Ty::Num { q, literal: None })
            }
            BinOp::Mul => {
                let scale = |q: Quantity| matches!(q, Quantity::Plain | Quantity::Fraction);
                let q = match (scale(lq), scale(rq)) {
                    (true, true) if lq == Quantity::Fraction || rq == Quantity::Fraction => {
                        Quantity::Fraction
                    }
                    (true, true) => Quantity::Plain,
                    (true, false) => rq,
                    (false, true) => lq,
                    (false, false) => {
                        let advice = "one factor must be a number or a percentage";
                        let message = self.mismatch("multiply", (ln, lq), (rn, rq), advice);
                        return self.fail(op_span, message);
                    }
                };
                if let (Some(a), Some(b)) = (la, lb) {
                    return fold(self, q, a * b);
                }
                (self.push(Op::Mul(l, r), span, q), Ty::Num { q, literal: None })
            }
            BinOp::Div => {
                let q = match (rq, lb) {
                    (Quantity::Plain, Some(d)) if d > 0.0 => lq,
                    (_, Some(_)) => return self.fail(rn.span, "division by zero or by a negative number"),
                    _ if lq == rq => Quantity::Fraction,
                    _ => {
                        let advice = "divide like by like, or by a positive number";
                        let message = self.mismatch("divide", (ln, lq), (rn, rq), advice);
                        return self.fail(op_span, message);
                    }
                };
                if let (Some(a), Some(b)) = (la, lb) {
                    return fold(self, q, a / b);
                }
                (self.push(Op::Div(l, r), span, q), Ty::Num { q, literal: None })
            }
            _ => {
                if self.unify("compare", op_span, (ln, lt), (rn, rt)).is_none() {
                    return (l, Ty::Error);
                }
                let c = op.comparison().unwrap_or(CmpOp::Ne);
                (self.push(Op::Cmp(c, l, r), span, Quantity::Plain), Ty::Bool)
            }
        }
    }

    /// A duration that must be whole quarters, 1 to the maximum.
    fn quarters(&mut self, d: &Duration, what: &str) -> Option<u16> {
        match d.quarters() {
            Some(0) => {
                self.fail(d.span, format!("{what} must be at least one quarter"));
                None
            }
            Some(q) if q > MAX_HISTORY_QUARTERS as u32 => {
                self.fail(d.span, format!("{what} can be at most {MAX_HISTORY_QUARTERS} quarters"));
                None
            }
            Some(q) => Some(q as u16),
            None => {
                let s = self.source(d.span);
                self.fail(d.span, format!("{what} is a whole number of quarters (1q, 2q, 1y, 6m), not {s}"));
                None
            }
        }
    }

    fn period(&mut self, d: &Duration, what: &str, zero_ok: bool) -> Option<Period> {
        if d.amount == 0 && !zero_ok {
            self.fail(d.span, format!("{what} must be longer than zero"));
            return None;
        }
        let limit_months = MAX_HISTORY_QUARTERS as u32 * 3;
        let p = match d.unit {
            DurationUnit::Days => Period::Days(d.amount),
            DurationUnit::Weeks => Period::Days(d.amount.saturating_mul(7)),
            DurationUnit::Months => Period::Months(d.amount),
            DurationUnit::Quarters => Period::Months(d.amount.saturating_mul(3)),
            DurationUnit::Years => Period::Months(d.amount.saturating_mul(12)),
        };
        if p.months_up() > limit_months {
            self.fail(d.span, format!("{what} can be at most {MAX_HISTORY_QUARTERS} quarters"));
            return None;
        }
        Some(p)
    }

    fn call(&mut self, name: &str, name_span: Span, args: &[Arg], span: Span) -> Checked {
        if !FUNCTIONS.contains(&name) {
            if self.catalogue.indicator(name).is_some() {
                return self.fail(name_span, format!("'{name}' is an indicator, not a function"));
            }
            let hint = suggestion(name, FUNCTIONS.iter().copied());
            return self.fail(name_span, format!("unknown function '{name}'{hint}"));
        }
        if let Some(aggregate) = EventAggregate::parse(name) {
            return self.event_call(aggregate, args, span);
        }
        let (arity, usage) = match name {
            "change" => (2, "change(indicator, 1y)"),
            "lag" => (2, "lag(indicator, 1q)"),
            "worsening" => (2, "worsening(indicator, 1q)"),
            "good" | "poor" => (1, "good(indicator)"),
            "abs" => (1, "abs(x)"),
            _ => (2, "min(a, b)"),
        };
        if args.len() != arity {
            return self.fail(
                span,
                format!(
                    "{name}() takes {arity} argument{}, as in {usage}",
                    if arity == 1 { "" } else { "s" }
                ),
            );
        }
        let value_arg = |c: &mut Self, a: &Arg| -> Option<Node> {
            match a {
                Arg::Value(n) => Some(n.clone()),
                Arg::Ago(d) => {
                    c.fail(
                        d.span,
                        "'… ago' is only the shift of an event window, as in count(news, 1q, 1q ago)",
                    );
                    None
                }
            }
        };
        let duration_arg = |c: &mut Self, a: &Arg| -> Option<Duration> {
            match a {
                Arg::Value(Node { expr: Expr::Duration(d), .. }) => Some(*d),
                other => {
                    c.fail(other.span(), "expected a duration such as 1q or 1y");
                    None
                }
            }
        };
        match name {
            "change" | "lag" => {
                let Some(x) = value_arg(self, &args[0]) else { return (0, Ty::Error) };
                let (x, t) = self.expr(&x);
                let Some(d) = duration_arg(self, &args[1]) else { return (x, Ty::Error) };
                let what = if name == "lag" { "a lag" } else { "the period of a change" };
                let Some(quarters) = self.quarters(&d, what) else { return (x, Ty::Error) };
                match t {
                    Ty::Error => (x, t),
                    Ty::Bool => {
                        self.fail(args[0].span(), format!("{name}() needs a number, not a condition"))
                    }
                    Ty::Num { q, .. } if name == "lag" => {
                        (self.push(Op::Lag(x, quarters), span, q), Ty::Num { q, literal: None })
                    }
                    Ty::Num { q: Quantity::Fraction, .. } => {
                        self.fail(args[0].span(), "change() of a relative change is not meaningful")
                    }
                    Ty::Num { .. } => {
                        let q = Quantity::Fraction;
                        let op = Op::Change { value: x, quarters, sign: 1.0 };
                        (self.push(op, span, q), Ty::Num { q, literal: None })
                    }
                }
            }
            "worsening" | "good" | "poor" => {
                let def = match &args[0] {
                    Arg::Value(Node { expr: Expr::Name(n), .. }) => self.catalogue.indicator(n),
                    _ => None,
                };
                let Some(def) = def else {
                    return self
                        .fail(args[0].span(), format!("{name}() needs an indicator of the catalogue"));
                };
                let q = Quantity::In(def.unit);
                let i = self.program.indicator(def);
                if name != "worsening" {
                    let op = Op::Threshold { indicator: i, good: name == "good" };
                    return (self.push(op, span, q), Ty::Num { q, literal: None });
                }
                let Some(d) = duration_arg(self, &args[1]) else { return (0, Ty::Error) };
                let Some(quarters) = self.quarters(&d, "the period of a worsening") else {
                    return (0, Ty::Error);
                };
                let value = self.push(Op::Indicator(i), args[0].span(), q);
                let sign = if def.direction == Direction::HigherBetter { -1.0 } else { 1.0 };
                let q = Quantity::Fraction;
                (self.push(Op::Change { value, quarters, sign }, span, q), Ty::Num { q, literal: None })
            }
            "abs" => {
                let Some(x) = value_arg(self, &args[0]) else { return (0, Ty::Error) };
                let (x, t) = self.expr(&x);
                match t {
                    Ty::Num { q, literal: Some(v) } => self.number(q, v.abs(), span),
                    Ty::Num { q, literal: None } => (self.push(Op::Abs(x), span, q), t),
                    Ty::Bool => self.fail(args[0].span(), "abs() needs a number, not a condition"),
                    Ty::Error => (x, t),
                }
            }
            _ => {
                let (Some(a), Some(b)) = (value_arg(self, &args[0]), value_arg(self, &args[1])) else {
                    return (0, Ty::Error);
                };
                let (x, xt) = self.expr(&a);
                let (y, yt) = self.expr(&b);
                if xt == Ty::Bool || yt == Ty::Bool {
                    return self.fail(span, format!("{name}() needs numbers, not conditions"));
                }
                let Some(q) = self.unify("combine", span, (&a, xt), (&b, yt)) else { return (x, Ty::Error) };
                let op = if name == "min" { Op::Min(x, y) } else { Op::Max(x, y) };
                (self.push(op, span, q), Ty::Num { q, literal: None })
            }
        }
    }
}
