//! The formula language's functions over the manufacturer of `financial::machinery`
//! (current quarter 2026-09-30: cash 1,200, inventory 1,500, receivables 2,000, equity
//! 6,300, total liabilities 7,700; revenue 2,500 a quarter; interest expense and
//! anything before 2024-12-31 not reported).

use credence_domain::PeriodType;

use crate::financial::machinery;
use crate::fixture::{Expect::*, as_of, catalogue, check, d, empty_file, statement};

#[test]
fn functions_and_operators() {
    let c = catalogue(&[
        // 2,500 × 12 / 3
        ("annualised", "money_per_year", "annualised(revenue)"),
        ("quarterly_rate", "money_per_year", "ttm(revenue) / 4"),
        ("if_else", "money", "if(equity <= 0, missing(\"negative equity\"), total_liabilities)"),
        ("logic", "ratio", "if(equity > 0 and not cash < inventory or inventory == 0, 1, 0)"),
        ("minimum", "money", "min(cash, inventory)"),
        ("maximum", "money", "max(cash, inventory, accounts_receivable)"),
        ("absolute", "money", "abs(cash - inventory)"),
        ("negation", "money", "-cash + 2 * inventory"),
        // (1,500 / 1,200)² = 1.5625
        ("power", "ratio", "pow(div(inventory, cash, zero = 0), 2)"),
        ("fallback", "money_per_year", "ttm(coalesce(interest_expense, 0))"),
        ("not_reported", "money_per_year", "ttm(interest_expense)"),
        ("year_before", "money", "lag(equity, 4)"),
        ("too_far_back", "money", "lag(cash, 12)"),
        ("stdev_short", "ratio", "stdev_quarters(market_share_pct, 12)"),
        ("explicit_zero", "ratio", "div(cash, cash - cash, zero = missing(\"no difference\"), negative = 0)"),
    ]);
    let set = c.evaluate(&machinery(), as_of(), &credence_indicators::EvalOptions::default());
    check(
        &set,
        &[
            ("annualised", Value(10_000.0)),
            ("quarterly_rate", Value(2_500.0)),
            ("if_else", Value(7_700.0)),
            ("logic", Value(0.0)),
            ("minimum", Value(1_200.0)),
            ("maximum", Value(2_000.0)),
            ("absolute", Value(300.0)),
            ("negation", Value(1_800.0)),
            ("power", Value(1.5625)),
            ("fallback", Value(0.0)),
            ("not_reported", Missing("interest_expense not reported for the quarter ending 2026-09-30")),
            ("year_before", Value(5_700.0)),
            ("too_far_back", Missing("no quarterly statement ending 2023-09-30")),
            ("stdev_short", Missing("no quarterly statement ending 2024-09-30")),
            ("explicit_zero", Missing("no difference")),
        ],
    );
}

/// `annualised` scales by the length of the current period: a half year's 600 is 1,200
/// a year; an annual statement's flow is its own.
#[test]
fn annualised_follows_the_period_length() {
    let c = catalogue(&[("annualised", "money_per_year", "annualised(revenue)")]);
    for (period_type, expected) in [(PeriodType::HalfYear, 1_200.0), (PeriodType::Annual, 600.0)] {
        let mut file = empty_file("C", None);
        file.statements.push(statement(d(2026, 6, 30), period_type, &[("revenue", 600.0)]));
        check(
            &c.evaluate(&file, as_of(), &credence_indicators::EvalOptions::default()),
            &[("annualised", Value(expected))],
        );
    }
}

#[test]
fn a_catalogue_can_be_shared_between_threads() {
    fn shared<T: Send + Sync>() {}
    shared::<credence_indicators::Catalogue>();
}
