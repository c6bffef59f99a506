//! `credence notify …`: delivering the outbox of alerts and escalations.

use crate::output::print_table;
use crate::{ReportFormat, open};
use anyhow::Result;
use clap::Subcommand;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum NotifyCommand {
    /// Deliver the notifications that are due (a scheduled job runs this every minute).
    Send {
        /// Channels and recipients (TOML; default: the configuration's
        /// `artefacts.notifications`, or $CREDENCE_NOTIFY_CONFIG).
        #[arg(long)]
        notify: Option<PathBuf>,
        /// At most this many per run.
        #[arg(long, default_value_t = 500)]
        limit: u32,
    },
    /// The outbox, newest first.
    List {
        /// pending, delivered or failed (default: all).
        #[arg(long)]
        status: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
}

pub fn run_notify(db: &str, command: NotifyCommand) -> Result<()> {
    let mut store = open(db)?;
    match command {
        NotifyCommand::Send { notify, limit } => {
            let Some(path) = crate::or_configured(notify.as_deref(), |a| &a.notifications) else {
                anyhow::bail!(
                    "no notification settings: pass --notify FILE, or name them in credence.toml ([artefacts] notifications) or CREDENCE_NOTIFY_CONFIG"
                );
            };
            let config = credence_engine::read_notify_config(&path, |name| std::env::var(name).ok())
                .map_err(|e| match e.problems() {
                    problems if !problems.is_empty() => anyhow::anyhow!(
                        "{}",
                        problems.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("\n")
                    ),
                    _ => anyhow::Error::new(e),
                })?;
            let report = credence_engine::deliver_notifications(
                &mut store,
                &config,
                credence_server::clock::instant(),
                limit,
            )?;
            println!(
                "{} attempted: {} delivered, {} to retry, {} failed",
                report.attempted, report.delivered, report.retrying, report.failed
            );
            for (id, error) in report.errors.iter().take(10) {
                println!("  {id}: {error}");
            }
        }
        NotifyCommand::List { status, limit, format } => {
            let rows = store.notifications(status.as_deref(), limit)?;
            if format == ReportFormat::Json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
                return Ok(());
            }
            let table: Vec<Vec<String>> = rows
                .iter()
                .map(|n| {
                    vec![
                        n.id.to_string(),
                        n.kind.clone(),
                        n.recipient.clone(),
                        n.status.clone(),
                        n.attempts.to_string(),
                        n.next_attempt_at.to_string(),
                        n.title_en.clone(),
                    ]
                })
                .collect();
            print_table(&["id", "kind", "to", "status", "attempts", "next attempt", "title"], &table);
        }
    }
    Ok(())
}
