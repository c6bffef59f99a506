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
    pub notify: Option<credence_notify::NotifyConfig>,
}

impl JobConfig {
    /// Daily rating and warnings; notifications every five minutes when configured.
    pub fn standard(notify: Option<credence_notify::NotifyConfig>) -> JobConfig {
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
    pub fn every(period: Duration, notify: Option<credence_notify::NotifyConfig>) -> JobConfig {
        let mut c = JobConfig::standard(notify);
        for s in &mut c.schedules {
            s.period = period;
        }
        c.lease = (period * 3).max(Duration::from_secs(2));
        c.tick = (period / 4).max(Duration::from_millis(200));
        c
    }
}

fn stamp(t: DateTime<Utc>) -> String {
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

/// Runs one job on the store; returns a short status.
fn run_job(
    store: &mut credence_store::Store,
    shared: &crate::state::Shared,
    config: &JobConfig,
    name: &str,
    now: DateTime<Utc>,
) -> Result<String, String> {
    let as_of = now.date_naive();
    let err = |e: &dyn std::error::Error| crate::error::chain(e);
    match name {
        "nightly_rating" => {
            let options =
                credence_engine::RateOptions::new(as_of, credence_engine::RateScope::Changed, stamp(now));
            let r = credence_engine::rate_portfolio(store, &shared.catalogue, &shared.model, &options)
                .map_err(|e| err(&e))?;
            Ok(format!("{} rated, {} skipped", r.rated, r.skipped))
        }
        "warnings" => {
            let pack = credence_warning::RulePack::builtin(&shared.catalogue);
            let options = credence_engine::WarnOptions {
                as_of,
                scope: credence_engine::WarnScope::Due,
                now: stamp(now),
            };
            let r = credence_engine::warn(store, &pack, &options).map_err(|e| err(&e))?;
            Ok(format!("run {}", r.run_id))
        }
        "notifications" => match &config.notify {
            Some(n) => {
                let r = credence_engine::deliver_notifications(store, n, now, 1_000).map_err(|e| err(&e))?;
                Ok(format!("{} delivered, {} failed", r.delivered, r.failed))
            }
            None => Ok("not configured".into()),
        },
        other => Err(format!("unknown job {other}")),
    }
}

/// One pass: claims and runs every due run this instance can get.
pub async fn run_due(state: &AppState, config: &JobConfig) {
    for s in &config.schedules {
        let now = Utc::now();
        let run = run_name(s, now);
        let lease = chrono::Duration::from_std(config.lease).unwrap_or(chrono::Duration::hours(1));
        let (instance, job, cfg) = (state.0.config.instance.clone(), s.name, config.clone());
        let started = Instant::now();
        let outcome = state
            .with_store(move |store, shared| {
                if !store.claim_job(&run, &instance, &stamp(now), &stamp(now + lease))? {
                    return Ok(None);
                }
                tracing::info!(run = %run, instance = %instance, "job claimed");
                let status = match run_job(store, shared, &cfg, job, now) {
                    Ok(s) => format!("ok: {s}"),
                    Err(e) => format!("failed: {e}"),
                };
                let kept = store.finish_job(&run, &instance, &stamp(Utc::now()), &status)?;
                let job_actor = crate::accounts::Actor {
                    name: instance.clone(),
                    role: "job".into(),
                    client_ip: "local".into(),
                    request_id: String::new(),
                };
                job_actor.record(
                    store,
                    "job.run",
                    &format!("job:{run}"),
                    serde_json::json!({ "status": status, "claim_kept": kept }),
                )?;
                Ok(Some(status))
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
