//! Building the demo portfolio into a store.

use crate::EngineError;
use credence_demo::{DemoConfig, DemoSummary};
use credence_domain::Timestamp;
use credence_records::Kind;
use credence_store::{NewImportRun, Store};
use std::path::Path;

/// What `demo` did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DemoReport {
    pub summary: DemoSummary,
    pub counts: Vec<(Kind, u64)>,
    pub replaced_previous_demo: bool,
}

/// Whether a store may receive the demo: `Ok(false)` when empty, `Ok(true)` when it holds
/// an earlier demo, an error when it holds imported data (never overwritten).
fn check_replaceable(store: &mut Store) -> Result<bool, EngineError> {
    if store.is_empty()? {
        Ok(false)
    } else if store.meta("origin")?.as_deref() == Some("demo") {
        Ok(true)
    } else {
        Err(EngineError::NotADemoDatabase { location: store.location().to_owned() })
    }
}

/// Fills an empty store (or one that holds an earlier demo) with the demo portfolio, in
/// one transaction. A store holding imported data is refused, never overwritten.
pub fn build_demo(
    store: &mut Store,
    config: &DemoConfig,
    now: &Timestamp,
) -> Result<DemoReport, EngineError> {
    let replaced = check_replaceable(store)?;
    if replaced {
        store.wipe()?;
    }
    fill(store, config, now, replaced)
}

/// Builds the demo portfolio as a SQLite file: into a temporary file next to `path`
/// without a journal (the write-ahead log of one multi-gigabyte transaction would be
/// rewritten page by page), then renamed over `path`. An interrupted build leaves `path`
/// as it was.
pub fn build_demo_file(path: &Path, config: &DemoConfig, now: &Timestamp) -> Result<DemoReport, EngineError> {
    let shown = path.display().to_string();
    let io = |source| EngineError::Io { path: shown.clone(), source };
    let replaced = path.exists() && check_replaceable(&mut Store::open(&shown)?)?;
    let tmp = credence_store::path_with_suffix(path, ".building");
    if tmp.exists() {
        std::fs::remove_file(&tmp).map_err(io)?;
    }
    let mut store = Store::open_sqlite_bulk(&tmp.display().to_string())?;
    let report = fill(&mut store, config, now, replaced)?;
    store.finish_bulk_load()?;
    credence_store::put_sqlite_file_in_place(&tmp, path).map_err(io)?;
    Ok(report)
}

fn fill(
    store: &mut Store,
    config: &DemoConfig,
    now: &Timestamp,
    replaced: bool,
) -> Result<DemoReport, EngineError> {
    let mut session = store.begin_import(NewImportRun {
        kind: "demo".into(),
        source: format!("demo --customers {} --seed {}", config.customers, config.seed),
        source_hash: String::new(),
        mode: "demo".into(),
        as_of: config.as_of.to_string(),
        started_at: now.to_owned(),
    })?;
    let summary = credence_demo::generate(config, &mut |record| session.insert_new(&record))?;
    session.commit(0, 0, now)?;
    store.set_meta("origin", "demo")?;
    store.set_meta("demo_seed", &config.seed.to_string())?;
    store.set_meta("demo_as_of", &config.as_of.to_string())?;
    let counts = store.counts()?;
    Ok(DemoReport { summary, counts, replaced_previous_demo: replaced })
}

/// What `demo --scenario utility` did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct UtilityDemoReport {
    pub summary: credence_demo::UtilitySummary,
    pub replaced_previous_demo: bool,
}

/// Fills an empty store (or one that holds an earlier demo) with the utility billing demo
/// (`credence_demo::generate_utility`), in one transaction; like [`build_demo`], a store
/// holding imported data is refused.
pub fn build_utility_demo(
    store: &mut Store,
    config: &credence_demo::UtilityConfig,
    now: &Timestamp,
) -> Result<UtilityDemoReport, EngineError> {
    let replaced = check_replaceable(store)?;
    if replaced {
        store.wipe()?;
    }
    let mut session = store.begin_import(NewImportRun {
        kind: "demo".into(),
        source: format!("demo --scenario utility --accounts {} --seed {}", config.accounts, config.seed),
        source_hash: String::new(),
        mode: "demo".into(),
        as_of: config.as_of.to_string(),
        started_at: now.to_owned(),
    })?;
    let summary = credence_demo::generate_utility(config, &mut |record| session.insert_new(&record))?;
    session.commit(0, 0, now)?;
    store.set_meta("origin", "demo")?;
    store.set_meta("demo_seed", &config.seed.to_string())?;
    store.set_meta("demo_as_of", &config.as_of.to_string())?;
    Ok(UtilityDemoReport { summary, replaced_previous_demo: replaced })
}

/// The date a demo portfolio was built as of, when the database holds one: the business
/// date its data describes, so screens and history reports look at it instead of today.
pub fn demo_as_of(store: &mut Store) -> Result<Option<chrono::NaiveDate>, credence_store::StoreError> {
    Ok(match store.meta("origin")?.as_deref() {
        Some("demo") => store.meta("demo_as_of")?.and_then(|d| d.parse().ok()),
        _ => None,
    })
}

/// What working the demo portfolio did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DemoWork {
    /// (as-of date, customers rated) of each rating run, oldest first.
    pub ratings: Vec<(chrono::NaiveDate, u64)>,
    pub alerts_raised: u64,
    pub cases_opened: u64,
    pub limit_requests: usize,
}

/// Works a demo portfolio the way a credit department would have by its date: rated at
/// the three quarter ends before it and on it (so grades have a history and the cockpit a
/// trend), early-warning rules over everyone (alerts, levels, cases), and the credit
/// policy applied (limit requests routed for approval). Every step is the one a user
/// runs; `now` stamps them.
pub fn work_demo(
    store: &mut Store,
    catalogue: &credence_indicators::Catalogue,
    model: &credence_rating::ScorecardModel,
    policy: &credence_control::CreditPolicy,
    as_of: chrono::NaiveDate,
    now: &Timestamp,
) -> Result<DemoWork, EngineError> {
    let quarter_end = |back: u32| {
        use chrono::Datelike;
        let first = as_of.with_day(1).expect("day 1 exists") - chrono::Months::new(3 * back - 1);
        first - chrono::Days::new(1)
    };
    let mut dates: Vec<chrono::NaiveDate> = (1..=3).rev().map(quarter_end).collect();
    dates.push(as_of);
    dates.dedup();
    let mut ratings = Vec::new();
    for d in dates {
        let options = crate::RateOptions::new(d, crate::RateScope::All, now.to_owned());
        let r = crate::rate_portfolio(store, catalogue, model, &options)?;
        ratings.push((d, r.rated));
    }
    let pack = credence_warning::RulePack::builtin(catalogue);
    let warned = crate::warn(
        store,
        &pack,
        &crate::WarnOptions { as_of, scope: crate::WarnScope::All, now: now.to_owned() },
    )?;
    let policy_run = crate::apply_policy(store, policy, as_of, now)?;
    Ok(DemoWork {
        ratings,
        alerts_raised: warned.raised,
        cases_opened: warned.cases_opened,
        limit_requests: policy_run.requests.len(),
    })
}
