//! Reading the indicator catalogue and rule pack files a user edits. The indicator and
//! warning crates check text and never touch the file system; the engine reads the file
//! and names it in every problem by its file name.

use std::path::Path;

use credence_indicators::{Catalogue, CatalogueError};
use credence_warning::{PackError, RulePack};

/// The name problems in a file are shown by: the file name, or the whole path when it
/// has none.
fn display_name(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}

/// Reads and checks an indicator catalogue file.
pub fn read_catalogue(path: &Path) -> Result<Catalogue, CatalogueError> {
    let text = std::fs::read_to_string(path).map_err(|source| CatalogueError::Read {
        what: "the catalogue",
        path: path.to_owned(),
        source,
    })?;
    Catalogue::from_toml(&text, &display_name(path))
}

/// Reads and checks a rule pack file against a catalogue.
pub fn read_rule_pack(path: &Path, catalogue: &Catalogue) -> Result<RulePack, PackError> {
    let text = std::fs::read_to_string(path).map_err(|source| PackError::Read {
        what: "the rule pack",
        path: path.to_owned(),
        source,
    })?;
    RulePack::from_toml(&text, &display_name(path), catalogue)
}
