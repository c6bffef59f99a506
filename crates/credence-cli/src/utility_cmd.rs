//! `credence utility …`: utility billing accounts (SCN-1) — the next-month arrears data
//! set built from stored accounts, bills and bill payments.

use anyhow::{Result, bail};
use clap::Subcommand;
use credence_engine::{ArrearsRule, BillingDatasetOptions};
use std::path::PathBuf;

use crate::{ReportFormat, open, parse_date, today};

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
    }
    Ok(())
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
