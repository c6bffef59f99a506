//! Credit control over the stored portfolio (CTRL-1 … CTRL-4, CTRL-9): the exposure book
//! built from stored ledgers, orders, limits, ratings, warning levels and groups; the
//! order-time credit check with its queue of blocked orders; and the policy applied to
//! every customer with limit requests routed for approval. Aging and collections:
//! `receivables.rs`.
//!
//! Amounts are in the policy's currency. A customer's records are taken to be in that
//! currency (the credit file converts each record by its own currency's decimals but does
//! not translate currencies); limits in other currencies are left out.

use crate::EngineError;
use crate::columns::customers;
use crate::credit_file::{LoadedFile, Pool};
use chrono::NaiveDate;
use credence_control as control;
use credence_control::{
    CheckResult, CollectionStrategy, CreditPolicy, CustomerSnapshot, ExposureBook, GroupSnapshot, Ledger,
    LedgerCreditNote, LedgerInvoice, LedgerPayment, OpenItems, Proposal, ProposalInput,
};
use credence_domain::Timestamp;
use credence_domain::{Currency, CustomerId, CustomerType, Industry, Labelled};
use credence_indicators::CustomerFile;
use credence_store::{ApprovedLimit, BlockedOrder, Store, StoredLimitDecision, StoredLimitRequest};
use std::collections::HashMap;

/// What credit control knows about one customer on a date.
#[derive(Debug, Clone)]
pub(crate) struct Facts {
    pub(crate) customer_id: CustomerId,
    pub(crate) customer_type: Option<CustomerType>,
    pub(crate) industry: Option<Industry>,
    pub(crate) business_line: String,
    pub(crate) relationship_start: NaiveDate,
    pub(crate) ledger: Ledger,
    pub(crate) open_orders: i64,
    /// Invoices (shipped orders) and open orders up to the date.
    pub(crate) orders_so_far: u32,
    /// Invoiced in the twelve months to the date, divided by twelve.
    pub(crate) monthly_sales: Option<i64>,
    pub(crate) annual_revenue: Option<i64>,
    pub(crate) equity: Option<i64>,
    pub(crate) imported_limit: Option<i64>,
    pub(crate) terms_days: Option<u32>,
}

/// Minor units of an amount in major units (the credit file's form).
fn minor(major: f64, scale: f64) -> i64 {
    (major * scale).round() as i64
}

