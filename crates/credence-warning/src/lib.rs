//! Early warning (CTRL-5 … CTRL-7): a small typed rule language over the indicator
//! catalogue, events and ledger indicators; versioned rule packs checked when they load;
//! an evaluator that gives each firing with the values and periods that made it fire;
//! three-colour levels; peer alerts over industries and regions; and monitoring
//! frequency.
//!
//! This crate does no IO except reading a rule pack from a path the caller gives, reads
//! no clock (the as-of date is a parameter) and draws no random numbers.
//!
//! ```
//! use chrono::NaiveDate;
//! use credence_domain::PeriodType;
//! use credence_indicators::{Catalogue, CustomerFile, STATEMENT_ITEMS, Statement, statement_item};
//! use credence_warning::{CustomerStatus, Language, Level, RulePack};
//!
//! let catalogue = Catalogue::builtin();
//! let pack = RulePack::builtin(&catalogue);
//! let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
//! // Current ratio 1.32 at the end of June, 1.41 at the end of March.
//! let quarter = |end, assets: f64| {
//!     let mut values = vec![f64::NAN; STATEMENT_ITEMS.len()];
//!     values[statement_item("current_assets").unwrap()] = assets;
//!     values[statement_item("current_liabilities").unwrap()] = 1_000.0;
//!     Statement { period_end: end, period_type: PeriodType::Quarter, audited: false, values }
//! };
//! let file = CustomerFile {
//!     customer_id: "C0000001".into(),
//!     customer_type: "sme".into(),
//!     industry: "C".into(),
//!     sub_industry: None,
//!     region: "福建".into(),
//!     relationship_start: date(2019, 4, 1),
//!     credit_limit: None,
//!     payment_terms_days: Some(60.0),
//!     statements: vec![quarter(date(2026, 3, 31), 1_410.0), quarter(date(2026, 6, 30), 1_320.0)],
//!     invoices: vec![],
//!     payments: vec![],
//!     credit_notes: vec![],
//!     orders: vec![],
//!     events: vec![],
//!     promises: vec![],
//!     disputes: vec![],
//!     utility_bills: vec![],
//! };
//! let warnings = pack.evaluate(&file, date(2026, 9, 30), &CustomerStatus::default());
//! assert_eq!(warnings.firings[0].code, "W01");
//! assert_eq!(
//!     warnings.firings[0].sentence(Language::En),
//!     "W01 Current ratio below 1.5 for two consecutive quarters: \
//!      Current ratio 1.32 (2026-06-30) and 1.41 (2026-03-31) < 1.5."
//! );
//! // W01 is a watch rule: the customer stays green, on the watch list.
//! assert_eq!((warnings.level.level, warnings.level.watch), (Level::Green, true));
//! ```
//!
//! # The rule language
//!
//! A rule's condition (`when`) is an expression that must be a condition (true or
//! false). Every value has a type, checked when the pack loads:
//!
//! * **Indicators** by catalogue id (`current_ratio`), in the catalogue's unit: ratios as
//!   ratios, percent indicators as plain numbers of percent (`debt_to_asset > 60`), days
//!   as days. The value is the indicator at the current quarter (the latest statement on
//!   or before the as-of date, ledger and event indicators at the as-of date).
//! * **Numbers** are plain (`1.5`, `100_000`); with `%` they are relative changes:
//!   `-20%` is −0.2.
//! * **Relative changes**: `change(x, 1y)` is (now − then) / |then| with *then* one year
//!   earlier (missing when then is 0); `worsening(x, 1q)` is the same change in the
//!   indicator's bad direction (a higher-better indicator that fell 12 % has worsened by
//!   12 %). They compare only with percentages: `change(x, 1y) < -20%`. An indicator in
//!   percent compares with a plain number, never with a percentage.
//! * **Earlier values**: `lag(x, 1q)`; **trends**: `x rising`, `x falling` (against the
//!   previous quarter), `x rising over 1y`.
//! * **Holding over time**: `condition for 2 consecutive quarters` (or `for 2
//!   quarters`): the condition holds at the current quarter and the one before, each
//!   evaluated with all its values moved back together.
//! * **Events** are counted over windows ending at the as-of date: `count(kind, 1q)`,
//!   `sum_count(kind, 4q)` (the events' head counts, an event without one counting 1),
//!   `sum_amount(kind, 4q)`, `sum_change(kind, 4q)` (the events' `change_pct` added up, a
//!   relative change), `mean_sentiment(kind, 2q)`. A third argument shifts the window
//!   back: `count(lawsuit_defendant, 1q, 1q ago)` is the quarter before the last. A
//!   window `w` ending at `d` covers the dates (d − w, d]; quarters and months keep month
//!   ends. Kinds are the `EventKind` codes; a filter on the events' fields goes in
//!   brackets: `count(management_change[role in ("CEO", "CFO")], 4q)`,
//!   `count(lawsuit_defendant[amount >= 1000000], 4q)` (fields `role`, `amount`,
//!   `count`, `change_pct`, `sentiment`; an event without the field does not match).
//! * **Thresholds**: `good(x)` and `poor(x)` are the catalogue's levels of indicator `x`
//!   for the customer's industry.
//! * **Arithmetic**: `+ -` of like quantities, `*` by a number or percentage
//!   (`1.2 * count(…)`), `/` by a positive number or of like by like (a relative
//!   quantity), `abs`, `min`, `max`.
//! * **Logic**: comparisons `< <= > >= == !=`, `and`, `or`, `not`, parentheses.
//!
//! A value that cannot be computed (no statement, a zero denominator) makes the
//! comparisons that use it unknown; `and`, `or` and `not` follow three-valued logic, and
//! a rule fires only when its condition is true. Rules that stay unknown are reported as
//! undetermined. Every look back — `for`, `lag`, `change`, trends and event windows,
//! added up — must fit the pack's `history_quarters`.
//!
//! ```text
//! condition := or
//! or        := and ("or" and)*
//! and       := not ("and" not)*
//! not       := "not" not | held
//! held      := compare ("for" INT "consecutive"? ("quarters" | "quarter"))?
//! compare   := sum (("<" | "<=" | ">" | ">=" | "==" | "!=") sum
//!                  | ("rising" | "falling") ("over" DURATION)?
//!                  | "in" "(" STRING ("," STRING)* ")")?
//! sum       := term (("+" | "-") term)*
//! term      := unary (("*" | "/") unary)*
//! unary     := "-" unary | atom
//! atom      := NUMBER "%"? | DURATION | STRING | NAME | NAME "[" condition "]"
//!            | NAME "(" (arg ("," arg)*)? ")" | "(" condition ")"
//! arg       := DURATION "ago" | condition
//! DURATION  := INT ("d" | "w" | "m" | "q" | "y")      # 30d, 2w, 12m, 4q, 1y
//! ```
//!
//! `#` starts a comment to the end of the line. Loading reports every problem with file,
//! rule code, line, column and the line with a caret under the text concerned:
//!
//! ```text
//! warning.toml:108:9: W01: unknown indicator 'curent_ratio' (did you mean 'current_ratio'?)
//!     |
//! 108 | when = 'curent_ratio < 1.5 for 2 consecutive quarters'
//!     |         ^^^^^^^^^^^^
//! ```
//!
//! # Rule packs
//!
//! A pack is a TOML file (`packs/warning.toml` is shipped and embedded,
//! [`RulePack::builtin`]; [`RulePack::from_toml`] checks any other, whose file the
//! engine reads) with
//!
//! * `version` (`"2026-Q4-V1.0"`) and `history_quarters`;
//! * `[levels]`: the level policy (see [`level`]);
//! * `[[monitoring.check]]`: the monitoring policy (see [`frequency`]);
//! * `[[rule]]`: `code` (stable, `W01`), `name` (the condition, `CurrentRatioBelowFloor`),
//!   `name_zh`, `name_en`, `level` (`red`, `yellow` or `green_watch`), `when`,
//!   `action_zh`, `action_en`, `source`, optional `scope = { industries, customer_types,
//!   tiers, regions }`;
//! * `[[aggregate]]`: peer rules over industries and regions (see [`aggregate`]).
//!
//! # Evaluation
//!
//! A pack compiles once; [`RulePack::evaluator`] prepares it for an as-of date (the event
//! windows placed on the calendar once) and is shared by every thread of a portfolio run.
//! The pack reads a handful of indicators, some of them quarters back; these become one
//! small *probe* catalogue (see the `compile` module), so evaluating a customer is one
//! indicator evaluation of just those values, one pass over its events for the event
//! counts, and the rules over the results. Evidence is built only for rules that fire.
//! Working from the credit file rather than from stored indicator histories keeps the
//! warnings a function of the records, the as-of date, the catalogue version and the
//! pack version, like ratings.
//!
//! The shipped pack takes about 8 µs per customer on one core on synthetic credit files
//! (twelve quarters of statements, 38 invoices, 35 payments, 6 events), about as long as
//! one evaluation of the whole catalogue: 1,000,000 customers in about 4 s on two cores
//! (`benches/warning.rs`).

pub mod aggregate;
mod check;
mod compile;
mod error;
mod eval;
mod evidence;
pub mod frequency;
pub mod knobs;
pub mod level;
mod load;
mod pack;
mod syntax;

pub use aggregate::{
    AggregateRule, GroupBy, Leading, PeerAlert, PeerSignal, PeerSummary, SignalHit, evaluate_peers,
    revenue_ttm,
};
pub use error::{PackError, Problem};
pub use eval::{CustomerStatus, CustomerWarnings, Evaluator};
pub use evidence::{Fact, FactKind, Firing, Language, Reading, Term};
pub use frequency::{Interval, MonitoredCustomer, MonitoringCheck, MonitoringPolicy};
pub use level::{Level, LevelCause, LevelDecision, LevelInput, LevelPolicy, RuleHit, RuleLevel};
pub use pack::{BUILTIN_PACK, Rule, RulePack, Scope};
