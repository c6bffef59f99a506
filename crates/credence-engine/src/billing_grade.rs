//! Grading the billing accounts at a month end (SCN-1). A behaviour scorecard is fitted on
//! the portfolio's own last months — only account-months whose next bill's outcome was
//! known at the month end, as in the back-test — and every open account gets its points,
//! its scorecard PD of arrears on next month's bill, the grade of that PD on the billing
//! policy's scale and the scorecard's reasons (points lost against the best bin). The
//! policy's forecast model, fitted on the same rows, gives each account's forecast PD;
//! accounts at or above the policy's cut-off are the month's high-risk list. The run and
//! every grade are stored.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use credence_control::BillingPolicy;
use credence_domain::Timestamp;
use credence_model::{GradeBand, ModelKind, Target, TrainSpec};
use credence_store::{AccountGrade, BillingRun, Store};

use crate::billing::month_ends;
use crate::billing_backtest::{Sample, columns_of, read_rows};
use crate::billing_ledger::ArrearsRule;
use crate::model::ModelError;

/// Reasons kept per account.
const REASONS: usize = 3;

/// At most about this many account-months are learned from: a larger portfolio learns
/// from an even sample of its accounts (all of each sampled account's months), which
/// bounds memory and fitting time while keeping every month and class represented.
pub const MAX_TRAIN_ROWS: u64 = 600_000;

/// What to grade.
#[derive(Debug, Clone)]
pub struct GradeOptions {
    /// The month end graded; history is what is known on it.
    pub as_of: NaiveDate,
    pub seed: u64,
    /// Grade with the models of the latest run that fitted them, instead of fitting.
    pub reuse_models: bool,
    pub by: String,
    pub now: Timestamp,
}

/// What a grading run measured, stored with it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GradeSummary {
    pub as_of: NaiveDate,
    pub policy_version: String,
    pub arrears_days: u32,
    pub arrears_min: i64,
    pub train_months: u32,
    /// The run whose models graded this one, when they were not fitted for it.
    #[serde(default)]
    pub models_from_run: Option<i64>,
    /// Accounts whose history was learned from, of all accounts.
    pub train_accounts_share: f64,
    pub train_rows: u64,
    pub train_events: u64,
    /// AUC of the scorecard on the rows it learned from (in sample: `utility backtest`
    /// measures out of time).
    pub scorecard_train_auc: f64,
    pub forecast_model: String,
    pub high_risk_pd: f64,
    pub accounts: u64,
    pub high_risk: u64,
    /// Class → grade → accounts.
    pub by_class: BTreeMap<String, BTreeMap<String, u64>>,
    /// Class → high-risk accounts.
    pub high_risk_by_class: BTreeMap<String, u64>,
    /// Supply unit → its accounts and high-risk accounts.
    pub by_supply_unit: BTreeMap<String, UnitLine>,
    /// Per month end learned from: how many accounts fell into arrears on the next bill
    /// and the amount they left unpaid.
    pub trend: Vec<TrendPoint>,
    /// The month's collection figures by supply unit and route.
    pub kpis: crate::billing_kpi::BillingKpis,
    /// Features the scorecard kept.
    pub scorecard_features: Vec<String>,
}

/// A supply unit's accounts in a run.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct UnitLine {
    pub accounts: u64,
    pub high_risk: u64,
}

/// Arrears on the bill after one month end.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TrendPoint {
    pub month: NaiveDate,
    pub accounts: u64,
    pub in_arrears: u64,
    /// Unpaid in arrears, in major units.
    pub unpaid: f64,
}

/// A stored run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct GradeRun {
    pub run_id: i64,
    pub summary: GradeSummary,
}

/// The policy's scale as the modelling workbench's grade bands (the last two grades are
/// the high-risk ones).
fn bands(policy: &BillingPolicy) -> Vec<GradeBand> {
    let n = policy.grades.len();
    policy
        .grades
        .iter()
        .enumerate()
        .map(|(k, g)| GradeBand {
            grade: g.grade.clone(),
            pd_to: g.pd_below.unwrap_or(1.0),
            high_risk: k + 2 >= n,
        })
        .collect()
}

/// The training settings of a billing model.
pub(crate) fn billing_spec(
    kind: ModelKind,
    seed: u64,
    trained_at: &str,
    source: &str,
    grades: Vec<GradeBand>,
) -> TrainSpec {
    TrainSpec {
        kind,
        folds: 0,
        seed,
        shapes: Default::default(),
        min_iv: 0.0,
        special_values: Default::default(),
        version: "2026-Q4-V1.0".into(),
        trained_at: trained_at.to_owned(),
        source: source.into(),
        grades,
        calibrate: credence_model::Calibrate::None,
        stepwise: false,
        max_correlation: None,
    }
}

