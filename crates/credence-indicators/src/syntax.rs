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

/// A byte range in the formula text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    fn to(self, other: Span) -> Span {
        Span { start: self.start, end: other.end }
    }
}

/// The calendar unit of a duration literal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum DurationUnit {
    Days,
    Months,
    Quarters,
    Years,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UnaryOp {
    Neg,
    Not,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    And,
    Or,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::And => "and",
            BinOp::Or => "or",
        }
    }
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

/// An expression and the text it was parsed from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    pub expr: Expr,
    pub span: Span,
    /// Levels of the tree from here down (a leaf is 1).
    pub depth: u32,
}

/// The deepest a formula's tree may be: parentheses, calls and operators, a chain
/// `a + b + c` counting one level per operator. The checker and the evaluator recurse over
/// the tree, so a deeper formula is refused rather than allowed to exhaust the stack.
pub(crate) const MAX_DEPTH: u32 = 100;

impl Node {
    fn new(expr: Expr, span: Span) -> Node {
        let below = match &expr {
            Expr::Unary(_, x) => x.depth,
            Expr::Binary(_, _, l, r) => l.depth.max(r.depth),
            Expr::Call { args, .. } => args.iter().map(|a| a.value.depth).max().unwrap_or(0),
            Expr::Number(_) | Expr::Duration(..) | Expr::Text(_) | Expr::Name(_) => 0,
        };
        Node { expr, span, depth: below + 1 }
    }
}

/// A call argument, positional or named (`zero = missing("…")`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Arg {
    pub name: Option<(String, Span)>,
    pub value: Node,
}

/// The first syntax error of a formula.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SyntaxError {
    pub span: Span,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Number(f64),
    Duration(u32, DurationUnit),
    Text(String),
    Ident(String),
    Punct(&'static str),
    End,
}

impl Tok {
    fn describe(&self) -> String {
        match self {
            Tok::Number(_) | Tok::Duration(..) => "a number".into(),
            Tok::Text(_) => "a string".into(),
            Tok::Ident(name) => format!("'{name}'"),
            Tok::Punct(p) => format!("'{p}'"),
            Tok::End => "the end of the formula".into(),
        }
    }
}

const PUNCTS: [&str; 14] = ["<=", ">=", "==", "!=", "(", ")", ",", "+", "-", "*", "/", "<", ">", "="];

/// Where the number literal that starts at `start` ends: digits, `_` separators, a
/// decimal point and an optional exponent (`1.5e-3`). Shared with the rule language.
pub fn number_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start;
    while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'_' || bytes[i] == b'.') {
        i += 1;
    }
    if i < bytes.len() && (bytes[i] == b'e' || bytes[i] == b'E') {
        let mut j = i + 1;
        if j < bytes.len() && (bytes[j] == b'+' || bytes[j] == b'-') {
            j += 1;
        }
        if j < bytes.len() && bytes[j].is_ascii_digit() {
            i = j;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
        }
    }
    i
}

