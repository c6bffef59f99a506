//! The surface syntax of rule conditions: a lexer and a recursive-descent parser that turn
//! a condition into a tree whose nodes carry byte spans into the condition text, so the
//! checker can point at the exact characters a problem concerns. The grammar is in the
//! crate documentation.

pub(crate) use credence_expr::{BinOp, DurationUnit, Span, SyntaxError};
use credence_expr::{Parser, Syntax, Tok, Tree};

/// Conditions in the expression core's terms: `#` comments, durations in days, weeks,
/// months, quarters and years, percentages, and `[ ]` for event filters.
static CONDITION: Syntax = Syntax {
    noun: "condition",
    too_deep_advice: "split it into simpler rules",
    too_deep_message: None,
    duration_letters: b"dwmqy",
    duration_word: "a duration",
    percent: true,
    strict_escapes: false,
    puncts: &["<=", ">=", "==", "!=", "(", ")", "[", "]", ",", "+", "-", "*", "/", "<", ">", "="],
};

/// A duration literal such as `4q`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Duration {
    pub amount: u32,
    pub unit: DurationUnit,
    pub span: Span,
}

impl Duration {
    /// The length in whole quarters, when it is one.
    pub fn quarters(&self) -> Option<u32> {
        match self.unit {
            DurationUnit::Quarters => Some(self.amount),
            DurationUnit::Years => Some(self.amount * 4),
            DurationUnit::Months if self.amount.is_multiple_of(3) => Some(self.amount / 3),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expr {
    Number(f64),
    /// `20%`, held as the fraction 0.2.
    Percent(f64),
    Duration(Duration),
    Text(String),
    Name(String),
    /// `kind[filter]`: an event kind with a condition on the events' fields.
    Filtered {
        name: String,
        name_span: Span,
        filter: Box<Node>,
    },
    Call {
        name: String,
        name_span: Span,
        args: Vec<Arg>,
    },
    Neg(Box<Node>),
    Not(Box<Node>),
    Binary(BinOp, Span, Box<Node>, Box<Node>),
    /// `x in ("a", "b")`.
    In(Box<Node>, Vec<(String, Span)>),
    /// `x rising` / `x falling over 1y`.
    Trend {
        rising: bool,
        value: Box<Node>,
        over: Option<Duration>,
        word: Span,
    },
    /// `condition for n [consecutive] quarters`; the span is the number's.
    Held {
        condition: Box<Node>,
        quarters: f64,
        count_span: Span,
    },
}

/// An expression and the text it was parsed from (depth bounded by [`credence_expr::MAX_DEPTH`]).
pub(crate) type Node = credence_expr::Node<Expr>;

impl Tree for Expr {
    fn depth_below(&self) -> u32 {
        match self {
            Expr::Filtered { filter, .. } => filter.depth,
            Expr::Call { args, .. } => args
                .iter()
                .map(|a| match a {
                    Arg::Value(n) => n.depth,
                    Arg::Ago(_) => 1,
                })
                .max()
                .unwrap_or(0),
            Expr::Neg(x) | Expr::Not(x) | Expr::In(x, _) => x.depth,
            Expr::Trend { value, .. } => value.depth,
            Expr::Held { condition, .. } => condition.depth,
            Expr::Binary(_, _, l, r) => l.depth.max(r.depth),
            Expr::Number(_) | Expr::Percent(_) | Expr::Duration(_) | Expr::Text(_) | Expr::Name(_) => 0,
        }
    }

    fn binary(op: BinOp, op_span: Span, left: Node, right: Node) -> Expr {
        Expr::Binary(op, op_span, Box::new(left), Box::new(right))
    }
}

/// A call argument: an expression, or `1q ago` (the shift of an event window).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Arg {
    Value(Node),
    Ago(Duration),
}

impl Arg {
    pub fn span(&self) -> Span {
        match self {
            Arg::Value(n) => n.span,
            Arg::Ago(d) => d.span,
        }
    }
}

/// Words with a meaning of their own; not usable as names.
pub(crate) const KEYWORDS: [&str; 12] = [
    "and",
    "or",
    "not",
    "for",
    "consecutive",
    "quarter",
    "quarters",
    "rising",
    "falling",
    "over",
    "ago",
    "in",
];

/// Parses a rule condition.
pub(crate) fn parse(text: &str) -> Result<Node, SyntaxError> {
    let mut p = Parser::new(text, &CONDITION)?;
    let node = p.nested(Rules::or)?;
    if p.is_punct("=") {
        return Err(p.unexpected("write '==' to compare"));
    }
    p.finish("expected an operator or the end of the condition")?;
    Ok(node)
}

/// The condition grammar's rules, on the core's parser.
trait Rules {
    fn or(&mut self) -> Result<Node, SyntaxError>;
    fn not(&mut self) -> Result<Node, SyntaxError>;
    fn held(&mut self) -> Result<Node, SyntaxError>;
    fn comparison(&mut self) -> Result<Node, SyntaxError>;
    fn trend(&mut self, left: Node) -> Result<Node, SyntaxError>;
    fn one_of(&mut self, left: Node) -> Result<Node, SyntaxError>;
    fn sum(&mut self) -> Result<Node, SyntaxError>;
    fn unary(&mut self) -> Result<Node, SyntaxError>;
    fn atom(&mut self) -> Result<Node, SyntaxError>;
    fn call(&mut self, name: String, name_span: Span) -> Result<Node, SyntaxError>;
}

impl Rules for Parser<Expr> {
    fn or(&mut self) -> Result<Node, SyntaxError> {
        self.climb(1, 2, Rules::not)
    }

    fn not(&mut self) -> Result<Node, SyntaxError> {
        if let Some(s) = self.eat_word("not") {
            let x = self.nested(Rules::not)?;
            let span = s.to(x.span);
            return self.node(Expr::Not(Box::new(x)), span);
        }
        self.held()
    }

    fn held(&mut self) -> Result<Node, SyntaxError> {
        let condition = Rules::comparison(self)?;
        if self.eat_word("for").is_none() {
            return Ok(condition);
        }
        let (quarters, count_span) = match self.peek() {
            Tok::Number(v) => (*v, self.bump().1),
            Tok::Duration(..) => return Err(self.error("write the number of quarters as 'for 2 quarters'")),
            _ => return Err(self.unexpected("expected a number of quarters after 'for'")),
        };
        self.eat_word("consecutive");
        let end = match self.peek() {
            Tok::Ident(w) if w == "quarters" || w == "quarter" => self.bump().1,
            _ => return Err(self.unexpected("expected 'quarters'")),
        };
        let span = condition.span.to(end);
        self.node(Expr::Held { condition: Box::new(condition), quarters, count_span }, span)
    }

    fn comparison(&mut self) -> Result<Node, SyntaxError> {
        let left = self.sum()?;
        match self.peek() {
            Tok::Punct("=") => Err(self.unexpected("write '==' to compare")),
            Tok::Ident(w) if w == "rising" || w == "falling" => self.trend(left),
            Tok::Ident(w) if w == "in" => self.one_of(left),
            _ => Parser::comparison(self, left, Rules::sum),
        }
    }

    /// `left rising` / `left falling over 1y`, the cursor on the verb.
    fn trend(&mut self, left: Node) -> Result<Node, SyntaxError> {
        let rising = self.is_word("rising");
        let word = self.bump().1;
        let mut over = None;
        let mut end = word;
        if self.eat_word("over").is_some() {
            let Tok::Duration(amount, unit) = *self.peek() else {
                return Err(self.unexpected("expected a duration such as 1q or 1y after 'over'"));
            };
            let span = self.bump().1;
            over = Some(Duration { amount, unit, span });
            end = span;
        }
        let span = left.span.to(end);
        self.node(Expr::Trend { rising, value: Box::new(left), over, word }, span)
    }

    /// `left in ("a", "b")`, the cursor on `in`.
    fn one_of(&mut self, left: Node) -> Result<Node, SyntaxError> {
        self.bump();
        self.expect_punct("(")?;
        let mut items = Vec::new();
        loop {
            match self.peek().clone() {
                Tok::Text(s) => items.push((s, self.bump().1)),
                _ => return Err(self.unexpected("expected a string in double quotes")),
            }
            if !self.is_punct(",") {
                break;
            }
            self.bump();
        }
        let end = self.expect_punct(")")?;
        let span = left.span.to(end);
        self.node(Expr::In(Box::new(left), items), span)
    }

    fn sum(&mut self) -> Result<Node, SyntaxError> {
        self.climb(4, 5, Rules::unary)
    }

    fn unary(&mut self) -> Result<Node, SyntaxError> {
        if self.is_punct("-") {
            let s = self.bump().1;
            let x = self.nested(Rules::unary)?;
            let span = s.to(x.span);
            return self.node(Expr::Neg(Box::new(x)), span);
        }
        self.atom()
    }

    fn atom(&mut self) -> Result<Node, SyntaxError> {
        match self.peek() {
            Tok::Ident(name) if KEYWORDS.contains(&name.as_str()) => {
                return Err(self.unexpected("expected a value"));
            }
            Tok::Punct(p) if *p != "(" => return Err(self.unexpected("expected a value")),
            Tok::End => return Err(self.unexpected("expected a value")),
            _ => {}
        }
        let (tok, span) = self.bump();
        let expr = match tok {
            Tok::Number(v) => Expr::Number(v),
            Tok::Percent(v) => Expr::Percent(v),
            Tok::Duration(amount, unit) => Expr::Duration(Duration { amount, unit, span }),
            Tok::Text(s) => Expr::Text(s),
            Tok::Ident(name) if self.is_punct("(") => return self.call(name, span),
            Tok::Ident(name) if self.is_punct("[") => {
                self.bump();
                let filter = self.nested(Rules::or)?;
                let end = self.expect_punct("]")?;
                let expr = Expr::Filtered { name, name_span: span, filter: Box::new(filter) };
                return self.node(expr, span.to(end));
            }
            Tok::Ident(name) => Expr::Name(name),
            _ => {
                let inner = self.nested(Rules::or)?;
                let end = self.expect_punct(")")?;
                return self.node(inner.expr, span.to(end));
            }
        };
        self.node(expr, span)
    }

    /// `name(args)`, the cursor on the `(`.
    fn call(&mut self, name: String, name_span: Span) -> Result<Node, SyntaxError> {
        self.bump();
        let mut args = Vec::new();
        while !self.is_punct(")") {
            let arg = match (self.peek().clone(), self.peek_ahead(1)) {
                (Tok::Duration(amount, unit), Some(t)) if t.is_word("ago") => {
                    let span = self.bump().1;
                    self.bump();
                    Arg::Ago(Duration { amount, unit, span: span.to(self.prev_span()) })
                }
                _ => Arg::Value(self.nested(Rules::or)?),
            };
            args.push(arg);
            if !self.is_punct(",") {
                break;
            }
            self.bump();
        }
        let end = self.expect_punct(")")?;
        self.node(Expr::Call { name, name_span, args }, name_span.to(end))
    }
}

#[cfg(test)]
mod tests {
    use credence_expr::MAX_DEPTH;

    use super::*;

    /// Parses and prints the tree back in a fully parenthesised form.
    fn show(n: &Node) -> String {
        match &n.expr {
            Expr::Number(v) => format!("{v}"),
            Expr::Percent(v) => format!("{}%", v * 100.0),
            Expr::Duration(d) => format!("{}{:?}", d.amount, d.unit),
            Expr::Text(s) => format!("{s:?}"),
            Expr::Name(s) => s.clone(),
            Expr::Filtered { name, filter, .. } => format!("{name}[{}]", show(filter)),
            Expr::Call { name, args, .. } => {
                let a: Vec<String> = args
                    .iter()
                    .map(|a| match a {
                        Arg::Value(n) => show(n),
                        Arg::Ago(d) => format!("{}{:?} ago", d.amount, d.unit),
                    })
                    .collect();
                format!("{name}({})", a.join(", "))
            }
            Expr::Neg(x) => format!("(-{})", show(x)),
            Expr::Not(x) => format!("(not {})", show(x)),
            Expr::Binary(op, _, l, r) => format!("({} {} {})", show(l), op.symbol(), show(r)),
            Expr::In(x, items) => {
                format!("({} in {:?})", show(x), items.iter().map(|i| &i.0).collect::<Vec<_>>())
            }
            Expr::Trend { rising, value, over, .. } => format!(
                "({} {}{})",
                show(value),
                if *rising { "rising" } else { "falling" },
                over.map(|d| format!(" over {}{:?}", d.amount, d.unit)).unwrap_or_default()
            ),
            Expr::Held { condition, quarters, .. } => format!("({} for {quarters}q)", show(condition)),
        }
    }

    fn check(text: &str, expected: &str) {
        let got = match parse(text) {
            Ok(n) => show(&n),
            Err(e) => format!("{}..{}: {}", e.span.start, e.span.end, e.message),
        };
        assert_eq!(got, expected, "{text}");
    }

    #[test]
    fn precedence_and_postfix_forms() {
        check("current_ratio < 1.5 for 2 consecutive quarters", "((current_ratio < 1.5) for 2q)");
        check("change(receivables_turnover, 1y) < -20%", "(change(receivables_turnover, 1Years) < (-20%))");
        check(
            "count(lawsuit_defendant, 1q) > 1.2 * count(lawsuit_defendant, 1q, 1q ago) for 2 quarters",
            "((count(lawsuit_defendant, 1Quarters) > (1.2 * count(lawsuit_defendant, 1Quarters, 1Quarters ago))) for 2q)",
        );
        check(
            "debt_to_asset rising and net_margin falling over 1y and not x < 0",
            "(((debt_to_asset rising) and (net_margin falling over 1Years)) and (not (x < 0)))",
        );
        check(
            "count(management_change[role in (\"CEO\", \"CFO\")], 4q) >= 1",
            "(count(management_change[(role in [\"CEO\", \"CFO\"])], 4Quarters) >= 1)",
        );
        check("a or b and c", "(a or (b and c))");
        check("1 - 2 - 3 * 4", "((1 - 2) - (3 * 4))");
    }

    #[test]
    fn syntax_errors_point_at_the_token() {
        check("current_ratio < ", "16..16: expected a value, found the end of the condition");
        check("current_ratio = 1", "14..15: write '==' to compare, found '='");
        check("x < 1 for 2", "11..11: expected 'quarters', found the end of the condition");
        check("count(news, 4x)", "12..14: malformed number '4x'");
        check("x < 1 )", "6..7: expected an operator or the end of the condition, found ')'");
        check("x ? 1", "2..3: unexpected character '?'");
        check("x < 1 for 2q", "10..12: write the number of quarters as 'for 2 quarters'");
        check("x < 1e999", "4..9: the number is too large for a condition");
    }

    /// Conditions `n` levels deep: parentheses, minus signs, `not`s, calls, event
    /// filters, and a chain of additions (one level per operator).
    fn deep(n: usize) -> [String; 6] {
        [
            format!("{}x{} > 0", "(".repeat(n), ")".repeat(n)),
            format!("{}x > 0", "-".repeat(n)),
            format!("{}x > 0", "not ".repeat(n)),
            format!("{}x{} > 0", "f(".repeat(n), ")".repeat(n)),
            format!("count({}x{}, 4q) > 0", "e[".repeat(n), "]".repeat(n)),
            format!("x{} > 0", " + x".repeat(n)),
        ]
    }

    #[test]
    fn nesting_is_bounded_not_a_stack_overflow() {
        let message = "the condition nests more than 100 levels deep; split it into simpler rules";
        for text in deep(100_000) {
            let e = parse(&text).unwrap_err();
            assert_eq!(e.message, message, "{}", &text[..20]);
            assert!(e.span.start < 500, "the error points near the start: {:?}", e.span);
        }
        for text in deep(90) {
            let node = parse(&text).unwrap_or_else(|e| panic!("{}: {}", &text[..20], e.message));
            assert!(node.depth <= MAX_DEPTH, "{}", node.depth);
        }
    }
}
