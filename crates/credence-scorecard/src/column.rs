//! The input vocabulary: feature columns on plain slices, the 0/1 target, and the errors
//! that bad input gives.
//!
//! The caller reads files and types columns; this crate only sees slices. A numeric column
//! is `&[f64]` with NaN for a missing value. A categorical column is `&[u32]` codes into
//! the caller's label table, with [`MISSING_CODE`] for a missing value; fitted models keep
//! the labels, never the codes, so new data may number its categories differently. The
//! target is `&[u8]`: 1 is the event (bad, default), 0 the non-event.

/// The code of a missing categorical value.
pub const MISSING_CODE: u32 = u32::MAX;

/// One column of input data.
#[derive(Debug, Clone, Copy)]
pub enum Column<'a> {
    /// Numeric values; NaN is missing.
    Numeric(&'a [f64]),
    /// Codes into `labels`; [`MISSING_CODE`] is missing.
    Categorical { codes: &'a [u32], labels: &'a [String] },
}

impl Column<'_> {
    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            Column::Numeric(v) => v.len(),
            Column::Categorical { codes, .. } => codes.len(),
        }
    }

    /// Whether the column has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Checks the codes of a categorical column against its label table.
    pub(crate) fn check_codes(&self, feature: &str) -> Result<(), DataError> {
        if let Column::Categorical { codes, labels } = self
            && let Some(row) = codes.iter().position(|&c| c != MISSING_CODE && c as usize >= labels.len())
        {
            return Err(DataError::CodeOutOfRange {
                feature: feature.to_owned(),
                row,
                code: codes[row],
                labels: labels.len(),
            });
        }
        Ok(())
    }
}

/// A named column, with the values of a numeric column that get a bin of their own.
#[derive(Debug, Clone)]
pub struct Feature<'a> {
    pub name: String,
    pub column: Column<'a>,
    /// Values such as −999 ("not applicable") that are binned apart from the other values
    /// of a numeric feature; ignored for a categorical one.
    pub special_values: Vec<f64>,
}

impl<'a> Feature<'a> {
    /// A numeric feature without special values.
    pub fn numeric(name: impl Into<String>, values: &'a [f64]) -> Self {
        Feature { name: name.into(), column: Column::Numeric(values), special_values: Vec::new() }
    }

    /// A categorical feature.
    pub fn categorical(name: impl Into<String>, codes: &'a [u32], labels: &'a [String]) -> Self {
        Feature {
            name: name.into(),
            column: Column::Categorical { codes, labels },
            special_values: Vec::new(),
        }
    }

    /// The same feature with special values.
    pub fn with_special_values(mut self, values: impl Into<Vec<f64>>) -> Self {
        self.special_values = values.into();
        self
    }
}

/// What is wrong with input data.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DataError {
    #[error("{what} has {found} rows, the target {expected}")]
    LengthMismatch { what: String, found: usize, expected: usize },
    #[error("the target is {value} at row {row}; it must be 0 or 1")]
    TargetNotBinary { row: usize, value: u8 },
    #[error("the target has no events (1)")]
    NoEvents,
    #[error("the target has no non-events (0)")]
    NoNonEvents,
    #[error("there are no rows")]
    Empty,
    #[error("{what} is not finite at row {row}")]
    NotFinite { what: String, row: usize },
    #[error("{what} is out of range at row {row}")]
    OutOfRange { what: String, row: usize },
    #[error("row {row} asked for, but there are {rows} rows")]
    RowOutOfRange { row: usize, rows: usize },
    #[error("{k} folds asked for {rows} rows; there must be from 2 to as many folds as rows")]
    Folds { k: usize, rows: usize },
    #[error("feature {feature} has code {code} at row {row}, but only {labels} labels")]
    CodeOutOfRange { feature: String, row: usize, code: u32, labels: usize },
    #[error("feature {feature} is {found}, the model expects it {expected}")]
    KindMismatch { feature: String, found: &'static str, expected: &'static str },
    #[error("feature {0} is not in the data")]
    MissingFeature(String),
}

/// Event and non-event counts of a checked target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ClassCounts {
    pub events: usize,
    pub non_events: usize,
}

/// Checks that the target is 0/1 and returns its counts (both classes may be absent).
pub(crate) fn count_classes(target: &[u8]) -> Result<ClassCounts, DataError> {
    let mut events = 0usize;
    for (row, &y) in target.iter().enumerate() {
        match y {
            0 => {}
            1 => events += 1,
            value => return Err(DataError::TargetNotBinary { row, value }),
        }
    }
    Ok(ClassCounts { events, non_events: target.len() - events })
}

/// Checks that the target is 0/1 with both classes present.
pub(crate) fn check_target(target: &[u8]) -> Result<ClassCounts, DataError> {
    if target.is_empty() {
        return Err(DataError::Empty);
    }
    let counts = count_classes(target)?;
    if counts.events == 0 {
        return Err(DataError::NoEvents);
    }
    if counts.non_events == 0 {
        return Err(DataError::NoNonEvents);
    }
    Ok(counts)
}

/// Checks that a column has as many rows as the target.
pub(crate) fn check_length(what: &str, found: usize, expected: usize) -> Result<(), DataError> {
    if found == expected {
        Ok(())
    } else {
        Err(DataError::LengthMismatch { what: what.to_owned(), found, expected })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_checked() {
        assert_eq!(check_target(&[0, 1, 1]), Ok(ClassCounts { events: 2, non_events: 1 }));
        assert_eq!(check_target(&[0, 2]), Err(DataError::TargetNotBinary { row: 1, value: 2 }));
        assert_eq!(check_target(&[0, 0]), Err(DataError::NoEvents));
        assert_eq!(check_target(&[1]), Err(DataError::NoNonEvents));
        assert_eq!(check_target(&[]), Err(DataError::Empty));
    }

    #[test]
    fn codes_are_checked_against_labels() {
        let labels = vec!["a".to_owned(), "b".to_owned()];
        let ok = Column::Categorical { codes: &[0, 1, MISSING_CODE], labels: &labels };
        assert_eq!(ok.check_codes("f"), Ok(()));
        let bad = Column::Categorical { codes: &[0, 2], labels: &labels };
        assert_eq!(
            bad.check_codes("f"),
            Err(DataError::CodeOutOfRange { feature: "f".into(), row: 1, code: 2, labels: 2 })
        );
    }
}
