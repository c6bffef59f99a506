//! Financial indicators (IND-1) and the industry-specific ones (IND-6) on hand-built
//! statements, with the arithmetic written out.

use credence_domain::PeriodType;
use credence_indicators::{CustomerFile, Statement};

use crate::fixture::{Expect, Expect::*, as_of, check, d, empty_file, evaluate, quarter, statement};

/// Eight quarters, 2024-12-31 … 2026-09-30, plus a 2026-12-31 statement after the as-of
/// date that must be ignored (its numbers would change every ratio).
///
/// Every quarter: cash 1,200, short-term investments 300, receivables 2,000, inventory
/// 1,500, current assets 7,500, fixed assets 4,000, total assets 14,000, current
/// liabilities 4,100, total liabilities 7,700, equity 6,300, 50 employees; flows per
/// quarter: revenue 2,500, cost of sales 1,750, operating expenses 500, R&D 100,
/// depreciation 95, net profit 150, operating cash flow 200 (160 in the four quarters
/// to 2025-09-30), overseas revenue 300, new-product revenue 600, largest customer 700;
/// market share 6.5 %, capacity utilisation 78 %, staff turnover 3 % a quarter,
/// customer retention 88 %, land reserve 3.5 years.
///
/// The quarter a year before the current one (2025-09-30) had receivables 1,800,
/// inventory 1,300, total assets 12,000, equity 5,700 and fixed assets 3,600. The
/// raw-material price changed 2, 4, 6 and 8 % in the last four quarters (0 before).
pub fn machinery() -> CustomerFile {
    let mut file = empty_file("C", Some("C34"));
    let ends = [
        d(2024, 12, 31),
        d(2025, 3, 31),
        d(2025, 6, 30),
        d(2025, 9, 30),
        d(2025, 12, 31),
        d(2026, 3, 31),
        d(2026, 6, 30),
        d(2026, 9, 30),
    ];
    for (k, end) in ends.into_iter().enumerate() {
        let year_before = end == d(2025, 9, 30);
        let pick = |now: f64, then: f64| if year_before { then } else { now };
        let recent = k >= 4;
        file.statements.push(quarter(
            end,
            &[
                ("cash", 1200.0),
                ("short_term_investments", 300.0),
                ("accounts_receivable", pick(2000.0, 1800.0)),
                ("inventory", pick(1500.0, 1300.0)),
                ("current_assets", 7500.0),
                ("fixed_assets", pick(4000.0, 3600.0)),
                ("total_assets", pick(14000.0, 12000.0)),
                ("current_liabilities", 4100.0),
                ("total_liabilities", 7700.0),
                ("equity", pick(6300.0, 5700.0)),
                ("revenue", 2500.0),
                ("cost_of_sales", 1750.0),
                ("operating_expenses", 500.0),
                ("rd_expense", 100.0),
                ("depreciation", 95.0),
                ("net_profit", 150.0),
                ("operating_cash_flow", if recent { 200.0 } else { 160.0 }),
                ("employees", 50.0),
                ("overseas_revenue", 300.0),
                ("new_product_revenue", 600.0),
                ("largest_customer_revenue", 700.0),
                ("market_share_pct", 6.5),
                ("capacity_utilisation_pct", 78.0),
                ("raw_material_price_change_pct", if recent { 2.0 * (k - 3) as f64 } else { 0.0 }),
                ("staff_turnover_pct", 3.0),
                ("customer_retention_pct", 88.0),
                ("land_reserve_years", 3.5),
            ],
        ));
    }
    file.statements.push(quarter(
        d(2026, 12, 31),
        &[("current_assets", 1.0), ("current_liabilities", 1.0e6), ("revenue", 1.0e9)],
    ));
    file
}

