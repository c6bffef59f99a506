//! Tokens: what a language's text is made of, each with its byte span.

use crate::ops::DurationUnit;
use crate::{Span, SyntaxError};

/// The surface a language gives the core: its name in messages and the literals and
/// punctuation it knows.
#[derive(Debug, Clone, Copy)]
pub struct Syntax {
    /// What one text of the language is called: "formula", "condition".
    pub noun: &'static str,
    /// What to do about a text nested too deeply: "split it into simpler parts".
    pub too_deep_advice: &'static str,
    /// The language's own wording of the too-deep message, given the bound; `None` for
    /// "the {noun} nests more than {bound} levels deep; {too_deep_advice}".
    pub too_deep_message: Option<fn(u32) -> String>,
    /// The letters that make a whole number a duration (`b"dmqy"`: `4q`, `12m`).
    pub duration_letters: &'static [u8],
    /// How a duration token is described in "found …" messages.
    pub duration_word: &'static str,
    /// Whether `20%` is a literal (the fraction 0.2).
    pub percent: bool,
    /// Whether a backslash before anything but `"` or `\` is an error (otherwise it stands
    /// for itself).
    pub strict_escapes: bool,
    /// The punctuation, longest first where one begins another (`<=` before `<`).
    pub puncts: &'static [&'static str],
}

/// A token of an expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    Number(f64),
    /// `20%`, held as the fraction 0.2.
    Percent(f64),
    Duration(u32, DurationUnit),
    Text(String),
    Ident(String),
    Punct(&'static str),
    End,
}

impl Tok {
    /// The token as a "found …" message names it.
    pub fn describe(&self, syntax: &Syntax) -> String {
        match self {
            Tok::Number(_) | Tok::Percent(_) => "a number".into(),
            Tok::Duration(..) => syntax.duration_word.into(),
            Tok::Text(_) => "a string".into(),
            Tok::Ident(name) => format!("'{name}'"),
            Tok::Punct(p) => format!("'{p}'"),
            Tok::End => format!("the end of the {}", syntax.noun),
        }
    }

    pub fn is_word(&self, word: &str) -> bool {
        matches!(self, Tok::Ident(w) if w == word)
    }

    pub fn is_punct(&self, p: &str) -> bool {
        matches!(self, Tok::Punct(q) if *q == p)
    }
}

/// Where the number literal that starts at `start` ends: digits, `_` separators, a
/// decimal point and an optional exponent (`1.5e-3`).
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

/// Whether a byte may be part of a name: ASCII letters, digits and `_`.
pub fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Where the name that starts at `start` ends: ASCII letters, digits and `_`.
pub fn ident_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start;
    while i < bytes.len() && is_ident_byte(bytes[i]) {
        i += 1;
    }
    i
}

/// A position in a text for a lexer: the core's, or a language's own where its tokens
/// differ (the knock-out conditions).
#[derive(Debug, Clone)]
pub struct Scanner<'t> {
    text: &'t str,
    pos: usize,
}

impl<'t> Scanner<'t> {
    pub fn new(text: &'t str) -> Scanner<'t> {
        Scanner { text, pos: 0 }
    }

    /// The byte offset reached.
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// The byte at the offset reached; `None` at the end.
    pub fn peek(&self) -> Option<u8> {
        self.peek_at(0)
    }

    /// The byte `k` bytes further on.
    pub fn peek_at(&self, k: usize) -> Option<u8> {
        self.text.as_bytes().get(self.pos + k).copied()
    }

    /// The character at the offset reached (U+FFFD at the end).
    pub fn char(&self) -> char {
        self.text[self.pos..].chars().next().unwrap_or('\u{fffd}')
    }

    /// Moves on `n` bytes.
    pub fn advance(&mut self, n: usize) {
        self.pos += n;
    }

    /// Moves on while `more` holds for the byte reached.
    pub fn skip_while(&mut self, more: impl Fn(u8) -> bool) {
        while self.peek().is_some_and(&more) {
            self.pos += 1;
        }
    }

    /// Moves past `token` if the text continues with it.
    pub fn eat(&mut self, token: &str) -> bool {
        let found = self.text[self.pos..].starts_with(token);
        if found {
            self.pos += token.len();
        }
        found
    }

    /// The text from byte `start` to the offset reached.
    pub fn since(&self, start: usize) -> &'t str {
        &self.text[start..self.pos]
    }
}

/// The tokens of a text, ending with [`Tok::End`] at the text's end; whitespace and `#`
/// comments (to the end of the line) separate them.
pub fn lex(text: &str, syntax: &Syntax) -> Result<Vec<(Tok, Span)>, SyntaxError> {
    let mut s = Scanner::new(text);
    let mut out = Vec::new();
    while let Some(c) = s.peek() {
        let start = s.pos();
        if c.is_ascii_whitespace() {
            s.advance(1);
            continue;
        }
        if c == b'#' {
            s.skip_while(|b| b != b'\n');
            continue;
        }
        let tok = if c.is_ascii_digit() || (c == b'.' && s.peek_at(1).is_some_and(|b| b.is_ascii_digit())) {
            number(&mut s, syntax)?
        } else if c.is_ascii_alphabetic() || c == b'_' {
            s.skip_while(is_ident_byte);
            Tok::Ident(s.since(start).to_owned())
        } else if c == b'"' {
            string(&mut s, syntax)?
        } else if let Some(p) = syntax.puncts.iter().find(|p| s.eat(p)) {
            Tok::Punct(p)
        } else {
            let ch = s.char();
            return Err(SyntaxError::new(
                start,
                start + ch.len_utf8(),
                format!("unexpected character '{ch}'"),
            ));
        };
        out.push((tok, Span { start, end: s.pos() }));
    }
    out.push((Tok::End, Span { start: text.len(), end: text.len() }));
    Ok(out)
}

