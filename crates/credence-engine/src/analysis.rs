//! How well indicators and ratings separate customers that later defaulted: the
//! quarterly indicator effectiveness check (IND-5) and a rating run's back-test.

use crate::EngineError;
use crate::credit_file::load_credit_files;
use chrono::NaiveDate;
use credence_indicators::effectiveness::{Recommendation, assess, auc};
use credence_indicators::{Catalogue, EvalOptions};
use credence_store::Store;
use std::collections::{BTreeMap, HashMap};

/// Observed defaults: customer → first default date.
pub(crate) fn default_dates(store: &mut Store) -> Result<HashMap<String, NaiveDate>, EngineError> {
    Ok(store
        .first_event_dates("default")?
        .into_iter()
        .filter_map(|(c, d)| d.parse().ok().map(|d| (c, d)))
        .collect())
}

pub(crate) fn horizon_end(as_of: NaiveDate, months: u32) -> NaiveDate {
    as_of.checked_add_months(chrono::Months::new(months)).unwrap_or(NaiveDate::MAX)
}

/// One indicator's effectiveness.
#[derive(Debug, Clone, serde::Serialize)]
pub struct EffectivenessRow {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    /// Customers with a value.
    pub observations: u64,
    pub information_value: Option<f64>,
    /// AUC in the indicator's declared direction (0.5 = no separation).
    pub auc: Option<f64>,
    pub recommendation: Option<Recommendation>,
}

/// The effectiveness check of a whole catalogue.
#[derive(Debug, Clone, serde::Serialize)]
pub struct EffectivenessReport {
    pub as_of: NaiveDate,
    pub horizon_months: u32,
    /// Customers not in default at `as_of`.
    pub customers: u64,
    /// Of those, customers that defaulted within the horizon.
    pub defaults: u64,
    pub rows: Vec<EffectivenessRow>,
}

/// Evaluates every indicator at `as_of` for every customer not yet in default and measures
/// how well it separates those that defaulted within `horizon_months`.
pub fn indicator_effectiveness(
    store: &mut Store,
    catalogue: &Catalogue,
    as_of: NaiveDate,
    horizon_months: u32,
) -> Result<EffectivenessReport, EngineError> {
    let defaults = default_dates(store)?;
    let end = horizon_end(as_of, horizon_months);
    let ids = store.customer_ids()?;
    let n = catalogue.indicators().len();
    let mut columns: Vec<Vec<Option<f64>>> = vec![Vec::new(); n];
    let mut target = Vec::new();
    for chunk in ids.chunks(4_000) {
        for c in load_credit_files(store, chunk)? {
            let id = c.customer_id();
            let defaulted_on = defaults.get(id).copied();
            if defaulted_on.is_some_and(|d| d <= as_of) {
                continue;
            }
            let Ok((file, _)) = &c.file else { continue };
            let set = catalogue.evaluate(file, as_of, &EvalOptions { trends: false });
            for (col, v) in columns.iter_mut().zip(&set.values) {
                col.push(v.value.filter(|x| x.is_finite()));
            }
            target.push(defaulted_on.is_some_and(|d| d <= end));
        }
    }
    let rows = catalogue
        .indicators()
        .iter()
        .zip(&columns)
        .map(|(def, values)| {
            let e = assess(values, &target, def.direction, 10);
            EffectivenessRow {
                id: def.id.clone(),
                name_zh: def.name_zh.clone(),
                name_en: def.name_en.clone(),
                observations: values.iter().filter(|v| v.is_some()).count() as u64,
                information_value: e.information_value,
                auc: e.oriented_auc,
                recommendation: e.recommendation,
            }
        })
        .collect();
    Ok(EffectivenessReport {
        as_of,
        horizon_months,
        customers: target.len() as u64,
        defaults: target.iter().filter(|d| **d).count() as u64,
        rows,
    })
}

/// Default rate of one grade in a back-test.
#[derive(Debug, Clone, serde::Serialize)]
pub struct GradeOutcome {
    pub grade: String,
    pub customers: u64,
    pub defaults: u64,
    pub default_rate: f64,
    /// Mean PD the rating gave the grade's customers.
    pub mean_pd: f64,
}

/// How a rating run's grades compare with the defaults that followed.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RatingPerformance {
    pub run_id: i64,
    pub as_of: String,
    pub horizon_months: u32,
    pub customers: u64,
    pub defaults: u64,
    /// AUC of the score against default within the horizon (higher score = safer).
    pub auc: Option<f64>,
    /// Letter grades from best to worst.
    pub letter_grades: Vec<GradeOutcome>,
    pub point_grades: Vec<GradeOutcome>,
}

