//! The result of an order's credit check as the API sends it: every step with its value,
//! threshold and sentence, and the remedy for a blocked order. Converted from the
//! engine's result, so its wire format is written down here. Amounts are minor units of
//! the result's currency.

use serde::Serialize;
use utoipa::ToSchema;

use credence_domain::Labelled;
use credence_engine::types::control as c;

/// Pass or block, every step's result and the smallest remedy.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CheckResultBody {
    pub pass: bool,
    #[schema(value_type = String, format = Date)]
    pub date: chrono::NaiveDate,
    pub currency: String,
    pub amount: i64,
    pub grade: String,
    /// `green_channel`, `admit`, `list_managed` or `refuse`.
    pub admission: String,
    /// `green`, `yellow` or `red`.
    pub level: String,
    pub exposure: ExposureBody,
    pub permanent_limit: i64,
    /// The temporary limit counted on the date (0 when none or expired).
    pub temporary_limit: i64,
    /// Group exposure before the order, when the customer is in a group.
    pub group_exposure: Option<i64>,
    /// The six steps, in step order.
    pub steps: Vec<CheckStepBody>,
    /// `None` when the order passes.
    pub remedy: Option<RemedyBody>,
}

/// Exposure by category.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExposureBody {
    /// Open invoices less unapplied cash.
    pub receivables: i64,
    pub open_orders: i64,
    pub special: i64,
    pub new_order: i64,
    pub total: i64,
}

/// One step of a check.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CheckStepBody {
    /// `limit`, `oldest_overdue`, `overdue_share`, `grade`, `red_level` or `group_limit`.
    pub code: String,
    pub name_en: String,
    pub name_zh: String,
    /// False when the step has nothing to check (no group, or a group without limit).
    pub applies: bool,
    pub passed: bool,
    pub value: MeasureBody,
    pub threshold: MeasureBody,
    pub message_en: String,
    pub message_zh: String,
}

/// A step's value or threshold: `"none"` or an object with one key naming the measure.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MeasureBody {
    None,
    /// Minor units of the result's currency.
    Money(i64),
    Days(i64),
    Percent(f64),
    /// A warning level code.
    Level(String),
    /// An admission code.
    Admission(String),
}

/// What releases a blocked order, or who has to decide.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RemedyBody {
    /// Changes that release the order, smallest first.
    Release { options: Vec<ReleaseOptionBody> },
    /// No change of amounts releases the order; only `role` can.
    Escalate {
        role: String,
        role_en: String,
        role_zh: String,
        /// The codes of the steps that call for the escalation.
        because: Vec<String>,
        text_en: String,
        text_zh: String,
    },
}

/// One way to release the order.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReleaseOptionBody {
    /// `collect_overdue`, `prepay`, `collect_then_prepay` or `ship_part`.
    pub kind: String,
    /// Payment in advance for part of the order.
    pub prepay: i64,
    /// For a partial shipment: the percentage and amount shipped now.
    pub ship_pct: u32,
    pub ship_amount: i64,
    /// Invoices to collect first, oldest due first.
    pub collect: Vec<CollectInvoiceBody>,
    pub collect_total: i64,
    /// The amount by which options are ordered.
    pub size: i64,
    pub text_en: String,
    pub text_zh: String,
}

/// An overdue invoice to collect.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CollectInvoiceBody {
    pub invoice_no: String,
    #[schema(value_type = String, format = Date)]
    pub due_date: chrono::NaiveDate,
    pub days_overdue: i64,
    pub amount: i64,
}

impl From<c::CheckResult> for CheckResultBody {
    fn from(r: c::CheckResult) -> Self {
        CheckResultBody {
            pass: r.pass,
            date: r.date,
            currency: r.currency.code().to_owned(),
            amount: r.amount,
            grade: r.grade.as_str().to_owned(),
            admission: r.admission.code().to_owned(),
            level: r.level.code().to_owned(),
            exposure: ExposureBody {
                receivables: r.exposure.receivables,
                open_orders: r.exposure.open_orders,
                special: r.exposure.special,
                new_order: r.exposure.new_order,
                total: r.exposure.total,
            },
            permanent_limit: r.permanent_limit,
            temporary_limit: r.temporary_limit,
            group_exposure: r.group_exposure,
            steps: r.steps.iter().map(CheckStepBody::from).collect(),
            remedy: r.remedy.map(RemedyBody::from),
        }
    }
}

impl From<&c::StepResult> for CheckStepBody {
    fn from(s: &c::StepResult) -> Self {
        CheckStepBody {
            code: s.code.code().to_owned(),
            name_en: s.code.name_en().to_owned(),
            name_zh: s.code.name_zh().to_owned(),
            applies: s.applies,
            passed: s.passed,
            value: s.value.into(),
            threshold: s.threshold.into(),
            message_en: s.message(c::Lang::En),
            message_zh: s.message(c::Lang::Zh),
        }
    }
}

impl From<c::Measure> for MeasureBody {
    fn from(m: c::Measure) -> Self {
        match m {
            c::Measure::None => MeasureBody::None,
            c::Measure::Money(v) => MeasureBody::Money(v),
            c::Measure::Days(v) => MeasureBody::Days(v),
            c::Measure::Percent(v) => MeasureBody::Percent(v),
            c::Measure::Level(l) => MeasureBody::Level(l.code().to_owned()),
            c::Measure::Admission(a) => MeasureBody::Admission(a.code().to_owned()),
        }
    }
}

impl From<c::Remedy> for RemedyBody {
    fn from(r: c::Remedy) -> Self {
        match r {
            c::Remedy::Release { options } => {
                RemedyBody::Release { options: options.into_iter().map(ReleaseOptionBody::from).collect() }
            }
            c::Remedy::Escalate { role, role_en, role_zh, because, text_en, text_zh } => {
                RemedyBody::Escalate {
                    role,
                    role_en,
                    role_zh,
                    because: because.into_iter().map(|s| s.code().to_owned()).collect(),
                    text_en,
                    text_zh,
                }
            }
        }
    }
}

/// The code of a release option's kind.
fn release_kind(k: c::ReleaseKind) -> &'static str {
    match k {
        c::ReleaseKind::CollectOverdue => "collect_overdue",
        c::ReleaseKind::Prepay => "prepay",
        c::ReleaseKind::CollectThenPrepay => "collect_then_prepay",
        c::ReleaseKind::ShipPart => "ship_part",
    }
}

impl From<c::ReleaseOption> for ReleaseOptionBody {
    fn from(o: c::ReleaseOption) -> Self {
        ReleaseOptionBody {
            kind: release_kind(o.kind).to_owned(),
            prepay: o.prepay,
            ship_pct: o.ship_pct,
            ship_amount: o.ship_amount,
            collect: o
                .collect
                .into_iter()
                .map(|i| CollectInvoiceBody {
                    invoice_no: i.invoice_no,
                    due_date: i.due_date,
                    days_overdue: i.days_overdue,
                    amount: i.amount,
                })
                .collect(),
            collect_total: o.collect_total,
            size: o.size,
            text_en: o.text_en,
            text_zh: o.text_zh,
        }
    }
}
