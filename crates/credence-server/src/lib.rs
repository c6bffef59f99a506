//! The Credence server (GOV-3 … GOV-5, DATA-6): a versioned JSON API over the engine for
//! ERPs, the cockpit and auditors.
//!
//! - **API** under `/api/v1/…`, described by the OpenAPI document at `/api/openapi.json`
//!   (generated from the handlers' annotations, see [`openapi`]). Errors are one shape
//!   ([`error::ErrorBody`]): code, message, field; our own failures are a generic 500 with
//!   the request id, the detail going to the log.
//! - **Who may do what** ([`access`]): seven roles and one permission matrix, four-level
//!   data scope (organisation unit → business line → customer → indicator), personal data
//!   masked for roles without `pii.read`.
//! - **Authentication** ([`auth`]): browser sessions (HttpOnly SameSite cookie, CSRF token
//!   header on every change) and revocable, scoped API tokens; Argon2id passwords; login
//!   throttling per username.
//! - **Audit**: every change made through the API appends to the store's keyed,
//!   hash-chained audit log, in the change's own transaction, with the caller, role,
//!   client address and request id; so do failed sign-ins, refused requests (at most a
//!   set number per client and minute) and exports. Checkpoints of the chain's head are
//!   written outside the database periodically when configured.
//! - **Jobs** ([`jobs`]): nightly rating, daily warnings and notification delivery on
//!   cron schedules in the business time zone, each run claimed through the database so
//!   several instances run it once.
//! - **Operations**: one configuration ([`config`]); the process's life ([`lifecycle`]:
//!   SIGTERM drains, SIGHUP reloads the artefacts); `/healthz` (alive), `/readyz`
//!   (database reachable, schema current), `/metrics` (Prometheus text: requests and
//!   latencies per route, job runs, the connection pool, the latest rating run), request ids in the
//!   `x-request-id` header and in every log line, JSON logs on request, body size limits
//!   and timeouts.
//!
//! The app is built by [`app`], so tests drive it in process without a socket; [`run`]
//! binds it ([`serve_on`] on a listener of the caller's). Handlers do no analytics themselves: they check the caller, call the engine
//! or the store on a pooled connection off the async threads, and shape the answer.

pub mod access;
pub mod accounts;
pub mod auth;
pub mod clock;
pub mod config;
pub mod error;
pub mod jobs;
pub mod lifecycle;
mod listen;
pub mod openapi;
mod reports;
mod routes;
pub mod signin;
pub mod state;
mod ui;
pub mod warm;

use std::net::SocketAddr;
use std::time::Instant;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};

pub use routes::audit_log::take_checkpoints as take_audit_checkpoints;
pub use state::{AppState, AuditConfig, ServerConfig};

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot open the database")]
    Store(#[source] credence_store::StoreError),
    /// Every problem is in the message, so the error has no source to repeat them.
    #[error("the configured artefacts cannot be loaded:\n{0}")]
    Artefacts(credence_engine::ArtefactError),
    #[error("cannot listen on {addr}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("the server stopped")]
    Io(#[source] std::io::Error),
}

/// The client's address: the socket peer, or the client a declared proxy names
/// ([`listen::client_address`]).
#[derive(Debug, Clone)]
pub struct ClientIp(pub String);

/// Gives each request an id (the client's `x-request-id` when it is short and printable,
/// else a new one), answers with it, logs one line per request and counts it for
/// `/metrics`.
async fn observe(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_graphic()))
        .map_or_else(|| auth::random_hex()[..16].to_owned(), str::to_owned);
    let ip = listen::client_address(&state, &request);
    request.extensions_mut().insert(ClientIp(ip.clone()));
    let method = request.method().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |m| m.as_str().to_owned());
    let mut response = error::REQUEST_ID.scope(id.clone(), next.run(request)).await;
    let seconds = started.elapsed().as_secs_f64();
    let status = response.status().as_u16();
    state.0.metrics.observe(&method, &route, status, seconds);
    if let Ok(v) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", v);
    }
    tracing::info!(request_id = %id, client_ip = %ip, method = %method, route = %route, status, ms = seconds * 1000.0, "request");
    response
}

async fn not_found() -> Response {
    error::ApiError::not_found("no such endpoint; the API is described at /api/openapi.json").into_response()
}

/// `METHOD /path` of every route the router serves, for checking the OpenAPI document.
pub fn routes_served() -> Vec<String> {
    routes::ROUTES.iter().map(|(m, p)| format!("{m} {p}")).collect()
}

