//! Alerts and cases, credit control, models and rules.

use askama::Template;

use super::{AlertRow, CaseRow, Frame};

/// The alerts and cases queue.
#[derive(Template)]
#[template(path = "work.html")]
pub struct WorkPage {
    pub f: Frame,
    pub cases: Vec<CaseRow>,
    pub alerts: Vec<AlertRow>,
    /// (label, link, current) of the level filters.
    pub levels: Vec<(String, String, bool)>,
    pub overdue_only: bool,
    pub overdue_link: String,
}

/// One case with its log and the forms to act on it.
#[derive(Template)]
#[template(path = "case.html")]
pub struct CasePage {
    pub f: Frame,
    pub case: CaseRow,
    pub customer_name: String,
    pub log: Vec<Vec<String>>,
    pub alerts: Vec<AlertRow>,
    pub may_act: bool,
    /// (code, name) of the emergency-plan templates.
    pub templates: Vec<(String, String)>,
}

/// A blocked order with the check's failed steps and remedy.
#[derive(Debug, Clone)]
pub struct OrderRow {
    pub id: i64,
    pub order_ref: String,
    pub customer_id: String,
    pub amount: String,
    pub blocked_at: String,
    pub failed: String,
    pub remedy: String,
}

/// A limit request awaiting the user.
#[derive(Debug, Clone)]
pub struct RequestRow {
    pub id: i64,
    pub customer_id: String,
    pub grade: String,
    pub current: String,
    pub requested: String,
    pub term: String,
    pub route: String,
    /// The route's next step, which the user holds the authority of and decides as
    /// (the server derives it again when the form is sent): code and name.
    pub authority: String,
    pub authority_name: String,
}

/// Credit control: blocked orders, limit requests, the collectors' worklist.
#[derive(Template)]
#[template(path = "control.html")]
pub struct ControlPage {
    pub f: Frame,
    pub orders: Vec<OrderRow>,
    pub may_decide_orders: bool,
    pub requests: Vec<RequestRow>,
    pub may_decide_limits: bool,
    pub worklist: Vec<Vec<String>>,
    pub amounts_note: String,
}

/// A registered model's figures.
#[derive(Debug, Clone)]
pub struct ModelRow {
    pub version: String,
    pub kind: String,
    pub trained: String,
    pub auc: String,
    pub ks: String,
    pub gini: String,
    /// Latest run's PSI and its reading (`stable`, `watch`, `act`).
    pub drift: String,
    pub drift_class: String,
    pub runs: String,
}

/// A warning rule with its measured performance.
#[derive(Debug, Clone)]
pub struct RuleRow {
    pub code: String,
    pub name: String,
    pub level: (String, String),
    pub condition: String,
    pub flagged: String,
    pub alerts_month: String,
    pub precision: String,
    pub lift: String,
    /// The rule is flagged as no better than chance (lift below 1).
    pub weak: bool,
    pub recall: String,
    pub caught_alone: String,
    pub lead: String,
    pub false_alarms: String,
}

/// Models and rules.
#[derive(Template)]
#[template(path = "models.html")]
pub struct ModelsPage {
    pub f: Frame,
    pub models: Vec<ModelRow>,
    pub rules: Vec<RuleRow>,
    /// The pack as a whole (any red or yellow rule), when measured.
    pub pack_row: Option<RuleRow>,
    /// Some rule is below the base rate.
    pub any_weak: bool,
    pub rules_note: String,
    /// The background jobs, for callers who may see the portfolio's runs.
    pub jobs: Option<JobsView>,
}

/// The jobs' schedules and latest runs.
#[derive(Debug, Clone, Default)]
pub struct JobsView {
    pub time_zone: String,
    pub scheduled_here: bool,
    /// (job, schedule, next run)
    pub schedules: Vec<(String, String, String)>,
    /// (run, instance, started, finished, status)
    pub runs: Vec<(String, String, String, String, String)>,
}
