//! Input data: named feature columns, numeric or categorical, with missing values marked in
//! the column itself.

use serde::{Deserialize, Serialize};

use crate::error::DatasetError;

/// The code that marks a missing categorical value.
pub const MISSING_CATEGORY: u32 = u32::MAX;

/// Most categories a categorical feature may declare (binning keeps a table by code).
pub const MAX_CATEGORIES: u32 = 1 << 20;

/// One feature column.
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    /// Numeric values; `NaN` is missing. Infinite values are allowed and order as usual.
    Numeric(Vec<f64>),
    /// Category codes `0..n_categories`; [`MISSING_CATEGORY`] is missing.
    Categorical { codes: Vec<u32>, n_categories: u32 },
}

impl Column {
    pub fn len(&self) -> usize {
        match self {
            Column::Numeric(values) => values.len(),
            Column::Categorical { codes, .. } => codes.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn kind(&self) -> FeatureKind {
        match self {
            Column::Numeric(_) => FeatureKind::Numeric,
            Column::Categorical { n_categories, .. } => {
                FeatureKind::Categorical { n_categories: *n_categories }
            }
        }
    }

    /// The value at `row` in the uniform row encoding used for scoring: numeric values as
    /// they are, category codes as numbers, missing as `NaN`.
    pub fn value_f64(&self, row: usize) -> f64 {
        match self {
            Column::Numeric(values) => values[row],
            Column::Categorical { codes, .. } => match codes[row] {
                MISSING_CATEGORY => f64::NAN,
                code => f64::from(code),
            },
        }
    }
}

/// What kind of values a feature holds; part of a saved model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum FeatureKind {
    Numeric,
    Categorical { n_categories: u32 },
}

/// A named column.
#[derive(Debug, Clone, PartialEq)]
pub struct Feature {
    pub name: String,
    pub column: Column,
}

impl Feature {
    pub fn numeric(name: impl Into<String>, values: Vec<f64>) -> Self {
        Feature { name: name.into(), column: Column::Numeric(values) }
    }

    pub fn categorical(name: impl Into<String>, codes: Vec<u32>, n_categories: u32) -> Self {
        Feature { name: name.into(), column: Column::Categorical { codes, n_categories } }
    }
}

/// Feature columns of equal length with distinct names. The target is passed separately to
/// training, so the same type serves for scoring.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    features: Vec<Feature>,
    n_rows: usize,
}

impl Dataset {
    /// Checks that the columns have equal lengths, names are distinct and category codes are
    /// below their column's `n_categories` (or missing).
    pub fn new(features: Vec<Feature>) -> Result<Self, DatasetError> {
        if features.is_empty() {
            return Err(DatasetError::NoFeatures);
        }
        let n_rows = features[0].column.len();
        for (index, feature) in features.iter().enumerate() {
            if feature.column.len() != n_rows {
                return Err(DatasetError::LengthMismatch {
                    feature: feature.name.clone(),
                    len: feature.column.len(),
                    expected: n_rows,
                });
            }
            if features[..index].iter().any(|other| other.name == feature.name) {
                return Err(DatasetError::DuplicateName { feature: feature.name.clone() });
            }
            if let Column::Categorical { codes, n_categories } = &feature.column {
                if *n_categories == 0 || *n_categories > MAX_CATEGORIES {
                    return Err(DatasetError::BadCategoryCount {
                        feature: feature.name.clone(),
                        n_categories: *n_categories,
                    });
                }
                if let Some(row) = codes.iter().position(|&c| c != MISSING_CATEGORY && c >= *n_categories) {
                    return Err(DatasetError::CategoryOutOfRange {
                        feature: feature.name.clone(),
                        row,
                        code: codes[row],
                        n_categories: *n_categories,
                    });
                }
            }
        }
        Ok(Dataset { features, n_rows })
    }

    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    pub fn n_features(&self) -> usize {
        self.features.len()
    }

    pub fn features(&self) -> &[Feature] {
        &self.features
    }

    pub fn feature(&self, index: usize) -> &Feature {
        &self.features[index]
    }

    pub fn position(&self, name: &str) -> Option<usize> {
        self.features.iter().position(|f| f.name == name)
    }

    /// The rows at `rows`, in that order (for cross-validation folds and hold-out sets).
    pub fn select_rows(&self, rows: &[usize]) -> Dataset {
        let features = self
            .features
            .iter()
            .map(|f| Feature {
                name: f.name.clone(),
                column: match &f.column {
                    Column::Numeric(values) => Column::Numeric(rows.iter().map(|&r| values[r]).collect()),
                    Column::Categorical { codes, n_categories } => Column::Categorical {
                        codes: rows.iter().map(|&r| codes[r]).collect(),
                        n_categories: *n_categories,
                    },
                },
            })
            .collect();
        Dataset { features, n_rows: rows.len() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_ragged_columns_duplicate_names_and_bad_codes() {
        let ragged = Dataset::new(vec![Feature::numeric("a", vec![1.0]), Feature::numeric("b", vec![])]);
        assert!(matches!(ragged, Err(DatasetError::LengthMismatch { len: 0, expected: 1, .. })));
        let twice = Dataset::new(vec![Feature::numeric("a", vec![1.0]), Feature::numeric("a", vec![2.0])]);
        assert!(matches!(twice, Err(DatasetError::DuplicateName { .. })));
        let code = Dataset::new(vec![Feature::categorical("c", vec![0, MISSING_CATEGORY, 3], 3)]);
        assert!(matches!(code, Err(DatasetError::CategoryOutOfRange { row: 2, code: 3, .. })));
    }

    #[test]
    fn row_encoding_maps_missing_category_to_nan() {
        let column = Column::Categorical { codes: vec![2, MISSING_CATEGORY], n_categories: 3 };
        assert_eq!(column.value_f64(0), 2.0);
        assert!(column.value_f64(1).is_nan());
    }
}
