//! Hostile knock-out conditions: arbitrary text, token soup from the language's own
//! vocabulary, huge numbers and nesting far past the limit. Loading refuses them with a
//! located problem; nothing panics or overflows the stack.

use credence_rating::ScorecardModel;
use proptest::prelude::*;

use crate::fixtures::{KNOWN, SMALL};

/// `text` as a TOML basic string, so any condition reaches the condition parser intact.
fn toml_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The load error of the small model with its knock-out's condition replaced.
fn error(when: &str) -> Option<String> {
    let from = "when = \"payment_timeliness_score <= 5\"";
    assert!(SMALL.contains(from));
    let text = SMALL.replacen(from, &format!("when = {}", toml_string(when)), 1);
    ScorecardModel::from_toml(&text, "test.toml", KNOWN).err().map(|e| e.to_string())
}

#[test]
fn deep_conditions_are_refused_with_a_position() {
    let n = 100_000;
    for when in [
        format!("{}payment_timeliness_score < 1{}", "(".repeat(n), ")".repeat(n)),
        format!("{}payment_timeliness_score < 1", "not ".repeat(n)),
    ] {
        let e = error(&when).expect("refused");
        assert!(e.starts_with("test.toml:150:"), "{e}");
        assert!(e.ends_with("the condition nests `(` and `not` more than 100 levels deep"), "{e}");
    }
    let chain = format!("payment_timeliness_score < 1{}", " or payment_timeliness_score < 1".repeat(n));
    assert_eq!(error(&chain), None, "a long flat chain is no deeper than one level");
}

const VOCABULARY: &[&str] = &[
    "(",
    ")",
    ".",
    "<",
    "<=",
    "==",
    "!=",
    "=",
    "!",
    "and",
    "or",
    "not",
    "missing",
    "flag",
    "qoq",
    "yoy",
    "payment_timeliness_score",
    "key_documents_missing",
    "-",
    "+",
    "1e308",
    "99999999999999999999",
    "1..2",
    "-.",
    "0",
    "\"",
    "\n",
    "\u{0}",
    "净利率",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_is_refused_with_a_position_or_loads(when in any::<String>()) {
        if let Some(e) = error(&when) {
            prop_assert!(e.starts_with("test.toml:"), "{}", e);
        }
    }

    #[test]
    fn token_soup_is_refused_with_a_position_or_loads(
        tokens in proptest::collection::vec(proptest::sample::select(VOCABULARY), 0..300)
    ) {
        if let Some(e) = error(&tokens.join(" ")) {
            prop_assert!(e.starts_with("test.toml:"), "{}", e);
        }
    }
}