fn facts_of(c: &LoadedFile, file: &CustomerFile, as_of: NaiveDate, scale: f64, currency: Currency) -> Facts {
    let m = &c.head.customer;
    let ledger = Ledger {
        invoices: file
            .invoices
            .iter()
            .filter(|i| i.issue_date <= as_of)
            .map(|i| LedgerInvoice {
                invoice_no: i.invoice_no.clone(),
                issue_date: i.issue_date,
                due_date: i.due_date,
                amount: minor(i.amount, scale),
            })
            .collect(),
        payments: file
            .payments
            .iter()
            .filter(|p| p.date <= as_of)
            .map(|p| LedgerPayment {
                invoice_no: p.invoice_no.clone(),
                date: p.date,
                amount: minor(p.amount, scale),
            })
            .collect(),
        credit_notes: file
            .credit_notes
            .iter()
            .filter(|n| n.date <= as_of)
            .map(|n| LedgerCreditNote {
                invoice_no: n.invoice_no.clone(),
                date: n.date,
                amount: minor(n.amount, scale),
            })
            .collect(),
    };
    let year_before = as_of - chrono::Months::new(12);
    let sales: i64 = ledger.invoices.iter().filter(|i| i.issue_date > year_before).map(|i| i.amount).sum();
    // Revenue: the latest annual statement, or the four latest quarters summed.
    let statements: Vec<_> = file.statements.iter().filter(|s| s.period_end <= as_of).collect();
    let item = |s: &credence_indicators::Statement, name: &str| s.item(name).map(|v| minor(v, scale));
    let quarters: Vec<_> = statements
        .iter()
        .rev()
        .filter(|s| s.period_type == credence_domain::PeriodType::Quarter)
        .take(4)
        .collect();
    let annual = statements.iter().rev().find(|s| s.period_type == credence_domain::PeriodType::Annual);
    let annual_revenue = if quarters.len() == 4 {
        quarters.iter().map(|s| item(s, "revenue")).sum::<Option<i64>>()
    } else {
        annual.and_then(|s| item(s, "revenue"))
    };
    let limit_currency = customers::LIMIT_CURRENCY.text(m).and_then(|c| Currency::parse(c).ok());
    Facts {
        customer_id: c.customer_id().into(),
        customer_type: CustomerType::parse_label(&file.customer_type),
        industry: Industry::parse_label(&file.industry),
        business_line: customers::owner(m).to_owned(),
        relationship_start: file.relationship_start,
        open_orders: file
            .orders
            .iter()
            .filter(|o| o.open && o.order_date <= as_of)
            .map(|o| minor(o.amount, scale))
            .sum(),
        // Every invoice is a shipped order; open orders are the ones still to ship.
        orders_so_far: (ledger.invoices.len()
            + file.orders.iter().filter(|o| o.open && o.order_date <= as_of).count())
            as u32,
        monthly_sales: (!ledger.invoices.is_empty()).then_some(sales / 12),
        annual_revenue,
        equity: statements.last().and_then(|s| item(s, "equity")),
        imported_limit: customers::CREDIT_LIMIT.int(m).filter(|_| limit_currency == Some(currency)),
        terms_days: customers::PAYMENT_TERMS_DAYS.int(m).map(|d| d.max(0) as u32),
        ledger,
    }
}

/// Reads the facts of the customers in `ids` (sorted) on every core, turns each into a
/// `T` on the worker that read it, and hands them to `sink` range by range: a portfolio
/// pass never holds every ledger at once.
pub(crate) fn map_facts<T: Send>(
    store: &Store,
    ids: &[String],
    as_of: NaiveDate,
    currency: Currency,
    work: &(dyn Fn(Facts) -> T + Sync),
    mut sink: impl FnMut(Vec<T>) -> Result<(), EngineError>,
) -> Result<(), EngineError> {
    let scale = 10_f64.powi(i32::from(currency.exponent()));
    let mut pool = Pool::open(store)?;
    pool.run(
        ids,
        &|c| c.file.as_ref().ok().map(|(file, _)| work(facts_of(c, file, as_of, scale, currency))),
        |done, _, _| sink(done.into_iter().flatten().collect()),
    )
}

/// The facts of a few customers.
fn load_facts(
    store: &Store,
    ids: &[String],
    as_of: NaiveDate,
    currency: Currency,
) -> Result<Vec<Facts>, EngineError> {
    let mut out = Vec::with_capacity(ids.len());
    map_facts(store, ids, as_of, currency, &|f| f, |done| {
        out.extend(done);
        Ok(())
    })?;
    Ok(out)
}

/// The latest rating of every customer rated: (letter grade in force, score, PD). A
/// customer rated on its own after a portfolio run counts with that rating, and an
/// override's grade is the one in force.
pub(crate) fn latest_ratings(store: &mut Store) -> Result<HashMap<String, (String, f64, f64)>, EngineError> {
    Ok(store.latest_grades_all()?.into_iter().map(|(id, g)| (id, (g.letter_grade, g.score, g.pd))).collect())
}

/// Everything the book is built from.
pub(crate) struct Context {
    pub(crate) ratings: HashMap<String, (String, f64, f64)>,
    levels: HashMap<String, control::Level>,
    approved: HashMap<String, ApprovedLimit>,
    /// customer → group id, and group id → its customer members.
    pub(crate) group_of: HashMap<String, String>,
    members: HashMap<String, Vec<String>>,
}

