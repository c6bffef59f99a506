//! Utility billing (SCN-1): the latest grading of the billing accounts, the accounts by
//! grade or on the high-risk list, an account's position with its statutory penalty, and
//! the billing requests with their decisions. Billing accounts belong to no business line:
//! every route needs the whole portfolio in scope.

use axum::Extension;
use axum::Json;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};

use crate::ClientIp;
use crate::access::Permission;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::routes::catalogue::whole_portfolio;
use crate::routes::{Body, Params, audit};
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct GradingQuery {
    /// The latest run at or before this date (default: the latest).
    #[param(value_type = Option<String>, format = Date)]
    pub as_of: Option<chrono::NaiveDate>,
}

/// A grading run: the run and what it measured.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GradingBody {
    pub id: i64,
    pub as_of: String,
    pub policy_version: String,
    pub created_at: String,
    pub created_by: String,
    /// Accounts by class and grade, the high-risk list's size, the supply units, the
    /// arrears trend and the models' in-sample AUC.
    #[schema(value_type = Object)]
    pub summary: serde_json::Value,
}

/// The latest grading run of the billing accounts.
#[utoipa::path(
    get,
    path = "/api/v1/billing/grading",
    tag = "billing",
    params(GradingQuery),
    responses((status = 200, body = GradingBody), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn grading(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<GradingQuery>,
) -> Result<Json<GradingBody>, ApiError> {
    caller.require(Permission::PortfolioRead)?;
    whole_portfolio(&caller)?;
    let day = q.as_of.map(|d| d.to_string());
    let run = state.with_store(move |store, _| Ok(store.latest_billing_run(day.as_deref())?)).await?;
    let run = run.ok_or_else(|| ApiError::not_found("no grading run; run `credence utility grade` first"))?;
    Ok(Json(GradingBody {
        id: run.id,
        as_of: run.as_of,
        policy_version: run.policy_version,
        created_at: run.created_at.to_string(),
        created_by: run.created_by,
        summary: serde_json::from_str(&run.summary).unwrap_or_default(),
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct GradesQuery {
    #[param(value_type = Option<String>, format = Date)]
    pub as_of: Option<chrono::NaiveDate>,
    pub grade: Option<String>,
    /// Only the high-risk list.
    pub high_risk: Option<bool>,
    /// At most this many, riskiest forecast first (1–1000, default 100).
    pub limit: Option<u64>,
}

/// An account's grade in a run.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AccountGradeBody {
    pub account_id: String,
    pub grade: String,
    pub points: f64,
    /// The scorecard's PD of arrears on next month's bill.
    pub pd: f64,
    /// The forecast model's PD of the same.
    pub forecast_pd: f64,
    pub high_risk: bool,
    /// Feature, value (bin) and points lost against the best bin.
    #[schema(value_type = Vec<Object>)]
    pub reasons: serde_json::Value,
}

impl From<credence_store::AccountGrade> for AccountGradeBody {
    fn from(g: credence_store::AccountGrade) -> Self {
        AccountGradeBody {
            reasons: serde_json::from_str(&g.reasons).unwrap_or_default(),
            account_id: g.account_id,
            grade: g.grade,
            points: g.points,
            pd: g.pd,
            forecast_pd: g.forecast_pd,
            high_risk: g.high_risk,
        }
    }
}

/// The accounts of the latest grading run, riskiest forecast first.
#[utoipa::path(
    get,
    path = "/api/v1/billing/grades",
    tag = "billing",
    params(GradesQuery),
    responses((status = 200, body = Vec<AccountGradeBody>), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn grades(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<GradesQuery>,
) -> Result<Json<Vec<AccountGradeBody>>, ApiError> {
    caller.require(Permission::PortfolioRead)?;
    whole_portfolio(&caller)?;
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::invalid("limit", "must be 1–1000"));
    }
    let day = q.as_of.map(|d| d.to_string());
    let found = state
        .with_store(move |store, _| {
            let Some(run) = store.latest_billing_run(day.as_deref())? else { return Ok(None) };
            let filter = credence_store::GradeFilter {
                grade: q.grade.as_deref(),
                high_risk_only: q.high_risk.unwrap_or(false),
                limit: Some(limit),
            };
            Ok(Some(store.account_grades(run.id, &filter)?))
        })
        .await?;
    let grades =
        found.ok_or_else(|| ApiError::not_found("no grading run; run `credence utility grade` first"))?;
    Ok(crate::routes::bodies::list(grades))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PositionQuery {
    /// The date of the position and of the penalty (default: the business date).
    #[param(value_type = Option<String>, format = Date)]
    pub as_of: Option<chrono::NaiveDate>,
}

/// An account's position: owed, overdue, credit, deposit, latest grade, and each late
/// bill's statutory late-payment penalty.
#[utoipa::path(
    get,
    path = "/api/v1/billing/accounts/{id}",
    tag = "billing",
    params(("id" = String, Path), PositionQuery),
    responses((status = 200, body = Object), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn account(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Params(q): Params<PositionQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    caller.require(Permission::ReceivablesRead)?;
    whole_portfolio(&caller)?;
    if id.len() > 64 {
        return Err(ApiError::invalid("id", "an account number has at most 64 characters"));
    }
    let as_of = q.as_of.unwrap_or_else(|| state.today());
    let policy = state.0.artefacts().billing_policy.clone();
    let p = state
        .with_store(move |store, _| Ok(credence_engine::account_position(store, &policy, &id, as_of)?))
        .await?;
    Ok(Json(serde_json::to_value(p).unwrap_or_default()))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct BillingRequestQuery {
    /// `pending` (default), `approved`, `rejected` or `superseded`.
    pub status: Option<String>,
    pub account: Option<String>,
    /// `terms` or `waiver` (default: both).
    pub kind: Option<String>,
    /// At most this many, newest first (1–1000, default 100).
    pub limit: Option<u64>,
}

/// A change of billing terms routed for approval.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BillingRequestBody {
    pub id: i64,
    pub account_id: String,
    /// `terms` (a change of billing terms) or `waiver` (a penalty waived).
    pub kind: String,
    pub run_id: i64,
    pub policy_version: String,
    pub as_of: String,
    pub created_at: String,
    pub status: String,
    /// The proposed terms with each change and its reasons.
    #[schema(value_type = Object)]
    pub proposal: serde_json::Value,
    #[schema(value_type = Vec<Object>)]
    pub route: serde_json::Value,
}

impl From<credence_store::BillingRequest> for BillingRequestBody {
    fn from(r: credence_store::BillingRequest) -> Self {
        BillingRequestBody {
            proposal: serde_json::from_str(&r.proposal).unwrap_or_default(),
            route: serde_json::from_str(&r.route).unwrap_or_default(),
            id: r.id,
            account_id: r.account_id,
            kind: r.kind,
            run_id: r.run_id,
            policy_version: r.policy_version,
            as_of: r.as_of,
            created_at: r.created_at.to_string(),
            status: r.status,
        }
    }
}

/// Billing requests, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/billing/requests",
    tag = "billing",
    params(BillingRequestQuery),
    responses((status = 200, body = Vec<BillingRequestBody>), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn requests(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<BillingRequestQuery>,
) -> Result<Json<Vec<BillingRequestBody>>, ApiError> {
    caller.require(Permission::PolicyRead)?;
    whole_portfolio(&caller)?;
    let status = q.status.unwrap_or_else(|| "pending".into());
    if !matches!(status.as_str(), "pending" | "approved" | "rejected" | "superseded") {
        return Err(ApiError::invalid("status", "pending, approved, rejected or superseded"));
    }
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::invalid("limit", "must be 1–1000"));
    }
    if let Some(k) = &q.kind
        && !matches!(k.as_str(), "terms" | "waiver")
    {
        return Err(ApiError::invalid("kind", "terms or waiver"));
    }
    let found = state
        .with_store(move |store, _| {
            Ok(store.billing_requests(Some(&status), q.account.as_deref(), q.kind.as_deref(), limit)?)
        })
        .await?;
    Ok(crate::routes::bodies::list(found))
}

/// What a decision on a billing request did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BillingDecisionBody {
    pub id: i64,
    pub account_id: String,
    /// The authority the decision was signed in.
    pub authority: String,
    pub status: crate::routes::bodies::RequestStatusBody,
}

/// Approves or rejects a billing request at its route's next step, in the authority the
/// caller holds for that step, never one the client names. Audited.
#[utoipa::path(
    post,
    path = "/api/v1/billing/requests/{id}/decision",
    tag = "billing",
    params(("id" = i64, Path)),
    request_body = crate::routes::work::Decision,
    responses((status = 200, body = BillingDecisionBody), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Path(id): Path<i64>,
    Body(d): Body<crate::routes::work::Decision>,
) -> Result<Json<BillingDecisionBody>, ApiError> {
    caller.require(Permission::LimitDecide)?;
    whole_portfolio(&caller)?;
    let done = state.writing(move |store, _| decide_billing(store, &caller, &ip, id, &d)).await?;
    Ok(Json(BillingDecisionBody {
        id,
        account_id: done.account_id,
        authority: done.authority,
        status: done.status.into(),
    }))
}

/// Decides a billing request for the caller and audits it.
pub(crate) fn decide_billing(
    store: &mut credence_store::Store,
    caller: &Caller,
    ip: &str,
    id: i64,
    d: &crate::routes::work::Decision,
) -> Result<credence_engine::BillingTermsDecision, ApiError> {
    if d.authority.is_some() {
        return Err(ApiError::invalid(
            "authority",
            "a decision is signed in the authority the signed-in user holds for the route's next step; remove `authority`",
        ));
    }
    if d.comment.trim().is_empty() {
        return Err(ApiError::invalid("comment", "a decision needs a comment"));
    }
    if d.comment.chars().count() > 2_000 {
        return Err(ApiError::invalid("comment", "at most 2000 characters"));
    }
    let now = crate::clock::now();
    let done =
        credence_engine::decide_billing_request(store, id, d.approve, &caller.username, &d.comment, &now)?;
    audit(
        store,
        caller,
        ip,
        if d.approve { "billing.approve" } else { "billing.reject" },
        &format!("billing_request:{id}"),
        serde_json::json!({ "account": done.account_id, "after": done.status, "authority": done.authority, "comment": d.comment }),
    )?;
    Ok(done)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReconnectionQuery {
    /// Disconnections cleared from this day …
    #[param(value_type = String, format = Date)]
    pub from: chrono::NaiveDate,
    /// … to this day (inclusive; at most 366 days after `from`).
    #[param(value_type = String, format = Date)]
    pub to: chrono::NaiveDate,
    /// The local time the ones still off are measured to, `YYYY-MM-DD HH:MM` (default:
    /// the business date at the current time of day).
    pub at: Option<String>,
}

/// The reconnection commitment: arrears disconnections cleared in a period, reconnected
/// within the billing policy's hours of payment or not, by supply unit, breaches longest
/// first.
#[utoipa::path(
    get,
    path = "/api/v1/billing/reconnections",
    tag = "billing",
    params(ReconnectionQuery),
    responses((status = 200, body = Object), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn reconnections(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<ReconnectionQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    caller.require(Permission::PortfolioRead)?;
    whole_portfolio(&caller)?;
    if q.to < q.from || (q.to - q.from).num_days() > 366 {
        return Err(ApiError::invalid("to", "must be on or after `from` and at most 366 days after it"));
    }
    let at = match q.at.as_deref() {
        Some(text) => credence_records::normalise::parse_date_time(text).ok_or_else(|| {
            ApiError::invalid("at", format!("'{text}' is not a date and time (YYYY-MM-DD HH:MM)"))
        })?,
        None => state.today().and_time(crate::clock::now_in(state.0.config.zone).time()),
    };
    let policy = state.0.artefacts().billing_policy.clone();
    let sla = state
        .with_store(move |store, _| Ok(credence_engine::reconnection_sla(store, &policy, q.from, q.to, at)?))
        .await?;
    Ok(Json(serde_json::to_value(sla).unwrap_or_default()))
}

pub fn router() -> axum::Router<crate::state::AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/api/v1/billing/grading", get(grading))
        .route("/api/v1/billing/grades", get(grades))
        .route("/api/v1/billing/accounts/{id}", get(account))
        .route("/api/v1/billing/requests", get(requests))
        .route("/api/v1/billing/reconnections", get(reconnections))
        .route("/api/v1/billing/requests/{id}/decision", post(decide))
}
