//! `credence demo`, `template`, `import`, `load`, `export`, `status` and `history`: the
//! credit files going in and out of the database.

use crate::{
    FileFormat, Lang, ReportFormat, import_scope, is_postgres, limits_args, now, open, output, parse_date,
    parse_kind, today,
};
use anyhow::{Context, Result, bail};
use credence_engine::{ImportOptions, ImportStatus, InvalidRows};
use credence_records::{Format, Kind};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Scenario {
    /// Customers buying on credit: credit files, ratings, warnings, limits.
    Trade,
    /// A utility's electricity accounts with 24 months of bills and payments.
    Utility,
}

#[derive(clap::Args)]
pub struct DemoArgs {
    #[arg(long, value_enum, default_value_t = Scenario::Trade)]
    scenario: Scenario,
    /// Number of customers (trade scenario).
    #[arg(long, default_value_t = 2000)]
    customers: usize,
    /// Number of billing accounts (utility scenario).
    #[arg(long, default_value_t = 20_000)]
    accounts: usize,
    /// Random seed: the same seed gives the same portfolio.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Date the portfolio is observed at (end of its history).
    #[arg(long, default_value = "2026-09-30", value_parser = parse_date)]
    as_of: chrono::NaiveDate,
    /// Only the credit files: no ratings, warnings or policy run (they are made by
    /// default, so the cockpit has a portfolio to show).
    #[arg(long)]
    records_only: bool,
}

#[derive(clap::Args)]
pub struct TemplateArgs {
    /// customers, statements, invoices, payments, credit-notes, orders, milestones, events,
    /// relationships, assessments, accounts, bills or bill-payments
    #[arg(value_parser = parse_kind)]
    kind: Kind,
    #[arg(long, value_enum, default_value_t = FileFormat::Csv)]
    format: FileFormat,
    /// Header language.
    #[arg(long, value_enum, default_value_t = Lang::En)]
    lang: Lang,
    /// Output file (default: <kind>.<format>).
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(clap::Args)]
pub struct ImportArgs {
    #[arg(value_parser = parse_kind)]
    kind: Kind,
    file: PathBuf,
    /// Write the valid rows and put invalid ones in a rejects file, instead of
    /// rejecting the whole file.
    #[arg(long)]
    skip_invalid: bool,
    /// Rejects file for --skip-invalid (default: <file>.rejects.csv).
    #[arg(long)]
    rejects: Option<PathBuf>,
    /// Report format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    format: ReportFormat,
    /// Dates after this are in the future (default: today).
    #[arg(long, value_parser = parse_date)]
    as_of: Option<chrono::NaiveDate>,
    /// Print the number of rows read every 50,000 rows to stderr.
    #[arg(long)]
    progress: bool,
    #[command(flatten)]
    limits: limits_args::ReadLimitArgs,
}

#[derive(clap::Args)]
pub struct LoadArgs {
    dir: PathBuf,
    #[arg(long)]
    skip_invalid: bool,
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    format: ReportFormat,
    #[arg(long, value_parser = parse_date)]
    as_of: Option<chrono::NaiveDate>,
    #[command(flatten)]
    limits: limits_args::ReadLimitArgs,
}

#[derive(clap::Args)]
pub struct ExportArgs {
    #[arg(value_parser = parse_kind)]
    kind: Kind,
    #[arg(long, value_enum, default_value_t = FileFormat::Csv)]
    format: FileFormat,
    #[arg(long, value_enum, default_value_t = Lang::En)]
    lang: Lang,
    /// Output file (default: <kind>.<format>).
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(clap::Args)]
pub struct HistoryArgs {
    #[arg(value_parser = parse_kind)]
    kind: Kind,
    /// The record's natural key (customer id, invoice number…).
    key: String,
}

/// Builds the demo portfolio and, unless only the records are wanted, works it (ratings,
/// warnings, a policy run).
pub fn run_demo(db: &str, args: DemoArgs) -> Result<()> {
    let DemoArgs { scenario, customers, accounts, seed, as_of, records_only } = args;
    if scenario == Scenario::Utility {
        return run_utility_demo(db, accounts, seed, as_of);
    }
    if customers == 0 {
        bail!("--customers must be at least 1");
    }
    let started = Instant::now();
    let config = credence_demo::DemoConfig { customers, seed, as_of };
    let (report, location) = if is_postgres(db) {
        let mut store = open(db)?;
        (credence_engine::build_demo(&mut store, &config, &now())?, store.location().to_owned())
    } else {
        let report = credence_engine::build_demo_file(db.as_ref(), &config, &now())
            .with_context(|| format!("building the demo portfolio in {db}"))?;
        (report, db.to_owned())
    };
    output::print_demo(&report, &location, started.elapsed());
    if !records_only {
        let started = Instant::now();
        let mut store = open(db)?;
        let work = credence_engine::work_demo(
            &mut store,
            &credence_indicators::Catalogue::builtin(),
            &credence_rating::ScorecardModel::builtin(),
            &credence_control::CreditPolicy::builtin(),
            as_of,
            &now(),
        )
        .context("working the demo portfolio")?;
        output::print_demo_work(&work, started.elapsed());
    }
    Ok(())
}

/// At most this many billing accounts in a demo (24 bills and about as many payments each).
const MAX_DEMO_ACCOUNTS: usize = 2_000_000;

