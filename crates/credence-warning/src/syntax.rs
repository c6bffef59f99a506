//! The surface syntax of rule conditions: a lexer and a recursive-descent parser that turn
//! a condition into a tree whose nodes carry byte spans into the condition text, so the
//! checker can point at the exact characters a problem concerns. The grammar is in the
//! crate documentation.

/// A byte range in the condition text.
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DurationUnit {
    Days,
    Weeks,
    Months,
    Quarters,
    Years,
}

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

    pub fn is_comparison(self) -> bool {
        matches!(self, BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::Eq | BinOp::Ne)
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

/// An expression and the text it was parsed from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    pub expr: Expr,
    pub span: Span,
    /// Levels of the tree from here down (a leaf is 1).
    pub depth: u32,
}

/// The deepest a condition's tree may be: parentheses, calls, filters and operators, a
/// chain `a + b + c` counting one level per operator. Checking and evaluation recurse
/// over the tree, so a deeper condition is refused rather than allowed to exhaust the
/// stack.
pub(crate) const MAX_DEPTH: u32 = 100;

impl Node {
    fn new(expr: Expr, span: Span) -> Node {
        let below = match &expr {
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
        };
        Node { expr, span, depth: below + 1 }
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

/// The first syntax error of a condition.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SyntaxError {
    pub span: Span,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Number(f64),
    Percent(f64),
    Duration(u32, DurationUnit),
    Text(String),
    Ident(String),
    Punct(&'static str),
    End,
}

impl Tok {
    fn describe(&self) -> String {
        match self {
            Tok::Number(_) | Tok::Percent(_) => "a number".into(),
            Tok::Duration(..) => "a duration".into(),
            Tok::Text(_) => "a string".into(),
            Tok::Ident(name) => format!("'{name}'"),
            Tok::Punct(p) => format!("'{p}'"),
            Tok::End => "the end of the condition".into(),
        }
    }

    fn is_word(&self, word: &str) -> bool {
        matches!(self, Tok::Ident(w) if w == word)
    }
}

const PUNCTS: [&str; 16] =
    ["<=", ">=", "==", "!=", "(", ")", "[", "]", ",", "+", "-", "*", "/", "<", ">", "="];

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

fn err(start: usize, end: usize, message: impl Into<String>) -> SyntaxError {
    SyntaxError { span: Span { start, end }, message: message.into() }
}

fn lex(text: &str) -> Result<Vec<(Tok, Span)>, SyntaxError> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let ident_char = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
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
            i = credence_indicators::number_end(bytes, i);
            let digits = text[start..i].replace('_', "");
            let unit = match bytes.get(i) {
                Some(b'd') => Some(DurationUnit::Days),
                Some(b'w') => Some(DurationUnit::Weeks),
                Some(b'm') => Some(DurationUnit::Months),
                Some(b'q') => Some(DurationUnit::Quarters),
                Some(b'y') => Some(DurationUnit::Years),
                _ => None,
            };
            let ident_follows = |k: usize| bytes.get(k).is_some_and(|b| ident_char(*b));
            match unit {
                Some(unit) if !ident_follows(i + 1) => {
                    i += 1;
                    let n = digits.parse::<u32>().map_err(|_| {
                        err(start, i, format!("'{}' is not a whole number of periods", &text[start..i]))
                    })?;
                    Tok::Duration(n, unit)
                }
                _ => {
                    if ident_follows(i) {
                        while ident_follows(i) {
                            i += 1;
                        }
                        return Err(err(start, i, format!("malformed number '{}'", &text[start..i])));
                    }
                    let v = digits
                        .parse::<f64>()
                        .map_err(|_| err(start, i, format!("malformed number '{}'", &text[start..i])))?;
                    if !v.is_finite() {
                        return Err(err(start, i, "the number is too large for a condition"));
                    }
                    if bytes.get(i) == Some(&b'%') {
                        i += 1;
                        Tok::Percent(v / 100.0)
                    } else {
                        Tok::Number(v)
                    }
                }
            }
        } else if c.is_ascii_alphabetic() || c == b'_' {
            while i < bytes.len() && ident_char(bytes[i]) {
                i += 1;
            }
            Tok::Ident(text[start..i].to_owned())
        } else if c == b'"' {
            i += 1;
            let mut s = String::new();
            loop {
                match bytes.get(i) {
                    None => return Err(err(start, i, "unterminated string")),
                    Some(b'"') => {
                        i += 1;
                        break;
                    }
                    Some(b'\\') if matches!(bytes.get(i + 1), Some(b'"' | b'\\')) => {
                        s.push(bytes[i + 1] as char);
                        i += 2;
                    }
                    Some(_) => {
                        let ch = text[i..].chars().next().unwrap_or('\u{fffd}');
                        s.push(ch);
                        i += ch.len_utf8();
                    }
                }
            }
            Tok::Text(s)
        } else if let Some(p) = PUNCTS.iter().find(|p| text[i..].starts_with(**p)) {
            i += p.len();
            Tok::Punct(p)
        } else {
            let ch = text[i..].chars().next().unwrap_or('\u{fffd}');
            return Err(err(start, start + ch.len_utf8(), format!("unexpected character '{ch}'")));
        };
        out.push((tok, Span { start, end: i }));
    }
    out.push((Tok::End, Span { start: text.len(), end: text.len() }));
    Ok(out)
}

