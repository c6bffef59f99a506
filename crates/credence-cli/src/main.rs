//! `credence`: the single entry point to Credence. It parses arguments, reads the
//! environment and prints; everything else is the engine's.

mod audit_cli;
mod control_cmd;
mod groups_cmd;
mod groups_output;
mod import_scope;
mod limits_args;
mod output;

/// Rating runs and imports allocate millions of small strings from several threads;
/// mimalloc handles that several times faster than the system allocator, whose arena
/// locks showed up as a third of a rating run's time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
mod model_cmd;
mod notify_cmd;
mod rating_output;
mod receivables_cmd;
mod repair_cmd;
mod server_cmd;
mod warning;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};
use credence_domain::Lang;
use credence_engine::{ImportOptions, ImportStatus, InvalidRows, RateOptions, RateScope};
use credence_indicators::Catalogue;
use credence_rating::ScorecardModel;
use credence_records::{Format, Kind};
use credence_server::clock::now;
use credence_store::Store;
use std::path::PathBuf;
use std::time::Instant;

/// Credence — credit risk management: credit files, ratings, limits, warnings.
#[derive(Parser)]
#[command(name = "credence", version, about)]
struct Cli {
    /// Database: a SQLite file path or a postgres:// URL.
    #[arg(long, global = true, env = "CREDENCE_DB", default_value = "credence.db")]
    db: String,
    /// Act as this user: the user's role, data scope and authorities apply and the audit
    /// log names them. Without it a command runs as the local operator, who may do
    /// everything the database file allows.
    #[arg(long, global = true, env = "CREDENCE_USER")]
    user: Option<String>,
    /// The audit log's key file (default for SQLite: `<db>.audit-key` beside the
    /// database, created at first use). `CREDENCE_AUDIT_KEY` (hex) takes precedence.
    #[arg(long, global = true, env = "CREDENCE_AUDIT_KEY_FILE")]
    audit_key_file: Option<PathBuf>,
    /// The MAC of a new or hex-given audit key: hmac-sha256 or hmac-sm3 (国密).
    #[arg(long, global = true, env = "CREDENCE_AUDIT_MAC", default_value = "hmac-sha256")]
    audit_mac: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build a realistic demo portfolio in the database and print a summary.
    Demo {
        /// Number of customers.
        #[arg(long, default_value_t = 2000)]
        customers: usize,
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
    },
    /// Write an empty import template for a record kind.
    Template {
        /// customers, statements, invoices, payments, credit-notes, orders, milestones, events, relationships
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
    },
    /// Validate a CSV or xlsx file and store its records.
    Import {
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
    },
    /// Import every CSV/xlsx file of a folder (a daily ERP drop) in load order; files are
    /// recognised by name (customers_20261001.csv, invoices.xlsx, 客户.csv…).
    Load {
        dir: PathBuf,
        #[arg(long)]
        skip_invalid: bool,
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
        #[arg(long, value_parser = parse_date)]
        as_of: Option<chrono::NaiveDate>,
        #[command(flatten)]
        limits: limits_args::ReadLimitArgs,
    },
    /// Rate the portfolio with the indicator catalogue and the expert scorecard.
    Rate {
        /// Date the rating describes (default: today).
        #[arg(long, value_parser = parse_date)]
        as_of: Option<chrono::NaiveDate>,
        /// Only customers never rated or whose data, model, catalogue or date changed.
        #[arg(long, conflicts_with = "customer")]
        changed: bool,
        /// Rate one customer.
        #[arg(long)]
        customer: Option<String>,
        /// Score every customer with this registered statistical model as a challenger,
        /// stored apart from the expert ratings and compared with them.
        #[arg(long, conflicts_with_all = ["changed", "customer"])]
        challenger: Option<String>,
        #[command(flatten)]
        analytics: AnalyticsFiles,
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
    /// One customer's credit file, rating and history.
    Customer {
        #[command(subcommand)]
        command: CustomerCommand,
    },
    /// The indicator catalogue and its effectiveness.
    Indicators {
        #[command(subcommand)]
        command: IndicatorsCommand,
    },
    /// Rating runs: back-tests and manual overrides.
    Rating {
        #[command(subcommand)]
        command: RatingCommand,
    },
    /// Groups of related customers, guarantee circles and contagion (CTRL-10).
    Groups {
        #[command(subcommand)]
        command: groups_cmd::GroupsCommand,
    },
    /// The relationship graph around a customer.
    Graph {
        #[command(subcommand)]
        command: groups_cmd::GraphCommand,
    },
    /// Evaluate the early-warning rules for the customers due (CTRL-5 … CTRL-8).
    Warn(warning::WarnArgs),
    /// Early-warning alerts and their evidence.
    Alerts {
        #[command(subcommand)]
        command: warning::AlertsCommand,
    },
    /// Disposal cases: assign, act, escalate, close.
    Case {
        #[command(subcommand)]
        command: warning::CaseCommand,
    },
    /// Notifications of alerts and escalations: deliver the outbox, list it.
    Notify {
        #[command(subcommand)]
        command: notify_cmd::NotifyCommand,
    },
    /// Credit repair plans for damaged customers (GOV-1).
    Repair {
        #[command(subcommand)]
        command: repair_cmd::RepairCommand,
    },
    /// Order-time credit check: every step's result and the smallest remedy (CTRL-4).
    Check(control_cmd::CheckArgs),
    /// The queue of blocked orders: release, reject, recheck.
    Blocked {
        #[command(subcommand)]
        command: control_cmd::BlockedCommand,
    },
    /// The credit policy applied to every customer: limits, terms, mitigants (CTRL-1, 3).
    Policy {
        #[command(subcommand)]
        command: control_cmd::PolicyCommand,
    },
    /// Limit requests and their approvals by the authority matrix (CTRL-2).
    Limit {
        #[command(subcommand)]
        command: control_cmd::LimitCommand,
    },
    /// Receivables aging by business line and group, with DSO (CTRL-9).
    Aging(receivables_cmd::AgingArgs),
    /// The modelling workbench: dataset, train, score, report, monitor, register, list.
    Model {
        #[command(subcommand)]
        command: model_cmd::ModelCommand,
    },
    /// Serve the HTTP API (users, roles, audit; see /api/openapi.json).
    Serve(server_cmd::ServeArgs),
    /// Users of the server: add, passwd, disable, list.
    User {
        #[command(subcommand)]
        command: server_cmd::UserCommand,
    },
    /// API tokens for integrations: create, revoke, list.
    Token {
        #[command(subcommand)]
        command: server_cmd::TokenCommand,
    },
    /// The keyed, hash-chained audit log: verify, checkpoint, list, archive, purge, export.
    Audit {
        #[command(subcommand)]
        command: audit_cli::AuditCommand,
    },
    /// Collections: worklists, actions, promises to pay (CTRL-9).
    Collect {
        #[command(subcommand)]
        command: receivables_cmd::CollectCommand,
    },
    /// Write every stored record of a kind to CSV or xlsx (imports back unchanged).
    Export {
        #[arg(value_parser = parse_kind)]
        kind: Kind,
        #[arg(long, value_enum, default_value_t = FileFormat::Csv)]
        format: FileFormat,
        #[arg(long, value_enum, default_value_t = Lang::En)]
        lang: Lang,
        /// Output file (default: <kind>.<format>).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Show what the database holds and the latest imports.
    Status,
    /// Show the earlier versions of one record.
    History {
        #[arg(value_parser = parse_kind)]
        kind: Kind,
        /// The record's natural key (customer id, invoice number…).
        key: String,
    },
    /// Data-quality rules (default), the early-warning rule pack, and how well its rules
    /// worked on the portfolio's history.
    Rules {
        #[command(subcommand)]
        command: Option<warning::RulesCommand>,
    },
}

/// Where the indicator catalogue and scorecard model come from (default: the shipped
/// ones).
#[derive(clap::Args, Clone)]
struct AnalyticsFiles {
    /// Indicator catalogue TOML.
    #[arg(long)]
    catalogue: Option<PathBuf>,
    /// Expert scorecard model TOML.
    #[arg(long)]
    model: Option<PathBuf>,
}

#[derive(Subcommand)]
enum CustomerCommand {
    /// Master data, indicators with trends and peer medians, rating breakdown, history.
    Show {
        id: String,
        #[command(flatten)]
        analytics: AnalyticsFiles,
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
        /// Language of names and explanations.
        #[arg(long, value_enum, default_value_t = Lang::Zh)]
        lang: Lang,
    },
}

#[derive(Subcommand)]
enum IndicatorsCommand {
    /// List the catalogue's indicators.
    List {
        #[command(flatten)]
        analytics: AnalyticsFiles,
    },
    /// Information value and AUC of every indicator against observed defaults (IND-5).
    Effectiveness {
        /// Observation date (default: one year before today).
        #[arg(long, value_parser = parse_date)]
        as_of: Option<chrono::NaiveDate>,
        /// Months after the observation date in which a default counts.
        #[arg(long, default_value_t = 12)]
        horizon: u32,
        #[command(flatten)]
        analytics: AnalyticsFiles,
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
}

#[derive(Subcommand)]
enum RatingCommand {
    /// AUC of a run's scores and default rate per grade over the following months.
    Performance {
        /// Rating run (default: the latest).
        #[arg(long)]
        run: Option<i64>,
        #[arg(long, default_value_t = 12)]
        horizon: u32,
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
    /// How customers moved between letter grades from one run to another.
    Migration {
        /// Earlier run (default: the one before `--to`).
        #[arg(long)]
        from: Option<i64>,
        /// Later run (default: the latest).
        #[arg(long)]
        to: Option<i64>,
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
    /// Enter an override of a customer's grade, with a reason, for a named approver to
    /// approve (`credence rating approve`); the grade in force changes only then.
    Override {
        customer: String,
        /// The new grade (AAA, AA, A, BBB, … on the letter scale; AAA … C on the points scale).
        #[arg(long)]
        grade: String,
        /// Which scale the grade is on.
        #[arg(long, value_enum, default_value_t = Scale::Letter)]
        scale: Scale,
        #[arg(long)]
        reason: String,
        /// The username of the approver: an enabled user holding the rating_approver
        /// authority, not the author.
        #[arg(long)]
        approver: String,
        /// Who enters the override when run without --user (default: the USER environment
        /// variable).
        #[arg(long, env = "USER", default_value = "unknown")]
        by: String,
        #[command(flatten)]
        analytics: AnalyticsFiles,
    },
    /// Overrides waiting for their approver.
    Pending,
    /// Approve an override as its named approver (--user): its grade goes in force.
    Approve {
        id: i64,
        #[arg(long, default_value = "")]
        comment: String,
    },
    /// Reject an override as its named approver (--user), with a comment.
    Reject {
        id: i64,
        #[arg(long)]
        comment: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Scale {
    Letter,
    Points,
}

#[derive(Clone, Copy, ValueEnum)]
enum FileFormat {
    Csv,
    Xlsx,
}

impl From<FileFormat> for Format {
    fn from(f: FileFormat) -> Self {
        match f {
            FileFormat::Csv => Format::Csv,
            FileFormat::Xlsx => Format::Xlsx,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ReportFormat {
    Table,
    Json,
}

fn parse_kind(s: &str) -> Result<Kind, String> {
    Kind::parse(s).ok_or_else(|| {
        let all: Vec<&str> = Kind::ALL.iter().map(|k| k.code()).collect();
        format!("unknown record kind '{s}'; expected one of {}", all.join(", "))
    })
}

pub(crate) fn parse_date(s: &str) -> Result<chrono::NaiveDate, String> {
    credence_records::normalise::parse_date(s).ok_or_else(|| format!("'{s}' is not a date (YYYY-MM-DD)"))
}

/// Loads the catalogue and the model, checking the model's indicators against the
/// catalogue.
fn load_analytics(files: &AnalyticsFiles) -> Result<(Catalogue, ScorecardModel)> {
    let catalogue = match &files.catalogue {
        Some(p) => {
            Catalogue::from_file(p).with_context(|| format!("loading indicator catalogue {}", p.display()))?
        }
        None => Catalogue::builtin(),
    };
    let ids: Vec<&str> = catalogue.indicators().iter().map(|d| d.id.as_str()).collect();
    let (text, name) = match &files.model {
        Some(p) => (
            std::fs::read_to_string(p).with_context(|| format!("reading scorecard model {}", p.display()))?,
            p.display().to_string(),
        ),
        None => (credence_rating::BUILTIN_MODEL.to_owned(), credence_rating::BUILTIN_MODEL_FILE.to_owned()),
    };
    let model = ScorecardModel::from_toml(&text, &name, &ids)
        .with_context(|| format!("loading scorecard model {name}"))?;
    Ok((catalogue, model))
}

/// The model's letter grades, best first: the order of grade tables.
fn letter_grades(model: &ScorecardModel) -> Vec<&str> {
    model.grades(credence_rating::ScaleKind::Letter).iter().map(|g| g.grade.as_str()).collect()
}

fn today() -> chrono::NaiveDate {
    credence_server::clock::today_local()
}

fn is_postgres(db: &str) -> bool {
    db.starts_with("postgres://") || db.starts_with("postgresql://")
}

/// Opens the database keyed for the audit log, with the command's audit record attached.
fn open(db: &str) -> Result<Store> {
    let mut store = Store::open(db).with_context(|| format!("opening database {db}"))?;
    audit_cli::attach(&mut store);
    Ok(store)
}

/// Output piped into `head` and the like: stop quietly when the reader goes away, as
/// Unix tools do, instead of reporting a panic.
fn exit_quietly_on_closed_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let text = info.payload().downcast_ref::<String>().map(String::as_str).unwrap_or_default();
        if text.contains("failed printing to stdout") && text.contains("Broken pipe") {
            std::process::exit(141);
        }
        default(info);
    }));
}

fn main() -> std::process::ExitCode {
    exit_quietly_on_closed_pipe();
    let argv: Vec<String> = std::env::args().collect();
    let cli = Cli::parse();
    let db = cli.db.clone();
    let verifying = matches!(cli.command, Command::Audit { command: audit_cli::AuditCommand::Verify { .. } });
    let source = audit_cli::KeySource {
        db: &cli.db,
        file: cli.audit_key_file.as_deref(),
        algorithm: &cli.audit_mac,
        create: !verifying,
    };
    let key = match audit_cli::resolve_key(&source) {
        Ok(k) => k,
        Err(e) => {
            eprintln!("error: {e:#}");
            return std::process::ExitCode::from(2);
        }
    };
    audit_cli::configure(
        key,
        audit_cli::entry(&argv, cli.user.as_deref()).map(credence_store::PendingAudit::new),
    );
    match run(cli) {
        Ok(code) => {
            if code == std::process::ExitCode::SUCCESS
                && let Err(e) = audit_cli::record_if_unwritten(&db)
            {
                eprintln!("error: the command succeeded but its audit record could not be written: {e:#}");
                return std::process::ExitCode::from(3);
            }
            code
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::from(2)
        }
    }
}

/// Checks that a command's `--user` exists, is enabled and has a role holding `p`.
fn rating_requester(
    store: &mut credence_store::Store,
    name: &str,
    p: credence_server::access::Permission,
) -> Result<()> {
    let by = credence_server::accounts::Requester::for_command(store, Some(name))?;
    if !by.may(p) {
        bail!("{name}'s role may not do this (it needs {})", p.code());
    }
    Ok(())
}

/// The approver deciding an override: `--user`, required (approval is a second person's
/// act, never the operator's).
fn override_approver(store: &mut credence_store::Store, user: Option<&str>) -> Result<String> {
    let Some(name) = user else {
        bail!("an override is approved or rejected by the approver it names: pass --user NAME");
    };
    rating_requester(store, name, credence_server::access::Permission::RatingApprove)?;
    Ok(name.to_owned())
}

fn run(cli: Cli) -> Result<std::process::ExitCode> {
    use std::process::ExitCode;
    match cli.command {
        Command::Demo { customers, seed, as_of, records_only } => {
            if customers == 0 {
                bail!("--customers must be at least 1");
            }
            let started = Instant::now();
            let config = credence_demo::DemoConfig { customers, seed, as_of };
            let (report, location) = if is_postgres(&cli.db) {
                let mut store = open(&cli.db)?;
                (credence_engine::build_demo(&mut store, &config, &now())?, store.location().to_owned())
            } else {
                let report = credence_engine::build_demo_file(cli.db.as_ref(), &config, &now())
                    .with_context(|| format!("building the demo portfolio in {}", cli.db))?;
                (report, cli.db.clone())
            };
            output::print_demo(&report, &location, started.elapsed());
            if !records_only {
                let started = Instant::now();
                let mut store = open(&cli.db)?;
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
        }
        Command::Template { kind, format, lang, out } => {
            let path = out.unwrap_or_else(|| {
                PathBuf::from(format!("{}.{}", kind.code(), Format::from(format).extension()))
            });
            let guide = credence_engine::write_template(kind, &path, format.into(), lang.into())?;
            println!("wrote {} template to {}", kind, path.display());
            output::print_guide(&guide);
        }
        Command::Import { kind, file, skip_invalid, rejects, format, as_of, progress, limits } => {
            let mut store = open(&cli.db)?;
            let as_of = as_of.unwrap_or_else(today);
            let mut options = ImportOptions::new(as_of, now().into());
            options.scope = import_scope::import_scope(&mut store, cli.user.as_deref())?;
            options.limits = limits.limits();
            if skip_invalid {
                let rejects = rejects.unwrap_or_else(|| {
                    let mut p = file.clone().into_os_string();
                    p.push(".rejects.csv");
                    PathBuf::from(p)
                });
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
        }
        Command::Load { dir, skip_invalid, format, as_of, limits } => {
            let mut store = open(&cli.db)?;
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
            let mut options = ImportOptions::new(as_of.unwrap_or_else(today), now().into());
            options.scope = import_scope::import_scope(&mut store, cli.user.as_deref())?;
            options.limits = limits.limits();
            if skip_invalid {
                options.invalid_rows = InvalidRows::Skip { rejects: PathBuf::new() };
            }
            let started = Instant::now();
            let reports = credence_engine::import_batch(&mut store, &files, &options, &mut |_| {})?;
            match format {
                ReportFormat::Json => println!("{}", serde_json::to_string_pretty(&reports)?),
                ReportFormat::Table => {
                    for r in &reports {
                        output::print_import(r, started.elapsed());
                    }
                }
            }
            if reports.iter().any(|r| r.status == ImportStatus::Rejected) {
                let done = reports.len();
                if done < files.len() {
                    eprintln!("stopped: {} later files not imported", files.len() - done);
                }
                return Ok(ExitCode::from(1));
            }
        }
        Command::Rate { as_of, challenger: Some(version), analytics, format, .. } => {
            let (catalogue, _) = load_analytics(&analytics)?;
            model_cmd::run_challenger(&cli.db, &catalogue, &version, as_of.unwrap_or_else(today), format)?;
        }
        Command::Rate { as_of, changed, customer, analytics, format, .. } => {
            let (catalogue, model) = load_analytics(&analytics)?;
            let mut store = open(&cli.db)?;
            let scope = match (changed, customer) {
                (_, Some(id)) => RateScope::Customer(id),
                (true, None) => RateScope::Changed,
                (false, None) => RateScope::All,
            };
            let started = Instant::now();
            let options = RateOptions::new(as_of.unwrap_or_else(today), scope, now().into());
            let report = credence_engine::rate_portfolio(&mut store, &catalogue, &model, &options)?;
            match format {
                ReportFormat::Json => println!("{}", serde_json::to_string_pretty(&report)?),
                ReportFormat::Table => rating_output::print_rate(&report, started.elapsed()),
            }
        }
        Command::Customer { command: CustomerCommand::Show { id, analytics, format, lang } } => {
            let (catalogue, model) = load_analytics(&analytics)?;
            let mut store = open(&cli.db)?;
            let view = credence_engine::customer_view(
                &mut store,
                &catalogue,
                &id,
                today(),
                credence_engine::IndicatorSource::Records,
            )?;
            match format {
                ReportFormat::Json => println!("{}", serde_json::to_string_pretty(&view)?),
                ReportFormat::Table => rating_output::print_customer(&view, &model, lang == Lang::Zh),
            }
        }
        Command::Indicators { command: IndicatorsCommand::List { analytics } } => {
            let (catalogue, _) = load_analytics(&analytics)?;
            rating_output::print_catalogue(&catalogue);
        }
        Command::Indicators {
            command: IndicatorsCommand::Effectiveness { as_of, horizon, analytics, format },
        } => {
            let (catalogue, _) = load_analytics(&analytics)?;
            let mut store = open(&cli.db)?;
            let as_of = as_of.unwrap_or_else(|| today() - chrono::Days::new(365));
            let report = credence_engine::indicator_effectiveness(&mut store, &catalogue, as_of, horizon)?;
            match format {
                ReportFormat::Json => println!("{}", serde_json::to_string_pretty(&report)?),
                ReportFormat::Table => rating_output::print_effectiveness(&report),
            }
        }
        Command::Rating { command: RatingCommand::Performance { run, horizon, format } } => {
            let mut store = open(&cli.db)?;
            let run = match run {
                Some(r) => r,
                None => store
                    .rating_runs(1)?
                    .first()
                    .map(|r| r.id)
                    .context("no rating run yet; run `credence rate`")?,
            };
            let model = ScorecardModel::builtin();
            let order = letter_grades(&model);
            let report = credence_engine::rating_performance(&mut store, run, horizon, &order)?;
            match format {
                ReportFormat::Json => println!("{}", serde_json::to_string_pretty(&report)?),
                ReportFormat::Table => rating_output::print_performance(&report),
            }
        }
        Command::Rating { command: RatingCommand::Migration { from, to, format } } => {
            let mut store = open(&cli.db)?;
            let finished: Vec<i64> = store
                .rating_runs(u32::MAX)?
                .iter()
                .filter(|r| r.finished_at.is_some())
                .map(|r| r.id)
                .collect();
            let to = match to {
                Some(t) => t,
                None => *finished.first().context("no finished rating run yet")?,
            };
            let from = match from {
                Some(f) => f,
                None => *finished
                    .iter()
                    .find(|r| **r < to)
                    .context("no earlier finished rating run to compare with")?,
            };
            let model = ScorecardModel::builtin();
            let order = letter_grades(&model);
            let matrix = credence_engine::rating_migration(&mut store, from, to, &order)?;
            match format {
                ReportFormat::Json => println!("{}", serde_json::to_string_pretty(&matrix)?),
                ReportFormat::Table => rating_output::print_migration(&matrix),
            }
        }
        Command::Rating {
            command: RatingCommand::Override { customer, grade, scale, reason, approver, by, analytics },
        } => {
            let (_, model) = load_analytics(&analytics)?;
            let mut store = open(&cli.db)?;
            let author = match cli.user.as_deref() {
                Some(name) => {
                    rating_requester(&mut store, name, credence_server::access::Permission::RatingOverride)?;
                    name.to_owned()
                }
                None => by,
            };
            let request = credence_rating::Override {
                scale: match scale {
                    Scale::Letter => credence_rating::ScaleKind::Letter,
                    Scale::Points => credence_rating::ScaleKind::Points,
                },
                grade,
                reason,
                approver,
            };
            let o =
                credence_engine::override_rating(&mut store, &model, &customer, &request, &author, &now())?;
            println!(
                "override {} entered for {} by {}: letter grade {}, 100-point grade {} ({}); waiting for {} (`credence rating approve {} --user {}`)",
                o.id,
                o.customer_id,
                o.entered_by,
                o.letter_grade,
                o.point_grade,
                o.reason,
                o.approver,
                o.id,
                o.approver
            );
        }
        Command::Rating { command: RatingCommand::Pending } => {
            let mut store = open(&cli.db)?;
            let rows: Vec<Vec<String>> = store
                .override_requests(Some("pending"), None)?
                .into_iter()
                .map(|o| {
                    vec![
                        o.id.to_string(),
                        o.customer_id.into(),
                        o.letter_grade,
                        o.point_grade,
                        o.reason,
                        o.entered_by,
                        o.entered_at,
                        o.approver,
                    ]
                })
                .collect();
            output::print_table(
                &["override", "customer", "letter", "points", "reason", "by", "at", "approver"],
                &rows,
            );
        }
        Command::Rating { command: RatingCommand::Approve { id, comment } } => {
            let mut store = open(&cli.db)?;
            let by = override_approver(&mut store, cli.user.as_deref())?;
            let o = credence_engine::decide_override(&mut store, id, true, &by, &comment, &now())?;
            println!(
                "override {id} approved by {by}: {} now rated {} in force",
                o.customer_id, o.letter_grade
            );
        }
        Command::Rating { command: RatingCommand::Reject { id, comment } } => {
            let mut store = open(&cli.db)?;
            let by = override_approver(&mut store, cli.user.as_deref())?;
            credence_engine::decide_override(&mut store, id, false, &by, &comment, &now())?;
            println!("override {id} rejected by {by}");
        }
        Command::Export { kind, format, lang, out } => {
            let mut store = open(&cli.db)?;
            let path = out.unwrap_or_else(|| {
                PathBuf::from(format!("{}.{}", kind.code(), Format::from(format).extension()))
            });
            let n = credence_engine::export(&mut store, kind, &path, format.into(), lang.into())?;
            println!("exported {n} {kind} to {}", path.display());
        }
        Command::Groups { command } => groups_cmd::run_groups(&cli.db, command)?,
        Command::Warn(args) => warning::run_warn(&cli.db, args)?,
        Command::Alerts { command } => warning::run_alerts(&cli.db, command)?,
        Command::Case { command } => warning::run_case(&cli.db, command)?,
        Command::Repair { command } => repair_cmd::run_repair(&cli.db, command)?,
        Command::Notify { command } => notify_cmd::run_notify(&cli.db, command)?,
        Command::Check(args) => control_cmd::run_check(&cli.db, args)?,
        Command::Blocked { command } => control_cmd::run_blocked(&cli.db, command)?,
        Command::Policy { command } => control_cmd::run_policy(&cli.db, command)?,
        Command::Limit { command } => control_cmd::run_limit(&cli.db, cli.user.as_deref(), command)?,
        Command::Aging(args) => receivables_cmd::run_aging(&cli.db, args)?,
        Command::Model { command } => model_cmd::run_model(&cli.db, command)?,
        Command::Serve(args) => server_cmd::run_serve(&cli.db, args)?,
        Command::User { command } => server_cmd::run_user(&cli.db, cli.user.as_deref(), command)?,
        Command::Token { command } => server_cmd::run_token(&cli.db, cli.user.as_deref(), command)?,
        Command::Audit { command } => {
            if !audit_cli::run_audit(&cli.db, command)? {
                return Ok(ExitCode::from(1));
            }
        }
        Command::Collect { command } => receivables_cmd::run_collect(&cli.db, command)?,
        Command::Graph { command } => groups_cmd::run_graph(&cli.db, command)?,
        Command::Status => {
            let mut store = open(&cli.db)?;
            let counts = store.counts()?;
            let runs = store.import_runs(10)?;
            output::print_status(store.location(), &counts, &runs);
        }
        Command::History { kind, key } => {
            let mut store = open(&cli.db)?;
            let Some(current) = store.record(kind, &key)? else {
                bail!("no {kind} record with key '{key}'");
            };
            let history = store.history(kind, &key)?;
            output::print_history(&current, &history);
        }
        Command::Rules { command: None } => output::print_rules(),
        Command::Rules { command: Some(command) } => warning::run_rules(&cli.db, command)?,
    }
    Ok(ExitCode::SUCCESS)
}
