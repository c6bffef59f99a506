//! Configuration files read from disk: a file that cannot be read names its path, in each
//! configuration's own wording; one that can is checked like the same text.

use std::path::Path;

use credence_control::{BUILTIN_POLICY, BUILTIN_STRATEGY, CollectionStrategy, CreditPolicy, FileError};
use credence_engine::{
    read_group_config, read_notify_config, read_policy, read_scorecard_model, read_strategy,
};

fn env(name: &str) -> Option<String> {
    (name == "HOOK_SECRET").then(|| "s3cret".to_owned())
}

#[test]
fn policy_and_strategy_files_load_from_their_paths() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("credit_policy.toml");
    std::fs::write(&path, BUILTIN_POLICY).unwrap();
    assert_eq!(read_policy(&path).unwrap(), CreditPolicy::builtin());
    let path = dir.path().join("collection_strategy.toml");
    std::fs::write(&path, BUILTIN_STRATEGY).unwrap();
    assert_eq!(read_strategy(&path).unwrap(), CollectionStrategy::builtin());
}

#[test]
fn unreadable_files_name_the_path() {
    let e = read_policy(Path::new("/nonexistent/credit_policy.toml")).unwrap_err();
    assert!(matches!(e, FileError::Read { .. }));
    assert_eq!(e.to_string(), "cannot read /nonexistent/credit_policy.toml");
    assert!(e.problems().is_empty());
}

#[test]
fn an_unreadable_group_configuration_names_its_path() {
    let err = read_group_config(Path::new("/nonexistent/groups.toml")).unwrap_err();
    assert_eq!(err.to_string(), "cannot read group configuration /nonexistent/groups.toml");
}

#[test]
fn an_unreadable_model_file_is_a_read_error() {
    let err = read_scorecard_model(Path::new("/nonexistent/model.toml"), &[]).unwrap_err();
    assert_eq!(err.to_string(), "cannot read model file /nonexistent/model.toml");
    assert!(err.problems().is_empty());
}

#[test]
fn an_unreadable_notification_configuration_names_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing.toml");
    let error = read_notify_config(&path, env).unwrap_err();
    assert!(matches!(&error, credence_notify::ConfigError::Read { path: p, .. } if *p == path), "{error:?}");
    assert!(error.problems().is_empty());

    let path = dir.path().join("notify.toml");
    std::fs::write(&path, "[retry]\nmax_attempts = \"many\"\n").unwrap();
    let error = read_notify_config(&path, env).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!("{}:2:16: retry.max_attempts: invalid type: string \"many\", expected i64", path.display())
    );
}
