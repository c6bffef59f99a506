//! Aging lines and the collectors' worklists as the API sends them, converted from the
//! engine's values so the wire format is written down here. Amounts are minor units.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

use credence_domain::Labelled;
use credence_engine::types::control as c;

/// Aging rolled up by group, business line and portfolio, keys in order.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgingReportBody {
    #[schema(value_type = String, format = Date)]
    pub as_of: chrono::NaiveDate,
    pub currency: String,
    pub portfolio: AgingLineBody,
    pub groups: BTreeMap<String, AgingLineBody>,
    pub business_lines: BTreeMap<String, AgingLineBody>,
}

/// An aging profile with the figures derived from it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgingLineBody {
    pub customers: u64,
    pub profile: AgingProfileBody,
    pub overdue_rate_pct: Option<f64>,
    pub bad_debt_rate_pct: Option<f64>,
    pub dso: DsoBody,
}

/// The aging of one customer or of a roll-up at a date.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgingProfileBody {
    /// Sum of open items.
    pub open: i64,
    /// Cash on account not applied to any invoice.
    pub unapplied: i64,
    pub overdue: OverdueBucketsBody,
    pub age: AgeBandsBody,
    pub items: u64,
    pub overdue_items: u64,
    /// Days overdue of the oldest overdue item (0 when none).
    pub oldest_overdue_days: i64,
    /// Open more than 180 days past due.
    pub over_180: i64,
    /// Invoiced in the twelve months to the date.
    pub invoiced_12m: i64,
    /// Credit sales by calendar month, newest first (twelve months).
    pub sales_by_month: Vec<i64>,
}

/// Open amounts by days overdue.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OverdueBucketsBody {
    pub current: i64,
    pub days_1_30: i64,
    pub days_31_60: i64,
    pub days_61_90: i64,
    pub over_90: i64,
}

/// Open amounts by age since issue.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgeBandsBody {
    pub under_1y: i64,
    pub years_1_2: i64,
    pub years_2_3: i64,
    pub over_3y: i64,
}

/// Days sales outstanding by the count-back method.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DsoBody {
    pub days: f64,
    /// The sales given did not cover the receivables: `days` is a lower bound.
    pub exhausted: bool,
}

impl From<c::AgingLine> for AgingLineBody {
    fn from(l: c::AgingLine) -> Self {
        let p = l.profile;
        AgingLineBody {
            customers: l.customers,
            profile: AgingProfileBody {
                open: p.open,
                unapplied: p.unapplied,
                overdue: OverdueBucketsBody {
                    current: p.overdue.current,
                    days_1_30: p.overdue.days_1_30,
                    days_31_60: p.overdue.days_31_60,
                    days_61_90: p.overdue.days_61_90,
                    over_90: p.overdue.over_90,
                },
                age: AgeBandsBody {
                    under_1y: p.age.under_1y,
                    years_1_2: p.age.years_1_2,
                    years_2_3: p.age.years_2_3,
                    over_3y: p.age.over_3y,
                },
                items: p.items,
                overdue_items: p.overdue_items,
                oldest_overdue_days: p.oldest_overdue_days,
                over_180: p.over_180,
                invoiced_12m: p.invoiced_12m,
                sales_by_month: p.sales_by_month.to_vec(),
            },
            overdue_rate_pct: l.overdue_rate_pct,
            bad_debt_rate_pct: l.bad_debt_rate_pct,
            dso: DsoBody { days: l.dso.days, exhausted: l.dso.exhausted },
        }
    }
}

impl From<c::AgingReport> for AgingReportBody {
    fn from(r: c::AgingReport) -> Self {
        let lines = |m: BTreeMap<String, c::AgingLine>| m.into_iter().map(|(k, v)| (k, v.into())).collect();
        AgingReportBody {
            as_of: r.as_of,
            currency: r.currency.code().to_owned(),
            portfolio: r.portfolio.into(),
            groups: lines(r.groups),
            business_lines: lines(r.business_lines),
        }
    }
}

/// One collector's list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CollectorListBody {
    pub owner: String,
    pub items: Vec<WorkItemBody>,
}

/// One customer on a collector's list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WorkItemBody {
    pub customer_id: String,
    /// The collection action's code.
    pub action: String,
    /// `ladder` (the strategy's step for the bucket and grade) or `broken_promise`.
    pub reason: String,
    /// The day the action became due (on or before today).
    #[schema(value_type = String, format = Date)]
    pub due_on: chrono::NaiveDate,
    pub days_overdue: i64,
    /// The overdue bucket's code.
    pub bucket: String,
    /// Amount at stake.
    pub amount: i64,
    pub pd: f64,
    pub urgency: f64,
    /// amount × PD × urgency, minor units.
    pub priority: f64,
    pub text_en: String,
    pub text_zh: String,
}

impl From<c::CollectorList> for CollectorListBody {
    fn from(l: c::CollectorList) -> Self {
        CollectorListBody { owner: l.owner, items: l.items.into_iter().map(WorkItemBody::from).collect() }
    }
}

impl From<c::WorkItem> for WorkItemBody {
    fn from(w: c::WorkItem) -> Self {
        WorkItemBody {
            customer_id: w.customer_id.into_string(),
            action: w.action.code().to_owned(),
            reason: match w.reason {
                c::WorkReason::Ladder => "ladder",
                c::WorkReason::BrokenPromise => "broken_promise",
            }
            .to_owned(),
            due_on: w.due_on,
            days_overdue: w.days_overdue,
            bucket: w.bucket.code().to_owned(),
            amount: w.amount,
            pd: w.pd,
            urgency: w.urgency,
            priority: w.priority,
            text_en: w.text_en,
            text_zh: w.text_zh,
        }
    }
}
