//! The validation report a model-risk reviewer expects (GOV-2), as data and as one
//! self-contained HTML page: summary and cross-validation, binning tables (counts, event
//! rates, WoE, IV), coefficients with standard errors and p-values or tree importances,
//! ROC and KS curves, calibration by grade and by decile, the PD distribution, and the
//! training data's profile.

use std::fmt::Write;

use serde::Serialize;

use crate::artefact::{Body, Metrics, ModelFile, Profile};

/// A coefficient line of a regression.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoefficientLine {
    pub name: String,
    pub estimate: f64,
    pub std_error: f64,
    pub z: f64,
    pub p_value: f64,
}

/// The report as data (`--format json`).
#[derive(Debug, Clone, Serialize)]
pub struct Report<'a> {
    pub model: &'a ModelFile,
    pub coefficients: Vec<CoefficientLine>,
    /// Trees: total gain by feature, largest first.
    pub importance: Vec<(String, f64)>,
}

pub fn report(model: &ModelFile) -> Report<'_> {
    let line = |name: &str, c: &credence_scorecard::logistic::Coefficient| CoefficientLine {
        name: name.to_owned(),
        estimate: c.estimate,
        std_error: c.std_error,
        z: c.z,
        p_value: c.p_value,
    };
    let (coefficients, importance) = match &model.body {
        Body::Scorecard(sc) => (
            std::iter::once(line("(intercept)", &sc.intercept))
                .chain(sc.features.iter().map(|f| line(f.name(), &f.coefficient)))
                .collect(),
            Vec::new(),
        ),
        Body::Logistic(l) => (
            std::iter::once(line("(intercept)", &l.fit.intercept))
                .chain(l.inputs.iter().zip(&l.fit.coefficients).map(|(i, c)| line(i.name(), c)))
                .collect(),
            Vec::new(),
        ),
        Body::Trees(m) => {
            let mut imp = m.feature_importance(credence_trees::Importance::Gain);
            imp.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            (Vec::new(), imp)
        }
    };
    Report { model, coefficients, importance }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn table(out: &mut String, head: &[&str], rows: &[Vec<String>]) {
    out.push_str("<table><thead><tr>");
    for h in head {
        let _ = write!(out, "<th>{}</th>", esc(h));
    }
    out.push_str("</tr></thead><tbody>");
    for r in rows {
        out.push_str("<tr>");
        for c in r {
            let _ = write!(out, "<td>{}</td>", esc(c));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
}

fn metrics_row(label: &str, m: &Metrics) -> Vec<String> {
    vec![
        label.to_owned(),
        m.rows.to_string(),
        m.events.to_string(),
        format!("{:.4}", m.auc),
        format!("{:.4}", m.gini),
        format!("{:.4}", m.ks),
        format!("{:.4}", m.brier),
        format!("{:.4}", m.log_loss),
        format!("{:.1}%", m.capture_20 * 100.0),
        format!("{:.1}%", m.capture_high_risk * 100.0),
    ]
}

/// A line of a chart: its name, colour and points in the unit square.
type Series<'a> = (&'a str, &'a str, Vec<(f64, f64)>);

/// An SVG line chart of points in the unit square.
fn curve_svg(title: &str, series: &[Series<'_>]) -> String {
    let (w, h, pad) = (360.0, 280.0, 30.0);
    let mut s = format!(
        "<figure><figcaption>{}</figcaption><svg width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\">",
        esc(title)
    );
    let _ = write!(
        s,
        "<rect x=\"{pad}\" y=\"{pad}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#999\"/>",
        w - 2.0 * pad,
        h - 2.0 * pad
    );
    for (name, colour, points) in series {
        let path: Vec<String> = points
            .iter()
            .map(|(x, y)| format!("{:.1},{:.1}", pad + x * (w - 2.0 * pad), h - pad - y * (h - 2.0 * pad)))
            .collect();
        let _ = write!(
            s,
            "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{}\"><title>{}</title></polyline>",
            path.join(" "),
            esc(name)
        );
    }
    s.push_str("</svg></figure>");
    s
}

/// The report as one HTML page (no scripts, no external files).
pub fn html(model: &ModelFile) -> String {
    let r = report(model);
    let mut out = String::new();
    summary_html(&mut out, model);
    curves_html(&mut out, &model.profile);
    calibration_html(&mut out, model);
    estimates_html(&mut out, &r);
    binning_html(&mut out, model);
    profile_html(&mut out, model);
    out.push_str("</body></html>\n");
    out
}

/// The page head, what the model was trained on, and its performance by fold.
fn summary_html(out: &mut String, model: &ModelFile) {
    let _ = write!(
        out,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Model {v} — validation report</title><style>body{{font-family:system-ui,sans-serif;margin:2em;max-width:70em}}table{{border-collapse:collapse;margin:0.5em 0 1.5em}}td,th{{border:1px solid #ccc;padding:2px 8px;text-align:right}}th{{background:#f3f3f3}}td:first-child,th:first-child{{text-align:left}}figure{{display:inline-block;margin:0 1em}}h2{{border-bottom:1px solid #ddd}}</style></head><body>",
        v = esc(&model.version)
    );
    let _ = write!(
        out,
        "<h1>Model {} ({}) — validation report / 模型验证报告</h1><p>Trained {} on <code>{}</code>: {} rows, {} events (<code>{}</code> = event, <code>{}</code> = non-event), {} features.</p>",
        esc(&model.version),
        model.kind.code(),
        esc(&model.trained_at),
        esc(&model.source),
        model.rows,
        model.events,
        esc(&model.event),
        esc(&model.non_event),
        model.features.len()
    );
    let head = [
        "",
        "rows",
        "events",
        "AUC",
        "Gini",
        "KS",
        "Brier",
        "log-loss",
        "events in worst 20%",
        "events in high-risk grades",
    ];
    out.push_str("<h2>Performance / 模型表现</h2>");
    let mut rows = Vec::new();
    if let Some(v) = &model.validation {
        for (k, m) in v.folds.iter().enumerate() {
            rows.push(metrics_row(&format!("fold {}", k + 1), m));
        }
        rows.push(metrics_row(&format!("mean of {} folds (seed {})", v.folds.len(), v.seed), &v.mean));
    }
    rows.push(metrics_row("training (in-sample)", &model.training));
    table(out, &head, &rows);
}

/// ROC and KS curves of the training data.
fn curves_html(out: &mut String, p: &Profile) {
    out.push_str("<h2>Curves / 曲线</h2>");
    let roc: Vec<(f64, f64)> = p.roc.iter().map(|q| (q.false_positive_rate, q.true_positive_rate)).collect();
    out.push_str(&curve_svg(
        "ROC (training)",
        &[("ROC", "#1f6fb2", roc), ("chance", "#bbb", vec![(0.0, 0.0), (1.0, 1.0)])],
    ));
    let events: Vec<(f64, f64)> = p.ks_curve.iter().map(|q| (q.population, q.events)).collect();
    let non: Vec<(f64, f64)> = p.ks_curve.iter().map(|q| (q.population, q.non_events)).collect();
    out.push_str(&curve_svg(
        "KS: cumulative shares by PD rank (training)",
        &[("events", "#c0392b", events), ("non-events", "#27ae60", non)],
    ));
}

/// Calibration by grade and by PD decile, and the PD distribution.
fn calibration_html(out: &mut String, model: &ModelFile) {
    let p = &model.profile;
    out.push_str("<h2>Calibration by grade / 分级校准</h2>");
    let rows: Vec<Vec<String>> = model
        .grades
        .iter()
        .map(|g| {
            vec![
                format!("{}{}", g.grade, if g.high_risk { " (high risk)" } else { "" }),
                format!("{:.4}", g.pd_to),
                g.rows.to_string(),
                g.events.to_string(),
                format!("{:.4}", g.mean_pd),
                g.event_rate.map_or_else(|| "-".into(), |r| format!("{r:.4}")),
            ]
        })
        .collect();
    table(out, &["grade", "PD below", "rows", "events", "mean PD", "event rate"], &rows);
    out.push_str("<h3>By PD decile</h3>");
    let rows: Vec<Vec<String>> = p
        .calibration
        .iter()
        .map(|c| {
            vec![
                (c.group + 1).to_string(),
                c.count.to_string(),
                c.events.to_string(),
                format!("{:.4} – {:.4}", c.min_pd, c.max_pd),
                format!("{:.4}", c.mean_pd),
                format!("{:.4}", c.observed_rate),
            ]
        })
        .collect();
    table(out, &["decile", "rows", "events", "PD range", "mean PD", "event rate"], &rows);

    out.push_str("<h2>PD distribution / 违约概率分布</h2>");
    let rows: Vec<Vec<String>> =
        p.pd_histogram.iter().map(|(a, b, c)| vec![format!("{a:.4} – {b:.4}"), c.to_string()]).collect();
    table(out, &["PD band", "rows"], &rows);
}

/// Regression coefficients or tree importances, when the model has them.
fn estimates_html(out: &mut String, r: &Report<'_>) {
    if !r.coefficients.is_empty() {
        out.push_str("<h2>Coefficients / 回归系数</h2>");
        let rows: Vec<Vec<String>> = r
            .coefficients
            .iter()
            .map(|c| {
                vec![
                    c.name.clone(),
                    format!("{:.6}", c.estimate),
                    format!("{:.6}", c.std_error),
                    format!("{:.3}", c.z),
                    format!("{:.4}", c.p_value),
                ]
            })
            .collect();
        table(out, &["term", "estimate", "std. error", "z", "p-value"], &rows);
    }
    if !r.importance.is_empty() {
        out.push_str("<h2>Feature importance (gain) / 特征重要性</h2>");
        let rows: Vec<Vec<String>> =
            r.importance.iter().map(|(f, g)| vec![f.clone(), format!("{g:.3}")]).collect();
        table(out, &["feature", "gain"], &rows);
    }
}

/// Every feature's binning table (with points for scorecards) and the features left out.
fn binning_html(out: &mut String, model: &ModelFile) {
    let p = &model.profile;
    out.push_str("<h2>Binning tables / 分箱表</h2>");
    let scorecard_points = match &model.body {
        Body::Scorecard(sc) => Some(sc),
        _ => None,
    };
    for f in &p.features {
        let (binning, points) =
            match scorecard_points.and_then(|sc| sc.features.iter().find(|x| x.name() == f.name)) {
                Some(x) => (&x.binning, Some(&x.points)),
                None => (&f.binning, None),
            };
        let _ = write!(out, "<h3>{} — IV {:.4}</h3>", esc(&f.name), binning.iv);
        let rows: Vec<Vec<String>> = binning
            .bins
            .iter()
            .enumerate()
            .map(|(k, b)| {
                let mut row = vec![
                    b.label.clone(),
                    b.count.to_string(),
                    b.non_events.to_string(),
                    b.events.to_string(),
                    format!("{:.4}", b.event_rate),
                    format!("{:.4}", b.woe),
                    format!("{:.4}", b.iv),
                ];
                if let Some(p) = points {
                    row.push(format!("{:.1}", p[k]));
                }
                row
            })
            .collect();
        let mut head = vec!["bin", "count", "non-events", "events", "event rate", "WoE", "IV"];
        if points.is_some() {
            head.push("points");
        }
        table(out, &head, &rows);
    }
    if let Body::Scorecard(sc) = &model.body
        && !sc.excluded.is_empty()
    {
        out.push_str("<h3>Features left out / 未入模特征</h3>");
        let rows: Vec<Vec<String>> = sc
            .excluded
            .iter()
            .map(|e| {
                vec![e.binning.feature.clone(), format!("{:.4}", e.binning.iv), format!("{:?}", e.reason)]
            })
            .collect();
        table(out, &["feature", "IV", "reason"], &rows);
    }
}

/// The training data's profile and the columns not used.
fn profile_html(out: &mut String, model: &ModelFile) {
    let p = &model.profile;
    out.push_str("<h2>Training data profile / 训练数据概况</h2>");
    let rows: Vec<Vec<String>> = p
        .features
        .iter()
        .map(|f| {
            let num = |v: Option<f64>| v.map_or_else(|| "-".into(), |x| format!("{x:.4}"));
            vec![
                f.name.clone(),
                format!("{:.1}%", f.missing_share * 100.0),
                num(f.mean),
                num(f.min),
                num(f.max),
                format!("{:.4}", f.binning.iv),
            ]
        })
        .collect();
    table(out, &["feature", "missing", "mean", "min", "max", "IV"], &rows);
    if !model.dropped.is_empty() {
        let rows: Vec<Vec<String>> =
            model.dropped.iter().map(|d| vec![d.name.clone(), d.reason.clone()]).collect();
        out.push_str("<h3>Columns not used / 未使用的列</h3>");
        table(out, &["column", "reason"], &rows);
    }
}
