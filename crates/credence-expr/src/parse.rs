//! The parser core: a cursor over the tokens, precedence climbing for binary operators,
//! and the bound on nesting.

use crate::lex::{Syntax, Tok, lex};
use crate::ops::BinOp;
use crate::{Span, SyntaxError};

/// The deepest an expression may be: parentheses, calls and operators, a chain
/// `a + b + c` counting one level per operator. Checkers and evaluators recurse over the
/// tree, so a deeper text is refused rather than allowed to exhaust the stack.
pub const MAX_DEPTH: u32 = 100;

/// A language's expression type, as the core needs to see it.
pub trait Tree: Sized {
    /// Levels of the tree below a node holding this expression (0 for a leaf).
    fn depth_below(&self) -> u32;
    /// `left op right`; `op_span` is the operator's.
    fn binary(op: BinOp, op_span: Span, left: Node<Self>, right: Node<Self>) -> Self;
}

/// An expression and the text it was parsed from.
#[derive(Debug, Clone, PartialEq)]
pub struct Node<E> {
    pub expr: E,
    pub span: Span,
    /// Levels of the tree from here down (a leaf is 1).
    pub depth: u32,
}

impl<E: Tree> Node<E> {
    pub fn new(expr: E, span: Span) -> Node<E> {
        let depth = expr.depth_below() + 1;
        Node { expr, span, depth }
    }
}

/// A rule of a language's grammar.
pub type Rule<E, S = ()> = fn(&mut Parser<E, S>) -> Result<Node<E>, SyntaxError>;

/// A cursor over a text's tokens. A language implements its grammar's rules as functions
/// of the parser (usually an extension trait) and calls the core for the rest. `S` is
/// whatever the language carries through the parse besides the tokens (the knock-out
/// conditions' name table); most languages carry nothing.
#[derive(Debug)]
pub struct Parser<E, S = ()> {
    toks: Vec<(Tok, Span)>,
    pos: usize,
    /// How many rules deep the parser has recursed; bounded like the tree's depth, so
    /// `((((…` cannot exhaust the stack before a node is made.
    nesting: u32,
    syntax: &'static Syntax,
    state: S,
    tree: std::marker::PhantomData<fn() -> E>,
}

impl<E: Tree> Parser<E> {
    /// Lexes `text`; the first lexical error is the text's syntax error.
    pub fn new(text: &str, syntax: &'static Syntax) -> Result<Parser<E>, SyntaxError> {
        Ok(Parser::from_tokens(lex(text, syntax)?, syntax, ()))
    }
}

impl<E: Tree, S> Parser<E, S> {
    /// A parser over tokens a language lexed itself (its own lexicon on the core's
    /// [`Scanner`](crate::Scanner)), carrying `state`. The tokens end with [`Tok::End`];
    /// one is added at the last token's end if they do not.
    pub fn from_tokens(mut toks: Vec<(Tok, Span)>, syntax: &'static Syntax, state: S) -> Parser<E, S> {
        if toks.last().is_none_or(|(t, _)| *t != Tok::End) {
            let end = toks.last().map_or(0, |(_, s)| s.end);
            toks.push((Tok::End, Span::new(end, end)));
        }
        Parser { toks, pos: 0, nesting: 0, syntax, state, tree: std::marker::PhantomData }
    }

    /// What the language carries through the parse.
    pub fn state(&self) -> &S {
        &self.state
    }

    pub fn state_mut(&mut self) -> &mut S {
        &mut self.state
    }

