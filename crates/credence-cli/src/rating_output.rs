//! Text output of ratings, indicators and back-tests.

use crate::output::print_table;
use credence_engine::{
    CustomerView, EffectivenessReport, MigrationMatrix, RateReport, RatingPerformance, SharedRateReport,
};
use credence_indicators::Catalogue;
use credence_rating::{Lang, ScorecardModel};
use std::time::Duration;

fn fmt_opt(v: Option<f64>, digits: usize) -> String {
    v.map_or_else(|| "—".to_owned(), |x| format!("{x:.digits$}"))
}

fn pct(v: f64) -> String {
    format!("{:.2}%", v * 100.0)
}

/// What this instance did in a shared run, then the run's totals once it is finished.
pub fn print_shared_rate(r: &SharedRateReport, elapsed: Duration) {
    println!(
        "shared rating run {} ({} parts, {}): this instance wrote {} parts{}",
        r.share.run_id,
        r.parts,
        if r.opened { "opened here" } else { "joined" },
        r.parts_written,
        if r.parts_lost > 0 {
            format!(" and lost {} to other instances after their lease ran out", r.parts_lost)
        } else {
            String::new()
        }
    );
    print_rate(&r.share, elapsed);
    match (r.finished, r.run_totals) {
        (true, Some((rated, skipped, failed))) => println!(
            "run {} finished{}: {rated} rated, {skipped} skipped as unchanged, {failed} failed in all",
            r.share.run_id,
            if r.finished_here { " by this instance" } else { "" }
        ),
        _ => println!("run {} is not finished: other instances hold its remaining parts", r.share.run_id),
    }
}

pub fn print_rate(r: &RateReport, elapsed: Duration) {
    println!(
        "rating run {} as of {} (model {}, catalogue {}): {} rated, {} skipped as unchanged, {} failed in {:.1} s (read {:.1} s, compute {:.1} s, write {:.1} s)",
        r.run_id,
        r.as_of,
        r.model_version,
        r.catalogue_version,
        r.rated,
        r.skipped,
        r.failed,
        elapsed.as_secs_f64(),
        r.seconds_read,
        r.seconds_compute,
        r.seconds_write
    );
    let rows: Vec<Vec<String>> =
        r.letter_grades.iter().map(|(g, n)| vec![g.clone(), n.to_string()]).collect();
    print_table(&["letter grade", "customers"], &rows);
    let rows: Vec<Vec<String>> = r.point_grades.iter().map(|(g, n)| vec![g.clone(), n.to_string()]).collect();
    print_table(&["100-point grade", "customers"], &rows);
    for (c, m) in &r.failures {
        println!("not rated: {c}: {m}");
    }
}

fn arrow(change: Option<f64>) -> &'static str {
    match change {
        Some(c) if c > 0.02 => "↑",
        Some(c) if c < -0.02 => "↓",
        Some(_) => "→",
        None => " ",
    }
}

