//! `credence rate`, `customer`, `indicators` and `rating`: rating the portfolio, one
//! customer's page, the catalogue's effectiveness, back-tests and overrides.

use crate::{
    AnalyticsFiles, Lang, ReportFormat, letter_grades, load_analytics, now, open, output, parse_date, today,
};
use crate::{model_cmd, rating_output};
use anyhow::{Context, Result, bail};
use clap::{Subcommand, ValueEnum};
use credence_engine::{RateOptions, RateScope};
use credence_rating::ScorecardModel;
use credence_server::access::Permission;
use credence_store::Store;
use std::time::Instant;

#[derive(clap::Args)]
pub struct RateArgs {
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
    /// Take part in a run shared by several instances: join the open run of this date,
    /// scope and versions, or open one cut into parts, and rate parts until none is
    /// left; parts other instances hold are waited for, and taken over when their
    /// holder's lease runs out.
    #[arg(long, conflicts_with_all = ["customer", "challenger"])]
    shared: bool,
    /// The parts a shared run this command opens is cut into (default: one per 16,000
    /// customers).
    #[arg(long, requires = "shared", value_parser = clap::value_parser!(u32).range(1..=4096))]
    parts: Option<u32>,
    /// Seconds a claimed part holds before another instance may take it over.
    #[arg(long, requires = "shared", default_value_t = 600, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    lease: u64,
    /// Join an open shared run only; leave when no part is free instead of waiting.
    #[arg(long, requires = "shared")]
    join_only: bool,
    /// The name this instance claims parts under (default: host name and process id).
    #[arg(long, requires = "shared", value_parser = parse_instance)]
    instance: Option<String>,
    #[command(flatten)]
    analytics: AnalyticsFiles,
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    format: ReportFormat,
}

/// An instance name: 1–100 printable characters.
fn parse_instance(s: &str) -> Result<String, String> {
    if s.is_empty() || s.chars().count() > 100 || s.chars().any(char::is_control) {
        return Err("an instance name has 1 to 100 printable characters".into());
    }
    Ok(s.to_owned())
}

