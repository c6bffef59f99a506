//! Collection measures over receivables (CTRL-9): DSO by the count-back method and the
//! collection effectiveness index.
//!
//! **DSO, count-back**: start from the net receivables at the date and walk back through
//! the credit sales month by month, newest first. While the receivables left cover a
//! month's sales, subtract them and count the month's days; in the first month they do not
//! cover, count the covered fraction of its days. The month of the date counts its days up
//! to the date. Unlike the average method (receivables / sales × days), it is not moved by
//! a seasonal peak of sales long ago. When twelve months of sales do not cover the
//! receivables, DSO is at least the days counted and [`Dso::exhausted`] says so.
//!
//! **CEI** = (receivables at the start + credit sales in the period − receivables at the
//! end) / (receivables at the start + credit sales − current receivables at the end) × 100:
//! the share of what could be collected in the period that was collected. 100 is perfect.

use serde::Serialize;

use crate::aging::AgingProfile;

/// Days sales outstanding by the count-back method.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Dso {
    pub days: f64,
    /// The sales given did not cover the receivables: `days` is a lower bound.
    pub exhausted: bool,
}

/// DSO by count-back: `sales[k]` is the credit sales of the k-th month back (0 = the month
/// of the date), `days[k]` the days counted for it.
pub fn dso_count_back(receivables: i64, sales: &[i64], days: &[u32]) -> Dso {
    let mut left = receivables;
    let mut total = 0.0;
    if left <= 0 {
        return Dso { days: 0.0, exhausted: false };
    }
    for (&s, &d) in sales.iter().zip(days) {
        if s > 0 && left <= s {
            total += left as f64 / s as f64 * f64::from(d);
            return Dso { days: total, exhausted: false };
        }
        left -= s.max(0);
        total += f64::from(d);
    }
    Dso { days: total, exhausted: true }
}

/// The figures of a CEI period, minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CeiInput {
    pub begin_receivables: i64,
    pub credit_sales: i64,
    pub end_receivables: i64,
    /// Receivables at the end that are not yet due.
    pub end_current: i64,
}

/// Collection effectiveness index in percent; `None` when nothing was collectable.
pub fn cei(x: &CeiInput) -> Option<f64> {
    let collectable = x.begin_receivables + x.credit_sales - x.end_current;
    let collected = x.begin_receivables + x.credit_sales - x.end_receivables;
    (collectable > 0).then(|| collected as f64 / collectable as f64 * 100.0)
}

/// CEI between two agings of the same customers: net receivables at the start and end,
/// current items at the end.
pub fn cei_between(begin: &AgingProfile, end: &AgingProfile, credit_sales: i64) -> Option<f64> {
    cei(&CeiInput {
        begin_receivables: begin.net_receivables(),
        credit_sales,
        end_receivables: end.net_receivables(),
        end_current: end.overdue.current,
    })
}
