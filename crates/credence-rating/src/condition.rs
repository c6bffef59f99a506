//! The small condition language of knock-outs and caps.
//!
//! ```text
//! condition  := and_expr ("or" and_expr)*
//! and_expr   := unary ("and" unary)*
//! unary      := "not" unary | "(" condition ")" | "missing(" id ")" | "flag(" id ")"
//!             | operand ("<" | "<=" | ">" | ">=" | "==" | "!=") number
//! operand    := id | id "." ("qoq" | "yoy" | "cagr_3y" | "slope_3y")
//! number     := ["-"] digits ["." digits]
//! ```
//!
//! An operand names an indicator's value, in the indicator's unit (percent indicators in
//! percent: `net_margin < -10`), or one field of its trend, which is a relative change
//! as a fraction (`net_margin.yoy < -0.5`: down by more than half). A comparison whose
//! operand has no value is false (so `net_margin < -10` does not fire for a customer without
//! statements; `missing(net_margin)` says that case). `missing(x)` is true when the indicator
//! is absent from the set or has no value; `flag(x)` when the caller passed that flag.
//!
//! The grammar runs on the expression core's [`Parser`]: precedence climbing through `or`
//! and `and` (kept as flat lists), and the core's nesting bound on `(` and `not`. The
//! tokens are the language's own (see [`tokenize`]), and so is the wording of its messages,
//! which quote the text in backticks. Names are resolved as each operand is complete, so a
//! name before a syntax error is still checked against the catalogue.

use credence_expr::{
    BinOp, CmpOp as Op, Node, Parser, Scanner, Span, Syntax, SyntaxError as Error, Tok, Tree, is_ident_byte,
};
use credence_indicators::IndicatorValue;

/// A parsed condition over indicator slots and flag numbers.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cond {
    Any(Vec<Cond>),
    All(Vec<Cond>),
    Not(Box<Cond>),
    Compare { slot: usize, field: Field, op: Op, rhs: f64 },
    Missing(usize),
    Flag(usize),
}

