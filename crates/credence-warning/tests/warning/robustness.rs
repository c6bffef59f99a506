//! Hostile rule conditions: arbitrary text, token soup from the language's own
//! vocabulary, huge numbers, long names and nesting far past the limit. Loading refuses
//! them with a located problem; nothing panics or overflows the stack.

use credence_warning::RulePack;
use proptest::prelude::*;

use crate::fixture::{catalogue, pack_text};

/// `text` as a TOML basic string, so any condition reaches the rule parser intact.
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

/// The problems of a pack of one rule with this condition (none if it loads).
fn problems(when: &str) -> Vec<String> {
    let rule = format!(
        "[[rule]]\ncode = \"T01\"\nname = \"TestCondition\"\nname_zh = \"测试\"\nname_en = \"Test\"\nlevel = \"yellow\"\n\
         when = {}\naction_zh = \"跟踪\"\naction_en = \"Track\"\nsource = \"test\"\n",
        toml_string(when)
    );
    match RulePack::from_toml(&pack_text(&rule), "test.toml", &catalogue()) {
        Ok(_) => Vec::new(),
        Err(e) => e.problems().iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn deep_conditions_are_refused_with_a_position() {
    let n = 100_000;
    for when in [
        format!("{}current_ratio{} < 1", "(".repeat(n), ")".repeat(n)),
        format!("{}current_ratio < 1", "not ".repeat(n)),
        format!("current_ratio{} < 1", " + current_ratio".repeat(n)),
        format!("count({}news{}, 4q) > 1", "news[".repeat(n), "]".repeat(n)),
    ] {
        let got = problems(&when);
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(got[0].starts_with("test.toml:17:"), "{}", &got[0][..80]);
        assert!(got[0].contains("the condition nests more than 100 levels deep"), "{}", &got[0][..200]);
    }
}

const VOCABULARY: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    ",",
    "+",
    "-",
    "*",
    "/",
    "<",
    "<=",
    "==",
    "!=",
    "=",
    "and",
    "or",
    "not",
    "for",
    "consecutive",
    "quarters",
    "rising",
    "falling",
    "over",
    "ago",
    "in",
    "count",
    "change",
    "current_ratio",
    "net_margin",
    "news",
    "role",
    "\"CEO\"",
    "4q",
    "1y",
    "2w",
    "20%",
    "1e308",
    "99999999999999999999q",
    "0",
    "\"",
    "#",
    "\n",
    "\\",
    "\u{0}",
    "净利率",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_is_refused_with_a_position_or_loads(when in any::<String>()) {
        for p in problems(&when) {
            prop_assert!(p.starts_with("test.toml:"), "{}", p);
        }
    }

    #[test]
    fn token_soup_is_refused_with_a_position_or_loads(
        tokens in proptest::collection::vec(proptest::sample::select(VOCABULARY), 0..300)
    ) {
        for p in problems(&tokens.join(" ")) {
            prop_assert!(p.starts_with("test.toml:"), "{}", p);
        }
    }
}