fn lex(text: &str) -> Result<Vec<(Tok, Span)>, SyntaxError> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c == b'#' {
            while i < bytes.len() && bytes[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        let tok = if c.is_ascii_digit() || (c == b'.' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)) {
            i = number_end(bytes, i);
            let digits = text[start..i].replace('_', "");
            let unit = match bytes.get(i) {
                Some(b'd') => Some(DurationUnit::Days),
                Some(b'm') => Some(DurationUnit::Months),
                Some(b'q') => Some(DurationUnit::Quarters),
                Some(b'y') => Some(DurationUnit::Years),
                _ => None,
            };
            let ident_follows =
                |k: usize| bytes.get(k).is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_');
            match unit {
                Some(unit) if !ident_follows(i + 1) => {
                    i += 1;
                    let n = digits.parse::<u32>().map_err(|_| SyntaxError {
                        span: Span { start, end: i },
                        message: format!("'{}' is not a whole number of periods", &text[start..i]),
                    })?;
                    Tok::Duration(n, unit)
                }
                _ => {
                    if ident_follows(i) {
                        let mut end = i;
                        while ident_follows(end) {
                            end += 1;
                        }
                        return Err(SyntaxError {
                            span: Span { start, end },
                            message: format!("malformed number '{}'", &text[start..end]),
                        });
                    }
                    let v = digits.parse::<f64>().map_err(|_| SyntaxError {
                        span: Span { start, end: i },
                        message: format!("malformed number '{}'", &text[start..i]),
                    })?;
                    if !v.is_finite() {
                        return Err(SyntaxError {
                            span: Span { start, end: i },
                            message: "the number is too large for a formula".into(),
                        });
                    }
                    Tok::Number(v)
                }
            }
        } else if c.is_ascii_alphabetic() || c == b'_' {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            Tok::Ident(text[start..i].to_owned())
        } else if c == b'"' {
            i += 1;
            let mut s = String::new();
            loop {
                let Some(ch) = text[i..].chars().next() else {
                    return Err(SyntaxError {
                        span: Span { start, end: i },
                        message: "unterminated string".into(),
                    });
                };
                i += ch.len_utf8();
                match ch {
                    '"' => break,
                    '\\' => match bytes.get(i) {
                        Some(b'"') | Some(b'\\') => {
                            s.push(bytes[i] as char);
                            i += 1;
                        }
                        _ => {
                            return Err(SyntaxError {
                                span: Span { start: i - 1, end: i + 1 },
                                message: "only \\\" and \\\\ may be escaped in a string".into(),
                            });
                        }
                    },
                    _ => s.push(ch),
                }
            }
            Tok::Text(s)
        } else if let Some(p) = PUNCTS.iter().find(|p| text[i..].starts_with(*p)) {
            i += p.len();
            Tok::Punct(p)
        } else {
            let ch = text[i..].chars().next().unwrap_or('?');
            return Err(SyntaxError {
                span: Span { start, end: i + ch.len_utf8() },
                message: format!("unexpected character '{ch}'"),
            });
        };
        out.push((tok, Span { start, end: i }));
    }
    out.push((Tok::End, Span { start: text.len(), end: text.len() }));
    Ok(out)
}

/// Parses one formula.
pub(crate) fn parse(text: &str) -> Result<Node, SyntaxError> {
    let tokens = lex(text)?;
    let mut p = Parser { tokens, pos: 0, nesting: 0 };
    let node = p.expr()?;
    match p.peek() {
        Tok::End => Ok(node),
        other => {
            Err(p
                .error(format!("expected an operator or the end of the formula, found {}", other.describe())))
        }
    }
}

struct Parser {
    tokens: Vec<(Tok, Span)>,
    pos: usize,
    /// How many rules deep the parser has recursed; bounded like the tree's depth, so
    /// `((((…` cannot exhaust the stack before a node is made.
    nesting: u32,
}

impl Parser {
    fn peek(&self) -> &Tok {
        &self.tokens[self.pos].0
    }

    fn span(&self) -> Span {
        self.tokens[self.pos].1
    }

    fn bump(&mut self) -> (Tok, Span) {
        let t = self.tokens[self.pos].clone();
        if self.pos + 1 < self.tokens.len() {
            self.pos += 1;
        }
        t
    }

    fn error(&self, message: String) -> SyntaxError {
        SyntaxError { span: self.span(), message }
    }

    fn is_punct(&self, p: &str) -> bool {
        matches!(self.peek(), Tok::Punct(q) if *q == p)
    }

    fn is_keyword(&self, k: &str) -> bool {
        matches!(self.peek(), Tok::Ident(q) if q == k)
    }

    fn expect(&mut self, p: &str) -> Result<Span, SyntaxError> {
        if self.is_punct(p) {
            Ok(self.bump().1)
        } else {
            Err(self.error(format!("expected '{p}', found {}", self.peek().describe())))
        }
    }

    fn too_deep(&self) -> SyntaxError {
        self.error(format!(
            "the formula nests more than {MAX_DEPTH} levels deep; split it into simpler parts"
        ))
    }

    /// Runs one recursive rule one level deeper.
    fn nested(&mut self, rule: fn(&mut Parser) -> Result<Node, SyntaxError>) -> Result<Node, SyntaxError> {
        if self.nesting >= MAX_DEPTH {
            return Err(self.too_deep());
        }
        self.nesting += 1;
        let out = rule(self);
        self.nesting -= 1;
        out
    }

    /// A node, refused when it makes the tree too deep.
    fn node(&self, expr: Expr, span: Span) -> Result<Node, SyntaxError> {
        let node = Node::new(expr, span);
        if node.depth > MAX_DEPTH { Err(self.too_deep()) } else { Ok(node) }
    }

    fn expr(&mut self) -> Result<Node, SyntaxError> {
        self.nested(Parser::or)
    }

