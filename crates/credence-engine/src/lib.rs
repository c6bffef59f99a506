//! The one API that the `credence` command line, the server and scheduled jobs call:
//! importing and exporting credit files, the demo portfolio, rating runs, the customer
//! page, overrides, and the effectiveness and back-test reports. It ties validation and
//! analytics to the store and knows neither SQL nor HTTP.
//!
//! ```no_run
//! use credence_engine::{import_file, ImportOptions};
//! use credence_records::Kind;
//! let mut store = credence_store::Store::open("credence.db").unwrap();
//! let as_of = chrono::NaiveDate::from_ymd_opt(2026, 9, 30).unwrap();
//! let report = import_file(&mut store, Kind::Customers, "customers.csv".as_ref(),
//!     &ImportOptions::new(as_of, "2026-10-01T08:00:00Z".into()), &mut |_| {}).unwrap();
//! println!("{} inserted, {} unchanged", report.inserted, report.unchanged);
//! ```

mod analysis;
mod artefacts;
mod batch;
mod billing;
mod billing_backtest;
mod billing_campaign;
mod billing_decide;
mod billing_grade;
mod billing_kpi;
mod billing_ledger;
mod billing_reconnect;
mod cases;
mod collections;
mod columns;
mod config_files;
mod control;
mod credit_file;
mod customer;
mod demo;
mod files;
mod groups;
mod import;
pub mod model;
mod model_data;
mod notify;
mod portfolio;
mod rate;
mod rate_shared;
mod receivables;
mod repair;
mod rule_performance;
mod rule_tuning;
mod scoring;
pub mod types;
mod views;
mod warn;

pub use analysis::{
    EffectivenessReport, EffectivenessRow, GradeOutcome, MigrationMatrix, RatingPerformance,
    indicator_effectiveness, rating_migration, rating_performance,
};
pub use artefacts::{ArtefactError, ArtefactPaths, ArtefactVersion, Artefacts};
pub use batch::{BatchPlan, import_batch, kind_of_file, plan_batch};
pub use billing::{
    ArrearsRule, BillingDataset, BillingDatasetOptions, FEATURES as BILLING_FEATURES,
    TARGET as BILLING_TARGET, month_ends, write_billing_dataset,
};
pub use billing_backtest::{
    Backtest, BacktestMonth, BacktestOptions, TOP_SHARES, TopShare, billing_backtest,
};
pub use billing_campaign::{
    CampaignFilter, CampaignItem, Campaigns, NewBillingAction, RouteCampaign, billing_campaigns,
    log_billing_action,
};
pub use billing_decide::{
    AccountPosition, BillPenalty, BillingTermsDecision, DecideRun, account_position, decide_billing_request,
    decide_billing_terms, held_account_positions, request_penalty_waiver,
};
pub use billing_grade::{GradeOptions, GradeRun, GradeSummary, TrendPoint, UnitLine, grade_accounts};
pub use billing_kpi::{BillingKpis, KpiLine, billing_kpis};
pub use billing_reconnect::{Reconnection, ReconnectionCounts, ReconnectionSla, reconnection_sla};
pub use cases::{
    CaseChange, EMERGENCY_PLANS, PLAYBOOKS, Playbook, STAGES, change_case, playbook, sweep_cases,
};
pub use collections::{
    NewDispute, NewPromise, disputes, log_collection_action, log_promise, open_dispute, resolve_dispute,
};
pub use config_files::{
    read_billing_policy, read_catalogue, read_group_config, read_notify_config, read_policy, read_rule_pack,
    read_rule_pack_source, read_scorecard_model, read_strategy,
};
pub use control::{
    BlockedDecision, LimitDecision, OrderCheck, OrderDecisionKind, OrderToCheck, PolicyRun, WarmBook,
    apply_policy, check_order, check_with_book, decide_blocked_order, decide_limit, load_billing_policy,
    load_policy, load_strategy, request_temporary_limit,
};
pub use credence_records::{Budget, CancelOnDrop, Cancelled, ReadLimits};
pub use credit_file::{LoadedFile, Qualitative, load_credit_files};
pub use customer::{
    CustomerView, HistoryLine, IndicatorLine, IndicatorSeries, IndicatorSource, Migration, RATING_APPROVER,
    customer_view, decide_override, indicator_series, override_rating,
};
pub use demo::{
    DemoReport, DemoWork, UtilityDemoReport, build_demo, build_demo_file, build_utility_demo, demo_as_of,
    work_demo,
};
pub use files::{export, export_selected, write_template};
pub use groups::{
    CustomerTies, Exposures, GroupDetail, GroupLine, MemberExposure, RelatedParties, distressed_customers,
    related_parties,
};
pub use import::{ImportOptions, ImportReport, ImportStatus, InvalidRows, import_file};
pub use model_data::{ModelDataset, target_column, write_model_dataset};
pub use notify::{NotifyReport, deliver_notifications};
pub use portfolio::{PortfolioOptions, PortfolioSnapshot, portfolio_snapshot};
pub use rate::{
    DetailError, RateOptions, RateReport, RateScope, RatingDetail, Unreproducible, rate_portfolio,
    rating_detail,
};
pub use rate_shared::{ShareOptions, SharedRateReport, default_parts, rate_shared};
pub use receivables::{AgingOptions, AgingView, aging, collection_report, collection_worklist};
pub use repair::{
    REPAIR_KINDS, RepairOutcome, abandon_repair, add_repair_item, complete_repair, finish_repair_item,
    open_repair,
};
pub use rule_performance::{
    Measures, RulePerformance, RulesPerformanceReport, evaluation_dates, rules_performance, wilson_interval,
};
pub use rule_tuning::{BeforeAfter, RuleTuning, TuneOptions, TuneReport, tune_rules};
pub use scoring::{ScoringError, score_rows};
pub use views::{approval_status, neighbourhood_of, portfolio_overview, portfolio_positions};
pub use warn::{WarnOptions, WarnReport, WarnScope, warn};

