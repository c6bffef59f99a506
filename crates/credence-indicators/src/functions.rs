//! The functions of the formula language: their arguments, the types they accept and
//! give, and what they compile to.
//!
//! | function | meaning |
//! | --- | --- |
//! | `div(a, b, zero = x, negative = y)` | `a / b`, `x` when `b` is 0, `y` when below 0 |
//! | `missing("reason")` | no value, with that reason |
//! | `ttm(flow)` | the flow over the trailing twelve months (a rate per year) |
//! | `annualised(flow)` | the flow of the current period × 12 / its months |
//! | `avg(balance)` | mean of the balance now and four quarters earlier |
//! | `lag(x, n)` | `x` n quarters earlier (statements and dates move together) |
//! | `stdev_quarters(x, n)` | sample standard deviation of `x` over the last n quarters |
//! | `min`, `max`, `abs`, `pow(x, literal)`, `if(c, a, b)`, `coalesce(a, b, …)` | as usual |
//! | `count(kind, window, shift = s)` | number of events of a kind in a window |
//! | `sum_count`, `sum_amount`, `sum_change` | sums of the events' count, amount, change (%) |
//! | `mean_sentiment(window, shift = s)` | mean sentiment of news with one |
//! | `invoiced(window, shift = s)` | amount invoiced in a window |
//! | `overdue_receivables(min_days, max_days)` | open amount between those days past due |
//! | `utility_bills(window)`, `utility_late_bills(window)` | utility bills due in a window, and those paid late |
//! | `utility_billed(window)` | amount of the utility bills issued in a window |
//! | `utility_overdue(min_days)` | unpaid on utility bills at least that many days past due |

use credence_domain::{EventKind, Labelled};

use credence_source::suggestion;

use crate::check::{Checked, Checker};
use crate::program::{Aggregate, Op, Period, Window};
use crate::syntax::{Arg, DurationUnit, Expr, Node, Span};
use crate::types::{Dim, Kind, Sign, Temporal, Ty};

pub(crate) const FUNCTIONS: [&str; 28] = [
    "div",
    "missing",
    "ttm",
    "annualised",
    "avg",
    "lag",
    "stdev_quarters",
    "min",
    "max",
    "abs",
    "pow",
    "if",
    "coalesce",
    "count",
    "sum_count",
    "sum_amount",
    "sum_change",
    "mean_sentiment",
    "invoiced",
    "invoice_count",
    "disputed_invoices",
    "promises_kept",
    "promises_broken",
    "overdue_receivables",
    "utility_bills",
    "utility_late_bills",
    "utility_billed",
    "utility_overdue",
];

/// Positional arguments (at least, at most) and the names a function accepts.
fn signature(name: &str) -> ((usize, usize), &'static [&'static str]) {
    const WINDOWED: &[&str] = &["shift"];
    match name {
        "div" => ((2, 2), &["zero", "negative"]),
        "missing" | "ttm" | "annualised" | "avg" | "abs" => ((1, 1), &[]),
        "lag" | "stdev_quarters" | "pow" => ((2, 2), &[]),
        "min" | "max" | "coalesce" => ((2, usize::MAX), &[]),
        "if" => ((3, 3), &[]),
        "count" | "sum_count" | "sum_amount" | "sum_change" => ((2, 2), WINDOWED),
        "mean_sentiment" | "invoiced" | "invoice_count" | "disputed_invoices" | "promises_kept"
        | "promises_broken" | "utility_bills" | "utility_late_bills" | "utility_billed" => ((1, 1), WINDOWED),
        "utility_overdue" => ((1, 1), &[]),
        _ => ((1, 2), &[]),
    }
}

/// A call's arguments in order: positional, then named.
type Arguments<'n> = (Vec<&'n Node>, Vec<(&'n str, &'n Node)>);

