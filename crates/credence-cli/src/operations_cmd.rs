//! Running a deployment: `credence config check` (what it runs with), `credence jobs list`
//! (when its jobs run), `credence backup` and `credence restore`.

use anyhow::Result;
use clap::Subcommand;

use crate::output::print_table;

#[derive(Subcommand)]
pub enum ConfigCommand {
    /// Check the configuration and the artefacts it names, and print every key's
    /// effective value and where it came from (default, file, environment or flag);
    /// secrets are masked. Exits with 1 when an artefact does not load.
    Check,
}

#[derive(Subcommand)]
pub enum JobsCommand {
    /// Each job's schedule (cron, in the business time zone) and next run, and the
    /// latest runs recorded in the database.
    List {
        /// How many of the latest runs to show.
        #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=10_000))]
        runs: u32,
    },
}

pub fn run_config(command: ConfigCommand) -> Result<std::process::ExitCode> {
    match command {
        ConfigCommand::Check => {
            let loaded = crate::settings();
            match &loaded.file {
                Some(f) => println!("configuration file: {}", f.display()),
                None => println!("configuration file: none (defaults and environment)"),
            }
            let rows: Vec<Vec<String>> =
                loaded.listing().into_iter().map(|(k, v, o)| vec![k.to_owned(), v, o.to_string()]).collect();
            print_table(&["key", "value", "from"], &rows);
            println!();
            let paths = &loaded.settings.artefacts;
            match credence_engine::Artefacts::load(paths, |name| std::env::var(name).ok()) {
                Ok(a) => {
                    let rows: Vec<Vec<String>> = a
                        .versions()
                        .into_iter()
                        .map(|v| vec![v.name.to_owned(), v.version, v.source])
                        .collect();
                    print_table(&["artefact", "version", "source"], &rows);
                    println!("\nthe configuration and its artefacts are valid");
                    Ok(std::process::ExitCode::SUCCESS)
                }
                Err(e) => {
                    eprintln!("the artefacts do not load:\n{e}");
                    Ok(std::process::ExitCode::from(1))
                }
            }
        }
    }
}

pub fn run_jobs(db: &str, command: JobsCommand) -> Result<()> {
    match command {
        JobsCommand::List { runs } => {
            let loaded = crate::settings();
            let s = &loaded.settings;
            let zone = loaded.zone();
            let notify = s.artefacts.notifications.is_some();
            let config = credence_server::jobs::JobConfig::from_settings(&s.jobs, zone, notify)
                .map_err(anyhow::Error::msg)?;
            println!(
                "time zone {zone}; jobs {}",
                if s.jobs.enabled { "enabled" } else { "disabled (jobs.enabled = false)" }
            );
            let rows: Vec<Vec<String>> =
                credence_server::jobs::schedule_lines(&config, credence_server::clock::instant())
                    .into_iter()
                    .map(|l| vec![l.job.to_owned(), l.when, l.next.unwrap_or_else(|| "never".into())])
                    .collect();
            print_table(&["job", "schedule", "next run"], &rows);
            let mut store = crate::open(db)?;
            let recorded = store.latest_job_runs(runs as usize)?;
            if recorded.is_empty() {
                println!("\nno run recorded yet");
                return Ok(());
            }
            println!();
            let stamp = |t: &Option<credence_domain::Timestamp>| {
                t.as_ref().map_or_else(String::new, ToString::to_string)
            };
            let rows: Vec<Vec<String>> = recorded
                .into_iter()
                .map(|r| {
                    vec![
                        r.run,
                        r.claimed_by.unwrap_or_default(),
                        stamp(&r.started_at),
                        stamp(&r.finished_at),
                        r.status.unwrap_or_default(),
                    ]
                })
                .collect();
            print_table(&["run", "instance", "started", "finished", "status"], &rows);
            Ok(())
        }
    }
}

#[derive(clap::Args)]
pub struct BackupArgs {
    /// The backup file to write: a new file (an existing one is never overwritten).
    #[arg(long)]
    to: std::path::PathBuf,
}

#[derive(clap::Args)]
pub struct RestoreArgs {
    /// The backup file to restore.
    #[arg(long)]
    from: std::path::PathBuf,
    /// Overwrite the database at --db (stop the server first).
    #[arg(long)]
    replace: bool,
}

/// Checks that `user` holds `data.backup` over the whole portfolio (the local operator
/// does); `what` says why it is needed.
fn may_copy_the_database(store: &mut credence_store::Store, user: Option<&str>, what: &str) -> Result<()> {
    crate::import_scope::whole_portfolio_user(
        store,
        user,
        credence_server::access::Permission::DataBackup,
        what,
    )
}

/// A SQLite backup taken while the database is in use; PostgreSQL is refused with the
/// pg_dump procedure. With `--user`, the user needs `data.backup` (system administrators).
pub fn run_backup(db: &str, user: Option<&str>, args: BackupArgs) -> Result<()> {
    let mut store = crate::open(db)?;
    may_copy_the_database(&mut store, user, "a backup holds every customer's data")?;
    let r = store.backup_into(&args.to)?;
    println!(
        "backup written to {} ({} bytes, schema {}, {} customers, {} audit records); it is checked and readable by you only",
        r.path.display(),
        r.bytes,
        r.schema_version,
        r.customers,
        r.audit_records
    );
    Ok(())
}

/// Puts a SQLite backup in place of the database at `db`, checked and brought up to date
/// first. With `--user`, the user needs `data.backup` in the database being replaced.
pub fn run_restore(db: &str, user: Option<&str>, args: RestoreArgs) -> Result<()> {
    if crate::is_postgres(db) {
        anyhow::bail!(
            "a PostgreSQL database is restored with pg_restore; see the README's production section"
        );
    }
    if let Some(name) = user {
        if !std::path::Path::new(db).exists() {
            anyhow::bail!(
                "--user {name}: there is no database at {db} to check the user in; restore as the operator"
            );
        }
        may_copy_the_database(&mut crate::open(db)?, user, "a restore replaces every customer's data")?;
    }
    let r = credence_store::restore_sqlite(&args.from, std::path::Path::new(db), args.replace)?;
    println!(
        "{db} restored from {} (schema {}, {} customers, {} audit records)",
        args.from.display(),
        r.schema_version,
        r.customers,
        r.audit_records
    );
    Ok(())
}
