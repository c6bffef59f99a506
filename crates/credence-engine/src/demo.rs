//! Building the demo portfolio into a store.

use crate::EngineError;
use credence_demo::{DemoConfig, DemoSummary};
use credence_records::Kind;
use credence_store::{NewImportRun, Store};

/// What `demo` did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DemoReport {
    pub summary: DemoSummary,
    pub counts: Vec<(Kind, u64)>,
    pub replaced_previous_demo: bool,
}

/// Fills an empty store (or one that holds an earlier demo) with the demo portfolio, in
/// one transaction. A store holding imported data is refused, never overwritten.
pub fn build_demo(
    store: &mut Store,
    config: &DemoConfig,
    now: &str,
) -> Result<DemoReport, EngineError> {
    let replaced = if store.is_empty()? {
        false
    } else if store.meta("origin")?.as_deref() == Some("demo") {
        store.wipe()?;
        true
    } else {
        return Err(EngineError::NotADemoDatabase {
            location: store.location().to_owned(),
        });
    };
    let mut session = store.begin_import(NewImportRun {
        kind: "demo".into(),
        source: format!(
            "demo --customers {} --seed {}",
            config.customers, config.seed
        ),
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
    Ok(DemoReport {
        summary,
        counts,
        replaced_previous_demo: replaced,
    })
}
