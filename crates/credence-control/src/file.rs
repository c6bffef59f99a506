//! Loading the policy and strategy files: errors that name the file, line, column and key,
//! and the small helpers both loaders share.

use std::fmt;

/// One problem in a file. `line` and `column` count from 1, the column in characters (as
/// editors show it for Chinese text); `key` is the dotted key of the value with array
/// positions (`grades[2].limit.cap`) when one could be found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    pub line: usize,
    pub column: usize,
    pub key: Option<String>,
    pub message: String,
}

/// Why a policy or strategy file could not be loaded. This crate checks text only; `Read`
/// is for the caller that reads the file, so every loading error has one type and wording.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("cannot read {path}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// Every problem found; a TOML syntax or type error stops the reading, so then there
    /// is exactly one.
    #[error("{}", Listing { file, problems })]
    Invalid { file: String, problems: Vec<Problem> },
}

impl FileError {
    /// The problems of an invalid file; empty for a read error.
    pub fn problems(&self) -> &[Problem] {
        match self {
            FileError::Read { .. } => &[],
            FileError::Invalid { problems, .. } => problems,
        }
    }
}

/// Renders problems one per line as ``file:line:column: `key`: message``.
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
            write!(f, "{}:{}:{}: ", self.file, p.line, p.column)?;
            if let Some(k) = &p.key {
                write!(f, "`{k}`: ")?;
            }
            f.write_str(&p.message)?;
        }
        Ok(())
    }
}

/// Collects problems while a file is checked.
#[derive(Debug)]
pub(crate) struct Problems<'t> {
    text: &'t str,
    pub(crate) list: Vec<Problem>,
}

impl<'t> Problems<'t> {
    pub(crate) fn new(text: &'t str) -> Self {
        Problems { text, list: Vec::new() }
    }

    /// Records a problem with the value at byte offset `offset` of key `key`.
    pub(crate) fn at(&mut self, offset: usize, key: impl Into<String>, message: impl Into<String>) {
        let (line, column) = line_column(self.text, offset);
        self.list.push(Problem { line, column, key: Some(key.into()), message: message.into() });
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub(crate) fn into_error(self, file: &str) -> FileError {
        FileError::Invalid { file: file.to_owned(), problems: self.list }
    }
}

/// Parses TOML into `T`; a syntax or type error becomes a [`FileError`] at its position.
pub(crate) fn parse<T: serde::de::DeserializeOwned>(text: &str, file: &str) -> Result<T, FileError> {
    toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        let (line, column) = line_column(text, offset);
        FileError::Invalid {
            file: file.to_owned(),
            problems: vec![Problem {
                line,
                column,
                key: key_at(text, offset),
                message: e.message().trim().to_owned(),
            }],
        }
    })
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
    (line, before[line_start..].chars().count() + 1)
}

/// The dotted key written at a byte offset: the table headers above it (`[[grades]]`
/// counted, so the third is `grades[2]`) and the key of its line.
pub(crate) fn key_at(text: &str, offset: usize) -> Option<String> {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let mut table = String::new();
    let mut counts: Vec<(String, usize)> = Vec::new();
    for line in text[..line_start].lines() {
        let t = line.trim();
        if let Some(name) = t.strip_prefix("[[").and_then(|r| r.split("]]").next()) {
            let name = name.trim().to_owned();
            let n = match counts.iter_mut().find(|(k, _)| *k == name) {
                Some((_, n)) => {
                    *n += 1;
                    *n
                }
                None => {
                    counts.push((name.clone(), 0));
                    0
                }
            };
            table = format!("{name}[{n}]");
        } else if let Some(name) = t.strip_prefix('[').and_then(|r| r.split(']').next()) {
            table = name.trim().to_owned();
        }
    }
    let line = text[line_start..].lines().next().unwrap_or("");
    let t = line.trim_start();
    if t.starts_with('[') {
        let name = t.trim_start_matches('[').split(']').next().unwrap_or("").trim();
        return (!name.is_empty()).then(|| name.to_owned());
    }
    let key = (!t.starts_with('#')).then(|| t.split_once('=').map(|(k, _)| k.trim())).flatten();
    match (table.is_empty(), key.filter(|k| !k.is_empty())) {
        (_, None) => (!table.is_empty()).then_some(table),
        (true, Some(k)) => Some(k.to_owned()),
        (false, Some(k)) => Some(format!("{table}.{k}")),
    }
}

/// `2026-Q4-V1.0`: year, quarter, major.minor.
pub(crate) fn is_version_name(v: &str) -> bool {
    let parts: Vec<&str> = v.split('-').collect();
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    parts.len() == 3
        && parts[0].len() == 4
        && digits(parts[0])
        && matches!(parts[1], "Q1" | "Q2" | "Q3" | "Q4")
        && parts[2]
            .strip_prefix('V')
            .and_then(|r| r.split_once('.'))
            .is_some_and(|(a, b)| digits(a) && digits(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_count_arrays_of_tables() {
        let text = "version = 1\n[[grades]]\ngrade = \"AAA\"\n[[grades]]\nterm_days = -1\n[check]\nx = 2\n";
        let at = |needle: &str| key_at(text, text.find(needle).unwrap());
        assert_eq!(at("1\n").as_deref(), Some("version"));
        assert_eq!(at("\"AAA\"").as_deref(), Some("grades[0].grade"));
        assert_eq!(at("-1").as_deref(), Some("grades[1].term_days"));
        assert_eq!(at("2\n").as_deref(), Some("check.x"));
        assert_eq!(at("[check]").as_deref(), Some("check"));
    }

    #[test]
    fn positions_count_characters() {
        assert_eq!(line_column("a = 1\n名称 = 2\n", 6 + 7), (2, 4));
    }

    #[test]
    fn version_names() {
        assert!(is_version_name("2026-Q4-V1.0"));
        assert!(!is_version_name("v1"));
        assert!(!is_version_name("2026-Q5-V1.0"));
    }
}
