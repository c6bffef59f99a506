//! The server's life as a process: it stops on SIGTERM or SIGINT (no new connections,
//! requests in flight finished within the grace period, the job claims it holds given up
//! to the other instances), and puts edited artefacts in force on SIGHUP or as soon as a
//! configured file changes, each reload written to the audit log.

use std::time::Duration;

use crate::state::AppState;

/// Resolves when the process is asked to stop: SIGTERM (systemd, containers) or SIGINT
/// (Ctrl-C).
pub async fn stop_requested() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => tracing::info!("SIGTERM: stopping"),
                    _ = tokio::signal::ctrl_c() => tracing::info!("SIGINT: stopping"),
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM; only Ctrl-C stops the server");
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Reloads the artefacts, audited as `artefacts.reload` by this instance; `changed_only`:
/// only when a configured file changed. A set that fails to load is logged with every
/// problem and the set in use stays.
pub async fn reload(state: &AppState, changed_only: bool, why: &'static str) {
    let outcome = state
        .in_background(move |store, shared| {
            let actor = crate::accounts::Actor {
                name: shared.config.instance.clone(),
                role: "system".into(),
                client_ip: "local".into(),
                request_id: String::new(),
            };
            // The audit record is written before the new set is put in force.
            let record = |versions: &[credence_engine::ArtefactVersion]| {
                let summary = serde_json::json!({ "why": why, "versions": versions });
                store
                    .audited(|_| {
                        Ok::<_, crate::error::ApiError>((
                            (),
                            actor.entry("artefacts.reload", "artefacts", summary),
                        ))
                    })
                    .map_err(|e| format!("the reload could not be audited: {e:?}"))
            };
            Ok(shared.reload_artefacts(changed_only, record))
        })
        .await;
    match outcome {
        Ok(Ok(None)) => {}
        Ok(Ok(Some(versions))) => {
            let shown: Vec<String> = versions.iter().map(|v| format!("{} {}", v.name, v.version)).collect();
            tracing::info!(why, versions = %shown.join(", "), "artefacts reloaded");
        }
        Ok(Err(problems)) => {
            tracing::error!(why, problems = %problems, "the edited artefacts were not put in force; the ones in use stay")
        }
        Err(e) => tracing::error!(why, error = ?e, "reloading the artefacts failed"),
    }
}

/// Reloads on SIGHUP, and when a configured file changes (looked at every `every`), until
/// `stop` says so.
pub async fn watch_artefacts(state: AppState, every: Duration, mut stop: tokio::sync::watch::Receiver<bool>) {
    #[cfg(unix)]
    let mut hup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
        .map_err(
            |e| tracing::warn!(error = %e, "cannot listen for SIGHUP; edited artefacts are still noticed"),
        )
        .ok();
    loop {
        #[cfg(unix)]
        let hangup = async {
            match hup.as_mut() {
                Some(h) => {
                    h.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let hangup = std::future::pending::<()>();
        tokio::select! {
            () = hangup => reload(&state, false, "SIGHUP").await,
            () = tokio::time::sleep(every) => reload(&state, true, "a configured file changed").await,
            _ = stop.changed() => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model_with_version(path: &std::path::Path, version: &str) {
        let shipped = credence_engine::types::rating::BUILTIN_MODEL;
        let line = shipped.lines().find(|l| l.starts_with("version = ")).unwrap();
        std::fs::write(path, shipped.replacen(line, &format!("version = \"{version}\""), 1)).unwrap();
    }

    /// The server starts on the configured model; an edit is put in force by the next
    /// look (and audited), an unchanged file is not reloaded, and a broken edit leaves the
    /// model in force. A server whose artefacts do not load does not start.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_edited_artefact_is_put_in_force_and_a_broken_one_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let model = dir.path().join("model.toml");
        model_with_version(&model, "2026-Q4-V9.3");
        let db = dir.path().join("s.db");
        let mut config = crate::ServerConfig::new(db.to_str().unwrap());
        config.artefacts.model = Some(model.clone());
        let state = AppState::open(config.clone()).unwrap();
        let version = |s: &AppState| s.0.artefacts().model.version().to_owned();
        assert_eq!(version(&state), "2026-Q4-V9.3");
        assert!(state.0.reload_artefacts(true, |_| Ok(())).unwrap().is_none());

        model_with_version(&model, "2026-Q4-V10.4");
        reload(&state, true, "a configured file changed").await;
        assert_eq!(version(&state), "2026-Q4-V10.4");
        let mut store = credence_store::Store::open(db.to_str().unwrap()).unwrap();
        let records = store.audit_records(&credence_store::AuditFilter::default()).unwrap();
        let reload_record = records.iter().find(|r| r.entry.action == "artefacts.reload").unwrap();
        assert!(reload_record.entry.summary.contains("2026-Q4-V10.4"), "{}", reload_record.entry.summary);

        std::fs::write(&model, "version = ").unwrap();
        assert!(state.0.reload_artefacts(true, |_| Ok(())).is_err());
        assert_eq!(version(&state), "2026-Q4-V10.4");
        let e = AppState::open(config).err().unwrap();
        assert!(crate::error::chain(&e).contains("model:"), "{}", crate::error::chain(&e));
    }
}
