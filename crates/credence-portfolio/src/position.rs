//! One customer's position in the portfolio, and the portfolio on a date.

use chrono::NaiveDate;
use credence_control::Level;
use credence_domain::{Currency, CustomerId};
use serde::Serialize;

/// Open receivables at a month end and the part of them past due (minor units).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct OpenAt {
    pub open: i64,
    pub overdue: i64,
}

/// A customer in the portfolio on the portfolio's date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Position {
    pub customer_id: CustomerId,
    pub name: String,
    /// Customer type code (`large`, `sme`, … `individual`).
    pub customer_type: String,
    /// GB/T 4754 section letter.
    pub industry: String,
    pub region: String,
    pub org_unit: Option<String>,
    pub business_line: Option<String>,
    pub group_id: Option<String>,
    /// The letter grade in force (an override replaces the model's); none when never rated.
    pub grade: Option<String>,
    /// PD of the latest rating.
    pub pd: Option<f64>,
    pub level: Level,
    /// Under watch (green, with a peer or contagion alert).
    pub watch: bool,
    /// Exposure at default: open receivables plus open orders.
    pub exposure: i64,
    /// Open receivables less cash on account.
    pub receivables: i64,
    /// Credit limit in force (approved, with any temporary part, or imported).
    pub limit: i64,
    /// Open receivables past due, and more than 90 days past due.
    pub overdue: i64,
    pub over_90: i64,
    /// Receivables at each of the portfolio's `month_ends` (oldest first).
    pub history: Vec<OpenAt>,
    /// PD in each of the portfolio's `rating_dates` (oldest first); none when the customer
    /// was not rated then.
    pub pd_history: Vec<Option<f64>>,
}

impl Default for Position {
    fn default() -> Self {
        Position {
            customer_id: CustomerId::default(),
            name: String::new(),
            customer_type: String::new(),
            industry: String::new(),
            region: String::new(),
            org_unit: None,
            business_line: None,
            group_id: None,
            grade: None,
            pd: None,
            level: Level::Green,
            watch: false,
            exposure: 0,
            receivables: 0,
            limit: 0,
            overdue: 0,
            over_90: 0,
            history: Vec::new(),
            pd_history: Vec::new(),
        }
    }
}

impl Position {
    /// Exposure over the limit (zero when within it).
    pub fn over_limit(&self) -> i64 {
        (self.exposure - self.limit).max(0)
    }

    /// Exposure as a share of the limit; none without a limit.
    pub fn utilisation(&self) -> Option<f64> {
        (self.limit > 0).then(|| self.exposure as f64 / self.limit as f64)
    }
}

/// Every customer's position on a date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Portfolio {
    pub as_of: NaiveDate,
    #[serde(serialize_with = "currency_code")]
    pub currency: Currency,
    /// The month ends of each position's `history`, oldest first.
    pub month_ends: Vec<NaiveDate>,
    /// The as-of dates of the rating runs of each position's `pd_history`, oldest first.
    pub rating_dates: Vec<NaiveDate>,
    /// Letter grades from best to worst.
    pub grade_order: Vec<String>,
    /// By customer id.
    pub positions: Vec<Position>,
}

impl Default for Portfolio {
    fn default() -> Self {
        Portfolio {
            as_of: NaiveDate::MIN,
            currency: Currency::parse("CNY").expect("CNY is a currency"),
            month_ends: Vec::new(),
            rating_dates: Vec::new(),
            grade_order: Vec::new(),
            positions: Vec::new(),
        }
    }
}

impl Portfolio {
    /// A customer's position.
    pub fn position(&self, customer_id: &str) -> Option<&Position> {
        self.positions
            .binary_search_by(|p| p.customer_id.as_str().cmp(customer_id))
            .ok()
            .map(|i| &self.positions[i])
    }
}

fn currency_code<S: serde::Serializer>(c: &Currency, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(c.code())
}
