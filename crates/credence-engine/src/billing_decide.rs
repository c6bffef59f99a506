//! Billing decisions by grade (SCN-1): from the latest grading run, the changes of billing
//! terms each account's grade asks for, routed for approval; and the decisions on them,
//! which put the approved terms in force.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use credence_control::{BillingPolicy, CurrentTerms, TermsProposal, propose_terms};
use credence_domain::{AccountClass, BillingCycle, Labelled, Settlement, Timestamp};
use credence_store::{BillingDecision, BillingRequest, GradeFilter, Store, TermsInForce};

use crate::EngineError;
use crate::control::sign_next_step;

/// Months of bills the deposit's average bill is taken over.
const AVERAGE_MONTHS: usize = 6;

/// Proposals kept in a [`DecideRun`] for display.
const KEPT: usize = 1_000;

/// What `utility decide` did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DecideRun {
    pub as_of: String,
    pub run_id: i64,
    pub policy_version: String,
    /// Accounts graded in the run.
    pub graded: u64,
    /// Accounts whose terms already are their grade's.
    pub unchanged: u64,
    /// Accounts whose pending request already asks for these terms.
    pub already_pending: u64,
    /// (request id, account) of the requests stored.
    pub requests: Vec<(i64, String)>,
    /// Term → (stricter, looser) proposals.
    pub by_term: BTreeMap<String, (u64, u64)>,
    /// The first proposals, in account order.
    pub proposals: Vec<TermsProposal>,
}

/// An account's terms: those an approved request put in force, else its record's.
fn current_terms(
    account: &credence_store::StoredAccount,
    in_force: Option<&TermsInForce>,
    average_bill: i64,
) -> Option<CurrentTerms> {
    let class = AccountClass::parse_label(&account.account_class)?;
    if let Some(t) = in_force.and_then(|t| serde_json::from_str::<TermsProposal>(&t.terms).ok()) {
        return Some(CurrentTerms {
            account_id: account.account_id.clone(),
            class,
            cycle: t.cycle,
            settlement: t.settlement,
            installments: t.installments,
            prepay_share: t.prepay_share,
            deposit: t.deposit.max(account.deposit.unwrap_or(0)),
            average_bill,
            imposed: true,
        });
    }
    let settlement = Settlement::parse_label(&account.settlement).unwrap_or(Settlement::Postpaid);
    Some(CurrentTerms {
        account_id: account.account_id.clone(),
        class,
        cycle: account
            .billing_cycle
            .as_deref()
            .and_then(BillingCycle::parse_label)
            .unwrap_or(BillingCycle::Monthly),
        settlement,
        // Installments are not on the account record: a split account's count is unknown
        // until a decision sets it, so the grade's count is proposed.
        installments: None,
        prepay_share: if settlement == Settlement::Prepaid { 1.0 } else { 0.0 },
        deposit: account.deposit.unwrap_or(0),
        average_bill,
        imposed: false,
    })
}

