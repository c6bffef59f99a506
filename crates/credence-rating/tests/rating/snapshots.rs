//! Diagnostics as reviewed diffs: a change in how a model file's problems read changes a
//! committed snapshot.

use credence_rating::ScorecardModel;

use crate::fixtures::*;

/// The error of the small model with the first `from` replaced by `to`.
fn error(from: &str, to: &str) -> String {
    assert!(SMALL.contains(from), "fixture lacks {from:?}");
    match ScorecardModel::from_toml(&SMALL.replacen(from, to, 1), "test.toml", KNOWN) {
        Ok(_) => panic!("{to:?} loaded"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn knock_out_syntax_errors() {
    let when = "when = \"payment_timeliness_score <= 5\"";
    insta::assert_snapshot!(error(when, "when = \"payment_timeliness_score <= \""));
    insta::assert_snapshot!("operator", error(when, "when = \"payment_timeliness_score = 5\""));
    insta::assert_snapshot!("unknown_names", error(when, "when = \"payment_timelines <= 5 or flag(vip)\""));
}
