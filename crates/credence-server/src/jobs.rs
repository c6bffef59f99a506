//! Background jobs, claimed through the database so that several server instances run
//! each job once per scheduled time: the nightly rating of customers whose data changed,
//! the daily early-warning run, and notification delivery. Schedules are cron expressions
//! read in the business time zone (`[jobs]` in `credence.toml`). A run is named with the
//! scheduled time it is for (`warnings:2026-11-22T06:30`); an instance claims it for a
//! lease, renews the lease while it works, and records how it ended. If the instance
//! dies, the lease runs out and another instance takes the run over; a finished run is
//! never repeated, and a run missed while no instance was up is run when one starts.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use crate::state::AppState;

/// When a job runs.
#[derive(Debug, Clone)]
pub enum When {
    /// At the times a cron expression gives, in the business time zone.
    Cron(Box<croner::Cron>),
    /// Every so often, counted from the Unix epoch (for trials and tests).
    Every(Duration),
}

/// A job and when it runs.
#[derive(Debug, Clone)]
pub struct JobSchedule {
    pub name: &'static str,
    pub when: When,
}

/// When jobs run and how long a claim lasts.
#[derive(Debug, Clone)]
pub struct JobConfig {
    pub schedules: Vec<JobSchedule>,
    /// How long a claim holds without renewal before another instance may take the run
    /// over; a running job renews it every third of this.
    pub lease: Duration,
    /// How often each instance looks for due runs.
    pub tick: Duration,
    /// The business time zone the schedules are read in.
    pub zone: chrono_tz::Tz,
    /// The parts a shared rating run is cut into (`None`: one per 16,000 customers).
    pub rating_parts: Option<usize>,
}

/// A cron expression of five fields (minute hour day-of-month month day-of-week), or the
/// reason it is not one.
pub fn parse_cron(expr: &str) -> Result<Box<croner::Cron>, String> {
    if expr.split_whitespace().count() != 5 {
        return Err(format!(
            "`{expr}` is not a cron expression of five fields (minute hour day month weekday)"
        ));
    }
    expr.parse::<croner::Cron>()
        .map(Box::new)
        .map_err(|e| format!("`{expr}` is not a valid cron expression: {e}"))
}

impl JobConfig {
    /// The schedules the settings give; notifications only when they are configured.
    pub fn from_settings(
        jobs: &crate::config::Jobs,
        zone: chrono_tz::Tz,
        notify: bool,
    ) -> Result<JobConfig, String> {
        let mut schedules = vec![
            JobSchedule { name: "nightly_rating", when: When::Cron(parse_cron(&jobs.nightly_rating)?) },
            JobSchedule { name: "warnings", when: When::Cron(parse_cron(&jobs.warnings)?) },
        ];
        if notify {
            schedules.push(JobSchedule {
                name: "notifications",
                when: When::Cron(parse_cron(&jobs.notifications)?),
            });
        }
        Ok(JobConfig {
            schedules,
            lease: Duration::from_secs(jobs.lease_seconds),
            tick: Duration::from_secs(jobs.tick_seconds),
            zone,
            rating_parts: (jobs.rating_parts > 0).then_some(jobs.rating_parts as usize),
        })
    }

    /// Every job every `period` (for trials and tests).
    pub fn every(period: Duration, notify: bool, zone: chrono_tz::Tz) -> JobConfig {
        let mut schedules = vec![
            JobSchedule { name: "nightly_rating", when: When::Every(period) },
            JobSchedule { name: "warnings", when: When::Every(period) },
        ];
        if notify {
            schedules.push(JobSchedule { name: "notifications", when: When::Every(period) });
        }
        JobConfig {
            schedules,
            lease: (period * 3).max(Duration::from_secs(3)),
            tick: (period / 4).max(Duration::from_millis(200)),
            zone,
            rating_parts: None,
        }
    }
}

