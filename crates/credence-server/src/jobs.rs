//! Background jobs, claimed through the database so that several server instances run
//! each job once per period: the nightly rating of customers whose data changed, the
//! daily early-warning run, and notification delivery. A run is named with its period
//! (`warnings:2026-11-22`); an instance claims it for a lease, runs it and records how it
//! ended. If the instance dies, the lease runs out and another instance takes the run
//! over; a finished run is never repeated.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use crate::state::AppState;

/// A job and how often it runs.
#[derive(Debug, Clone)]
pub struct JobSchedule {
    pub name: &'static str,
    /// Runs once per period (periods count from the Unix epoch; a day starts at 00:00 UTC).
    pub period: Duration,
}

/// When jobs run and how long a claim lasts.
#[derive(Debug, Clone)]
pub struct JobConfig {
    pub schedules: Vec<JobSchedule>,
    /// How long a claim holds before another instance may take the run over.
    pub lease: Duration,
    /// How often each instance looks for due runs.
    pub tick: Duration,
    /// Notification delivery settings; without them delivery is not scheduled.
    pub notify: Option<credence_engine::types::notify::NotifyConfig>,
}

impl JobConfig {
    /// Daily rating and warnings; notifications every five minutes when configured.
    pub fn standard(notify: Option<credence_engine::types::notify::NotifyConfig>) -> JobConfig {
        let day = Duration::from_secs(86_400);
        let mut schedules = vec![
            JobSchedule { name: "nightly_rating", period: day },
            JobSchedule { name: "warnings", period: day },
        ];
        if notify.is_some() {
            schedules.push(JobSchedule { name: "notifications", period: Duration::from_secs(300) });
        }
        JobConfig { schedules, lease: Duration::from_secs(3_600), tick: Duration::from_secs(30), notify }
    }

    /// Every job every `period` (for trials and tests).
    pub fn every(
        period: Duration,
        notify: Option<credence_engine::types::notify::NotifyConfig>,
    ) -> JobConfig {
        let mut c = JobConfig::standard(notify);
        for s in &mut c.schedules {
            s.period = period;
        }
        c.lease = (period * 3).max(Duration::from_secs(2));
        c.tick = (period / 4).max(Duration::from_millis(200));
        c
    }
}

pub(crate) fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The run of a schedule that `now` falls in: its name and the date it runs as of.
pub fn run_name(s: &JobSchedule, now: DateTime<Utc>) -> String {
    let period = s.period.as_millis().max(1) as i64;
    let start = now.timestamp_millis().div_euclid(period) * period;
    if s.period.as_secs().is_multiple_of(86_400) {
        let day = DateTime::<Utc>::from_timestamp_millis(start)
            .map_or_else(|| now.date_naive(), |d| d.date_naive());
        format!("{}:{day}", s.name)
    } else {
        format!("{}:{start}", s.name)
    }
}

/// What a run does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobKind {
    /// Rate every customer, or those whose data changed.
    Rating { changed_only: bool },
    /// Evaluate the warning rules for the customers due, or for all (with peer rules).
    Warnings { all: bool },
    /// Apply the credit policy to every customer (limit requests for increases).
    Policy,
    /// Deliver queued notifications.
    Notifications,
}

impl JobKind {
    /// The kind a scheduled job runs.
    pub fn of_schedule(name: &str) -> Option<JobKind> {
        match name {
            "nightly_rating" => Some(JobKind::Rating { changed_only: true }),
            "warnings" => Some(JobKind::Warnings { all: false }),
            "notifications" => Some(JobKind::Notifications),
            _ => None,
        }
    }
}

/// Runs one job on the store as of `as_of`; returns a short status.
pub(crate) fn execute(
    store: &mut credence_store::Store,
    shared: &crate::state::Shared,
    notify: Option<&credence_engine::types::notify::NotifyConfig>,
    kind: &JobKind,
    as_of: chrono::NaiveDate,
    now: DateTime<Utc>,
) -> Result<String, String> {
    let err = |e: &dyn std::error::Error| crate::error::chain(e);
    match kind {
        JobKind::Rating { changed_only } => {
            let scope = if *changed_only {
                credence_engine::RateScope::Changed
            } else {
                credence_engine::RateScope::All
            };
            let options =
                credence_engine::RateOptions::new(as_of, scope, credence_domain::Timestamp::millis(now));
            let r = credence_engine::rate_portfolio(store, &shared.catalogue, &shared.model, &options)
                .map_err(|e| err(&e))?;
            Ok(format!("{} rated, {} skipped, {} failed", r.rated, r.skipped, r.failed))
        }
        JobKind::Warnings { all } => {
            let scope = if *all { credence_engine::WarnScope::All } else { credence_engine::WarnScope::Due };
            let options =
                credence_engine::WarnOptions { as_of, scope, now: credence_domain::Timestamp::millis(now) };
            let r = credence_engine::warn(store, &shared.pack, &options).map_err(|e| err(&e))?;
            Ok(format!(
                "run {}: {} evaluated, {} raised, {} closed, {} cases opened",
                r.run_id, r.evaluated, r.raised, r.closed, r.cases_opened
            ))
        }
        JobKind::Policy => {
            let r = credence_engine::apply_policy(
                store,
                &shared.policy,
                as_of,
                &credence_domain::Timestamp::millis(now),
            )
            .map_err(|e| err(&e))?;
            Ok(format!(
                "{} proposals, {} limit requests, {} failures",
                r.proposed,
                r.requests.len(),
                r.failures.len()
            ))
        }
        JobKind::Notifications => match notify {
            Some(n) => {
                let r = credence_engine::deliver_notifications(store, n, now, 1_000).map_err(|e| err(&e))?;
                Ok(format!("{} delivered, {} failed", r.delivered, r.failed))
            }
            None => Ok("not configured".into()),
        },
    }
}

