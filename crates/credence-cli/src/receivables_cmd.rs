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
    /// Success of collection actions, by action and by strategy rule: attempts, payments
    /// within the strategy's success window after them, amounts recovered.
    Report {
        #[arg(long, value_parser = parse_date)]
        as_of: Option<chrono::NaiveDate>,
        #[arg(long)]
        strategy: Option<PathBuf>,
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
        /// The day the customer made the promise (today when not given).
        #[arg(long, value_parser = parse_date)]
        made_on: Option<chrono::NaiveDate>,
        #[arg(long)]
        invoice: Option<String>,
        /// The strategy whose grace days the promise gets.
        #[arg(long)]
        strategy: Option<PathBuf>,
        #[arg(long)]
        by: String,
    },
    /// Disputes about invoices: open, resolve, list. Invoices in open dispute are held
    /// back from worklists; the dispute rate is a rating indicator.
    #[command(subcommand)]
    Dispute(DisputeCommand),
}

#[derive(Subcommand)]
pub enum DisputeCommand {
    /// Open a dispute about one of a customer's invoices.
    Open {
        customer: String,
        #[arg(long)]
        invoice: String,
        /// What the customer disputes (damaged goods, price, quantity…).
        #[arg(long)]
        reason: String,
        /// The amount disputed; the whole invoice when not given.
        #[arg(long)]
        amount: Option<String>,
        #[arg(long, value_parser = parse_date)]
        date: Option<chrono::NaiveDate>,
        #[arg(long)]
        by: String,
    },
    /// Resolve an open dispute with what was agreed.
    Resolve {
        id: i64,
        #[arg(long)]
        resolution: String,
        #[arg(long, value_parser = parse_date)]
        date: Option<chrono::NaiveDate>,
        #[arg(long)]
        by: String,
    },
    /// Disputes, newest last: all, or those open on a date.
    List {
        #[arg(long)]
        customer: Option<String>,
        /// Only disputes open on this date (today with --open).
        #[arg(long)]
        open: bool,
        #[arg(long, value_parser = parse_date)]
        on: Option<chrono::NaiveDate>,
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
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
    let options = credence_engine::AgingOptions {
        top: args.customers,
        months: args.history,
        ..credence_engine::AgingOptions::new(args.as_of.unwrap_or_else(today), c)
    };
    let view = credence_engine::aging(&mut store, &options)?;
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
            let strategy = credence_engine::load_strategy(
                crate::or_configured(strategy.as_deref(), |a| &a.strategy).as_deref(),
            )?;
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
            print_worklist(&list, c, limit);
        }
        CollectCommand::Report { as_of, strategy, currency: code, format } => {
            let strategy = credence_engine::load_strategy(
                crate::or_configured(strategy.as_deref(), |a| &a.strategy).as_deref(),
            )?;
            let c = currency(&code)?;
            let report =
                credence_engine::collection_report(&mut store, &strategy, c, as_of.unwrap_or_else(today))?;
            if format == ReportFormat::Json {
                println!("{}", serde_json::to_string_pretty(&report)?);
                return Ok(());
            }
            print_collection_report(&report, &strategy, c);
        }
        CollectCommand::Log { customer, action, note, date, by } => {
            let a = credence_control::Action::parse_label(&action).with_context(|| {
                format!("unknown action '{action}'; expected reminder, phone, letter, visit, agency or legal")
            })?;
            credence_engine::log_collection_action(
                &mut store,
                &customer,
                a,
                date.unwrap_or_else(today),
                &note,
                &by,
                &now(),
            )?;
            println!("{} logged for {customer}", a.code());
        }
        CollectCommand::Promise {
            customer,
            amount: text,
            currency: code,
            on,
            made_on,
            invoice,
            strategy,
            by,
        } => {
            let strategy = credence_engine::load_strategy(
                crate::or_configured(strategy.as_deref(), |a| &a.strategy).as_deref(),
            )?;
            let c = currency(&code)?;
            let minor = amount(&text, c)?;
            let promise = credence_engine::NewPromise {
                customer: &customer,
                amount: minor,
                currency: c,
                made_on: made_on.unwrap_or_else(today),
                promised_date: on,
                invoice: invoice.as_deref(),
                actor: &by,
            };
            credence_engine::log_promise(&mut store, &strategy, &promise, &now())?;
            println!(
                "promise of {} by {on} logged for {customer} ({} grace days)",
                format_money(minor, c),
                strategy.promise_grace_days()
            );
        }
        CollectCommand::Dispute(d) => run_dispute(&mut store, d)?,
    }
    Ok(())
}

