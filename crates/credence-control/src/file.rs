//! Loading the policy and strategy files: errors that name the file, line, column and key,
//! and the small helpers both loaders share.

use credence_source::{Listing, Source, from_toml_error};

/// One problem in a file: the file's name, `line` and `column` counting from 1 (the column
/// in characters, as editors show it for Chinese text), and `key`, the dotted key of the
/// value with array positions (`grades[2].limit.cap`) when one could be found. Shown as
/// ``file:line:column: `key`: message``.
pub use credence_source::Problem;

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
    /// Every problem found, one per line; a TOML syntax or type error stops the reading,
    /// so then there is exactly one.
    #[error("{}", Listing(problems))]
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

/// Collects problems while a file is checked, each with the dotted key of its value.
#[derive(Debug)]
pub(crate) struct Problems<'t>(credence_source::Problems<'t>);

impl<'t> Problems<'t> {
    /// For the text of the file shown as `file`.
    pub(crate) fn new(text: &'t str, file: &'t str) -> Self {
        Problems(credence_source::Problems::new(text, file))
    }

    /// Records a problem with the value at byte offset `offset` of key `key`.
    pub(crate) fn at(&mut self, offset: usize, key: impl Into<String>, message: impl Into<String>) {
        self.0.at(offset, message).key = Some(key.into());
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The problems in the order they were found.
    pub(crate) fn into_error(self) -> FileError {
        FileError::Invalid { file: self.0.file().to_owned(), problems: self.0.into_vec() }
    }
}

/// Parses TOML into `T`; a syntax or type error becomes a [`FileError`] at its position.
pub(crate) fn parse<T: serde::de::DeserializeOwned>(text: &str, file: &str) -> Result<T, FileError> {
    toml::from_str(text).map_err(|e| FileError::Invalid {
        file: file.to_owned(),
        problems: vec![from_toml_error(Source::new(file, text), &e)],
    })
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
    use credence_source::{key_at, line_column};

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