/// Proposes the terms of every account graded in the latest run at or before `as_of`
/// whose terms differ from its grade's, and stores the requests for approval; an
/// account's earlier pending request is superseded, unless it already asks for the same.
pub fn decide_billing_terms(
    store: &mut Store,
    policy: &BillingPolicy,
    as_of: NaiveDate,
    now: &Timestamp,
) -> Result<DecideRun, EngineError> {
    let run = store
        .latest_billing_run(Some(&as_of.to_string()))?
        .ok_or(EngineError::NoBillingRun { as_of: as_of.to_string() })?;
    let grades: HashMap<String, String> = store
        .account_grades(run.id, &GradeFilter::default())?
        .into_iter()
        .map(|g| (g.account_id, g.grade))
        .collect();
    let in_force = store.terms_in_force()?;
    let mut pending: HashMap<String, TermsProposal> = HashMap::new();
    for r in store.billing_requests(Some("pending"), None, Some("terms"), u64::MAX >> 1)? {
        if let Ok(p) = serde_json::from_str::<TermsProposal>(&r.proposal) {
            pending.entry(r.account_id).or_insert(p);
        }
    }
    let mut out = DecideRun {
        as_of: run.as_of.clone(),
        run_id: run.id,
        policy_version: policy.version.clone(),
        graded: grades.len() as u64,
        unchanged: 0,
        already_pending: 0,
        requests: Vec::new(),
        by_term: BTreeMap::new(),
        proposals: Vec::new(),
    };
    let mut proposals = Vec::new();
    store.for_each_account_ledger(|ledger| {
        let Some(grade) = grades.get(&ledger.account.account_id) else { return Ok(()) };
        let mut bills: Vec<(NaiveDate, i64)> =
            ledger.bills.iter().filter(|b| b.issued <= as_of).map(|b| (b.issued, b.amount)).collect();
        bills.sort();
        let recent = &bills[bills.len().saturating_sub(AVERAGE_MONTHS)..];
        let average = if recent.is_empty() {
            0
        } else {
            recent.iter().map(|b| b.1.max(0)).sum::<i64>() / recent.len() as i64
        };
        let Some(current) = current_terms(&ledger.account, in_force.get(&ledger.account.account_id), average)
        else {
            return Ok(());
        };
        match propose_terms(policy, &current, grade) {
            None => out.unchanged += 1,
            Some(p) => proposals.push(p),
        }
        Ok(())
    })?;
    proposals.sort_by(|a, b| a.account_id.cmp(&b.account_id));
    let same_terms = |a: &TermsProposal, b: &TermsProposal| {
        (a.cycle, a.settlement, a.installments, a.deposit, a.grade.as_str())
            == (b.cycle, b.settlement, b.installments, b.deposit, b.grade.as_str())
            && (a.prepay_share - b.prepay_share).abs() < 1e-9
    };
    let mut requests = Vec::new();
    let mut stored = Vec::new();
    for p in proposals {
        if pending.get(&p.account_id).is_some_and(|q| same_terms(q, &p)) {
            out.already_pending += 1;
            continue;
        }
        for c in &p.changes {
            let e = out.by_term.entry(c.term.clone()).or_default();
            if c.tighten {
                e.0 += 1;
            } else {
                e.1 += 1;
            }
        }
        requests.push(BillingRequest {
            id: 0,
            account_id: p.account_id.clone(),
            kind: "terms".into(),
            run_id: run.id,
            policy_version: policy.version.clone(),
            as_of: run.as_of.clone(),
            created_at: now.clone(),
            status: "pending".into(),
            proposal: serde_json::to_string(&p).map_err(EngineError::Serialise)?,
            route: serde_json::to_string(&p.route).map_err(EngineError::Serialise)?,
        });
        stored.push(p);
    }
    let ids = store.insert_billing_requests(&requests)?;
    out.requests = ids.into_iter().zip(requests.into_iter().map(|r| r.account_id)).collect();
    stored.truncate(KEPT);
    out.proposals = stored;
    Ok(out)
}

/// Waived penalty of an account's requests: (approved, pending), minor units.
fn waivers_of(store: &mut Store, account_id: &str) -> Result<(i64, i64), EngineError> {
    let mut out = (0, 0);
    for r in store.billing_requests(None, Some(account_id), Some("waiver"), 10_000)? {
        let Ok(w) = serde_json::from_str::<credence_control::WaiverProposal>(&r.proposal) else { continue };
        match r.status.as_str() {
            "approved" => out.0 += w.amount,
            "pending" => out.1 += w.amount,
            _ => {}
        }
    }
    Ok(out)
}

/// Asks to waive `amount` (minor units) of an account's late-payment penalty to `as_of`,
/// routed to the billing policy's waiver role; the amount may not exceed the penalty
/// less what is already waived or asked for. Returns the request's id.
pub fn request_penalty_waiver(
    store: &mut Store,
    policy: &BillingPolicy,
    account_id: &str,
    as_of: NaiveDate,
    amount: i64,
    reason: &str,
    now: &Timestamp,
) -> Result<i64, EngineError> {
    if reason.trim().is_empty() || reason.chars().count() > 2_000 {
        return Err(EngineError::BillingAction {
            reason: "a waiver gives its reason (at most 2000 characters)".into(),
        });
    }
    let (position, pending) = position_and_pending(store, policy, account_id, as_of)?;
    let approved = position.waived;
    let open = position.penalty_total - approved - pending;
    let w = policy.waiver(account_id, as_of, open, amount, reason.trim()).ok_or_else(|| EngineError::BillingAction {
        reason: format!(
            "the amount must be positive and at most the penalty not yet waived or asked for: {} of {} ({} waived, {} pending)",
            credence_control::format_money(open.max(0), policy.currency),
            credence_control::format_money(position.penalty_total, policy.currency),
            credence_control::format_money(approved, policy.currency),
            credence_control::format_money(pending, policy.currency),
        ),
    })?;
    let request = BillingRequest {
        id: 0,
        account_id: account_id.to_owned(),
        kind: "waiver".into(),
        run_id: 0,
        policy_version: policy.version.clone(),
        as_of: as_of.to_string(),
        created_at: now.clone(),
        status: "pending".into(),
        proposal: serde_json::to_string(&w).map_err(EngineError::Serialise)?,
        route: serde_json::to_string(&w.route).map_err(EngineError::Serialise)?,
    };
    Ok(store.insert_billing_waiver(&request)?)
}

