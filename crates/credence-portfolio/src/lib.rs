//! The portfolio view (PORT-1, PORT-3): where the credit risk of a whole book sits, for
//! the cockpit and the portfolio API.
//!
//! A [`Portfolio`] is plain data: one [`Position`] per customer on a date (master data,
//! grade and PD in force, warning level, exposure, limit, overdue amounts, and the
//! customer's receivables at earlier month ends and PDs in earlier rating runs). From any
//! [`Selection`] of it, [`overview`] computes what a credit manager reads first:
//!
//! - counts and exposure by red / yellow / green level, and the customers on watch;
//! - the distribution over letter grades (count, exposure, expected loss);
//! - a heat map of exposure-weighted PD by industry × region (or business line);
//! - the largest exposures and concentration: Herfindahl–Hirschman index over customers
//!   and over groups (a group is one obligor), top-ten share;
//! - expected loss, PD × LGD × EAD, with exposure at default the open receivables plus
//!   open orders and a loss-given-default parameter (45% by default: the Basel foundation
//!   IRB value for senior unsecured claims);
//! - trends of the overdue rate by month end and of the average PD by rating run.
//!
//! Every figure of the overview comes from the positions selected, so a drill-down (a
//! tile's [`Selection`]) lists exactly the customers behind the figure. The crate does no
//! IO and reads no clock; amounts are `i64` minor units of the portfolio's currency.
//!
//! ```
//! use credence_portfolio::{OverviewConfig, Portfolio, Position, PositionSort, Selection, overview, select};
//! use credence_control::Level;
//! let p = |id: &str, exposure: i64, pd: f64| Position {
//!     customer_id: id.into(), industry: "C".into(), region: "福建".into(),
//!     grade: Some("A".into()), pd: Some(pd), level: Level::Green,
//!     exposure, receivables: exposure, ..Position::default()
//! };
//! let book = Portfolio {
//!     positions: vec![p("C1", 60_000, 0.02), p("C2", 40_000, 0.05)],
//!     grade_order: vec!["AAA".into(), "A".into()],
//!     ..Portfolio::default()
//! };
//! let all = select(&book, &Selection::default(), &|_| true, PositionSort::Exposure);
//! let o = overview(&book, &all, &OverviewConfig::default());
//! // HHI: 0.6² + 0.4² = 0.52, i.e. 5,200 points.
//! assert_eq!(o.concentration.hhi_customers.round(), 5_200.0);
//! // Expected loss: 45% × (0.02 × 600.00 + 0.05 × 400.00) = 14.40.
//! assert_eq!(o.totals.expected_loss, 1_440);
//! ```

mod overview;
mod position;
mod selection;

pub use overview::{
    Concentration, GradeBar, HeatAxis, HeatCell, HeatMap, LargeExposure, LevelTile, OverdueTrendPoint,
    Overview, OverviewConfig, PdTrendPoint, Totals, overview,
};
pub use position::{OpenAt, Portfolio, Position};
pub use selection::{PositionSort, Selection, UNRATED, select};
