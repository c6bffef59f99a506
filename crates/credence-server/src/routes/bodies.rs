//! Response bodies of the API for values the store and the engine produce. Each is a type
//! of the API's own, converted from its source, so the wire format is written down here
//! and a change in those crates does not silently change what clients receive. Fields
//! keep the order clients have always seen; bodies that were built as JSON maps keep
//! their keys in alphabetical order.
//!
//! Nested analytic values have bodies of their own too, beside this module: a check's
//! result (`check_bodies`), relations and groups (`relation_bodies`), the portfolio
//! overview (`overview_bodies`), aging and worklists (`receivable_bodies`), the catalogue
//! and rule pack (`catalogue_bodies`), and ratings, overrides and rating runs
//! (`rating_bodies`). Only a registered model's file and drift points are still carried as
//! the engine gives them.

use serde::Serialize;
use utoipa::ToSchema;

use crate::routes::overview_bodies as ob;
use crate::routes::receivable_bodies as rcb;

/// A warning raised by a rule, with its evidence.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AlertBody {
    pub id: i64,
    /// `customer`, `industry`, `sub_industry` or `region`.
    pub subject_kind: String,
    /// The customer id, industry section, sub-industry or region.
    pub subject: String,
    pub rule_code: String,
    pub name_en: String,
    pub name_zh: String,
    /// `red`, `yellow` or `green_watch`.
    pub level: String,
    /// `open` or `closed`.
    pub status: String,
    pub raised_as_of: String,
    pub raised_at: String,
    pub last_as_of: String,
    /// The firing with its evidence (JSON text).
    pub evidence: String,
    pub closed_as_of: Option<String>,
    pub closed_at: Option<String>,
    pub close_note: Option<String>,
}

impl From<credence_store::StoredAlert> for AlertBody {
    fn from(a: credence_store::StoredAlert) -> Self {
        AlertBody {
            id: a.id,
            subject_kind: a.subject_kind,
            subject: a.subject,
            rule_code: a.rule_code,
            name_en: a.name_en,
            name_zh: a.name_zh,
            level: a.level,
            status: a.status,
            raised_as_of: a.raised_as_of,
            raised_at: a.raised_at.into(),
            last_as_of: a.last_as_of,
            evidence: a.evidence,
            closed_as_of: a.closed_as_of,
            closed_at: a.closed_at.map(Into::into),
            close_note: a.close_note,
        }
    }
}

/// A warning case.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseBody {
    pub id: i64,
    pub customer_id: String,
    pub level: String,
    /// `open` or `closed`.
    pub status: String,
    /// `watch`, `downgrade` or `exit`.
    pub stage: String,
    pub owner: String,
    pub escalated_to: Option<String>,
    pub opened_at: String,
    pub due_at: String,
    pub closed_at: Option<String>,
    pub outcome: Option<String>,
}

impl From<credence_store::StoredCase> for CaseBody {
    fn from(c: credence_store::StoredCase) -> Self {
        CaseBody {
            id: c.id,
            customer_id: c.customer_id.into_string(),
            level: c.level,
            status: c.status,
            stage: c.stage,
            owner: c.owner,
            escalated_to: c.escalated_to,
            opened_at: c.opened_at.into(),
            due_at: c.due_at.into(),
            closed_at: c.closed_at.map(Into::into),
            outcome: c.outcome,
        }
    }
}

/// A credit repair plan with its items.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RepairPlanBody {
    pub id: i64,
    pub customer_id: String,
    /// `open`, `completed` or `abandoned`.
    pub status: String,
    pub reason: String,
    pub opened_at: String,
    pub opened_by: String,
    pub grade_before: Option<String>,
    pub completed_at: Option<String>,
    pub grade_after: Option<String>,
    pub items: Vec<RepairItemBody>,
}

/// An item of a repair plan.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RepairItemBody {
    pub id: i64,
    pub kind: String,
    pub description: String,
    /// `open` or `done`.
    pub status: String,
    pub evidence: Option<String>,
    pub done_at: Option<String>,
    pub done_by: Option<String>,
}