    pub fn syntax(&self) -> &'static Syntax {
        self.syntax
    }

    pub fn peek(&self) -> &Tok {
        &self.toks[self.pos].0
    }

    /// The token `k` places ahead of the current one.
    pub fn peek_ahead(&self, k: usize) -> Option<&Tok> {
        self.toks.get(self.pos + k).map(|(t, _)| t)
    }

    pub fn span(&self) -> Span {
        self.toks[self.pos].1
    }

    /// The span of the token before the current one.
    pub fn prev_span(&self) -> Span {
        self.toks[self.pos.saturating_sub(1)].1
    }

    /// The current token; the cursor moves on (and stays on the end).
    pub fn bump(&mut self) -> (Tok, Span) {
        let t = self.toks[self.pos].clone();
        if self.pos + 1 < self.toks.len() {
            self.pos += 1;
        }
        t
    }

    pub fn is_punct(&self, p: &str) -> bool {
        self.peek().is_punct(p)
    }

    pub fn is_word(&self, word: &str) -> bool {
        self.peek().is_word(word)
    }

    /// Moves past `word` if it is the current token.
    pub fn eat_word(&mut self, word: &str) -> Option<Span> {
        if self.is_word(word) { Some(self.bump().1) } else { None }
    }

    /// Moves past the punctuation `p`, or fails with "expected 'p', found …".
    pub fn expect_punct(&mut self, p: &str) -> Result<Span, SyntaxError> {
        if self.is_punct(p) { Ok(self.bump().1) } else { Err(self.unexpected(&format!("expected '{p}'"))) }
    }

    /// An error at the current token.
    pub fn error(&self, message: impl Into<String>) -> SyntaxError {
        SyntaxError { span: self.span(), message: message.into() }
    }

    /// "`expected`, found …" at the current token.
    pub fn unexpected(&self, expected: &str) -> SyntaxError {
        self.error(format!("{expected}, found {}", self.peek().describe(self.syntax)))
    }

    /// Unless the text is used up, "`expected`, found …".
    pub fn finish(&self, expected: &str) -> Result<(), SyntaxError> {
        if *self.peek() == Tok::End { Ok(()) } else { Err(self.unexpected(expected)) }
    }

    fn too_deep(&self) -> SyntaxError {
        let s = self.syntax;
        match s.too_deep_message {
            Some(message) => self.error(message(MAX_DEPTH)),
            None => self.error(format!(
                "the {} nests more than {MAX_DEPTH} levels deep; {}",
                s.noun, s.too_deep_advice
            )),
        }
    }

    /// Runs one recursive rule one level deeper.
    pub fn nested(&mut self, rule: Rule<E, S>) -> Result<Node<E>, SyntaxError> {
        if self.nesting >= MAX_DEPTH {
            return Err(self.too_deep());
        }
        self.nesting += 1;
        let out = rule(self);
        self.nesting -= 1;
        out
    }

    /// A node, refused when it makes the tree too deep.
    pub fn node(&self, expr: E, span: Span) -> Result<Node<E>, SyntaxError> {
        let node = Node::new(expr, span);
        if node.depth > MAX_DEPTH { Err(self.too_deep()) } else { Ok(node) }
    }

    /// `left op right`, spanning both.
    pub fn binary(
        &self,
        op: BinOp,
        op_span: Span,
        left: Node<E>,
        right: Node<E>,
    ) -> Result<Node<E>, SyntaxError> {
        let span = left.span.to(right.span);
        self.node(E::binary(op, op_span, left, right), span)
    }

    /// The current token as a binary operator of precedence `lowest..=highest`.
    fn operator(&self, lowest: u8, highest: u8) -> Option<BinOp> {
        let op = match self.peek() {
            Tok::Punct(p) => BinOp::from_token(p),
            Tok::Ident(w) => BinOp::from_token(w),
            _ => None,
        }?;
        (!op.is_comparison() && (lowest..=highest).contains(&op.precedence())).then_some(op)
    }

    /// `operand (op operand)*` for the left-associative operators of precedence
    /// `lowest..=highest` (not comparisons), the tighter binding first:
    /// `climb(1, 2, not)` is `or := and ("or" and)*; and := not ("and" not)*`.
    pub fn climb(&mut self, lowest: u8, highest: u8, operand: Rule<E, S>) -> Result<Node<E>, SyntaxError> {
        let mut left = operand(self)?;
        while let Some(op) = self.operator(lowest, highest) {
            let op_span = self.bump().1;
            let level = op.precedence();
            let right =
                if level < highest { self.climb(level + 1, highest, operand)? } else { operand(self)? };
            left = self.binary(op, op_span, left, right)?;
        }
        Ok(left)
    }

    /// After `left`, an optional comparison with a second operand: comparisons do not
    /// chain (`a < b < c` is refused where the second `<` stands).
    pub fn comparison(&mut self, left: Node<E>, operand: Rule<E, S>) -> Result<Node<E>, SyntaxError> {
        let op = match self.peek() {
            Tok::Punct(p) => BinOp::from_token(p).filter(|op| op.is_comparison()),
            _ => None,
        };
        let Some(op) = op else { return Ok(left) };
        let op_span = self.bump().1;
        let right = operand(self)?;
        self.binary(op, op_span, left, right)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny language: numbers, names, `-x`, `not x`, parentheses and the binary operators.
    #[derive(Debug, Clone, PartialEq)]
    enum E {
        Leaf(String),
        Neg(Box<Node<E>>),
        Bin(BinOp, Box<Node<E>>, Box<Node<E>>),
    }

    impl Tree for E {
        fn depth_below(&self) -> u32 {
            match self {
                E::Leaf(_) => 0,
                E::Neg(x) => x.depth,
                E::Bin(_, l, r) => l.depth.max(r.depth),
            }
        }
        fn binary(op: BinOp, _: Span, l: Node<E>, r: Node<E>) -> E {
            E::Bin(op, Box::new(l), Box::new(r))
        }
    }

    static SYNTAX: Syntax = Syntax {
        noun: "test",
        too_deep_advice: "simplify it",
        too_deep_message: None,
        duration_letters: b"",
        duration_word: "a number",
        percent: false,
        strict_escapes: true,
        puncts: &["<=", "==", "(", ")", "+", "-", "*", "/", "<"],
    };

    fn expr(p: &mut Parser<E>) -> Result<Node<E>, SyntaxError> {
        p.nested(|p| p.climb(1, 2, not))
    }

    fn not(p: &mut Parser<E>) -> Result<Node<E>, SyntaxError> {
        if let Some(s) = p.eat_word("not") {
            let x = p.nested(not)?;
            let span = s.to(x.span);
            return p.node(E::Neg(Box::new(x)), span);
        }
        let left = p.climb(4, 5, atom)?;
        p.comparison(left, |p| p.climb(4, 5, atom))
    }

    fn atom(p: &mut Parser<E>) -> Result<Node<E>, SyntaxError> {
        let (tok, span) = p.bump();
        match tok {
            Tok::Number(v) => p.node(E::Leaf(v.to_string()), span),
            Tok::Ident(n) => p.node(E::Leaf(n), span),
            Tok::Punct("(") => {
                let inner = expr(p)?;
                let close = p.expect_punct(")")?;
                p.node(inner.expr, span.to(close))
            }
            _ => Err(SyntaxError { span, message: "expected a value".into() }),
        }
    }

    fn show(n: &Node<E>) -> String {
        match &n.expr {
            E::Leaf(s) => s.clone(),
            E::Neg(x) => format!("(not {})", show(x)),
            E::Bin(op, l, r) => format!("({} {} {})", show(l), op.symbol(), show(r)),
        }
    }

    fn parse(text: &str) -> String {
        let result = Parser::new(text, &SYNTAX).and_then(|mut p| {
            let n = expr(&mut p)?;
            p.finish("expected the end")?;
            Ok(n)
        });
        match result {
            Ok(n) => format!("{} [{}..{}]", show(&n), n.span.start, n.span.end),
            Err(e) => format!("{}..{}: {}", e.span.start, e.span.end, e.message),
        }
    }

    #[test]
    fn precedence_climbs_and_associates_left() {
        assert_eq!(parse("1 - 2 - 3 * 4 / x"), "((1 - 2) - ((3 * 4) / x)) [0..17]");
        assert_eq!(parse("a or b and c or d"), "((a or (b and c)) or d) [0..17]");
        assert_eq!(parse("not a < 1 + 2 and b"), "((not (a < (1 + 2))) and b) [0..19]");
        assert_eq!(parse("(a or b) * 2"), "((a or b) * 2) [0..12]");
    }

    #[test]
    fn comparisons_do_not_chain() {
        assert_eq!(parse("a < b <= c"), "6..8: expected the end, found '<='");
        assert_eq!(parse("a and b < c == d"), "12..14: expected the end, found '=='");
        assert_eq!(parse("a +"), "3..3: expected a value");
        assert_eq!(parse("(a"), "2..2: expected ')', found the end of the test");
    }

    #[test]
    fn nesting_is_bounded() {
        let message = "the test nests more than 100 levels deep; simplify it";
        let parens = format!("{}x{}", "(".repeat(10_000), ")".repeat(10_000));
        assert_eq!(parse(&parens), format!("100..101: {message}"));
        let chain = format!("x{}", " + x".repeat(100));
        assert_eq!(parse(&chain), format!("{}..{}: {message}", chain.len(), chain.len()));
        let nots = "not ".repeat(10_000) + "x";
        assert!(parse(&nots).ends_with(message));
        assert!(parse(&format!("x{}", " + x".repeat(99))).starts_with("("));
    }

    static OWN_WORDS: Syntax = Syntax { too_deep_message: Some(own_too_deep), ..SYNTAX };

    fn own_too_deep(bound: u32) -> String {
        format!("at most {bound} brackets")
    }

    /// `atom ("or" atom)*` over tokens made by hand, counting the names in the state.
    fn counted(p: &mut Parser<E, u32>) -> Result<Node<E>, SyntaxError> {
        p.climb(1, 1, |p| {
            let (tok, span) = p.bump();
            match tok {
                Tok::Ident(n) => {
                    *p.state_mut() += 1;
                    p.node(E::Leaf(n), span)
                }
                Tok::Punct("(") => p.nested(|p| {
                    let inner = counted(p)?;
                    p.expect_punct(")")?;
                    Ok(inner)
                }),
                _ => Err(p.error("expected a name")),
            }
        })
    }

    #[test]
    fn a_language_may_bring_its_own_tokens_state_and_wording() {
        let ident = |n: &str, at: usize| (Tok::Ident(n.into()), Span::new(at, at + n.len()));
        let toks = vec![ident("a", 0), (Tok::Ident("or".into()), Span::new(2, 4)), ident("b", 5)];
        let mut p: Parser<E, u32> = Parser::from_tokens(toks, &OWN_WORDS, 0);
        let n = counted(&mut p).unwrap();
        assert_eq!((show(&n), *p.state(), p.span()), ("(a or b)".to_string(), 2, Span::new(6, 6)));

        let mut toks: Vec<_> = (0..200).map(|i| (Tok::Punct("("), Span::new(i, i + 1))).collect();
        toks.push(ident("x", 200));
        let mut p: Parser<E, u32> = Parser::from_tokens(toks, &OWN_WORDS, 0);
        let e = counted(&mut p).unwrap_err();
        assert_eq!((e.span.start, e.message.as_str()), (101, "at most 100 brackets"));
    }
}