pub fn print_customer(v: &CustomerView, model: &ScorecardModel, zh: bool) {
    for (name, name_zh, value) in &v.master {
        println!("{:<22} {}", if zh { name_zh } else { name }, value);
    }
    println!();
    let Some(detail) = &v.rating else {
        println!(
            "{}",
            if zh {
                "尚未评级：请先运行 credence rate"
            } else {
                "not rated yet: run `credence rate`"
            }
        );
        return;
    };
    let r = &detail.rating;
    let (letter, points) = match &v.override_in_force {
        Some(o) => (
            format!("{} (override; model {})", o.letter_grade, r.letter_grade),
            format!("{} (override; model {})", o.point_grade, r.point_grade),
        ),
        None => (r.letter_grade.clone(), r.point_grade.clone()),
    };
    println!(
        "{} {}  score {:.1}  PD {}  grade {}  100-point grade {}  sub-model {}  (model {}, catalogue {})",
        if zh { "评级" } else { "Rating" },
        r.as_of,
        r.score,
        pct(r.pd),
        letter,
        points,
        r.sub_model,
        r.model_version,
        r.catalogue_version
    );
    if let Some(o) = &v.override_in_force {
        println!(
            "override: {} — approved by {}, entered by {} at {}",
            o.reason, o.approver, o.entered_by, o.entered_at
        );
    }
    for k in &r.knockouts {
        println!(
            "knock-out {} {}: at best {} / {}",
            k.code, k.name, k.letter_grade_at_best, k.point_grade_at_best
        );
    }
    if let Some(why) = &v.breakdown_unavailable {
        println!(
            "{}{}",
            if zh {
                "无法显示本次评级的明细："
            } else {
                "the breakdown of this rating cannot be shown: "
            },
            why.text(zh)
        );
    }
    if v.data_changed_since_rating {
        println!(
            "{}",
            if zh {
                "注意：评级后客户数据已变更，下表指标按当前数据计算；运行 credence rate --changed 重新评级"
            } else {
                "note: the customer's records changed since this rating; the indicators below use the current records (run `credence rate --changed`)"
            }
        );
    }
    println!();
    let medians: std::collections::HashMap<String, f64> =
        v.indicators.iter().filter_map(|l| l.peer_median.map(|m| (l.id.clone(), m))).collect();
    for line in model.explain(r, if zh { Lang::Zh } else { Lang::En }, Some(&medians)) {
        println!("  {line}");
    }
    println!();
    let rows: Vec<Vec<String>> = v
        .indicators
        .iter()
        .map(|l| {
            let t = l.value.trend.as_ref();
            vec![
                if zh { l.name_zh.clone() } else { l.name_en.clone() },
                fmt_opt(l.value.value, 3),
                arrow(t.and_then(|t| t.yoy)).to_owned(),
                fmt_opt(l.peer_median, 3),
                fmt_opt(t.and_then(|t| t.qoq).map(|x| x * 100.0), 1),
                fmt_opt(t.and_then(|t| t.yoy).map(|x| x * 100.0), 1),
                fmt_opt(t.and_then(|t| t.cagr_3y).map(|x| x * 100.0), 1),
                l.unit.clone(),
                l.value.missing.clone().unwrap_or_default(),
            ]
        })
        .collect();
    print_table(
        &["indicator", "value", "YoY", "peer median", "QoQ %", "YoY %", "3y CAGR %", "unit", "why missing"],
        &rows,
    );
    println!();
    let rows: Vec<Vec<String>> = v
        .history
        .iter()
        .map(|h| {
            vec![
                h.as_of.clone(),
                h.run_id.to_string(),
                format!("{:.1}", h.score),
                pct(h.pd),
                h.letter_grade.clone(),
                h.point_grade.clone(),
                h.overridden.as_ref().map(|o| o.reason.clone()).unwrap_or_default(),
            ]
        })
        .collect();
    print_table(&["as of", "run", "score", "PD", "grade", "100-pt", "override"], &rows);
    for m in &v.migrations {
        println!("migration {} → {}: {} → {}", m.from_as_of, m.to_as_of, m.from_grade, m.to_grade);
    }
}

pub fn print_catalogue(c: &Catalogue) {
    println!("indicator catalogue {}", c.version());
    let rows: Vec<Vec<String>> = c
        .indicators()
        .iter()
        .map(|d| {
            vec![
                d.id.clone(),
                d.name_zh.clone(),
                d.name_en.clone(),
                d.group.code().to_owned(),
                d.unit.code().to_owned(),
                d.direction.code().to_owned(),
                d.formula.clone(),
            ]
        })
        .collect();
    print_table(&["id", "名称", "name", "group", "unit", "direction", "formula"], &rows);
}

pub fn print_effectiveness(r: &EffectivenessReport) {
    println!(
        "indicator effectiveness at {} over {} months: {} customers, {} defaults",
        r.as_of, r.horizon_months, r.customers, r.defaults
    );
    let rows: Vec<Vec<String>> = r
        .rows
        .iter()
        .map(|e| {
            vec![
                e.id.clone(),
                e.name_zh.clone(),
                e.observations.to_string(),
                fmt_opt(e.information_value, 3),
                fmt_opt(e.auc, 3),
                e.recommendation.map_or_else(|| "—".to_owned(), |x| format!("{x:?}").to_lowercase()),
            ]
        })
        .collect();
    print_table(&["indicator", "名称", "values", "IV", "AUC", "recommendation"], &rows);
}

pub fn print_performance(p: &RatingPerformance) {
    println!(
        "rating run {} as of {}: {} customers, {} defaulted within {} months; AUC {}",
        p.run_id,
        p.as_of,
        p.customers,
        p.defaults,
        p.horizon_months,
        fmt_opt(p.auc, 3)
    );
    for (title, grades) in [("letter grade", &p.letter_grades), ("100-point grade", &p.point_grades)] {
        let rows: Vec<Vec<String>> = grades
            .iter()
            .map(|g| {
                vec![
                    g.grade.clone(),
                    g.customers.to_string(),
                    g.defaults.to_string(),
                    pct(g.default_rate),
                    pct(g.mean_pd),
                ]
            })
            .collect();
        print_table(&[title, "customers", "defaults", "default rate", "mean PD"], &rows);
    }
}

pub fn print_migration(m: &MigrationMatrix) {
    println!(
        "rating migration from run {} to run {}: {} customers in both, {} upgraded, {} downgraded",
        m.from_run, m.to_run, m.customers, m.upgraded, m.downgraded
    );
    let mut header = vec!["from \\ to"];
    header.extend(m.grades.iter().map(String::as_str));
    let rows: Vec<Vec<String>> = m
        .grades
        .iter()
        .zip(&m.counts)
        .map(|(g, row)| std::iter::once(g.clone()).chain(row.iter().map(u64::to_string)).collect())
        .collect();
    print_table(&header, &rows);
}
