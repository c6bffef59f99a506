//! `credence model …`: the modelling workbench (RATE-4, RATE-5, GOV-2) — portfolio data
//! sets, training with cross-validation, scoring with reasons, validation reports,
//! monitoring, registration, and a benchmark against the Python anchors.

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use credence_engine::model as workbench;
use credence_model::{ModelKind, Shape, TrainSpec};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::output::print_table;
use crate::{ReportFormat, now, open, parse_date, today};

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportKind {
    Html,
    Json,
}

#[derive(Subcommand)]
pub enum ModelCommand {
    /// Write the stored portfolio as a modelling data set: every catalogue indicator at
    /// --as-of and whether the customer defaulted within --horizon months.
    Dataset {
        #[arg(long, value_parser = parse_date)]
        as_of: chrono::NaiveDate,
        #[arg(long, default_value_t = 12)]
        horizon: u32,
        #[arg(long)]
        out: PathBuf,
    },
    /// Train a model on a CSV or xlsx file, cross-validate it and save it.
    Train(TrainArgs),
    /// Score a file: PD, score, grade and the top reasons per row, streamed to a CSV.
    Score {
        #[arg(long)]
        model: PathBuf,
        #[arg(long)]
        data: PathBuf,
        #[arg(long)]
        out: PathBuf,
        /// Reasons per row.
        #[arg(long, default_value_t = 0)]
        explain: usize,
        /// A column to carry into the output as the row's key.
        #[arg(long)]
        id: Option<String>,
    },
    /// The validation report of a saved model.
    Report {
        #[arg(long)]
        model: PathBuf,
        #[arg(long, value_enum, default_value_t = ReportKind::Html)]
        format: ReportKind,
        /// Write here instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// PSI of the PDs and CSI of every feature on new data; AUC and KS when it has the target.
    Monitor {
        #[arg(long)]
        model: PathBuf,
        #[arg(long)]
        data: PathBuf,
        #[arg(long)]
        event: Option<String>,
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
    /// Register a saved model in the store, so `rate --challenger VERSION` can run it.
    Register {
        #[arg(long)]
        model: PathBuf,
        #[arg(long)]
        by: String,
    },
    /// Registered models.
    List,
    /// Time training and scoring on a large file, and the Python anchors side by side.
    Bench(BenchArgs),
}

#[derive(clap::Args)]
pub struct TrainArgs {
    #[arg(long)]
    data: PathBuf,
    #[arg(long)]
    target: String,
    /// The target value that is the event (default, bad) when the values do not say.
    #[arg(long)]
    event: Option<String>,
    /// scorecard, logistic, gbdt or forest.
    #[arg(long, default_value = "scorecard")]
    kind: String,
    /// Stratified folds for cross-validation (0: none).
    #[arg(long, default_value_t = 10)]
    folds: usize,
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Comma-separated columns that are not features (ids, dates, leakage).
    #[arg(long)]
    exclude: Option<String>,
    /// COL=inc|dec|auto|peak|valley: how risk may move with a feature (repeatable).
    #[arg(long)]
    monotone: Vec<String>,
    /// COL=v1,v2: numeric codes with a meaning of their own (-999), binned apart.
    #[arg(long)]
    special: Vec<String>,
    /// Scorecards: leave out features with an IV below this (0.02 is the usual screen).
    #[arg(long, default_value_t = 0.0)]
    min_iv: f64,
    /// Scorecards: stepwise selection (score test to enter, Wald test to leave, p < 0.05).
    #[arg(long)]
    stepwise: bool,
    /// Scorecards: of two features whose WoE correlate beyond this, drop the weaker.
    #[arg(long)]
    max_correlation: Option<f64>,
    /// Calibrate PDs on the held-out predictions of the cross-validation: none, platt or isotonic.
    #[arg(long, default_value = "none")]
    calibrate: String,
    /// Version name, like 2026-Q4-V1.0 (default: this quarter's V1.0).
    #[arg(long)]
    version: Option<String>,
    #[arg(long)]
    out: PathBuf,
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    format: ReportFormat,
}

fn this_quarter_version() -> String {
    use chrono::Datelike;
    let d = today();
    format!("{}-Q{}-V1.0", d.year(), (d.month() - 1) / 3 + 1)
}

fn pairs(items: &[String], what: &str) -> Result<Vec<(String, String)>> {
    items
        .iter()
        .map(|i| {
            i.split_once('=')
                .map(|(a, b)| (a.trim().to_owned(), b.trim().to_owned()))
                .with_context(|| format!("--{what} '{i}': expected COLUMN=VALUE"))
        })
        .collect()
}

fn print_metrics(model: &credence_model::ModelFile) {
    let row = |label: String, m: &credence_model::artefact::Metrics| {
        vec![
            label,
            m.rows.to_string(),
            m.events.to_string(),
            format!("{:.4}", m.auc),
            format!("{:.4}", m.ks),
            format!("{:.4}", m.gini),
            format!("{:.4}", m.brier),
            format!("{:.4}", m.log_loss),
            format!("{:.1}%", m.capture_20 * 100.0),
            format!("{:.1}%", m.capture_high_risk * 100.0),
        ]
    };
    let mut rows = Vec::new();
    if let Some(v) = &model.validation {
        rows.extend(v.folds.iter().enumerate().map(|(k, m)| row(format!("fold {}", k + 1), m)));
        rows.push(row("mean".into(), &v.mean));
    }
    rows.push(row("training".into(), &model.training));
    print_table(
        &["", "rows", "events", "AUC", "KS", "Gini", "Brier", "log-loss", "worst 20%", "high-risk grades"],
        &rows,
    );
}

pub fn run_model(db: &str, command: ModelCommand) -> Result<()> {
    match command {
        ModelCommand::Dataset { as_of, horizon, out } => {
            let mut store = open(db)?;
            let catalogue = credence_indicators::Catalogue::builtin();
            let d = credence_engine::write_model_dataset(&mut store, &catalogue, as_of, horizon, &out)?;
            println!(
                "wrote {}: {} customers, {} defaulted within {} months ({} left out: in default already or unreadable); target column {}",
                out.display(),
                d.rows,
                d.defaults,
                horizon,
                d.excluded,
                d.target
            );
        }
        ModelCommand::Train(args) => run_train(args)?,
        ModelCommand::Score { model, data, out, explain, id } => {
            run_score(&model, &data, &out, explain, id.as_deref())?
        }
        ModelCommand::Report { model, format, out } => {
            let m = workbench::load_model(&model)?;
            let text = match format {
                ReportKind::Html => credence_model::report::html(&m),
                ReportKind::Json => serde_json::to_string_pretty(&credence_model::report::report(&m))?,
            };
            match out {
                Some(p) => {
                    workbench::write_text(&p, &text)?;
                    println!("report of {} written to {}", m.version, p.display());
                }
                None => print!("{text}"),
            }
        }
        ModelCommand::Monitor { model, data, event, format } => {
            run_monitor(&model, &data, event.as_deref(), format)?
        }
        ModelCommand::Register { model, by } => {
            let m = workbench::load_model(&model)?;
            let mut store = open(db)?;
            if workbench::register_model(&mut store, &m, &by, &now())? {
                println!("model {} registered", m.version);
            } else {
                println!("model {} was registered already; nothing changed", m.version);
            }
        }
        ModelCommand::Bench(args) => run_bench(args)?,
        ModelCommand::List => {
            let mut store = open(db)?;
            let rows: Vec<Vec<String>> = store
                .models()?
                .into_iter()
                .map(|m| {
                    vec![
                        m.version,
                        m.kind,
                        m.target,
                        m.trained_at.into(),
                        m.registered_at.into(),
                        m.registered_by,
                    ]
                })
                .collect();
            if rows.is_empty() {
                bail!("no model is registered; `credence model register --model FILE` adds one");
            }
            print_table(&["version", "kind", "target", "trained", "registered", "by"], &rows);
        }
    }
    Ok(())
}

/// Trains a model on a file, cross-validates and saves it, and prints its metrics.
fn run_train(args: TrainArgs) -> Result<()> {
    let spec = train_spec(&args)?;
    let TrainArgs { data, target, event, exclude, out, format, .. } = args;
    let exclude = exclude.as_deref().map(credence_server::access::list).unwrap_or_default();
    let started = Instant::now();
    let quiet = format == ReportFormat::Json;
    let mut progress = |m: &str| {
        if !quiet {
            eprintln!("{m}");
        }
    };
    let model = workbench::train_file(&data, &target, event.as_deref(), &exclude, &spec, &mut progress)?;
    workbench::save_model(&model, &out)?;
    if quiet {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "model": out.display().to_string(),
                "version": model.version,
                "kind": model.kind,
                "features": model.features.len(),
                "dropped": model.dropped,
                "validation": model.validation,
                "training": model.training,
                "seconds": started.elapsed().as_secs_f64(),
            }))?
        );
        return Ok(());
    }
    print_metrics(&model);
    for d in &model.dropped {
        println!("not used: {} ({})", d.name, d.reason);
    }
    println!(
        "model {} ({}, {} features) saved to {} in {:.1} s",
        model.version,
        model.kind.code(),
        model.features.len(),
        out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The training specification the options describe.
fn train_spec(args: &TrainArgs) -> Result<TrainSpec> {
    let calibrate = match args.calibrate.as_str() {
        "none" => credence_model::Calibrate::None,
        "platt" => credence_model::Calibrate::Platt,
        "isotonic" => credence_model::Calibrate::Isotonic,
        other => bail!("--calibrate '{other}': expected none, platt or isotonic"),
    };
    let kind = ModelKind::parse(&args.kind)
        .with_context(|| format!("--kind '{}': expected scorecard, logistic, gbdt or forest", args.kind))?;
    let mut shapes = BTreeMap::new();
    for (col, s) in pairs(&args.monotone, "monotone")? {
        let shape = Shape::parse(&s)
            .with_context(|| format!("--monotone {col}={s}: expected inc, dec, auto, peak or valley"))?;
        shapes.insert(col, shape);
    }
    let mut special_values = BTreeMap::new();
    for (col, list) in pairs(&args.special, "special")? {
        let values = list
            .split(',')
            .map(|v| {
                v.trim().parse::<f64>().with_context(|| format!("--special {col}: '{v}' is not a number"))
            })
            .collect::<Result<Vec<_>>>()?;
        special_values.insert(col, values);
    }
    let expert = credence_rating::ScorecardModel::builtin();
    let data = &args.data;
    Ok(TrainSpec {
        kind,
        folds: args.folds,
        seed: args.seed,
        shapes,
        min_iv: args.min_iv,
        special_values,
        version: args.version.clone().unwrap_or_else(this_quarter_version),
        trained_at: now().into(),
        source: data
            .file_name()
            .map_or_else(|| data.display().to_string(), |n| n.to_string_lossy().into_owned()),
        grades: workbench::grade_scale(&expert),
        calibrate,
        stepwise: args.stepwise,
        max_correlation: args.max_correlation,
    })
}

fn run_score(model: &Path, data: &Path, out: &Path, explain: usize, id: Option<&str>) -> Result<()> {
    let m = workbench::load_model(model)?;
    let started = Instant::now();
    let s = workbench::score_file(&m, data, out, id, explain)?;
    println!(
        "scored {} rows into {} in {:.1} s; mean PD {:.4}",
        s.rows,
        out.display(),
        started.elapsed().as_secs_f64(),
        s.mean_pd
    );
    let rows: Vec<Vec<String>> = s.grades.iter().map(|(g, n)| vec![g.clone(), n.to_string()]).collect();
    print_table(&["grade", "rows"], &rows);
    for (f, n) in &s.unreadable {
        eprintln!("warning: {f}: {n} cells are not numbers and were read as missing");
    }
    for (f, n) in &s.unseen {
        eprintln!("warning: {f}: {n} cells hold categories not seen in training and were read as missing");
    }
    Ok(())
}

fn run_monitor(model: &Path, data: &Path, event: Option<&str>, format: ReportFormat) -> Result<()> {
    let m = workbench::load_model(model)?;
    let r = workbench::monitor_file(&m, data, event)?;
    if format == ReportFormat::Json {
        println!("{}", serde_json::to_string_pretty(&r)?);
        return Ok(());
    }
    let level = |l: credence_scorecard::stability::StabilityLevel| format!("{l:?}").to_lowercase();
    println!(
        "model {} on {} rows: PSI {:.4} ({}); overall {}",
        r.model_version,
        r.rows,
        r.psi.value,
        level(r.psi.level),
        level(r.level)
    );
    let rows: Vec<Vec<String>> = r
        .features
        .iter()
        .map(|f| {
            vec![
                f.feature.clone(),
                format!("{:.4}", f.csi.value),
                level(f.csi.level),
                format!("{:.1}%", f.missing_share_training * 100.0),
                format!("{:.1}%", f.missing_share_now * 100.0),
            ]
        })
        .collect();
    print_table(&["feature", "CSI", "level", "missing (training)", "missing (now)"], &rows);
    if let Some(p) = &r.performance {
        println!(
            "on the new data: AUC {:.4}, KS {:.4} (at training {:.4}, {:.4})",
            p.auc, p.ks, r.performance_at_training.auc, r.performance_at_training.ks
        );
    }
    Ok(())
}

#[derive(clap::Args)]
pub struct BenchArgs {
    /// A CSV such as the 1,000,000 × 30 synthetic set of `synth_credit.py`.
    #[arg(long)]
    data: PathBuf,
    #[arg(long)]
    target: String,
    /// Rows explained by TreeSHAP.
    #[arg(long, default_value_t = 100_000)]
    shap_rows: usize,
    /// A Python with optbinning and LightGBM, to time the anchors side by side.
    #[arg(long)]
    python: Option<PathBuf>,
    /// The anchors script (`anchors.py`).
    #[arg(long)]
    anchors: Option<PathBuf>,
}

/// Peak resident memory of this process so far, MiB (Linux; `None` elsewhere).
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

/// Times the workbench's steps on a file, and the Python anchors on the same file when
/// given, and prints both with their ratios.
pub fn run_bench(args: BenchArgs) -> Result<()> {
    let timed = |f: &mut dyn FnMut() -> Result<()>| -> Result<f64> {
        let t = Instant::now();
        f()?;
        Ok(t.elapsed().as_secs_f64())
    };
    let mut loaded = None;
    let load = timed(&mut || {
        loaded = Some(workbench::read_table(&args.data, Some(&args.target), &[])?);
        Ok(())
    })?;
    let loaded = loaded.expect("loaded");
    let y = credence_model::read_target(&loaded.target, None, 2)?;
    let table = loaded.table;
    eprintln!("loaded {} rows × {} columns in {load:.1} s", table.rows, table.names.len());
    let expert = credence_rating::ScorecardModel::builtin();
    let spec = |kind| TrainSpec {
        kind,
        folds: 0,
        seed: 42,
        shapes: BTreeMap::new(),
        min_iv: 0.0,
        special_values: BTreeMap::new(),
        version: "2026-Q4-V1.0".into(),
        trained_at: now().into(),
        source: String::new(),
        grades: workbench::grade_scale(&expert),
        calibrate: credence_model::Calibrate::None,
        stepwise: false,
        max_correlation: None,
    };
    let mut figures: Vec<(&str, f64, Option<&str>)> = Vec::new();
    let features = credence_model::fit::scorecard_inputs(&table);
    let binning = timed(&mut || {
        let b = credence_scorecard::binning::fit_binnings(&features, &y.values, &Default::default());
        b.into_iter().collect::<Result<Vec<_>, _>>()?;
        Ok(())
    })?;
    figures.push(("binning fit (all features)", binning, Some("optbinning_binning_fit_s")));
    let mut scorecard = None;
    let fit = timed(&mut || {
        scorecard = Some(credence_model::fit::fit_body(&table, &y.values, &spec(ModelKind::Scorecard))?);
        Ok(())
    })?;
    figures.push(("scorecard fit (binning + WoE + logistic)", fit, Some("optbinning_scorecard_fit_s")));
    let scorecard = scorecard.expect("fitted");
    let mut pd = Vec::new();
    let score = timed(&mut || {
        pd = credence_model::score::predict(&scorecard, &table)?;
        Ok(())
    })?;
    figures.push(("scorecard scoring", score, Some("optbinning_scorecard_predict_s")));
    let sc_auc = credence_scorecard::metrics::auc(&y.values, &pd)?;
    let prepare = timed(&mut || {
        credence_model::fit::tree_data(&table)?;
        Ok(())
    })?;
    eprintln!("gbdt data preparation (copying and checking the columns): {prepare:.3} s");
    let mut gbdt = None;
    let train = timed(&mut || {
        gbdt = Some(credence_model::fit::fit_body(&table, &y.values, &spec(ModelKind::Gbdt))?);
        Ok(())
    })?;
    figures.push(("gbdt training (200 trees)", train, Some("lightgbm_train_s")));
    let gbdt = gbdt.expect("trained");
    let predict = timed(&mut || {
        pd = credence_model::score::predict(&gbdt, &table)?;
        Ok(())
    })?;
    figures.push(("gbdt scoring", predict, Some("lightgbm_predict_s")));
    let gbdt_auc = credence_scorecard::metrics::auc(&y.values, &pd)?;
    let first: Vec<usize> = (0..args.shap_rows.min(table.rows)).collect();
    let sub = credence_model::fit::tree_data(&table.take(&first))?;
    let credence_model::artefact::Body::Trees(trees) = &gbdt else { bail!("gbdt is trees") };
    let shap = timed(&mut || {
        trees.explain(&sub)?;
        Ok(())
    })?;
    figures.push(("TreeSHAP", shap, Some("lightgbm_treeshap_100k_s")));
    let anchors: Option<serde_json::Value> = match (&args.python, &args.anchors) {
        (Some(py), Some(script)) => {
            eprintln!("timing the anchors (this takes a few minutes)…");
            let out = std::process::Command::new(py)
                .arg(script)
                .arg(&args.data)
                .arg(&args.target)
                .output()
                .with_context(|| format!("running {}", py.display()))?;
            if !out.status.success() {
                bail!("the anchors failed: {}", String::from_utf8_lossy(&out.stderr));
            }
            let text = String::from_utf8_lossy(&out.stdout);
            Some(
                serde_json::from_str(text.lines().last().unwrap_or("{}"))
                    .context("reading the anchors' figures")?,
            )
        }
        (None, None) => None,
        _ => bail!("--python and --anchors go together"),
    };
    let rows: Vec<Vec<String>> = figures
        .iter()
        .map(|(step, s, key)| {
            let anchor = anchors.as_ref().zip(*key).and_then(|(a, k)| a[k].as_f64());
            vec![
                (*step).to_owned(),
                format!("{s:.3}"),
                anchor.map_or_else(|| "-".into(), |a| format!("{a:.3}")),
                anchor.map_or_else(|| "-".into(), |a| format!("{:.1}×", a / s)),
            ]
        })
        .collect();
    println!("{} rows × {} features; load {load:.1} s (not counted)", table.rows, table.names.len());
    print_table(&["step", "credence s", "anchor s", "speed-up"], &rows);
    println!(
        "training AUC: scorecard {sc_auc:.4}, gbdt {gbdt_auc:.4}{}",
        anchors.as_ref().map_or(String::new(), |a| format!(
            " (optbinning {}, LightGBM {})",
            a["optbinning_scorecard_train_auc"], a["lightgbm_train_auc"]
        ))
    );
    if let Some(mib) = peak_rss_mib() {
        println!("peak memory {mib:.0} MiB (including the loaded table)");
    }
    Ok(())
}

/// `credence rate --challenger VERSION`: a registered model over the portfolio, compared
/// with the expert ratings.
pub fn run_challenger(
    db: &str,
    catalogue: &credence_indicators::Catalogue,
    version: &str,
    as_of: chrono::NaiveDate,
    format: ReportFormat,
) -> Result<()> {
    let mut store = open(db)?;
    let started = Instant::now();
    let run = workbench::rate_with_model(&mut store, catalogue, version, as_of, &now())?;
    if format == ReportFormat::Json {
        println!("{}", serde_json::to_string_pretty(&run)?);
        return Ok(());
    }
    println!(
        "challenger {} scored {} customers as of {} in {:.1} s (run {}; {} unreadable)",
        run.model_version,
        run.scored,
        run.as_of,
        started.elapsed().as_secs_f64(),
        run.run_id,
        run.failed
    );
    let rows: Vec<Vec<String>> = run.grades.iter().map(|(g, n)| vec![g.clone(), n.to_string()]).collect();
    print_table(&["grade", "customers"], &rows);
    if run.compared > 0 {
        println!(
            "against the expert ratings of {} customers: same grade {:.1}%, within one grade {:.1}%",
            run.compared,
            run.same_grade as f64 / run.compared as f64 * 100.0,
            run.within_one as f64 / run.compared as f64 * 100.0
        );
    }
    Ok(())
}