fn outcomes(stats: BTreeMap<String, (u64, u64, f64)>, order: &[&str]) -> Vec<GradeOutcome> {
    let rank = |g: &str| order.iter().position(|o| *o == g).unwrap_or(order.len());
    let mut rows: Vec<GradeOutcome> = stats
        .into_iter()
        .map(|(grade, (n, d, pd))| GradeOutcome {
            grade,
            customers: n,
            defaults: d,
            default_rate: d as f64 / n as f64,
            mean_pd: pd / n as f64,
        })
        .collect();
    rows.sort_by_key(|r| rank(&r.grade));
    rows
}

/// Back-tests a stored rating run: customers not in default at the run's as-of date,
/// against defaults within `horizon_months` after it.
pub fn rating_performance(
    store: &mut Store,
    run_id: i64,
    horizon_months: u32,
    grade_order: &[&str],
) -> Result<RatingPerformance, EngineError> {
    let run = store
        .rating_runs(u32::MAX)?
        .into_iter()
        .find(|r| r.id == run_id)
        .ok_or(EngineError::UnknownRatingRun { id: run_id })?;
    let as_of: NaiveDate = run.as_of.parse().map_err(|_| EngineError::UnknownRatingRun { id: run_id })?;
    let end = horizon_end(as_of, horizon_months);
    let defaults = default_dates(store)?;
    let mut scores = Vec::new();
    let mut target = Vec::new();
    let mut letters: BTreeMap<String, (u64, u64, f64)> = BTreeMap::new();
    let mut points: BTreeMap<String, (u64, u64, f64)> = BTreeMap::new();
    store.ratings_of_run(run_id, |r| {
        let d = defaults.get(r.rating.customer_id.as_str()).copied();
        if d.is_some_and(|d| d <= as_of) {
            return Ok(());
        }
        let hit = d.is_some_and(|d| d <= end);
        scores.push(-r.rating.score); // AUC counts high values as risky
        target.push(hit);
        for (map, grade) in [(&mut letters, &r.rating.letter_grade), (&mut points, &r.rating.point_grade)] {
            let e = map.entry(grade.clone()).or_default();
            e.0 += 1;
            e.1 += u64::from(hit);
            e.2 += r.rating.pd;
        }
        Ok(())
    })?;
    Ok(RatingPerformance {
        run_id,
        as_of: run.as_of,
        horizon_months,
        customers: target.len() as u64,
        defaults: target.iter().filter(|d| **d).count() as u64,
        auc: auc(&scores, &target),
        letter_grades: outcomes(letters, grade_order),
        point_grades: outcomes(points, &["AAA", "AA", "A", "B", "C"]),
    })
}

/// How customers moved between letter grades from one rating run to another (RATE-6).
#[derive(Debug, Clone, serde::Serialize)]
pub struct MigrationMatrix {
    pub from_run: i64,
    pub to_run: i64,
    /// Grades from best to worst; rows are the `from` grade, columns the `to` grade.
    pub grades: Vec<String>,
    pub counts: Vec<Vec<u64>>,
    /// Customers rated in both runs.
    pub customers: u64,
    pub upgraded: u64,
    pub downgraded: u64,
}

/// The letter-grade migration matrix between two runs, with overrides in force applied.
pub fn rating_migration(
    store: &mut Store,
    from_run: i64,
    to_run: i64,
    grade_order: &[&str],
) -> Result<MigrationMatrix, EngineError> {
    let mut grade_of_run = |run: i64| -> Result<HashMap<String, String>, EngineError> {
        if !store.rating_runs(u32::MAX)?.iter().any(|r| r.id == run) {
            return Err(EngineError::UnknownRatingRun { id: run });
        }
        let overrides = store.overrides_of_run(run)?;
        let mut grades = HashMap::new();
        store.ratings_of_run(run, |r| {
            let grade = overrides.get(&r.id).map_or(r.rating.letter_grade, |o| o.letter_grade.clone());
            grades.insert(r.rating.customer_id.into(), grade);
            Ok(())
        })?;
        Ok(grades)
    };
    let before = grade_of_run(from_run)?;
    let after = grade_of_run(to_run)?;
    let grades: Vec<String> = grade_order.iter().map(|g| (*g).to_owned()).collect();
    let rank = |g: &str| grades.iter().position(|x| x == g);
    let mut counts = vec![vec![0; grades.len()]; grades.len()];
    let (mut customers, mut upgraded, mut downgraded) = (0, 0, 0);
    for (customer, from) in &before {
        let (Some(to), Some(i)) = (after.get(customer), rank(from)) else { continue };
        let Some(j) = rank(to) else { continue };
        counts[i][j] += 1;
        customers += 1;
        upgraded += u64::from(j < i);
        downgraded += u64::from(j > i);
    }
    Ok(MigrationMatrix { from_run, to_run, grades, counts, customers, upgraded, downgraded })
}
