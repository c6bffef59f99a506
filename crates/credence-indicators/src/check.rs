//! Type checking of formulas, lowered into the shared [`Program`] as it goes: names are
//! resolved to statement items or built-in quantities, dimensions and periods must agree,
//! and every division by something that may be zero or negative must say what happens
//! then. Each problem is reported with the span of the text it concerns; checking goes
//! on after a problem so one load lists them all.

use credence_source::suggestion;

use crate::items::item_meta;
use crate::program::{Aggregate, CmpOp, Op, Program, Root};
use crate::syntax::{BinOp, Expr, Node, Span, UnaryOp, parse};
use crate::types::{Dim, Kind, Sign, Temporal, Ty, Unit};

/// A problem in one formula, located by a byte span of the formula text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FormulaProblem {
    pub span: Span,
    pub message: String,
}

pub(crate) type Checked = (u32, Ty);

pub(crate) struct Checker<'a> {
    pub program: &'a mut Program,
    pub text: &'a str,
    pub problems: Vec<FormulaProblem>,
}

/// Checks `text` as the formula of an indicator reported in `unit` and compiles it.
pub(crate) fn compile(program: &mut Program, text: &str, unit: Unit) -> Result<Root, Vec<FormulaProblem>> {
    let node = parse(text).map_err(|e| vec![FormulaProblem { span: e.span, message: e.message }])?;
    let mut c = Checker { program, text, problems: Vec::new() };
    let (op, ty) = c.expr(&node);
    if c.problems.is_empty() {
        let wanted = unit.dim();
        let problem = match ty.kind {
            Kind::Bool => Some("the formula is a condition; an indicator needs a number".to_owned()),
            Kind::Never => Some("the formula never has a value".to_owned()),
            Kind::Error => None,
            Kind::Number if ty.time == Temporal::Flow => Some(format!(
                "the formula gives {}, whose length varies with the statement: use ttm() or annualised()",
                ty.describe()
            )),
            Kind::Number if ty.dim != wanted && !ty.is_zero_literal() => Some(format!(
                "the formula gives {}, but unit '{unit}' needs {}",
                ty.describe(),
                wanted.describe()
            )),
            Kind::Number => None,
        };
        if let Some(message) = problem {
            c.problems.push(FormulaProblem { span: node.span, message });
        }
    }
    if c.problems.is_empty() { Ok(c.program.root(op)) } else { Err(c.problems) }
}

/// Built-in quantities written as bare names.
pub(crate) fn quantity(name: &str) -> Option<(Aggregate, Dim)> {
    Some(match name {
        "open_receivables" => (Aggregate::OpenReceivables, Dim::MONEY),
        "open_orders" => (Aggregate::OpenOrders, Dim::MONEY),
        "dso" => (Aggregate::Dso, Dim::TIME),
        "days_beyond_terms" => (Aggregate::DaysBeyondTerms, Dim::TIME),
        "timeliness_score" => (Aggregate::TimelinessScore, Dim::POINTS),
        "credit_limit" => (Aggregate::CreditLimit, Dim::MONEY),
        "payment_terms" => (Aggregate::PaymentTerms, Dim::TIME),
        "relationship_length" => (Aggregate::RelationshipLength, Dim::TIME),
        _ => return None,
    })
}

pub(crate) const QUANTITY_NAMES: [&str; 8] = [
    "open_receivables",
    "open_orders",
    "dso",
    "days_beyond_terms",
    "timeliness_score",
    "credit_limit",
    "payment_terms",
    "relationship_length",
];

/// How two operands' positions in time combine: flows of the current period only meet
/// flows of the same period or literals.
fn join_time(a: &Ty, b: &Ty) -> Result<Temporal, ()> {
    use Temporal::*;
    let lit = |t: &Ty| t.literal.is_some() || t.is_wild();
    match (a.time, b.time) {
        (Flow, Balance) | (Balance, Flow) => Err(()),
        (Flow, Flow) => Ok(Flow),
        (Flow, Free) if lit(b) => Ok(Flow),
        (Free, Flow) if lit(a) => Ok(Flow),
        (Flow, Free) | (Free, Flow) => Err(()),
        (Balance, Balance) => Ok(Balance),
        (Balance, Free) if lit(b) => Ok(Balance),
        (Free, Balance) if lit(a) => Ok(Balance),
        _ => Ok(Free),
    }
}

const PERIOD_HINT: &str = "a flow over the current period only combines with flows of the same period: use ttm() or annualised() on it";