pub(crate) fn context(store: &mut Store, as_of: NaiveDate) -> Result<Context, EngineError> {
    let levels = store
        .level_states()?
        .into_iter()
        .map(|(id, l)| (id, control::Level::parse_label(&l.level).unwrap_or(control::Level::Green)))
        .collect();
    let parties = crate::related_parties(store, as_of, credence_groups::GroupConfig::builtin())?;
    let mut group_of = HashMap::new();
    let mut members: HashMap<String, Vec<String>> = HashMap::new();
    for g in parties.groups.groups() {
        for m in g.members().filter(|&m| parties.graph.is_customer(m)) {
            let id = parties.graph.id(m).to_owned();
            group_of.insert(id.clone(), g.id().to_owned());
            members.entry(g.id().to_owned()).or_default().push(id);
        }
    }
    Ok(Context {
        ratings: latest_ratings(store)?,
        levels,
        approved: store.approved_limits()?,
        group_of,
        members,
    })
}

fn snapshot(f: &Facts, ctx: &Context, currency: Currency, as_of: NaiveDate) -> CustomerSnapshot {
    let open = OpenItems::of(&f.ledger, as_of);
    let approved = ctx.approved.get(f.customer_id.as_str()).filter(|a| a.currency == currency.code());
    CustomerSnapshot {
        customer_id: f.customer_id.clone(),
        receivables: open.receivables(&f.ledger),
        unapplied: open.unapplied,
        open_orders: f.open_orders,
        special_exposure: 0,
        limit: approved.map(|a| a.credit_limit).or(f.imported_limit).unwrap_or(0),
        temporary_limit: approved.and_then(|a| {
            Some(control::TemporaryLimit {
                amount: a.temporary_limit?,
                expires: a.temporary_expires.as_deref()?.parse().ok()?,
            })
        }),
        grade: ctx.ratings.get(f.customer_id.as_str()).map(|r| r.0.clone()),
        level: ctx.levels.get(f.customer_id.as_str()).copied().unwrap_or(control::Level::Green),
        group_id: ctx.group_of.get(f.customer_id.as_str()).cloned(),
    }
}

/// The exposure book of the customers in `ids` with their groups' limits (the sum of
/// the members' limits, as in the groups view).
fn book_of(
    store: &mut Store,
    policy: &CreditPolicy,
    ids: &[String],
    ctx: &Context,
    as_of: NaiveDate,
) -> Result<(ExposureBook, Vec<control::BookDiagnostic>, Vec<Facts>), EngineError> {
    let facts = load_facts(store, ids, as_of, policy.currency())?;
    let (book, diagnostics) = book_from_facts(policy, &facts, ctx, as_of);
    Ok((book, diagnostics, facts))
}

/// The exposure book of customers whose facts are read.
pub(crate) fn book_from_facts(
    policy: &CreditPolicy,
    facts: &[Facts],
    ctx: &Context,
    as_of: NaiveDate,
) -> (ExposureBook, Vec<control::BookDiagnostic>) {
    let snapshots: Vec<CustomerSnapshot> =
        facts.iter().map(|f| snapshot(f, ctx, policy.currency(), as_of)).collect();
    let limits: HashMap<&str, i64> = snapshots.iter().map(|s| (s.customer_id.as_str(), s.limit)).collect();
    let mut groups: Vec<GroupSnapshot> = snapshots
        .iter()
        .filter_map(|s| s.group_id.clone())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .map(|g| {
            let members = ctx.members.get(&g).map(Vec::as_slice).unwrap_or_default();
            let limit: i64 = members.iter().filter_map(|m| limits.get(m.as_str())).sum();
            GroupSnapshot { group_id: g, limit: (limit > 0).then_some(limit), outside_exposure: 0 }
        })
        .collect();
    groups.sort_by(|a, b| a.group_id.cmp(&b.group_id));
    ExposureBook::build(policy, policy.currency(), snapshots, groups)
}

