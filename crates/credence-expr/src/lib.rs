//! The expression core that Credence's three small languages share: indicator formulas
//! (`credence-indicators`), warning rule conditions (`credence-warning`) and knock-out
//! conditions (`credence-rating`).
//!
//! Each language describes its surface in a [`Syntax`] (what its texts are called in
//! messages, which punctuation, duration units and string escapes it knows, whether `20%`
//! is a literal) and builds its own expression type on [`Node`]; the core supplies the
//! rest:
//!
//! - [`lex`]: tokens ([`Tok`]) with byte [`Span`]s: numbers with `_` separators and
//!   exponents, durations (`4q`, `12m`), percentages, strings, names and punctuation,
//!   `#` comments.
//! - [`Parser`]: a cursor over the tokens with precedence climbing for the left-associative
//!   binary operators ([`BinOp`]: `or` < `and` < comparisons < `+ -` < `* /`), an optional
//!   comparison, and a bound of [`MAX_DEPTH`] levels on both the parser's recursion and the
//!   tree, so a deeply nested text is refused rather than allowed to exhaust the stack.
//! - [`CmpOp`]: the six comparisons, which every language evaluates the same way.
//!
//! The languages keep their own vocabulary (names, functions, keywords such as
//! `rising` or `missing(…)`) and type rules. A language whose lexicon differs (the
//! knock-out conditions: signed numbers, `.` for trend fields, no comments) lexes with the
//! core's [`Scanner`] and hands its tokens to [`Parser::from_tokens`]; a parser may carry
//! the language's own state (a name table), and [`Syntax::too_deep_message`] words the
//! nesting bound in the language's own terms.

mod lex;
mod ops;
mod parse;

pub use lex::{Scanner, Syntax, Tok, ident_end, is_ident_byte, lex, number_end};
pub use ops::{BinOp, CmpOp, DurationUnit};
pub use parse::{MAX_DEPTH, Node, Parser, Tree};

/// A byte range in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    /// From the start of this span to the end of `other`.
    pub fn to(self, other: Span) -> Span {
        Span { start: self.start, end: other.end }
    }
}

/// The first syntax error of a text: where and what.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxError {
    pub span: Span,
    pub message: String,
}

impl SyntaxError {
    pub fn new(start: usize, end: usize, message: impl Into<String>) -> SyntaxError {
        SyntaxError { span: Span { start, end }, message: message.into() }
    }
}