/// A decision recorded on a billing request.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BillingTermsDecision {
    pub request_id: i64,
    pub account_id: String,
    pub authority: String,
    pub status: credence_control::authority::RequestStatus,
}

/// Records a user's decision on a billing request, signed in the authority of the route's
/// next step, which the user must hold; the last approval puts the terms in force, a
/// rejection ends the request.
pub fn decide_billing_request(
    store: &mut Store,
    request_id: i64,
    approve: bool,
    by: &str,
    comment: &str,
    now: &Timestamp,
) -> Result<BillingTermsDecision, EngineError> {
    if comment.chars().count() > 2_000 {
        return Err(EngineError::BillingAction {
            reason: "a decision's comment has at most 2000 characters".into(),
        });
    }
    let (request, decisions) =
        store.billing_request(request_id)?.ok_or(EngineError::UnknownBillingRequest { id: request_id })?;
    if request.status != "pending" {
        return Err(EngineError::BillingRequestDecided { id: request_id, status: request.status });
    }
    let Some((role, status)) =
        sign_next_step(store, &request.route, request_id, &decisions, approve, by, comment, now)?
    else {
        return Err(EngineError::BillingRequestDecided { id: request_id, status: request.status });
    };
    use credence_control::authority::RequestStatus;
    // An approved waiver is the request itself; approved terms are put in force.
    let waiver = request.kind == "waiver";
    let (settled, in_force) = match &status {
        RequestStatus::Approved { .. } => (
            Some("approved"),
            (!waiver).then(|| TermsInForce {
                account_id: request.account_id.clone(),
                terms: request.proposal.clone(),
                request_id,
                approved_at: now.clone(),
            }),
        ),
        RequestStatus::Rejected { .. } => (Some("rejected"), None),
        _ => (None, None),
    };
    let decision = BillingDecision {
        outcome: if approve { "approved".into() } else { "rejected".into() },
        decided_by: by.to_owned(),
        role: role.clone(),
        comment: comment.to_owned(),
        decided_at: now.clone(),
    };
    store.decide_billing_request(request_id, &decision, settled, in_force.as_ref())?;
    Ok(BillingTermsDecision { request_id, account_id: request.account_id, authority: role, status })
}

/// One bill's late-payment penalty.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BillPenalty {
    pub issued: NaiveDate,
    pub due: NaiveDate,
    /// Minor units.
    pub amount: i64,
    pub unpaid: i64,
    pub penalty: credence_control::Penalty,
}

/// An account's position at a date: what it owes, its credit and deposit, and the
/// statutory late-payment penalty of each bill paid late or still overdue.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AccountPosition {
    pub account_id: String,
    pub class: String,
    pub supply_unit: String,
    pub as_of: NaiveDate,
    pub currency: String,
    /// Minor units.
    pub owed: i64,
    pub overdue: i64,
    /// Prepaid money not yet applied to a bill.
    pub credit: i64,
    pub deposit: i64,
    pub penalty_total: i64,
    /// Of it, waived by approved requests.
    pub waived: i64,
    /// The penalty still due: total less waived.
    pub penalty_due: i64,
    /// The bills with a penalty, oldest first.
    pub bills: Vec<BillPenalty>,
    pub penalty_source: String,
    /// The day the current holder took the account over (过户), if it changed hands.
    pub holder_since: Option<NaiveDate>,
    /// Minor units unpaid on the bills of earlier holders: theirs to pay, not in `owed`.
    pub previous_holders: i64,
    /// The day a court accepted the holder's bankruptcy, if one did.
    pub bankrupt_since: Option<NaiveDate>,
    /// Minor units owed on the bills issued before the bankruptcy, with their penalty to
    /// the day of acceptance (when interest stops): a claim in the bankruptcy, not in
    /// `owed`.
    pub bankruptcy_claim: i64,
    /// The latest grade, if the account was graded.
    pub grade: Option<credence_store::AccountGrade>,
}

