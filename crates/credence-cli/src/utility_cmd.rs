//! `credence utility …`: utility billing accounts (SCN-1) — the next-month arrears data
//! set and its out-of-time back-test, the monthly grading of every account by the billing
//! policy, billing terms proposed by grade and decided along the approval route, and an
//! account's position with its statutory late-payment penalty.

use anyhow::{Result, bail};
use clap::Subcommand;
use credence_engine::{ArrearsRule, BillingDatasetOptions};
use std::path::PathBuf;

use crate::{ReportFormat, open, parse_date, today};

/// A local time to the minute, in any spelling the `disconnections` records accept.
fn parse_minute(s: &str) -> Result<chrono::NaiveDateTime, String> {
    credence_records::normalise::parse_date_time(s)
        .ok_or_else(|| format!("'{s}' is not a date and time (YYYY-MM-DD HH:MM)"))
}

#[derive(Subcommand)]
pub enum UtilityCommand {
    /// Write the next-month arrears data set: per billing account and month end, the
    /// behaviour known then (bills, payments, lateness, arrears history) and whether it fell
    /// into arrears on the next month's bill — the file `credence model train --target
    /// arrears_next_month` learns from.
    Dataset {
        /// The (latest) month end predictions are made at.
        #[arg(long, value_parser = parse_date)]
        as_of: chrono::NaiveDate,
        /// Month ends up to --as-of, one row per account each (an `as_of` column is added
        /// when more than one; exclude it when training).
        #[arg(long, default_value_t = 1)]
        months: u32,
        #[command(flatten)]
        arrears: ArrearsArgs,
        /// Also write rows whose target is not known yet, with an empty target, to score.
        #[arg(long)]
        unlabelled: bool,
        #[arg(long)]
        out: PathBuf,
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
    /// Back-test the next-month arrears model out of time: for each of the last --months
    /// month ends, train on the --train-months before it (outcomes known by then only)
    /// and measure on that month: AUC, KS, and the riskiest 5% and 10% of accounts.
    Backtest {
        /// The last month end tested.
        #[arg(long, value_parser = parse_date)]
        as_of: chrono::NaiveDate,
        #[arg(long, default_value_t = 12)]
        months: u32,
        #[arg(long, default_value_t = 12)]
        train_months: u32,
        /// gbdt, scorecard, logistic or forest.
        #[arg(long, default_value = "gbdt")]
        kind: String,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        #[command(flatten)]
        arrears: ArrearsArgs,
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
    /// Grade every account open at a month end: fit the behaviour scorecard on the
    /// portfolio's own last months (the billing policy's train_months; outcomes known by
    /// --as-of only), give each account its points, PD of arrears on next month's bill,
    /// grade and reasons, and flag the high-risk list by the policy's forecast model.
    Grade {
        #[arg(long, value_parser = parse_date)]
        as_of: chrono::NaiveDate,
        /// A billing policy file (default: the shipped one).
        #[arg(long)]
        policy: Option<PathBuf>,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Grade with the models of the latest run that fitted them (a re-grade between
        /// monthly fits: only the month end itself is read).
        #[arg(long)]
        reuse_models: bool,
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
    /// The accounts of the latest grading run at or before --as-of: the riskiest forecast
    /// first, optionally one grade or the high-risk list only.
    Grades {
        #[arg(long, value_parser = parse_date)]
        as_of: Option<chrono::NaiveDate>,
        #[arg(long)]
        grade: Option<String>,
        #[arg(long)]
        high_risk: bool,
        /// At most this many accounts (1–100000).
        #[arg(long, default_value_t = 50)]
        limit: u64,
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
    /// Propose the billing terms of every account whose terms differ from its grade's
    /// (latest grading run at or before --as-of) and route them for approval.
    Decide {
        #[arg(long, value_parser = parse_date)]
        as_of: chrono::NaiveDate,
        #[arg(long)]
        policy: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
    /// Billing requests, newest first.
    Requests {
        /// pending, approved, rejected or superseded.
        #[arg(long, default_value = "pending")]
        status: String,
        #[arg(long)]
        account: Option<String>,
        #[arg(long, default_value_t = 100)]
        limit: u64,
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
    /// Approve a billing request at its next step, signed as --user in the authority they
    /// hold for that step.
    Approve {
        id: i64,
        #[arg(long, default_value = "")]
        comment: String,
    },
    /// Reject a billing request at its next step, signed as --user.
    Reject {
        id: i64,
        #[arg(long)]
        comment: String,
    },
    /// The month's collection figures by supply unit (or route): collection rate of the
    /// bills due in the month, arrears and accounts in arrears at the month end (zero
    /// arrears, 月末结零), old arrears from earlier years (陈欠) and receivables.
    Kpis {
        /// The month end.
        #[arg(long, value_parser = parse_date)]
        month_end: chrono::NaiveDate,
        /// unit or route.
        #[arg(long, default_value = "unit")]
        by: String,
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
    /// The reconnection commitment: arrears disconnections cleared from --from to --to,
    /// reconnected within the billing policy's hours of payment or not, by supply unit,
    /// with the breaches longest first.
    Reconnections {
        #[arg(long, value_parser = parse_date)]
        from: chrono::NaiveDate,
        #[arg(long, value_parser = parse_date)]
        to: chrono::NaiveDate,
        /// The local time the open ones are measured to (`YYYY-MM-DD HH:MM`; default now).
        #[arg(long, value_parser = parse_minute)]
        at: Option<chrono::NaiveDateTime>,
        /// A billing policy file other than the shipped one.
        #[arg(long)]
        policy: Option<std::path::PathBuf>,
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
    /// The arrears campaigns of a date by supply unit and meter-reading route: every
    /// account with a bill unpaid past its due date, its arrears, penalty, last action and
    /// next step (the grade's reminder, then the legal disconnection procedure).
    Campaign {
        #[arg(long, value_parser = parse_date)]
        date: chrono::NaiveDate,
        #[arg(long)]
        unit: Option<String>,
        #[arg(long)]
        route: Option<String>,
        /// Accounts listed per route (all with --format json).
        #[arg(long, default_value_t = 10)]
        per_route: usize,
        #[arg(long)]
        policy: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
    /// Log a collection step on an account: sms, phone, visit, written_notice,
    /// disconnection_notice, disconnection (only through the procedure, signed by a user
    /// holding the approver's authority) or reconnection.
    Act {
        account: String,
        #[arg(long)]
        action: String,
        #[arg(long, value_parser = parse_date)]
        date: chrono::NaiveDate,
        #[arg(long, default_value = "")]
        note: String,
        #[arg(long)]
        policy: Option<PathBuf>,
    },
    /// Ask to waive part or all of an account's late-payment penalty to a date; the
    /// request goes to the billing policy's waiver role for approval.
    Waive {
        account: String,
        #[arg(long, value_parser = parse_date)]
        as_of: chrono::NaiveDate,
        /// The amount to waive (major units).
        #[arg(long)]
        amount: String,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        policy: Option<PathBuf>,
    },
    /// An account's position at a date: owed, overdue, credit, deposit, latest grade and
    /// the statutory late-payment penalty of each bill paid late or still overdue.
    Account {
        account: String,
        #[arg(long, value_parser = parse_date)]
        as_of: chrono::NaiveDate,
        #[arg(long)]
        policy: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
}

/// The billing policy (`policy`, else the shipped one) and the store, once `user` holds
/// `permission` over the whole portfolio (`what` says why that is needed).
fn open_billing(
    db: &str,
    user: Option<&str>,
    permission: credence_server::access::Permission,
    what: &str,
    policy: Option<&std::path::Path>,
) -> Result<(credence_engine::types::control::BillingPolicy, credence_store::Store)> {
    let policy =
        credence_engine::load_billing_policy(crate::or_configured(policy, |a| &a.billing_policy).as_deref())?;
    let mut store = open(db)?;
    crate::import_scope::whole_portfolio_user(&mut store, user, permission, what)?;
    Ok((policy, store))
}

/// Who a command acts as: `--user`, else the login name.
fn actor(user: Option<&str>) -> String {
    user.map_or_else(|| std::env::var("USER").unwrap_or_else(|_| "cli".into()), str::to_owned)
}

/// The most accounts `utility grades` lists.
const MAX_LISTED: u64 = 100_000;

/// A billing decision is signed by a person who may decide requests (`limit.decide`).
fn billing_signer(store: &mut credence_store::Store, user: Option<&str>) -> Result<String> {
    let Some(name) = user else {
        bail!("a billing decision is signed by a person: pass --user NAME (or set CREDENCE_USER)");
    };
    let by = credence_server::accounts::Requester::for_command(store, Some(name))?;
    if !by.may(credence_server::access::Permission::LimitDecide) {
        bail!("{name}'s role may not decide billing requests (it needs limit.decide)");
    }
    Ok(name.to_owned())
}

/// When a bill counts as in arrears, and how far payments are known.
#[derive(clap::Args)]
pub struct ArrearsArgs {
    /// A bill is in arrears when unpaid this many days after its due date …
    #[arg(long, default_value_t = 30)]
    arrears_days: u32,
    /// … by at least this amount (major units of the bill's currency).
    #[arg(long, default_value = "100")]
    arrears_min: String,
    /// Payments are complete up to this date (default: today, or a demo's date); an
    /// outcome measured later is not known yet.
    #[arg(long, value_parser = parse_date)]
    observed_to: Option<chrono::NaiveDate>,
}

impl ArrearsArgs {
    fn rule(&self) -> Result<ArrearsRule> {
        let (days, min) = (self.arrears_days, &self.arrears_min);
        if days > 366 {
            bail!("--arrears-days {days}: at most 366 days after the due date");
        }
        let min_amount = credence_domain::minor_units_from_decimal(min.trim(), 2)
            .ok()
            .filter(|m| *m >= 0)
            .ok_or_else(|| anyhow::anyhow!("--arrears-min {min}: not an amount of zero or more"))?;
        Ok(ArrearsRule { days_after_due: days, min_amount })
    }

    /// The date payments are complete to: as given, else a demo's date, else today.
    fn observed_to(&self, store: &mut credence_store::Store) -> Result<chrono::NaiveDate> {
        Ok(match self.observed_to {
            Some(d) => d,
            None => credence_engine::demo_as_of(store)?.unwrap_or_else(today),
        })
    }
}

/// At most this many month ends in one data set (ten years).
const MAX_MONTHS: u32 = 120;

pub fn run_utility(db: &str, user: Option<&str>, command: UtilityCommand) -> Result<()> {
    match command {
        UtilityCommand::Dataset { as_of, months, arrears, unlabelled, out, format } => {
            if !(1..=MAX_MONTHS).contains(&months) {
                bail!("--months {months}: between 1 and {MAX_MONTHS} month ends");
            }
            let rule = arrears.rule()?;
            let mut store = open(db)?;
            crate::import_scope::whole_portfolio_reader(
                &mut store,
                user,
                "the data set holds every billing account",
            )?;
            let options = BillingDatasetOptions {
                as_of,
                months,
                rule,
                observed_to: arrears.observed_to(&mut store)?,
                unlabelled,
            };
            let d = credence_engine::write_billing_dataset(&mut store, &options, &out)?;
            match format {
                ReportFormat::Json => println!("{}", serde_json::to_string_pretty(&d)?),
                ReportFormat::Table => {
                    let first = d.as_of.first().copied().unwrap_or(as_of);
                    println!(
                        "wrote {}: {} rows for {} accounts at {} month end(s) {first} … {as_of}; {} in arrears on the next month's bill ({:.1}%)",
                        out.display(),
                        d.rows,
                        d.accounts,
                        d.as_of.len(),
                        d.events,
                        if d.rows > 0 { d.events as f64 * 100.0 / d.rows as f64 } else { 0.0 },
                    );
                    println!(
                        "arrears: unpaid {} days after the due date by at least {}; payments complete to {}",
                        d.rule.days_after_due, arrears.arrears_min, d.observed_to
                    );
                    println!(
                        "left out: {} without a bill by the date or not open then, {} without a bill the month after, {} whose target is not known yet",
                        d.no_history, d.no_next_bill, d.not_yet_known
                    );
                    let exclude = if d.as_of.len() > 1 { " --exclude as_of" } else { "" };
                    println!(
                        "next: credence model train --data {} --target {}{exclude} --kind gbdt --out MODEL.json",
                        out.display(),
                        d.target
                    );
                }
            }
        }
        UtilityCommand::Backtest { as_of, months, train_months, kind, seed, arrears, format } => {
            if !(1..=36).contains(&months) || !(1..=36).contains(&train_months) {
                bail!("--months and --train-months: 1 to 36 month ends each");
            }
            let kind = credence_model::ModelKind::parse(&kind)
                .ok_or_else(|| anyhow::anyhow!("--kind {kind}: gbdt, scorecard, logistic or forest"))?;
            let rule = arrears.rule()?;
            let mut store = open(db)?;
            crate::import_scope::whole_portfolio_reader(
                &mut store,
                user,
                "the back-test learns from every billing account",
            )?;
            let options = credence_engine::BacktestOptions {
                as_of,
                months,
                train_months,
                rule,
                observed_to: arrears.observed_to(&mut store)?,
                kind,
                seed,
                trained_at: crate::now().to_string(),
            };
            let b = credence_engine::billing_backtest(&mut store, &options)?;
            match format {
                ReportFormat::Json => println!("{}", serde_json::to_string_pretty(&b)?),
                ReportFormat::Table => print_backtest(&b),
            }
        }
        UtilityCommand::Grade { as_of, policy, seed, reuse_models, format } => {
            let (policy, mut store) = open_billing(
                db,
                user,
                credence_server::access::Permission::RatingRun,
                "grading learns from and grades every billing account",
                policy.as_deref(),
            )?;
            let by = actor(user);
            let options = credence_engine::GradeOptions { as_of, seed, reuse_models, by, now: crate::now() };
            let run = credence_engine::grade_accounts(&mut store, &policy, &options)?;
            match format {
                ReportFormat::Json => println!("{}", serde_json::to_string_pretty(&run)?),
                ReportFormat::Table => print_grade_run(&run, &policy),
            }
        }
        UtilityCommand::Grades { as_of, grade, high_risk, limit, format } => {
            if !(1..=MAX_LISTED).contains(&limit) {
                bail!("--limit {limit}: 1 to {MAX_LISTED} accounts");
            }
            let mut store = open(db)?;
            crate::import_scope::whole_portfolio_reader(
                &mut store,
                user,
                "the grades cover every billing account",
            )?;
            let day = as_of.map(|d| d.to_string());
            let run = store.latest_billing_run(day.as_deref())?.ok_or_else(|| {
                anyhow::anyhow!(
                    "no grading run at or before {}; run `credence utility grade` first",
                    day.as_deref().unwrap_or("today")
                )
            })?;
            let filter = credence_store::GradeFilter {
                grade: grade.as_deref(),
                high_risk_only: high_risk,
                limit: Some(limit),
            };
            let grades = store.account_grades(run.id, &filter)?;
            match format {
                ReportFormat::Json => println!("{}", serde_json::to_string_pretty(&grades)?),
                ReportFormat::Table => {
                    println!("grading run {} at {} (policy {})", run.id, run.as_of, run.policy_version);
                    let rows: Vec<Vec<String>> = grades
                        .iter()
                        .map(|g| {
                            let reasons: Vec<serde_json::Value> =
                                serde_json::from_str(&g.reasons).unwrap_or_default();
                            let why: Vec<String> = reasons
                                .iter()
                                .map(|r| {
                                    format!(
                                        "{} {}",
                                        r["feature"].as_str().unwrap_or(""),
                                        r["value"].as_str().unwrap_or("")
                                    )
                                })
                                .collect();
                            vec![
                                g.account_id.clone(),
                                g.grade.clone(),
                                format!("{:.0}", g.points),
                                format!("{:.2}%", g.pd * 100.0),
                                format!("{:.2}%", g.forecast_pd * 100.0),
                                if g.high_risk { "yes".into() } else { String::new() },
                                why.join("; "),
                            ]
                        })
                        .collect();
                    crate::output::print_table(
                        &["account", "grade", "points", "PD", "forecast PD", "high risk", "reasons"],
                        &rows,
                    );
                }
            }
        }
        UtilityCommand::Decide { as_of, policy, format } => {
            let (policy, mut store) = open_billing(
                db,
                user,
                credence_server::access::Permission::LimitRequest,
                "terms are proposed for every graded billing account",
                policy.as_deref(),
            )?;
            let run = credence_engine::decide_billing_terms(&mut store, &policy, as_of, &crate::now())?;
            match format {
                ReportFormat::Json => println!("{}", serde_json::to_string_pretty(&run)?),
                ReportFormat::Table => print_decide_run(&run),
            }
        }
        UtilityCommand::Requests { status, account, limit, format } => {
            if !matches!(status.as_str(), "pending" | "approved" | "rejected" | "superseded") {
                bail!("--status {status}: pending, approved, rejected or superseded");
            }
            if !(1..=MAX_LISTED).contains(&limit) {
                bail!("--limit {limit}: 1 to {MAX_LISTED} requests");
            }
            let mut store = open(db)?;
            crate::import_scope::whole_portfolio_reader(
                &mut store,
                user,
                "billing requests cover every billing account",
            )?;
            let requests = store.billing_requests(Some(&status), account.as_deref(), None, limit)?;
            match format {
                ReportFormat::Json => println!("{}", serde_json::to_string_pretty(&requests)?),
                ReportFormat::Table => {
                    let rows: Vec<Vec<String>> = requests
                        .iter()
                        .map(|r| {
                            let p: serde_json::Value = serde_json::from_str(&r.proposal).unwrap_or_default();
                            let route: Vec<serde_json::Value> =
                                serde_json::from_str(&r.route).unwrap_or_default();
                            vec![
                                r.id.to_string(),
                                r.account_id.clone(),
                                r.kind.clone(),
                                p["grade"].as_str().unwrap_or("").to_owned(),
                                p["reason_en"].as_str().unwrap_or("").to_owned(),
                                route
                                    .iter()
                                    .filter_map(|s| s["role"].as_str())
                                    .collect::<Vec<_>>()
                                    .join(" → "),
                                r.status.clone(),
                            ]
                        })
                        .collect();
                    crate::output::print_table(
                        &["request", "account", "kind", "grade", "changes", "route", "status"],
                        &rows,
                    );
                }
            }
        }
        UtilityCommand::Approve { id, comment } => {
            let mut store = open(db)?;
            let by = billing_signer(&mut store, user)?;
            let done =
                credence_engine::decide_billing_request(&mut store, id, true, &by, &comment, &crate::now())?;
            println!(
                "billing request {id} ({}) approved by {by} as {}: {}",
                done.account_id,
                done.authority,
                serde_json::to_string(&done.status)?
            );
        }
        UtilityCommand::Reject { id, comment } => {
            if comment.trim().is_empty() {
                bail!("--comment: a rejection says why");
            }
            let mut store = open(db)?;
            let by = billing_signer(&mut store, user)?;
            let done =
                credence_engine::decide_billing_request(&mut store, id, false, &by, &comment, &crate::now())?;
            println!(
                "billing request {id} ({}) rejected by {by} as {}: {}",
                done.account_id,
                done.authority,
                serde_json::to_string(&done.status)?
            );
        }
        UtilityCommand::Kpis { month_end, by, format } => {
            if !matches!(by.as_str(), "unit" | "route") {
                bail!("--by {by}: unit or route");
            }
            let mut store = open(db)?;
            crate::import_scope::whole_portfolio_reader(
                &mut store,
                user,
                "the figures cover every billing account",
            )?;
            let k = credence_engine::billing_kpis(&mut store, month_end)?;
            match format {
                ReportFormat::Json => println!("{}", serde_json::to_string_pretty(&k)?),
                ReportFormat::Table => print_kpis(&k, by == "route"),
            }
        }
        UtilityCommand::Reconnections { from, to, at, policy, format } => {
            if to < from {
                bail!("--to {to} is before --from {from}");
            }
            let (policy, mut store) = open_billing(
                db,
                user,
                credence_server::access::Permission::PortfolioRead,
                "the commitment is measured over every billing account",
                policy.as_deref(),
            )?;
            let at = at.unwrap_or_else(|| credence_server::clock::now_in(crate::settings().zone()));
            let sla = credence_engine::reconnection_sla(&mut store, &policy, from, to, at)?;
            match format {
                ReportFormat::Json => println!("{}", serde_json::to_string_pretty(&sla)?),
                ReportFormat::Table => print_reconnections(&sla),
            }
        }
        UtilityCommand::Campaign { date, unit, route, per_route, policy, format } => {
            let (policy, mut store) = open_billing(
                db,
                user,
                credence_server::access::Permission::PortfolioRead,
                "campaigns cover every billing account",
                policy.as_deref(),
            )?;
            let filter = credence_engine::CampaignFilter { supply_unit: unit, route };
            let c = credence_engine::billing_campaigns(&mut store, &policy, date, &filter)?;
            match format {
                ReportFormat::Json => println!("{}", serde_json::to_string_pretty(&c)?),
                ReportFormat::Table => print_campaigns(&c, per_route),
            }
        }
        UtilityCommand::Act { account, action, date, note, policy } => {
            let policy = credence_engine::load_billing_policy(
                crate::or_configured(policy.as_deref(), |a| &a.billing_policy).as_deref(),
            )?;
            if action == "disconnection" && user.is_none() {
                bail!(
                    "a disconnection is signed by a person holding the {} authority: pass --user NAME",
                    policy.disconnection.approver
                );
            }
            let mut store = open(db)?;
            crate::import_scope::whole_portfolio_user(
                &mut store,
                user,
                credence_server::access::Permission::CollectionWrite,
                "billing accounts belong to no business line",
            )?;
            let by = actor(user);
            let now = crate::now();
            let step = credence_engine::NewBillingAction {
                account_id: &account,
                date,
                action: &action,
                note: &note,
                by: &by,
                now: &now,
            };
            credence_engine::log_billing_action(&mut store, &policy, &step)?;
            println!("{action} on {account} at {date} logged by {by}");
        }
        UtilityCommand::Waive { account, as_of, amount, reason, policy } => {
            let policy = credence_engine::load_billing_policy(
                crate::or_configured(policy.as_deref(), |a| &a.billing_policy).as_deref(),
            )?;
            let minor = credence_domain::minor_units_from_decimal(amount.trim(), policy.currency.exponent())
                .ok()
                .ok_or_else(|| anyhow::anyhow!("--amount {amount}: not an amount"))?;
            let mut store = open(db)?;
            crate::import_scope::whole_portfolio_user(
                &mut store,
                user,
                credence_server::access::Permission::LimitRequest,
                "billing accounts belong to no business line",
            )?;
            let id = credence_engine::request_penalty_waiver(
                &mut store,
                &policy,
                &account,
                as_of,
                minor,
                &reason,
                &crate::now(),
            )?;
            println!(
                "waiver request {id} for {account} routed to {}: `credence utility requests`",
                policy.authority.waiver
            );
        }
        UtilityCommand::Account { account, as_of, policy, format } => {
            let (policy, mut store) = open_billing(
                db,
                user,
                credence_server::access::Permission::PortfolioRead,
                "billing accounts belong to no business line",
                policy.as_deref(),
            )?;
            let p = credence_engine::account_position(&mut store, &policy, &account, as_of)?;
            match format {
                ReportFormat::Json => println!("{}", serde_json::to_string_pretty(&p)?),
                ReportFormat::Table => print_position(&p),
            }
        }
    }
    Ok(())
}

fn money(minor: i64, currency: &str) -> String {
    let c = credence_domain::Currency::parse(currency).unwrap_or(credence_domain::Currency::CNY);
    credence_control::format_money(minor, c)
}

fn print_grade_run(run: &credence_engine::GradeRun, policy: &credence_engine::types::control::BillingPolicy) {
    let s = &run.summary;
    println!(
        "grading run {} at {}: {} accounts graded, {} on the high-risk list (forecast PD ≥ {:.0}%); policy {}",
        run.run_id,
        s.as_of,
        s.accounts,
        s.high_risk,
        s.high_risk_pd * 100.0,
        s.policy_version
    );
    let sampled = if s.train_accounts_share < 1.0 {
        format!(" of an even {:.1}% sample of the accounts", s.train_accounts_share * 100.0)
    } else {
        String::new()
    };
    let fitted = s.models_from_run.map_or_else(String::new, |id| format!(" (the models of run {id})"));
    println!(
        "scorecard and {} forecast{fitted} learned from {} account-months{sampled} of the last {} month ends ({} in arrears); scorecard AUC in sample {:.4}",
        s.forecast_model, s.train_rows, s.train_months, s.train_events, s.scorecard_train_auc
    );
    let mut header = vec!["class".to_owned()];
    header.extend(policy.grades.iter().map(|g| g.grade.clone()));
    header.extend(["accounts".to_owned(), "high risk".to_owned()]);
    let rows: Vec<Vec<String>> = s
        .by_class
        .iter()
        .map(|(class, grades)| {
            let mut r = vec![class.clone()];
            r.extend(policy.grades.iter().map(|g| grades.get(&g.grade).copied().unwrap_or(0).to_string()));
            r.push(grades.values().sum::<u64>().to_string());
            r.push(s.high_risk_by_class.get(class).copied().unwrap_or(0).to_string());
            r
        })
        .collect();
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    crate::output::print_table(&header, &rows);
    let t = &s.kpis.total;
    println!(
        "month to {}: collection rate {}, arrears {:.2} on {} accounts ({:.2} old), {} of {} supply units at zero arrears",
        s.as_of,
        t.collection_rate().map_or_else(|| "-".into(), |r| format!("{:.2}%", r * 100.0)),
        t.arrears,
        t.accounts_in_arrears,
        t.old_arrears,
        s.kpis.by_unit.values().filter(|l| l.zero_arrears()).count(),
        s.kpis.by_unit.len()
    );
    println!("next: credence utility grades --high-risk; credence utility decide --as-of {}", s.as_of);
}

fn kpi_row(name: &str, l: &credence_engine::KpiLine) -> Vec<String> {
    let amount = |x: f64| format!("{x:.2}");
    vec![
        name.to_owned(),
        l.accounts.to_string(),
        amount(l.billed),
        l.collection_rate().map_or_else(|| "-".into(), |r| format!("{:.2}%", r * 100.0)),
        amount(l.arrears),
        l.accounts_in_arrears.to_string(),
        if l.zero_arrears() { "yes".into() } else { "no".into() },
        amount(l.old_arrears),
        amount(l.receivables),
    ]
}

fn print_kpis(k: &credence_engine::BillingKpis, by_route: bool) {
    let lines = if by_route { &k.by_route } else { &k.by_unit };
    let mut rows: Vec<Vec<String>> = lines.iter().map(|(n, l)| kpi_row(n, l)).collect();
    rows.push(kpi_row("total", &k.total));
    if let Some(end) = k.month_end {
        println!("billing figures of the month to {end} (disputed bills left out)");
    }
    crate::output::print_table(
        &[
            if by_route { "unit / route" } else { "supply unit" },
            "accounts",
            "due in month",
            "collected",
            "arrears",
            "accounts in arrears",
            "zero arrears",
            "old arrears",
            "receivables",
        ],
        &rows,
    );
}

fn print_reconnections(r: &credence_engine::ReconnectionSla) {
    let share = |c: &credence_engine::ReconnectionCounts| {
        c.share_in_time().map_or_else(|| "—".to_owned(), |s| format!("{:.1}%", s * 100.0))
    };
    println!(
        "reconnection within {} hours of payment, disconnections cleared {} to {}",
        r.commitment_hours, r.from, r.to
    );
    let row = |name: &str, c: &credence_engine::ReconnectionCounts| {
        vec![
            name.to_owned(),
            c.cleared.to_string(),
            c.in_time.to_string(),
            c.late.to_string(),
            c.open_late.to_string(),
            c.open.to_string(),
            share(c),
        ]
    };
    let mut rows: Vec<Vec<String>> = r.by_unit.iter().map(|(u, c)| row(u, c)).collect();
    rows.push(row("total", &r.total));
    crate::output::print_table(
        &["supply unit", "cleared", "in time", "late", "still off, late", "still off", "in time %"],
        &rows,
    );
    if !r.breaches.is_empty() {
        println!();
        let rows: Vec<Vec<String>> = r
            .breaches
            .iter()
            .map(|b| {
                vec![
                    b.account_id.clone(),
                    b.supply_unit.clone(),
                    b.disconnection_id.clone(),
                    b.cleared_at.clone(),
                    b.reconnected_at.clone().unwrap_or_else(|| "still off".into()),
                    format!("{:.1}", b.hours),
                ]
            })
            .collect();
        crate::output::print_table(
            &["account", "unit", "disconnection", "cleared", "reconnected", "hours"],
            &rows,
        );
    }
}

fn print_campaigns(c: &credence_engine::Campaigns, per_route: usize) {
    let m = |x: i64| money(x, &c.currency);
    let total: i64 = c.routes.iter().map(|r| r.arrears).sum();
    let accounts: u64 = c.routes.iter().map(|r| r.accounts).sum();
    println!(
        "arrears campaigns at {}: {accounts} accounts on {} routes owe {}",
        c.date,
        c.routes.len(),
        m(total)
    );
    for r in &c.routes {
        let steps: Vec<String> = r.steps.iter().map(|(s, n)| format!("{s} {n}")).collect();
        println!();
        println!(
            "{} / {}: {} accounts, {} — {}",
            r.supply_unit,
            r.route,
            r.accounts,
            m(r.arrears),
            steps.join(", ")
        );
        let rows: Vec<Vec<String>> = r
            .items
            .iter()
            .take(per_route)
            .map(|i| {
                vec![
                    i.account_id.clone(),
                    i.grade.clone().unwrap_or_else(|| "-".into()),
                    m(i.arrears),
                    i.days_overdue.to_string(),
                    m(i.penalty),
                    i.last_action.as_ref().map_or_else(String::new, |(d, a)| format!("{a} {d}")),
                    i.next.clone(),
                    i.why_en.clone(),
                ]
            })
            .collect();
        crate::output::print_table(
            &["account", "grade", "arrears", "days overdue", "penalty", "last action", "next", "why"],
            &rows,
        );
    }
}

fn print_decide_run(run: &credence_engine::DecideRun) {
    println!(
        "grading run {} at {} (policy {}): {} accounts graded, {} on their grade's terms, {} already pending, {} requests routed for approval",
        run.run_id,
        run.as_of,
        run.policy_version,
        run.graded,
        run.unchanged,
        run.already_pending,
        run.requests.len()
    );
    let rows: Vec<Vec<String>> =
        run.by_term.iter().map(|(t, (a, b))| vec![t.clone(), a.to_string(), b.to_string()]).collect();
    crate::output::print_table(&["term", "stricter", "looser"], &rows);
    let rows: Vec<Vec<String>> = run
        .proposals
        .iter()
        .take(10)
        .zip(&run.requests)
        .map(|(p, (id, _))| {
            vec![
                id.to_string(),
                p.account_id.clone(),
                p.reason_en.clone(),
                p.route.iter().map(|s| s.role.as_str()).collect::<Vec<_>>().join(" → "),
            ]
        })
        .collect();
    if !rows.is_empty() {
        crate::output::print_table(&["request", "account", "proposal", "route"], &rows);
        println!("next: credence utility requests; credence --user NAME utility approve ID");
    }
}

fn print_position(p: &credence_engine::AccountPosition) {
    let m = |x: i64| money(x, &p.currency);
    println!("account {} ({}, {}) at {}", p.account_id, p.class, p.supply_unit, p.as_of);
    println!(
        "owed {}, overdue {}, prepaid credit {}, deposit {}",
        m(p.owed),
        m(p.overdue),
        m(p.credit),
        m(p.deposit)
    );
    if let Some(g) = &p.grade {
        println!(
            "grade {} ({:.0} points, PD {:.2}%, forecast {:.2}%{})",
            g.grade,
            g.points,
            g.pd * 100.0,
            g.forecast_pd * 100.0,
            if g.high_risk { ", high risk" } else { "" }
        );
    }
    let rows: Vec<Vec<String>> = p
        .bills
        .iter()
        .map(|b| {
            vec![
                b.issued.to_string(),
                b.due.to_string(),
                m(b.amount),
                m(b.unpaid),
                b.penalty.days.to_string(),
                m(b.penalty.amount),
            ]
        })
        .collect();
    crate::output::print_table(&["issued", "due", "amount", "unpaid", "days late", "penalty"], &rows);
    println!(
        "late-payment penalty to {}: {}, waived {}, due {} — {}",
        p.as_of,
        m(p.penalty_total),
        m(p.waived),
        m(p.penalty_due),
        p.penalty_source
    );
}

fn print_backtest(b: &credence_engine::Backtest) {
    let pct = |x: f64| format!("{:.1}%", x * 100.0);
    let mut rows: Vec<Vec<String>> = b
        .months
        .iter()
        .map(|m| {
            let mut r = vec![
                m.month.to_string(),
                format!("{} ({})", m.train_rows, m.train_events),
                m.rows.to_string(),
                format!("{} ({})", m.events, pct(m.events as f64 / m.rows.max(1) as f64)),
                format!("{:.4}", m.auc),
                format!("{:.4}", m.ks),
            ];
            for t in &m.top {
                r.extend([pct(t.precision), pct(t.capture), pct(t.amount_capture)]);
            }
            r
        })
        .collect();
    if let Some(auc) = b.mean_auc() {
        let mut mean = vec!["mean".into(), String::new(), String::new(), String::new(), format!("{auc:.4}")];
        let n = b.months.len() as f64;
        mean.push(format!("{:.4}", b.months.iter().map(|m| m.ks).sum::<f64>() / n));
        for k in 0..credence_engine::TOP_SHARES.len() {
            let avg = |f: &dyn Fn(&credence_engine::TopShare) -> f64| {
                pct(b.months.iter().map(|m| f(&m.top[k])).sum::<f64>() / n)
            };
            mean.extend([avg(&|t| t.precision), avg(&|t| t.capture), avg(&|t| t.amount_capture)]);
        }
        rows.push(mean);
    }
    println!(
        "{} trained on the {} month ends before each month (outcomes known by then); arrears: unpaid {} days after the due date; payments complete to {}",
        b.kind, b.train_months, b.rule.days_after_due, b.observed_to
    );
    crate::output::print_table(
        &[
            "month",
            "learned from (arrears)",
            "accounts",
            "in arrears",
            "AUC",
            "KS",
            "top 5% precision",
            "top 5% caught",
            "top 5% amount",
            "top 10% precision",
            "top 10% caught",
            "top 10% amount",
        ],
        &rows,
    );
    for (month, why) in &b.skipped {
        println!("{month} not tested: {why}");
    }
}