    fn binary(&self, left: Node, op: BinOp, op_span: Span, right: Node) -> Result<Node, SyntaxError> {
        let span = left.span.to(right.span);
        self.node(Expr::Binary(op, op_span, Box::new(left), Box::new(right)), span)
    }

    fn or(&mut self) -> Result<Node, SyntaxError> {
        let mut left = self.and()?;
        while self.is_keyword("or") {
            let op_span = self.bump().1;
            let right = self.and()?;
            left = self.binary(left, BinOp::Or, op_span, right)?;
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Node, SyntaxError> {
        let mut left = self.not()?;
        while self.is_keyword("and") {
            let op_span = self.bump().1;
            let right = self.not()?;
            left = self.binary(left, BinOp::And, op_span, right)?;
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Node, SyntaxError> {
        if !self.is_keyword("not") {
            return self.cmp();
        }
        let start = self.bump().1;
        let operand = self.nested(Parser::not)?;
        let span = start.to(operand.span);
        self.node(Expr::Unary(UnaryOp::Not, Box::new(operand)), span)
    }

    fn cmp(&mut self) -> Result<Node, SyntaxError> {
        let left = self.sum()?;
        let op = match self.peek() {
            Tok::Punct("<") => BinOp::Lt,
            Tok::Punct("<=") => BinOp::Le,
            Tok::Punct(">") => BinOp::Gt,
            Tok::Punct(">=") => BinOp::Ge,
            Tok::Punct("==") => BinOp::Eq,
            Tok::Punct("!=") => BinOp::Ne,
            _ => return Ok(left),
        };
        let op_span = self.bump().1;
        let right = self.sum()?;
        self.binary(left, op, op_span, right)
    }

    fn sum(&mut self) -> Result<Node, SyntaxError> {
        let mut left = self.term()?;
        loop {
            let op = match self.peek() {
                Tok::Punct("+") => BinOp::Add,
                Tok::Punct("-") => BinOp::Sub,
                _ => return Ok(left),
            };
            let op_span = self.bump().1;
            let right = self.term()?;
            left = self.binary(left, op, op_span, right)?;
        }
    }

    fn term(&mut self) -> Result<Node, SyntaxError> {
        let mut left = self.unary()?;
        loop {
            let op = match self.peek() {
                Tok::Punct("*") => BinOp::Mul,
                Tok::Punct("/") => BinOp::Div,
                _ => return Ok(left),
            };
            let op_span = self.bump().1;
            let right = self.unary()?;
            left = self.binary(left, op, op_span, right)?;
        }
    }

    fn unary(&mut self) -> Result<Node, SyntaxError> {
        if !self.is_punct("-") {
            return self.atom();
        }
        let start = self.bump().1;
        let operand = self.nested(Parser::unary)?;
        let span = start.to(operand.span);
        self.node(Expr::Unary(UnaryOp::Neg, Box::new(operand)), span)
    }

    fn atom(&mut self) -> Result<Node, SyntaxError> {
        let (tok, span) = self.tokens[self.pos].clone();
        let expr = match tok {
            Tok::Number(v) => Expr::Number(v),
            Tok::Duration(n, u) => Expr::Duration(n, u),
            Tok::Text(s) => Expr::Text(s),
            Tok::Ident(name) if ["and", "or", "not"].contains(&name.as_str()) => {
                return Err(self.error(format!("expected a value, found '{name}'")));
            }
            Tok::Ident(name) => {
                self.bump();
                if !self.is_punct("(") {
                    return self.node(Expr::Name(name), span);
                }
                self.bump();
                let mut args = Vec::new();
                while !self.is_punct(")") {
                    args.push(self.arg()?);
                    if !self.is_punct(")") {
                        self.expect(",")?;
                    }
                }
                let close = self.expect(")")?;
                return self.node(Expr::Call { name, name_span: span, args }, span.to(close));
            }
            Tok::Punct("(") => {
                self.bump();
                let inner = self.expr()?;
                let close = self.expect(")")?;
                return self.node(inner.expr, span.to(close));
            }
            other => return Err(self.error(format!("expected a value, found {}", other.describe()))),
        };
        self.bump();
        self.node(expr, span)
    }

    fn arg(&mut self) -> Result<Arg, SyntaxError> {
        if let Tok::Ident(name) = self.peek().clone()
            && matches!(self.tokens.get(self.pos + 1), Some((Tok::Punct("="), _)))
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
