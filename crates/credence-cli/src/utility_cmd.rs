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
        /// A bill is in arrears when unpaid this many days after its due date …
        #[arg(long, default_value_t = 30)]
        arrears_days: u32,
        /// … by at least this amount (major units of the bill's currency).
        #[arg(long, default_value = "100")]
        arrears_min: String,
        /// Payments are complete up to this date (default: today, or a demo's date); a
        /// target measured later is not known yet.
        #[arg(long, value_parser = parse_date)]
        observed_to: Option<chrono::NaiveDate>,
        /// Also write rows whose target is not known yet, with an empty target, to score.
        #[arg(long)]
        unlabelled: bool,
        #[arg(long)]
        out: PathBuf,
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
}

/// At most this many month ends in one data set (ten years).
const MAX_MONTHS: u32 = 120;

pub fn run_utility(db: &str, user: Option<&str>, command: UtilityCommand) -> Result<()> {
    match command {
        UtilityCommand::Dataset {
            as_of,
            months,
            arrears_days,
            arrears_min,
            observed_to,
            unlabelled,
            out,
            format,
        } => {
            if !(1..=MAX_MONTHS).contains(&months) {
                bail!("--months {months}: between 1 and {MAX_MONTHS} month ends");
            }
            if arrears_days > 366 {
                bail!("--arrears-days {arrears_days}: at most 366 days after the due date");
            }
            let min_amount = credence_domain::minor_units_from_decimal(arrears_min.trim(), 2)
                .ok()
                .filter(|m| *m >= 0)
                .ok_or_else(|| {
                    anyhow::anyhow!("--arrears-min {arrears_min}: not an amount of zero or more")
                })?;
            let mut store = open(db)?;
            crate::import_scope::whole_portfolio_reader(
                &mut store,
                user,
                "the data set holds every billing account",
            )?;
            let options = BillingDatasetOptions {
                as_of,
                months,
                rule: ArrearsRule { days_after_due: arrears_days, min_amount },
                observed_to: match observed_to {
                    Some(d) => d,
                    None => credence_engine::demo_as_of(&mut store)?.unwrap_or_else(today),
                },
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
                        "arrears: unpaid {} days after the due date by at least {arrears_min}; payments complete to {}",
                        d.rule.days_after_due, d.observed_to
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
    }
    Ok(())
}