impl From<credence_store::RepairPlan> for RepairPlanBody {
    fn from(p: credence_store::RepairPlan) -> Self {
        RepairPlanBody {
            id: p.id,
            customer_id: p.customer_id.into_string(),
            status: p.status,
            reason: p.reason,
            opened_at: p.opened_at.into(),
            opened_by: p.opened_by,
            grade_before: p.grade_before,
            completed_at: p.completed_at.map(Into::into),
            grade_after: p.grade_after,
            items: p
                .items
                .into_iter()
                .map(|i| RepairItemBody {
                    id: i.id,
                    kind: i.kind,
                    description: i.description,
                    status: i.status,
                    evidence: i.evidence,
                    done_at: i.done_at.map(Into::into),
                    done_by: i.done_by,
                })
                .collect(),
        }
    }
}

/// A repair plan after a change; completing it adds the grades before and after the
/// customer's re-rating.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(untagged)]
pub enum RepairChangeBody {
    Plan(RepairPlanBody),
    Completed(RepairOutcomeBody),
}

/// A completed repair plan and what re-rating made of the customer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RepairOutcomeBody {
    pub grade_after: Option<String>,
    pub grade_before: Option<String>,
    pub plan: RepairPlanBody,
    /// The new letter grade is better than the one the plan started from.
    pub upgraded: bool,
}

impl From<credence_engine::RepairOutcome> for RepairOutcomeBody {
    fn from(o: credence_engine::RepairOutcome) -> Self {
        RepairOutcomeBody {
            grade_after: o.grade_after,
            grade_before: o.grade_before,
            plan: o.plan.into(),
            upgraded: o.upgraded,
        }
    }
}

/// A request to change a customer's limit or terms, with its proposal and route.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LimitRequestBody {
    pub id: i64,
    pub customer_id: String,
    pub policy_version: String,
    pub as_of: String,
    pub created_at: String,
    /// `pending`, `approved`, `rejected` or `superseded`.
    pub status: String,
    pub currency: String,
    pub current_limit: i64,
    pub requested_limit: i64,
    pub current_term_days: i64,
    pub requested_term_days: i64,
    pub temporary_limit: Option<i64>,
    pub temporary_expires: Option<String>,
    /// The proposal with its reasons (JSON text).
    pub proposal: String,
    /// The approval route (JSON text).
    pub route: String,
}

impl From<credence_store::StoredLimitRequest> for LimitRequestBody {
    fn from(r: credence_store::StoredLimitRequest) -> Self {
        LimitRequestBody {
            id: r.id,
            customer_id: r.customer_id.into_string(),
            policy_version: r.policy_version,
            as_of: r.as_of,
            created_at: r.created_at.into(),
            status: r.status,
            currency: r.currency,
            current_limit: r.current_limit,
            requested_limit: r.requested_limit,
            current_term_days: r.current_term_days,
            requested_term_days: r.requested_term_days,
            temporary_limit: r.temporary_limit,
            temporary_expires: r.temporary_expires,
            proposal: r.proposal,
            route: r.route,
        }
    }
}

/// A limit request after a decision (keys in alphabetical order).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LimitDecisionBody {
    /// The authority the decision was signed in.
    pub authority: String,
    pub id: i64,
    /// Where the request stands after it.
    pub status: RequestStatusBody,
}

/// Where a limit request stands after its decisions.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum RequestStatusBody {
    /// The route is empty: nothing above what the customer has was asked for.
    NotNeeded,
    /// Waiting for the step at `step` (0-based) and its role, which has `approvals` of the
    /// `quorum` approvals it needs.
    Pending { step: usize, role: String, approvals: u32, quorum: u32 },
    Approved {
        #[schema(value_type = String, format = DateTime)]
        at: chrono::DateTime<chrono::Utc>,
    },
    Rejected {
        step: usize,
        by: String,
        #[schema(value_type = String, format = DateTime)]
        at: chrono::DateTime<chrono::Utc>,
    },
}

impl From<credence_engine::types::control::RequestStatus> for RequestStatusBody {
    fn from(s: credence_engine::types::control::RequestStatus) -> Self {
        use credence_engine::types::control::RequestStatus as S;
        match s {
            S::NotNeeded => RequestStatusBody::NotNeeded,
            S::Pending { step, role, approvals, quorum } => {
                RequestStatusBody::Pending { step, role, approvals, quorum }
            }
            S::Approved { at } => RequestStatusBody::Approved { at },
            S::Rejected { step, by, at } => RequestStatusBody::Rejected { step, by, at },
        }
    }
}