impl Checker<'_> {
    pub fn fail(&mut self, span: Span, message: impl Into<String>) -> Checked {
        self.problems.push(FormulaProblem { span, message: message.into() });
        (self.program.push(Op::Const(f64::NAN)), Ty::ERROR)
    }

    /// The formula text of a span with runs of white space collapsed, for messages.
    pub fn source(&self, span: Span) -> String {
        self.text[span.start..span.end].split_whitespace().collect::<Vec<_>>().join(" ")
    }

    pub fn expr(&mut self, n: &Node) -> Checked {
        match &n.expr {
            Expr::Number(v) => (self.program.push(Op::Const(*v)), Ty::literal(*v)),
            Expr::Duration(..) => self.fail(
                n.span,
                "a duration such as 4q is only allowed as the window or shift of count(), invoiced() and the like",
            ),
            Expr::Text(_) => self.fail(n.span, "a string is only allowed inside missing(\"…\")"),
            Expr::Name(name) => self.name(name, n.span),
            Expr::Unary(op, x) => {
                let x = self.expr(x);
                self.unary(*op, n.span, x)
            }
            Expr::Binary(op, op_span, l, r) => {
                let lc = self.expr(l);
                let rc = self.expr(r);
                self.binary(*op, *op_span, (l, lc), (r, rc))
            }
            Expr::Call { name, name_span, args } => self.call(name, *name_span, args, n.span),
        }
    }

    fn name(&mut self, name: &str, span: Span) -> Checked {
        if let Some(item) = crate::input::statement_item(name)
            && let Some(meta) = item_meta(name)
        {
            let (item, factor) = (item as u16, meta.factor);
            let op = match meta.time {
                Temporal::Flow => Op::Flow { item, factor },
                _ => Op::Balance { item, factor },
            };
            return (self.program.push(op), Ty::number(meta.dim, meta.time, meta.sign));
        }
        if let Some((agg, dim)) = quantity(name) {
            let slot = self.program.aggregate(agg);
            return (self.program.push(Op::Aggregate(slot)), Ty::free(dim, Sign::NonNegative));
        }
        if crate::functions::FUNCTIONS.contains(&name) {
            return self.fail(span, format!("'{name}' is a function: write {name}(…)"));
        }
        let candidates = crate::input::STATEMENT_ITEMS.iter().chain(QUANTITY_NAMES.iter()).copied();
        let hint = suggestion(name, candidates);
        self.fail(span, format!("unknown item '{name}'{hint}"))
    }

    fn require_number(&mut self, span: Span, ty: &Ty, what: &str) -> bool {
        if ty.kind == Kind::Bool {
            self.fail(span, format!("{what} needs a number, not a condition"));
            return false;
        }
        true
    }

    fn unary(&mut self, op: UnaryOp, span: Span, (x, ty): Checked) -> Checked {
        match op {
            UnaryOp::Neg => {
                if !self.require_number(span, &ty, "'-'") {
                    return (x, Ty::ERROR);
                }
                if let Some(v) = ty.literal {
                    return (self.program.push(Op::Const(-v)), Ty::literal(-v));
                }
                let sign = if ty.is_wild() { ty.sign } else { Sign::Any };
                (self.program.push(Op::Neg(x)), Ty { sign, ..ty })
            }
            UnaryOp::Not => {
                if ty.kind == Kind::Number {
                    return self.fail(span, "'not' needs a condition");
                }
                (self.program.push(Op::Not(x)), Ty::BOOL)
            }
        }
    }

    /// The common dimension of two operands that must agree (literal 0 fits any).
    pub fn unify(&mut self, span: Span, verb: &str, a: &Ty, b: &Ty) -> Option<(Dim, Temporal)> {
        if a.kind == Kind::Error || b.kind == Kind::Error {
            return None;
        }
        if a.kind == Kind::Never {
            return Some((b.dim, b.time));
        }
        if b.kind == Kind::Never {
            return Some((a.dim, a.time));
        }
        let dim = if a.dim == b.dim || b.is_zero_literal() {
            a.dim
        } else if a.is_zero_literal() {
            b.dim
        } else {
            let hint = if a.literal.is_some() || b.literal.is_some() {
                " (a number is a ratio; only 0 fits any quantity)"
            } else {
                ""
            };
            self.fail(span, format!("cannot {verb} {} and {}{hint}", a.describe(), b.describe()));
            return None;
        };
        match join_time(a, b) {
            Ok(t) => Some((dim, t)),
            Err(()) => {
                self.fail(
                    span,
                    format!("cannot {verb} {} and {}: {PERIOD_HINT}", a.describe(), b.describe()),
                );
                None
            }
        }
    }

    fn binary(
        &mut self,
        op: BinOp,
        op_span: Span,
        (ln, (l, lt)): (&Node, Checked),
        (rn, (r, rt)): (&Node, Checked),
    ) -> Checked {
        match op {
            BinOp::And | BinOp::Or => {
                for (t, n) in [(&lt, ln), (&rt, rn)] {
                    if t.kind == Kind::Number {
                        return self
                            .fail(n.span, format!("'{}' needs conditions on both sides", op.symbol()));
                    }
                }
                let op = if op == BinOp::And { Op::And(l, r) } else { Op::Or(l, r) };
                return (self.program.push(op), Ty::BOOL);
            }
            _ => {}
        }
        if !self.require_number(ln.span, &lt, &format!("'{}'", op.symbol()))
            || !self.require_number(rn.span, &rt, &format!("'{}'", op.symbol()))
        {
            return (l, Ty::ERROR);
        }
        match op {
            BinOp::Add | BinOp::Sub => {
                let verb = if op == BinOp::Add { "add" } else { "subtract" };
                let Some((dim, time)) = self.unify(op_span, verb, &lt, &rt) else {
                    return (l, Ty::ERROR);
                };
                if let (Some(a), Some(b)) = (lt.literal, rt.literal) {
                    let v = if op == BinOp::Add { a + b } else { a - b };
                    return (self.program.push(Op::Const(v)), Ty::literal(v));
                }
                let sign = if op == BinOp::Add { lt.sign.weakest(rt.sign) } else { Sign::Any };
                let o = if op == BinOp::Add { Op::Add(l, r) } else { Op::Sub(l, r) };
                (self.program.push(o), Ty::number(dim, time, sign))
            }
            BinOp::Mul => self.product(op_span, (l, lt), (r, rt)),
            BinOp::Div => {
                match rt.literal {
                    Some(d) if d > 0.0 => {}
                    _ if rt.is_wild() => return (l, Ty::ERROR),
                    _ => {
                        let den = self.source(rn.span);
                        let negative = if rt.sign == Sign::Any { ", negative = …" } else { "" };
                        return self.fail(
                            rn.span,
                            format!(
                                "division by '{den}', which may be zero{}: write div({}, {den}, zero = …{negative})",
                                if rt.sign == Sign::Any { " or negative" } else { "" },
                                self.source(ln.span)
                            ),
                        );
                    }
                }
                self.quotient(op_span, (l, lt), (r, rt), None)
            }
            _ => {
                let Some(_) = self.unify(op_span, "compare", &lt, &rt) else {
                    return (l, Ty::ERROR);
                };
                let c = op.comparison().unwrap_or(CmpOp::Ne);
                (self.program.push(Op::Cmp(c, l, r)), Ty::BOOL)
            }
        }
    }

    /// Where a product or quotient sits in time.
    fn scaled_time(&mut self, span: Span, verb: &str, a: &Ty, b: &Ty, is_div: bool) -> Option<Temporal> {
        use Temporal::*;
        let lit = |t: &Ty| t.literal.is_some() || t.is_wild();
        let time = match (a.time, b.time) {
            (Flow, Flow) if is_div => Free,
            (Flow, Free) if lit(b) => Flow,
            (Free, Flow) if lit(a) && !is_div => Flow,
            (Flow, _) | (_, Flow) => {
                self.fail(
                    span,
                    format!("cannot {verb} {} and {}: {PERIOD_HINT}", a.describe(), b.describe()),
                );
                return None;
            }
            (Balance, Balance) if !is_div => Balance,
            (Balance, Free) if lit(b) => Balance,
            (Free, Balance) if lit(a) && !is_div => Balance,
            _ => Free,
        };
        Some(time)
    }

    fn product(&mut self, span: Span, (l, lt): Checked, (r, rt): Checked) -> Checked {
        if lt.kind == Kind::Error || rt.kind == Kind::Error {
            return (l, Ty::ERROR);
        }
        let Some(time) = self.scaled_time(span, "multiply", &lt, &rt, false) else {
            return (l, Ty::ERROR);
        };
        if let (Some(a), Some(b)) = (lt.literal, rt.literal) {
            return (self.program.push(Op::Const(a * b)), Ty::literal(a * b));
        }
        let sign = match (lt.sign, rt.sign) {
            (Sign::Positive, Sign::Positive) => Sign::Positive,
            (Sign::Any, _) | (_, Sign::Any) => Sign::Any,
            _ => Sign::NonNegative,
        };
        (self.program.push(Op::Mul(l, r)), Ty::number(lt.dim.mul(rt.dim), time, sign))
    }

    /// `num / den`: with `handlers = None` the denominator is a positive literal, else
    /// the ops to evaluate when it is zero and when it is negative.
    pub fn quotient(
        &mut self,
        span: Span,
        (n, nt): Checked,
        (d, dt): Checked,
        handlers: Option<(u32, u32)>,
    ) -> Checked {
        if nt.kind == Kind::Error || dt.kind == Kind::Error {
            return (n, Ty::ERROR);
        }
        let Some(time) = self.scaled_time(span, "divide", &nt, &dt, true) else {
            return (n, Ty::ERROR);
        };
        let sign = match (nt.sign, dt.sign) {
            (Sign::Positive, Sign::Positive) => Sign::Positive,
            (Sign::Any, _) | (_, Sign::Any) => Sign::Any,
            _ => Sign::NonNegative,
        };
        let ty = Ty::number(nt.dim.div(dt.dim), time, sign);
        match (handlers, dt.literal) {
            (None, Some(c)) => {
                if let Some(a) = nt.literal {
                    return (self.program.push(Op::Const(a / c)), Ty::literal(a / c));
                }
                (self.program.push(Op::DivLiteral(n, c)), ty)
            }
            (Some((zero, negative)), _) => {
                (self.program.push(Op::Div { num: n, den: d, zero, negative }), ty)
            }
            (None, None) => unreachable!("a bare division is only compiled for a literal denominator"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Compiles a formula and renders its problems as `start..end: message`.
    fn check(formula: &str, unit: Unit, expected: &[&str]) {
        let mut p = Program::default();
        let got: Vec<String> = match compile(&mut p, formula, unit) {
            Ok(_) => vec![],
            Err(ps) => {
                ps.iter().map(|e| format!("{}..{}: {}", e.span.start, e.span.end, e.message)).collect()
            }
        };
        assert_eq!(got, expected, "{formula}");
    }

    #[test]
    fn well_typed_formulas_compile() {
        let ok = [
            ("div(current_assets, current_liabilities, zero = missing(\"none\"))", Unit::Ratio),
            ("div(ttm(revenue - cost_of_sales), ttm(revenue), zero = missing(\"x\"))", Unit::Percent),
            ("div(cash, ttm(cost_of_sales + operating_expenses), zero = missing(\"x\"))", Unit::Months),
            (
                "div(ttm(net_profit), avg(equity), zero = missing(\"a\"), negative = missing(\"b\"))",
                Unit::PercentPerYear,
            ),
            ("div(ttm(revenue), employees, zero = missing(\"x\"))", Unit::MoneyPerPersonYear),
            ("pow(div(ttm(revenue), lag(ttm(revenue), 12), zero = missing(\"x\")), 1/3) - 1", Unit::Percent),
            ("if(equity <= 0, missing(\"neg\"), total_liabilities / 2)", Unit::Money),
            ("count(news, 4q) + count(news, 1q, shift = 1q)", Unit::Count),
            ("dso", Unit::Days),
            ("coalesce(short_term_investments, 0) + cash", Unit::Money),
            ("div(revenue, revenue, zero = 0)", Unit::Ratio),
        ];
        for (f, u) in ok {
            check(f, u, &[]);
        }
    }

    #[test]
    fn problems_point_at_their_text() {
        check(
            "curent_assets / 2",
            Unit::Money,
            &["0..13: unknown item 'curent_assets' (did you mean 'current_assets'?)"],
        );
        check(
            "current_assets / current_liabilities",
            Unit::Ratio,
            &[
                "17..36: division by 'current_liabilities', which may be zero: write div(current_assets, current_liabilities, zero = …)",
            ],
        );
        check(
            "div(ttm(net_profit), equity, zero = missing(\"z\"))",
            Unit::PercentPerYear,
            &[
                "21..27: the denominator 'equity' may be negative: add negative = … (a value or missing(\"reason\"))",
            ],
        );
        check(
            "cash + revenue",
            Unit::Money,
            &[
                "5..6: cannot add money and money over the current period: a flow over the current period only combines with flows of the same period: use ttm() or annualised() on it",
            ],
        );
        check(
            "cash + 1",
            Unit::Money,
            &["5..6: cannot add money and a ratio (a number is a ratio; only 0 fits any quantity)"],
        );
        check("cash + dso", Unit::Money, &["5..6: cannot add money and a duration"]);
        check(
            "ttm(revenue)",
            Unit::Percent,
            &["0..12: the formula gives money per year, but unit 'percent' needs a ratio"],
        );
        check(
            "revenue",
            Unit::Money,
            &[
                "0..7: the formula gives money over the current period, whose length varies with the statement: use ttm() or annualised()",
            ],
        );
        check(
            "ttm(cash) + avg(revenue)",
            Unit::Money,
            &[
                "4..8: ttm() needs a flow over the period (revenue, profit, cash flow…), not money",
                "16..23: avg() needs a balance (assets, liabilities, equity…), not money over the current period",
            ],
        );
        check("count(lawsuit, 4x)", Unit::Count, &["15..17: malformed number '4x'"]);
        check(
            "count(lawsuit, 4q)",
            Unit::Count,
            &[
                "6..13: unknown event kind 'lawsuit' (one of lawsuit_defendant|lawsuit_plaintiff|supplier_payment_suit|enforcement|dishonest_debtor|management_change|core_staff_departure|customer_loss|quality_complaint|ownership_change|news|esg|blacklist|default)",
            ],
        );
        check("tmm(revenue)", Unit::Money, &["0..3: unknown function 'tmm' (did you mean 'ttm'?)"]);
    }
}
