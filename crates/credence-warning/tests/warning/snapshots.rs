//! Diagnostics as reviewed diffs: a change in how a rule pack's problems read, on the
//! terminal or as JSON, changes a committed snapshot.

use credence_warning::RulePack;

use crate::fixture::{catalogue, pack_text, rule};

/// The error of a pack whose one rule `T01` has this condition.
fn error(when: &str) -> credence_warning::PackError {
    let text = pack_text(&rule("T01", "yellow", when));
    match RulePack::from_toml(&text, "test.toml", &catalogue()) {
        Ok(_) => panic!("{when:?} loaded"),
        Err(e) => e,
    }
}

#[test]
fn unknown_indicator_with_a_suggestion() {
    let e = error("curent_ratio < 1.5 for 2 quarters");
    insta::assert_snapshot!(e.to_string());
    insta::assert_snapshot!("unknown_indicator_json", serde_json::to_string_pretty(e.problems()).unwrap());
}

#[test]
fn type_error_with_carets() {
    insta::assert_snapshot!(error("(current_ratio < 1.5) > 1").to_string());
}

#[test]
fn syntax_error_in_a_condition() {
    insta::assert_snapshot!(error("current_ratio = 1.5").to_string());
}
