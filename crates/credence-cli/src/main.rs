//! `credence`: the single entry point to Credence. It parses arguments, reads the
//! environment and prints; everything else is the engine's.

mod audit_cli;
mod control_cmd;
mod groups_cmd;
mod groups_output;
mod import_scope;
mod limits_args;
mod operations_cmd;
mod output;
mod rating_cmd;
mod records_cmd;

/// Rating runs and imports allocate millions of small strings from several threads;
/// mimalloc handles that several times faster than the system allocator, whose arena
/// locks showed up as a third of a rating run's time. Transparent huge pages are off
/// (`no_thp`): with them the kernel zeroes 2 MB for every fresh stretch a run touches,
/// which was a quarter of `rate --changed` on a million customers.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
mod model_cmd;
mod notify_cmd;
mod rating_output;
mod receivables_cmd;
mod repair_cmd;
mod rules_output;
mod server_cmd;
mod utility_cmd;
mod warning;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use credence_domain::Lang;
use credence_indicators::Catalogue;
use credence_rating::ScorecardModel;
use credence_records::{Format, Kind};
use credence_server::clock::now;
use credence_store::Store;
use std::path::PathBuf;

/// Credence — credit risk management: credit files, ratings, limits, warnings.
#[derive(Parser)]
#[command(name = "credence", version, about)]
struct Cli {
    /// The configuration file (default: credence.toml in the working directory, when
    /// there is one); see credence.example.toml and `credence config check`.
    #[arg(long, global = true, env = "CREDENCE_CONFIG")]
    config: Option<PathBuf>,
    /// Database: a SQLite file path or a postgres:// URL [database.url, CREDENCE_DB;
    /// default credence.db].
    #[arg(long, global = true)]
    db: Option<String>,
    /// Act as this user: the user's role, data scope and authorities apply and the audit
    /// log names them. Without it a command runs as the local operator, who may do
    /// everything the database file allows.
    #[arg(long, global = true, env = "CREDENCE_USER")]
    user: Option<String>,
    /// The audit log's key file (default for SQLite: `<db>.audit-key` beside the
    /// database, created at first use). `CREDENCE_AUDIT_KEY` (hex) takes precedence
    /// [audit.key_file, CREDENCE_AUDIT_KEY_FILE].
    #[arg(long, global = true)]
    audit_key_file: Option<PathBuf>,
    /// The MAC of a new or hex-given audit key: hmac-sha256 or hmac-sm3 (国密)
    /// [audit.mac, CREDENCE_AUDIT_MAC; default hmac-sha256].
    #[arg(long, global = true)]
    audit_mac: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build a realistic demo portfolio in the database and print a summary.
    Demo(records_cmd::DemoArgs),
    /// Write an empty import template for a record kind.
    Template(records_cmd::TemplateArgs),
    /// Validate a CSV or xlsx file and store its records.
    Import(records_cmd::ImportArgs),
    /// Import every CSV/xlsx file of a folder (a daily ERP drop) in load order; files are
    /// recognised by name (customers_20261001.csv, invoices.xlsx, 客户.csv…).
    Load(records_cmd::LoadArgs),
    /// Rate the portfolio with the indicator catalogue and the expert scorecard.
    Rate(rating_cmd::RateArgs),
    /// One customer's credit file, rating and history.
    Customer {
        #[command(subcommand)]
        command: rating_cmd::CustomerCommand,
    },
    /// The indicator catalogue and its effectiveness.
    Indicators {
        #[command(subcommand)]
        command: rating_cmd::IndicatorsCommand,
    },
    /// Rating runs: back-tests and manual overrides.
    Rating {
        #[command(subcommand)]
        command: rating_cmd::RatingCommand,
    },
    /// Groups of related customers, guarantee circles and contagion.
    Groups {
        #[command(subcommand)]
        command: groups_cmd::GroupsCommand,
    },
    /// The relationship graph around a customer.
    Graph {
        #[command(subcommand)]
        command: groups_cmd::GraphCommand,
    },
    /// Evaluate the early-warning rules for the customers due.
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
    /// Credit repair plans for damaged customers.
    Repair {
        #[command(subcommand)]
        command: repair_cmd::RepairCommand,
    },
    /// Order-time credit check: every step's result and the smallest remedy.
    Check(control_cmd::CheckArgs),
    /// The queue of blocked orders: release, reject, recheck.
    Blocked {
        #[command(subcommand)]
        command: control_cmd::BlockedCommand,
    },
    /// The credit policy applied to every customer: limits, terms, mitigants.
    Policy {
        #[command(subcommand)]
        command: control_cmd::PolicyCommand,
    },
    /// Limit requests and their approvals by the authority matrix.
    Limit {
        #[command(subcommand)]
        command: control_cmd::LimitCommand,
    },
    /// Receivables aging by business line and group, with DSO.
    Aging(receivables_cmd::AgingArgs),
    /// The modelling workbench: dataset, train, score, report, monitor, register, list.
    Model {
        #[command(subcommand)]
        command: model_cmd::ModelCommand,
    },
    /// Utility billing accounts: the next-month arrears data set from accounts, bills and
    /// bill payments.
    Utility {
        #[command(subcommand)]
        command: utility_cmd::UtilityCommand,
    },
    /// Serve the HTTP API (users, roles, audit; see /api/openapi.json).
    Serve(server_cmd::ServeArgs),
    /// The configuration: check it and print the effective values.
    Config {
        #[command(subcommand)]
        command: operations_cmd::ConfigCommand,
    },
    /// Write a checked backup of the SQLite database while it is in use.
    Backup(operations_cmd::BackupArgs),
    /// Replace the SQLite database with a backup (checked and brought up to date first).
    Restore(operations_cmd::RestoreArgs),
    /// The background jobs: their schedules, next runs and latest runs.
    Jobs {
        #[command(subcommand)]
        command: operations_cmd::JobsCommand,
    },
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
    /// Collections: worklists, actions, promises to pay.
    Collect {
        #[command(subcommand)]
        command: receivables_cmd::CollectCommand,
    },
    /// Write every stored record of a kind to CSV or xlsx (imports back unchanged).
    Export(records_cmd::ExportArgs),
    /// Show what the database holds and the latest imports.
    Status,
    /// Show the earlier versions of one record.
    History(records_cmd::HistoryArgs),
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

/// The file a flag names, else the one the configuration names for that artefact
/// (`[artefacts]` in credence.toml), else none: the shipped one.
fn or_configured(
    given: Option<&std::path::Path>,
    pick: fn(&credence_server::config::Artefacts) -> &Option<PathBuf>,
) -> Option<PathBuf> {
    given.map(std::path::Path::to_owned).or_else(|| pick(&settings().settings.artefacts).clone())
}

/// Loads the catalogue and the model, checking the model's indicators against the
/// catalogue.
fn load_analytics(files: &AnalyticsFiles) -> Result<(Catalogue, ScorecardModel)> {
    let catalogue_file = or_configured(files.catalogue.as_deref(), |a| &a.catalogue);
    let model_file = or_configured(files.model.as_deref(), |a| &a.model);
    let catalogue = match &catalogue_file {
        Some(p) => credence_engine::read_catalogue(p)
            .with_context(|| format!("loading indicator catalogue {}", p.display()))?,
        None => Catalogue::builtin(),
    };
    let ids: Vec<&str> = catalogue.indicators().iter().map(|d| d.id.as_str()).collect();
    let (text, name) = match &model_file {
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
    credence_server::clock::today_in(settings().zone())
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

/// The settings in force: the configuration file, the environment and the global flags.
static SETTINGS: std::sync::OnceLock<credence_server::config::Loaded> = std::sync::OnceLock::new();

/// The settings in force (the defaults before `main` has read them).
fn settings() -> &'static credence_server::config::Loaded {
    SETTINGS.get_or_init(credence_server::config::Loaded::defaults)
}

/// Reads the configuration file named, else `credence.toml` here if present, with the
/// environment over it.
fn load_settings(named: Option<&std::path::Path>) -> Result<credence_server::config::Loaded> {
    let file = credence_server::config::file_to_read(named);
    let path = file.as_deref();
    credence_server::config::load(path, |name| std::env::var(name).ok()).with_context(|| match path {
        Some(p) => format!("reading the configuration {}", p.display()),
        None => "reading the configuration from the environment".to_owned(),
    })
}

fn main() -> std::process::ExitCode {
    exit_quietly_on_closed_pipe();
    let argv: Vec<String> = std::env::args().collect();
    let mut cli = Cli::parse();
    let mut loaded = match load_settings(cli.config.as_deref()) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: {e:#}");
            return std::process::ExitCode::from(2);
        }
    };
    if let Some(db) = cli.db.take() {
        loaded.settings.database.url = db;
        loaded.set_by_flag("database.url");
    }
    if let Some(f) = cli.audit_key_file.take() {
        loaded.settings.audit.key_file = Some(f);
        loaded.set_by_flag("audit.key_file");
    }
    if let Some(m) = cli.audit_mac.take() {
        loaded.settings.audit.mac = m;
        loaded.set_by_flag("audit.mac");
    }
    let _ = SETTINGS.set(loaded);
    let s = &settings().settings;
    let db = s.database.url.clone();
    let verifying = matches!(cli.command, Command::Audit { command: audit_cli::AuditCommand::Verify { .. } });
    let source = audit_cli::KeySource {
        db: &db,
        file: s.audit.key_file.as_deref(),
        algorithm: &s.audit.mac,
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
    match run(cli, &db) {
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

/// Runs the command; a command family's options and steps live in its module.
fn run(cli: Cli, db: &str) -> Result<std::process::ExitCode> {
    use std::process::ExitCode;
    let user = cli.user.as_deref();
    match cli.command {
        Command::Demo(args) => records_cmd::run_demo(db, args)?,
        Command::Template(args) => records_cmd::run_template(args)?,
        Command::Import(args) => return records_cmd::run_import(db, user, args),
        Command::Load(args) => return records_cmd::run_load(db, user, args),
        Command::Export(args) => records_cmd::run_export(db, args)?,
        Command::Status => records_cmd::run_status(db)?,
        Command::History(args) => records_cmd::run_history(db, args)?,
        Command::Rate(args) => rating_cmd::run_rate(db, args)?,
        Command::Customer { command } => rating_cmd::run_customer(db, command)?,
        Command::Indicators { command } => rating_cmd::run_indicators(db, command)?,
        Command::Rating { command } => rating_cmd::run_rating(db, user, command)?,
        Command::Groups { command } => groups_cmd::run_groups(db, command)?,
        Command::Warn(args) => warning::run_warn(db, args)?,
        Command::Alerts { command } => warning::run_alerts(db, command)?,
        Command::Case { command } => warning::run_case(db, command)?,
        Command::Repair { command } => repair_cmd::run_repair(db, command)?,
        Command::Notify { command } => notify_cmd::run_notify(db, command)?,
        Command::Check(args) => control_cmd::run_check(db, args)?,
        Command::Blocked { command } => control_cmd::run_blocked(db, command)?,
        Command::Policy { command } => control_cmd::run_policy(db, command)?,
        Command::Limit { command } => control_cmd::run_limit(db, user, command)?,
        Command::Aging(args) => receivables_cmd::run_aging(db, args)?,
        Command::Model { command } => model_cmd::run_model(db, command)?,
        Command::Utility { command } => utility_cmd::run_utility(db, user, command)?,
        Command::Serve(args) => server_cmd::run_serve(db, args)?,
        Command::Config { command } => return operations_cmd::run_config(command),
        Command::Jobs { command } => operations_cmd::run_jobs(db, command)?,
        Command::Backup(args) => operations_cmd::run_backup(db, user, args)?,
        Command::Restore(args) => operations_cmd::run_restore(db, user, args)?,
        Command::User { command } => server_cmd::run_user(db, user, command)?,
        Command::Token { command } => server_cmd::run_token(db, user, command)?,
        Command::Audit { command } => {
            if !audit_cli::run_audit(db, command)? {
                return Ok(ExitCode::from(1));
            }
        }
        Command::Collect { command } => receivables_cmd::run_collect(db, command)?,
        Command::Graph { command } => groups_cmd::run_graph(db, command)?,
        Command::Rules { command: None } => output::print_rules(),
        Command::Rules { command: Some(command) } => warning::run_rules(db, user, command)?,
    }
    Ok(ExitCode::SUCCESS)
}
