//! Credit control (CTRL-1 … CTRL-4, CTRL-9): how much credit a customer gets and on what
//! terms, who approves it, whether today's order can ship, and who gets called about the
//! overdue invoice.
//!
//! # Model
//!
//! - **Policy** ([`policy`], `policy/credit_policy.toml`, embedded as [`BUILTIN_POLICY`]):
//!   a versioned file mapping each grade (on the letter or 100-point scale), with
//!   overrides by customer type and industry, to an admission (green channel, admit,
//!   list-managed, refuse), a limit formula (min of shares of revenue, equity and monthly
//!   sales, capped, scaled by score, rounded down), a payment term, a collection method and
//!   the required mitigants; plus the new-customer rule (cash in advance for the first
//!   orders), temporary-limit bounds, credit-check thresholds and the authority matrix.
//!   Loading reports every problem with file, line, column and key.
//! - **Proposals** ([`proposal`]): [`propose`] applies the policy to one customer's facts
//!   at a date and gives the limit, term, collection method and mitigants with a bilingual
//!   reason for each, and the [`LimitRequest`] when it asks for more than the customer has.
//! - **Authority** ([`authority`]): [`route`] gives the approvals a request needs (CTRL-2:
//!   terms up to 90 days the sales manager, beyond the CFO; amounts by level; green
//!   channel); [`review`] checks a sequence of [`Decision`]s against the route.
//! - **Exposure book** ([`book`]): every customer's receivables, open orders, special
//!   exposure, limit (with an expiring temporary part), grade, warning level and group,
//!   in memory, updated incrementally by orders, invoices, payments and credit notes.
//! - **Credit check** ([`mod@check`]): [`check()`] runs the six steps (limit, oldest overdue
//!   item, overdue share, grade, red level, group limit) for an order and, when it is
//!   blocked, the smallest [`Remedy`] ([`remedy`]): prepay, ship part now, collect overdue
//!   invoices first — or escalation when no amount can release it.
//! - **Aging** ([`aging`], [`metrics`]): open items of a ledger at a date (credit notes and
//!   payments to their invoices, payments on account to the oldest due), buckets by days
//!   overdue and by age, roll-ups by group, business line and portfolio; DSO by count-back,
//!   CEI, overdue and bad-debt rates.
//! - **Collections** ([`strategy`], [`collections`], [`promises`]): a versioned strategy
//!   file of action ladders by bucket and grade (`strategy/collection_strategy.toml`,
//!   embedded as [`BUILTIN_STRATEGY`]); each collector's prioritised worklist (expected
//!   loss avoided = amount × PD × urgency); promises to pay, kept or broken, with
//!   escalation; success of actions by action and by strategy rule.
//! - **Billing policy** ([`billing_policy`], `policy/billing_policy.toml`, embedded as
//!   [`BUILTIN_BILLING_POLICY`]): electricity accounts' grade scale by PD band, billing
//!   terms by grade and account class with their approval route ([`propose_terms`]), and
//!   the statutory controls: the daily late-payment penalty ([`penalty`]) and the
//!   disconnection procedure with its moratoria.
//!
//! Money is `i64` minor units of one currency per call (the policy's, the book's; callers
//! convert). The crate does no IO (policy and strategy files come in as text; the engine
//! reads them), reads no clock (dates are parameters) and draws no random numbers. Every
//! result is `Serialize`, and every list comes out in a documented, deterministic order.
//!
//! # Example
//!
//! ```
//! use chrono::NaiveDate;
//! use credence_domain::Currency;
//! use credence_control::{
//!     CreditPolicy, CustomerSnapshot, ExposureBook, Level, OpenReceivable, ProposalInput, check, propose,
//!     route,
//! };
//!
//! let policy = CreditPolicy::builtin();
//! let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
//! let yuan = |x: i64| x * 100;
//!
//! // Grade A, score 70: min(6% of revenue 50M, 20% of equity 20M, 2 × monthly sales 1.5M)
//! // = 3M, under the 5M cap; × 0.8 for the score = 2.4M.
//! let input = ProposalInput {
//!     customer_id: "C001".into(),
//!     grade: Some("A".into()),
//!     score: Some(70.0),
//!     pd: Some(0.03),
//!     customer_type: None,
//!     industry: None,
//!     currency: Currency::CNY,
//!     annual_revenue: Some(yuan(50_000_000)),
//!     equity: Some(yuan(20_000_000)),
//!     monthly_sales: Some(yuan(1_500_000)),
//!     current_limit: yuan(1_000_000),
//!     current_term_days: 30,
//!     relationship_start: date(2020, 1, 1),
//!     orders_so_far: 40,
//! };
//! let proposal = propose(&policy, &input, date(2026, 9, 30)).unwrap();
//! assert_eq!(proposal.limit.minor, yuan(2_400_000));
//! assert_eq!(proposal.term_days, 45);
//! // 2.4M is above the current 1M: the credit manager, then the risk director (up to 5M);
//! // 45 days is above the current 30: the sales manager.
//! let steps = route(&policy, proposal.request.as_ref().unwrap()).unwrap();
//! let roles: Vec<&str> = steps.iter().map(|s| s.role.as_str()).collect();
//! assert_eq!(roles, ["sales_manager", "credit_manager", "risk_director"]);
//!
//! // 2.3M open, 2.4M limit: an order of 112,400 exceeds the limit by 12,400.
//! let snapshot = CustomerSnapshot {
//!     customer_id: "C001".into(),
//!     receivables: vec![OpenReceivable {
//!         invoice_no: "INV-1".into(),
//!         issue_date: date(2026, 9, 1),
//!         due_date: date(2026, 10, 16),
//!         open: yuan(2_300_000),
//!     }],
//!     unapplied: 0,
//!     open_orders: 0,
//!     special_exposure: 0,
//!     limit: yuan(2_400_000),
//!     temporary_limit: None,
//!     grade: Some("A".into()),
//!     level: Level::Green,
//!     group_id: None,
//! };
//! let (book, _) = ExposureBook::build(&policy, Currency::CNY, vec![snapshot], vec![]);
//! let result = check(&book, "C001", yuan(112_400), Currency::CNY, date(2026, 9, 30)).unwrap();
//! assert!(!result.pass);
//! assert_eq!(result.remedy.unwrap().best().unwrap().text_en, "prepay 12,400.00 CNY");
//! ```

