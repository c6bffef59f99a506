//! Portfolio runs on request (rating, warnings, policy), claimed through the database like
//! the scheduled jobs so that a run of a job never overlaps another; the rating runs with
//! their back-test and migration reports.

use axum::Extension;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::ClientIp;
use crate::access::Permission;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::jobs::JobKind;
use crate::routes::catalogue::whole_portfolio;
use crate::routes::{Body, Params, audit};
use crate::state::AppState;

/// How long a run started on request holds its claim without renewal (it renews it every
/// third of this while it works).
const MANUAL_LEASE: chrono::Duration = chrono::Duration::minutes(10);

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRun {
    /// `rating`, `warnings` or `policy`.
    pub kind: String,
    /// Rating: `changed` (default: customers whose data, model or date changed) or `all`.
    /// Warnings: `due` (default: by monitoring frequency) or `all` (with the peer rules).
    pub scope: Option<String>,
}

/// A run that was started.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StartedRun {
    /// The run's name; `GET /api/v1/runs` shows how it ended.
    pub run: String,
    pub as_of: String,
}

/// Starts a portfolio run in the background: rating (`rating.run`), warnings
/// (`case.write`) or the credit policy (`rating.run`); callers whose scope is the whole
/// portfolio only. Answers 202 with the run's name, or 409 while a run of the same job
/// is under way (on any instance).
#[utoipa::path(
    post,
    path = "/api/v1/runs",
    tag = "runs",
    request_body = NewRun,
    responses((status = 202, body = StartedRun), (status = 403, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn start(
    State(state): State<AppState>,
    caller: Caller,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Body(req): Body<NewRun>,
) -> Result<(StatusCode, Json<StartedRun>), ApiError> {
    let scope = req.scope.as_deref();
    let (job, kind, permission) = match (req.kind.as_str(), scope) {
        ("rating", None | Some("changed")) => {
            ("nightly_rating", JobKind::Rating { changed_only: true }, Permission::RatingRun)
        }
        ("rating", Some("all")) => {
            ("nightly_rating", JobKind::Rating { changed_only: false }, Permission::RatingRun)
        }
        ("warnings", None | Some("due")) => {
            ("warnings", JobKind::Warnings { all: false }, Permission::CaseWrite)
        }
        ("warnings", Some("all")) => ("warnings", JobKind::Warnings { all: true }, Permission::CaseWrite),
        ("policy", None) => ("policy", JobKind::Policy, Permission::RatingRun),
        ("rating" | "warnings" | "policy", Some(other)) => {
            return Err(ApiError::invalid(
                "scope",
                format!("'{other}' is not a scope of a {} run", req.kind),
            ));
        }
        (other, _) => {
            return Err(ApiError::invalid("kind", format!("'{other}' is not rating, warnings or policy")));
        }
    };
    caller.require(permission)?;
    whole_portfolio(&caller)?;
    let as_of = state.today();
    let now = crate::clock::instant();
    let run = format!("{job}:manual-{}-{}", now.format("%Y%m%dT%H%M%S%.3fZ"), caller.username);
    let summary = serde_json::json!({ "kind": req.kind, "scope": req.scope, "as_of": as_of.to_string() });
    let name = run.clone();
    state
        .writing(move |store, shared| {
            if !crate::jobs::claim(store, shared, &name, MANUAL_LEASE)? {
                return Err(ApiError::conflict(format!(
                    "a {job} run is under way; try again when it has finished"
                )));
            }
            audit(store, &caller, &ip, "run.start", &format!("job:{name}"), summary)
        })
        .await?;
    let background = state.clone();
    let name = run.clone();
    tokio::spawn(async move {
        let outcome = background
            .in_background(move |store, shared| {
                crate::jobs::run_claimed(store, shared, &name, &kind, as_of, MANUAL_LEASE)
            })
            .await;
        match outcome {
            Ok(status) => tracing::info!(status = %status, "run finished"),
            Err(e) => tracing::error!(error = ?e, "run could not be recorded"),
        }
    });
    Ok((StatusCode::ACCEPTED, Json(StartedRun { run, as_of: as_of.to_string() })))
}

/// Every run of a job, scheduled or on request, newest first: who holds or held it, when
/// it started and finished, and how it ended.
#[utoipa::path(
    get,
    path = "/api/v1/runs",
    tag = "runs",
    responses((status = 200, body = Vec<crate::routes::bodies::JobRunBody>), (status = 403, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<crate::routes::bodies::JobRunBody>>, ApiError> {
    caller.require(Permission::PortfolioRead)?;
    state.with_store(|store, _| Ok(store.latest_job_runs(usize::MAX)?)).await.map(crate::routes::bodies::list)
}

/// The background jobs: whether this instance runs them, each schedule (a cron expression
/// in the business time zone) with its next run, and the latest runs of every instance.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct JobsBody {
    /// The business time zone the schedules are read in.
    pub time_zone: String,
    /// Whether this instance schedules jobs (`false`: `--no-jobs` or `jobs.enabled = false`).
    pub scheduled_here: bool,
    pub schedules: Vec<ScheduleBody>,
    /// The latest runs, newest first (at most 20).
    pub latest_runs: Vec<crate::routes::bodies::JobRunBody>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ScheduleBody {
    pub job: String,
    /// `0 2 * * *`, or `every N s` for a trial.
    pub schedule: String,
    /// The next run, in the business time zone (`2026-12-08T02:00+08:00`).
    pub next_run: Option<String>,
}

/// The jobs' schedules with their next run, and the latest runs (`portfolio.read`).
#[utoipa::path(
    get,
    path = "/api/v1/jobs",
    tag = "runs",
    responses((status = 200, body = JobsBody), (status = 403, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn jobs(State(state): State<AppState>, caller: Caller) -> Result<Json<JobsBody>, ApiError> {
    caller.require(Permission::PortfolioRead)?;
    Ok(Json(jobs_body(&state).await?))
}

/// What `GET /api/v1/jobs` answers, for the cockpit too.
pub(crate) async fn jobs_body(state: &AppState) -> Result<JobsBody, ApiError> {
    let config = state.0.jobs.get();
    let schedules = config
        .map(|c| crate::jobs::schedule_lines(c, crate::clock::instant()))
        .unwrap_or_default()
        .into_iter()
        .map(|l| ScheduleBody { job: l.job.to_owned(), schedule: l.when, next_run: l.next })
        .collect();
    let runs = state.with_store(|store, _| Ok(store.latest_job_runs(20)?)).await?;
    Ok(JobsBody {
        time_zone: state.0.config.zone.to_string(),
        scheduled_here: config.is_some(),
        schedules,
        latest_runs: runs.into_iter().map(Into::into).collect(),
    })
}

/// Rating runs, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/rating-runs",
    tag = "ratings",
    responses((status = 200, body = Vec<crate::routes::rating_bodies::RatingRunBody>), (status = 403, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn rating_runs(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<crate::routes::rating_bodies::RatingRunBody>>, ApiError> {
    caller.require(Permission::RatingRead)?;
    state.with_store(|store, _| Ok(store.rating_runs(200)?)).await.map(crate::routes::bodies::list)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PerformanceQuery {
    /// Months after the run's date in which a default counts (1–36, default 12).
    pub horizon: Option<u32>,
}

/// The back-test of a rating run: AUC and the default rate per grade within the
/// horizon after the run's date.
#[utoipa::path(
    get,
    path = "/api/v1/rating-runs/{id}/performance",
    tag = "ratings",
    params(("id" = i64, Path), PerformanceQuery),
    responses((status = 200, body = crate::routes::rating_bodies::RatingPerformanceBody), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn performance(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Params(q): Params<PerformanceQuery>,
) -> Result<Json<crate::routes::rating_bodies::RatingPerformanceBody>, ApiError> {
    caller.require(Permission::RatingRead)?;
    caller.require(Permission::PortfolioRead)?;
    whole_portfolio(&caller)?;
    let horizon = q.horizon.unwrap_or(12);
    if !(1..=36).contains(&horizon) {
        return Err(ApiError::invalid("horizon", "must be 1–36 months"));
    }
    state
        .with_store(move |store, shared| {
            let artefacts = shared.artefacts();
            let order = crate::routes::letter_grades(&artefacts);
            Ok(credence_engine::rating_performance(store, id, horizon, &order)?)
        })
        .await
        .map(crate::routes::bodies::body)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MigrationQuery {
    /// The earlier run (default: the finished run before this one).
    pub from: Option<i64>,
}

/// The letter-grade migration matrix from an earlier run to this one.
#[utoipa::path(
    get,
    path = "/api/v1/rating-runs/{id}/migration",
    tag = "ratings",
    params(("id" = i64, Path), MigrationQuery),
    responses((status = 200, body = crate::routes::rating_bodies::MigrationBody), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn migration(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Params(q): Params<MigrationQuery>,
) -> Result<Json<crate::routes::rating_bodies::MigrationBody>, ApiError> {
    caller.require(Permission::RatingRead)?;
    caller.require(Permission::PortfolioRead)?;
    whole_portfolio(&caller)?;
    state
        .with_store(move |store, shared| {
            let from = match q.from {
                Some(f) => f,
                None => store
                    .rating_runs(u32::MAX)?
                    .into_iter()
                    .filter(|r| r.id < id && r.finished_at.is_some())
                    .map(|r| r.id)
                    .max()
                    .ok_or_else(|| ApiError::not_found(format!("no finished rating run before run {id}")))?,
            };
            let artefacts = shared.artefacts();
            let order = crate::routes::letter_grades(&artefacts);
            Ok(credence_engine::rating_migration(store, from, id, &order)?)
        })
        .await
        .map(crate::routes::bodies::body)
}

/// The routes of this area.
pub fn router() -> axum::Router<crate::state::AppState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/api/v1/runs", get(list).post(start))
        .route("/api/v1/jobs", get(jobs))
        .route("/api/v1/rating-runs", get(rating_runs))
        .route("/api/v1/rating-runs/{id}/performance", get(performance))
        .route("/api/v1/rating-runs/{id}/migration", get(migration))
}
