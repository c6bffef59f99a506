//! Same inputs, same model → the same rating to the bit, and the same JSON.

use crate::fixtures::*;

#[test]
fn ratings_are_bit_identical() {
    let input = strong_with(&[("quick_ratio", None), ("payment_timeliness_score", Some(7.3))]);
    let a = rate(&builtin(), &input, ("sme", "C", None), &character(64.0));
    let b = rate(&builtin(), &input, ("sme", "C", None), &character(64.0));
    assert_eq!(a, b);
    assert_eq!(a.score.to_bits(), b.score.to_bits());
    assert_eq!(a.pd.to_bits(), b.pd.to_bits());
    let json = serde_json::to_string(&a).unwrap();
    assert_eq!(json, serde_json::to_string(&b).unwrap());
    // serde_json's default float parsing may differ from the written value in the last
    // bit; storage that must round-trip exactly enables its `float_roundtrip` feature.
    let back: credence_rating::Rating = serde_json::from_str(&json).unwrap();
    assert_eq!(
        (back.letter_grade, back.point_grade, back.lines.len()),
        (a.letter_grade, a.point_grade, a.lines.len())
    );
    assert!((back.score - a.score).abs() < 1e-12);
}

/// Reordering the indicator set changes nothing: lines follow the model, not the input.
#[test]
fn input_order_does_not_matter() {
    let mut reversed = strong();
    reversed.reverse();
    let a = rate(&builtin(), &set(strong()), ("large", "K", None), &[]);
    let b = rate(&builtin(), &set(reversed), ("large", "K", None), &[]);
    assert_eq!(a, b);
}

/// `rate_into` over a rating left by another customer and sub-model gives exactly what
/// `rate` gives: nothing of the earlier customer survives.
#[test]
fn rate_into_reuses_without_leftovers() {
    let m = builtin();
    let first = strong_with(&[("payment_timeliness_score", Some(4.0)), ("quick_ratio", None)]);
    let second = set(values(&[("current_ratio", 1.4), ("debt_to_asset", 62.0)]));
    let mut out = rate_flagged(&m, &first, ("large", "K", None), &character(30.0), &["vip"]);
    assert!(!out.knockouts.is_empty() && !out.notes.is_empty());
    let input = credence_rating::RatingInput {
        indicators: &second,
        customer_type: "sme",
        industry: "C",
        sub_industry: None,
        qualitative: &[],
        flags: &[],
    };
    m.rate_into(&input, &mut out);
    assert_eq!(out, m.rate(&input));
}