/// A credit check and what became of the order.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OrderCheck {
    pub customer_id: CustomerId,
    pub order_ref: Option<String>,
    pub result: CheckResult,
    /// The blocked order's queue id when the order was blocked and queued.
    pub blocked_order: Option<i64>,
}

fn ids_around(ctx: &Context, customer: &str) -> Vec<String> {
    let mut ids = match ctx.group_of.get(customer).and_then(|g| ctx.members.get(g)) {
        Some(members) => members.clone(),
        None => vec![customer.to_owned()],
    };
    ids.sort();
    ids.dedup();
    ids
}

/// Checks an order for a customer on `date` (CTRL-4): every step's result and the
/// smallest remedy. With an order reference, a blocked order is queued for a decision.
pub fn check_order(
    store: &mut Store,
    policy: &CreditPolicy,
    order: &OrderToCheck<'_>,
    date: NaiveDate,
) -> Result<OrderCheck, EngineError> {
    let customer = order.customer;
    if store.record(credence_records::Kind::Customers, customer)?.is_none() {
        return Err(EngineError::UnknownCustomer { id: customer.to_owned() });
    }
    let ctx = context(store, date)?;
    let ids = ids_around(&ctx, customer);
    let (book, _, _) = book_of(store, policy, &ids, &ctx, date)?;
    check_in(store, &book, policy, order, date)
}

/// An order to check: for which customer, the amount (minor units of the policy's
/// currency), the reference a blocked order is queued under (none: nothing is queued),
/// who asks and when (RFC 3339).
#[derive(Debug, Clone, Copy)]
pub struct OrderToCheck<'a> {
    pub customer: &'a str,
    pub amount: i64,
    pub order_ref: Option<&'a str>,
    pub actor: &'a str,
    pub now: &'a Timestamp,
}

/// Checks an order against a book and queues it when blocked with a reference.
fn check_in(
    store: &mut Store,
    book: &ExposureBook,
    policy: &CreditPolicy,
    order: &OrderToCheck<'_>,
    date: NaiveDate,
) -> Result<OrderCheck, EngineError> {
    let OrderToCheck { customer, amount, order_ref, actor, now } = *order;
    let result = control::check(book, customer, amount, policy.currency(), date)?;
    let blocked_order = match order_ref.filter(|_| !result.pass) {
        Some(r) => Some(store.insert_blocked_order(
            &BlockedOrder {
                id: 0,
                order_ref: r.to_owned(),
                customer_id: customer.into(),
                currency: policy.currency().code().to_owned(),
                amount,
                order_date: date.to_string(),
                status: credence_domain::BlockedOrderStatus::Blocked.into(),
                result: json(&result)?,
                blocked_at: now.clone(),
                decided_by: None,
                decided_at: None,
                reason: None,
            },
            actor,
        )?),
        None => None,
    };
    Ok(OrderCheck {
        customer_id: customer.into(),
        order_ref: order_ref.map(str::to_owned),
        result,
        blocked_order,
    })
}

/// The exposure book of the whole portfolio on a date, built once and read by many checks
/// (a server keeps one warm through [`crate::portfolio_snapshot`] and rebuilds it as the
/// data arrive).
pub struct WarmBook {
    pub book: ExposureBook,
    pub as_of: NaiveDate,
    pub customers: usize,
}

/// Checks an order against a warm book (CTRL-4), queueing it when blocked with a
/// reference: the same answer as [`check_order`] for the book's date, in microseconds.
pub fn check_with_book(
    store: &mut Store,
    warm: &WarmBook,
    policy: &CreditPolicy,
    order: &OrderToCheck<'_>,
) -> Result<OrderCheck, EngineError> {
    if !warm.book.contains(order.customer) {
        return Err(EngineError::UnknownCustomer { id: order.customer.to_owned() });
    }
    check_in(store, &warm.book, policy, order, warm.as_of)
}

