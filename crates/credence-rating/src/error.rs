//! What can go wrong loading a model file: every problem found, each at a line and column.

use credence_source::Listing;

/// One problem in a model file: the file's name, `line` and `column` counting from 1 (the
/// column counts characters, not bytes, so it matches what an editor shows for Chinese
/// text) and the message. Shown as `file:line:column: message`.
pub use credence_source::Problem;

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
    /// (a TOML syntax or type error stops the reading, so then there is exactly one), one
    /// per line.
    #[error("{}", Listing(problems))]
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

/// Collects problems while a model file is checked.
#[derive(Debug)]
pub(crate) struct Problems<'t>(credence_source::Problems<'t>);

impl<'t> Problems<'t> {
    /// For the text of the file shown as `file`.
    pub(crate) fn new(text: &'t str, file: &'t str) -> Self {
        Problems(credence_source::Problems::new(text, file))
    }

    /// Records a problem at a byte offset of the file text.
    pub(crate) fn at(&mut self, offset: usize, message: impl Into<String>) {
        self.0.at(offset, message);
    }

    pub(crate) fn text(&self) -> &'t str {
        self.0.text()
    }

    /// How many problems have been found so far.
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every problem found, in the order found.
    pub(crate) fn into_error(self) -> ModelError {
        ModelError::Invalid { file: self.0.file().to_owned(), problems: self.0.into_vec() }
    }
}

#[cfg(test)]
mod tests {
    use credence_source::line_column;

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
            problems: vec![Problem::new("m.toml", 1, 2, "first"), Problem::new("m.toml", 3, 4, "second")],
        };
        assert_eq!(err.to_string(), "m.toml:1:2: first\nm.toml:3:4: second");
    }
}
