//! Blocked orders and their release workflow (CTRL-4), and temporary limit requests
//! (CTRL-2).

use axum::Extension;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::ClientIp;
use crate::access::Permission;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::routes::{Body, Params, admits_customer, audit, scoped_customer};
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct BlockedQuery {
    /// `blocked` (default), `released` or `rejected`.
    pub status: Option<String>,
}

/// Orders the credit check blocked, in the caller's scope, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/blocked-orders",
    tag = "credit control",
    params(BlockedQuery),
    responses((status = 200, body = Vec<crate::routes::bodies::BlockedOrderBody>), (status = 403, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<BlockedQuery>,
) -> Result<Json<Vec<crate::routes::bodies::BlockedOrderBody>>, ApiError> {
    caller.require(Permission::ReceivablesRead)?;
    let status = q.status.unwrap_or_else(|| "blocked".into());
    if !["blocked", "released", "rejected"].contains(&status.as_str()) {
        return Err(ApiError::invalid("status", "blocked, released or rejected"));
    }
    state
        .with_store(move |store, _| {
            let mut out = Vec::new();
            for o in store.blocked_orders(Some(&status))? {
                if admits_customer(store, &caller, &o.customer_id)? {
                    out.push(o);
                }
            }
            Ok(out)
        })
        .await
        .map(crate::routes::bodies::list)
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderDecisionRequest {
    /// `release` (ship anyway), `reject`, or `recheck` (released when it now passes).
    pub decision: String,
    /// Required to release or reject.
    pub reason: Option<String>,
}

/// Decides a blocked order for the caller and audits it.
pub(crate) fn decide_order(
    store: &mut credence_store::Store,
    shared: &crate::state::Shared,
    caller: &Caller,
    ip: &str,
    id: i64,
    req: &OrderDecisionRequest,
    today: chrono::NaiveDate,
) -> Result<credence_store::BlockedOrder, ApiError> {
    let kind = match req.decision.as_str() {
        "release" => credence_engine::OrderDecisionKind::Release,
        "reject" => credence_engine::OrderDecisionKind::Reject,
        "recheck" => credence_engine::OrderDecisionKind::Recheck,
        other => {
            return Err(ApiError::invalid(
                "decision",
                format!("'{other}' is not release, reject or recheck"),
            ));
        }
    };
    let (order, _) =
        store.blocked_order(id)?.ok_or_else(|| ApiError::not_found(format!("no blocked order {id}")))?;
    if !admits_customer(store, caller, &order.customer_id)? {
        return Err(ApiError::not_found(format!("no blocked order {id}")));
    }
    let reason = req.reason.clone().unwrap_or_default();
    let now = crate::clock::now();
    let decision = credence_engine::BlockedDecision {
        kind,
        reason: &reason,
        by: &caller.username,
        now: &now,
        date: today,
    };
    let after = credence_engine::decide_blocked_order(store, &shared.artefacts().policy, id, &decision)?;
    audit(
        store,
        caller,
        ip,
        &format!("order.{}", req.decision),
        &format!("blocked_order:{id}"),
        serde_json::json!({ "customer": order.customer_id, "order_ref": order.order_ref, "before": order.status, "after": after.status, "reason": reason }),
    )?;
    Ok(after)
}

/// Releases, rejects or rechecks a blocked order (`order.decide`); audited.
#[utoipa::path(
    post,
    path = "/api/v1/blocked-orders/{id}/decision",
    tag = "credit control",
    params(("id" = i64, Path)),
    request_body = OrderDecisionRequest,
    responses((status = 200, body = crate::routes::bodies::BlockedOrderBody), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Path(id): Path<i64>,
    Body(req): Body<OrderDecisionRequest>,
) -> Result<Json<crate::routes::bodies::BlockedOrderBody>, ApiError> {
    caller.require(Permission::OrderDecide)?;
    let today = state.today();
    state
        .writing(move |store, shared| decide_order(store, shared, &caller, &ip, id, &req, today))
        .await
        .map(crate::routes::bodies::body)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemporaryLimitRequest {
    /// The temporary amount on top of the permanent limit, in major units as text.
    pub amount: String,
    /// The last day it holds, `YYYY-MM-DD`.
    #[schema(value_type = String, format = Date)]
    pub expires: chrono::NaiveDate,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RequestCreated {
    /// The limit request, routed for approval (`/api/v1/limit-requests`).
    pub id: i64,
}

/// Requests a temporary limit for a customer, within the policy's bounds; the request is
/// routed for approval like any limit request. Audited.
#[utoipa::path(
    post,
    path = "/api/v1/customers/{id}/temporary-limit",
    tag = "credit control",
    params(("id" = String, Path)),
    request_body = TemporaryLimitRequest,
    responses((status = 201, body = RequestCreated), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn temporary_limit(
    State(state): State<AppState>,
    caller: Caller,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Path(id): Path<String>,
    Body(req): Body<TemporaryLimitRequest>,
) -> Result<(StatusCode, Json<RequestCreated>), ApiError> {
    caller.require(Permission::LimitRequest)?;
    let amount = crate::routes::amount_field(&state, "amount", &req.amount)?;
    let as_of = state.today();
    if req.expires <= as_of {
        return Err(ApiError::invalid("expires", format!("must be after {as_of}")));
    }
    let request = state
        .writing(move |store, shared| {
            scoped_customer(store, &caller, &id)?;
            let now = crate::clock::now();
            let request =
                credence_engine::request_temporary_limit(store, &shared.artefacts().policy, &id, amount, req.expires, as_of, &now)?;
            audit(
                store,
                &caller,
                &ip,
                "limit.temporary",
                &format!("limit_request:{request}"),
                serde_json::json!({ "customer": id, "amount": req.amount, "expires": req.expires.to_string() }),
            )?;
            Ok(request)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(RequestCreated { id: request })))
}

/// The routes of this area.
pub fn router() -> axum::Router<crate::state::AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/api/v1/customers/{id}/temporary-limit", post(temporary_limit))
        .route("/api/v1/blocked-orders", get(list))
        .route("/api/v1/blocked-orders/{id}/decision", post(decide))
}