impl Cond {
    /// Whether the condition reads a trend (QoQ, YoY, CAGR, slope) of any indicator.
    pub(crate) fn reads_trends(&self) -> bool {
        match self {
            Cond::Any(cs) | Cond::All(cs) => cs.iter().any(Cond::reads_trends),
            Cond::Not(c) => c.reads_trends(),
            Cond::Compare { field, .. } => *field != Field::Value,
            Cond::Missing(_) | Cond::Flag(_) => false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    Value,
    Qoq,
    Yoy,
    Cagr3y,
    Slope3y,
}

/// Turns names into slot and flag numbers; reports unknown names itself.
pub(crate) trait Names {
    /// The slot of an indicator, registering it if new. `offset` is the name's position
    /// in the condition text, for messages.
    fn indicator(&mut self, id: &str, offset: usize) -> usize;
    fn flag(&mut self, id: &str, offset: usize) -> usize;
}

/// A syntax error: byte offset in the condition text and message.
pub(crate) type SyntaxError = (usize, String);

/// Knock-outs in the core's terms. Their lexicon is their own (see [`tokenize`]), and so is
/// the wording of the nesting bound.
static CONDITION: Syntax = Syntax {
    noun: "condition",
    too_deep_advice: "",
    too_deep_message: Some(too_deep),
    duration_letters: b"",
    duration_word: "a number",
    percent: false,
    strict_escapes: true,
    puncts: &[],
};

fn too_deep(bound: u32) -> String {
    format!("the condition nests `(` and `not` more than {bound} levels deep")
}

/// What a knock-out parse carries besides the tokens: the text, for quoting tokens in
/// messages, and the names, resolved as each operand is complete.
struct Scope<'t, 'n> {
    text: &'t str,
    names: &'n mut dyn Names,
}

type P<'t, 'n> = Parser<Cond, Scope<'t, 'n>>;
type Parsed = Result<Node<Cond>, Error>;

pub(crate) fn parse(text: &str, names: &mut dyn Names) -> Result<Cond, SyntaxError> {
    let toks = tokenize(text).map_err(|e| (e.span.start, e.message))?;
    let mut p: P<'_, '_> = Parser::from_tokens(toks, &CONDITION, Scope { text, names });
    let parsed = p.condition().and_then(|c| {
        if *p.peek() == Tok::End {
            return Ok(c);
        }
        Err(Error::new(
            p.span().start,
            p.span().end,
            format!("unexpected `{}` after a complete condition", quote(&p, p.span())),
        ))
    });
    parsed.map(|c| c.expr).map_err(|e| (e.span.start, e.message))
}

impl Tree for Cond {
    /// Conditions bound their nesting while parsing (each `(` and `not` is one level of
    /// [`Parser::nested`]) and keep `and`/`or` as flat lists, so the core need not track
    /// the tree's depth: every node counts as a leaf to it.
    fn depth_below(&self) -> u32 {
        0
    }

    /// `and`/`or` lists grow rather than nest: `a and b and c` is one list of three.
    /// The grammar climbs only through `or` and `and`.
    fn binary(op: BinOp, _: Span, left: Node<Cond>, right: Node<Cond>) -> Cond {
        match (op, left.expr) {
            (BinOp::Or, Cond::Any(mut items)) | (BinOp::And, Cond::All(mut items)) => {
                items.push(right.expr);
                if op == BinOp::Or { Cond::Any(items) } else { Cond::All(items) }
            }
            (BinOp::Or, left) => Cond::Any(vec![left, right.expr]),
            (_, left) => Cond::All(vec![left, right.expr]),
        }
    }
}

/// The text of a token, as messages quote it.
fn quote<'t>(p: &P<'t, '_>, span: Span) -> &'t str {
    &p.state().text[span.start..span.end]
}

/// `expected`, found the token at `span`.
fn found(p: &P<'_, '_>, span: Span, expected: &str) -> Error {
    Error::new(span.start, span.end, format!("{expected}, found `{}`", quote(p, span)))
}

/// The next token, unless the condition ends where `expected` should be.
fn next(p: &mut P<'_, '_>, expected: &str) -> Result<(Tok, Span), Error> {
    if *p.peek() == Tok::End {
        let end = p.span().start;
        return Err(Error::new(end, end, format!("condition ends where {expected} was expected")));
    }
    Ok(p.bump())
}

fn expect(p: &mut P<'_, '_>, punct: &str, expected: &str) -> Result<Span, Error> {
    let (tok, span) = next(p, expected)?;
    if tok.is_punct(punct) { Ok(span) } else { Err(found(p, span, &format!("expected {expected}"))) }
}

/// The knock-out grammar's rules, on the core's parser.
trait Rules {
    fn condition(&mut self) -> Parsed;
    fn unary(&mut self) -> Parsed;
    fn operand_or_group(&mut self) -> Parsed;
    fn name_test(&mut self, keyword: &str, at: Span) -> Parsed;
    fn compare(&mut self, name: String, at: Span) -> Parsed;
    fn trend_field(&mut self) -> Result<Field, Error>;
    fn identifier(&mut self) -> Result<(Span, String), Error>;
}

const KEYWORDS: &[&str] = &["and", "or", "not", "missing", "flag"];

impl Rules for P<'_, '_> {
    /// `condition := and_expr ("or" and_expr)*; and_expr := unary ("and" unary)*`
    fn condition(&mut self) -> Parsed {
        self.climb(1, 2, Rules::unary)
    }

    /// One level deeper: a group, a negation, `missing(…)`, `flag(…)` or a comparison.
    fn unary(&mut self) -> Parsed {
        self.nested(Rules::operand_or_group)
    }

    fn operand_or_group(&mut self) -> Parsed {
        let (tok, span) = next(self, "a condition")?;
        match tok {
            Tok::Punct("(") => {
                let c = self.condition()?;
                let close = expect(self, ")", "`)`")?;
                Ok(Node::new(c.expr, span.to(close)))
            }
            Tok::Ident(w) if w == "not" => {
                let c = self.unary()?;
                Ok(Node::new(Cond::Not(Box::new(c.expr)), span.to(c.span)))
            }
            Tok::Ident(w) if w == "missing" || w == "flag" => self.name_test(&w, span),
            Tok::Ident(w) if !KEYWORDS.contains(&w.as_str()) => self.compare(w, span),
            _ => Err(found(self, span, "expected an indicator, `not`, `missing(…)`, `flag(…)` or `(`")),
        }
    }

    /// `missing(id)` or `flag(id)`, the keyword at `at` already read.
    fn name_test(&mut self, keyword: &str, at: Span) -> Parsed {
        expect(self, "(", &format!("`(` after `{keyword}`"))?;
        let (id_span, id) = self.identifier()?;
        let close = expect(self, ")", "`)`")?;
        let names = &mut self.state_mut().names;
        let cond = if keyword == "missing" {
            Cond::Missing(names.indicator(&id, id_span.start))
        } else {
            Cond::Flag(names.flag(&id, id_span.start))
        };
        Ok(Node::new(cond, at.to(close)))
    }

    /// `id ["." field] op number`, the indicator `name` at `at` already read.
    fn compare(&mut self, name: String, at: Span) -> Parsed {
        let field = if self.is_punct(".") { self.trend_field()? } else { Field::Value };
        let (tok, op_span) = next(self, "a comparison operator")?;
        let op = match tok {
            Tok::Punct(symbol) => Op::from_symbol(symbol),
            _ => None,
        };
        let Some(op) = op else {
            return Err(found(self, op_span, &format!("expected a comparison operator after `{name}`")));
        };
        let (tok, n_span) = next(self, "a number")?;
        let Tok::Number(rhs) = tok else { return Err(found(self, n_span, "expected a number")) };
        let slot = self.state_mut().names.indicator(&name, at.start);
        Ok(Node::new(Cond::Compare { slot, field, op, rhs }, at.to(n_span)))
    }

    /// `.qoq`, `.yoy`, `.cagr_3y` or `.slope_3y`.
    fn trend_field(&mut self) -> Result<Field, Error> {
        self.bump();
        let (span, name) = self.identifier()?;
        trend_field(&name).ok_or_else(|| {
            let message = format!("`{name}` is not a trend field; use qoq, yoy, cagr_3y or slope_3y");
            Error::new(span.start, span.end, message)
        })
    }

    fn identifier(&mut self) -> Result<(Span, String), Error> {
        let (tok, span) = next(self, "a name")?;
        match tok {
            Tok::Ident(w) if !KEYWORDS.contains(&w.as_str()) => Ok((span, w)),
            _ => Err(found(self, span, "expected a name")),
        }
    }
}

fn trend_field(name: &str) -> Option<Field> {
    Some(match name {
        "qoq" => Field::Qoq,
        "yoy" => Field::Yoy,
        "cagr_3y" => Field::Cagr3y,
        "slope_3y" => Field::Slope3y,
        _ => return None,
    })
}

impl Cond {
    /// `get(slot)` is the indicator value in that slot, `flags` has bit `i` for flag `i`.
    pub fn holds<'v>(&self, get: &impl Fn(usize) -> Option<&'v IndicatorValue>, flags: u64) -> bool {
        match self {
            Cond::Any(items) => items.iter().any(|c| c.holds(get, flags)),
            Cond::All(items) => items.iter().all(|c| c.holds(get, flags)),
            Cond::Not(c) => !c.holds(get, flags),
            Cond::Missing(slot) => operand(get(*slot), Field::Value).is_none(),
            Cond::Flag(i) => flags & (1 << i) != 0,
            Cond::Compare { slot, field, op, rhs } => match operand(get(*slot), *field) {
                None => false,
                Some(x) => op.holds(x, *rhs),
            },
        }
    }
}

fn operand(value: Option<&IndicatorValue>, field: Field) -> Option<f64> {
    let v = value?;
    let x = match field {
        Field::Value => v.value,
        Field::Qoq => v.trend.as_ref()?.qoq,
        Field::Yoy => v.trend.as_ref()?.yoy,
        Field::Cagr3y => v.trend.as_ref()?.cagr_3y,
        Field::Slope3y => v.trend.as_ref()?.slope_3y,
    }?;
    x.is_finite().then_some(x)
}

/// The tokens of a condition. Knock-outs have their own small lexicon on the core's
/// scanner: signed decimal numbers, `.` for trend fields, comparisons, no comments and no
/// strings.
fn tokenize(text: &str) -> Result<Vec<(Tok, Span)>, Error> {
    let mut s = Scanner::new(text);
    let mut out = Vec::new();
    while let Some(c) = s.peek() {
        let start = s.pos();
        let tok = match c {
            b' ' | b'\t' | b'\n' | b'\r' => {
                s.advance(1);
                continue;
            }
            b'(' | b')' | b'.' => {
                s.advance(1);
                Tok::Punct(match c {
                    b'(' => "(",
                    b')' => ")",
                    _ => ".",
                })
            }
            b'<' | b'>' | b'=' | b'!' => {
                s.advance(if s.peek_at(1) == Some(b'=') { 2 } else { 1 });
                let Some(op) = Op::from_symbol(s.since(start)) else {
                    let message = format!("`{}` is not an operator; use <, <=, >, >=, == or !=", c as char);
                    return Err(Error::new(start, s.pos(), message));
                };
                Tok::Punct(op.symbol())
            }
            b'-' | b'+' | b'0'..=b'9' => {
                s.advance(1);
                s.skip_while(|b| b.is_ascii_digit() || b == b'.');
                let number = s.since(start);
                let value: f64 = number
                    .parse()
                    .map_err(|_| Error::new(start, s.pos(), format!("`{number}` is not a number")))?;
                if !value.is_finite() {
                    return Err(Error::new(start, s.pos(), format!("`{number}` is too large")));
                }
                Tok::Number(value)
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                s.skip_while(is_ident_byte);
                Tok::Ident(s.since(start).to_owned())
            }
            _ => {
                let ch = s.char();
                return Err(Error::new(start, start + ch.len_utf8(), format!("unexpected character `{ch}`")));
            }
        };
        out.push((tok, Span::new(start, s.pos())));
    }
    out.push((Tok::End, Span::new(text.len(), text.len())));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Slots in order of first mention; flags are the names `key_documents_missing`, `other`.
    #[derive(Default)]
    struct TestNames(Vec<String>);

    impl Names for TestNames {
        fn indicator(&mut self, id: &str, _offset: usize) -> usize {
            self.0.iter().position(|n| n == id).unwrap_or_else(|| {
                self.0.push(id.to_string());
                self.0.len() - 1
            })
        }
        fn flag(&mut self, id: &str, _offset: usize) -> usize {
            usize::from(id != "key_documents_missing")
        }
    }

    fn value(id: &str, v: Option<f64>, yoy: Option<f64>) -> IndicatorValue {
        IndicatorValue {
            id: id.into(),
            value: v,
            missing: None,
            period_end: None,
            trend: yoy.map(|y| credence_indicators::Trend { yoy: Some(y), ..Default::default() }),
        }
    }

    /// Evaluates `text` with `net_margin` = −12 (yoy −0.3), `payment_timeliness` = 5 and
    /// `current_ratio` missing, and flag 0 set.
    fn check(text: &str, expected: bool) {
        let mut names = TestNames::default();
        let cond = parse(text, &mut names).unwrap_or_else(|e| panic!("{text}: {e:?}"));
        let values: Vec<IndicatorValue> = names
            .0
            .iter()
            .map(|n| match n.as_str() {
                "net_margin" => value(n, Some(-12.0), Some(-0.3)),
                "payment_timeliness" => value(n, Some(5.0), None),
                _ => value(n, None, None),
            })
            .collect();
        assert_eq!(cond.holds(&|s| values.get(s), 1), expected, "{text}");
    }

    fn check_error(text: &str, offset: usize, message: &str) {
        let err = parse(text, &mut TestNames::default()).unwrap_err();
        assert_eq!(err, (offset, message.to_string()), "{text}");
    }

    #[test]
    fn comparisons_and_trend_fields() {
        check("net_margin < -10", true);
        check("net_margin < -12", false);
        check("net_margin <= -12.0", true);
        check("payment_timeliness <= 5", true);
        check("payment_timeliness > 5", false);
        check("payment_timeliness == 5 and payment_timeliness != 4", true);
        check("net_margin.yoy < -0.25", true);
        check("payment_timeliness.yoy < 0", false);
    }

    #[test]
    fn missing_values_never_satisfy_a_comparison() {
        check("current_ratio < 1", false);
        check("current_ratio >= 1", false);
        check("not current_ratio >= 1", true);
        check("missing(current_ratio)", true);
        check("missing(net_margin)", false);
    }

    #[test]
    fn boolean_structure_and_flags() {
        check("flag(key_documents_missing) or missing(net_margin)", true);
        check("flag(other) or missing(net_margin)", false);
        check("payment_timeliness > 5 or net_margin < 0 and missing(current_ratio)", true);
        check("(payment_timeliness > 5 or net_margin < 0) and not missing(current_ratio)", false);
    }

    #[test]
    fn syntax_errors_point_at_the_offending_token() {
        check_error("net_margin < ", 13, "condition ends where a number was expected");
        check_error(
            "net_margin less 0",
            11,
            "expected a comparison operator after `net_margin`, found `less`",
        );
        check_error("net_margin = 0", 11, "`=` is not an operator; use <, <=, >, >=, == or !=");
        check_error(
            "net_margin.mom < 0",
            11,
            "`mom` is not a trend field; use qoq, yoy, cagr_3y or slope_3y",
        );
        check_error("missing(net_margin", 18, "condition ends where `)` was expected");
        check_error(
            "net_margin < 0 payment_timeliness",
            15,
            "unexpected `payment_timeliness` after a complete condition",
        );
        check_error("净利率 < 0", 0, "unexpected character `净`");
        check_error(
            "and x < 1",
            0,
            "expected an indicator, `not`, `missing(…)`, `flag(…)` or `(`, found `and`",
        );
        check_error("x < 1..2", 4, "`1..2` is not a number");
        check_error("x < 10%", 6, "unexpected character `%`");
        check_error(&format!("x < {}", "9".repeat(400)), 4, &format!("`{}` is too large", "9".repeat(400)));
    }

    #[test]
    fn nesting_is_bounded_not_a_stack_overflow() {
        let message = "the condition nests `(` and `not` more than 100 levels deep";
        let parens = format!("{}x < 1{}", "(".repeat(100_000), ")".repeat(100_000));
        check_error(&parens, 100, message);
        check_error(&format!("{}x < 1", "not ".repeat(100_000)), 400, message);
        check(&format!("{}net_margin < 0{}", "(".repeat(99), ")".repeat(99)), true);
        check(&format!("{}net_margin < 0", "not ".repeat(99)), false);
    }
}
