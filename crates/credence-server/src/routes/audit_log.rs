//! The audit log for auditors: query, verify and export the chain (GOV-4); the records of
//! refused requests and failed sign-ins; periodic checkpoints.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Mutex;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};

use crate::ClientIp;
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
    pub records: Vec<crate::routes::bodies::AuditRecordBody>,
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
            Ok(AuditPage { records: records.into_iter().map(Into::into).collect(), next_after })
        })
        .await
        .map(Json)
}

/// Checks the whole chain; names the first broken record.
#[utoipa::path(
    get,
    path = "/api/v1/audit/verify",
    tag = "audit",
    responses((status = 200, body = crate::routes::bodies::AuditVerificationBody), (status = 403, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn verify(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<crate::routes::bodies::AuditVerificationBody>, ApiError> {
    caller.require(Permission::AuditRead)?;
    state.with_store(|store, _| Ok(store.verify_audit()?)).await.map(crate::routes::bodies::body)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuditExportQuery {
    /// `jsonl` (one record a line, default) or `syslog` (RFC 5424 lines).
    pub format: Option<String>,
    /// RFC 3339, inclusive.
    pub from: Option<String>,
    /// RFC 3339, exclusive.
    pub to: Option<String>,
}

/// The audit log for a SIEM, as JSON lines or RFC 5424 syslog lines; the export is
/// itself audited.
#[utoipa::path(
    get,
    path = "/api/v1/audit/export",
    tag = "audit",
    params(AuditExportQuery),
    responses((status = 200, description = "the records, one a line"), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn export(
    State(state): State<AppState>,
    caller: Caller,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Params(q): Params<AuditExportQuery>,
) -> Result<Response, ApiError> {
    caller.require(Permission::AuditRead)?;
    let syslog = match q.format.as_deref() {
        None | Some("jsonl") => false,
        Some("syslog") => true,
        Some(other) => return Err(ApiError::invalid("format", format!("'{other}' is not jsonl or syslog"))),
    };
    let filter = credence_store::AuditFilter { from: q.from.clone(), to: q.to.clone(), ..Default::default() };
    let text = state
        .with_store(move |store, shared| {
            let mut out = String::new();
            let mut n = 0;
            store.for_each_audit_record(&filter, |r| {
                n += 1;
                out.push_str(&if syslog {
                    credence_store::audit_syslog(&r, &shared.config.instance)
                } else {
                    credence_store::audit_jsonl(&r)
                });
                out.push('\n');
            })?;
            // Recorded after reading, so the export does not contain its own record.
            crate::routes::audit(
                store,
                &caller,
                &ip,
                "audit.export",
                "audit",
                serde_json::json!({ "format": if syslog { "syslog" } else { "jsonl" }, "from": q.from, "to": q.to, "records": n }),
            )?;
            Ok(out)
        })
        .await?;
    let content_type = if syslog { "text/plain; charset=utf-8" } else { "application/x-ndjson" };
    Ok(([(header::CONTENT_TYPE, HeaderValue::from_static(content_type))], text).into_response())
}

/// Records a failed sign-in: the username tried (cut to 128 characters) and the client's
/// address.
pub(crate) fn record_failed_login(
    store: &mut credence_store::Store,
    username: &str,
    ip: &str,
) -> Result<(), ApiError> {
    let tried: String = username.chars().take(128).collect();
    let actor = crate::accounts::Actor {
        name: tried.clone(),
        role: "anonymous".into(),
        client_ip: ip.to_owned(),
        request_id: crate::error::REQUEST_ID.try_with(Clone::clone).unwrap_or_default(),
    };
    Ok(actor.record(store, "session.login_failed", &format!("user:{tried}"), serde_json::json!({}))?)
}

tokio::task_local! {
    /// Who was refused in the request being answered, when the refusal knew (set by
    /// [`note_refused_caller`]).
    static REFUSED_CALLER: RefCell<Option<(String, String)>>;
}

/// Notes who a permission check refused, for the refusal's audit record.
pub(crate) fn note_refused_caller(username: &str, role: &str) {
    let _ = REFUSED_CALLER.try_with(|c| *c.borrow_mut() = Some((username.to_owned(), role.to_owned())));
}

/// Refusals recorded per client address in the current minute.
#[derive(Default)]
pub struct RefusalCounter(Mutex<HashMap<String, RefusalWindow>>);

#[derive(Debug, Clone, Copy, Default)]
struct RefusalWindow {
    minute: i64,
    count: u32,
}

/// What to record of a refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RefusalRecord {
    /// The refusal itself; `suppressed`: refusals of the client's last busy minute that
    /// were counted but not recorded.
    Refusal {
        suppressed: u32,
    },
    /// The refusal that reached the limit: one record saying that further ones this
    /// minute are only counted.
    Limit,
    Nothing,
}

impl RefusalCounter {
    fn count(&self, ip: &str, minute: i64, limit: u32) -> RefusalRecord {
        let Ok(mut map) = self.0.lock() else { return RefusalRecord::Nothing };
        if map.len() > 10_000 {
            map.retain(|_, w| w.minute >= minute);
        }
        let w = map.entry(ip.to_owned()).or_default();
        let mut suppressed = 0;
        if w.minute != minute {
            suppressed = w.count.saturating_sub(limit + 1);
            *w = RefusalWindow { minute, count: 0 };
        }
        w.count = w.count.saturating_add(1);
        match w.count {
            n if n <= limit => RefusalRecord::Refusal { suppressed },
            n if n == limit + 1 => RefusalRecord::Limit,
            _ => RefusalRecord::Nothing,
        }
    }
}

/// Records refused requests (401 and 403, API and cockpit alike) in the audit log: who
/// (when known), method, path and the reason given, each in its own transaction since
/// nothing changed. At most `refusals_per_minute` per client address and minute are
/// recorded; the next one says so, and the count of the rest goes into the client's next
/// record.
pub(crate) async fn record_refusals(State(state): State<AppState>, request: Request, next: Next) -> Response {
    // Kept cheaply (both share their bytes); turned into text only for a refusal.
    let (method, uri) = (request.method().clone(), request.uri().clone());
    let ip = request.extensions().get::<ClientIp>().map_or_else(|| "local".to_owned(), |c| c.0.clone());
    let (response, who) = REFUSED_CALLER
        .scope(RefCell::new(None), async {
            let response = next.run(request).await;
            (response, REFUSED_CALLER.with(|c| c.borrow().clone()))
        })
        .await;
    let status = response.status();
    // A failed sign-in has a record of its own, with the username tried.
    let sign_in = method == axum::http::Method::POST && matches!(uri.path(), "/api/v1/session" | "/login");
    if sign_in || (status != StatusCode::UNAUTHORIZED && status != StatusCode::FORBIDDEN) {
        return response;
    }
    let method = method.to_string();
    let path = uri.path().chars().take(256).collect::<String>();
    let minute = crate::clock::instant().timestamp().div_euclid(60);
    let limit = state.0.config.audit.refusals_per_minute;
    let what = state.0.refusals.count(&ip, minute, limit);
    if what == RefusalRecord::Nothing {
        return response;
    }
    // The reason is the error body's message (JSON errors are small); a cockpit page
    // gives its status only.
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024).await.unwrap_or_default();
    let reason = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|v| v["message"].as_str().map(str::to_owned))
        .unwrap_or_else(|| status.canonical_reason().unwrap_or_default().to_owned());
    let (name, role) = who.unwrap_or_else(|| ("-".into(), "anonymous".into()));
    let actor = crate::accounts::Actor {
        name,
        role,
        client_ip: ip.clone(),
        request_id: crate::error::REQUEST_ID.try_with(Clone::clone).unwrap_or_default(),
    };
    let (action, summary) = match what {
        RefusalRecord::Refusal { suppressed } => (
            "request.refused",
            serde_json::json!({ "method": method, "path": path, "status": status.as_u16(), "reason": reason, "suppressed_before": suppressed }),
        ),
        _ => (
            "request.refusals_limited",
            serde_json::json!({ "method": method, "path": path, "status": status.as_u16(), "reason": reason, "limit_per_minute": limit,
                "note": "further refusals from this address this minute are counted in its next record, not recorded one by one" }),
        ),
    };
    let entry = actor.entry(action, &format!("request:{method} {path}"), summary);
    let written = state.in_background(move |store, _| Ok(store.append_audit(&entry)?)).await;
    if let Err(e) = written {
        tracing::error!(error = ?e, "the refusal could not be recorded");
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// Appends a signed checkpoint of the chain's head to `path` every `every`, for
/// `credence audit verify --checkpoint`.
pub async fn take_checkpoints(state: AppState, path: std::path::PathBuf, every: std::time::Duration) {
    loop {
        tokio::time::sleep(every).await;
        let path = path.clone();
        let taken = state
            .in_background(move |store, _| {
                let at = crate::clock::now_millis();
                let cp = credence_store::AuditCheckpoint::take(store, &at)?;
                cp.append_to(&path).map_err(|e| ApiError::failed("appending the audit checkpoint", e))?;
                Ok(cp)
            })
            .await;
        match taken {
            Ok(cp) => tracing::info!(seq = cp.seq, "audit checkpoint taken"),
            Err(e) => tracing::error!(error = ?e, "the audit checkpoint could not be taken"),
        }
    }
}

/// The routes of this area.
pub fn router() -> axum::Router<crate::state::AppState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/api/v1/audit", get(list))
        .route("/api/v1/audit/verify", get(verify))
        .route("/api/v1/audit/export", get(export))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_recorded_up_to_the_limit_per_minute_then_counted() {
        let c = RefusalCounter::default();
        let seen: Vec<RefusalRecord> = (0..5).map(|_| c.count("10.0.0.1", 7, 2)).collect();
        assert_eq!(
            seen,
            [
                RefusalRecord::Refusal { suppressed: 0 },
                RefusalRecord::Refusal { suppressed: 0 },
                RefusalRecord::Limit,
                RefusalRecord::Nothing,
                RefusalRecord::Nothing
            ]
        );
        assert_eq!(c.count("10.0.0.2", 7, 2), RefusalRecord::Refusal { suppressed: 0 }, "per address");
        assert_eq!(c.count("10.0.0.1", 8, 2), RefusalRecord::Refusal { suppressed: 2 }, "next minute");
    }
}