#[derive(Subcommand)]
pub enum CustomerCommand {
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
pub enum IndicatorsCommand {
    /// List the catalogue's indicators.
    List {
        #[command(flatten)]
        analytics: AnalyticsFiles,
    },
    /// Information value and AUC of every indicator against observed defaults.
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
pub enum RatingCommand {
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
    Override(OverrideArgs),
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

#[derive(clap::Args)]
pub struct OverrideArgs {
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
}

#[derive(Clone, Copy, ValueEnum)]
enum Scale {
    Letter,
    Points,
}

/// Rates the portfolio with the expert scorecard, or scores it with a registered
/// challenger model.
pub fn run_rate(db: &str, args: RateArgs) -> Result<()> {
    let RateArgs {
        as_of,
        changed,
        customer,
        challenger,
        shared,
        parts,
        lease,
        join_only,
        instance,
        analytics,
        format,
    } = args;
    if let Some(version) = challenger {
        let (catalogue, _) = load_analytics(&analytics)?;
        return model_cmd::run_challenger(db, &catalogue, &version, as_of.unwrap_or_else(today), format);
    }
    let (catalogue, model) = load_analytics(&analytics)?;
    let mut store = open(db)?;
    let scope = match (changed, customer) {
        (_, Some(id)) => RateScope::Customer(id),
        (true, None) => RateScope::Changed,
        (false, None) => RateScope::All,
    };
    let started = Instant::now();
    let options = RateOptions::new(as_of.unwrap_or_else(today), scope, now());
    if shared {
        let holder = instance.unwrap_or_else(|| {
            let host = std::fs::read_to_string("/etc/hostname").unwrap_or_default();
            format!("{}:{}", host.trim().chars().take(60).collect::<String>(), std::process::id())
        });
        let share = credence_engine::ShareOptions {
            holder,
            parts: parts.map(|p| p as usize),
            lease: std::time::Duration::from_secs(lease),
            wait: !join_only,
            open: !join_only,
            clock: &credence_server::clock::SystemClock,
        };
        let Some(report) = credence_engine::rate_shared(&mut store, &catalogue, &model, &options, &share)?
        else {
            bail!("no shared rating run of this date, scope and versions is open to join");
        };
        match format {
            ReportFormat::Json => println!("{}", serde_json::to_string_pretty(&report)?),
            ReportFormat::Table => rating_output::print_shared_rate(&report, started.elapsed()),
        }
        return Ok(());
    }
    let report = credence_engine::rate_portfolio(&mut store, &catalogue, &model, &options)?;
    match format {
        ReportFormat::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        ReportFormat::Table => rating_output::print_rate(&report, started.elapsed()),
    }
    Ok(())
}

pub fn run_customer(db: &str, command: CustomerCommand) -> Result<()> {
    let CustomerCommand::Show { id, analytics, format, lang } = command;
    let (catalogue, model) = load_analytics(&analytics)?;
    let mut store = open(db)?;
    let view = credence_engine::customer_view(
        &mut store,
        &catalogue,
        &model,
        &id,
        today(),
        credence_engine::IndicatorSource::Records,
    )?;
    match format {
        ReportFormat::Json => println!("{}", serde_json::to_string_pretty(&view)?),
        ReportFormat::Table => rating_output::print_customer(&view, &model, lang == Lang::Zh),
    }
    Ok(())
}

pub fn run_indicators(db: &str, command: IndicatorsCommand) -> Result<()> {
    match command {
        IndicatorsCommand::List { analytics } => {
            let (catalogue, _) = load_analytics(&analytics)?;
            rating_output::print_catalogue(&catalogue);
        }
        IndicatorsCommand::Effectiveness { as_of, horizon, analytics, format } => {
            let (catalogue, _) = load_analytics(&analytics)?;
            let mut store = open(db)?;
            let as_of = as_of.unwrap_or_else(|| today() - chrono::Days::new(365));
            let report = credence_engine::indicator_effectiveness(&mut store, &catalogue, as_of, horizon)?;
            match format {
                ReportFormat::Json => println!("{}", serde_json::to_string_pretty(&report)?),
                ReportFormat::Table => rating_output::print_effectiveness(&report),
            }
        }
    }
    Ok(())
}

pub fn run_rating(db: &str, user: Option<&str>, command: RatingCommand) -> Result<()> {
    match command {
        RatingCommand::Performance { run, horizon, format } => run_performance(db, run, horizon, format),
        RatingCommand::Migration { from, to, format } => run_migration(db, from, to, format),
        RatingCommand::Override(args) => run_override(db, user, args),
        RatingCommand::Pending => run_pending(db),
        RatingCommand::Approve { id, comment } => {
            let mut store = open(db)?;
            let by = override_approver(&mut store, user)?;
            let o = credence_engine::decide_override(&mut store, id, true, &by, &comment, &now())?;
            println!(
                "override {id} approved by {by}: {} now rated {} in force",
                o.customer_id, o.letter_grade
            );
            Ok(())
        }
        RatingCommand::Reject { id, comment } => {
            let mut store = open(db)?;
            let by = override_approver(&mut store, user)?;
            credence_engine::decide_override(&mut store, id, false, &by, &comment, &now())?;
            println!("override {id} rejected by {by}");
            Ok(())
        }
    }
}

fn run_performance(db: &str, run: Option<i64>, horizon: u32, format: ReportFormat) -> Result<()> {
    let mut store = open(db)?;
    let run = match run {
        Some(r) => r,
        None => {
            store.rating_runs(1)?.first().map(|r| r.id).context("no rating run yet; run `credence rate`")?
        }
    };
    let model = ScorecardModel::builtin();
    let order = letter_grades(&model);
    let report = credence_engine::rating_performance(&mut store, run, horizon, &order)?;
    match format {
        ReportFormat::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        ReportFormat::Table => rating_output::print_performance(&report),
    }
    Ok(())
}

fn run_migration(db: &str, from: Option<i64>, to: Option<i64>, format: ReportFormat) -> Result<()> {
    let mut store = open(db)?;
    let finished: Vec<i64> =
        store.rating_runs(u32::MAX)?.iter().filter(|r| r.finished_at.is_some()).map(|r| r.id).collect();
    let to = match to {
        Some(t) => t,
        None => *finished.first().context("no finished rating run yet")?,
    };
    let from = match from {
        Some(f) => f,
        None => {
            *finished.iter().find(|r| **r < to).context("no earlier finished rating run to compare with")?
        }
    };
    let model = ScorecardModel::builtin();
    let order = letter_grades(&model);
    let matrix = credence_engine::rating_migration(&mut store, from, to, &order)?;
    match format {
        ReportFormat::Json => println!("{}", serde_json::to_string_pretty(&matrix)?),
        ReportFormat::Table => rating_output::print_migration(&matrix),
    }
    Ok(())
}

fn run_override(db: &str, user: Option<&str>, args: OverrideArgs) -> Result<()> {
    let OverrideArgs { customer, grade, scale, reason, approver, by, analytics } = args;
    let (_, model) = load_analytics(&analytics)?;
    let mut store = open(db)?;
    let author = match user {
        Some(name) => {
            rating_requester(&mut store, name, Permission::RatingOverride)?;
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
    let o = credence_engine::override_rating(&mut store, &model, &customer, &request, &author, &now())?;
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
    Ok(())
}

fn run_pending(db: &str) -> Result<()> {
    let mut store = open(db)?;
    let rows: Vec<Vec<String>> = store
        .override_requests(Some("pending"), None)?
        .into_iter()
        .map(|o| {
            vec![
                o.id.to_string(),
                o.customer_id.into_string(),
                o.letter_grade,
                o.point_grade,
                o.reason,
                o.entered_by,
                o.entered_at.into(),
                o.approver,
            ]
        })
        .collect();
    output::print_table(
        &["override", "customer", "letter", "points", "reason", "by", "at", "approver"],
        &rows,
    );
    Ok(())
}

/// Checks that a command's `--user` exists, is enabled and has a role holding `p`.
fn rating_requester(store: &mut Store, name: &str, p: Permission) -> Result<()> {
    let by = credence_server::accounts::Requester::for_command(store, Some(name))?;
    if !by.may(p) {
        bail!("{name}'s role may not do this (it needs {})", p.code());
    }
    Ok(())
}

/// The approver deciding an override: `--user`, required (approval is a second person's
/// act, never the operator's).
fn override_approver(store: &mut Store, user: Option<&str>) -> Result<String> {
    let Some(name) = user else {
        bail!("an override is approved or rejected by the approver it names: pass --user NAME");
    };
    rating_requester(store, name, Permission::RatingApprove)?;
    Ok(name.to_owned())
}