fn json(v: &impl serde::Serialize) -> Result<String, EngineError> {
    serde_json::to_string(v).map_err(EngineError::Serialise)
}

/// What to do with a blocked order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderDecisionKind {
    /// Ship it anyway, with a reason (the decision is logged).
    Release,
    Reject,
    /// Check it again (after a payment or a new limit): released when it now passes.
    Recheck,
}

/// A decision on a blocked order: what to do, why (required to release or reject), who
/// decides, when (RFC 3339), and the date a recheck checks on.
#[derive(Debug, Clone, Copy)]
pub struct BlockedDecision<'a> {
    pub kind: OrderDecisionKind,
    pub reason: &'a str,
    pub by: &'a str,
    pub now: &'a Timestamp,
    pub date: NaiveDate,
}

/// Decides a blocked order; returns it as it now stands.
pub fn decide_blocked_order(
    store: &mut Store,
    policy: &CreditPolicy,
    id: i64,
    decision: &BlockedDecision<'_>,
) -> Result<BlockedOrder, EngineError> {
    let BlockedDecision { kind, reason, by, now, date } = *decision;
    let (order, _) = store.blocked_order(id)?.ok_or(EngineError::UnknownBlockedOrder { id })?;
    if order.status != credence_domain::BlockedOrderStatus::Blocked {
        return Err(EngineError::OrderDecided { id, status: order.status });
    }
    if kind != OrderDecisionKind::Recheck && reason.trim().is_empty() {
        return Err(EngineError::ReasonRequired);
    }
    match kind {
        OrderDecisionKind::Release => store.decide_blocked_order(
            id,
            credence_domain::BlockedOrderStatus::Released.as_str(),
            None,
            "released",
            by,
            reason,
            now,
        )?,
        OrderDecisionKind::Reject => store.decide_blocked_order(
            id,
            credence_domain::BlockedOrderStatus::Rejected.as_str(),
            None,
            "rejected",
            by,
            reason,
            now,
        )?,
        OrderDecisionKind::Recheck => {
            let ctx = context(store, date)?;
            let ids = ids_around(&ctx, &order.customer_id);
            let (book, _, _) = book_of(store, policy, &ids, &ctx, date)?;
            let result = control::check(&book, &order.customer_id, order.amount, policy.currency(), date)?;
            let (status, note) = if result.pass {
                (credence_domain::BlockedOrderStatus::Released, format!("passes on {date}"))
            } else {
                let failed: Vec<&str> =
                    result.steps.iter().filter(|s| s.applies && !s.passed).map(|s| s.code.code()).collect();
                (
                    credence_domain::BlockedOrderStatus::Blocked,
                    format!("still blocked on {date}: {}", failed.join(", ")),
                )
            };
            let note = if reason.is_empty() { note } else { format!("{note} ({reason})") };
            store.decide_blocked_order(
                id,
                status.as_str(),
                Some(&json(&result)?),
                "rechecked",
                by,
                &note,
                now,
            )?
        }
    }
    Ok(store.blocked_order(id)?.ok_or(EngineError::UnknownBlockedOrder { id })?.0)
}

/// Proposals kept in a [`PolicyRun`] for display; the requests hold every proposal that
/// needs a decision.
const KEPT_PROPOSALS: usize = 1_000;

/// A policy run: how many customers got which admission, the first proposals in id
/// order, and the limit requests stored for approval.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PolicyRun {
    pub as_of: NaiveDate,
    pub policy_version: String,
    /// Customers a proposal was made for.
    pub proposed: u64,
    /// Admission code → customers.
    pub admissions: std::collections::BTreeMap<String, u64>,
    /// The first proposals, in customer id order.
    pub proposals: Vec<Proposal>,
    /// (request id, customer) of the requests stored.
    pub requests: Vec<(i64, String)>,
    /// Customers no proposal could be made for, with the reason.
    pub failures: Vec<(String, String)>,
}

