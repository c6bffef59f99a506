//! Scoring rows with a registered model, for callers that hold the rows themselves (the
//! API) rather than a file.

use std::collections::BTreeMap;

use credence_model::{ModelFile, RowScore, SchemaReader};
use credence_store::Store;

/// Why rows could not be scored.
#[derive(Debug, thiserror::Error)]
pub enum ScoringError {
    #[error("no model '{0}' is registered")]
    UnknownModel(String),
    /// A row names a feature the model does not read (`row` counts from 0).
    #[error("model {version} has no feature '{feature}'")]
    UnknownFeature { version: String, row: usize, feature: String },
    #[error("the stored model {version} cannot be read")]
    Artefact {
        version: String,
        #[source]
        source: credence_model::artefact::ArtefactError,
    },
    #[error("{0}")]
    Schema(#[source] credence_model::artefact::MissingColumn),
    #[error("scoring")]
    Score(#[source] credence_model::score::ScoreError),
    #[error(transparent)]
    Store(#[from] credence_store::StoreError),
}

/// Scores rows (feature → value as text; empty is missing) with the registered model
/// `version`: PD, score, grade and up to `explain` reasons per row, in row order.
pub fn score_rows(
    store: &mut Store,
    version: &str,
    rows: &[BTreeMap<String, String>],
    explain: usize,
) -> Result<Vec<RowScore>, ScoringError> {
    let stored = store.model(version)?.ok_or_else(|| ScoringError::UnknownModel(version.to_owned()))?;
    let model = ModelFile::from_json(&stored.artefact)
        .map_err(|source| ScoringError::Artefact { version: version.to_owned(), source })?;
    let names: Vec<String> = model.features.iter().map(|f| f.name().to_owned()).collect();
    for (row, cells) in rows.iter().enumerate() {
        if let Some(unknown) = cells.keys().find(|k| !names.contains(k)) {
            return Err(ScoringError::UnknownFeature {
                version: version.to_owned(),
                row,
                feature: unknown.clone(),
            });
        }
    }
    let mut reader = SchemaReader::new(&model.features, &names).map_err(ScoringError::Schema)?;
    for row in rows {
        let cells: Vec<&str> = names.iter().map(|n| row.get(n).map_or("", String::as_str)).collect();
        reader.push(&cells);
    }
    credence_model::score_table(&model, &reader.take(), explain).map_err(ScoringError::Score)
}
