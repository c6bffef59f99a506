//! Errors of loading a rule pack: every problem found, each located by file, rule code,
//! line and column, with the offending line and a caret under the text concerned, so
//! whoever edits the pack can fix them all in one pass.

use std::fmt;
use std::path::PathBuf;

/// One problem in a rule pack file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    pub file: String,
    /// The code of the rule, peer rule or monitoring check concerned, if any.
    pub code: Option<String>,
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    pub message: String,
    /// The line of the file and a line of carets under the text concerned.
    pub snippet: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.file, self.line, self.column)?;
        if let Some(code) = &self.code {
            write!(f, "{code}: ")?;
        }
        write!(f, "{}", self.message)?;
        if !self.snippet.is_empty() {
            write!(f, "\n{}", self.snippet)?;
        }
        Ok(())
    }
}

/// Why a rule pack could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum PackError {
    #[error("cannot read the rule pack {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file was read but is not a valid rule pack; one entry per problem.
    #[error("{}", render(.0))]
    Invalid(Vec<Problem>),
}

fn render(problems: &[Problem]) -> String {
    problems.iter().map(Problem::to_string).collect::<Vec<_>>().join("\n")
}

impl PackError {
    /// The problems of an invalid pack (empty for a read error).
    pub fn problems(&self) -> &[Problem] {
        match self {
            PackError::Invalid(p) => p,
            PackError::Read { .. } => &[],
        }
    }
}

/// Collects problems located by byte offsets into the pack text.
pub(crate) struct Problems<'t> {
    pub text: &'t str,
    pub file: &'t str,
    pub list: Vec<(usize, Problem)>,
}

impl<'t> Problems<'t> {
    pub fn new(text: &'t str, file: &'t str) -> Problems<'t> {
        Problems { text, file, list: Vec::new() }
    }

    /// A problem at `start..end` (bytes of the file).
    pub fn at(&mut self, start: usize, end: usize, rule: Option<&str>, message: impl Into<String>) {
        let (line, column) = line_column(self.text, start);
        let snippet = snippet(self.text, start, end, line);
        self.list.push((
            start,
            Problem {
                file: self.file.to_owned(),
                code: rule.map(str::to_owned),
                line,
                column,
                message: message.into(),
                snippet,
            },
        ));
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The problems in file order.
    pub fn into_error(mut self) -> PackError {
        self.list.sort_by_key(|(offset, _)| *offset);
        PackError::Invalid(self.list.into_iter().map(|(_, p)| p).collect())
    }
}

fn floor_boundary(text: &str, mut offset: usize) -> usize {
    offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// 1-based line and character column of a byte offset.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = floor_boundary(text, offset);
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// The line holding `start` and carets under `start..end` (to the end of that line at
/// most; one caret for an empty span). Wide (CJK) characters get two columns so the
/// carets line up in a terminal.
fn snippet(text: &str, start: usize, end: usize, line: usize) -> String {
    let start = floor_boundary(text, start);
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let source = text[line_start..line_end].trim_end_matches('\r');
    let end = floor_boundary(text, end.clamp(start, line_end));
    let width = |s: &str| s.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum::<usize>();
    let lead: String = text[line_start..start]
        .chars()
        .map(|c| match c {
            '\t' => "\t",
            c if is_wide(c) => "  ",
            _ => " ",
        })
        .collect();
    let carets = "^".repeat(width(&text[start..end]).max(1));
    let number = line.to_string();
    let pad = " ".repeat(number.len());
    format!("{pad} |\n{number} | {source}\n{pad} | {lead}{carets}")
}

fn is_wide(c: char) -> bool {
    matches!(c as u32, 0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn carets_sit_under_the_text() {
        let text = "a = 1\nwhen = \"curent_ratio < 1\"\n";
        let start = text.find("curent").unwrap();
        let mut p = Problems::new(text, "x.toml");
        p.at(start, start + "curent_ratio".len(), Some("W01"), "unknown indicator");
        let e = p.into_error();
        assert_eq!(
            e.to_string(),
            "x.toml:2:9: W01: unknown indicator\n  |\n2 | when = \"curent_ratio < 1\"\n  |         ^^^^^^^^^^^^"
        );
    }

    #[test]
    fn wide_characters_take_two_columns() {
        let text = "name_zh = \"流动比率\" x";
        let start = text.find('x').unwrap();
        let mut p = Problems::new(text, "x.toml");
        p.at(start, start + 1, None, "m");
        let e = p.into_error();
        assert_eq!(e.problems()[0].column, 18);
        assert!(
            e.problems()[0].snippet.ends_with(&format!("| {}^", " ".repeat(21))),
            "{}",
            e.problems()[0].snippet
        );
    }
}