/// Applies the policy to every customer (CTRL-1, CTRL-3): a limit, term, collection
/// method and mitigants with their reasons; increases go to approval (CTRL-2).
pub fn apply_policy(
    store: &mut Store,
    policy: &CreditPolicy,
    as_of: NaiveDate,
    now: &Timestamp,
) -> Result<PolicyRun, EngineError> {
    let ratings = latest_ratings(store)?;
    let approved = store.approved_limits()?;
    let ids = store.customer_ids()?;
    let mut run = PolicyRun {
        as_of,
        policy_version: policy.version().to_owned(),
        proposed: 0,
        admissions: std::collections::BTreeMap::new(),
        proposals: Vec::new(),
        requests: Vec::new(),
        failures: Vec::new(),
    };
    let propose = |f: Facts| {
        let rating = ratings.get(f.customer_id.as_str());
        let current = approved.get(f.customer_id.as_str()).filter(|a| a.currency == policy.currency().code());
        let input = ProposalInput {
            customer_id: f.customer_id.clone(),
            grade: rating.map(|r| r.0.clone()),
            score: rating.map(|r| r.1),
            pd: rating.map(|r| r.2),
            customer_type: f.customer_type,
            industry: f.industry,
            currency: policy.currency(),
            annual_revenue: f.annual_revenue,
            equity: f.equity,
            monthly_sales: f.monthly_sales,
            current_limit: current.map(|a| a.credit_limit).or(f.imported_limit).unwrap_or(0),
            current_term_days: current.map(|a| a.term_days as u32).or(f.terms_days).unwrap_or(0),
            relationship_start: f.relationship_start,
            orders_so_far: f.orders_so_far,
        };
        control::propose(policy, &input, as_of).map_err(|e| (f.customer_id.into_string(), e.to_string()))
    };
    let mut requests = Vec::new();
    map_facts(store, &ids, as_of, policy.currency(), &propose, |done| {
        for proposal in done {
            let p = match proposal {
                Ok(p) => p,
                Err(failure) => {
                    run.failures.push(failure);
                    continue;
                }
            };
            run.proposed += 1;
            *run.admissions.entry(p.admission.code().to_owned()).or_default() += 1;
            if let Some(r) = &p.request {
                let route = control::route(policy, r)?;
                requests.push(StoredLimitRequest {
                    id: 0,
                    customer_id: p.customer_id.clone(),
                    policy_version: policy.version().to_owned(),
                    as_of: as_of.to_string(),
                    created_at: now.to_owned(),
                    status: credence_domain::RequestStatus::Pending.into(),
                    currency: policy.currency().code().to_owned(),
                    current_limit: r.current_limit,
                    requested_limit: r.requested_limit,
                    current_term_days: i64::from(r.current_term_days),
                    requested_term_days: i64::from(r.requested_term_days),
                    temporary_limit: r.temporary.as_ref().map(|t| t.amount),
                    temporary_expires: r.temporary.as_ref().map(|t| t.expires.to_string()),
                    proposal: json(&p)?,
                    route: json(&route)?,
                });
            }
            if run.proposals.len() < KEPT_PROPOSALS {
                run.proposals.push(p);
            }
        }
        Ok(())
    })?;
    let ids = store.insert_limit_requests(&requests)?;
    run.requests = ids.into_iter().zip(requests.into_iter().map(|r| r.customer_id.into())).collect();
    Ok(run)
}