/// An order the credit check blocked, and what became of it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BlockedOrderBody {
    pub id: i64,
    pub order_ref: String,
    pub customer_id: String,
    pub currency: String,
    pub amount: i64,
    pub order_date: String,
    /// `blocked`, `released` or `rejected`.
    pub status: String,
    /// The latest check's result (JSON text).
    pub result: String,
    pub blocked_at: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub reason: Option<String>,
}

impl From<credence_store::BlockedOrder> for BlockedOrderBody {
    fn from(o: credence_store::BlockedOrder) -> Self {
        BlockedOrderBody {
            id: o.id,
            order_ref: o.order_ref,
            customer_id: o.customer_id.into_string(),
            currency: o.currency,
            amount: o.amount,
            order_date: o.order_date,
            status: o.status,
            result: o.result,
            blocked_at: o.blocked_at.into(),
            decided_by: o.decided_by,
            decided_at: o.decided_at.map(Into::into),
            reason: o.reason,
        }
    }
}

/// An API token (never its secret).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TokenBody {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    /// Comma-separated permissions the token is limited to; empty: the user's own.
    pub scopes: String,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub revoked_at: Option<String>,
    pub last_used_at: Option<String>,
}

impl From<credence_store::StoredToken> for TokenBody {
    fn from(t: credence_store::StoredToken) -> Self {
        TokenBody {
            id: t.id,
            user_id: t.user_id,
            name: t.name,
            scopes: t.scopes,
            created_at: t.created_at.into(),
            expires_at: t.expires_at.map(Into::into),
            revoked_at: t.revoked_at.map(Into::into),
            last_used_at: t.last_used_at.map(Into::into),
        }
    }
}

/// A background run claimed through the database.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct JobRunBody {
    /// `job:period` (`warnings:2026-11-22`).
    pub run: String,
    /// The instance holding or last holding the claim.
    pub claimed_by: Option<String>,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    /// `ok: …` or `failed: …` once finished.
    pub status: Option<String>,
}

impl From<credence_store::JobRun> for JobRunBody {
    fn from(r: credence_store::JobRun) -> Self {
        JobRunBody {
            run: r.run,
            claimed_by: r.claimed_by,
            started_at: r.started_at.map(Into::into),
            finished_at: r.finished_at.map(Into::into),
            status: r.status,
        }
    }
}

/// A disputed invoice.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DisputeBody {
    pub id: i64,
    pub customer_id: String,
    pub invoice_no: String,
    pub opened_on: String,
    pub currency: String,
    /// The amount disputed, minor units.
    pub amount: i64,
    pub reason: String,
    pub actor: String,
    pub resolved_on: Option<String>,
    pub resolution: Option<String>,
    pub resolved_by: Option<String>,
}

impl From<credence_store::StoredDispute> for DisputeBody {
    fn from(d: credence_store::StoredDispute) -> Self {
        DisputeBody {
            id: d.id,
            customer_id: d.customer_id.into_string(),
            invoice_no: d.invoice_no,
            opened_on: d.opened_on,
            currency: d.currency,
            amount: d.amount,
            reason: d.reason,
            actor: d.actor,
            resolved_on: d.resolved_on,
            resolution: d.resolution,
            resolved_by: d.resolved_by,
        }
    }
}

/// The id of what was created.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CreatedBody {
    pub id: i64,
}

/// The outcome of checking the whole audit chain.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum AuditVerificationBody {
    Intact {
        records: i64,
        head_hash: String,
        /// Records whose MAC was checked with the key.
        macs_checked: i64,
        /// Keyed records whose MAC could not be checked: no key given, or another key.
        macs_unchecked: i64,
        /// Records written before the chain was keyed (plain SHA-256).
        unkeyed: i64,
        /// Checkpoints the log was compared with, and how many of their signatures could
        /// not be checked for want of the key.
        checkpoints: usize,
        checkpoint_signatures_unchecked: usize,
        /// Records up to this sequence number were purged (after archiving).
        purged_through: i64,
    },
    /// The first record (or the head, or a checkpoint) that does not fit, and why.
    Broken { seq: i64, reason: String },
}