pub mod aging;
pub mod authority;
pub mod billing_policy;
pub mod book;
pub mod check;
pub mod collections;
mod dates;
mod file;
pub mod labels;
pub mod metrics;
mod money;
pub mod policy;
mod policy_file;
pub mod promises;
pub mod proposal;
pub mod remedy;
pub mod strategy;

pub use aging::{
    AgeBands, AgingDates, AgingLine, AgingProfile, AgingReport, AgingRollup, Ledger, LedgerCreditNote,
    LedgerInvoice, LedgerPayment, OpenItem, OpenItems, OpenReceivable, OverdueBuckets, SALES_MONTHS,
    age_ledger,
};
pub use authority::{
    ApprovalStep, CreditDecision, Decision, DecisionError, LimitRequest, Outcome, RequestError,
    RequestStatus, TemporaryLimit, check_temporary_limit, review, route,
};
pub use billing_policy::{
    BUILTIN_BILLING_POLICY, BUILTIN_BILLING_POLICY_FILE, BillingGrade, BillingPolicy, BillingTerms,
    CurrentTerms, DisconnectionRule, Moratorium, Penalty, PenaltyRule, Reminder, TermChange, TermsProposal,
    WaiverProposal, penalty, propose_terms,
};
pub use book::{
    BookDiagnostic, BookError, CustomerSnapshot, ExposureBook, GradeCode, GroupSnapshot, InvoiceEntry,
    Standing,
};
pub use check::{CheckError, CheckResult, Exposure, Lang, Measure, StepCode, StepResult, check};
pub use collections::{
    ActionRecord, ActionSuccess, CaseState, CollectionCase, CollectionSuccess, CollectorList, RuleSuccess,
    WorkItem, WorkReason, Worklist, collection_success, next_action, worklist,
};
pub use dates::whole_months;
pub use file::{FileError, Problem};
pub use labels::{Action, Admission, CollectionMethod, Level, OverdueBucket};
pub use metrics::{CeiInput, Dso, cei, cei_between, dso_count_back};
pub use money::{format_amount, format_money};
pub use policy::{
    AuthorityMatrix, BUILTIN_POLICY, BUILTIN_POLICY_FILE, CheckRule, CreditPolicy, GradeRule, GradeScale,
    LimitBase, LimitFormula, Mitigant, Override, RoleRef,
};
pub use promises::{Promise, PromiseStatus, promise_status};
pub use proposal::{Proposal, ProposalError, ProposalInput, ProposedMitigant, Reason, propose};
pub use remedy::{CollectInvoice, ReleaseKind, ReleaseOption, Remedy};
pub use strategy::{BUILTIN_STRATEGY, BUILTIN_STRATEGY_FILE, CollectionStrategy, LadderStep, StrategyRule};
