//! Templates and exports: the same headers import reads, so an export imports back
//! unchanged.

use crate::EngineError;
use credence_records::write::guide_rows;
use credence_records::{Format, HeaderLanguage, Kind, TableWriter};
use credence_store::Store;
use std::path::Path;

/// Writes an empty import template for a kind; xlsx templates carry a guide sheet.
/// Returns the guide rows so callers can show them (CSV has nowhere to put them).
pub fn write_template(
    kind: Kind,
    path: &Path,
    format: Format,
    lang: HeaderLanguage,
) -> Result<Vec<[String; 6]>, EngineError> {
    let schema = kind.schema();
    let w = TableWriter::create(path, format, schema, lang)?;
    w.finish(Some(schema))?;
    Ok(guide_rows(schema))
}

/// Writes every stored record of a kind; returns how many.
pub fn export(
    store: &mut Store,
    kind: Kind,
    path: &Path,
    format: Format,
    lang: HeaderLanguage,
) -> Result<u64, EngineError> {
    let mut w = TableWriter::create(path, format, kind.schema(), lang)?;
    let mut n = 0;
    let mut failure = None;
    store.for_each_record(kind, |record| {
        if failure.is_none() {
            match w.write_row(&record.to_cells()) {
                Ok(()) => n += 1,
                Err(e) => failure = Some(e),
            }
        }
        Ok(())
    })?;
    if let Some(e) = failure {
        return Err(e.into());
    }
    w.finish(None)?;
    Ok(n)
}
