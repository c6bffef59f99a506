//! Loading problems: each located by file, rule code, line and column, with the line and
//! a caret under the text concerned. In [`pack_text`] the `when` of the first rule is on
//! line 17 and its text starts in column 9.

use credence_warning::{BUILTIN_PACK, RulePack};

use crate::fixture::{catalogue, pack_text, rule};

/// Loads a pack with one rule `T01` of this condition and renders its problems.
fn check(when: &str, expected: &[&str]) {
    let text = pack_text(&rule("T01", "yellow", when));
    check_text(&text, expected);
}

fn check_text(text: &str, expected: &[&str]) {
    let got: Vec<String> = match RulePack::from_toml(text, "test.toml", &catalogue()) {
        Ok(_) => vec![],
        Err(e) => e.problems().iter().map(ToString::to_string).collect(),
    };
    assert_eq!(got, expected);
}

#[test]
fn unknown_indicator() {
    check(
        "curent_ratio < 1.5 for 2 quarters",
        &["test.toml:17:9: T01: unknown indicator 'curent_ratio' (did you mean 'current_ratio'?)\n   |\n\
           17 | when = 'curent_ratio < 1.5 for 2 quarters'\n   |         ^^^^^^^^^^^^"],
    );
    check(
        "count(lawsuit_defendent, 4q) > 1",
        &[
            "test.toml:17:15: T01: unknown event kind 'lawsuit_defendent' (did you mean 'lawsuit_defendant'?) \
           (one of lawsuit_defendant|lawsuit_plaintiff|supplier_payment_suit|enforcement|dishonest_debtor|management_change|\
           core_staff_departure|customer_loss|quality_complaint|ownership_change|news|esg|blacklist|default)\n   |\n\
           17 | when = 'count(lawsuit_defendent, 4q) > 1'\n   |               ^^^^^^^^^^^^^^^^^",
        ],
    );
    check(
        "count(management_change[title == \"CEO\"], 4q) > 0",
        &[
            "test.toml:17:33: T01: events have no field 'title' (fields: role, amount, count, change_pct, sentiment)\n   |\n\
           17 | when = 'count(management_change[title == \"CEO\"], 4q) > 0'\n   |                                 ^^^^^",
        ],
    );
}

#[test]
fn type_errors() {
    check(
        "(current_ratio < 1.5) > 1",
        &[
            "test.toml:17:9: T01: '>' needs numbers on both sides, but '(current_ratio < 1.5)' is a condition\n   |\n\
           17 | when = '(current_ratio < 1.5) > 1'\n   |         ^^^^^^^^^^^^^^^^^^^^^",
        ],
    );
    check(
        "dso > current_ratio",
        &["test.toml:17:13: T01: cannot compare 'dso' (days) and 'current_ratio' (a ratio)\n   |\n\
           17 | when = 'dso > current_ratio'\n   |             ^"],
    );
    check(
        "count(current_ratio, 4q) >= 1",
        &[
            "test.toml:17:15: T01: count() counts events, but 'current_ratio' is an indicator, not an event kind\n   |\n\
           17 | when = 'count(current_ratio, 4q) >= 1'\n   |               ^^^^^^^^^^^^^",
        ],
    );
    check(
        "debt_to_asset > 60%",
        &[
            "test.toml:17:23: T01: cannot compare 'debt_to_asset' (a value in percent) and '60%' (a relative change): \
           an indicator in percent is a plain number of percent (write 15, not 15%)\n   |\n\
           17 | when = 'debt_to_asset > 60%'\n   |                       ^",
        ],
    );
    check(
        "change(receivables_turnover, 1y) < -0.2",
        &[
            "test.toml:17:42: T01: cannot compare 'change(receivables_turnover, 1y)' (a relative change) and '-0.2' \
           (a number): write the plain number as a percentage (0.2 is 20%)\n   |\n\
           17 | when = 'change(receivables_turnover, 1y) < -0.2'\n   |                                          ^",
        ],
    );
    check(
        "lawsuit_defendant > 1",
        &["test.toml:17:9: T01: 'lawsuit_defendant' is an event kind, not a value: count it, as in \
           count(lawsuit_defendant, 4q)\n   |\n17 | when = 'lawsuit_defendant > 1'\n   |         ^^^^^^^^^^^^^^^^^"],
    );
    check(
        "current_ratio + 1",
        &["test.toml:17:9: T01: a rule needs a condition such as current_ratio < 1.5, not a number\n   |\n\
           17 | when = 'current_ratio + 1'\n   |         ^^^^^^^^^^^^^^^^^"],
    );
    check(
        "current_ratio < 1.5 and dso",
        &["test.toml:17:33: T01: 'and' needs conditions on both sides, but 'dso' is a number\n   |\n\
           17 | when = 'current_ratio < 1.5 and dso'\n   |                                 ^^^"],
    );
}

