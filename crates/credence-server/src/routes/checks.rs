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
    pub exposure: i64,
    /// Open invoices past their due date.
    pub overdue_items: u32,
    pub limit: i64,
    pub temporary_limit: i64,
    /// Limit plus temporary limit less exposure (negative: over the limit).
    pub available: i64,
    pub grade: Option<String>,
    /// `red`, `yellow` or `green`.
    pub level: String,
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
    let currency = state.0.artefacts().policy.currency().code().to_owned();
    state
        .with_store(move |store, _| {
            scoped_customer(store, &caller, &id)?;
            let book = &warm.book;
            let standing = book
                .book
                .standing(&id, book.as_of)
                .ok_or_else(|| ApiError::not_found(format!("no customer with id '{id}'")))?;
            Ok(StandingView {
                customer_id: id,
                currency,
                as_of: book.as_of.to_string(),
                exposure: standing.exposure,
                overdue_items: standing.overdue_items,
                limit: standing.limit,
                temporary_limit: standing.temporary_limit,
                available: standing.available,
                grade: standing.grade,
                level: credence_domain::Labelled::code(&standing.level).to_owned(),
            })
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
        (status = 200, description = "the check: pass or block, each step, the remedy", body = crate::routes::bodies::OrderCheckBody),
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
) -> Result<Json<crate::routes::bodies::OrderCheckBody>, ApiError> {
    caller.require(Permission::CheckRun)?;
    let policy_currency = state.0.artefacts().policy.currency();
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
            let order = credence_engine::OrderToCheck {
                customer: &req.customer_id,
                amount,
                order_ref: req.order_ref.as_deref(),
                actor: &caller.username,
                now: &now,
            };
            let result = credence_engine::check_with_book(store, &warm.book, &shared.artefacts().policy, &order)?;
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
        .map(crate::routes::bodies::body)
}

/// The routes of this area.
pub fn router() -> axum::Router<crate::state::AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/api/v1/customers/{id}/standing", get(standing))
        .route("/api/v1/checks", post(check))
}
