//! Receivables and collections (CTRL-9): aging and collectors' worklists over the
//! caller's scope, a customer's open items, and the collection log — actions, promises to
//! pay and invoice disputes.

use std::collections::HashSet;

use axum::Extension;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::ClientIp;
use crate::access::Permission;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::routes::portfolio::admits;
use crate::routes::{Body, Params, amount_field, audit, scoped_customer};
use crate::state::AppState;

/// The ids of the customers in the caller's scope; `None` for the whole portfolio.
pub(crate) async fn scoped_ids(
    state: &AppState,
    caller: &Caller,
) -> Result<Option<HashSet<String>>, ApiError> {
    if caller.scope.is_whole_portfolio() {
        return Ok(None);
    }
    let snapshot = crate::warm::snapshot(state).await?;
    let admits = admits(caller);
    Ok(Some(
        snapshot
            .portfolio
            .positions
            .iter()
            .filter(|p| admits(p))
            .map(|p| p.customer_id.to_string())
            .collect(),
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AgingQuery {
    /// The most overdue customers to list (0–100, default 10).
    pub top: Option<usize>,
    /// Month ends before the business date to age at as well (0–24, default 12).
    pub months: Option<u32>,
}

/// Aging of the receivables in the caller's scope on the business date: by overdue bucket
/// and age band, by business line, group and portfolio, with DSO, the most overdue
/// customers and the portfolio at earlier month ends (amounts in minor units of the
/// policy's currency).
#[utoipa::path(
    get,
    path = "/api/v1/aging",
    tag = "receivables",
    params(AgingQuery),
    responses((status = 200, body = crate::routes::bodies::AgingBody), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn aging(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<AgingQuery>,
) -> Result<Json<crate::routes::bodies::AgingBody>, ApiError> {
    caller.require(Permission::ReceivablesRead)?;
    let top = q.top.unwrap_or(10);
    let months = q.months.unwrap_or(12);
    if top > 100 {
        return Err(ApiError::invalid("top", "at most 100"));
    }
    if months > 24 {
        return Err(ApiError::invalid("months", "at most 24"));
    }
    let only = scoped_ids(&state, &caller).await?;
    let as_of = state.today();
    state
        .with_store(move |store, shared| {
            let options = credence_engine::AgingOptions {
                top,
                months,
                only,
                ..credence_engine::AgingOptions::new(as_of, shared.artefacts().policy.currency())
            };
            Ok(credence_engine::aging(store, &options)?)
        })
        .await
        .map(crate::routes::bodies::body)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct WorklistQuery {
    /// One collector's list (the owner: a business line).
    pub owner: Option<String>,
}

/// Today's collection worklists in the caller's scope: per collector, the customers an
/// action is due for, most urgent first (amount × PD × days overdue), and those on hold
/// for a promise to pay.
#[utoipa::path(
    get,
    path = "/api/v1/worklist",
    tag = "receivables",
    params(WorklistQuery),
    responses((status = 200, body = crate::routes::bodies::WorklistBody), (status = 403, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn worklist(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<WorklistQuery>,
) -> Result<Json<crate::routes::bodies::WorklistBody>, ApiError> {
    caller.require(Permission::ReceivablesRead)?;
    let only = scoped_ids(&state, &caller).await?;
    let today = state.today();
    state
        .with_store(move |store, shared| {
            let artefacts = shared.artefacts();
            let mut w = credence_engine::collection_worklist(
                store,
                &artefacts.strategy,
                artefacts.policy.currency(),
                today,
            )?;
            let keep = |id: &str| only.as_ref().is_none_or(|o| o.contains(id));
            for c in &mut w.collectors {
                c.items.retain(|i| keep(&i.customer_id));
            }
            w.collectors.retain(|c| !c.items.is_empty() && q.owner.as_ref().is_none_or(|o| *o == c.owner));
            w.on_hold.retain(|(c, owner, _)| keep(c) && q.owner.as_ref().is_none_or(|o| o == owner));
            Ok(w)
        })
        .await
        .map(crate::routes::bodies::body)
}

/// Today's worklists of the whole portfolio, kept until the data or the collection log
/// change; `None` while still being computed.
pub(crate) async fn whole_worklist(
    state: &AppState,
    wait: std::time::Duration,
) -> Result<Option<std::sync::Arc<credence_engine::types::control::Worklist>>, ApiError> {
    let today = state.today();
    let stamp = state.with_store(|store, _| Ok(store.collection_stamp()?)).await?;
    crate::reports::LongReport::get(
        state,
        |s| &s.worklist,
        format!("{today}|{stamp}"),
        wait,
        move |store, shared| {
            let artefacts = shared.artefacts();
            Ok(credence_engine::collection_worklist(
                store,
                &artefacts.strategy,
                artefacts.policy.currency(),
                today,
            )?)
        },
    )
    .await
}

/// A customer's open invoices today.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OpenInvoices {
    pub customer_id: String,
    pub as_of: String,
    pub currency: String,
    /// Oldest due first.
    pub items: Vec<OpenInvoice>,
    /// Open amount per overdue bucket: current, 1–30, 31–60, 61–90, 90+ days.
    pub buckets: Vec<(String, i64)>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OpenInvoice {
    pub invoice_no: String,
    #[schema(value_type = String, format = Date)]
    pub issue_date: chrono::NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub due_date: chrono::NaiveDate,
    pub open: i64,
    pub days_overdue: i64,
    pub bucket: String,
}

/// A customer's open invoices, checked against the caller's permission and scope.
pub(crate) async fn open_invoices(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<OpenInvoices, ApiError> {
    caller.require(Permission::ReceivablesRead)?;
    let snapshot = crate::warm::snapshot(state).await?;
    let (c, who) = (caller.clone(), id.to_owned());
    state.with_store(move |store, _| scoped_customer(store, &c, &who).map(|_| ())).await?;
    invoices_in(&snapshot.book, id, state.0.artefacts().policy.currency())
}

/// A customer's open invoices in the warm exposure book (no access check).
pub(crate) fn invoices_in(
    book: &credence_engine::WarmBook,
    id: &str,
    currency: credence_domain::Currency,
) -> Result<OpenInvoices, ApiError> {
    let list =
        book.book.receivables(id).map_err(|_| ApiError::not_found(format!("no customer with id '{id}'")))?;
    let buckets_all = <credence_engine::types::control::OverdueBucket as credence_domain::Labelled>::ALL;
    let mut buckets: Vec<(String, i64)> = buckets_all.iter().map(|b| (b.to_string(), 0)).collect();
    let items = list
        .into_iter()
        .map(|r| {
            let days = (book.as_of - r.due_date).num_days();
            let bucket = credence_engine::types::control::OverdueBucket::of_days(days);
            if let Some(b) = buckets.iter_mut().find(|b| b.0 == bucket.to_string()) {
                b.1 += r.open;
            }
            OpenInvoice {
                invoice_no: r.invoice_no,
                issue_date: r.issue_date,
                due_date: r.due_date,
                open: r.open,
                days_overdue: days.max(0),
                bucket: bucket.to_string(),
            }
        })
        .collect();
    Ok(OpenInvoices {
        customer_id: id.to_owned(),
        as_of: book.as_of.to_string(),
        currency: currency.code().to_owned(),
        items,
        buckets,
    })
}

/// A customer's open invoices today with their overdue buckets.
#[utoipa::path(
    get,
    path = "/api/v1/customers/{id}/receivables",
    tag = "receivables",
    params(("id" = String, Path)),
    responses((status = 200, body = OpenInvoices), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn customer_receivables(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<OpenInvoices>, ApiError> {
    open_invoices(&state, &caller, &id).await.map(Json)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAction {
    pub customer_id: String,
    /// `phone`, `letter`, `visit`, `agency`, `legal`, … (the strategy's actions).
    pub action: String,
    /// `YYYY-MM-DD` (default: the business date).
    #[schema(value_type = Option<String>, format = Date)]
    pub date: Option<chrono::NaiveDate>,
    pub note: String,
}

/// Logs a collection action taken (audited).
#[utoipa::path(
    post,
    path = "/api/v1/collections/actions",
    tag = "receivables",
    request_body = NewAction,
    responses((status = 201), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn log_action(
    State(state): State<AppState>,
    caller: Caller,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Body(a): Body<NewAction>,
) -> Result<StatusCode, ApiError> {
    caller.require(Permission::CollectionWrite)?;
    let action =
        <credence_engine::types::control::Action as credence_domain::Labelled>::parse_label(&a.action)
            .ok_or_else(|| {
                ApiError::invalid(
                    "action",
                    format!(
                        "'{}' is not one of {}",
                        a.action,
                        <credence_engine::types::control::Action as credence_domain::Labelled>::codes_joined(
                        )
                    ),
                )
            })?;
    let date = a.date.unwrap_or_else(|| state.today());
    state
        .writing(move |store, _| {
            scoped_customer(store, &caller, &a.customer_id)?;
            let now = crate::clock::now();
            credence_engine::log_collection_action(
                store,
                &a.customer_id,
                action,
                date,
                &a.note,
                &caller.username,
                &now,
            )?;
            audit(
                store,
                &caller,
                &ip,
                "collect.log",
                &format!("customer:{}", a.customer_id),
                serde_json::json!({ "action": action.to_string(), "date": date.to_string(), "note": a.note }),
            )
        })
        .await?;
    Ok(StatusCode::CREATED)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPromise {
    pub customer_id: String,
    /// In major units of the policy's currency, as text (`"50,000.00"`).
    pub amount: String,
    /// `YYYY-MM-DD`.
    #[schema(value_type = String, format = Date)]
    pub promised_date: chrono::NaiveDate,
    /// The invoice the promise is for, if one.
    pub invoice_no: Option<String>,
}

/// Logs a promise to pay made today (audited).
#[utoipa::path(
    post,
    path = "/api/v1/collections/promises",
    tag = "receivables",
    request_body = NewPromise,
    responses((status = 201), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn log_promise(
    State(state): State<AppState>,
    caller: Caller,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Body(p): Body<NewPromise>,
) -> Result<StatusCode, ApiError> {
    caller.require(Permission::CollectionWrite)?;
    let amount = amount_field(&state, "amount", &p.amount)?;
    let made_on = state.today();
    state
        .writing(move |store, shared| {
            scoped_customer(store, &caller, &p.customer_id)?;
            let now = crate::clock::now();
            let promise = credence_engine::NewPromise {
                customer: &p.customer_id,
                amount,
                currency: shared.artefacts().policy.currency(),
                made_on,
                promised_date: p.promised_date,
                invoice: p.invoice_no.as_deref(),
                actor: &caller.username,
            };
            credence_engine::log_promise(store, &shared.artefacts().strategy, &promise, &now)?;
            audit(
                store,
                &caller,
                &ip,
                "collect.promise",
                &format!("customer:{}", p.customer_id),
                serde_json::json!({ "amount": p.amount, "promised_date": p.promised_date.to_string(), "invoice": p.invoice_no }),
            )
        })
        .await?;
    Ok(StatusCode::CREATED)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDispute {
    pub customer_id: String,
    pub invoice_no: String,
    /// The disputed part in major units as text; default: the whole invoice.
    pub amount: Option<String>,
    pub reason: String,
}

/// Opens a dispute on an invoice (held back from collection until resolved; audited).
#[utoipa::path(
    post,
    path = "/api/v1/disputes",
    tag = "receivables",
    request_body = NewDispute,
    responses((status = 201, body = crate::routes::bodies::CreatedBody), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn open_dispute(
    State(state): State<AppState>,
    caller: Caller,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Body(d): Body<NewDispute>,
) -> Result<(StatusCode, Json<crate::routes::bodies::CreatedBody>), ApiError> {
    caller.require(Permission::CollectionWrite)?;
    let amount = d.amount.as_deref().map(|a| amount_field(&state, "amount", a)).transpose()?;
    let today = state.today();
    let id = state
        .writing(move |store, _| {
            scoped_customer(store, &caller, &d.customer_id)?;
            let now = crate::clock::now();
            let dispute = credence_engine::NewDispute {
                customer: &d.customer_id,
                invoice: &d.invoice_no,
                opened_on: today,
                amount,
                reason: &d.reason,
                actor: &caller.username,
            };
            let id = credence_engine::open_dispute(store, &dispute, &now)?;
            audit(
                store,
                &caller,
                &ip,
                "dispute.open",
                &format!("dispute:{id}"),
                serde_json::json!({ "customer": d.customer_id, "invoice": d.invoice_no, "amount": d.amount, "reason": d.reason }),
            )?;
            Ok(id)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(crate::routes::bodies::CreatedBody { id })))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Resolution {
    pub resolution: String,
}

/// Resolves a dispute (once; audited).
#[utoipa::path(
    post,
    path = "/api/v1/disputes/{id}/resolve",
    tag = "receivables",
    params(("id" = i64, Path)),
    request_body = Resolution,
    responses((status = 204), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn resolve_dispute(
    State(state): State<AppState>,
    caller: Caller,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Path(id): Path<i64>,
    Body(r): Body<Resolution>,
) -> Result<StatusCode, ApiError> {
    caller.require(Permission::CollectionWrite)?;
    let today = state.today();
    state
        .writing(move |store, _| {
            let d = store.dispute(id)?.ok_or_else(|| ApiError::not_found(format!("no dispute {id}")))?;
            scoped_customer(store, &caller, &d.customer_id)
                .map_err(|_| ApiError::not_found(format!("no dispute {id}")))?;
            credence_engine::resolve_dispute(store, id, today, &r.resolution, &caller.username)?;
            audit(
                store,
                &caller,
                &ip,
                "dispute.resolve",
                &format!("dispute:{id}"),
                serde_json::json!({ "customer": d.customer_id, "resolution": r.resolution }),
            )
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DisputeQuery {
    pub customer: Option<String>,
}

/// Invoice disputes in the caller's scope (one customer's with `customer`).
#[utoipa::path(
    get,
    path = "/api/v1/disputes",
    tag = "receivables",
    params(DisputeQuery),
    responses((status = 200, body = Vec<crate::routes::bodies::DisputeBody>), (status = 403, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn disputes(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<DisputeQuery>,
) -> Result<Json<Vec<crate::routes::bodies::DisputeBody>>, ApiError> {
    caller.require(Permission::ReceivablesRead)?;
    let only = scoped_ids(&state, &caller).await?;
    state
        .with_store(move |store, _| {
            let range = q.customer.as_deref().map(|c| (c, c));
            let mut out: Vec<credence_store::StoredDispute> = store
                .disputes(range)?
                .into_values()
                .flatten()
                .filter(|d| only.as_ref().is_none_or(|o| o.contains(d.customer_id.as_str())))
                .collect();
            out.sort_by_key(|d| std::cmp::Reverse(d.id));
            Ok(out)
        })
        .await
        .map(crate::routes::bodies::list)
}

/// The routes of this area.
pub fn router() -> axum::Router<crate::state::AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/api/v1/customers/{id}/receivables", get(customer_receivables))
        .route("/api/v1/aging", get(aging))
        .route("/api/v1/worklist", get(worklist))
        .route("/api/v1/collections/actions", post(log_action))
        .route("/api/v1/collections/promises", post(log_promise))
        .route("/api/v1/disputes", get(disputes).post(open_dispute))
        .route("/api/v1/disputes/{id}/resolve", post(resolve_dispute))
}