pub(crate) fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The run of a schedule that is due at `now`: its name, from the latest scheduled time
/// not after `now` (`None` when the expression never matched before `now`).
pub fn run_name(s: &JobSchedule, now: DateTime<Utc>, zone: chrono_tz::Tz) -> Option<String> {
    match &s.when {
        When::Cron(cron) => {
            let local = now.with_timezone(&zone);
            let at = cron.find_previous_occurrence(&local, true).ok()?;
            Some(format!("{}:{}", s.name, at.format("%Y-%m-%dT%H:%M")))
        }
        When::Every(period) => {
            let period = period.as_millis().max(1) as i64;
            let start = now.timestamp_millis().div_euclid(period) * period;
            Some(format!("{}:{start}", s.name))
        }
    }
}

/// The next time a schedule runs after `now`, in the business time zone.
pub fn next_run(s: &JobSchedule, now: DateTime<Utc>, zone: chrono_tz::Tz) -> Option<DateTime<chrono_tz::Tz>> {
    let local = now.with_timezone(&zone);
    match &s.when {
        When::Cron(cron) => cron.find_next_occurrence(&local, false).ok(),
        When::Every(period) => {
            let period = chrono::Duration::from_std(*period).ok()?;
            let ms = period.num_milliseconds().max(1);
            let next = (now.timestamp_millis().div_euclid(ms) + 1) * ms;
            DateTime::<Utc>::from_timestamp_millis(next).map(|t| t.with_timezone(&zone))
        }
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
    kind: &JobKind,
    as_of: chrono::NaiveDate,
    now: DateTime<Utc>,
) -> Result<String, String> {
    let err = |e: &dyn std::error::Error| crate::error::chain(e);
    // One set of artefacts for the whole run, whatever a reload does meanwhile.
    let artefacts = shared.artefacts();
    match kind {
        JobKind::Rating { changed_only } => {
            let scope = if *changed_only {
                credence_engine::RateScope::Changed
            } else {
                credence_engine::RateScope::All
            };
            let options =
                credence_engine::RateOptions::new(as_of, scope, credence_domain::Timestamp::millis(now));
            // Shared: every instance's scheduler joins the run (`join_shared_runs`); this
            // one opens it and waits until its last part is written.
            let share = share_options(shared, true);
            let r =
                credence_engine::rate_shared(store, &artefacts.catalogue, &artefacts.model, &options, &share)
                    .map_err(|e| err(&e))?
                    .ok_or_else(|| "the shared run could not be opened".to_owned())?;
            match r.run_totals {
                Some((rated, skipped, failed)) => Ok(format!(
                    "{rated} rated, {skipped} skipped, {failed} failed (run {}, {} of its {} parts here)",
                    r.share.run_id, r.parts_written, r.parts
                )),
                None => Err(format!("run {} was left unfinished", r.share.run_id)),
            }
        }
        JobKind::Warnings { all } => {
            let scope = if *all { credence_engine::WarnScope::All } else { credence_engine::WarnScope::Due };
            let options =
                credence_engine::WarnOptions { as_of, scope, now: credence_domain::Timestamp::millis(now) };
            let r = credence_engine::warn(store, &artefacts.pack, &options).map_err(|e| err(&e))?;
            Ok(format!(
                "run {}: {} evaluated, {} raised, {} closed, {} cases opened",
                r.run_id, r.evaluated, r.raised, r.closed, r.cases_opened
            ))
        }
        JobKind::Policy => {
            let r = credence_engine::apply_policy(
                store,
                &artefacts.policy,
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
        JobKind::Notifications => match &artefacts.notify {
            Some(n) => {
                let r = credence_engine::deliver_notifications(store, n, now, 1_000).map_err(|e| err(&e))?;
                Ok(format!("{} delivered, {} failed", r.delivered, r.failed))
            }
            None => Ok("not configured".into()),
        },
    }
}

/// How this instance takes part in shared runs: under its own name, parts held for the
/// job lease.
fn share_options(shared: &crate::state::Shared, open: bool) -> credence_engine::ShareOptions<'static> {
    credence_engine::ShareOptions {
        holder: shared.config.instance.clone(),
        parts: shared.jobs.get().and_then(|j| j.rating_parts),
        lease: shared.jobs.get().map_or(Duration::from_secs(600), |j| j.lease),
        wait: open,
        open,
        clock: &crate::clock::SystemClock,
    }
}

/// Rates free parts of the shared rating runs other instances opened, with this
/// instance's artefacts where their versions are the run's; how many parts it wrote.
pub(crate) fn join_shared_runs(
    store: &mut credence_store::Store,
    shared: &crate::state::Shared,
) -> Result<u64, String> {
    let err = |e: &dyn std::error::Error| crate::error::chain(e);
    let artefacts = shared.artefacts();
    let mut written = 0;
    for run in store.unfinished_shared_rating_runs().map_err(|e| err(&e))? {
        // A run of other versions finds none to join here: it is left to the instances
        // that have them.
        let (Ok(as_of), Some(scope)) =
            (run.as_of.parse::<chrono::NaiveDate>(), credence_engine::RateScope::of_shared_run(&run.scope))
        else {
            continue;
        };
        let options = credence_engine::RateOptions::new(as_of, scope, crate::clock::now_millis());
        let r = credence_engine::rate_shared(
            store,
            &artefacts.catalogue,
            &artefacts.model,
            &options,
            &share_options(shared, false),
        )
        .map_err(|e| err(&e))?;
        if let Some(r) = r.filter(|r| r.parts_written > 0) {
            tracing::info!(
                run = r.share.run_id,
                parts = r.parts_written,
                rated = r.share.rated,
                "parts of a shared run rated"
            );
            written += r.parts_written;
        }
    }
    Ok(written)
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
    run: &str,
    kind: &JobKind,
    as_of: chrono::NaiveDate,
    lease: chrono::Duration,
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
    let outcome = {
        let _renewing = Renewal::start(shared, run, lease)?;
        execute(store, shared, kind, as_of, crate::clock::instant())
    };
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

/// Renews a run's claim every third of its lease while the run works, on a connection
/// of its own, so that a run longer than its lease is not taken over while its holder is
/// alive; dropped, it stops.
struct Renewal {
    stop: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Renewal {
    fn start(
        shared: &crate::state::Shared,
        run: &str,
        lease: chrono::Duration,
    ) -> Result<Renewal, crate::error::ApiError> {
        let mut store = shared.pool.take()?;
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let (run, instance) = (run.to_owned(), shared.config.instance.clone());
        let every = (lease / 3).to_std().unwrap_or(Duration::from_secs(60)).max(Duration::from_millis(100));
        let thread = std::thread::Builder::new()
            .name("lease-renewal".into())
            .spawn(move || {
                while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(every) {
                    let now = crate::clock::instant();
                    match store.renew_job(&run, &instance, &stamp(now + lease)) {
                        Ok(true) => tracing::debug!(run = %run, "lease renewed"),
                        Ok(false) => {
                            tracing::warn!(run = %run, "the claim was lost; the run's end will not be recorded");
                            return;
                        }
                        Err(e) => tracing::warn!(run = %run, error = %e, "renewing the lease failed"),
                    }
                }
            })
            .map_err(|e| crate::error::ApiError::failed("the lease renewal thread", e))?;
        Ok(Renewal { stop: Some(stop), thread: Some(thread) })
    }
}

impl Drop for Renewal {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// One pass: claims and runs every due run this instance can get, then helps with the
/// shared runs other instances opened.
pub async fn run_due(state: &AppState, config: &JobConfig) {
    for s in &config.schedules {
        let Some(run) = run_name(s, crate::clock::instant(), config.zone) else { continue };
        let lease = chrono::Duration::from_std(config.lease).unwrap_or(chrono::Duration::minutes(10));
        let started = Instant::now();
        let Some(kind) = JobKind::of_schedule(s.name) else { continue };
        let as_of = state.today();
        let outcome = state
            .in_background(move |store, shared| {
                if !claim(store, shared, &run, lease)? {
                    return Ok(None);
                }
                run_claimed(store, shared, &run, &kind, as_of, lease).map(Some)
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
    let joined = state.in_background(|store, shared| Ok(join_shared_runs(store, shared))).await;
    match joined {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => tracing::warn!(error = %e, "rating parts of a shared run failed"),
        Err(e) => tracing::warn!(error = ?e, "shared runs could not be read"),
    }
}

/// Looks for due runs every tick until `stop` says so; then gives up the claims this
/// instance holds on runs it has not finished, so that another instance takes them over
/// at once instead of after their lease.
pub async fn scheduler(state: AppState, config: JobConfig, mut stop: tokio::sync::watch::Receiver<bool>) {
    loop {
        tokio::select! {
            () = run_due(&state, &config) => {}
            _ = stop.changed() => break,
        }
        tokio::select! {
            () = tokio::time::sleep(config.tick) => {}
            _ = stop.changed() => break,
        }
    }
    let released = state
        .in_background(|store, shared| {
            let parts = store.release_parts(&shared.config.instance)?;
            Ok(store.release_jobs(&shared.config.instance, &stamp(crate::clock::instant()))? + parts)
        })
        .await;
    match released {
        Ok(0) => {}
        Ok(n) => tracing::info!(claims = n, "unfinished runs released for another instance"),
        Err(e) => tracing::warn!(error = ?e, "releasing this instance's claims failed"),
    }
}

/// The schedules with their next run, for `credence jobs list` and the cockpit.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ScheduleLine {
    pub job: &'static str,
    /// The cron expression, or `every N s`.
    pub when: String,
    /// The next run in the business time zone (`2026-12-08T02:00+08:00`).
    pub next: Option<String>,
}

/// Each schedule with its next run after `now`.
pub fn schedule_lines(config: &JobConfig, now: DateTime<Utc>) -> Vec<ScheduleLine> {
    config
        .schedules
        .iter()
        .map(|s| ScheduleLine {
            job: s.name,
            when: match &s.when {
                When::Cron(c) => c.as_str().to_owned(),
                When::Every(d) => format!("every {} s", d.as_secs_f64()),
            },
            next: next_run(s, now, config.zone).map(|t| t.format("%Y-%m-%dT%H:%M%:z").to_string()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    /// A daily 06:30 run in Shanghai (UTC+8) is named by its local time: at 22:29 UTC on
    /// the 21st it is 06:29 on the 22nd there, so the run due is the 21st's; a minute
    /// later the 22nd's. The next run after 22:30 UTC on the 21st is 06:30 on the 23rd.
    #[test]
    fn cron_runs_are_named_by_their_local_time() {
        let zone = chrono_tz::Asia::Shanghai;
        let daily = JobSchedule { name: "warnings", when: When::Cron(parse_cron("30 6 * * *").unwrap()) };
        assert_eq!(run_name(&daily, at("2026-11-21T22:29:59Z"), zone).unwrap(), "warnings:2026-11-21T06:30");
        assert_eq!(run_name(&daily, at("2026-11-21T22:30:00Z"), zone).unwrap(), "warnings:2026-11-22T06:30");
        let next = next_run(&daily, at("2026-11-21T22:30:00Z"), zone).unwrap();
        assert_eq!(next.to_rfc3339(), "2026-11-23T06:30:00+08:00");
        // The same expression in UTC runs eight hours later.
        assert_eq!(
            run_name(&daily, at("2026-11-22T06:29:00Z"), chrono_tz::UTC).unwrap(),
            "warnings:2026-11-21T06:30"
        );
        // Weekdays only: on Saturday the run due is Friday's.
        let weekdays = JobSchedule { name: "warnings", when: When::Cron(parse_cron("0 7 * * 1-5").unwrap()) };
        assert_eq!(
            run_name(&weekdays, at("2026-11-28T03:00:00Z"), zone).unwrap(),
            "warnings:2026-11-27T07:00"
        );
    }

    #[test]
    fn every_runs_are_named_by_their_period() {
        let five = JobSchedule { name: "notifications", when: When::Every(Duration::from_secs(300)) };
        let name = |t| run_name(&five, at(t), chrono_tz::UTC).unwrap();
        assert_eq!(name("2026-11-22T10:04:59Z"), name("2026-11-22T10:00:00Z"));
        assert_ne!(name("2026-11-22T10:05:00Z"), name("2026-11-22T10:04:59Z"));
    }

    #[test]
    fn cron_expressions_are_checked() {
        assert!(parse_cron("*/5 * * * *").is_ok());
        assert!(parse_cron("0 2 * * *").is_ok());
        let e = parse_cron("0 0 2 * * *").unwrap_err();
        assert!(e.contains("five fields"), "{e}");
        let e = parse_cron("0 25 * * *").unwrap_err();
        assert!(e.contains("not a valid cron expression"), "{e}");
    }
}
