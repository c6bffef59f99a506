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

use credence_expr::{CmpOp as Op, MAX_DEPTH, Scanner, is_ident_byte};
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

pub(crate) fn parse(text: &str, names: &mut dyn Names) -> Result<Cond, SyntaxError> {
    let tokens = tokenize(text)?;
    let mut p = Parser { tokens, pos: 0, end: text.len(), names, nesting: 0 };
    let cond = p.or()?;
    if let Some(t) = p.peek() {
        return Err((t.offset, format!("unexpected `{}` after a complete condition", t.text)));
    }
    Ok(cond)
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

#[derive(Debug, Clone, PartialEq)]
struct Token<'a> {
    offset: usize,
    text: &'a str,
    kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Word,
    Number(f64),
    Op(Op),
    Open,
    Close,
    Dot,
}

/// The tokens of a condition. Knock-outs have their own small lexicon on the core's
/// scanner: signed decimal numbers, `.` for trend fields, comparisons, no comments.
fn tokenize(text: &str) -> Result<Vec<Token<'_>>, SyntaxError> {
    let mut s = Scanner::new(text);
    let mut out = Vec::new();
    while let Some(c) = s.peek() {
        let start = s.pos();
        let kind = match c {
            b' ' | b'\t' | b'\n' | b'\r' => {
                s.advance(1);
                continue;
            }
            b'(' | b')' | b'.' => {
                s.advance(1);
                match c {
                    b'(' => Kind::Open,
                    b')' => Kind::Close,
                    _ => Kind::Dot,
                }
            }
            b'<' | b'>' | b'=' | b'!' => {
                s.advance(if s.peek_at(1) == Some(b'=') { 2 } else { 1 });
                let Some(op) = Op::from_symbol(s.since(start)) else {
                    return Err((
                        start,
                        format!("`{}` is not an operator; use <, <=, >, >=, == or !=", c as char),
                    ));
                };
                Kind::Op(op)
            }
            b'-' | b'+' | b'0'..=b'9' => {
                s.advance(1);
                s.skip_while(|b| b.is_ascii_digit() || b == b'.');
                let number = s.since(start);
                let value: f64 =
                    number.parse().map_err(|_| (start, format!("`{number}` is not a number")))?;
                if !value.is_finite() {
                    return Err((start, format!("`{number}` is too large")));
                }
                Kind::Number(value)
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                s.skip_while(is_ident_byte);
                Kind::Word
            }
            _ => return Err((start, format!("unexpected character `{}`", s.char()))),
        };
        out.push(Token { offset: start, text: s.since(start), kind });
    }
    Ok(out)
}

struct Parser<'a, 'n> {
    tokens: Vec<Token<'a>>,
    pos: usize,
    end: usize,
    names: &'n mut dyn Names,
    /// How deep `(` and `not` nest; bounded so `((((…` cannot exhaust the stack while
    /// parsing or evaluating.
    nesting: u32,
}

/// The deepest `(` and `not` may nest in a condition: the bound of every expression
/// language.
const MAX_NESTING: u32 = MAX_DEPTH;

const KEYWORDS: &[&str] = &["and", "or", "not", "missing", "flag"];

