//! The audit log for auditors: query and verify the chain (GOV-4).

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};

use crate::access::Permission;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::routes::Params;
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    pub actor: Option<String>,
    /// Actions starting with this (`limit.`).
    pub action: Option<String>,
    /// Objects starting with this (`customer:C0000042`).
    pub object: Option<String>,
    /// RFC 3339, inclusive.
    pub from: Option<String>,
    /// RFC 3339, exclusive.
    pub to: Option<String>,
    /// Records after this sequence number (the last one of the previous page).
    pub after: Option<i64>,
    /// At most this many (1–1000, default 100).
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditPage {
    #[schema(value_type = Vec<Object>)]
    pub records: Vec<credence_store::AuditRecord>,
    /// Pass as `after` for the next page; absent on the last.
    pub next_after: Option<i64>,
}

/// Audit records, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/audit",
    tag = "audit",
    params(AuditQuery),
    responses((status = 200, body = AuditPage), (status = 403, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<AuditQuery>,
) -> Result<Json<AuditPage>, ApiError> {
    caller.require(Permission::AuditRead)?;
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::invalid("limit", "must be 1–1000"));
    }
    let filter = credence_store::AuditFilter {
        actor: q.actor,
        action: q.action,
        object: q.object,
        from: q.from,
        to: q.to,
        after: q.after,
        limit: Some(limit),
    };
    state
        .with_store(move |store, _| {
            let records = store.audit_records(&filter)?;
            let next_after =
                (records.len() == limit as usize).then(|| records.last().map(|r| r.seq)).flatten();
            Ok(AuditPage { records, next_after })
        })
        .await
        .map(Json)
}

/// Checks the whole chain; names the first broken record.
#[utoipa::path(
    get,
    path = "/api/v1/audit/verify",
    tag = "audit",
    responses((status = 200, body = Object), (status = 403, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn verify(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<credence_store::AuditVerification>, ApiError> {
    caller.require(Permission::AuditRead)?;
    state.with_store(|store, _| Ok(store.verify_audit()?)).await.map(Json)
}
