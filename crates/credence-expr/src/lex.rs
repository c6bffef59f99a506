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

fn is_ident_byte(b: u8) -> bool {
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

/// The tokens of a text, ending with [`Tok::End`] at the text's end; whitespace and `#`
/// comments (to the end of the line) separate them.
pub fn lex(text: &str, syntax: &Syntax) -> Result<Vec<(Tok, Span)>, SyntaxError> {
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
            number(text, &mut i, syntax)?
        } else if c.is_ascii_alphabetic() || c == b'_' {
            i = ident_end(bytes, i);
            Tok::Ident(text[start..i].to_owned())
        } else if c == b'"' {
            string(text, &mut i, syntax)?
        } else if let Some(p) = syntax.puncts.iter().find(|p| text[i..].starts_with(**p)) {
            i += p.len();
            Tok::Punct(p)
        } else {
            let ch = text[i..].chars().next().unwrap_or('\u{fffd}');
            return Err(SyntaxError::new(
                start,
                start + ch.len_utf8(),
                format!("unexpected character '{ch}'"),
            ));
        };
        out.push((tok, Span { start, end: i }));
    }
    out.push((Tok::End, Span { start: text.len(), end: text.len() }));
    Ok(out)
}

/// A number, duration or percentage starting at `*i`; moves `*i` past it.
fn number(text: &str, i: &mut usize, syntax: &Syntax) -> Result<Tok, SyntaxError> {
    let bytes = text.as_bytes();
    let start = *i;
    *i = number_end(bytes, start);
    let digits = text[start..*i].replace('_', "");
    let unit = bytes
        .get(*i)
        .filter(|b| syntax.duration_letters.contains(b))
        .and_then(|b| DurationUnit::from_letter(*b));
    let ident_follows = |k: usize| bytes.get(k).is_some_and(|b| is_ident_byte(*b));
    if let Some(unit) = unit.filter(|_| !ident_follows(*i + 1)) {
        *i += 1;
        let n = digits.parse::<u32>().map_err(|_| {
            SyntaxError::new(start, *i, format!("'{}' is not a whole number of periods", &text[start..*i]))
        })?;
        return Ok(Tok::Duration(n, unit));
    }
    let malformed =
        |end: usize| SyntaxError::new(start, end, format!("malformed number '{}'", &text[start..end]));
    if ident_follows(*i) {
        return Err(malformed(ident_end(bytes, *i)));
    }
    let v = digits.parse::<f64>().map_err(|_| malformed(*i))?;
    if !v.is_finite() {
        return Err(SyntaxError::new(start, *i, format!("the number is too large for a {}", syntax.noun)));
    }
    if syntax.percent && bytes.get(*i) == Some(&b'%') {
        *i += 1;
        return Ok(Tok::Percent(v / 100.0));
    }
    Ok(Tok::Number(v))
}

/// A string in double quotes starting at `*i`, with `\"` and `\\` as escapes; moves `*i`
/// past it.
fn string(text: &str, i: &mut usize, syntax: &Syntax) -> Result<Tok, SyntaxError> {
    let bytes = text.as_bytes();
    let start = *i;
    *i += 1;
    let mut s = String::new();
    loop {
        let Some(ch) = text[*i..].chars().next() else {
            return Err(SyntaxError::new(start, *i, "unterminated string"));
        };
        *i += ch.len_utf8();
        match ch {
            '"' => return Ok(Tok::Text(s)),
            '\\' if matches!(bytes.get(*i), Some(b'"' | b'\\')) => {
                s.push(bytes[*i] as char);
                *i += 1;
            }
            '\\' if syntax.strict_escapes => {
                return Err(SyntaxError::new(
                    *i - 1,
                    *i + 1,
                    "only \\\" and \\\\ may be escaped in a string",
                ));
            }
            _ => s.push(ch),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SYNTAX: Syntax = Syntax {
        noun: "sum",
        too_deep_advice: "split it",
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
