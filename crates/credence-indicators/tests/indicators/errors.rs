//! Loading a catalogue reports every problem with file, line and column.

use credence_indicators::{Catalogue, Direction, Standing};

/// One indicator; the formula is line 10 and its text starts in column 12 when written
/// as `formula = '…'`.
fn indicator(id: &str, unit: &str, formula_line: &str, thresholds: &str) -> String {
    format!(
        "[[indicator]]\nid = \"{id}\"\nname_zh = \"测试\"\nname_en = \"Test\"\ngroup = \"financial\"\n\
         unit = \"{unit}\"\ndirection = \"higher_better\"\n{formula_line}\ndoc = \"d\"\n{thresholds}\n"
    )
}

const GOOD: &str = "thresholds.default = { good = 2, poor = 1, source = \"s\" }";

fn problems(text: &str) -> Vec<String> {
    match Catalogue::from_toml(text, "test.toml") {
        Ok(_) => vec![],
        Err(e) => e.problems().iter().map(ToString::to_string).collect(),
    }
}

/// A catalogue of one indicator with this formula must fail with exactly this problem.
fn check(formula: &str, unit: &str, expected: &str) {
    let text =
        format!("version = \"test\"\n\n{}", indicator("x", unit, &format!("formula = '{formula}'"), GOOD));
    assert_eq!(problems(&text), vec![expected.to_owned()], "{formula}");
}

#[test]
fn formula_problems_point_into_the_formula() {
    check(
        "div(curent_assets, current_liabilities, zero = 0)",
        "ratio",
        "test.toml:10:16: unknown item 'curent_assets' (did you mean 'current_assets'?)",
    );
    check(
        "current_assets / current_liabilities",
        "ratio",
        "test.toml:10:29: division by 'current_liabilities', which may be zero: write div(current_assets, current_liabilities, zero = …)",
    );
    check(
        "div(ttm(net_profit), avg(equity), zero = 0)",
        "percent_per_year",
        "test.toml:10:33: the denominator 'avg(equity)' may be negative: add negative = … (a value or missing(\"reason\"))",
    );
    check("cash + ttm(revenue)", "money", "test.toml:10:17: cannot add money and money per year");
    check(
        "ttm(revenue)",
        "ratio",
        "test.toml:10:12: the formula gives money per year, but unit 'ratio' needs a ratio",
    );
    check(
        "div(revenue, total_assets, zero = 0)",
        "times",
        "test.toml:10:12: cannot divide money over the current period and money: a flow over the current period only combines with flows of the same period: use ttm() or annualised() on it",
    );
    check(
        "count(lawsuits, 4q)",
        "count",
        "test.toml:10:18: unknown event kind 'lawsuits' (one of lawsuit_defendant|lawsuit_plaintiff|supplier_payment_suit|enforcement|dishonest_debtor|management_change|core_staff_departure|customer_loss|quality_complaint|ownership_change|news|esg|blacklist|default)",
    );
    check(
        "div(cash, cash, zero = 0,",
        "ratio",
        "test.toml:10:37: expected a value, found the end of the formula",
    );
}

#[test]
fn multi_line_and_escaped_formulas() {
    // A multi-line literal string: the problem is on the third line of the formula.
    let formula = "formula = '''\ndiv(current_assets,\n    current_liabilities,\n    zero = missing(\"none\")) + cahs'''";
    let text = format!("version = \"test\"\n\n{}", indicator("x", "ratio", formula, GOOD));
    assert_eq!(
        problems(&text),
        vec!["test.toml:13:31: unknown item 'cahs' (did you mean 'cash'?)".to_owned()]
    );
    // Escapes make offsets in the text and in the value differ: the problem is reported
    // at the start of the string.
    let formula = r#"formula = "div(cahs, current_liabilities, zero = missing(\"none\"))""#;
    let text = format!("version = \"test\"\n\n{}", indicator("x", "ratio", formula, GOOD));
    assert_eq!(
        problems(&text),
        vec!["test.toml:10:11: unknown item 'cahs' (did you mean 'cash'?)".to_owned()]
    );
}

#[test]
fn declaration_problems_are_all_listed_in_file_order() {
    let formula = "formula = 'cash'";
    let text = format!(
        "version = \"test\"\n\n{}{}{}",
        indicator("x", "money", formula, GOOD),
        indicator("x", "pct", formula, "thresholds.default = { good = 1, poor = 2, source = \"s\" }"),
        indicator("y", "money", formula, "thresholds.C = { good = 2, poor = 1, source = \"\" }"),
    );
    assert_eq!(
        problems(&text),
        [
            "test.toml:14:6: duplicate indicator id 'x' (first at line 4)",
            "test.toml:18:8: unknown unit 'pct' (one of ratio|percent|times|percent_per_year|days|months|years|money|money_per_year|money_per_person_year|count|score)",
            "test.toml:22:31: a higher_better indicator needs good above poor (good 1, poor 2)",
            "test.toml:32:1: indicator 'y' needs default thresholds",
            "test.toml:32:47: every threshold needs a source",
        ]
    );
}

#[test]
fn toml_problems_and_unreadable_files() {
    let text = format!("version = \"test\"\n\n{}", indicator("x", "money", "fromula = 'cash'", GOOD));
    let got = problems(&text);
    assert_eq!(got.len(), 1);
    assert!(got[0].starts_with("test.toml:10:1: unknown field `fromula`"), "{got:?}");
    let got = problems("version = \"test\n");
    assert_eq!(got.len(), 1);
    assert!(got[0].starts_with("test.toml:1:"), "{got:?}");
    // Reading a file is the engine's (credence-engine's tests/language_files.rs).
}

#[test]
fn the_shipped_catalogue_loads_and_is_versioned() {
    let c = Catalogue::builtin();
    assert_eq!(c.version(), "2026.3");
    assert_eq!(c.indicators().len(), 53);
    // Thresholds: sub-industry before section before default.
    let t = |id, industry, sub| c.thresholds_for(id, industry, sub).unwrap().good;
    assert_eq!(t("gross_margin", "C", Some("C34")), 35.0);
    assert_eq!(t("gross_margin", "F", None), 25.0);
    assert_eq!(t("rd_ratio", "C", Some("C39")), 5.0);
    assert_eq!(t("total_asset_turnover", "F", Some("F52")), 6.0);
    assert_eq!(c.thresholds_for("no_such_indicator", "C", None), None);
    // Standing against the thresholds follows the direction.
    let current = c.thresholds_for("current_ratio", "C", None).unwrap();
    let debt = c.thresholds_for("debt_to_asset", "C", None).unwrap();
    let standings = [
        current.standing(2.5, Direction::HigherBetter),
        current.standing(1.7, Direction::HigherBetter),
        current.standing(1.2, Direction::HigherBetter),
        debt.standing(45.0, Direction::LowerBetter),
        debt.standing(65.0, Direction::LowerBetter),
    ];
    assert_eq!(standings, [Standing::Good, Standing::Fair, Standing::Poor, Standing::Good, Standing::Poor]);
}
