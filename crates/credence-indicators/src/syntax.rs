//! The surface syntax of indicator formulas: a lexer and a recursive-descent parser that
//! turn a formula into an expression tree whose nodes carry byte spans into the formula,
//! so later checks can point at the exact text.
//!
//! ```text
//! expr  := or
//! or    := and ("or" and)*
//! and   := not ("and" not)*
//! not   := "not" not | cmp
//! cmp   := sum (("<" | "<=" | ">" | ">=" | "==" | "!=") sum)?
//! sum   := term (("+" | "-") term)*
//! term  := unary (("*" | "/") unary)*
//! unary := "-" unary | atom
//! atom  := number | duration | string | name | name "(" args? ")" | "(" expr ")"
//! args  := arg ("," arg)* ","?
//! arg   := name "=" expr | expr
//! ```
//!
//! Numbers may use `_` as a digit separator (`100_000`); a duration is a whole number
//! directly followed by `d`, `m`, `q` or `y` (`4q`, `12m`, `365d`); strings are in double
//! quotes with `\"` and `\\` as the only escapes; `#` starts a comment to the end of the
//! line.

pub(crate) use credence_expr::{BinOp, DurationUnit, Span, SyntaxError};
use credence_expr::{Parser, Syntax, Tok, Tree};

/// Formulas in the expression core's terms: `#` comments, durations in days, months,
/// quarters and years, no percentages, and strict string escapes.
static FORMULA: Syntax = Syntax {
    noun: "formula",
    too_deep_advice: "split it into simpler parts",
    too_deep_message: None,
    duration_letters: b"dmqy",
    duration_word: "a number",
    percent: false,
    strict_escapes: true,
    puncts: &["<=", ">=", "==", "!=", "(", ")", ",", "+", "-", "*", "/", "<", ">", "="],
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UnaryOp {
    Neg,
    Not,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expr {
    Number(f64),
    Duration(u32, DurationUnit),
    Text(String),
    Name(String),
    Call { name: String, name_span: Span, args: Vec<Arg> },
    Unary(UnaryOp, Box<Node>),
    Binary(BinOp, Span, Box<Node>, Box<Node>),
}

/// An expression and the text it was parsed from (depth bounded by [`credence_expr::MAX_DEPTH`]).
pub(crate) type Node = credence_expr::Node<Expr>;

impl Tree for Expr {
    fn depth_below(&self) -> u32 {
        match self {
            Expr::Unary(_, x) => x.depth,
            Expr::Binary(_, _, l, r) => l.depth.max(r.depth),
            Expr::Call { args, .. } => args.iter().map(|a| a.value.depth).max().unwrap_or(0),
            Expr::Number(_) | Expr::Duration(..) | Expr::Text(_) | Expr::Name(_) => 0,
        }
    }

    fn binary(op: BinOp, op_span: Span, left: Node, right: Node) -> Expr {
        Expr::Binary(op, op_span, Box::new(left), Box::new(right))
    }
}

/// A call argument, positional or named (`zero = missing("…")`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Arg {
    pub name: Option<(String, Span)>,
    pub value: Node,
}

/// Parses one formula.
pub(crate) fn parse(text: &str) -> Result<Node, SyntaxError> {
    let mut p = Parser::new(text, &FORMULA)?;
    let node = p.expr()?;
    p.finish("expected an operator or the end of the formula")?;
    Ok(node)
}

/// The formula grammar's rules, on the core's parser.
trait Rules {
    fn expr(&mut self) -> Result<Node, SyntaxError>;
    fn not(&mut self) -> Result<Node, SyntaxError>;
    fn sum(&mut self) -> Result<Node, SyntaxError>;
    fn unary(&mut self) -> Result<Node, SyntaxError>;
    fn atom(&mut self) -> Result<Node, SyntaxError>;
    fn call(&mut self, name: String, name_span: Span) -> Result<Node, SyntaxError>;
    fn arg(&mut self) -> Result<Arg, SyntaxError>;
}

impl Rules for Parser<Expr> {
    fn expr(&mut self) -> Result<Node, SyntaxError> {
        self.nested(|p| p.climb(1, 2, Rules::not))
    }

    fn not(&mut self) -> Result<Node, SyntaxError> {
        let Some(start) = self.eat_word("not") else {
            let left = self.sum()?;
            return self.comparison(left, Rules::sum);
        };
        let operand = self.nested(Rules::not)?;
        let span = start.to(operand.span);
        self.node(Expr::Unary(UnaryOp::Not, Box::new(operand)), span)
    }

    fn sum(&mut self) -> Result<Node, SyntaxError> {
        self.climb(4, 5, Rules::unary)
    }

    fn unary(&mut self) -> Result<Node, SyntaxError> {
        if !self.is_punct("-") {
            return self.atom();
        }
        let start = self.bump().1;
        let operand = self.nested(Rules::unary)?;
        let span = start.to(operand.span);
        self.node(Expr::Unary(UnaryOp::Neg, Box::new(operand)), span)
    }

    fn atom(&mut self) -> Result<Node, SyntaxError> {
        let span = self.span();
        let expr = match self.peek().clone() {
            Tok::Number(v) => Expr::Number(v),
            Tok::Duration(n, u) => Expr::Duration(n, u),
            Tok::Text(s) => Expr::Text(s),
            Tok::Ident(name) if !["and", "or", "not"].contains(&name.as_str()) => {
                self.bump();
                if self.is_punct("(") {
                    return self.call(name, span);
                }
                return self.node(Expr::Name(name), span);
            }
            Tok::Punct("(") => {
                self.bump();
                let inner = self.expr()?;
                let close = self.expect_punct(")")?;
                return self.node(inner.expr, span.to(close));
            }
            _ => return Err(self.unexpected("expected a value")),
        };
        self.bump();
        self.node(expr, span)
    }

    /// `name(args)`, the cursor on the `(`.
    fn call(&mut self, name: String, name_span: Span) -> Result<Node, SyntaxError> {
        self.bump();
        let mut args = Vec::new();
        while !self.is_punct(")") {
            args.push(self.arg()?);
            if !self.is_punct(")") {
                self.expect_punct(",")?;
            }
        }
        let close = self.expect_punct(")")?;
        self.node(Expr::Call { name, name_span, args }, name_span.to(close))
    }

    fn arg(&mut self) -> Result<Arg, SyntaxError> {
        if let Tok::Ident(name) = self.peek().clone()
            && self.peek_ahead(1).is_some_and(|t| t.is_punct("="))
        {
            let name_span = self.bump().1;
            self.bump();
            let value = self.expr()?;
            return Ok(Arg { name: Some((name, name_span)), value });
        }
        Ok(Arg { name: None, value: self.expr()? })
    }
}

#[cfg(test)]
mod tests {
    use credence_expr::MAX_DEPTH;

    use super::*;

    /// Renders a tree in prefix form, to compare shapes compactly.
    fn show(n: &Node) -> String {
        match &n.expr {
            Expr::Number(v) => format!("{v}"),
            Expr::Duration(v, u) => format!("{v}{u:?}"),
            Expr::Text(s) => format!("{s:?}"),
            Expr::Name(s) => s.clone(),
            Expr::Call { name, args, .. } => {
                let args: Vec<String> = args
                    .iter()
                    .map(|a| match &a.name {
                        Some((k, _)) => format!("{k}={}", show(&a.value)),
                        None => show(&a.value),
                    })
                    .collect();
                format!("{name}({})", args.join(" "))
            }
            Expr::Unary(op, x) => format!("({op:?} {})", show(x)),
            Expr::Binary(op, _, l, r) => format!("({} {} {})", op.symbol(), show(l), show(r)),
        }
    }

    fn check(text: &str, expected: &str) {
        assert_eq!(show(&parse(text).unwrap()), expected, "{text}");
    }

    fn check_error(text: &str, expected: &str) {
        let e = parse(text).unwrap_err();
        assert_eq!(format!("{}..{}: {}", e.span.start, e.span.end, e.message), expected, "{text}");
    }

    #[test]
    fn precedence_and_calls() {
        check("a + b * c - d", "(- (+ a (* b c)) d)");
        check("-a / (b + 1_000)", "(/ (Neg a) (+ b 1000))");
        check("x < 1 and not y >= 2 or z", "(or (and (< x 1) (Not (>= y 2))) z)");
        check("div(a, b, zero = missing(\"no \\\"b\\\"\"),)", "div(a b zero=missing(\"no \\\"b\\\"\"))");
        check("count(news, 4q, shift = 12m) # heat\n", "count(news 4Quarters shift=12Months)");
        check("pow(x, 1/3) - 1.5e-1", "(- pow(x (/ 1 3)) 0.15)");
    }

    #[test]
    fn spans_point_at_the_text() {
        let n = parse("ttm(revenue) / x").unwrap();
        let Expr::Binary(_, op, l, r) = &n.expr else { panic!() };
        assert_eq!((op.start, l.span.end, r.span.start), (13, 12, 15));
    }

    #[test]
    fn errors() {
        check_error("a +", "3..3: expected a value, found the end of the formula");
        check_error("f(a b)", "4..5: expected ',', found 'b'");
        check_error("a $ b", "2..3: unexpected character '$'");
        check_error("\"open", "0..5: unterminated string");
        check_error("4qx", "0..3: malformed number '4qx'");
        check_error("(a", "2..2: expected ')', found the end of the formula");
        check_error("a b", "2..3: expected an operator or the end of the formula, found 'b'");
        check_error("x < 1e999", "4..9: the number is too large for a formula");
    }

    /// Formulas `n` levels deep: parentheses, minus signs, `not`s, calls, and a chain of
    /// additions (one level per operator).
    fn deep(n: usize) -> [String; 5] {
        [
            format!("{}x{}", "(".repeat(n), ")".repeat(n)),
            format!("{}x", "-".repeat(n)),
            format!("{}x", "not ".repeat(n)),
            format!("{}x{}", "f(".repeat(n), ")".repeat(n)),
            format!("x{}", " + x".repeat(n)),
        ]
    }

    #[test]
    fn nesting_is_bounded_not_a_stack_overflow() {
        for text in deep(100_000) {
            let e = parse(&text).unwrap_err();
            assert_eq!(
                e.message,
                "the formula nests more than 100 levels deep; split it into simpler parts",
                "{}",
                &text[..20]
            );
            assert!(e.span.start < 500, "the error points near the start: {:?}", e.span);
        }
        check_error(
            &deep(100)[0],
            "100..101: the formula nests more than 100 levels deep; split it into simpler parts",
        );
        for text in deep(90) {
            let node = parse(&text).unwrap_or_else(|e| panic!("{}: {}", &text[..20], e.message));
            assert!(node.depth <= MAX_DEPTH, "{}", node.depth);
        }
        assert_eq!(parse(&format!("x{}", " + x".repeat(99))).unwrap().depth, 100);
    }
}