/// Per month end, the accounts learned from and their arrears on the next bill.
fn trend(ends: &[NaiveDate], rows: &crate::billing_backtest::Rows) -> Vec<TrendPoint> {
    let mut out: Vec<TrendPoint> =
        ends.iter().map(|&month| TrendPoint { month, accounts: 0, in_arrears: 0, unpaid: 0.0 }).collect();
    for i in 0..rows.table.rows {
        let t = &mut out[rows.month[i] as usize];
        t.accounts += 1;
        t.in_arrears += u64::from(rows.label[i]);
        t.unpaid += rows.unpaid[i];
    }
    out.retain(|t| t.accounts > 0);
    out
}

/// The two models of a run, as stored with it.
#[derive(serde::Serialize, serde::Deserialize)]
struct Models {
    scorecard: credence_model::ModelFile,
    forecast: credence_model::ModelFile,
}

/// What the models were fitted on, as a run's summary reports it.
struct Fitted {
    models: Models,
    /// The run they were fitted by, when they were not fitted now.
    from_run: Option<i64>,
    train_accounts_share: f64,
    train_rows: u64,
    train_events: u64,
    scorecard_train_auc: f64,
    trend: Vec<TrendPoint>,
}

/// Fits the scorecard and the forecast on the labelled rows.
fn fit(
    policy: &BillingPolicy,
    options: &GradeOptions,
    rows: &crate::billing_backtest::Rows,
    ends: &[NaiveDate],
    sample: Sample,
) -> Result<Fitted, ModelError> {
    let events = rows.label.iter().filter(|&&y| y == 1).count();
    if rows.table.rows == 0 || events == 0 || events == rows.table.rows {
        return Err(ModelError::NothingToLearn {
            as_of: options.as_of,
            rows: rows.table.rows as u64,
            events: events as u64,
        });
    }
    let target = Target { values: rows.label.clone(), event: "1".into(), non_event: "0".into() };
    let trained_at = options.now.as_str();
    let source = format!("utility grade {}", options.as_of);
    let spec = |kind| billing_spec(kind, options.seed, trained_at, &source, bands(policy));
    let scorecard = credence_model::train(&rows.table, &target, &spec(ModelKind::Scorecard), &mut |_| {})?;
    let kind = ModelKind::parse(&policy.forecast_model).unwrap_or(ModelKind::Gbdt);
    let forecast = if kind == ModelKind::Scorecard {
        scorecard.clone()
    } else {
        credence_model::train(&rows.table, &target, &spec(kind), &mut |_| {})?
    };
    let pd: Vec<f64> = credence_model::score_table(&scorecard, &columns_of(&rows.table, &scorecard), 0)?
        .iter()
        .map(|s| s.pd)
        .collect();
    Ok(Fitted {
        scorecard_train_auc: credence_model::fit::measure(&rows.label, &pd, &|_| false)?.auc,
        models: Models { scorecard, forecast },
        from_run: None,
        train_accounts_share: sample.num as f64 / sample.den as f64,
        train_rows: rows.table.rows as u64,
        train_events: events as u64,
        trend: trend(ends, rows),
    })
}