/// The worklist by collector: each customer's next action, bucket and amount at stake.
fn print_worklist(list: &credence_control::Worklist, c: Currency, limit: usize) {
    for l in &list.collectors {
        println!("{} — {} customers", l.owner, l.items.len());
        let rows: Vec<Vec<String>> = l
            .items
            .iter()
            .take(limit)
            .map(|i| {
                vec![
                    i.customer_id.to_string(),
                    i.action.code().to_owned(),
                    i.bucket.code().to_owned(),
                    i.days_overdue.to_string(),
                    format_money(i.amount, c),
                    format!("{:.2}%", i.pd * 100.0),
                    i.due_on.to_string(),
                ]
            })
            .collect();
        print_table(&["customer", "next action", "bucket", "days overdue", "at stake", "PD", "due"], &rows);
    }
    println!("{} customers on hold for a promise to pay", list.on_hold.len());
}

/// Collection success by action and by strategy rule.
fn print_collection_report(
    report: &credence_control::CollectionSuccess,
    strategy: &credence_control::CollectionStrategy,
    c: Currency,
) {
    let rate = |r: Option<f64>| r.map_or_else(|| "-".into(), |v| format!("{v:.1}%"));
    let rows: Vec<Vec<String>> = report
        .by_action
        .iter()
        .map(|l| {
            vec![
                l.action.code().to_owned(),
                l.attempts.to_string(),
                l.successes.to_string(),
                rate(l.success_rate_pct),
                format_money(l.recovered, c),
            ]
        })
        .collect();
    println!(
        "collection success by action (a payment within {} days), strategy {}:",
        strategy.success_window_days(),
        strategy.version()
    );
    print_table(&["action", "attempts", "successes", "success rate", "recovered"], &rows);
    let rows: Vec<Vec<String>> = report
        .by_rule
        .iter()
        .map(|l| {
            let grades = if l.grades.is_empty() { "others".to_owned() } else { l.grades.join(",") };
            vec![
                format!("#{}", l.rule + 1),
                l.bucket.code().to_owned(),
                grades,
                l.action.code().to_owned(),
                l.attempts.to_string(),
                l.successes.to_string(),
                rate(l.success_rate_pct),
                format_money(l.recovered, c),
            ]
        })
        .collect();
    println!("by strategy rule (the customer's bucket on the day, its current grade):");
    print_table(
        &["rule", "bucket", "grades", "action", "attempts", "successes", "success rate", "recovered"],
        &rows,
    );
}

fn run_dispute(store: &mut credence_store::Store, command: DisputeCommand) -> Result<()> {
    match command {
        DisputeCommand::Open { customer, invoice, reason, amount: text, date, by } => {
            let minor = match &text {
                None => None,
                Some(t) => {
                    let record = store
                        .record(credence_records::Kind::Invoices, &invoice)?
                        .with_context(|| format!("no invoice '{invoice}'"))?;
                    let c = currency(record.text("currency").unwrap_or("CNY"))?;
                    Some(amount(t, c)?)
                }
            };
            let dispute = credence_engine::NewDispute {
                customer: &customer,
                invoice: &invoice,
                opened_on: date.unwrap_or_else(today),
                amount: minor,
                reason: &reason,
                actor: &by,
            };
            let id = credence_engine::open_dispute(store, &dispute, &now())?;
            println!("dispute {id} opened on invoice {invoice} of {customer}");
        }
        DisputeCommand::Resolve { id, resolution, date, by } => {
            credence_engine::resolve_dispute(store, id, date.unwrap_or_else(today), &resolution, &by)?;
            println!("dispute {id} resolved");
        }
        DisputeCommand::List { customer, open, on, format } => {
            let open_on = on.or(open.then(today));
            let list = credence_engine::disputes(store, customer.as_deref(), open_on)?;
            if format == ReportFormat::Json {
                println!("{}", serde_json::to_string_pretty(&list)?);
                return Ok(());
            }
            let rows: Vec<Vec<String>> = list
                .iter()
                .map(|d| {
                    let c = Currency::parse(&d.currency).unwrap_or(Currency::CNY);
                    vec![
                        d.id.to_string(),
                        d.customer_id.to_string(),
                        d.invoice_no.clone(),
                        d.opened_on.clone(),
                        format_money(d.amount, c),
                        d.reason.clone(),
                        d.resolved_on.clone().unwrap_or_else(|| "open".into()),
                        d.resolution.clone().unwrap_or_default(),
                    ]
                })
                .collect();
            print_table(
                &["id", "customer", "invoice", "opened", "amount", "reason", "resolved", "resolution"],
                &rows,
            );
        }
    }
    Ok(())
}