/// The whole application.
pub fn app(state: AppState) -> Router {
    let limit = state.0.config.max_body_bytes;
    let timeout = state.0.config.request_timeout;
    routes::router()
        .merge(ui::router())
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state.clone(), listen::security_headers))
        .layer(middleware::from_fn_with_state(state.clone(), routes::audit_log::record_refusals))
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .layer(DefaultBodyLimit::max(limit))
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(state.0.config.body_timeout))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, timeout))
        .with_state(state)
}

/// Serves the app on a bound listener until `stop` completes, then finishes the requests
/// in flight (within the configured grace period).
pub async fn serve_on(
    state: AppState,
    listener: tokio::net::TcpListener,
    stop: impl std::future::Future<Output = ()>,
) -> Result<(), ServeError> {
    let bound = listener.local_addr().map_err(ServeError::Io)?;
    tracing::info!(addr = %bound, instance = %state.0.config.instance, as_of = %state.today(), "listening; the cockpit is at http://{bound}/");
    let config = state.0.config.clone();
    listen::serve_connections(listener, app(state), &config, stop).await.map_err(ServeError::Io)
}

/// Serves on a runtime of its own, for callers without one (the CLI), with the background
/// jobs when given, until SIGTERM or Ctrl-C: then it stops accepting, finishes the
/// requests in flight, gives up its job claims and returns.
pub fn run(state: AppState, addr: SocketAddr, jobs: Option<jobs::JobConfig>) -> Result<(), ServeError> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(ServeError::Io)?;
    let grace = state.0.config.shutdown_grace;
    // The last reference to the state is dropped here, after the runtime: its PostgreSQL
    // connections close by blocking, which an async thread may not do.
    let kept = state.clone();
    let served = runtime.block_on(async {
        let listener =
            tokio::net::TcpListener::bind(addr).await.map_err(|source| ServeError::Bind { addr, source })?;
        let (stopping, stop) = tokio::sync::watch::channel(false);
        if let Some(j) = &jobs {
            let _ = state.0.jobs.set(j.clone());
        }
        for line in jobs.iter().flat_map(|j| jobs::schedule_lines(j, clock::instant())) {
            tracing::info!(job = line.job, when = %line.when, next = line.next.as_deref().unwrap_or("never"), "scheduled");
        }
        let scheduler = jobs.map(|config| tokio::spawn(jobs::scheduler(state.clone(), config, stop.clone())));
        tokio::spawn(lifecycle::watch_artefacts(state.clone(), std::time::Duration::from_secs(10), stop.clone()));
        if let Some((path, every)) = state.0.config.audit.checkpoint.clone() {
            tokio::spawn(routes::audit_log::take_checkpoints(state.clone(), path, every));
        }
        // Warm the portfolio snapshot before the first user asks for it.
        let warming = state.clone();
        tokio::spawn(async move {
            if let Err(e) = warm::snapshot(&warming).await {
                tracing::warn!(error = ?e, "warming the portfolio snapshot failed");
            }
        });
        let signalled = async move {
            lifecycle::stop_requested().await;
            let _ = stopping.send(true);
        };
        let served = serve_on(state, listener, signalled).await;
        if let Some(s) = scheduler {
            // The scheduler gives up its claims as it ends.
            let _ = tokio::time::timeout(grace, s).await;
        }
        tracing::info!("stopped");
        served
    });
    // A job still running is abandoned with the process (its transaction is rolled back
    // and its claim was given up above), rather than holding the stop past the grace.
    runtime.shutdown_timeout(grace);
    drop(kept);
    served
}

/// Logs to standard error, as text or as one JSON object per line, at the levels `filter`
/// gives (`info`, `credence_server=debug,info`, …).
pub fn init_logging(json: bool, filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = if json { builder.json().try_init() } else { builder.try_init() };
}

#[cfg(test)]
mod tests {
    /// The server reaches analytics only through the engine: its manifest lists no
    /// analytic crate (nor the notifier) among its dependencies; what it shows of their
    /// results comes through `credence_engine` and `credence_engine::types`.
    #[test]
    fn the_server_depends_on_no_analytic_crate() {
        let manifest = include_str!("../Cargo.toml");
        let deps = manifest.split("\n[dependencies]").nth(1).expect("a dependencies table");
        let deps = deps.split("\n[").next().unwrap_or_default();
        for c in [
            "control",
            "groups",
            "indicators",
            "model",
            "notify",
            "portfolio",
            "rating",
            "scorecard",
            "trees",
            "warning",
        ] {
            let name = format!("credence-{c}");
            assert!(
                !deps.lines().any(|l| l.trim_start().starts_with(&name)),
                "the server depends on {name} directly; call it through the engine"
            );
        }
    }
}
