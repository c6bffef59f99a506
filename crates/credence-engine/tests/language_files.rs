//! The engine reads the catalogue and rule pack files a user edits; the indicator and
//! warning crates only check their text.

use std::path::{Path, PathBuf};

use credence_engine::{read_catalogue, read_rule_pack};
use credence_indicators::{Catalogue, CatalogueError};
use credence_warning::{PackError, RulePack};

fn shipped(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(relative)
}

#[test]
fn an_unreadable_catalogue_is_named() {
    let e = read_catalogue(Path::new("/nonexistent/indicators.toml")).unwrap_err();
    assert!(matches!(e, CatalogueError::Read { .. }));
    assert_eq!(e.to_string(), "cannot read the catalogue /nonexistent/indicators.toml");
}

#[test]
fn the_shipped_files_load_from_their_paths() {
    // As a user's edited copy would.
    let c = Catalogue::builtin();
    let path = shipped("credence-indicators/catalogue/indicators.toml");
    assert_eq!(read_catalogue(&path).unwrap().indicators(), c.indicators());
    let path = shipped("credence-warning/packs/warning.toml");
    let pack = read_rule_pack(&path, &c).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(pack.version(), RulePack::builtin(&c).version());
    let missing = read_rule_pack(&path.with_file_name("missing.toml"), &c);
    assert!(matches!(missing, Err(PackError::Read { .. })));
}

#[test]
fn problems_name_the_file_not_its_directory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mine.toml");
    std::fs::write(&path, "version = \"x\"\n[[indicator]]\nid = 1\n").unwrap();
    let e = read_catalogue(&path).unwrap_err();
    assert!(e.to_string().starts_with("mine.toml:3:6: "), "{e}");
}
