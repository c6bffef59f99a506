//! `credence repair …`: credit-repair plans (GOV-1).

use crate::output::print_table;
use crate::{ReportFormat, now, open, parse_date, today};
use anyhow::{Result, bail};
use clap::Subcommand;

#[derive(Subcommand)]
pub enum RepairCommand {
    /// Open a repair plan for a damaged customer.
    Open {
        customer: String,
        #[arg(long)]
        reason: String,
        /// An item as KIND:DESCRIPTION (kinds: fix_issue, training, credit_report_dispute,
        /// other); repeat for several.
        #[arg(long = "item", value_parser = parse_item)]
        items: Vec<(String, String)>,
        #[arg(long)]
        by: String,
    },
    /// Add an item to an open plan.
    Add {
        plan: i64,
        #[arg(long, value_parser = parse_item)]
        item: (String, String),
    },
    /// Mark an item done with its evidence.
    Done {
        plan: i64,
        item: i64,
        #[arg(long)]
        evidence: String,
        #[arg(long)]
        by: String,
    },
    /// Complete a plan whose items are all done: the customer is re-rated.
    Complete {
        plan: i64,
        /// Rating date (default: today).
        #[arg(long, value_parser = parse_date)]
        as_of: Option<chrono::NaiveDate>,
        #[command(flatten)]
        analytics: crate::AnalyticsFiles,
    },
    /// Abandon an open plan.
    Abandon { plan: i64 },
    /// Plans, newest first.
    List {
        /// open, completed or abandoned.
        #[arg(long)]
        status: Option<String>,
        #[arg(long)]
        customer: Option<String>,
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
    /// One plan with its items and evidence.
    Show {
        plan: i64,
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
}

fn parse_item(s: &str) -> Result<(String, String), String> {
    let (kind, description) = s
        .split_once(':')
        .ok_or_else(|| format!("'{s}' is not KIND:DESCRIPTION (e.g. training:cash management course)"))?;
    Ok((kind.trim().to_owned(), description.trim().to_owned()))
}

fn print_plan(p: &credence_store::RepairPlan) {
    println!(
        "repair plan {} — {} ({}): {}; opened {} by {}{}",
        p.id,
        p.customer_id,
        p.status,
        p.reason,
        p.opened_at,
        p.opened_by,
        p.grade_before.as_deref().map(|g| format!("; grade then {g}")).unwrap_or_default()
    );
    let rows: Vec<Vec<String>> = p
        .items
        .iter()
        .map(|i| {
            vec![
                i.id.to_string(),
                i.kind.clone(),
                i.description.clone(),
                i.status.clone(),
                i.evidence.clone().unwrap_or_default(),
                i.done_by.clone().unwrap_or_default(),
            ]
        })
        .collect();
    print_table(&["item", "kind", "description", "status", "evidence", "by"], &rows);
    if let Some(at) = &p.completed_at {
        println!(
            "{} {at}{}",
            p.status,
            p.grade_after.as_deref().map(|g| format!("; grade after re-rating {g}")).unwrap_or_default()
        );
    }
}

pub fn run_repair(db: &str, command: RepairCommand) -> Result<()> {
    let mut store = open(db)?;
    match command {
        RepairCommand::Open { customer, reason, items, by } => {
            print_plan(&credence_engine::open_repair(&mut store, &customer, &reason, &items, &by, &now())?)
        }
        RepairCommand::Add { plan, item } => {
            print_plan(&credence_engine::add_repair_item(&mut store, plan, &item.0, &item.1)?)
        }
        RepairCommand::Done { plan, item, evidence, by } => {
            print_plan(&credence_engine::finish_repair_item(&mut store, plan, item, &evidence, &by, &now())?)
        }
        RepairCommand::Complete { plan, as_of, analytics } => {
            let (catalogue, model) = crate::load_analytics(&analytics)?;
            let outcome = credence_engine::complete_repair(
                &mut store,
                &catalogue,
                &model,
                plan,
                as_of.unwrap_or_else(today),
                &now(),
            )?;
            print_plan(&outcome.plan);
            println!(
                "re-rated: {} → {}{}",
                outcome.grade_before.as_deref().unwrap_or("unrated"),
                outcome.grade_after.as_deref().unwrap_or("unrated"),
                if outcome.upgraded { " (upgraded)" } else { "" }
            );
        }
        RepairCommand::Abandon { plan } => {
            print_plan(&credence_engine::abandon_repair(&mut store, plan, &now())?)
        }
        RepairCommand::List { status, customer, format } => {
            let plans = store.repair_plans(status.as_deref(), customer.as_deref())?;
            if format == ReportFormat::Json {
                println!("{}", serde_json::to_string_pretty(&plans)?);
                return Ok(());
            }
            let rows: Vec<Vec<String>> = plans
                .iter()
                .map(|p| {
                    let done = p
                        .items
                        .iter()
                        .filter(|i| i.status == credence_domain::RepairItemStatus::Done)
                        .count();
                    vec![
                        p.id.to_string(),
                        p.customer_id.to_string(),
                        p.status.clone(),
                        format!("{done}/{}", p.items.len()),
                        p.reason.clone(),
                        p.opened_at.to_string(),
                    ]
                })
                .collect();
            print_table(&["plan", "customer", "status", "items done", "reason", "opened"], &rows);
        }
        RepairCommand::Show { plan, format } => {
            let Some(p) = store.repair_plan(plan)? else { bail!("no repair plan {plan}") };
            if format == ReportFormat::Json {
                println!("{}", serde_json::to_string_pretty(&p)?);
            } else {
                print_plan(&p);
            }
        }
    }
    Ok(())
}
