//! Credit repair (GOV-1): a plan per damaged customer — issues to fix, training, disputes
//! of credit reports — each item closed with its evidence; completing the plan re-rates
//! the customer, and the new grade stands if the data now earns it.

use crate::EngineError;
use crate::rate::{RateOptions, RateScope, rate_portfolio};
use chrono::NaiveDate;
use credence_domain::Timestamp;
use credence_indicators::Catalogue;
use credence_rating::ScorecardModel;
use credence_store::{RepairPlan, Store};

/// Kinds of repair items: code, English, Chinese.
pub const REPAIR_KINDS: [(&str, &str, &str); 4] = [
    ("fix_issue", "Issue to fix", "整改问题"),
    ("training", "Training", "培训"),
    ("credit_report_dispute", "Dispute of a credit report", "征信异议"),
    ("other", "Other", "其他"),
];

fn check_kind(kind: &str) -> Result<(), EngineError> {
    if REPAIR_KINDS.iter().any(|(k, _, _)| *k == kind) {
        Ok(())
    } else {
        Err(EngineError::UnknownRepairKind { kind: kind.to_owned() })
    }
}

fn open_plan(store: &mut Store, id: i64) -> Result<RepairPlan, EngineError> {
    let plan = store.repair_plan(id)?.ok_or(EngineError::UnknownRepairPlan { id })?;
    if plan.status != credence_domain::RepairStatus::Open {
        return Err(EngineError::RepairPlanClosed { id, status: plan.status });
    }
    Ok(plan)
}

/// The customer's latest letter grade in a finished run.
fn latest_grade(store: &mut Store, customer: &str) -> Result<Option<String>, EngineError> {
    Ok(store.rating_history(customer)?.into_iter().next().map(|r| r.rating.letter_grade))
}

/// Opens a plan for a customer with its first items (kind, description). A customer has
/// one open plan at a time.
pub fn open_repair(
    store: &mut Store,
    customer: &str,
    reason: &str,
    items: &[(String, String)],
    by: &str,
    now: &Timestamp,
) -> Result<RepairPlan, EngineError> {
    if store.record(credence_records::Kind::Customers, customer)?.is_none() {
        return Err(EngineError::UnknownCustomer { id: customer.to_owned() });
    }
    if let Some(p) =
        store.repair_plans(Some(credence_domain::RepairStatus::Open.as_str()), Some(customer))?.first()
    {
        return Err(EngineError::RepairPlanExists { customer: customer.to_owned(), id: p.id });
    }
    for (kind, _) in items {
        check_kind(kind)?;
    }
    let grade = latest_grade(store, customer)?;
    let id = store.open_repair_plan(customer, reason, by, now, grade.as_deref(), items)?;
    store.repair_plan(id)?.ok_or(EngineError::UnknownRepairPlan { id })
}

/// Adds an item to an open plan.
pub fn add_repair_item(
    store: &mut Store,
    plan: i64,
    kind: &str,
    description: &str,
) -> Result<RepairPlan, EngineError> {
    check_kind(kind)?;
    open_plan(store, plan)?;
    store.add_repair_item(plan, kind, description)?;
    store.repair_plan(plan)?.ok_or(EngineError::UnknownRepairPlan { id: plan })
}

/// Marks an item of an open plan done; the evidence (a document, a reference, what was
/// seen) is required.
pub fn finish_repair_item(
    store: &mut Store,
    plan: i64,
    item: i64,
    evidence: &str,
    by: &str,
    now: &Timestamp,
) -> Result<RepairPlan, EngineError> {
    let p = open_plan(store, plan)?;
    if evidence.trim().is_empty() {
        return Err(EngineError::EvidenceRequired);
    }
    if !p.items.iter().any(|i| i.id == item) {
        return Err(EngineError::UnknownRepairItem { plan, item });
    }
    store.finish_repair_item(item, evidence, by, now)?;
    store.repair_plan(plan)?.ok_or(EngineError::UnknownRepairPlan { id: plan })
}

/// A completed plan and what re-rating made of the customer.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RepairOutcome {
    pub plan: RepairPlan,
    pub grade_before: Option<String>,
    pub grade_after: Option<String>,
    /// The new letter grade is better than the one the plan started from.
    pub upgraded: bool,
}

/// Completes a plan whose items are all done: the customer is re-rated as of `as_of`
/// and the plan records the grades before and after.
pub fn complete_repair(
    store: &mut Store,
    catalogue: &Catalogue,
    model: &ScorecardModel,
    plan: i64,
    as_of: NaiveDate,
    now: &Timestamp,
) -> Result<RepairOutcome, EngineError> {
    let p = open_plan(store, plan)?;
    let open: Vec<i64> = p
        .items
        .iter()
        .filter(|i| i.status != credence_domain::RepairItemStatus::Done)
        .map(|i| i.id)
        .collect();
    if p.items.is_empty() || !open.is_empty() {
        return Err(EngineError::RepairItemsOpen { plan, open });
    }
    let options = RateOptions::new(as_of, RateScope::Customer(p.customer_id.clone().into()), now.to_owned());
    rate_portfolio(store, catalogue, model, &options)?;
    let after = latest_grade(store, &p.customer_id)?;
    store.close_repair_plan(
        plan,
        credence_domain::RepairStatus::Completed.as_str(),
        now,
        after.as_deref(),
    )?;
    let order: Vec<&str> =
        model.grades(credence_rating::ScaleKind::Letter).iter().map(|g| g.grade.as_str()).collect();
    let rank = |g: &Option<String>| g.as_deref().and_then(|g| order.iter().position(|o| *o == g));
    let upgraded = matches!((rank(&p.grade_before), rank(&after)), (Some(b), Some(a)) if a < b);
    Ok(RepairOutcome {
        grade_before: p.grade_before.clone(),
        grade_after: after,
        upgraded,
        plan: store.repair_plan(plan)?.ok_or(EngineError::UnknownRepairPlan { id: plan })?,
    })
}

/// Abandons an open plan.
pub fn abandon_repair(store: &mut Store, plan: i64, now: &Timestamp) -> Result<RepairPlan, EngineError> {
    open_plan(store, plan)?;
    store.close_repair_plan(plan, credence_domain::RepairStatus::Abandoned.as_str(), now, None)?;
    store.repair_plan(plan)?.ok_or(EngineError::UnknownRepairPlan { id: plan })
}
