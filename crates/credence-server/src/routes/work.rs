//! Alerts, limit requests and their decisions, and scoring with registered models.

use std::collections::BTreeMap;

use axum::Extension;
use axum::Json;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};

use crate::ClientIp;
use crate::access::Permission;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::routes::{Body, Params, admits_customer, audit};
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AlertQuery {
    /// `open` (default) or `closed`.
    pub status: Option<String>,
    /// `red`, `yellow` or `green_watch`.
    pub level: Option<String>,
    /// One customer's (or industry's, region's) alerts.
    pub subject: Option<String>,
    /// At most this many (1–500, default 100).
    pub limit: Option<u32>,
}

/// Early-warning alerts in the caller's scope, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/alerts",
    tag = "warnings",
    params(AlertQuery),
    responses((status = 200, body = Vec<crate::routes::bodies::AlertBody>), (status = 403, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn alerts(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<AlertQuery>,
) -> Result<Json<Vec<crate::routes::bodies::AlertBody>>, ApiError> {
    caller.require(Permission::AlertRead)?;
    let limit = q.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::invalid("limit", "must be 1–500"));
    }
    if let Some(l) = &q.level
        && !["red", "yellow", "green_watch"].contains(&l.as_str())
    {
        return Err(ApiError::invalid("level", "red, yellow or green_watch"));
    }
    let filter = credence_store::AlertFilter {
        status: Some(q.status.unwrap_or_else(|| "open".into())),
        level: q.level,
        subject: q.subject,
        // A scoped caller's page is filtered after reading; read more to fill it.
        limit: Some(if caller.scope.is_whole_portfolio() { limit } else { limit.saturating_mul(20) }),
    };
    state
        .with_store(move |store, shared| {
            let mut out = Vec::new();
            for a in store.alerts(&filter)? {
                if out.len() == limit as usize {
                    break;
                }
                if a.subject_kind != "customer" || admits_customer(store, &caller, &a.subject)? {
                    out.push(a);
                }
            }
            crate::routes::evidence::cut_all(store, shared, &caller, &mut out)?;
            Ok(out)
        })
        .await
        .map(crate::routes::bodies::list)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RequestQuery {
    /// `pending` (default), `approved` or `rejected`.
    pub status: Option<String>,
    pub customer: Option<String>,
}

/// Limit requests in the caller's scope, with their proposals and approval routes.
#[utoipa::path(
    get,
    path = "/api/v1/limit-requests",
    tag = "credit control",
    params(RequestQuery),
    responses((status = 200, body = Vec<crate::routes::bodies::LimitRequestBody>), (status = 403, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn limit_requests(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<RequestQuery>,
) -> Result<Json<Vec<crate::routes::bodies::LimitRequestBody>>, ApiError> {
    caller.require(Permission::PolicyRead)?;
    let status = q.status.unwrap_or_else(|| "pending".into());
    state
        .with_store(move |store, _| {
            let mut out = Vec::new();
            for r in store.limit_requests(Some(&status), q.customer.as_deref())? {
                if admits_customer(store, &caller, &r.customer_id)? {
                    out.push(r);
                }
            }
            Ok(out)
        })
        .await
        .map(crate::routes::bodies::list)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    pub approve: bool,
    pub comment: String,
    /// Not accepted: the authority a decision is signed in is the signed-in user's for the
    /// route's next step. Read only to refuse it with a clear message.
    #[serde(default)]
    #[schema(ignore)]
    pub authority: Option<serde_json::Value>,
}

/// Approves or rejects a limit request at the route's next step, in the authority
/// the caller holds for that step (granted by the security administrator), never one the
/// client names; one person signs one step, a committee's step needs its quorum of
/// members. Audited.
#[utoipa::path(
    post,
    path = "/api/v1/limit-requests/{id}/decision",
    tag = "credit control",
    params(("id" = i64, Path)),
    request_body = Decision,
    responses((status = 200, body = crate::routes::bodies::LimitDecisionBody), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Path(id): Path<i64>,
    Body(d): Body<Decision>,
) -> Result<Json<crate::routes::bodies::LimitDecisionBody>, ApiError> {
    caller.require(Permission::LimitDecide)?;
    state.writing(move |store, _| decide_request(store, &caller, &ip, id, &d)).await.map(|done| {
        Json(crate::routes::bodies::LimitDecisionBody {
            authority: done.authority,
            id,
            status: done.status.into(),
        })
    })
}

/// Decides a limit request at the route's next step for the caller and audits it; the
/// authority it was signed in and the request's status after.
pub(crate) fn decide_request(
    store: &mut credence_store::Store,
    caller: &Caller,
    ip: &str,
    id: i64,
    d: &Decision,
) -> Result<credence_engine::LimitDecision, ApiError> {
    if d.authority.is_some() {
        return Err(ApiError::invalid(
            "authority",
            "a decision is signed in the authority the signed-in user holds for the route's next step; remove `authority`",
        ));
    }
    if d.comment.trim().is_empty() {
        return Err(ApiError::invalid("comment", "a decision needs a comment"));
    }
    let (request, _) =
        store.limit_request(id)?.ok_or_else(|| ApiError::not_found(format!("no limit request {id}")))?;
    if !admits_customer(store, caller, &request.customer_id)? {
        return Err(ApiError::not_found(format!("no limit request {id}")));
    }
    let now = crate::clock::now();
    let done = credence_engine::decide_limit(store, id, d.approve, &caller.username, &d.comment, &now)?;
    audit(
        store,
        caller,
        ip,
        if d.approve { "limit.approve" } else { "limit.reject" },
        &format!("limit_request:{id}"),
        serde_json::json!({ "customer": request.customer_id, "before": request.status, "after": done.status, "authority": done.authority, "comment": d.comment }),
    )?;
    Ok(done)
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ModelItem {
    pub version: String,
    pub kind: String,
    pub target: String,
    pub trained_at: String,
    pub registered_at: String,
    pub registered_by: String,
}

/// Registered statistical models.
#[utoipa::path(get, path = "/api/v1/models", tag = "models", responses((status = 200, body = Vec<ModelItem>), (status = 403, body = crate::error::ErrorBody)), security(("session" = []), ("token" = [])))]
pub async fn models(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<ModelItem>>, ApiError> {
    caller.require(Permission::ModelRead)?;
    state
        .with_store(|store, _| {
            Ok(store
                .models()?
                .into_iter()
                .map(|m| ModelItem {
                    version: m.version,
                    kind: m.kind,
                    target: m.target,
                    trained_at: m.trained_at.into(),
                    registered_at: m.registered_at.into(),
                    registered_by: m.registered_by,
                })
                .collect())
        })
        .await
        .map(Json)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreRequest {
    /// Rows as feature → value (numbers or text; absent or null is missing), at most 1,000.
    #[schema(value_type = Vec<Object>)]
    pub rows: Vec<BTreeMap<String, serde_json::Value>>,
    /// Reasons per row (0–10).
    #[serde(default)]
    pub explain: usize,
}

/// Scores rows with a registered model: PD, score, grade and reasons.
#[utoipa::path(
    post,
    path = "/api/v1/models/{version}/score",
    tag = "models",
    params(("version" = String, Path)),
    request_body = ScoreRequest,
    responses((status = 200, body = Vec<crate::routes::bodies::RowScoreBody>), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn score(
    State(state): State<AppState>,
    caller: Caller,
    Path(version): Path<String>,
    Body(req): Body<ScoreRequest>,
) -> Result<Json<Vec<crate::routes::bodies::RowScoreBody>>, ApiError> {
    caller.require(Permission::ModelScore)?;
    if req.rows.is_empty() || req.rows.len() > 1_000 {
        return Err(ApiError::invalid("rows", "send 1–1,000 rows"));
    }
    if req.explain > 10 {
        return Err(ApiError::invalid("explain", "at most 10 reasons"));
    }
    // Absent or null is missing; text as sent; anything else as its JSON text.
    let rows: Vec<BTreeMap<String, String>> = req
        .rows
        .into_iter()
        .map(|row| {
            row.into_iter()
                .map(|(k, v)| {
                    let cell = match v {
                        serde_json::Value::Null => String::new(),
                        serde_json::Value::String(s) => s,
                        v => v.to_string(),
                    };
                    (k, cell)
                })
                .collect()
        })
        .collect();
    let explain = req.explain;
    state
        .with_store(move |store, _| {
            credence_engine::score_rows(store, &version, &rows, explain).map_err(|e| {
                use credence_engine::ScoringError as E;
                match &e {
                    E::UnknownModel(_) => ApiError::not_found(e.to_string()),
                    E::UnknownFeature { row, feature, .. } => {
                        ApiError::invalid(&format!("rows[{row}].{feature}"), e.to_string())
                    }
                    _ => ApiError::failed("scoring rows", e),
                }
            })
        })
        .await
        .map(crate::routes::bodies::list)
}

/// A registered model: its validation (cross-validated metrics), grade table, training
/// profile and the drift of each portfolio run from the training population (PSI).
#[utoipa::path(
    get,
    path = "/api/v1/models/{version}",
    tag = "models",
    params(("version" = String, Path)),
    responses((status = 200, body = crate::routes::bodies::ModelDetailBody), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn model(
    State(state): State<AppState>,
    caller: Caller,
    Path(version): Path<String>,
) -> Result<Json<crate::routes::bodies::ModelDetailBody>, ApiError> {
    caller.require(Permission::ModelRead)?;
    state
        .with_store(move |store, _| {
            credence_engine::model::model_detail(store, &version).map_err(|e| match e {
                credence_engine::model::ModelError::UnknownModel(_) => ApiError::not_found(e.to_string()),
                other => ApiError::failed("reading the model", other),
            })
        })
        .await
        .map(crate::routes::bodies::body)
}

/// The routes of this area.
pub fn router() -> axum::Router<crate::state::AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/api/v1/alerts", get(alerts))
        .route("/api/v1/limit-requests", get(limit_requests))
        .route("/api/v1/limit-requests/{id}/decision", post(decide))
        .route("/api/v1/models", get(models))
        .route("/api/v1/models/{version}", get(model))
        .route("/api/v1/models/{version}/score", post(score))
}