/// Claims a run for this instance for `lease`; `false` when another instance holds it,
/// it has finished, or an earlier run of the same job is under way.
pub(crate) fn claim(
    store: &mut credence_store::Store,
    shared: &crate::state::Shared,
    run: &str,
    lease: chrono::Duration,
) -> Result<bool, crate::error::ApiError> {
    let now = crate::clock::instant();
    let claimed = store.claim_job(run, &shared.config.instance, &stamp(now), &stamp(now + lease))?;
    if claimed {
        tracing::info!(run = %run, instance = %shared.config.instance, "job claimed");
    }
    Ok(claimed)
}

/// Runs a claimed run, records how it ended and audits it; returns the status.
///
/// A run commits in steps (a rating run per range of customers), so its `job.start`
/// record waits for the first of them: no step is durable before the record. The end
/// (`job.run`, with the status) is recorded in the transaction that closes the claim.
pub(crate) fn run_claimed(
    store: &mut credence_store::Store,
    shared: &crate::state::Shared,
    notify: Option<&credence_engine::types::notify::NotifyConfig>,
    run: &str,
    kind: &JobKind,
    as_of: chrono::NaiveDate,
) -> Result<String, crate::error::ApiError> {
    let instance = shared.config.instance.clone();
    let job_actor = crate::accounts::Actor {
        name: instance.clone(),
        role: "job".into(),
        client_ip: "local".into(),
        request_id: String::new(),
    };
    let object = format!("job:{run}");
    let start = credence_store::PendingAudit::new(job_actor.entry(
        "job.start",
        &object,
        serde_json::json!({ "kind": format!("{kind:?}"), "as_of": as_of.to_string() }),
    ));
    store.audit_on_first_commit(start);
    let outcome = execute(store, shared, notify, kind, as_of, crate::clock::instant());
    let status = match outcome {
        Ok(s) => format!("ok: {s}"),
        Err(e) => format!("failed: {e}"),
    };
    let finished = store.audited(|store| {
        let kept = store.finish_job(
            run,
            &instance,
            &credence_domain::Timestamp::millis(crate::clock::instant()),
            &status,
        )?;
        let entry =
            job_actor.entry("job.run", &object, serde_json::json!({ "status": status, "claim_kept": kept }));
        Ok::<_, crate::error::ApiError>(((), entry))
    });
    // The connection goes back to the pool: nothing of this run may wait on it.
    store.clear_pending_audit();
    finished?;
    Ok(status)
}

/// One pass: claims and runs every due run this instance can get.
pub async fn run_due(state: &AppState, config: &JobConfig) {
    for s in &config.schedules {
        let run = run_name(s, crate::clock::instant());
        let lease = chrono::Duration::from_std(config.lease).unwrap_or(chrono::Duration::hours(1));
        let cfg = config.clone();
        let started = Instant::now();
        let Some(kind) = JobKind::of_schedule(s.name) else { continue };
        let as_of = state.today();
        let outcome = state
            .in_background(move |store, shared| {
                if !claim(store, shared, &run, lease)? {
                    return Ok(None);
                }
                run_claimed(store, shared, cfg.notify.as_ref(), &run, &kind, as_of).map(Some)
            })
            .await;
        match outcome {
            Ok(Some(status)) => {
                let seconds = started.elapsed().as_secs_f64();
                if let Ok(mut j) = state.0.metrics.jobs.lock() {
                    let e = j.entry(s.name.to_owned()).or_default();
                    e.0 += 1;
                    e.1 = seconds;
                }
                tracing::info!(job = s.name, seconds, status = %status, "job finished");
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(job = s.name, error = ?e, "job could not be claimed"),
        }
    }
}

/// Looks for due runs every tick, forever.
pub async fn scheduler(state: AppState, config: JobConfig) {
    loop {
        run_due(&state, &config).await;
        tokio::time::sleep(config.tick).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_are_named_by_their_period() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let daily = JobSchedule { name: "warnings", period: Duration::from_secs(86_400) };
        assert_eq!(run_name(&daily, at("2026-11-22T23:59:59Z")), "warnings:2026-11-22");
        assert_eq!(run_name(&daily, at("2026-11-23T00:00:00Z")), "warnings:2026-11-23");
        let five = JobSchedule { name: "notifications", period: Duration::from_secs(300) };
        assert_eq!(run_name(&five, at("2026-11-22T10:04:59Z")), run_name(&five, at("2026-11-22T10:00:00Z")));
        assert_ne!(run_name(&five, at("2026-11-22T10:05:00Z")), run_name(&five, at("2026-11-22T10:04:59Z")));
    }
}