impl Checker<'_> {
    pub fn call(&mut self, name: &str, name_span: Span, args: &[Arg], span: Span) -> Checked {
        if !FUNCTIONS.contains(&name) {
            let hint = suggestion(name, FUNCTIONS.iter().copied());
            return self.fail(name_span, format!("unknown function '{name}'{hint}"));
        }
        let (pos, named) = match self.arguments(name, args, span) {
            Ok(a) => a,
            Err(failed) => return failed,
        };
        let named_arg = |k: &str| named.iter().find(|(n, _)| *n == k).map(|(_, v)| *v);
        match name {
            "div" => self.div(span, pos[0], pos[1], named_arg("zero"), named_arg("negative")),
            "missing" => self.missing(pos[0]),
            "ttm" | "annualised" => self.per_year(name, pos[0]),
            "avg" => self.average(pos[0]),
            "lag" | "stdev_quarters" => self.over_quarters(name, pos[0], pos[1]),
            "min" | "max" | "coalesce" => self.fold(name, &pos),
            "abs" => self.abs(pos[0]),
            "pow" => self.pow(pos[0], pos[1]),
            "if" => self.choice(pos[0], pos[1], pos[2]),
            _ => self.aggregate(name, &pos, named_arg("shift")),
        }
    }

    /// Sorts a call's arguments into positional and named ones and checks them against
    /// the function's signature; a problem is reported and its result returned as `Err`.
    fn arguments<'n>(&mut self, name: &str, args: &'n [Arg], span: Span) -> Result<Arguments<'n>, Checked> {
        let ((min, max), allowed) = signature(name);
        let mut pos: Vec<&Node> = Vec::new();
        let mut named: Vec<(&str, &Node)> = Vec::new();
        for a in args {
            match &a.name {
                Some((k, ks)) => {
                    if !allowed.contains(&k.as_str()) {
                        let accepted =
                            if allowed.is_empty() { "none".to_owned() } else { allowed.join(", ") };
                        return Err(self.fail(
                            *ks,
                            format!("{name}() has no argument '{k}' (named arguments: {accepted})"),
                        ));
                    }
                    if named.iter().any(|(n, _)| n == k) {
                        return Err(self.fail(*ks, format!("argument '{k}' is given twice")));
                    }
                    named.push((k, &a.value));
                }
                None if !named.is_empty() => {
                    return Err(self.fail(a.value.span, "a positional argument cannot follow a named one"));
                }
                None => pos.push(&a.value),
            }
        }
        if pos.len() < min || pos.len() > max {
            let expected = match (min, max) {
                (a, b) if a == b => format!("{a}"),
                (a, usize::MAX) => format!("at least {a}"),
                (a, b) => format!("{a} or {b}"),
            };
            return Err(self.fail(
                span,
                format!(
                    "{name}() takes {expected} argument{}, found {}",
                    if expected == "1" { "" } else { "s" },
                    pos.len()
                ),
            ));
        }
        Ok((pos, named))
    }

    /// `missing("reason")`: never a value, always that reason.
    fn missing(&mut self, reason: &Node) -> Checked {
        match &reason.expr {
            Expr::Text(text) => {
                let r = self.program.reason(text);
                (self.program.push(Op::Missing(r)), Ty::NEVER)
            }
            _ => self.fail(reason.span, "missing() needs a reason in double quotes"),
        }
    }

    /// `ttm(flow)` and `annualised(flow)`: a flow over the period as a rate per year.
    fn per_year(&mut self, name: &str, arg: &Node) -> Checked {
        let (x, t) = self.expr(arg);
        if t.is_wild() {
            return (x, t);
        }
        if t.kind != Kind::Number || t.time != Temporal::Flow {
            return self.fail(
                arg.span,
                format!(
                    "{name}() needs a flow over the period (revenue, profit, cash flow…), not {}",
                    t.describe()
                ),
            );
        }
        let op = if name == "ttm" { Op::Ttm(x) } else { Op::Annualised(x) };
        (self.program.push(op), Ty::free(t.dim.div(Dim::TIME), t.sign))
    }

    /// `avg(balance)`: the average of the opening and closing balance.
    fn average(&mut self, arg: &Node) -> Checked {
        let (x, t) = self.expr(arg);
        if t.is_wild() {
            return (x, t);
        }
        if t.kind != Kind::Number || t.time != Temporal::Balance {
            return self.fail(
                arg.span,
                format!("avg() needs a balance (assets, liabilities, equity…), not {}", t.describe()),
            );
        }
        (self.program.push(Op::Avg(x)), Ty { literal: None, ..t })
    }

    /// `lag(x, n)` and `stdev_quarters(x, n)`: `x` n quarters back, or its spread over n.
    fn over_quarters(&mut self, name: &str, arg: &Node, quarters: &Node) -> Checked {
        let (x, t) = self.expr(arg);
        let least = if name == "lag" { 1 } else { 2 };
        let Some(n) = self.whole(quarters, least, 40) else {
            return (x, Ty::ERROR);
        };
        if t.kind == Kind::Bool {
            return self.fail(arg.span, format!("{name}() needs a number, not a condition"));
        }
        if name == "lag" {
            (self.program.push(Op::Lag(x, n as u16)), Ty { literal: None, ..t })
        } else {
            (self.program.push(Op::StdevQuarters(x, n as u16)), Ty::free(t.dim, Sign::NonNegative))
        }
    }

    /// `min`, `max` and `coalesce` of two or more values of one dimension.
    fn fold(&mut self, name: &str, pos: &[&Node]) -> Checked {
        let (mut acc, mut ty) = self.expr(pos[0]);
        for n in &pos[1..] {
            let (x, t) = self.expr(n);
            let Some((dim, time)) = self.unify(n.span, "combine", &ty, &t) else {
                return (acc, Ty::ERROR);
            };
            let sign = if name == "max" { ty.sign.max(t.sign) } else { ty.sign.weakest(t.sign) };
            let kind = if ty.kind == Kind::Never { t.kind } else { ty.kind };
            acc = self.program.push(match name {
                "min" => Op::Min(acc, x),
                "max" => Op::Max(acc, x),
                _ => Op::Coalesce(acc, x),
            });
            ty = Ty { kind, ..Ty::number(dim, time, sign) };
        }
        (acc, ty)
    }

    fn abs(&mut self, arg: &Node) -> Checked {
        let (x, t) = self.expr(arg);
        if t.kind == Kind::Bool {
            return self.fail(arg.span, "abs() needs a number, not a condition");
        }
        (self.program.push(Op::Abs(x)), Ty { sign: t.sign.max(Sign::NonNegative), literal: None, ..t })
    }

    /// `pow(ratio, literal)`.
    fn pow(&mut self, base: &Node, exponent: &Node) -> Checked {
        let (x, t) = self.expr(base);
        let (_, e) = self.expr(exponent);
        if t.kind == Kind::Number && t.dim != Dim::NONE {
            return self.fail(base.span, format!("pow() needs a ratio as its base, not {}", t.describe()));
        }
        let Some(power) = e.literal else {
            return self.fail(exponent.span, "the exponent of pow() must be a number such as 1/3");
        };
        let sign = if t.sign == Sign::Positive { Sign::Positive } else { Sign::Any };
        (self.program.push(Op::Pow(x, power)), Ty::free(Dim::NONE, sign))
    }

    /// `if(condition, then, else)`.
    fn choice(&mut self, condition: &Node, then: &Node, otherwise: &Node) -> Checked {
        let (c, ct) = self.expr(condition);
        if ct.kind == Kind::Number {
            return self.fail(condition.span, "if() needs a condition first, such as equity <= 0");
        }
        let (a, at) = self.expr(then);
        let (b, bt) = self.expr(otherwise);
        let Some((dim, time)) = self.unify(otherwise.span, "combine", &at, &bt) else {
            return (a, Ty::ERROR);
        };
        let kind = if at.kind == Kind::Never { bt.kind } else { at.kind };
        let ty = Ty { kind, ..Ty::number(dim, time, at.sign.weakest(bt.sign)) };
        (self.program.push(Op::If(c, a, b)), ty)
    }

    fn div(
        &mut self,
        span: Span,
        num: &Node,
        den: &Node,
        zero: Option<&Node>,
        negative: Option<&Node>,
    ) -> Checked {
        let (n, nt) = self.expr(num);
        let (d, dt) = self.expr(den);
        let den_text = self.source(den.span);
        let result = nt.dim.div(dt.dim);
        let handler = |c: &mut Self, arg: Option<&Node>, case: &str, needed: bool| -> u32 {
            match arg {
                Some(h) => {
                    let (op, ht) = c.expr(h);
                    if ht.kind == Kind::Number
                        && ht.dim != result
                        && !ht.is_zero_literal()
                        && !nt.is_wild()
                        && !dt.is_wild()
                    {
                        c.fail(
                            h.span,
                            format!(
                                "the {case} = value gives {}, but the division gives {}",
                                ht.describe(),
                                result.describe()
                            ),
                        );
                    } else if ht.kind == Kind::Bool {
                        c.fail(h.span, format!("the {case} = value must be a number or missing(\"…\")"));
                    }
                    op
                }
                None => {
                    if needed {
                        c.fail(
                            den.span,
                            format!("the denominator '{den_text}' may be {case}: add {case} = … (a value or missing(\"reason\"))"),
                        );
                    }
                    let r = c.program.reason(&format!("'{den_text}' is {case}"));
                    c.program.push(Op::Missing(r))
                }
            }
        };
        let wild = dt.is_wild();
        let zero = handler(self, zero, "zero", !wild && dt.sign != Sign::Positive);
        let negative = handler(self, negative, "negative", !wild && dt.sign == Sign::Any);
        if dt.kind == Kind::Bool || nt.kind == Kind::Bool {
            return self.fail(span, "div() needs numbers, not conditions");
        }
        self.quotient(span, (n, nt), (d, dt), Some((zero, negative)))
    }

    fn aggregate(&mut self, name: &str, pos: &[&Node], shift: Option<&Node>) -> Checked {
        let shift = match shift {
            Some(s) => match self.period(s, true) {
                Some(p) => p,
                None => return (0, Ty::ERROR),
            },
            None => Period::Months(0),
        };
        let window_at = |c: &mut Self, n: &Node| c.period(n, false).map(|length| Window { length, shift });
        let (agg, dim, sign) = match name {
            "count" | "sum_count" | "sum_amount" | "sum_change" => {
                let kind = self.event_kind(pos[0]);
                let window = window_at(self, pos[1]);
                let (Some(kind), Some(w)) = (kind, window) else {
                    return (0, Ty::ERROR);
                };
                match name {
                    "count" => (Aggregate::Count(kind, w), Dim::EVENTS, Sign::NonNegative),
                    "sum_count" => (Aggregate::SumCount(kind, w), Dim::EVENTS, Sign::NonNegative),
                    "sum_amount" => (Aggregate::SumAmount(kind, w), Dim::MONEY, Sign::NonNegative),
                    _ => (Aggregate::SumChange(kind, w), Dim::NONE, Sign::Any),
                }
            }
            "mean_sentiment" | "invoiced" | "invoice_count" | "disputed_invoices" | "promises_kept"
            | "promises_broken" | "utility_bills" | "utility_late_bills" | "utility_billed" => {
                let Some(w) = window_at(self, pos[0]) else {
                    return (0, Ty::ERROR);
                };
                match name {
                    "invoiced" => (Aggregate::Invoiced(w), Dim::MONEY, Sign::NonNegative),
                    "invoice_count" => (Aggregate::InvoiceCount(w), Dim::EVENTS, Sign::NonNegative),
                    "disputed_invoices" => (Aggregate::DisputedInvoices(w), Dim::EVENTS, Sign::NonNegative),
                    "promises_kept" => (Aggregate::PromisesKept(w), Dim::EVENTS, Sign::NonNegative),
                    "promises_broken" => (Aggregate::PromisesBroken(w), Dim::EVENTS, Sign::NonNegative),
                    "utility_bills" => (Aggregate::UtilityBills(w), Dim::EVENTS, Sign::NonNegative),
                    "utility_late_bills" => (Aggregate::UtilityLateBills(w), Dim::EVENTS, Sign::NonNegative),
                    // Correction bills are negative: a window's sum can be too.
                    "utility_billed" => (Aggregate::UtilityBilled(w), Dim::MONEY, Sign::Any),
                    _ => (Aggregate::MeanSentiment(w), Dim::POINTS, Sign::Any),
                }
            }
            "utility_overdue" => {
                let Some(min_days) = self.whole(pos[0], 0, 100_000) else {
                    return (0, Ty::ERROR);
                };
                (Aggregate::UtilityOverdue { min_days }, Dim::MONEY, Sign::NonNegative)
            }
            _ => {
                let min_days = self.whole(pos[0], 0, 100_000);
                let max_days = match pos.get(1) {
                    Some(n) => self.whole(n, 0, 100_000),
                    None => Some(u32::MAX),
                };
                let (Some(min_days), Some(max_days)) = (min_days, max_days) else {
                    return (0, Ty::ERROR);
                };
                if max_days < min_days {
                    return self.fail(pos[1].span, "the upper bound of days past due is below the lower one");
                }
                (Aggregate::Overdue { min_days, max_days }, Dim::MONEY, Sign::NonNegative)
            }
        };
        let slot = self.program.aggregate(agg);
        (self.program.push(Op::Aggregate(slot)), Ty::free(dim, sign))
    }

    fn event_kind(&mut self, n: &Node) -> Option<EventKind> {
        let Expr::Name(code) = &n.expr else {
            self.fail(n.span, "expected an event kind such as lawsuit_defendant");
            return None;
        };
        let kind = EventKind::ALL.iter().copied().find(|k| k.code() == code);
        if kind.is_none() {
            self.fail(n.span, format!("unknown event kind '{code}' (one of {})", EventKind::codes_joined()));
        }
        kind
    }

    fn period(&mut self, n: &Node, zero_ok: bool) -> Option<Period> {
        let Expr::Duration(k, unit) = n.expr else {
            self.fail(n.span, "expected a duration such as 4q, 12m or 365d");
            return None;
        };
        if k == 0 && !zero_ok {
            self.fail(n.span, "a window must be longer than zero");
            return None;
        }
        Some(match unit {
            DurationUnit::Days => Period::Days(k),
            DurationUnit::Weeks => Period::Days(7 * k),
            DurationUnit::Months => Period::Months(k),
            DurationUnit::Quarters => Period::Months(3 * k),
            DurationUnit::Years => Period::Months(12 * k),
        })
    }

    fn whole(&mut self, n: &Node, least: u32, most: u32) -> Option<u32> {
        match n.expr {
            Expr::Number(v) if v.fract() == 0.0 && v >= least as f64 && v <= most as f64 => Some(v as u32),
            _ => {
                self.fail(n.span, format!("expected a whole number from {least} to {most}"));
                None
            }
        }
    }
}
