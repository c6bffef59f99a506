//! What `credence rules performance` and `credence rules tune` print.

use crate::output::print_table;
use chrono::NaiveDate;
use credence_engine::{BeforeAfter, Measures, RulesPerformanceReport, TuneReport};
use std::path::Path;

fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "-".to_owned(), pct_bare)
}

fn pct_bare(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

/// A measure and its interval, `12.0% (9.1–15.6%)`-like; `-` when not measured.
fn with_interval(x: Option<f64>, ci: Option<(f64, f64)>, show: impl Fn(f64) -> String) -> String {
    match (x, ci) {
        (Some(x), Some((lo, hi))) => format!("{} ({}–{})", show(x), show(lo), show(hi)),
        (Some(x), None) => show(x),
        (None, _) => "-".to_owned(),
    }
}

fn num(x: Option<f64>, digits: usize) -> String {
    x.map_or_else(|| "-".to_owned(), |v| format!("{v:.digits$}"))
}

/// `before → after`, or the one value when they are equal.
fn change(before: String, after: String) -> String {
    if before == after { before } else { format!("{before} → {after}") }
}

fn pack_row(period: &str, which: &str, m: &Measures) -> Vec<String> {
    vec![
        period.to_owned(),
        which.to_owned(),
        pct(m.flagged_share),
        num(m.alerts_per_month, 1),
        pct(m.precision),
        num(m.lift, 2),
        pct(m.recall),
        m.caught_alone.to_string(),
        num(m.median_lead_days, 0),
    ]
}

pub fn print_performance(report: &RulesPerformanceReport, from: NaiveDate, to: NaiveDate) {
    println!(
        "rule pack {} evaluated at {} dates from {} to {}; {} customers, {} defaulted within {} months of a date; base rate {} of {} customer-dates",
        report.pack_version,
        report.dates.len(),
        from,
        to,
        report.customers,
        report.defaulters,
        report.horizon_months,
        pct(report.base_rate),
        report.observations
    );
    let row = |code: &str, name: &str, level: &str, m: &Measures| {
        vec![
            code.to_owned(),
            name.to_owned(),
            level.to_owned(),
            pct(m.flagged_share),
            num(m.alerts_per_month, 1),
            with_interval(m.precision, m.precision_ci, pct_bare),
            with_interval(m.lift, m.lift_ci, |x| format!("{x:.2}"))
                + if m.below_base_rate() { " !" } else { "" },
            with_interval(m.recall, m.recall_ci, pct_bare),
            m.caught_alone.to_string(),
            num(m.median_lead_days, 0),
            pct(m.false_alarm_rate),
        ]
    };
    let mut rows: Vec<Vec<String>> =
        report.rules.iter().map(|r| row(&r.code, &r.name_en, &r.level, &r.measures)).collect();
    rows.push(row("pack", "Yellow or red by the level policy", "", &report.pack));
    print_table(
        &[
            "rule",
            "name",
            "level",
            "flagged",
            "alerts/month",
            "precision (95% CI)",
            "lift (95% CI)",
            "recall (95% CI)",
            "alone",
            "lead days",
            "false alarms",
        ],
        &rows,
    );
    let weak: Vec<&str> =
        report.rules.iter().filter(|r| r.measures.below_base_rate()).map(|r| r.code.as_str()).collect();
    if !weak.is_empty() {
        println!(
            "! below the base rate (lift < 1): {} fired no more often before a default than at random",
            weak.join(", ")
        );
    }
    let silent: Vec<&str> =
        report.rules.iter().filter(|r| r.measures.firings == 0).map(|r| r.code.as_str()).collect();
    if !silent.is_empty() {
        println!(
            "never fired on the history: {} (a rule on the default event itself never does: a default ends a customer's observations)",
            silent.join(", ")
        );
    }
    println!("flagged: share of customer-dates it fired on; alone: defaulters no other rule caught");
}

pub fn print_tuning(r: &TuneReport, out: Option<&Path>) {
    let span = |d: &[NaiveDate]| match (d.first(), d.last()) {
        (Some(a), Some(b)) => format!("{a} – {b} ({} dates)", d.len()),
        _ => "-".to_owned(),
    };
    println!(
        "rule pack {} tuned on {}, validated on {}; defaults within {} months; budget {} of customer-dates yellow or red, lift at least {}, median lead at least {} days",
        r.pack_version,
        span(&r.tune_dates),
        span(&r.validate_dates),
        r.horizon_months,
        pct(Some(r.budget)),
        r.min_lift,
        r.min_lead_days
    );
    let rows: Vec<Vec<String>> = r
        .rules
        .iter()
        .map(|t| {
            let lift = |b: &BeforeAfter| change(num(b.before.lift, 2), num(b.after.lift, 2));
            let flagged = |b: &BeforeAfter| change(pct(b.before.flagged_share), pct(b.after.flagged_share));
            vec![
                t.code.clone(),
                t.level.clone(),
                if t.condition_after == t.condition_before {
                    "unchanged".to_owned()
                } else {
                    t.condition_after.split_whitespace().collect::<Vec<_>>().join(" ")
                },
                flagged(&t.tuned),
                lift(&t.tuned),
                flagged(&t.validated),
                lift(&t.validated),
                change(pct(t.validated.before.recall), pct(t.validated.after.recall)),
                t.note.clone().unwrap_or_default(),
            ]
        })
        .collect();
    print_table(
        &[
            "rule",
            "level",
            "proposed condition",
            "flagged (tune)",
            "lift (tune)",
            "flagged (validate)",
            "lift (validate)",
            "recall (validate)",
            "note",
        ],
        &rows,
    );
    println!();
    println!("the pack as a whole: customer-dates its level policy makes yellow or red from the rules");
    print_table(
        &["period", "pack", "flagged", "alerts/month", "precision", "lift", "recall", "caught", "lead days"],
        &[
            pack_row("tune", "current", &r.pack_tuned.before),
            pack_row("tune", "proposed", &r.pack_tuned.after),
            pack_row("validate", "current", &r.pack_validated.before),
            pack_row("validate", "proposed", &r.pack_validated.after),
        ],
    );
    println!(
        "{}",
        if r.better_out_of_time {
            "out of time the proposed pack does better: its extra alerts catch defaulters at the required lift, or the alerts it drops did not, without going further over the budget"
        } else {
            "out of time the proposed pack does not do better than the current one (its changed alerts do not catch defaulters at the required lift): keep the current pack"
        }
    );
    match out {
        Some(p) => println!(
            "proposed pack {} written to {} (use it with --pack; it is a proposal until approved and deployed)",
            r.proposed_version,
            p.display()
        ),
        None => println!("write the proposed pack with --out FILE"),
    }
}