/// A number, duration or percentage at the offset reached; moves past it.
fn number(s: &mut Scanner<'_>, syntax: &Syntax) -> Result<Tok, SyntaxError> {
    let bytes = s.text.as_bytes();
    let start = s.pos();
    s.pos = number_end(bytes, start);
    let digits = s.since(start).replace('_', "");
    let unit = s.peek().filter(|b| syntax.duration_letters.contains(b)).and_then(DurationUnit::from_letter);
    let ident_follows = |k: usize| bytes.get(k).is_some_and(|b| is_ident_byte(*b));
    if let Some(unit) = unit.filter(|_| !ident_follows(s.pos() + 1)) {
        s.advance(1);
        let n = digits.parse::<u32>().map_err(|_| {
            SyntaxError::new(start, s.pos(), format!("'{}' is not a whole number of periods", s.since(start)))
        })?;
        return Ok(Tok::Duration(n, unit));
    }
    let malformed =
        |end: usize| SyntaxError::new(start, end, format!("malformed number '{}'", &s.text[start..end]));
    if ident_follows(s.pos()) {
        return Err(malformed(ident_end(bytes, s.pos())));
    }
    let v = digits.parse::<f64>().map_err(|_| malformed(s.pos()))?;
    if !v.is_finite() {
        return Err(SyntaxError::new(
            start,
            s.pos(),
            format!("the number is too large for a {}", syntax.noun),
        ));
    }
    if syntax.percent && s.eat("%") {
        return Ok(Tok::Percent(v / 100.0));
    }
    Ok(Tok::Number(v))
}

/// A string in double quotes at the offset reached, with `\"` and `\\` as escapes;
/// moves past it.
fn string(s: &mut Scanner<'_>, syntax: &Syntax) -> Result<Tok, SyntaxError> {
    let start = s.pos();
    s.advance(1);
    let mut text = String::new();
    loop {
        if s.peek().is_none() {
            return Err(SyntaxError::new(start, s.pos(), "unterminated string"));
        }
        let ch = s.char();
        s.advance(ch.len_utf8());
        match ch {
            '"' => return Ok(Tok::Text(text)),
            '\\' if matches!(s.peek(), Some(b'"' | b'\\')) => {
                text.push(char::from(s.peek().unwrap_or(b'"')));
                s.advance(1);
            }
            '\\' if syntax.strict_escapes => {
                let at = s.pos();
                return Err(SyntaxError::new(
                    at - 1,
                    at + 1,
                    "only \\\" and \\\\ may be escaped in a string",
                ));
            }
            _ => text.push(ch),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SYNTAX: Syntax = Syntax {
        noun: "sum",
        too_deep_advice: "split it",
        too_deep_message: None,
        duration_letters: b"dwmqy",
        duration_word: "a duration",
        percent: true,
        strict_escapes: false,
        puncts: &["<=", "(", ")", "<", "-"],
    };

    fn show(text: &str, syntax: &Syntax) -> String {
        match lex(text, syntax) {
            Ok(toks) => toks
                .iter()
                .map(|(t, s)| format!("{}..{} {}", s.start, s.end, t.describe(syntax)))
                .collect::<Vec<_>>()
                .join(", "),
            Err(e) => format!("{}..{}: {}", e.span.start, e.span.end, e.message),
        }
    }

    #[test]
    fn literals_with_units_and_percentages() {
        let toks = lex("1_000.5 4q 2w 20% .5e1 \"a\\\"b\\n\" x_1 # note\n<= <", &SYNTAX).unwrap();
        let kinds: Vec<Tok> = toks.into_iter().map(|(t, _)| t).collect();
        assert_eq!(
            kinds,
            [
                Tok::Number(1000.5),
                Tok::Duration(4, DurationUnit::Quarters),
                Tok::Duration(2, DurationUnit::Weeks),
                Tok::Percent(0.2),
                Tok::Number(5.0),
                Tok::Text("a\"b\\n".into()),
                Tok::Ident("x_1".into()),
                Tok::Punct("<="),
                Tok::Punct("<"),
                Tok::End,
            ]
        );
        assert_eq!(show("名 ", &SYNTAX), "0..3: unexpected character '名'");
        assert_eq!(show("(a)", &SYNTAX), "0..1 '(', 1..2 'a', 2..3 ')', 3..3 the end of the sum");
    }

    #[test]
    fn each_language_chooses_its_literals() {
        let strict = Syntax {
            duration_letters: b"dmqy",
            percent: false,
            strict_escapes: true,
            duration_word: "a number",
            ..SYNTAX
        };
        assert_eq!(show("2w", &strict), "0..2: malformed number '2w'");
        assert_eq!(show("20%", &strict), "2..3: unexpected character '%'");
        assert_eq!(show("4q", &strict), "0..2 a number, 2..2 the end of the sum");
        assert_eq!(show("\"a\\n\"", &strict), "2..4: only \\\" and \\\\ may be escaped in a string");
    }

    #[test]
    fn malformed_literals() {
        assert_eq!(show("4qx", &SYNTAX), "0..3: malformed number '4qx'");
        assert_eq!(show("1.2.3", &SYNTAX), "0..5: malformed number '1.2.3'");
        assert_eq!(show("1.5q", &SYNTAX), "0..4: '1.5q' is not a whole number of periods");
        assert_eq!(show("1e999", &SYNTAX), "0..5: the number is too large for a sum");
        assert_eq!(show("\"open", &SYNTAX), "0..5: unterminated string");
        assert_eq!(number_end(b"1e+", 0), 1);
        assert_eq!(ident_end(b"ab_1 c", 0), 4);
    }
}
