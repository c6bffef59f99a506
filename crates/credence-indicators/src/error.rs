//! Errors of loading a catalogue: every problem found, each located by file, line and
//! column ([`Problem`]), so whoever edits the catalogue can fix them all in one pass.

use std::path::PathBuf;

use credence_source::{Listing, Problem};

/// Why a catalogue could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    #[error("cannot read the catalogue {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file was read but is not a valid catalogue; one line per problem.
    #[error("{}", Listing(.0))]
    Invalid(Vec<Problem>),
}

impl CatalogueError {
    /// The problems of an invalid catalogue (empty for a read error).
    pub fn problems(&self) -> &[Problem] {
        match self {
            CatalogueError::Invalid(p) => p,
            CatalogueError::Read { .. } => &[],
        }
    }
}
