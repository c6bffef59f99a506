//! The indicator library (IND-1 … IND-6): a versioned catalogue of financial,
//! behavioural, non-financial and industry-specific indicators whose formulas are
//! written in a small typed language, checked when the catalogue loads, compiled once,
//! and evaluated over a customer's credit file.
//!
//! This crate does no IO except reading a catalogue file from a path the caller gives,
//! reads no clock (the as-of date is a parameter) and draws no random numbers.
//!
//! ```
//! use chrono::NaiveDate;
//! use credence_domain::PeriodType;
//! use credence_indicators::{Catalogue, CustomerFile, EvalOptions, STATEMENT_ITEMS, Statement, statement_item};
//!
//! let catalogue = Catalogue::builtin();
//! let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
//! let mut values = vec![f64::NAN; STATEMENT_ITEMS.len()];
//! values[statement_item("current_assets").unwrap()] = 7_500.0;
//! values[statement_item("current_liabilities").unwrap()] = 4_100.0;
//! let file = CustomerFile {
//!     customer_id: "C0000001".into(),
//!     customer_type: "sme".into(),
//!     industry: "C".into(),
//!     sub_industry: Some("C34".into()),
//!     region: "福建".into(),
//!     relationship_start: date(2019, 4, 1),
//!     credit_limit: Some(10_000.0),
//!     payment_terms_days: Some(60.0),
//!     statements: vec![Statement { period_end: date(2026, 6, 30), period_type: PeriodType::Quarter, audited: false, values }],
//!     invoices: vec![],
//!     payments: vec![],
//!     credit_notes: vec![],
//!     orders: vec![],
//!     events: vec![],
//!     promises: vec![],
//!     disputes: vec![],
//!     utility_bills: vec![],
//! };
//! let set = catalogue.evaluate(&file, date(2026, 9, 30), &EvalOptions::default());
//! assert_eq!(set.catalogue_version, catalogue.version());
//! assert!((set.value("current_ratio").unwrap() - 7_500.0 / 4_100.0).abs() < 1e-12);
//! let quick = set.get("quick_ratio").unwrap();
//! assert_eq!(quick.missing.as_deref(), Some("inventory not reported for the quarter ending 2026-06-30"));
//! let good = catalogue.thresholds_for("current_ratio", "C", Some("C34")).unwrap().good;
//! assert_eq!(good, 2.0);
//! ```
//!
//! # The catalogue
//!
//! `catalogue/indicators.toml` is shipped and embedded ([`Catalogue::builtin`]); any
//! other text in the same format can be loaded with [`Catalogue::from_toml`] (the
//! engine reads a user's file), so indicators change without recompiling. It holds a
//! `version` and one `[[indicator]]` table per indicator: `id`, `name_zh`, `name_en`,
//! `group` (financial | behavioural | non_financial | industry_specific), `unit` (see [`Unit`]), `direction`
//! (higher_better | lower_better), `formula`, `doc` (how edge cases are handled),
//! optional `applies_to` (section letters and sub-industry codes; other industries get
//! "not applicable to industry X"), and `thresholds`: a `default` plus overrides keyed
//! by GB/T 4754 section letter or sub-industry code, each `{ good, poor, source }`.
//! Loading reports every problem with its line and column
//! (`indicators.toml:57:19: unknown item 'curent_assets'`).
//!
//! # The formula language
//!
//! Values carry a dimension (money, years, persons, events, score points and their
//! products) and, for statement values, whether they are a balance at the period end or
//! a flow over the period. Adding money to a ratio, reporting money per year in a
//! `percent` indicator, or dividing a quarter's revenue by a balance are load errors.
//!
//! * **Statement items** by name (`current_assets`, `revenue`, …, see
//!   [`STATEMENT_ITEMS`]): a balance is the value at the current period end, a flow the
//!   value over the current period. `*_pct` items are used as fractions.
//! * **Period functions**: `ttm(flow)` (four quarters, else the annual statement ending
//!   then, else two half years), `annualised(flow)`, `avg(balance)` (now and four
//!   quarters earlier, else now), `lag(x, n)` (n quarters earlier), `stdev_quarters(x, n)`.
//! * **Arithmetic and logic**: `+ - * /`, comparisons, `and or not`, `if(c, a, b)`,
//!   `min`, `max`, `abs`, `pow(x, 1/3)`, `coalesce(a, b)` (first with a value).
//! * **Division** by anything but a positive literal is written
//!   `div(a, b, zero = …, negative = …)`: `zero` is required unless `b` is a positive
//!   literal, `negative` unless `b` cannot be negative (balances, revenue, `abs(…)`,
//!   counts); each is a value or `missing("reason")`.
//! * **Ledger quantities** (see [`ledger`] for exact definitions):
//!   `open_receivables`, `overdue_receivables(min_days, max_days)`, `open_orders`,
//!   `invoiced(window)`, `dso`, `days_beyond_terms`, `timeliness_score`, `credit_limit`,
//!   `payment_terms`.
//! * **Collection quantities** (see [`collections`]): `promises_kept(window)`,
//!   `promises_broken(window)`, `invoice_count(window)`, `disputed_invoices(window)`.
//! * **Utility billing quantities** (see [`utility`]), from the electricity accounts the
//!   customer holds: `utility_bills(window)`, `utility_late_bills(window)`,
//!   `utility_billed(window)`, `utility_overdue(min_days)`.
//! * **Event quantities** (see [`events`]): `count(kind, window)`,
//!   `sum_count`, `sum_amount`, `sum_change`, `mean_sentiment(window)`, each with an
//!   optional `shift = 4q`; windows are `4q`, `12m`, `1y`, `30d`; and
//!   `relationship_length`.
//!
//! Durations are years inside formulas and converted by the unit (`days` × 365, `months`
//! × 12); ratios are fractions and `percent` multiplies by 100. So
//! `div(cash, ttm(cost_of_sales + operating_expenses), zero = …)` in unit `months` is
//! the cash reserve in months. A number literal is a ratio: `2 * inventory` and
//! `pow(x, 1/3)` are fine, `cash + 1` is not; only 0 fits any quantity
//! (`if(equity <= 0, …)`). Levels in money or days belong in the thresholds.
//!
//! Some catalogue entries, as shipped:
//!
//! ```toml
//! id = "roe"
//! unit = "percent_per_year"
//! formula = '''
//! div(ttm(net_profit), avg(equity),
//!     zero = missing("equity is zero"),
//!     negative = missing("equity is negative: return on equity is not meaningful"))'''
//!
//! id = "bad_debt_rate"
//! unit = "percent"
//! formula = 'div(overdue_receivables(181), invoiced(12m), zero = missing("nothing invoiced in the last 12 months"))'
//!
//! id = "lawsuits_defendant_growth"
//! unit = "percent"
//! formula = '''
//! div(count(lawsuit_defendant, 4q) - count(lawsuit_defendant, 4q, shift = 4q),
//!     count(lawsuit_defendant, 4q, shift = 4q),
//!     zero = missing("no lawsuits as defendant in the four quarters before"))'''
//! ```
//!
//! # Evaluation
//!
//! The current period is the latest statement ending on or before the as-of date
//! (quarterly preferred at the same date); ledger and event quantities are taken at the
//! as-of date. A value that cannot be computed is missing with a reason, never zero.
//! With [`EvalOptions::trends`] every indicator also gets QoQ, YoY, 3-year CAGR and a
//! least-squares slope per year (IND-4), by evaluating the same formula 1 … 12 quarters
//! earlier. Ledger and event quantities are computed once per customer and date, not per
//! formula, and an operation shared by several formulas (`ttm(revenue)`) once per period.
//! Evaluating the shipped catalogue takes about 8 µs per demo customer, 33 µs with
//! trends, on one core (`examples/eval_speed.rs`).

mod catalogue;
mod cause;
mod check;
pub mod collections;
pub mod effectiveness;
mod error;
mod eval;
pub mod events;
mod frame;
mod functions;
pub mod input;
mod items;
pub mod ledger;
mod load;
mod periods;
mod program;
mod syntax;
mod trends;
mod types;
pub mod utility;
pub mod value;

pub use catalogue::{
    BUILTIN_CATALOGUE, Catalogue, Direction, EvalOptions, Group, IndicatorDef, Standing, Thresholds,
};
pub use credence_source::{Problem, suggestion};
pub use error::CatalogueError;
pub use input::{
    CreditNote, CustomerFile, Dispute, Event, Invoice, Order, Payment, PromiseOutcome, STATEMENT_ITEMS,
    Statement, UtilityBill, statement_item,
};
pub use load::industry_key_problem;
pub use periods::add_months;
pub use types::Unit;
pub use value::{IndicatorSet, IndicatorValue, Trend};
