//! Text output for people: aligned tables and summaries.

use credence_engine::{DemoReport, ImportReport, ImportStatus};
use credence_records::{Record, Severity};
use credence_store::{HistoryEntry, ImportRun};
use std::time::Duration;

/// Prints rows as a table with columns padded to their widest cell (counting CJK
/// characters as two columns, as terminals show them).
pub fn print_table(header: &[&str], rows: &[Vec<String>]) {
    fn width(s: &str) -> usize {
        s.chars().map(|c| if (c as u32) >= 0x1100 { 2 } else { 1 }).sum()
    }
    let mut widths: Vec<usize> = header.iter().map(|h| width(h)).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            if i < widths.len() {
                widths[i] = widths[i].max(width(c).min(80));
            }
        }
    }
    let line = |cells: Vec<&str>| {
        let mut out = String::new();
        for (i, c) in cells.iter().enumerate() {
            let last = i + 1 == cells.len();
            out.push_str(c);
            if !last {
                out.push_str(&" ".repeat(widths[i].saturating_sub(width(c)) + 2));
            }
        }
        println!("{}", out.trim_end());
    };
    line(header.to_vec());
    line(widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>().iter().map(String::as_str).collect());
    for r in rows {
        line(r.iter().map(String::as_str).collect());
    }
}

pub fn print_demo(report: &DemoReport, location: &str, elapsed: Duration) {
    let s = &report.summary;
    println!(
        "Demo portfolio {} in {} ({:.1} s)",
        if report.replaced_previous_demo { "rebuilt" } else { "created" },
        location,
        elapsed.as_secs_f64()
    );
    let rows: Vec<Vec<String>> =
        report.counts.iter().map(|(k, n)| vec![k.to_string(), n.to_string()]).collect();
    print_table(&["records", "count"], &rows);
    println!();
    println!(
        "{} customers; {} defaulted in the last eight quarters ({:.1}%), {} of them in the last four",
        s.customers,
        s.defaults,
        s.default_rate * 100.0,
        s.defaults_last_four_quarters
    );
    println!(
        "{} groups with {} member companies, {} actual controllers; {} guarantee circles, {} mutual guarantees",
        s.groups, s.group_members, s.persons, s.guarantee_circles, s.mutual_guarantees
    );
}

pub fn print_utility_demo(
    report: &credence_engine::UtilityDemoReport,
    location: &str,
    as_of: chrono::NaiveDate,
    elapsed: Duration,
) {
    let s = &report.summary;
    println!(
        "Utility demo portfolio {} in {} ({:.1} s)",
        if report.replaced_previous_demo { "rebuilt" } else { "created" },
        location,
        elapsed.as_secs_f64()
    );
    print_table(
        &["records", "count"],
        &[
            vec!["accounts".into(), s.accounts.to_string()],
            vec!["bills".into(), s.bills.to_string()],
            vec!["bill_payments".into(), s.payments.to_string()],
            vec!["disconnections".into(), s.disconnections.to_string()],
            vec!["meter_events".into(), s.meter_events.to_string()],
            vec!["holder_changes".into(), s.holder_changes.to_string()],
        ],
    );
    println!();
    println!(
        "{} residential, {} non-residential and {} large industrial accounts; {} months of bills up to {as_of}; {} accounts in payment distress at that date",
        s.residential,
        s.non_residential,
        s.large_industrial,
        credence_demo::UTILITY_MONTHS,
        s.distressed_at_end
    );
    // A month end whose next bill has surely been tested for arrears by the as-of date
    // (issued early in the next month, due within 25 days, tested 30 days later): the end
    // of the month before last.
    use chrono::Datelike;
    let labelled = as_of
        .with_day(1)
        .and_then(|d| d.checked_sub_months(chrono::Months::new(2)))
        .and_then(|d| d.pred_opt());
    if let Some(t) = labelled {
        println!();
        println!("Next, the next-month arrears model on the last twelve month ends:");
        println!("  credence utility dataset --as-of {t} --months 12 --out arrears.csv");
        println!(
            "  credence model train --data arrears.csv --target arrears_next_month --exclude as_of --kind gbdt --out arrears.json"
        );
    }
}