fn run_utility_demo(db: &str, accounts: usize, seed: u64, as_of: chrono::NaiveDate) -> Result<()> {
    if !(1..=MAX_DEMO_ACCOUNTS).contains(&accounts) {
        bail!("--accounts {accounts}: between 1 and {MAX_DEMO_ACCOUNTS}");
    }
    let started = Instant::now();
    let mut store = open(db)?;
    let config = credence_demo::UtilityConfig { accounts, seed, as_of };
    let report = credence_engine::build_utility_demo(&mut store, &config, &now())
        .with_context(|| format!("building the utility demo in {db}"))?;
    output::print_utility_demo(&report, store.location(), as_of, started.elapsed());
    Ok(())
}

/// `<kind>.<extension>` when no output file is given.
fn default_path(out: Option<PathBuf>, kind: Kind, format: FileFormat) -> PathBuf {
    out.unwrap_or_else(|| PathBuf::from(format!("{}.{}", kind.code(), Format::from(format).extension())))
}

pub fn run_template(args: TemplateArgs) -> Result<()> {
    let TemplateArgs { kind, format, lang, out } = args;
    let path = default_path(out, kind, format);
    let guide = credence_engine::write_template(kind, &path, format.into(), lang.into())?;
    println!("wrote {} template to {}", kind, path.display());
    output::print_guide(&guide);
    Ok(())
}

/// `<file>.rejects.csv` beside the imported file.
fn rejects_beside(file: &Path) -> PathBuf {
    let mut p = file.to_path_buf().into_os_string();
    p.push(".rejects.csv");
    PathBuf::from(p)
}

pub fn run_import(db: &str, user: Option<&str>, args: ImportArgs) -> Result<ExitCode> {
    let ImportArgs { kind, file, skip_invalid, rejects, format, as_of, progress, limits } = args;
    let mut store = open(db)?;
    let as_of = as_of.unwrap_or_else(crate::today);
    let mut options = ImportOptions::new(as_of, now());
    options.scope = import_scope::import_scope(&mut store, user)?;
    options.limits = limits.limits();
    if skip_invalid {
        let rejects = rejects.unwrap_or_else(|| rejects_beside(&file));
        options.invalid_rows = InvalidRows::Skip { rejects };
    } else if rejects.is_some() {
        bail!("--rejects goes with --skip-invalid");
    }
    let started = Instant::now();
    let mut on_progress = |n: u64| {
        if progress {
            eprintln!("progress: {n} rows read");
        }
    };
    let report = credence_engine::import_file(&mut store, kind, &file, &options, &mut on_progress)
        .with_context(|| format!("importing {}", file.display()))?;
    match format {
        ReportFormat::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        ReportFormat::Table => output::print_import(&report, started.elapsed()),
    }
    if report.status == ImportStatus::Rejected {
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

pub fn run_load(db: &str, user: Option<&str>, args: LoadArgs) -> Result<ExitCode> {
    let LoadArgs { dir, skip_invalid, format, as_of, limits } = args;
    let mut store = open(db)?;
    let credence_engine::BatchPlan { files, unknown } = credence_engine::plan_batch(&dir)?;
    for u in &unknown {
        eprintln!("skipped {}: its name does not start with a record kind", u.display());
    }
    if files.is_empty() {
        bail!(
            "no importable files in {} (names must start with a record kind, e.g. customers.csv)",
            dir.display()
        );
    }
    let mut options = ImportOptions::new(as_of.unwrap_or_else(today), now());
    options.scope = import_scope::import_scope(&mut store, user)?;
    options.limits = limits.limits();
    if skip_invalid {
        options.invalid_rows = InvalidRows::Skip { rejects: PathBuf::new() };
    }
    // A file at a time, so each report gives its own file's time.
    let mut reports = Vec::with_capacity(files.len());
    for file in &files {
        let started = Instant::now();
        let done =
            credence_engine::import_batch(&mut store, std::slice::from_ref(file), &options, &mut |_| {})?;
        if format == ReportFormat::Table {
            done.iter().for_each(|r| output::print_import(r, started.elapsed()));
        }
        let rejected = done.iter().any(|r| r.status == ImportStatus::Rejected);
        reports.extend(done);
        if rejected {
            break;
        }
    }
    if format == ReportFormat::Json {
        println!("{}", serde_json::to_string_pretty(&reports)?);
    }
    if reports.iter().any(|r| r.status == ImportStatus::Rejected) {
        let done = reports.len();
        if done < files.len() {
            eprintln!("stopped: {} later files not imported", files.len() - done);
        }
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

pub fn run_export(db: &str, args: ExportArgs) -> Result<()> {
    let ExportArgs { kind, format, lang, out } = args;
    let mut store = open(db)?;
    let path = default_path(out, kind, format);
    let n = credence_engine::export(&mut store, kind, &path, format.into(), lang.into())?;
    println!("exported {n} {kind} to {}", path.display());
    Ok(())
}

pub fn run_status(db: &str) -> Result<()> {
    let mut store = open(db)?;
    let counts = store.counts()?;
    let runs = store.import_runs(10)?;
    output::print_status(store.location(), &counts, &runs);
    if crate::is_postgres(db) {
        let tls = if store.connection_encrypted()? { "encrypted (TLS)" } else { "not encrypted" };
        println!("connection: {tls}");
    }
    Ok(())
}

pub fn run_history(db: &str, args: HistoryArgs) -> Result<()> {
    let HistoryArgs { kind, key } = args;
    let mut store = open(db)?;
    let Some(current) = store.record(kind, &key)? else {
        bail!("no {kind} record with key '{key}'");
    };
    let history = store.history(kind, &key)?;
    output::print_history(&current, &history);
    Ok(())
}
