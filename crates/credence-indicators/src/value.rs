//! What evaluating the catalogue yields for one customer.

use chrono::NaiveDate;

/// Change of an indicator over time (IND-4). Each is `None` when the history is too short
/// or the base is zero.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Trend {
    /// Relative change against the previous quarter: (now − then) / |then|.
    pub qoq: Option<f64>,
    /// Relative change against four quarters earlier.
    pub yoy: Option<f64>,
    /// Compound annual growth over three years (12 quarters), for positive values.
    pub cagr_3y: Option<f64>,
    /// Least-squares slope per year over the last 12 quarters.
    pub slope_3y: Option<f64>,
}

/// One indicator of one customer at one date: a value, or the reason there is none.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct IndicatorValue {
    pub id: String,
    pub value: Option<f64>,
    /// Why `value` is `None` ("no statement on or before 2026-09-30", "current
    /// liabilities are zero"); `None` when there is a value.
    pub missing: Option<String>,
    /// The period the value describes (the statement's period end, or the as-of date for
    /// ledger and event indicators).
    pub period_end: Option<NaiveDate>,
    pub trend: Option<Trend>,
}

/// All indicators of one customer at one date, in catalogue order.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct IndicatorSet {
    pub customer_id: String,
    pub as_of: NaiveDate,
    pub catalogue_version: String,
    pub values: Vec<IndicatorValue>,
}

impl IndicatorSet {
    pub fn get(&self, id: &str) -> Option<&IndicatorValue> {
        self.values.iter().find(|v| v.id == id)
    }

    /// The value of an indicator, if it has one.
    pub fn value(&self, id: &str) -> Option<f64> {
        self.get(id).and_then(|v| v.value)
    }
}