struct Parser {
    toks: Vec<(Tok, Span)>,
    pos: usize,
    /// How many rules deep the parser has recursed; bounded like the tree's depth, so
    /// `((((…` cannot exhaust the stack before a node is made.
    nesting: u32,
}

/// Parses a rule condition.
pub(crate) fn parse(text: &str) -> Result<Node, SyntaxError> {
    let mut p = Parser { toks: lex(text)?, pos: 0, nesting: 0 };
    let node = p.nested(Parser::or)?;
    match p.peek() {
        Tok::End => Ok(node),
        Tok::Punct("=") => Err(p.unexpected("write '==' to compare")),
        _ => Err(p.unexpected("expected an operator or the end of the condition")),
    }
}

impl Parser {
    fn peek(&self) -> &Tok {
        &self.toks[self.pos].0
    }

    fn span(&self) -> Span {
        self.toks[self.pos].1
    }

    fn prev_span(&self) -> Span {
        self.toks[self.pos.saturating_sub(1)].1
    }

    fn next(&mut self) -> (Tok, Span) {
        let t = self.toks[self.pos].clone();
        if self.pos + 1 < self.toks.len() {
            self.pos += 1;
        }
        t
    }

    fn unexpected(&self, expected: &str) -> SyntaxError {
        let span = self.span();
        SyntaxError { span, message: format!("{expected}, found {}", self.peek().describe()) }
    }

    fn expect_punct(&mut self, p: &'static str) -> Result<Span, SyntaxError> {
        if *self.peek() == Tok::Punct(p) {
            Ok(self.next().1)
        } else {
            Err(self.unexpected(&format!("expected '{p}'")))
        }
    }

    fn eat_word(&mut self, word: &str) -> Option<Span> {
        if self.peek().is_word(word) { Some(self.next().1) } else { None }
    }

