//! Errors of loading a catalogue: every problem found, each located by file, line and
//! column ([`Problem`](credence_source::Problem)), so whoever edits the catalogue can fix
//! them all in one pass.

/// Why a catalogue could not be loaded: `Read` (shown as "cannot read the catalogue
/// …"; the engine reads files) or `Invalid` with one line per problem.
pub type CatalogueError = credence_source::FileError;
