//! What can go wrong loading a model file: every problem found, each at a line and column.

use std::fmt;

/// One problem in a model file. `line` and `column` count from 1; the column counts
/// characters, not bytes, so it matches what an editor shows for Chinese text.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Why a model could not be loaded. This crate checks text only; `Read` is for the caller
/// that reads the file.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("cannot read model file {path}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// The file was read but is not a valid model; `problems` lists all that were found
    /// (a TOML syntax or type error stops the reading, so then there is exactly one).
    #[error("{}", Listing { file, problems })]
    Invalid { file: String, problems: Vec<Problem> },
}

impl ModelError {
    /// The problems of an invalid file; empty for a read error.
    pub fn problems(&self) -> &[Problem] {
        match self {
            ModelError::Read { .. } => &[],
            ModelError::Invalid { problems, .. } => problems,
        }
    }
}

/// Renders problems one per line as `file:line:column: message`.
struct Listing<'a> {
    file: &'a str,
    problems: &'a [Problem],
}

impl fmt::Display for Listing<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{}:{}:{}: {}", self.file, p.line, p.column, p.message)?;
        }
        Ok(())
    }
}

/// Collects problems while a model file is checked.
#[derive(Debug)]
pub(crate) struct Problems<'t> {
    text: &'t str,
    pub(crate) list: Vec<Problem>,
}

impl<'t> Problems<'t> {
    pub(crate) fn new(text: &'t str) -> Self {
        Problems { text, list: Vec::new() }
    }

    /// Records a problem at a byte offset of the file text.
    pub(crate) fn at(&mut self, offset: usize, message: impl Into<String>) {
        let (line, column) = line_column(self.text, offset);
        self.list.push(Problem { line, column, message: message.into() });
    }

    pub(crate) fn text(&self) -> &'t str {
        self.text
    }

    pub(crate) fn into_result<T>(self, file: &str, value: T) -> Result<T, ModelError> {
        if self.list.is_empty() {
            Ok(value)
        } else {
            Err(ModelError::Invalid { file: file.to_string(), problems: self.list })
        }
    }
}

/// 1-based line and character column of a byte offset (clamped to the text).
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_lines_and_characters() {
        let text = "a = 1\n名称 = \"x\"\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 4), (1, 5));
        assert_eq!(line_column(text, 6), (2, 1));
        // "名称 " is 7 bytes but 3 characters.
        assert_eq!(line_column(text, 6 + 7), (2, 4));
        assert_eq!(line_column(text, 999), (3, 1));
    }

    #[test]
    fn listing_shows_every_problem() {
        let err = ModelError::Invalid {
            file: "m.toml".into(),
            problems: vec![
                Problem { line: 1, column: 2, message: "first".into() },
                Problem { line: 3, column: 4, message: "second".into() },
            ],
        };
        assert_eq!(err.to_string(), "m.toml:1:2: first\nm.toml:3:4: second");
    }
}