/// Grades every account open at `options.as_of` and stores the run. The models are
/// fitted on the last months, or with `options.reuse_models` taken from the latest run
/// at or before the date that fitted them (only the month end itself is read then).
pub fn grade_accounts(
    store: &mut Store,
    policy: &BillingPolicy,
    options: &GradeOptions,
) -> Result<GradeRun, ModelError> {
    let rule = ArrearsRule { days_after_due: policy.arrears_days, min_amount: policy.arrears_min };
    let reused = if options.reuse_models {
        let (run, json) = store
            .latest_billing_models(&options.as_of.to_string())?
            .ok_or(ModelError::NoFittedRun { as_of: options.as_of })?;
        let models: Models = serde_json::from_str(&json).map_err(|source| ModelError::Artefact {
            path: format!("grading run {}", run.id),
            source: credence_model::artefact::ArtefactError::Json(source),
        })?;
        let before: GradeSummary =
            serde_json::from_str(&run.summary).map_err(|source| ModelError::Artefact {
                path: format!("grading run {}", run.id),
                source: credence_model::artefact::ArtefactError::Json(source),
            })?;
        Some(Fitted {
            models,
            from_run: Some(run.id),
            train_accounts_share: before.train_accounts_share,
            train_rows: before.train_rows,
            train_events: before.train_events,
            scorecard_train_auc: before.scorecard_train_auc,
            trend: before.trend,
        })
    } else {
        None
    };
    // The month ends before `as_of` the models learn from, when they are fitted now.
    let mut ends =
        if reused.is_some() { Vec::new() } else { month_ends(options.as_of, policy.train_months + 1) };
    ends.pop();
    let accounts = store.count(credence_records::Kind::Accounts)?;
    let wanted = accounts.saturating_mul(ends.len() as u64);
    let sample =
        if wanted > MAX_TRAIN_ROWS { Sample { num: MAX_TRAIN_ROWS, den: wanted } } else { Sample::ALL };
    let mut kpis = crate::billing_kpi::BillingKpis::new(options.as_of);
    let (rows, scoring) =
        read_rows(store, &ends, &rule, options.as_of, Some(options.as_of), sample, &mut |s, l| {
            kpis.add(s, l)
        })?;
    if scoring.accounts.is_empty() {
        return Err(ModelError::NoOpenAccounts { as_of: options.as_of });
    }
    let fitted = match reused {
        Some(f) => f,
        None => fit(policy, options, &rows, &ends, sample)?,
    };
    drop(rows);
    let Models { scorecard, forecast } = &fitted.models;
    let graded = credence_model::score_table(scorecard, &columns_of(&scoring.table, scorecard), REASONS)?;
    let forecast_pd: Vec<f64> =
        credence_model::score_table(forecast, &columns_of(&scoring.table, forecast), 0)?
            .iter()
            .map(|s| s.pd)
            .collect();
    let mut summary = GradeSummary {
        as_of: options.as_of,
        policy_version: policy.version.clone(),
        arrears_days: policy.arrears_days,
        arrears_min: policy.arrears_min,
        train_months: policy.train_months,
        models_from_run: fitted.from_run,
        train_accounts_share: fitted.train_accounts_share,
        train_rows: fitted.train_rows,
        train_events: fitted.train_events,
        scorecard_train_auc: fitted.scorecard_train_auc,
        forecast_model: forecast.kind.code().to_owned(),
        high_risk_pd: policy.high_risk_pd,
        accounts: scoring.accounts.len() as u64,
        high_risk: 0,
        by_class: BTreeMap::new(),
        high_risk_by_class: BTreeMap::new(),
        by_supply_unit: BTreeMap::new(),
        trend: fitted.trend.clone(),
        kpis,
        scorecard_features: scorecard.features.iter().map(|f| f.name().to_owned()).collect(),
    };
    let mut grades = Vec::with_capacity(scoring.accounts.len());
    for ((account, score), &fpd) in scoring.accounts.iter().zip(&graded).zip(&forecast_pd) {
        let grade = policy.grade_of(score.pd).grade.clone();
        let high_risk = fpd >= policy.high_risk_pd;
        *summary.by_class.entry(account.class.clone()).or_default().entry(grade.clone()).or_default() += 1;
        let unit = summary.by_supply_unit.entry(account.supply_unit.clone()).or_default();
        unit.accounts += 1;
        if high_risk {
            summary.high_risk += 1;
            unit.high_risk += 1;
            *summary.high_risk_by_class.entry(account.class.clone()).or_default() += 1;
        }
        grades.push(AccountGrade {
            account_id: account.account_id.clone(),
            grade,
            points: score.score,
            pd: score.pd,
            forecast_pd: fpd,
            high_risk,
            reasons: serde_json::to_string(&score.reasons).unwrap_or_else(|_| "[]".into()),
        });
    }
    let run = BillingRun {
        id: 0,
        as_of: options.as_of.to_string(),
        policy_version: policy.version.clone(),
        created_at: options.now.clone(),
        created_by: options.by.clone(),
        summary: serde_json::to_string(&summary).unwrap_or_default(),
    };
    let models = match fitted.from_run {
        Some(_) => None,
        None => Some(serde_json::to_string(&fitted.models).map_err(|source| ModelError::Artefact {
            path: "the fitted models".into(),
            source: credence_model::artefact::ArtefactError::Json(source),
        })?),
    };
    let run_id = store.insert_billing_run(&run, &grades, models.as_deref())?;
    Ok(GradeRun { run_id, summary })
}
