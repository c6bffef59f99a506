//! Errors of loading a rule pack: every problem found, each located by file, rule code,
//! line and column, with the offending line and a caret under the text concerned, so
//! whoever edits the pack can fix them all in one pass.

pub use credence_source::Problem;

/// Why a rule pack could not be loaded: `Read` (shown as "cannot read the rule pack
/// …"; the engine reads files) or `Invalid` with one entry per problem, in file
/// order.
pub type PackError = credence_source::FileError;

/// Collects problems located by byte spans of the pack text, each shown with carets
/// under its text.
pub(crate) struct Problems<'t>(credence_source::Problems<'t>);

impl<'t> Problems<'t> {
    pub fn new(text: &'t str, file: &'t str) -> Problems<'t> {
        Problems(credence_source::Problems::new(text, file))
    }

    /// A problem at `start..end` (bytes of the file), of the rule with code `rule`.
    pub fn at(&mut self, start: usize, end: usize, rule: Option<&str>, message: impl Into<String>) {
        self.0.spanning(start, end, message).code = rule.map(str::to_owned);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The problems in file order.
    pub fn into_error(self) -> PackError {
        PackError::Invalid(self.0.into_sorted())
    }
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
        let snippet = e.problems()[0].snippet.as_deref().unwrap_or_default();
        assert_eq!(e.problems()[0].column, 18);
        assert!(snippet.ends_with(&format!("| {}^", " ".repeat(21))), "{snippet}");
    }
}