impl From<credence_store::AuditVerification> for AuditVerificationBody {
    fn from(v: credence_store::AuditVerification) -> Self {
        use credence_store::AuditVerification as V;
        match v {
            V::Intact {
                records,
                head_hash,
                macs_checked,
                macs_unchecked,
                unkeyed,
                checkpoints,
                checkpoint_signatures_unchecked,
                purged_through,
            } => AuditVerificationBody::Intact {
                records,
                head_hash,
                macs_checked,
                macs_unchecked,
                unkeyed,
                checkpoints,
                checkpoint_signatures_unchecked,
                purged_through,
            },
            V::Broken { seq, reason } => AuditVerificationBody::Broken { seq, reason },
        }
    }
}

/// A credit check of an order and what became of the order.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrderCheckBody {
    pub customer_id: String,
    pub order_ref: Option<String>,
    /// Pass or block, every step's result and the smallest remedy.
    pub result: crate::routes::check_bodies::CheckResultBody,
    /// The blocked order's queue id when the order was blocked and queued.
    pub blocked_order: Option<i64>,
}

impl From<credence_engine::OrderCheck> for OrderCheckBody {
    fn from(c: credence_engine::OrderCheck) -> Self {
        OrderCheckBody {
            customer_id: c.customer_id.into_string(),
            order_ref: c.order_ref,
            result: c.result.into(),
            blocked_order: c.blocked_order,
        }
    }
}

/// A row scored by a model.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RowScoreBody {
    pub pd: f64,
    pub score: f64,
    pub grade: String,
    /// The features that pushed the risk up most.
    pub reasons: Vec<ReasonBody>,
}

/// A feature's part in a row's score.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReasonBody {
    pub feature: String,
    pub value: String,
    pub contribution: f64,
}

impl From<credence_engine::types::model::RowScore> for RowScoreBody {
    fn from(s: credence_engine::types::model::RowScore) -> Self {
        RowScoreBody {
            pd: s.pd,
            score: s.score,
            grade: s.grade,
            reasons: s
                .reasons
                .into_iter()
                .map(|r| ReasonBody { feature: r.feature, value: r.value, contribution: r.contribution })
                .collect(),
        }
    }
}

/// A registered model with its validation, grades and the drift of its runs.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ModelDetailBody {
    pub registered_at: String,
    pub registered_by: String,
    /// The model file: features, coefficients or trees, validation and grade table.
    #[schema(value_type = Object)]
    pub model: credence_engine::types::model::ModelFile,
    /// Each challenger run's PSI of PDs against the training population, oldest first.
    #[schema(value_type = Vec<Object>)]
    pub drift: Vec<credence_engine::model::DriftPoint>,
}

impl From<credence_engine::model::ModelDetail> for ModelDetailBody {
    fn from(d: credence_engine::model::ModelDetail) -> Self {
        ModelDetailBody {
            registered_at: d.registered_at,
            registered_by: d.registered_by,
            model: d.model,
            drift: d.drift,
        }
    }
}

/// The portfolio's figures over the customers in scope that match the filters.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OverviewBody {
    #[schema(value_type = String, format = Date)]
    pub as_of: chrono::NaiveDate,
    pub currency: String,
    pub lgd: f64,
    pub totals: ob::TotalsBody,
    /// Red, yellow, green.
    pub levels: Vec<ob::LevelTileBody>,
    pub grades: Vec<ob::GradeBarBody>,
    pub heat: ob::HeatMapBody,
    pub largest: Vec<ob::LargeExposureBody>,
    pub concentration: ob::ConcentrationBody,
    pub overdue_trend: Vec<ob::OverdueTrendPointBody>,
    pub pd_trend: Vec<ob::PdTrendPointBody>,
}

impl From<credence_engine::types::portfolio::Overview> for OverviewBody {
    fn from(o: credence_engine::types::portfolio::Overview) -> Self {
        OverviewBody {
            as_of: o.as_of,
            currency: o.currency,
            lgd: o.lgd,
            totals: o.totals.into(),
            levels: ob::each(o.levels),
            grades: ob::each(o.grades),
            heat: o.heat.into(),
            largest: ob::each(o.largest),
            concentration: o.concentration.into(),
            overdue_trend: ob::each(o.overdue_trend),
            pd_trend: ob::each(o.pd_trend),
        }
    }
}

