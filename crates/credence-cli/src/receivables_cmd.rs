//! `credence aging` and `credence collect …`: receivables and collections (CTRL-9).

use crate::control_cmd::{amount, currency};
use crate::output::print_table;
use crate::{ReportFormat, now, open, parse_date, today};
use anyhow::{Context, Result};
use clap::Subcommand;
use credence_control::{AgingLine, format_money};
use credence_domain::{Currency, Labelled};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct AgingArgs {
    #[arg(long, value_parser = parse_date)]
    as_of: Option<chrono::NaiveDate>,
    #[arg(long, default_value = "CNY")]
    currency: String,
    /// Rows shown per section.
    #[arg(long, default_value_t = 20)]
    limit: usize,
    /// Customers listed, most 90+ days overdue first.
    #[arg(long, default_value_t = 10)]
    customers: usize,
    /// Earlier month ends shown for the portfolio.
    #[arg(long, default_value_t = 12)]
    history: u32,
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    format: ReportFormat,
}

#[derive(Subcommand)]
pub enum CollectCommand {
    /// Today's prioritised list per collector, with the next action.
    Worklist {
        #[arg(long, value_parser = parse_date)]
        date: Option<chrono::NaiveDate>,
        /// One collector (business line) only.
        #[arg(long)]
        owner: Option<String>,
        #[arg(long)]
        strategy: Option<PathBuf>,
        #[arg(long, default_value = "CNY")]
        currency: String,
        #[arg(long, default_value_t = 30)]
        limit: usize,
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
    /// Success of collection actions by kind: attempts, payments within the window after
    /// them, amounts recovered.
    Report {
        #[arg(long, value_parser = parse_date)]
        as_of: Option<chrono::NaiveDate>,
        /// Days after an action in which a payment counts for it.
        #[arg(long, default_value_t = 14)]
        window: u32,
        #[arg(long, default_value = "CNY")]
        currency: String,
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
    /// Log an action taken (reminder, phone, letter, visit, agency, legal).
    Log {
        customer: String,
        #[arg(long)]
        action: String,
        #[arg(long, default_value = "")]
        note: String,
        #[arg(long, value_parser = parse_date)]
        date: Option<chrono::NaiveDate>,
        #[arg(long)]
        by: String,
    },
    /// Log a promise to pay.
    Promise {
        customer: String,
        #[arg(long)]
        amount: String,
        #[arg(long, default_value = "CNY")]
        currency: String,
        /// The date payment was promised for.
        #[arg(long, value_parser = parse_date)]
        on: chrono::NaiveDate,
        #[arg(long)]
        invoice: Option<String>,
        #[arg(long)]
        by: String,
    },
}

fn aging_row(name: &str, l: &AgingLine, c: Currency) -> Vec<String> {
    let p = &l.profile;
    vec![
        name.to_owned(),
        l.customers.to_string(),
        format_money(p.open, c),
        format_money(p.overdue.current, c),
        format_money(p.overdue.days_1_30, c),
        format_money(p.overdue.days_31_60, c),
        format_money(p.overdue.days_61_90, c),
        format_money(p.overdue.over_90, c),
        l.overdue_rate_pct.map_or_else(|| "-".into(), |v| format!("{v:.1}%")),
        format!("{:.1}", l.dso.days),
    ]
}

pub fn run_aging(db: &str, args: AgingArgs) -> Result<()> {
    let c = currency(&args.currency)?;
    let mut store = open(db)?;
    let view = credence_engine::aging(
        &mut store,
        args.as_of.unwrap_or_else(today),
        c,
        args.customers,
        args.history,
    )?;
    if args.format == ReportFormat::Json {
        println!("{}", serde_json::to_string_pretty(&view)?);
        return Ok(());
    }
    let report = &view.report;
    let header = ["", "customers", "open", "current", "1-30", "31-60", "61-90", "90+", "overdue", "DSO"];
    println!("aging as of {} in {}", report.as_of, c.code());
    let mut rows = vec![aging_row("portfolio", &report.portfolio, c)];
    rows.extend(report.business_lines.iter().take(args.limit).map(|(k, l)| aging_row(k, l, c)));
    print_table(&header, &rows);
    let mut groups: Vec<_> = report.groups.iter().collect();
    groups.sort_by(|a, b| b.1.profile.overdue.over_90.cmp(&a.1.profile.overdue.over_90).then(a.0.cmp(b.0)));
    let rows: Vec<Vec<String>> = groups.iter().take(args.limit).map(|(k, l)| aging_row(k, l, c)).collect();
    println!("groups with the most 90+ days overdue:");
    print_table(&header, &rows);
    if !view.top_customers.is_empty() {
        let rows: Vec<Vec<String>> = view.top_customers.iter().map(|(k, l)| aging_row(k, l, c)).collect();
        println!("customers with the most 90+ days overdue:");
        print_table(&header, &rows);
    }
    if !view.history.is_empty() {
        let mut rows: Vec<Vec<String>> =
            view.history.iter().map(|(d, l)| aging_row(&d.to_string(), l, c)).collect();
        rows.push(aging_row(&report.as_of.to_string(), &report.portfolio, c));
        println!("portfolio month by month:");
        print_table(&header, &rows);
    }
    Ok(())
}

pub fn run_collect(db: &str, command: CollectCommand) -> Result<()> {
    let mut store = open(db)?;
    match command {
        CollectCommand::Worklist { date, owner, strategy, currency: code, limit, format } => {
            let strategy = credence_engine::load_strategy(strategy.as_deref())?;
            let c = currency(&code)?;
            let mut list =
                credence_engine::collection_worklist(&mut store, &strategy, c, date.unwrap_or_else(today))?;
            if let Some(o) = &owner {
                list.collectors.retain(|l| &l.owner == o);
            }
            if format == ReportFormat::Json {
                println!("{}", serde_json::to_string_pretty(&list)?);
                return Ok(());
            }
            for l in &list.collectors {
                println!("{} — {} customers", l.owner, l.items.len());
                let rows: Vec<Vec<String>> = l
                    .items
                    .iter()
                    .take(limit)
                    .map(|i| {
                        vec![
                            i.customer_id.clone(),
                            i.action.code().to_owned(),
                            i.bucket.code().to_owned(),
                            i.days_overdue.to_string(),
                            format_money(i.amount, c),
                            format!("{:.2}%", i.pd * 100.0),
                            i.due_on.to_string(),
                        ]
                    })
                    .collect();
                print_table(
                    &["customer", "next action", "bucket", "days overdue", "at stake", "PD", "due"],
                    &rows,
                );
            }
            println!("{} customers on hold for a promise to pay", list.on_hold.len());
        }
        CollectCommand::Report { as_of, window, currency: code, format } => {
            let c = currency(&code)?;
            let lines =
                credence_engine::collection_report(&mut store, c, as_of.unwrap_or_else(today), window)?;
            if format == ReportFormat::Json {
                println!("{}", serde_json::to_string_pretty(&lines)?);
                return Ok(());
            }
            let rows: Vec<Vec<String>> = lines
                .iter()
                .map(|l| {
                    vec![
                        l.action.code().to_owned(),
                        l.attempts.to_string(),
                        l.successes.to_string(),
                        l.success_rate_pct.map_or_else(|| "-".into(), |v| format!("{v:.1}%")),
                        format_money(l.recovered, c),
                    ]
                })
                .collect();
            print_table(&["action", "attempts", "successes", "success rate", "recovered"], &rows);
        }
        CollectCommand::Log { customer, action, note, date, by } => {
            let a = credence_control::Action::parse_label(&action).with_context(|| {
                format!("unknown action '{action}'; expected reminder, phone, letter, visit, agency or legal")
            })?;
            store.log_collection_action(
                &credence_store::CollectionAction {
                    customer_id: customer.clone(),
                    action_date: date.unwrap_or_else(today).to_string(),
                    action: a.code().to_owned(),
                    note,
                    actor: by,
                },
                &now(),
            )?;
            println!("{} logged for {customer}", a.code());
        }
        CollectCommand::Promise { customer, amount: text, currency: code, on, invoice, by } => {
            let c = currency(&code)?;
            let minor = amount(&text, c)?;
            store.log_promise(
                &credence_store::StoredPromise {
                    customer_id: customer.clone(),
                    made_on: today().to_string(),
                    promised_date: on.to_string(),
                    currency: c.code().to_owned(),
                    amount: minor,
                    invoice_no: invoice,
                    actor: by,
                },
                &now(),
            )?;
            println!("promise of {} by {on} logged for {customer}", format_money(minor, c));
        }
    }
    Ok(())
}
