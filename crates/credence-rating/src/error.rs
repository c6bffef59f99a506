//! What can go wrong loading a model file: every problem found, each at a line and column.

/// One problem in a model file: the file's name, `line` and `column` counting from 1 (the
/// column counts characters, not bytes, so it matches what an editor shows for Chinese
/// text) and the message. Shown as `file:line:column: message`.
pub use credence_source::Problem;

/// Why a model could not be loaded: unreadable (`what` is "model file"; this crate checks
/// text only, the caller reads the file) or every problem found, one per line (a TOML
/// syntax or type error stops the reading, so then there is exactly one).
pub use credence_source::FileError as ModelError;

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
        ModelError::Invalid(self.0.into_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listing_shows_every_problem() {
        let err = ModelError::Invalid(vec![
            Problem::new("m.toml", 1, 2, "first"),
            Problem::new("m.toml", 3, 4, "second"),
        ]);
        assert_eq!(err.to_string(), "m.toml:1:2: first\nm.toml:3:4: second");
    }
}