/// Aging on a date: the roll-up, the customers with the most overdue, and the portfolio
/// at the month ends before.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgingBody {
    /// By group, business line and portfolio.
    pub report: rcb::AgingReportBody,
    /// `[customer, aging line]`: the most 90+ days overdue first.
    #[schema(value_type = Vec<Vec<Object>>)]
    pub top_customers: Vec<(String, rcb::AgingLineBody)>,
    /// `[month end, the portfolio's aging line]`, oldest first.
    #[schema(value_type = Vec<Vec<Object>>)]
    pub history: Vec<(chrono::NaiveDate, rcb::AgingLineBody)>,
}

impl From<credence_engine::AgingView> for AgingBody {
    fn from(a: credence_engine::AgingView) -> Self {
        AgingBody {
            report: a.report.into(),
            top_customers: a.top_customers.into_iter().map(|(c, l)| (c, l.into())).collect(),
            history: a.history.into_iter().map(|(d, l)| (d, l.into())).collect(),
        }
    }
}

/// Today's worklists of the collectors.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WorklistBody {
    #[schema(value_type = String, format = Date)]
    pub date: chrono::NaiveDate,
    pub strategy_version: String,
    /// By owner id.
    pub collectors: Vec<rcb::CollectorListBody>,
    /// Customers waiting for a promise: `[customer, owner, until]`, by customer id.
    #[schema(value_type = Vec<Vec<String>>)]
    pub on_hold: Vec<(String, String, chrono::NaiveDate)>,
}

impl From<credence_engine::types::control::Worklist> for WorklistBody {
    fn from(w: credence_engine::types::control::Worklist) -> Self {
        WorklistBody {
            date: w.date,
            strategy_version: w.strategy_version,
            collectors: ob::each(w.collectors),
            on_hold: w.on_hold,
        }
    }
}

/// The result of an import.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportReportBody {
    pub file: String,
    /// The kind of records (`customers`, `ledger`, …).
    pub kind: String,
    /// `committed` or `rejected`.
    pub status: String,
    pub import_id: Option<i64>,
    pub rows_read: u64,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub rejected_rows: u64,
    pub errors: u64,
    pub warnings: u64,
    pub rejects_file: Option<String>,
    /// Problems, errors and warnings, in row order.
    pub diagnostics: Vec<DiagnosticBody>,
    pub diagnostics_omitted: u64,
}

/// One problem found in a file: where, which rule, which value, and what to do.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DiagnosticBody {
    pub file: String,
    /// Spreadsheet row: the header is row 1, the first record row 2.
    pub row: u64,
    pub column: Option<String>,
    pub rule: DiagnosticRuleBody,
    pub value: String,
    pub message: String,
}

/// The data-quality rule a problem broke.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DiagnosticRuleBody {
    /// Stable code (`F01`).
    pub code: String,
    pub name: String,
    /// `completeness`, `format`, `consistency`, `outlier` or `duplicate`.
    pub level: String,
    /// `error` (rejects the row) or `warning`.
    pub severity: String,
}

impl From<credence_records::Diagnostic> for DiagnosticBody {
    fn from(d: credence_records::Diagnostic) -> Self {
        use credence_records::{Level, Severity};
        let level = match d.rule.level {
            Level::Completeness => "completeness",
            Level::Format => "format",
            Level::Consistency => "consistency",
            Level::Outlier => "outlier",
            Level::Duplicate => "duplicate",
        };
        let severity = match d.rule.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        DiagnosticBody {
            file: d.file,
            row: d.row,
            column: d.column,
            rule: DiagnosticRuleBody {
                code: d.rule.code.to_owned(),
                name: d.rule.name.to_owned(),
                level: level.to_owned(),
                severity: severity.to_owned(),
            },
            value: d.value,
            message: d.message,
        }
    }
}

impl From<credence_engine::ImportReport> for ImportReportBody {
    fn from(r: credence_engine::ImportReport) -> Self {
        ImportReportBody {
            file: r.file,
            kind: r.kind.code().to_owned(),
            status: match r.status {
                credence_engine::ImportStatus::Committed => "committed",
                credence_engine::ImportStatus::Rejected => "rejected",
            }
            .to_owned(),
            import_id: r.import_id,
            rows_read: r.rows_read,
            inserted: r.inserted,
            updated: r.updated,
            unchanged: r.unchanged,
            rejected_rows: r.rejected_rows,
            errors: r.errors,
            warnings: r.warnings,
            rejects_file: r.rejects_file,
            diagnostics: r.diagnostics.into_iter().map(DiagnosticBody::from).collect(),
            diagnostics_omitted: r.diagnostics_omitted,
        }
    }
}