/// The expected values of [`machinery`] at 2026-09-30. Trailing twelve months (the four
/// quarters 2025-12 … 2026-09): revenue 10,000, cost of sales 7,000, operating expenses
/// 2,000, R&D 400, depreciation 380, net profit 600, operating cash flow 800 (640 the
/// year before), overseas 1,200, new products 2,400, largest customer 2,800.
pub const MACHINERY: &[(&str, Expect)] = &[
    // 7,500 / 4,100
    ("current_ratio", Value(1.829_268_292_682_927)),
    // (7,500 − 1,500) / 4,100
    ("quick_ratio", Value(1.463_414_634_146_341_5)),
    // (1,200 + 300) / 4,100
    ("cash_ratio", Value(0.365_853_658_536_585_4)),
    // 7,000 / ((1,500 + 1,300) / 2 = 1,400)
    ("inventory_turnover", Value(5.0)),
    // 10,000 / ((2,000 + 1,800) / 2 = 1,900)
    ("receivables_turnover", Value(5.263_157_894_736_842)),
    // 7,700 / 14,000 = 55 %
    ("debt_to_asset", Value(55.0)),
    // (10,000 − 7,000) / 10,000
    ("gross_margin", Value(30.0)),
    // 600 / 10,000
    ("net_margin", Value(6.0)),
    // 600 / ((6,300 + 5,700) / 2 = 6,000) = 10 % a year
    ("roe", Value(10.0)),
    // 10,000 / ((14,000 + 12,000) / 2 = 13,000)
    ("total_asset_turnover", Value(0.769_230_769_230_769_2)),
    // (7,000 + 2,000) / 10,000
    ("cost_ratio", Value(90.0)),
    // 10,000 / 50 persons
    ("revenue_per_employee", Value(200.0)),
    ("market_share", Value(6.5)),
    // 2,800 / 10,000
    ("largest_customer_share", Value(28.0)),
    // 400 / 10,000
    ("rd_ratio", Value(4.0)),
    // 2,400 / 10,000
    ("new_product_share", Value(24.0)),
    // The first of three years is the twelve months to 2024-09-30: no statement then.
    (
        "revenue_cagr_3y",
        Missing(
            "the twelve months to 2024-09-30 need four quarterly statements or an annual one; found 0 quarters",
        ),
    ),
    // 1,200 / 10,000
    ("overseas_revenue_share", Value(12.0)),
    // 1,200 / (7,000 + 2,000) = 0.1333 years = 1.6 months
    ("cash_reserve_months", Value(1.6)),
    // (800 − 640) / 640
    ("operating_cash_flow_growth", Value(25.0)),
    // 380 / ((4,000 + 3,600) / 2 = 3,800) = 10 % a year
    ("equipment_depreciation_rate", Value(10.0)),
    ("capacity_utilisation", Value(78.0)),
    // Sample standard deviation of 2, 4, 6, 8: √((9 + 1 + 1 + 9) / 3) = √(20/3)
    ("raw_material_price_volatility", Value(2.581_988_897_471_611)),
    ("staff_turnover", Missing("not applicable to industry C")),
    ("customer_retention", Missing("not applicable to industry C")),
    ("land_reserve_years", Missing("not applicable to industry C")),
];

#[test]
fn every_financial_indicator_of_a_manufacturer() {
    let set = evaluate(&machinery());
    let current = set.get("current_ratio").unwrap();
    assert_eq!(current.period_end, Some(as_of()), "the 2026-12-31 statement is after the as-of date");
    check(&set, MACHINERY);
}

pub const SERVICES: &[(&str, Expect)] = &[
    // 4 quarters × 3 % = 12 % a year
    ("staff_turnover", Value(12.0)),
    ("customer_retention", Value(88.0)),
    ("capacity_utilisation", Missing("not applicable to industry I")),
    ("land_reserve_years", Missing("not applicable to industry I")),
];

pub const REAL_ESTATE: &[(&str, Expect)] = &[("land_reserve_years", Value(3.5))];

/// The same statements for a software firm (I) and a developer (K): the service and real
/// estate factors apply, the manufacturing ones do not.
#[test]
fn industry_specific_factors_follow_the_industry() {
    let mut file = machinery();
    file.industry = "I".into();
    file.sub_industry = Some("I65".into());
    check(&evaluate(&file), SERVICES);
    file.industry = "K".into();
    file.sub_industry = Some("K70".into());
    check(&evaluate(&file), REAL_ESTATE);
}