pub fn print_demo_work(work: &credence_engine::DemoWork, elapsed: Duration) {
    let runs: Vec<String> = work.ratings.iter().map(|(d, n)| format!("{d} ({n})")).collect();
    println!();
    println!("Rated as of {}", runs.join(", "));
    println!(
        "Early warning: {} alerts raised, {} disposal cases opened; credit policy: {} limit requests routed ({:.1} s)",
        work.alerts_raised,
        work.cases_opened,
        work.limit_requests,
        elapsed.as_secs_f64()
    );
    println!();
    println!("Next, the cockpit: add a user (the password is read from standard input), then serve:");
    println!("  credence user add risk --name \"Risk manager\" --role risk_manager");
    println!("  credence serve          # http://127.0.0.1:8080, showing the demo as of its date");
}

pub fn print_guide(guide: &[[String; 6]]) {
    let rows: Vec<Vec<String>> = guide.iter().map(|r| r.to_vec()).collect();
    print_table(&["column", "中文列名", "required", "format", "description", "example"], &rows);
}

pub fn print_import(report: &ImportReport, elapsed: Duration) {
    if !report.diagnostics.is_empty() {
        let rows: Vec<Vec<String>> = report
            .diagnostics
            .iter()
            .map(|d| {
                vec![
                    d.row.to_string(),
                    d.column.clone().unwrap_or_default(),
                    format!("{} {}", d.rule.code, d.rule.name),
                    if d.rule.severity == Severity::Error { "error" } else { "warning" }.to_owned(),
                    d.value.clone(),
                    d.message.clone(),
                ]
            })
            .collect();
        println!("{}", report.file);
        print_table(&["row", "column", "rule", "severity", "value", "message"], &rows);
        if report.diagnostics_omitted > 0 {
            println!(
                "… and {} more problems (use --format json for the full list)",
                report.diagnostics_omitted
            );
        }
        println!();
    }
    match report.status {
        ImportStatus::Committed => println!(
            "{} {}: {} rows read, {} inserted, {} updated, {} unchanged, {} rejected, {} warnings ({:.1} s)",
            report.kind,
            report.file,
            report.rows_read,
            report.inserted,
            report.updated,
            report.unchanged,
            report.rejected_rows,
            report.warnings,
            elapsed.as_secs_f64()
        ),
        ImportStatus::Rejected => println!(
            "{} {}: REJECTED, nothing written: {} errors in {} of {} rows, {} warnings. Fix the file, or use --skip-invalid to write the valid rows.",
            report.kind, report.file, report.errors, report.rejected_rows, report.rows_read, report.warnings
        ),
    }
    if let Some(r) = &report.rejects_file {
        println!("rejected rows with their reasons: {r}");
    }
}

pub fn print_status(location: &str, counts: &[(credence_records::Kind, u64)], runs: &[ImportRun]) {
    println!("Database: {location}");
    let rows: Vec<Vec<String>> = counts.iter().map(|(k, n)| vec![k.to_string(), n.to_string()]).collect();
    print_table(&["records", "count"], &rows);
    if !runs.is_empty() {
        println!();
        let rows: Vec<Vec<String>> = runs
            .iter()
            .map(|r| {
                vec![
                    r.id.to_string(),
                    r.started_at.to_string(),
                    r.kind.clone(),
                    r.source.clone(),
                    r.mode.clone(),
                    r.inserted.to_string(),
                    r.updated.to_string(),
                    r.unchanged.to_string(),
                    r.rejected.to_string(),
                ]
            })
            .collect();
        print_table(
            &["import", "started", "kind", "source", "mode", "inserted", "updated", "unchanged", "rejected"],
            &rows,
        );
    }
}

pub fn print_history(current: &Record, history: &[HistoryEntry]) {
    let schema = current.schema();
    let cells = current.to_cells();
    println!("current:");
    for (f, c) in schema.fields.iter().zip(&cells) {
        if !c.is_empty() {
            println!("  {} ({}): {}", f.name, f.zh, c);
        }
    }
    if history.is_empty() {
        println!("no earlier versions");
    }
    for h in history.iter().rev() {
        println!(
            "replaced at {} by import {} (version from import {}): {}",
            h.replaced_at, h.replaced_by, h.import_id, h.payload
        );
    }
}

pub fn print_rules() {
    let rows: Vec<Vec<String>> = credence_records::rules::ALL
        .iter()
        .map(|r| {
            vec![
                r.code.to_owned(),
                r.name.to_owned(),
                format!("{:?}", r.level).to_lowercase(),
                format!("{:?}", r.severity).to_lowercase(),
                r.summary.to_owned(),
            ]
        })
        .collect();
    print_table(&["code", "rule", "level", "severity", "flags"], &rows);
}