/// One group in full: its report, exposure and members.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupDetailBody {
    /// Members, the rule that put each in and the control chains.
    pub report: crate::routes::relation_bodies::GroupReportBody,
    pub exposure: crate::routes::relation_bodies::GroupExposureBody,
    pub members: Vec<MemberExposureBody>,
    /// Currency of every amount, in minor units.
    pub currency: String,
}

/// A customer member's exposure and limit.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MemberExposureBody {
    pub customer: String,
    pub exposure: i64,
    pub limit: Option<i64>,
}

impl From<credence_engine::GroupDetail> for GroupDetailBody {
    fn from(g: credence_engine::GroupDetail) -> Self {
        GroupDetailBody {
            report: g.report.into(),
            exposure: g.exposure.into(),
            members: g
                .members
                .into_iter()
                .map(|m| MemberExposureBody { customer: m.customer, exposure: m.exposure, limit: m.limit })
                .collect(),
            currency: g.currency,
        }
    }
}

/// The warning rules' precision, recall, lead time and false alarms on the history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RulesPerformanceBody {
    pub pack_version: String,
    #[schema(value_type = Vec<String>)]
    pub dates: Vec<chrono::NaiveDate>,
    pub horizon_months: u32,
    /// Customers evaluated at one date at least, and those that defaulted within the
    /// horizon after a date they were evaluated at.
    pub customers: u64,
    pub defaulters: u64,
    /// Customer-dates evaluated (customers not yet defaulted at a date), and the share of
    /// them followed by a default within the horizon.
    pub observations: u64,
    pub base_rate: Option<f64>,
    pub rules: Vec<RulePerformanceBody>,
    /// The pack as a whole: the customer-dates its level policy made yellow or red from
    /// the rules alone.
    pub pack: MeasuresBody,
}

/// One rule's record over the evaluation dates.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RulePerformanceBody {
    pub code: String,
    pub name_en: String,
    pub name_zh: String,
    /// `red`, `yellow` or `green_watch`.
    pub level: String,
    #[serde(flatten)]
    pub measures: MeasuresBody,
    /// Lift below 1: the rule fired no more often before a default than at random.
    pub below_base_rate: bool,
}

/// What a rule, or the pack, did over the evaluation dates. An observation is a customer
/// not yet defaulted at a date; it is positive when a default follows within the horizon.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeasuresBody {
    /// Observations it fired on.
    pub firings: u64,
    /// Customers it fired for at least once.
    pub customers: u64,
    /// Share of all observations it fired on.
    pub flagged_share: Option<f64>,
    /// Runs of firings starting after the first date, per month of the dates' span.
    pub alerts_per_month: Option<f64>,
    /// Share of its firings that were positive, and the 95% Wilson interval.
    pub precision: Option<f64>,
    #[schema(value_type = Option<Vec<f64>>)]
    pub precision_ci: Option<(f64, f64)>,
    /// Precision over the base rate, and the precision's interval over the base rate.
    pub lift: Option<f64>,
    #[schema(value_type = Option<Vec<f64>>)]
    pub lift_ci: Option<(f64, f64)>,
    /// Of the customers that defaulted within the horizon after a date, the share it fired
    /// for within the horizon before the default, and the 95% Wilson interval.
    pub recall: Option<f64>,
    #[schema(value_type = Option<Vec<f64>>)]
    pub recall_ci: Option<(f64, f64)>,
    /// Defaulters it caught that no other rule caught (for the pack: all it caught).
    pub caught_alone: u64,
    /// Median days from the first firing (within the horizon) to the default, over the
    /// defaults caught.
    pub median_lead_days: Option<f64>,
    /// Episodes that ended without a default within the horizon of their start, as a
    /// share of the episodes that ended.
    pub false_alarm_rate: Option<f64>,
}

