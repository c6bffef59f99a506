//! Disposal work (CTRL-6, CTRL-8): alerts with their evidence, cases with their log and
//! deadlines, and the changes an owner makes to a case.

use axum::Extension;
use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;

use crate::ClientIp;
use crate::access::Permission;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::routes::{Body, Params, admits_customer, audit};
use crate::state::AppState;

/// One alert with its evidence.
#[utoipa::path(
    get,
    path = "/api/v1/alerts/{id}",
    tag = "warnings",
    params(("id" = i64, Path)),
    responses((status = 200, body = crate::routes::bodies::AlertBody), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn alert(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<crate::routes::bodies::AlertBody>, ApiError> {
    caller.require(Permission::AlertRead)?;
    state
        .with_store(move |store, shared| {
            let mut a = store.alert(id)?.ok_or_else(|| ApiError::not_found(format!("no alert {id}")))?;
            if a.subject_kind == "customer" && !admits_customer(store, &caller, &a.subject)? {
                return Err(ApiError::not_found(format!("no alert {id}")));
            }
            crate::routes::evidence::cut_evidence(store, shared, &caller, &mut a)?;
            Ok(a)
        })
        .await
        .map(crate::routes::bodies::body)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CaseQuery {
    /// `open` (default) or `closed`.
    pub status: Option<String>,
    pub owner: Option<String>,
    pub customer: Option<String>,
    /// Only open cases past their deadline.
    pub overdue: Option<bool>,
    /// At most this many, most urgent first (1–1,000, default 200).
    pub limit: Option<u32>,
}

/// Disposal cases in the caller's scope, most urgent deadline first.
#[utoipa::path(
    get,
    path = "/api/v1/cases",
    tag = "warnings",
    params(CaseQuery),
    responses((status = 200, body = Vec<crate::routes::bodies::CaseBody>), (status = 403, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<CaseQuery>,
) -> Result<Json<Vec<crate::routes::bodies::CaseBody>>, ApiError> {
    caller.require(Permission::AlertRead)?;
    let status = q.status.unwrap_or_else(|| "open".into());
    if !["open", "closed"].contains(&status.as_str()) {
        return Err(ApiError::invalid("status", "open or closed"));
    }
    let limit = q.limit.unwrap_or(200);
    if !(1..=1_000).contains(&limit) {
        return Err(ApiError::invalid("limit", "must be 1–1,000"));
    }
    let now = state.business_now();
    let filter = credence_store::CaseFilter {
        status: Some(status),
        owner: q.owner,
        customer: q.customer,
        due_before: q.overdue.filter(|o| *o).map(|_| now.into()),
        // A scoped caller's page is filtered after reading; read more to fill it.
        limit: Some(if caller.scope.is_whole_portfolio() { limit } else { limit.saturating_mul(20) }),
    };
    state
        .with_store(move |store, _| {
            let mut out = Vec::new();
            for c in store.cases(&filter)? {
                if out.len() == limit as usize {
                    break;
                }
                if admits_customer(store, &caller, &c.customer_id)? {
                    out.push(c);
                }
            }
            Ok(out)
        })
        .await
        .map(crate::routes::bodies::list)
}

/// A case with its log and its alerts, as stored.
#[derive(Debug)]
pub struct CaseView {
    pub case: credence_store::StoredCase,
    pub log: Vec<credence_store::CaseEvent>,
    pub alerts: Vec<credence_store::StoredAlert>,
}

/// A case the caller may see, its alerts' evidence as stored (see [`CaseView::shown_to`]).
pub(crate) fn case_view(
    store: &mut credence_store::Store,
    caller: &Caller,
    id: i64,
) -> Result<CaseView, ApiError> {
    let (case, log, alert_ids) =
        store.case(id)?.ok_or_else(|| ApiError::not_found(format!("no case {id}")))?;
    if !admits_customer(store, caller, &case.customer_id)? {
        return Err(ApiError::not_found(format!("no case {id}")));
    }
    let mut alerts = Vec::new();
    for a in alert_ids {
        if let Some(a) = store.alert(a)? {
            alerts.push(a);
        }
    }
    Ok(CaseView { case, log, alerts })
}

impl CaseView {
    /// The view with its alerts' evidence cut to what the caller may see.
    pub(crate) fn shown_to(
        mut self,
        store: &mut credence_store::Store,
        shared: &crate::state::Shared,
        caller: &Caller,
    ) -> Result<CaseView, ApiError> {
        crate::routes::evidence::cut_all(store, shared, caller, &mut self.alerts)?;
        Ok(self)
    }
}

/// One case: its stage, owner, deadline, log and alerts.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{id}",
    tag = "warnings",
    params(("id" = i64, Path)),
    responses((status = 200, body = crate::routes::bodies::CaseDetailBody), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<crate::routes::bodies::CaseDetailBody>, ApiError> {
    caller.require(Permission::AlertRead)?;
    state
        .with_store(move |store, shared| case_view(store, &caller, id)?.shown_to(store, shared, &caller))
        .await
        .map(crate::routes::bodies::body)
}

/// A change to a case.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseChangeRequest {
    /// `assign`, `act`, `escalate` or `close`.
    pub change: String,
    /// assign: the new owner.
    pub to: Option<String>,
    /// act: what was done (free text), or with `template` the note to it.
    pub action: Option<String>,
    /// act: an emergency-plan template (`payment_stop`, `supply_chain_stop`, `ip_dispute`).
    pub template: Option<String>,
    /// escalate: why; close: the outcome.
    pub note: Option<String>,
}

impl CaseChangeRequest {
    pub(crate) fn change(&self) -> Result<credence_engine::CaseChange, ApiError> {
        let text = |v: &Option<String>, field: &str| {
            v.clone()
                .filter(|t| !t.trim().is_empty())
                .ok_or_else(|| ApiError::invalid(field, format!("{field} is required")))
        };
        Ok(match self.change.as_str() {
            "assign" => credence_engine::CaseChange::Assign { to: text(&self.to, "to")? },
            "act" => credence_engine::CaseChange::Act {
                action: match &self.template {
                    Some(_) => self.action.clone().unwrap_or_default(),
                    None => text(&self.action, "action")?,
                },
                template: self.template.clone(),
            },
            "escalate" => credence_engine::CaseChange::Escalate { note: text(&self.note, "note")? },
            "close" => credence_engine::CaseChange::Close { outcome: text(&self.note, "note")? },
            other => {
                return Err(ApiError::invalid(
                    "change",
                    format!("'{other}' is not assign, act, escalate or close"),
                ));
            }
        })
    }
}

/// Assigns, acts on, escalates (watch → downgrade → exit) or closes a case; logged on
/// the case and audited.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/changes",
    tag = "warnings",
    params(("id" = i64, Path)),
    request_body = CaseChangeRequest,
    responses((status = 200, body = crate::routes::bodies::CaseDetailBody), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn change(
    State(state): State<AppState>,
    caller: Caller,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Path(id): Path<i64>,
    Body(req): Body<CaseChangeRequest>,
) -> Result<Json<crate::routes::bodies::CaseDetailBody>, ApiError> {
    caller.require(Permission::CaseWrite)?;
    let change = req.change()?;
    state
        .writing(move |store, shared| {
            apply_change(store, &caller, &ip, id, &req, &change)?.shown_to(store, shared, &caller)
        })
        .await
        .map(crate::routes::bodies::body)
}

/// Applies a case change for the caller and audits it.
pub(crate) fn apply_change(
    store: &mut credence_store::Store,
    caller: &Caller,
    ip: &str,
    id: i64,
    req: &CaseChangeRequest,
    change: &credence_engine::CaseChange,
) -> Result<CaseView, ApiError> {
    let before = case_view(store, caller, id)?;
    let now = crate::clock::now();
    let after = credence_engine::change_case(store, id, change, &caller.username, &now)?;
    audit(
        store,
        caller,
        ip,
        &format!("case.{}", req.change),
        &format!("case:{id}"),
        serde_json::json!({
            "customer": after.customer_id,
            "before": { "stage": before.case.stage, "owner": before.case.owner, "status": before.case.status },
            "after": { "stage": after.stage, "owner": after.owner, "status": after.status },
            "to": req.to, "action": req.action, "template": req.template, "note": req.note,
        }),
    )?;
    case_view(store, caller, id)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RepairQuery {
    /// `open`, `completed` or `abandoned` (default: all).
    pub status: Option<String>,
    pub customer: Option<String>,
}

/// Credit repair plans in the caller's scope.
#[utoipa::path(
    get,
    path = "/api/v1/repair-plans",
    tag = "repair",
    params(RepairQuery),
    responses((status = 200, body = Vec<crate::routes::bodies::RepairPlanBody>), (status = 403, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn repair_plans(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<RepairQuery>,
) -> Result<Json<Vec<crate::routes::bodies::RepairPlanBody>>, ApiError> {
    caller.require(Permission::AlertRead)?;
    state
        .with_store(move |store, _| {
            let mut out = Vec::new();
            for p in store.repair_plans(q.status.as_deref(), q.customer.as_deref())? {
                if admits_customer(store, &caller, &p.customer_id)? {
                    out.push(p);
                }
            }
            Ok(out)
        })
        .await
        .map(crate::routes::bodies::list)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RepairItemSpec {
    /// `fix_issue`, `training`, `credit_report_dispute` or `other`.
    pub kind: String,
    pub description: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRepairPlan {
    pub customer_id: String,
    pub reason: String,
    pub items: Vec<RepairItemSpec>,
}

/// Opens a repair plan for a damaged customer with its first items; audited.
#[utoipa::path(
    post,
    path = "/api/v1/repair-plans",
    tag = "repair",
    request_body = NewRepairPlan,
    responses((status = 201, body = crate::routes::bodies::RepairPlanBody), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn open_repair(
    State(state): State<AppState>,
    caller: Caller,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Body(req): Body<NewRepairPlan>,
) -> Result<(axum::http::StatusCode, Json<crate::routes::bodies::RepairPlanBody>), ApiError> {
    caller.require(Permission::CaseWrite)?;
    if req.reason.trim().is_empty() {
        return Err(ApiError::invalid("reason", "a plan needs a reason"));
    }
    state
        .writing(move |store, _| {
            crate::routes::scoped_customer(store, &caller, &req.customer_id)?;
            let items: Vec<(String, String)> = req.items.iter().map(|i| (i.kind.clone(), i.description.clone())).collect();
            let now = crate::clock::now();
            let plan = credence_engine::open_repair(store, &req.customer_id, &req.reason, &items, &caller.username, &now)?;
            audit(store, &caller, &ip, "repair.open", &format!("repair_plan:{}", plan.id), serde_json::json!({ "customer": req.customer_id, "reason": req.reason, "items": items.len() }))?;
            Ok((axum::http::StatusCode::CREATED, Json(plan.into())))
        })
        .await
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RepairChange {
    /// `add_item`, `finish_item`, `complete` (every item done: the customer is re-rated)
    /// or `abandon`.
    pub change: String,
    /// add_item: the item's kind and description.
    pub kind: Option<String>,
    pub description: Option<String>,
    /// finish_item: which item, and the evidence it is done.
    pub item: Option<i64>,
    pub evidence: Option<String>,
}

/// Changes a repair plan: adds or finishes an item, completes it (re-rating the customer)
/// or abandons it; audited.
#[utoipa::path(
    post,
    path = "/api/v1/repair-plans/{id}/changes",
    tag = "repair",
    params(("id" = i64, Path)),
    request_body = RepairChange,
    responses((status = 200, body = crate::routes::bodies::RepairChangeBody), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn change_repair(
    State(state): State<AppState>,
    caller: Caller,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Path(id): Path<i64>,
    Body(req): Body<RepairChange>,
) -> Result<Json<crate::routes::bodies::RepairChangeBody>, ApiError> {
    use crate::routes::bodies::RepairChangeBody as Changed;
    caller.require(Permission::CaseWrite)?;
    let as_of = state.today();
    state
        .writing(move |store, shared| {
            let plan = store.repair_plan(id)?.ok_or_else(|| ApiError::not_found(format!("no repair plan {id}")))?;
            if !admits_customer(store, &caller, &plan.customer_id)? {
                return Err(ApiError::not_found(format!("no repair plan {id}")));
            }
            let now = crate::clock::now();
            let text = |v: &Option<String>, field: &str| v.clone().ok_or_else(|| ApiError::invalid(field, format!("{field} is required")));
            let out = match req.change.as_str() {
                "add_item" => Changed::Plan(credence_engine::add_repair_item(store, id, &text(&req.kind, "kind")?, &text(&req.description, "description")?)?.into()),
                "finish_item" => {
                    let item = req.item.ok_or_else(|| ApiError::invalid("item", "item is required"))?;
                    Changed::Plan(credence_engine::finish_repair_item(store, id, item, &text(&req.evidence, "evidence")?, &caller.username, &now)?.into())
                }
                "complete" => Changed::Completed(credence_engine::complete_repair(store, &shared.artefacts().catalogue, &shared.artefacts().model, id, as_of, &now)?.into()),
                "abandon" => Changed::Plan(credence_engine::abandon_repair(store, id, &now)?.into()),
                other => return Err(ApiError::invalid("change", format!("'{other}' is not add_item, finish_item, complete or abandon"))),
            };
            audit(store, &caller, &ip, &format!("repair.{}", req.change), &format!("repair_plan:{id}"), serde_json::json!({ "customer": plan.customer_id, "item": req.item, "kind": req.kind, "description": req.description, "evidence": req.evidence }))?;
            Ok(out)
        })
        .await
        .map(Json)
}

/// The routes of this area.
pub fn router() -> axum::Router<crate::state::AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/api/v1/alerts/{id}", get(alert))
        .route("/api/v1/cases", get(list))
        .route("/api/v1/cases/{id}", get(show))
        .route("/api/v1/cases/{id}/changes", post(change))
        .route("/api/v1/repair-plans", get(repair_plans).post(open_repair))
        .route("/api/v1/repair-plans/{id}/changes", post(change_repair))
}