/// Why an engine operation failed (problems in the data are not errors: they are in the
/// import report).
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Store(#[from] credence_store::StoreError),
    #[error(transparent)]
    Read(#[from] credence_records::ReadError),
    #[error(transparent)]
    Write(#[from] credence_records::WriteError),
    #[error("the import was stopped and nothing was written")]
    Cancelled(#[from] credence_records::Cancelled),
    #[error("looking up stored data during validation failed")]
    Facts(#[source] credence_records::FactsError),
    #[error("cannot write {path}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write {path}")]
    Csv {
        path: String,
        #[source]
        source: csv::Error,
    },
    #[error("the records of customer '{id}' cannot be read: {reason}")]
    UnreadableCustomer { id: String, reason: String },
    #[error("customer '{id}' has not been rated yet; run `credence rate` first")]
    NotRated { id: String },
    /// A tuned setting of the rule pack that does not read or check back (a rule
    /// condition rewritten wrongly would be a bug; the text says which).
    #[error("the tuned rule pack cannot be built: {0}")]
    Tuning(String),
    #[error("stored rating {id} cannot be read")]
    BadStoredRating {
        id: i64,
        #[source]
        source: rate::DetailError,
    },
    #[error("the override was refused")]
    Override(#[source] credence_rating::OverrideError),
    #[error("no rating run {id}")]
    UnknownRatingRun { id: i64 },
    #[error("shared run: {0}")]
    SharedRun(String),
    #[error("'{value}' is not an RFC 3339 time stamp")]
    BadTimestamp { value: String },
    #[error("cannot serialise")]
    Serialise(#[source] serde_json::Error),
    #[error("the approval route of request {id} cannot be read")]
    BadStoredRoute {
        id: i64,
        #[source]
        source: serde_json::Error,
    },
    #[error("no case {id}; `credence case list` shows them")]
    UnknownCase { id: i64 },
    #[error("case {id} is closed")]
    CaseClosed { id: i64 },
    #[error("case {id} is at its last stage (exit)")]
    CaseAtLastStage { id: i64 },
    #[error("no emergency-plan template '{code}'; expected payment_stop, supply_chain_stop or ip_dispute")]
    UnknownTemplate { code: String },
    #[error("no repair plan {id}; `credence repair list` shows them")]
    UnknownRepairPlan { id: i64 },
    #[error("repair plan {plan} has no item {item}")]
    UnknownRepairItem { plan: i64, item: i64 },
    #[error("repair plan {id} is {status}")]
    RepairPlanClosed { id: i64, status: String },
    #[error("customer '{customer}' already has an open repair plan ({id})")]
    RepairPlanExists { customer: String, id: i64 },
    #[error(
        "repair plan {plan} cannot be completed: items {open:?} are not done (a plan needs at least one item)"
    )]
    RepairItemsOpen { plan: i64, open: Vec<i64> },
    #[error(
        "unknown repair item kind '{kind}'; expected fix_issue, training, credit_report_dispute or other"
    )]
    UnknownRepairKind { kind: String },
    #[error("evidence is required to mark a repair item done")]
    EvidenceRequired,
    /// The credit policy file given to the program: ours to fix, not a request's.
    #[error(transparent)]
    PolicyFile(credence_control::FileError),
    /// The collection strategy file given to the program.
    #[error(transparent)]
    StrategyFile(credence_control::FileError),
    /// The exposure book does not hold what the check needs.
    #[error(transparent)]
    Book(#[from] credence_control::BookError),
    /// A limit request the policy does not allow (a temporary limit too large or too long)
    /// or cannot route.
    #[error(transparent)]
    Request(#[from] credence_control::RequestError),
    /// The decisions on a limit request do not fit its route.
    #[error(transparent)]
    Decision(#[from] credence_control::DecisionError),
    /// The portfolio's features do not fit a registered model.
    #[error(transparent)]
    ModelColumns(#[from] credence_model::artefact::MissingColumn),
    #[error(transparent)]
    Scoring(#[from] credence_model::score::ScoreError),
    #[error("no blocked order {id}; `credence blocked list` shows them")]
    UnknownBlockedOrder { id: i64 },
    #[error("blocked order {id} is already {status}")]
    OrderDecided { id: i64, status: String },
    #[error("a reason is required to release or reject an order")]
    ReasonRequired,
    #[error("no limit request {id}; `credence limit list` shows them")]
    UnknownLimitRequest { id: i64 },
    #[error("limit request {id} is already {status}")]
    LimitRequestDecided { id: i64, status: String },
    #[error("no billing request {id}; `credence utility requests` shows them")]
    UnknownBillingRequest { id: i64 },
    #[error("billing request {id} is already {status}")]
    BillingRequestDecided { id: i64, status: String },
    #[error("{reason}")]
    BillingAction { reason: String },
    #[error("no billing account '{id}'")]
    UnknownAccount { id: String },
    #[error("no billing accounts were graded at or before {as_of}; run `credence utility grade` first")]
    NoBillingRun { as_of: String },
    #[error("no group with id '{id}'; `credence groups list` shows them")]
    UnknownGroup { id: String },
    #[error("no customer with id '{id}'")]
    UnknownCustomer { id: String },
    #[error("no invoice '{invoice}'")]
    UnknownInvoice { invoice: String },
    #[error("invoice '{invoice}' is customer '{owner}'s, not '{customer}'s")]
    InvoiceOfAnotherCustomer { invoice: String, owner: String, customer: String },
    #[error("invoice '{invoice}' already has an open dispute ({id}); resolve it first")]
    DisputeOpen { invoice: String, id: i64 },
    #[error("no dispute {id}; `credence collect dispute list` shows them")]
    UnknownDispute { id: i64 },
    #[error("dispute {id} was resolved on {on}")]
    DisputeResolved { id: i64, on: String },
    #[error("{field}: {rule} (got {value})")]
    BadCollectionEntry { field: &'static str, rule: &'static str, value: String },
    #[error("{location} holds imported data, not a demo portfolio; use another --db for the demo")]
    NotADemoDatabase { location: String },
    #[error("no user '{name}'")]
    UnknownUser { name: String },
    #[error("user '{name}' is disabled")]
    UserDisabled { name: String },
    #[error("{user} does not hold the `{needed}` authority the request's next step needs (holds: {held})")]
    NoAuthority { user: String, needed: String, held: String },
    #[error("'{approver}' cannot approve this override: {reason}")]
    IneligibleApprover { approver: String, reason: &'static str },
    #[error("no rating override {id}; `credence rating pending` lists those waiting")]
    UnknownOverride { id: i64 },
    #[error("rating override {id} is already {status}")]
    OverrideDecided { id: i64, status: String },
    #[error("rating override {id} names {approver} as its approver; only they may decide it")]
    NotTheApprover { id: i64, approver: String },
    #[error("customer '{customer}' was re-rated after override {id} was entered; enter the override again")]
    OverrideSuperseded { id: i64, customer: String },
    #[error("a rejection needs a comment")]
    CommentRequired,
}

impl EngineError {
    /// The caller's input a refusal is about (`amount`, `expires`, `promised_date`, …), in
    /// the words of the API's request fields; `None` when no one input is at fault, or the
    /// error is not about the request at all.
    pub fn input(&self) -> Option<&'static str> {
        use credence_control::{DecisionError, RequestError};
        match self {
            EngineError::Request(
                RequestError::ExpiredTemporary { .. } | RequestError::TemporaryTooLong { .. },
            ) => Some("expires"),
            EngineError::Request(RequestError::TemporaryTooLarge { .. }) => Some("amount"),
            EngineError::Decision(DecisionError::RejectionWithoutComment { .. }) => Some("comment"),
            EngineError::BadCollectionEntry { field, .. } => match *field {
                "amount" => Some("amount"),
                "promised date" => Some("promised_date"),
                "reason" => Some("reason"),
                "resolution" => Some("resolution"),
                _ => None,
            },
            EngineError::IneligibleApprover { .. } => Some("approver"),
            EngineError::ReasonRequired => Some("reason"),
            EngineError::CommentRequired => Some("comment"),
            EngineError::EvidenceRequired => Some("evidence"),
            _ => None,
        }
    }
}