/// The position of one account at `as_of`.
pub fn account_position(
    store: &mut Store,
    policy: &BillingPolicy,
    account_id: &str,
    as_of: NaiveDate,
) -> Result<AccountPosition, EngineError> {
    Ok(position_and_pending(store, policy, account_id, as_of)?.0)
}

/// The positions at `as_of` of the billing accounts a Credence customer holds, by account
/// number: what its customer page shows.
pub fn held_account_positions(
    store: &mut Store,
    policy: &BillingPolicy,
    customer_id: &str,
    as_of: NaiveDate,
) -> Result<Vec<AccountPosition>, EngineError> {
    let held = store.ledgers_held_by((customer_id, customer_id))?.remove(customer_id).unwrap_or_default();
    held.iter().map(|ledger| Ok(position_of(store, policy, ledger, as_of)?.0)).collect()
}

/// The position of one account at `as_of`, and the penalty its pending waivers ask for.
fn position_and_pending(
    store: &mut Store,
    policy: &BillingPolicy,
    account_id: &str,
    as_of: NaiveDate,
) -> Result<(AccountPosition, i64), EngineError> {
    let ledger = store
        .account_ledger(account_id)?
        .ok_or_else(|| EngineError::UnknownAccount { id: account_id.to_owned() })?;
    position_of(store, policy, &ledger, as_of)
}

fn position_of(
    store: &mut Store,
    policy: &BillingPolicy,
    ledger: &credence_store::AccountLedger,
    as_of: NaiveDate,
) -> Result<(AccountPosition, i64), EngineError> {
    let account_id = ledger.account.account_id.as_str();
    let class =
        AccountClass::parse_label(&ledger.account.account_class).unwrap_or(AccountClass::NonResidential);
    let l = crate::billing_ledger::Ledger::of(ledger);
    let mut out = AccountPosition {
        account_id: account_id.to_owned(),
        class: ledger.account.account_class.clone(),
        supply_unit: ledger.account.supply_unit.clone(),
        as_of,
        currency: ledger
            .bills
            .first()
            .map_or_else(|| policy.currency.code().to_owned(), |b| b.currency.clone()),
        owed: 0,
        overdue: 0,
        credit: l.credit_at(as_of),
        deposit: ledger.account.deposit.unwrap_or(0),
        penalty_total: 0,
        waived: 0,
        penalty_due: 0,
        bills: Vec::new(),
        penalty_source: policy.penalty.source.clone(),
        holder_since: None,
        previous_holders: 0,
        bankrupt_since: None,
        bankruptcy_claim: 0,
        grade: store.account_grade_history(account_id)?.into_iter().next().map(|(_, g)| g),
    };
    out.holder_since = l.holder_since(as_of);
    out.bankrupt_since = l.bankrupt_since(as_of);
    for b in l.bills.iter().filter(|b| b.issued <= as_of) {
        let unpaid = b.unpaid_at(as_of);
        if out.holder_since.is_some_and(|d| b.issued < d) {
            out.previous_holders += unpaid.max(0);
            continue;
        }
        if let Some(day) = out.bankrupt_since.filter(|d| b.issued < *d) {
            out.bankruptcy_claim += unpaid.max(0);
            if !b.disputed && unpaid > 0 {
                let applied: Vec<(NaiveDate, i64)> =
                    b.applied.iter().copied().filter(|(d, _)| *d <= day).collect();
                out.bankruptcy_claim +=
                    credence_control::penalty(&policy.penalty, class, b.due, b.owed(), &applied, day).amount;
            }
            continue;
        }
        out.owed += unpaid.max(0);
        if b.due < as_of {
            out.overdue += unpaid.max(0);
        }
        if b.disputed {
            continue;
        }
        let applied: Vec<(NaiveDate, i64)> = b.applied.iter().copied().filter(|(d, _)| *d <= as_of).collect();
        let p = credence_control::penalty(&policy.penalty, class, b.due, b.owed(), &applied, as_of);
        if p.days > 0 {
            out.penalty_total += p.amount;
            out.bills.push(BillPenalty {
                issued: b.issued,
                due: b.due,
                amount: b.amount,
                unpaid,
                penalty: p,
            });
        }
    }
    let (approved, pending) = waivers_of(store, account_id)?;
    out.waived = approved;
    out.penalty_due = (out.penalty_total - out.waived).max(0);
    Ok((out, pending))
}
