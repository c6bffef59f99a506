//! Reading the files users edit: configurations, the scorecard model, the indicator
//! catalogue and rule packs. The analytic crates check text only; this is where a path
//! becomes text, and where an unreadable file becomes the shared `FileError` ("cannot
//! read {what} {path}"), so messages name the path exactly as they always have. Problems
//! in a catalogue or rule pack name the file by its file name, the others by the path.

use std::path::Path;

use credence_control::{BillingPolicy, CollectionStrategy, CreditPolicy, FileError};
use credence_groups::GroupConfig;
use credence_indicators::{Catalogue, CatalogueError};
use credence_notify::NotifyConfig;
use credence_rating::{ModelError, ScorecardModel};
use credence_warning::{PackError, RulePack};

/// A file's text, or the shared `FileError` naming it as `cannot read {what} {path}`.
fn read_file(path: &Path, what: &'static str) -> Result<String, FileError> {
    std::fs::read_to_string(path).map_err(|source| FileError::Read { what, path: path.to_owned(), source })
}

/// Reads and checks a credit policy file; messages name it by its path.
pub fn read_policy(path: &Path) -> Result<CreditPolicy, FileError> {
    let text = read_file(path, "")?;
    CreditPolicy::from_toml(&text, &path.display().to_string())
}

/// Reads and checks a billing policy file; messages name it by its path.
pub fn read_billing_policy(path: &Path) -> Result<BillingPolicy, FileError> {
    let text = read_file(path, "")?;
    BillingPolicy::from_toml(&text, &path.display().to_string())
}

/// Reads and checks a collection strategy file; messages name it by its path.
pub fn read_strategy(path: &Path) -> Result<CollectionStrategy, FileError> {
    let text = read_file(path, "")?;
    CollectionStrategy::from_toml(&text, &path.display().to_string())
}

/// Reads and checks a group configuration file; messages name it by its path.
pub fn read_group_config(path: &Path) -> Result<GroupConfig, credence_groups::ConfigError> {
    let text = read_file(path, "group configuration")?;
    GroupConfig::from_toml(&text, &path.display().to_string())
}

/// Reads and checks a notification configuration file; `env` gives the value of an
/// environment variable (secrets are named in the file, never written there).
pub fn read_notify_config(
    path: &Path,
    env: impl Fn(&str) -> Option<String>,
) -> Result<NotifyConfig, credence_notify::ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|source| credence_notify::ConfigError::Read { path: path.to_owned(), source })?;
    NotifyConfig::from_toml(&text, &path.display().to_string(), env)
}

/// Reads and checks an expert scorecard model file against the catalogue's indicator ids.
pub fn read_scorecard_model(path: &Path, known_indicators: &[&str]) -> Result<ScorecardModel, ModelError> {
    let text = read_file(path, "model file")?;
    ScorecardModel::from_toml(&text, &path.display().to_string(), known_indicators)
}

/// The name problems in a catalogue or rule pack are shown by: the file name, or the
/// whole path when it has none.
fn display_name(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}

/// Reads and checks an indicator catalogue file.
pub fn read_catalogue(path: &Path) -> Result<Catalogue, CatalogueError> {
    let text = read_file(path, "the catalogue")?;
    Catalogue::from_toml(&text, &display_name(path))
}

/// Reads and checks a rule pack file against a catalogue.
pub fn read_rule_pack(path: &Path, catalogue: &Catalogue) -> Result<RulePack, PackError> {
    read_rule_pack_source(path, catalogue).map(|(_, pack)| pack)
}

/// A rule pack file's text and the pack it holds (tuning rewrites the text).
pub fn read_rule_pack_source(path: &Path, catalogue: &Catalogue) -> Result<(String, RulePack), PackError> {
    let text = read_file(path, "the rule pack")?;
    let pack = RulePack::from_toml(&text, &display_name(path), catalogue)?;
    Ok((text, pack))
}