    fn too_deep(&self) -> SyntaxError {
        SyntaxError {
            span: self.span(),
            message: format!(
                "the condition nests more than {MAX_DEPTH} levels deep; split it into simpler rules"
            ),
        }
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

    fn binary(&self, op: BinOp, op_span: Span, l: Node, r: Node) -> Result<Node, SyntaxError> {
        let span = l.span.to(r.span);
        self.node(Expr::Binary(op, op_span, Box::new(l), Box::new(r)), span)
    }

    fn or(&mut self) -> Result<Node, SyntaxError> {
        let mut left = self.and()?;
        while let Some(op_span) = self.eat_word("or") {
            let right = self.and()?;
            left = self.binary(BinOp::Or, op_span, left, right)?;
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Node, SyntaxError> {
        let mut left = self.not()?;
        while let Some(op_span) = self.eat_word("and") {
            let right = self.not()?;
            left = self.binary(BinOp::And, op_span, left, right)?;
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Node, SyntaxError> {
        if let Some(s) = self.eat_word("not") {
            let x = self.nested(Parser::not)?;
            let span = s.to(x.span);
            return self.node(Expr::Not(Box::new(x)), span);
        }
        self.held()
    }

    fn held(&mut self) -> Result<Node, SyntaxError> {
        let condition = self.comparison()?;
        if self.eat_word("for").is_none() {
            return Ok(condition);
        }
        let (quarters, count_span) = match self.peek() {
            Tok::Number(v) => (*v, self.next().1),
            Tok::Duration(..) => {
                return Err(SyntaxError {
                    span: self.span(),
                    message: "write the number of quarters as 'for 2 quarters'".into(),
                });
            }
            _ => return Err(self.unexpected("expected a number of quarters after 'for'")),
        };
        self.eat_word("consecutive");
        let end = match self.peek() {
            Tok::Ident(w) if w == "quarters" || w == "quarter" => self.next().1,
            _ => return Err(self.unexpected("expected 'quarters'")),
        };
        let span = condition.span.to(end);
        self.node(Expr::Held { condition: Box::new(condition), quarters, count_span }, span)
    }

    fn comparison(&mut self) -> Result<Node, SyntaxError> {
        let left = self.sum()?;
        let op = match self.peek() {
            Tok::Punct("<") => BinOp::Lt,
            Tok::Punct("<=") => BinOp::Le,
            Tok::Punct(">") => BinOp::Gt,
            Tok::Punct(">=") => BinOp::Ge,
            Tok::Punct("==") => BinOp::Eq,
            Tok::Punct("!=") => BinOp::Ne,
            Tok::Punct("=") => return Err(self.unexpected("write '==' to compare")),
            Tok::Ident(w) if w == "rising" || w == "falling" => {
                let rising = w == "rising";
                let word = self.next().1;
                let mut over = None;
                let mut end = word;
                if self.eat_word("over").is_some() {
                    match *self.peek() {
                        Tok::Duration(amount, unit) => {
                            let span = self.next().1;
                            over = Some(Duration { amount, unit, span });
                            end = span;
                        }
                        _ => {
                            return Err(self.unexpected("expected a duration such as 1q or 1y after 'over'"));
                        }
                    }
                }
                let span = left.span.to(end);
                return self.node(Expr::Trend { rising, value: Box::new(left), over, word }, span);
            }
            Tok::Ident(w) if w == "in" => {
                self.next();
                self.expect_punct("(")?;
                let mut items = Vec::new();
                loop {
                    match self.peek().clone() {
                        Tok::Text(s) => items.push((s, self.next().1)),
                        _ => return Err(self.unexpected("expected a string in double quotes")),
                    }
                    if *self.peek() == Tok::Punct(",") {
                        self.next();
                        continue;
                    }
                    break;
                }
                let end = self.expect_punct(")")?;
                let span = left.span.to(end);
                return self.node(Expr::In(Box::new(left), items), span);
            }
            _ => return Ok(left),
        };
        let op_span = self.next().1;
        let right = self.sum()?;
        self.binary(op, op_span, left, right)
    }

    fn sum(&mut self) -> Result<Node, SyntaxError> {
        let mut left = self.term()?;
        loop {
            let op = match self.peek() {
                Tok::Punct("+") => BinOp::Add,
                Tok::Punct("-") => BinOp::Sub,
                _ => return Ok(left),
            };
            let op_span = self.next().1;
            let right = self.term()?;
            left = self.binary(op, op_span, left, right)?;
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
            let op_span = self.next().1;
            let right = self.unary()?;
            left = self.binary(op, op_span, left, right)?;
        }
    }

    fn unary(&mut self) -> Result<Node, SyntaxError> {
        if *self.peek() == Tok::Punct("-") {
            let s = self.next().1;
            let x = self.nested(Parser::unary)?;
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
        let (tok, span) = self.next();
        let expr = match tok {
            Tok::Number(v) => Expr::Number(v),
            Tok::Percent(v) => Expr::Percent(v),
            Tok::Duration(amount, unit) => Expr::Duration(Duration { amount, unit, span }),
            Tok::Text(s) => Expr::Text(s),
            Tok::Ident(name) => {
                if *self.peek() == Tok::Punct("(") {
                    return self.call(name, span);
                }
                if *self.peek() == Tok::Punct("[") {
                    self.next();
                    let filter = self.nested(Parser::or)?;
                    let end = self.expect_punct("]")?;
                    return self.node(
                        Expr::Filtered { name, name_span: span, filter: Box::new(filter) },
                        span.to(end),
                    );
                }
                Expr::Name(name)
            }
            _ => {
                let inner = self.nested(Parser::or)?;
                let end = self.expect_punct(")")?;
                return self.node(inner.expr, span.to(end));
            }
        };
        self.node(expr, span)
    }

    fn call(&mut self, name: String, name_span: Span) -> Result<Node, SyntaxError> {
        self.next();
        let mut args = Vec::new();
        if *self.peek() != Tok::Punct(")") {
            loop {
                let arg = match (self.peek().clone(), self.toks.get(self.pos + 1).map(|t| &t.0)) {
                    (Tok::Duration(amount, unit), Some(t)) if t.is_word("ago") => {
                        let span = self.next().1;
                        self.next();
                        Arg::Ago(Duration { amount, unit, span: span.to(self.prev_span()) })
                    }
                    _ => Arg::Value(self.nested(Parser::or)?),
                };
                args.push(arg);
                if *self.peek() == Tok::Punct(",") {
                    self.next();
                    if *self.peek() == Tok::Punct(")") {
                        break;
                    }
                    continue;
                }
                break;
            }
        }
        let end = self.expect_punct(")")?;
        self.node(Expr::Call { name, name_span, args }, name_span.to(end))
    }
}

#[cfg(test)]
mod tests {
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