impl From<&credence_engine::Measures> for MeasuresBody {
    fn from(m: &credence_engine::Measures) -> Self {
        MeasuresBody {
            firings: m.firings,
            customers: m.customers,
            flagged_share: m.flagged_share,
            alerts_per_month: m.alerts_per_month,
            precision: m.precision,
            precision_ci: m.precision_ci,
            lift: m.lift,
            lift_ci: m.lift_ci,
            recall: m.recall,
            recall_ci: m.recall_ci,
            caught_alone: m.caught_alone,
            median_lead_days: m.median_lead_days,
            false_alarm_rate: m.false_alarm_rate,
        }
    }
}

impl From<&credence_engine::RulePerformance> for RulePerformanceBody {
    fn from(r: &credence_engine::RulePerformance) -> Self {
        RulePerformanceBody {
            code: r.code.clone(),
            name_en: r.name_en.clone(),
            name_zh: r.name_zh.clone(),
            level: r.level.clone(),
            measures: MeasuresBody::from(&r.measures),
            below_base_rate: r.measures.below_base_rate(),
        }
    }
}

impl From<&credence_engine::RulesPerformanceReport> for RulesPerformanceBody {
    fn from(r: &credence_engine::RulesPerformanceReport) -> Self {
        RulesPerformanceBody {
            pack_version: r.pack_version.clone(),
            dates: r.dates.clone(),
            horizon_months: r.horizon_months,
            customers: r.customers,
            defaulters: r.defaulters,
            observations: r.observations,
            base_rate: r.base_rate,
            rules: r.rules.iter().map(RulePerformanceBody::from).collect(),
            pack: MeasuresBody::from(&r.pack),
        }
    }
}

/// A report still being measured (202).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeasuringBody {
    pub message: String,
    /// `measuring`.
    pub status: String,
}

/// The body of a value.
pub(crate) fn body<T, B: From<T>>(value: T) -> axum::Json<B> {
    axum::Json(B::from(value))
}

/// The body of a list of values.
pub(crate) fn list<T, B: From<T>>(values: Vec<T>) -> axum::Json<Vec<B>> {
    axum::Json(values.into_iter().map(B::from).collect())
}

/// What changing a user's data scope did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AccessChangedBody {
    /// Approval authorities dropped because the new scope no longer allows them.
    pub authorities_dropped: Vec<String>,
}

/// A case with its log and its alerts.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseDetailBody {
    pub case: CaseBody,
    pub log: Vec<CaseEventBody>,
    pub alerts: Vec<AlertBody>,
}

/// One entry of a case's log.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseEventBody {
    pub at: String,
    pub actor: String,
    /// `opened`, `joined`, `assigned`, `action`, `escalated`, `overdue`, `closed`.
    pub kind: String,
    pub note: String,
}

impl From<crate::routes::cases::CaseView> for CaseDetailBody {
    fn from(v: crate::routes::cases::CaseView) -> Self {
        CaseDetailBody {
            case: v.case.into(),
            log: v
                .log
                .into_iter()
                .map(|e| CaseEventBody { at: e.at.into(), actor: e.actor, kind: e.kind, note: e.note })
                .collect(),
            alerts: v.alerts.into_iter().map(Into::into).collect(),
        }
    }
}

/// A record of the audit log.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditRecordBody {
    pub seq: i64,
    /// RFC 3339 time stamp.
    pub at: String,
    pub actor: String,
    pub role: String,
    /// What was done, e.g. `rating.override`, `limit.approve`.
    pub action: String,
    /// What it was done to, e.g. `customer:C0000042`.
    pub object: String,
    /// Before/after summary, JSON text.
    pub summary: String,
    pub client_ip: String,
    pub request_id: String,
    pub prev_hash: String,
    /// The record's MAC (or, for `sha256`, its plain hash).
    pub hash: String,
    /// `sha256` (unkeyed), `hmac-sha256` or `hmac-sm3`.
    pub algorithm: String,
    /// The key's id; empty for unkeyed records.
    pub key_id: String,
}

impl From<credence_store::AuditRecord> for AuditRecordBody {
    fn from(r: credence_store::AuditRecord) -> Self {
        let e = r.entry;
        AuditRecordBody {
            seq: r.seq,
            at: e.at.into(),
            actor: e.actor,
            role: e.role,
            action: e.action,
            object: e.object,
            summary: e.summary,
            client_ip: e.client_ip,
            request_id: e.request_id,
            prev_hash: r.prev_hash,
            hash: r.hash,
            algorithm: r.algorithm,
            key_id: r.key_id,
        }
    }
}