/// Signs the next step of a request's stored route (JSON) for `by`: the user must exist,
/// be enabled and hold the step's authority — never one the caller names. Returns the
/// authority signed in and where the request stands after the decision, or `None` when
/// the decisions so far already settled it.
#[allow(clippy::too_many_arguments)]
pub(crate) fn sign_next_step(
    store: &mut Store,
    route: &str,
    request_id: i64,
    past: &[StoredLimitDecision],
    approve: bool,
    by: &str,
    comment: &str,
    now: &Timestamp,
) -> Result<Option<(String, control::RequestStatus)>, EngineError> {
    let user = store.user(by)?.ok_or_else(|| EngineError::UnknownUser { name: by.to_owned() })?;
    if user.disabled {
        return Err(EngineError::UserDisabled { name: by.to_owned() });
    }
    let held: Vec<String> = store.authorities(user.id)?.into_iter().map(|a| a.authority).collect();
    let route: Vec<control::ApprovalStep> = serde_json::from_str(route)
        .map_err(|source| EngineError::BadStoredRoute { id: request_id, source })?;
    let at = |s: &str| {
        chrono::DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&chrono::Utc))
            .map_err(|_| EngineError::BadTimestamp { value: s.to_owned() })
    };
    let outcome =
        |o: &str| if o == "approved" { control::Outcome::Approved } else { control::Outcome::Rejected };
    let mut all: Vec<control::Decision> = past
        .iter()
        .map(|d| {
            Ok(control::Decision {
                outcome: outcome(&d.outcome),
                by: d.decided_by.clone(),
                role: d.role.clone(),
                comment: d.comment.clone(),
                at: at(&d.decided_at)?,
            })
        })
        .collect::<Result<_, EngineError>>()?;
    let role = match control::review(&route, &all)? {
        control::RequestStatus::Pending { role, .. } if held.contains(&role) => role,
        control::RequestStatus::Pending { role, .. } => {
            return Err(EngineError::NoAuthority {
                user: by.to_owned(),
                needed: role,
                held: if held.is_empty() { "none".into() } else { held.join(", ") },
            });
        }
        _ => return Ok(None),
    };
    all.push(control::Decision {
        outcome: if approve { control::Outcome::Approved } else { control::Outcome::Rejected },
        by: by.to_owned(),
        role: role.clone(),
        comment: comment.to_owned(),
        at: at(now)?,
    });
    Ok(Some((role, control::review(&route, &all)?)))
}

/// A decision recorded on a limit request: the authority it was signed in (derived from
/// the user and the route) and where the request stands after it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LimitDecision {
    pub authority: String,
    pub status: control::RequestStatus,
}

/// Records a user's decision on a limit request. The authority it is signed in is never
/// named by the caller: it is the route's next step, which the user must hold (granted
/// with `credence user grant`); the user must exist and be enabled. The route and the
/// decisions so far are checked (order, one signature per person, a committee's quorum);
/// an approval of the last step puts the limit in force, a rejection ends the request.
pub fn decide_limit(
    store: &mut Store,
    request_id: i64,
    approve: bool,
    by: &str,
    comment: &str,
    now: &Timestamp,
) -> Result<LimitDecision, EngineError> {
    let (request, decisions) =
        store.limit_request(request_id)?.ok_or(EngineError::UnknownLimitRequest { id: request_id })?;
    if request.status != credence_domain::RequestStatus::Pending {
        return Err(EngineError::LimitRequestDecided { id: request_id, status: request.status });
    }
    let Some((role, status)) =
        sign_next_step(store, &request.route, request_id, &decisions, approve, by, comment, now)?
    else {
        return Err(EngineError::LimitRequestDecided { id: request_id, status: request.status });
    };
    let (settled, approved) = match &status {
        control::RequestStatus::Approved { .. } => (
            Some("approved"),
            Some(ApprovedLimit {
                customer_id: request.customer_id.clone(),
                currency: request.currency.clone(),
                credit_limit: request.requested_limit,
                term_days: request.requested_term_days,
                temporary_limit: request.temporary_limit,
                temporary_expires: request.temporary_expires.clone(),
                request_id,
                approved_at: now.to_owned(),
            }),
        ),
        control::RequestStatus::Rejected { .. } => (Some("rejected"), None),
        _ => (None, None),
    };
    let decision = StoredLimitDecision {
        outcome: if approve { "approved".into() } else { "rejected".into() },
        decided_by: by.to_owned(),
        role: role.clone(),
        comment: comment.to_owned(),
        decided_at: now.to_owned(),
    };
    store.decide_limit_request(request_id, &decision, settled, approved.as_ref())?;
    Ok(LimitDecision { authority: role, status })
}

