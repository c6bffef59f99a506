//! Health, readiness, metrics and the OpenAPI document.

use std::fmt::Write;

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;

use crate::error::ApiError;
use crate::state::{AppState, LATENCY_BUCKETS};

/// Alive: answers as long as the process serves requests.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, description = "alive")))]
pub async fn healthz() -> &'static str {
    "ok"
}

/// Ready: the database answers and its schema is the one this program migrates to (not
/// one a newer version has migrated since).
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "operations",
    responses((status = 200, description = "ready"), (status = 503, description = "the database does not answer, or its schema is newer than this program's"))
)]
pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    match state.with_store(|s, _| Ok(s.schema_versions()?)).await {
        Ok((applied, known)) if applied == known => (StatusCode::OK, "ready".to_owned()),
        Ok((applied, known)) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("the database schema is at migration {applied}; this program's is {known}"),
        ),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable".to_owned()),
    }
}

/// Prometheus metrics: requests and latencies per route, background job runs, open alerts
/// by level and open cases (overdue or not).
/// When the server has a metrics token, only `Authorization: Bearer <token>` is answered.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "operations",
    responses((status = 200, description = "Prometheus text format"), (status = 401, body = crate::error::ErrorBody))
)]
pub async fn metrics(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
) -> Result<impl IntoResponse, ApiError> {
    if let Some(expected) = &state.0.config.metrics_token {
        let sent = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if !sent.is_some_and(|t| crate::auth::same_secret(t.trim(), expected)) {
            return Err(ApiError::unauthorized("/metrics needs `Authorization: Bearer <the metrics token>`"));
        }
    }
    let m = &state.0.metrics;
    let mut out = String::new();
    let label = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
    out.push_str("# HELP credence_http_requests_total HTTP requests by method, route and status.\n");
    out.push_str("# TYPE credence_http_requests_total counter\n");
    for ((method, route, status), n) in m.requests.lock().map_err(|_| ApiError::poisoned("metrics"))?.iter() {
        let _ = writeln!(
            out,
            "credence_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{status}\"}} {n}",
            label(method),
            label(route)
        );
    }
    out.push_str("# HELP credence_http_request_duration_seconds Time to answer, by method and route.\n");
    out.push_str("# TYPE credence_http_request_duration_seconds histogram\n");
    for ((method, route), (counts, sum)) in
        m.latency.lock().map_err(|_| ApiError::poisoned("metrics"))?.iter()
    {
        let l = format!("method=\"{}\",route=\"{}\"", label(method), label(route));
        let mut cumulative = 0;
        for (k, c) in counts.iter().enumerate() {
            cumulative += c;
            let le = LATENCY_BUCKETS.get(k).map_or_else(|| "+Inf".to_owned(), |b| b.to_string());
            let _ = writeln!(
                out,
                "credence_http_request_duration_seconds_bucket{{{l},le=\"{le}\"}} {cumulative}"
            );
        }
        let _ = writeln!(out, "credence_http_request_duration_seconds_sum{{{l}}} {sum}");
        let _ = writeln!(out, "credence_http_request_duration_seconds_count{{{l}}} {cumulative}");
    }
    let (open, idle) = state.0.pool.state();
    out.push_str("# HELP credence_db_connections Database connections the pool holds open.\n");
    out.push_str("# TYPE credence_db_connections gauge\n");
    let _ = writeln!(out, "credence_db_connections {open}");
    out.push_str("# HELP credence_db_connections_idle Pooled database connections not in use.\n");
    out.push_str("# TYPE credence_db_connections_idle gauge\n");
    let _ = writeln!(out, "credence_db_connections_idle {idle}");
    out.push_str("# HELP credence_job_runs_total Background job runs by job.\n");
    out.push_str("# TYPE credence_job_runs_total counter\n");
    let jobs = m.jobs.lock().map_err(|_| ApiError::poisoned("metrics"))?.clone();
    for (job, (runs, _)) in &jobs {
        let _ = writeln!(out, "credence_job_runs_total{{job=\"{}\"}} {runs}", label(job));
    }
    out.push_str("# HELP credence_job_last_duration_seconds Duration of each job's last run.\n");
    out.push_str("# TYPE credence_job_last_duration_seconds gauge\n");
    for (job, (_, seconds)) in &jobs {
        let _ = writeln!(out, "credence_job_last_duration_seconds{{job=\"{}\"}} {seconds}", label(job));
    }
    let now = state.business_now();
    let (counts, latest) = state
        .with_store(move |store, _| {
            let latest = store.rating_runs(20)?.into_iter().find(|r| r.finished_at.is_some());
            Ok((store.work_counts(&now)?, latest))
        })
        .await?;
    if let Some(run) = latest {
        out.push_str(
            "# HELP credence_rating_run_customers Customers of the latest finished rating run by outcome.\n",
        );
        out.push_str("# TYPE credence_rating_run_customers gauge\n");
        for (outcome, n) in [("rated", run.rated), ("skipped", run.skipped), ("failed", run.failed)] {
            let _ = writeln!(out, "credence_rating_run_customers{{outcome=\"{outcome}\"}} {n}");
        }
        let finished = run.finished_at.as_ref().and_then(|f| f.instant());
        if let (Some(start), Some(end)) = (run.started_at.instant(), finished) {
            out.push_str("# HELP credence_rating_run_seconds Duration of the latest finished rating run.\n");
            out.push_str("# TYPE credence_rating_run_seconds gauge\n");
            let _ = writeln!(
                out,
                "credence_rating_run_seconds {}",
                (end - start).num_milliseconds() as f64 / 1000.0
            );
            out.push_str("# HELP credence_rating_run_finished_timestamp_seconds When the latest rating run finished.\n");
            out.push_str("# TYPE credence_rating_run_finished_timestamp_seconds gauge\n");
            let _ = writeln!(out, "credence_rating_run_finished_timestamp_seconds {}", end.timestamp());
        }
    }
    let (levels, open, late) = (counts.open_alerts, counts.open_cases, counts.overdue_cases);
    out.push_str("# HELP credence_open_alerts Open early-warning alerts by level.\n");
    out.push_str("# TYPE credence_open_alerts gauge\n");
    for (level, n) in &levels {
        let _ = writeln!(out, "credence_open_alerts{{level=\"{}\"}} {n}", label(level));
    }
    out.push_str("# HELP credence_open_cases Open disposal cases, and those past their deadline.\n");
    out.push_str("# TYPE credence_open_cases gauge\n");
    let _ = writeln!(out, "credence_open_cases{{overdue=\"false\"}} {}", open - late);
    let _ = writeln!(out, "credence_open_cases{{overdue=\"true\"}} {late}");
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out))
}

/// The OpenAPI document of this API.
#[utoipa::path(get, path = "/api/openapi.json", tag = "operations", responses((status = 200, description = "OpenAPI 3.1 document")))]
pub async fn openapi_document() -> Json<utoipa::openapi::OpenApi> {
    Json(crate::openapi::document())
}

/// The routes of this area.
pub fn router() -> axum::Router<crate::state::AppState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/api/openapi.json", get(openapi_document))
}