#[test]
fn impossible_windows() {
    check(
        "current_ratio < 1.5 for 0 quarters",
        &[
            "test.toml:17:33: T01: a condition must hold for a whole number of quarters, at least 1 (found 0)\n   |\n\
           17 | when = 'current_ratio < 1.5 for 0 quarters'\n   |                                 ^",
        ],
    );
    check(
        "lag(current_ratio, 13q) < 1",
        &[
            "test.toml:17:9: T01: 'lag(current_ratio, 13q)' looks back 13 quarters, beyond the 12 quarters of history \
           a rule may read\n   |\n17 | when = 'lag(current_ratio, 13q) < 1'\n   |         ^^^^^^^^^^^^^^^^^^^^^^^",
        ],
    );
    // Nine quarters of holding plus a year of change: 9 + 4 = 13.
    check(
        "change(current_ratio, 1y) < -20% for 10 quarters",
        &[
            "test.toml:17:9: T01: 'change(current_ratio, 1y)' looks back 13 quarters, beyond the 12 quarters of \
           history a rule may read\n   |\n17 | when = 'change(current_ratio, 1y) < -20% for 10 quarters'\n   |         \
           ^^^^^^^^^^^^^^^^^^^^^^^^^",
        ],
    );
    // A year's window ending nine quarters back reaches 13 quarters.
    check(
        "count(news, 4q, 9q ago) > 1",
        &[
            "test.toml:17:9: T01: 'count(news, 4q, 9q ago)' looks back 13 quarters, beyond the 12 quarters of \
           history a rule may read\n   |\n17 | when = 'count(news, 4q, 9q ago) > 1'\n   |         ^^^^^^^^^^^^^^^^^^^^^^^",
        ],
    );
    check(
        "lag(current_ratio, 30d) < 1",
        &["test.toml:17:28: T01: a lag is a whole number of quarters (1q, 2q, 1y, 6m), not 30d\n   |\n\
           17 | when = 'lag(current_ratio, 30d) < 1'\n   |                            ^^^"],
    );
    check(
        "count(news, 0q) > 1",
        &["test.toml:17:21: T01: a window must be longer than zero\n   |\n\
           17 | when = 'count(news, 0q) > 1'\n   |                     ^^"],
    );
}

#[test]
fn syntax_errors() {
    check(
        "current_ratio < ",
        &["test.toml:17:25: T01: expected a value, found the end of the condition\n   |\n\
           17 | when = 'current_ratio < '\n   |                         ^"],
    );
    check(
        "current_ratio = 1.5",
        &["test.toml:17:23: T01: write '==' to compare, found '='\n   |\n\
           17 | when = 'current_ratio = 1.5'\n   |                       ^"],
    );
    check(
        "current_ratio < 1.5 for 2",
        &["test.toml:17:34: T01: expected 'quarters', found the end of the condition\n   |\n\
           17 | when = 'current_ratio < 1.5 for 2'\n   |                                  ^"],
    );
}

/// Every problem of the file is reported, in file order, with the rule it belongs to.
#[test]
fn all_problems_at_once() {
    let text = pack_text(&format!(
        "{}\n{}",
        rule("T01", "orange", "current_ratio < 1.5"),
        rule("T01", "yellow", "dso > 90 or curent_ratio < 1")
    ));
    check_text(
        &text,
        &[
            "test.toml:16:9: T01: unknown level 'orange' (one of red|yellow|green_watch)\n   |\n\
             16 | level = \"orange\"\n   |         ^^^^^^^^",
            "test.toml:23:8: duplicate code 'T01' (first at line 12)\n   |\n23 | code = \"T01\"\n   |        ^^^^^",
            "test.toml:28:21: T01: unknown indicator 'curent_ratio' (did you mean 'current_ratio'?)\n   |\n\
             28 | when = 'dso > 90 or curent_ratio < 1'\n   |                     ^^^^^^^^^^^^",
        ],
    );
}

#[test]
fn toml_and_policy_problems() {
    check_text(
        &pack_text("[[rule]]\ncode = \"T01\"\nwhen = 'dso > 1'\ncolour = \"red\"\n"),
        &[
            "test.toml:14:1: unknown field `colour`, expected one of `code`, `name`, `name_zh`, `name_en`, `level`, \
           `when`, `action_zh`, `action_en`, `source`, `scope`\n   |\n14 | colour = \"red\"\n   | ^^^^^^",
        ],
    );
    let text = pack_text("").replace("red_at_or_below = \"CCC\"", "red_at_or_below = \"BBB\"");
    check_text(
        &text,
        &["test.toml:7:19: red_at_or_below must be at or below yellow_at_or_below on the scale\n  |\n\
           7 | red_at_or_below = \"BBB\"\n  |                   ^^^^^"],
    );
    let text = format!(
        "{}\n[[monitoring.check]]\ncode = \"weekly\"\nname_zh = \"周\"\nname_en = \"Weekly\"\nevery = \"1x\"\ntiers = [\"vip\"]\nsource = \"t\"\n",
        pack_text("")
    );
    check_text(
        &text,
        &[
            "test.toml:16:9: weekly: '1x' is not an interval such as 1w, 1m, 1q, 6m or 1y\n   |\n\
             16 | every = \"1x\"\n   |         ^^^^",
            "test.toml:17:10: weekly: unknown monitoring tier 'vip' (one of core|secondary|potential)\n   |\n\
             17 | tiers = [\"vip\"]\n   |          ^^^^^",
        ],
    );
}

/// The shipped pack fits the shipped catalogue, and a
/// mistake in it is located in the file.
#[test]
fn the_shipped_pack_from_its_file() {
    // Reading the file is the engine's (credence-engine's tests/language_files.rs).
    let text = BUILTIN_PACK.replace("when = 'current_ratio < 1.5", "when = 'curent_ratio < 1.5");
    let e = RulePack::from_toml(&text, "warning.toml", &catalogue()).expect_err("an unknown indicator");
    assert_eq!(
        e.to_string(),
        "warning.toml:117:9: W01: unknown indicator 'curent_ratio' (did you mean 'current_ratio'?)\n    |\n\
         117 | when = 'curent_ratio < 1.5 for 2 consecutive quarters'\n    |         ^^^^^^^^^^^^"
    );
}