fn one_quarter(items: &[(&str, f64)]) -> CustomerFile {
    let mut file = empty_file("C", None);
    file.statements.push(quarter(as_of(), items));
    file
}

#[test]
fn zero_denominators_negative_equity_and_missing_items() {
    // Current liabilities of zero; inventory not reported.
    let set =
        evaluate(&one_quarter(&[("current_assets", 500.0), ("current_liabilities", 0.0), ("cash", 10.0)]));
    check(
        &set,
        &[
            ("current_ratio", Missing("current liabilities are zero")),
            ("quick_ratio", Missing("inventory not reported for the quarter ending 2026-09-30")),
            // Short-term investments not reported count as none: the division is reached.
            ("cash_ratio", Missing("current liabilities are zero")),
        ],
    );
    // Negative equity: liabilities 1,200 over assets 1,000 = 120 %; four quarters of
    // losses of 50 make a return on negative equity, which is not meaningful.
    let mut file = empty_file("C", None);
    for end in [d(2025, 12, 31), d(2026, 3, 31), d(2026, 6, 30)] {
        file.statements.push(quarter(end, &[("net_profit", -50.0)]));
    }
    let balance = [("total_assets", 1000.0), ("total_liabilities", 1200.0), ("equity", -200.0)];
    file.statements.push(quarter(as_of(), &[balance.as_slice(), &[("net_profit", -50.0)]].concat()));
    check(
        &evaluate(&file),
        &[
            ("debt_to_asset", Value(120.0)),
            ("roe", Missing("equity is negative: return on equity is not meaningful")),
        ],
    );
}

#[test]
fn trailing_twelve_months_need_a_full_year() {
    // Two quarters only.
    let mut file = one_quarter(&[("revenue", 100.0), ("cost_of_sales", 60.0)]);
    file.statements.insert(0, quarter(d(2026, 6, 30), &[("revenue", 100.0), ("cost_of_sales", 60.0)]));
    check(
        &evaluate(&file),
        &[(
            "gross_margin",
            Missing(
                "the twelve months to 2026-09-30 need four quarterly statements or an annual one; found 2 quarters",
            ),
        )],
    );
    // Two half years ending 2026-06-30 and 2025-12-31 make a year: (1,000 − 600) / 1,000.
    let half = |end, revenue: f64| {
        statement(end, PeriodType::HalfYear, &[("revenue", revenue), ("cost_of_sales", revenue * 0.6)])
    };
    let mut file = empty_file("C", None);
    file.statements = vec![half(d(2025, 12, 31), 400.0), half(d(2026, 6, 30), 600.0)];
    check(&evaluate(&file), &[("gross_margin", Value(40.0))]);
    // No statement at all.
    check(
        &evaluate(&empty_file("C", None)),
        &[("current_ratio", Missing("no statement on or before 2026-09-30"))],
    );
}

pub const ANNUAL: &[(&str, Expect)] = &[
    ("revenue_cagr_3y", Value(10.0)),
    // (121 − 110) / 110
    ("operating_cash_flow_growth", Value(10.0)),
];

/// Annual statements only, as at 2025-12-31: the annual statement is the trailing
/// twelve months, and the first of three consecutive years is 2023. Revenue 900
/// (2022, not used), 1,000, 1,100, 1,210 (2025): (1,210 / 1,000)^(1/2) − 1 = 10 %.
#[test]
fn annual_statements_give_the_three_year_growth() {
    let mut file = empty_file("C", None);
    let annual = |y: i32, revenue: f64| -> Statement {
        statement(
            d(y, 12, 31),
            PeriodType::Annual,
            &[("revenue", revenue), ("operating_cash_flow", revenue / 10.0)],
        )
    };
    file.statements =
        vec![annual(2022, 900.0), annual(2023, 1000.0), annual(2024, 1100.0), annual(2025, 1210.0)];
    let set = credence_indicators::Catalogue::builtin().evaluate(&file, d(2025, 12, 31), &Default::default());
    check(&set, ANNUAL);
}