/// Loads the shipped or an edited billing policy.
pub fn load_billing_policy(
    path: Option<&std::path::Path>,
) -> Result<credence_control::BillingPolicy, EngineError> {
    match path {
        None => Ok(credence_control::BillingPolicy::builtin()),
        Some(p) => crate::config_files::read_billing_policy(p).map_err(EngineError::PolicyFile),
    }
}

/// Loads the shipped or an edited credit policy.
pub fn load_policy(path: Option<&std::path::Path>) -> Result<CreditPolicy, EngineError> {
    match path {
        None => Ok(CreditPolicy::builtin()),
        Some(p) => crate::read_policy(p).map_err(EngineError::PolicyFile),
    }
}

/// Loads the shipped or an edited collection strategy.
pub fn load_strategy(path: Option<&std::path::Path>) -> Result<CollectionStrategy, EngineError> {
    match path {
        None => Ok(CollectionStrategy::builtin()),
        Some(p) => crate::read_strategy(p).map_err(EngineError::StrategyFile),
    }
}

/// Requests a temporary limit on top of a customer's permanent one, valid until
/// `expires` (CTRL-2): checked against the policy's bounds and routed for approval like
/// any limit request; returns the request id.
pub fn request_temporary_limit(
    store: &mut Store,
    policy: &CreditPolicy,
    customer: &str,
    amount: i64,
    expires: NaiveDate,
    as_of: NaiveDate,
    now: &Timestamp,
) -> Result<i64, EngineError> {
    let Some(master) = store.record(credence_records::Kind::Customers, customer)? else {
        return Err(EngineError::UnknownCustomer { id: customer.to_owned() });
    };
    let approved =
        store.approved_limits()?.remove(customer).filter(|a| a.currency == policy.currency().code());
    let imported = customers::CREDIT_LIMIT.int(&master).filter(|_| {
        customers::LIMIT_CURRENCY.text(&master).and_then(|c| Currency::parse(c).ok())
            == Some(policy.currency())
    });
    let permanent = approved.as_ref().map(|a| a.credit_limit).or(imported).unwrap_or(0);
    let term = approved
        .as_ref()
        .map(|a| a.term_days as u32)
        .or(customers::PAYMENT_TERMS_DAYS.int(&master).map(|d| d.max(0) as u32));
    let temporary = control::TemporaryLimit { amount, expires };
    control::check_temporary_limit(policy, permanent, &temporary, as_of)?;
    let grade = store.latest_grades(&[customer.to_owned()])?.remove(customer).map(|g| g.letter_grade);
    let rule = policy.effective_grade(grade.as_deref());
    let request = control::LimitRequest {
        customer_id: customer.into(),
        grade: rule.grade.clone(),
        admission: rule.admission,
        currency: policy.currency(),
        current_limit: permanent,
        requested_limit: permanent,
        temporary: Some(temporary),
        current_term_days: term.unwrap_or(rule.term_days),
        requested_term_days: term.unwrap_or(rule.term_days),
    };
    let route = control::route(policy, &request)?;
    let stored = StoredLimitRequest {
        id: 0,
        customer_id: customer.into(),
        policy_version: policy.version().to_owned(),
        as_of: as_of.to_string(),
        created_at: now.to_owned(),
        status: credence_domain::RequestStatus::Pending.into(),
        currency: policy.currency().code().to_owned(),
        current_limit: permanent,
        requested_limit: permanent,
        current_term_days: i64::from(request.current_term_days),
        requested_term_days: i64::from(request.requested_term_days),
        temporary_limit: Some(amount),
        temporary_expires: Some(expires.to_string()),
        proposal: json(&request)?,
        route: json(&route)?,
    };
    Ok(store.insert_limit_requests(&[stored])?[0])
}
