//! Diagnostics as reviewed diffs: a change in how a catalogue's problems read changes a
//! committed snapshot.

use credence_indicators::Catalogue;

/// The problems of a catalogue with one indicator of this formula.
fn problems(formula: &str) -> String {
    let text = format!(
        "version = \"test\"\n\n[[indicator]]\nid = \"x\"\nname_zh = \"测试\"\nname_en = \"Test\"\n\
         group = \"financial\"\nunit = \"ratio\"\ndirection = \"higher_better\"\nformula = '{formula}'\n\
         doc = \"d\"\nthresholds.default = {{ good = 2, poor = 1, source = \"s\" }}\n"
    );
    match Catalogue::from_toml(&text, "test.toml") {
        Ok(_) => panic!("{formula:?} loaded"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn unknown_item_with_a_suggestion() {
    insta::assert_snapshot!(problems("curent_assets / current_liabilities"));
}

#[test]
fn unknown_function_with_a_suggestion() {
    insta::assert_snapshot!(problems("tmm(revenue) / total_assets"));
}

#[test]
fn syntax_error() {
    insta::assert_snapshot!(problems("(cash + 1"));
}
