//! Loading the policy and strategy files: errors that name the file, line, column and key,
//! and the small helpers both loaders share.

pub(crate) use credence_domain::is_version_name;
use credence_source::{Source, from_toml_error};

/// One problem in a file: the file's name, `line` and `column` counting from 1 (the column
/// in characters, as editors show it for Chinese text), and `key`, the dotted key of the
/// value with array positions (`grades[2].limit.cap`) when one could be found. Shown as
/// ``file:line:column: `key`: message``.
pub use credence_source::Problem;

/// Why a policy or strategy file could not be loaded: unreadable (`what` is empty, so it
/// reads `cannot read {path}`; this crate checks text only, the caller reads the file) or
/// every problem found, one per line; a TOML syntax or type error stops the reading, so
/// then there is exactly one.
pub use credence_source::FileError;

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
        FileError::Invalid(self.0.into_vec())
    }
}

/// Parses TOML into `T`; a syntax or type error becomes a [`FileError`] at its position.
pub(crate) fn parse<T: serde::de::DeserializeOwned>(text: &str, file: &str) -> Result<T, FileError> {
    toml::from_str(text).map_err(|e| FileError::Invalid(vec![from_toml_error(Source::new(file, text), &e)]))
}