impl<'a> Parser<'a, '_> {
    fn peek(&self) -> Option<&Token<'a>> {
        self.tokens.get(self.pos)
    }

    fn is_word(&self, word: &str) -> bool {
        self.peek().is_some_and(|t| t.kind == Kind::Word && t.text == word)
    }

    fn next(&mut self, expected: &str) -> Result<Token<'a>, SyntaxError> {
        let t = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        t.ok_or_else(|| (self.end, format!("condition ends where {expected} was expected")))
    }

    fn expect(&mut self, kind: Kind, expected: &str) -> Result<(), SyntaxError> {
        let t = self.next(expected)?;
        if t.kind == kind {
            Ok(())
        } else {
            Err((t.offset, format!("expected {expected}, found `{}`", t.text)))
        }
    }

    fn or(&mut self) -> Result<Cond, SyntaxError> {
        let mut items = vec![self.and()?];
        while self.is_word("or") {
            self.pos += 1;
            items.push(self.and()?);
        }
        Ok(if items.len() == 1 { items.pop().expect("one item") } else { Cond::Any(items) })
    }

    fn and(&mut self) -> Result<Cond, SyntaxError> {
        let mut items = vec![self.unary()?];
        while self.is_word("and") {
            self.pos += 1;
            items.push(self.unary()?);
        }
        Ok(if items.len() == 1 { items.pop().expect("one item") } else { Cond::All(items) })
    }

    fn unary(&mut self) -> Result<Cond, SyntaxError> {
        if self.nesting >= MAX_NESTING {
            let offset = self.peek().map_or(self.end, |t| t.offset);
            return Err((
                offset,
                format!("the condition nests `(` and `not` more than {MAX_NESTING} levels deep"),
            ));
        }
        self.nesting += 1;
        let out = self.operand_or_group();
        self.nesting -= 1;
        out
    }

    fn operand_or_group(&mut self) -> Result<Cond, SyntaxError> {
        let t = self.next("a condition")?;
        let (offset, text) = (t.offset, t.text.to_string());
        match t.kind {
            Kind::Open => {
                let c = self.or()?;
                self.expect(Kind::Close, "`)`")?;
                Ok(c)
            }
            Kind::Word if text == "not" => Ok(Cond::Not(Box::new(self.unary()?))),
            Kind::Word if text == "missing" || text == "flag" => {
                self.expect(Kind::Open, &format!("`(` after `{text}`"))?;
                let (id_offset, id) = self.identifier()?;
                self.expect(Kind::Close, "`)`")?;
                Ok(if text == "missing" {
                    Cond::Missing(self.names.indicator(&id, id_offset))
                } else {
                    Cond::Flag(self.names.flag(&id, id_offset))
                })
            }
            Kind::Word if KEYWORDS.contains(&text.as_str()) => Err((
                offset,
                format!("expected an indicator, `not`, `missing(…)`, `flag(…)` or `(`, found `{text}`"),
            )),
            Kind::Word => {
                let field = if self.peek().is_some_and(|t| t.kind == Kind::Dot) {
                    self.pos += 1;
                    let (f_offset, f) = self.identifier()?;
                    match f.as_str() {
                        "qoq" => Field::Qoq,
                        "yoy" => Field::Yoy,
                        "cagr_3y" => Field::Cagr3y,
                        "slope_3y" => Field::Slope3y,
                        _ => {
                            return Err((
                                f_offset,
                                format!("`{f}` is not a trend field; use qoq, yoy, cagr_3y or slope_3y"),
                            ));
                        }
                    }
                } else {
                    Field::Value
                };
                let op_token = self.next("a comparison operator")?;
                let Kind::Op(op) = op_token.kind else {
                    return Err((
                        op_token.offset,
                        format!("expected a comparison operator after `{text}`, found `{}`", op_token.text),
                    ));
                };
                let n = self.next("a number")?;
                let Kind::Number(rhs) = n.kind else {
                    return Err((n.offset, format!("expected a number, found `{}`", n.text)));
                };
                let slot = self.names.indicator(&text, offset);
                Ok(Cond::Compare { slot, field, op, rhs })
            }
            _ => Err((
                offset,
                format!("expected an indicator, `not`, `missing(…)`, `flag(…)` or `(`, found `{text}`"),
            )),
        }
    }

    fn identifier(&mut self) -> Result<(usize, String), SyntaxError> {
        let t = self.next("a name")?;
        if t.kind == Kind::Word && !KEYWORDS.contains(&t.text) {
            Ok((t.offset, t.text.to_string()))
        } else {
            Err((t.offset, format!("expected a name, found `{}`", t.text)))
        }
    }
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
