//! The order-time credit check (CTRL-4) for ERPs: pass or block with every step's result
//! and the smallest remedy, against an exposure book kept warm in memory.

use axum::Extension;
use axum::Json;
use axum::extract::State;
use serde::Deserialize;

use crate::ClientIp;
use crate::access::Permission;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::routes::{Body, audit, scoped_customer};
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckRequest {
    pub customer_id: String,
    /// The order's amount in major units as text (`"125000.00"`), in the policy's currency.
    pub amount: String,
    /// Must be the policy's currency when given.
    pub currency: Option<String>,
    /// The ERP's order reference: a blocked order is queued for release or rejection.
    pub order_ref: Option<String>,
}

/// A customer's credit standing for an order screen: exposure, limit, available credit,
/// overdue items, grade and warning level, from the warm book (minor units of the
/// policy's currency).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct StandingView {
    pub customer_id: String,
    pub currency: String,
    pub as_of: String,
    #[schema(value_type = Object)]
    #[serde(flatten)]
    pub standing: credence_control::Standing,
}

/// The customer's credit standing today.
#[utoipa::path(
    get,
    path = "/api/v1/customers/{id}/standing",
    tag = "credit control",
    params(("id" = String, Path, description = "customer id")),
    responses((status = 200, body = StandingView), (status = 404, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn standing(
    State(state): State<AppState>,
    caller: Caller,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Json<StandingView>, ApiError> {
    caller.require(Permission::RatingRead)?;
    let warm = crate::warm::snapshot(&state).await?;
    let currency = state.0.policy.currency.code().to_owned();
    state
        .with_store(move |store, _| {
            scoped_customer(store, &caller, &id)?;
            let book = &warm.book;
            let standing = book
                .book
                .standing(&id, book.as_of)
                .ok_or_else(|| ApiError::not_found(format!("no customer with id '{id}'")))?;
            Ok(StandingView { customer_id: id, currency, as_of: book.as_of.to_string(), standing })
        })
        .await
        .map(Json)
}

/// Checks an order; with an order reference a blocked order is queued (and audited).
#[utoipa::path(
    post,
    path = "/api/v1/checks",
    tag = "credit control",
    request_body = CheckRequest,
    responses(
        (status = 200, description = "the check: pass or block, each step, the remedy", body = Object),
        (status = 404, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)
    ),
    security(("session" = []), ("token" = []))
)]
pub async fn check(
    State(state): State<AppState>,
    caller: Caller,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Body(req): Body<CheckRequest>,
) -> Result<Json<credence_engine::OrderCheck>, ApiError> {
    caller.require(Permission::CheckRun)?;
    let policy_currency = state.0.policy.currency;
    if let Some(c) = &req.currency
        && !c.eq_ignore_ascii_case(policy_currency.code())
    {
        return Err(ApiError::invalid(
            "currency",
            format!("checks are in the policy's currency, {}", policy_currency.code()),
        ));
    }
    let amount = crate::routes::amount_field(&state, "amount", &req.amount)?;
    if req.order_ref.as_deref().is_some_and(|r| r.trim().is_empty() || r.len() > 64) {
        return Err(ApiError::invalid("order_ref", "must be 1–64 characters"));
    }
    let warm = crate::warm::snapshot(&state).await?;
    state
        .writing(move |store, shared| {
            scoped_customer(store, &caller, &req.customer_id)?;
            let now = crate::clock::now();
            let result = credence_engine::check_with_book(
                store,
                &warm.book,
                &shared.policy,
                &req.customer_id,
                amount,
                req.order_ref.as_deref(),
                &caller.username,
                &now,
            )?;
            if let Some(id) = result.blocked_order {
                audit(
                    store,
                    &caller,
                    &ip,
                    "order.block",
                    &format!("blocked_order:{id}"),
                    serde_json::json!({ "customer": req.customer_id, "order_ref": req.order_ref, "amount": req.amount }),
                )?;
            }
            Ok(result)
        })
        .await
        .map(Json)
}
