//! Why a file a user edits could not be loaded.

use std::fmt;
use std::path::PathBuf;

use crate::problem::{Listing, Problem};

/// Why a file could not be loaded: it could not be read, or it was read and has problems,
/// every one found (one entry each).
#[derive(Debug)]
pub enum FileError {
    /// Shown as `cannot read {what} {path}`; `what` names the kind of file ("the
    /// catalogue"), or is empty when the path says enough (`cannot read {path}`).
    Read { what: &'static str, path: PathBuf, source: std::io::Error },
    /// Shown as a [`Listing`].
    Invalid(Vec<Problem>),
}

impl FileError {
    /// The problems of an invalid file; empty for a read error.
    pub fn problems(&self) -> &[Problem] {
        match self {
            FileError::Invalid(p) => p,
            FileError::Read { .. } => &[],
        }
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileError::Read { what: "", path, .. } => write!(f, "cannot read {}", path.display()),
            FileError::Read { what, path, .. } => write!(f, "cannot read {what} {}", path.display()),
            FileError::Invalid(problems) => Listing(problems).fmt(f),
        }
    }
}

impl std::error::Error for FileError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            FileError::Read { source, .. } => Some(source),
            FileError::Invalid(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_errors_name_the_file_and_keep_the_cause() {
        let source = std::io::Error::new(std::io::ErrorKind::NotFound, "gone");
        let e = FileError::Read { what: "the catalogue", path: "/x/c.toml".into(), source };
        assert_eq!(e.to_string(), "cannot read the catalogue /x/c.toml");
        assert_eq!(std::error::Error::source(&e).map(ToString::to_string).as_deref(), Some("gone"));
        assert!(e.problems().is_empty());
        let source = std::io::Error::new(std::io::ErrorKind::NotFound, "gone");
        let e = FileError::Read { what: "", path: "/x/policy.toml".into(), source };
        assert_eq!(e.to_string(), "cannot read /x/policy.toml");
        let e =
            FileError::Invalid(vec![Problem::new("c.toml", 1, 2, "a"), Problem::new("c.toml", 3, 1, "b")]);
        assert_eq!(e.to_string(), "c.toml:1:2: a\nc.toml:3:1: b");
        assert_eq!(e.problems().len(), 2);
        assert!(std::error::Error::source(&e).is_none());
    }
}
