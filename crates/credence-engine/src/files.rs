//! Templates and exports: the same headers import reads, so an export imports back
//! unchanged.

use crate::EngineError;
use credence_records::write::guide_rows;
use credence_records::{Format, HeaderLanguage, Kind, Record, TableWriter};
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
    export_selected(store, kind, path, format, lang, &mut |_, _| true)
}

/// Writes the stored records of a kind that `select` keeps, with the cells it leaves (it
/// may mask them); returns how many. A caller's data scope and masking of personal data
/// are applied this way.
pub fn export_selected(
    store: &mut Store,
    kind: Kind,
    path: &Path,
    format: Format,
    lang: HeaderLanguage,
    select: &mut dyn FnMut(&Record, &mut Vec<String>) -> bool,
) -> Result<u64, EngineError> {
    let mut w = TableWriter::create(path, format, kind.schema(), lang)?;
    let mut n = 0;
    let mut failure = None;
    store.for_each_record(kind, |record| {
        let mut cells = record.to_cells();
        if failure.is_none() && select(&record, &mut cells) {
            match w.write_row(&cells) {
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
