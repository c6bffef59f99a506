//! Hostile formulas: arbitrary text, token soup from the language's own vocabulary, huge
//! numbers, long names and nesting far past the limit. Loading refuses them with a located
//! problem; nothing panics or overflows the stack.

use credence_indicators::Catalogue;
use proptest::prelude::*;

/// `text` as a TOML basic string, so any formula reaches the formula parser intact.
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

/// The problems of a catalogue of one indicator with this formula (none if it loads).
fn problems(formula: &str) -> Vec<String> {
    let text = format!(
        "version = \"test\"\n\n[[indicator]]\nid = \"x\"\nname_zh = \"测试\"\nname_en = \"Test\"\n\
         group = \"financial\"\nunit = \"ratio\"\ndirection = \"higher_better\"\nformula = {}\ndoc = \"d\"\n\
         thresholds.default = {{ good = 2, poor = 1, source = \"s\" }}\n",
        toml_string(formula)
    );
    match Catalogue::from_toml(&text, "test.toml") {
        Ok(_) => Vec::new(),
        Err(e) => e.problems().iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn deep_formulas_are_refused_with_a_position() {
    let n = 100_000;
    for formula in [
        format!("{}current_assets{}", "(".repeat(n), ")".repeat(n)),
        format!("{}current_assets", "-".repeat(n)),
        format!("current_assets{}", " + current_assets".repeat(n)),
        format!("{}current_assets{}", "abs(".repeat(n), ")".repeat(n)),
    ] {
        let got = problems(&formula);
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(got[0].starts_with("test.toml:10:"), "{}", got[0]);
        assert!(got[0].ends_with("the formula nests more than 100 levels deep; split it into simpler parts"));
    }
}

#[test]
fn huge_numbers_and_long_names_are_refused_or_read() {
    let long = "a".repeat(1 << 20);
    let got = problems(&long);
    assert_eq!(got.len(), 1);
    assert!(got[0].starts_with("test.toml:10:12: unknown item 'aaaa"), "{}", &got[0][..60]);
    assert!(!problems("1e999999").is_empty());
    assert!(!problems(&"9".repeat(10_000)).is_empty());
    assert!(!problems("lag(current_assets, 99999999999999999999q)").is_empty());
    assert!(!problems("\0").is_empty());
}

const VOCABULARY: &[&str] = &[
    "(",
    ")",
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
    "div",
    "ttm",
    "avg",
    "lag",
    "if",
    "pow",
    "min",
    "missing",
    "count",
    "revenue",
    "current_assets",
    "equity",
    "zero",
    "negative",
    "4q",
    "12m",
    "0d",
    "1e308",
    "-0",
    "1_000",
    ".5",
    "\"",
    "\"text\"",
    "#",
    "\n",
    "\\",
    "\u{0}",
    "净利率",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_is_refused_with_a_position_or_loads(formula in any::<String>()) {
        for p in problems(&formula) {
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
