//! The credit file at a glance (`credence customer show`): master data, latest indicators
//! with trends and industry medians, the rating with its breakdown, history and
//! migrations.

use crate::EngineError;
use crate::columns::customers;
use crate::rate::RatingDetail;
use credence_domain::Timestamp;
use credence_indicators::{Catalogue, IndicatorValue};

use credence_store::{OverrideRequest, Store, StoredOverride, StoredRating};
use std::collections::HashMap;

/// One indicator as shown on the customer's page.
#[derive(Debug, Clone, serde::Serialize)]
pub struct IndicatorLine {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub unit: String,
    pub higher_is_better: bool,
    #[serde(flatten)]
    pub value: IndicatorValue,
    /// Median of the customer's industry in the same rating run.
    pub peer_median: Option<f64>,
}

/// A past rating, for the history table.
#[derive(Debug, Clone, serde::Serialize)]
pub struct HistoryLine {
    pub rating_id: i64,
    pub run_id: i64,
    pub as_of: String,
    pub score: f64,
    pub pd: f64,
    pub letter_grade: String,
    pub point_grade: String,
    pub overridden: Option<StoredOverride>,
}

/// A change of letter grade between two consecutive ratings.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Migration {
    pub from_as_of: String,
    pub to_as_of: String,
    pub from_grade: String,
    pub to_grade: String,
}

/// Everything `customer show` prints.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CustomerView {
    /// (column, Chinese name, value) of the master record, non-empty ones.
    pub master: Vec<(String, String, String)>,
    /// The latest rating with its breakdown; without lines when the breakdown cannot be
    /// reproduced (see `breakdown_unavailable`).
    pub rating: Option<RatingDetail>,
    /// Why the latest rating's breakdown cannot be shown, when it cannot.
    pub breakdown_unavailable: Option<crate::rate::Unreproducible>,
    pub rating_id: Option<i64>,
    pub override_in_force: Option<StoredOverride>,
    pub indicators: Vec<IndicatorLine>,
    /// Whether the customer's records changed since the latest rating (the indicators
    /// shown are computed from the current records).
    pub data_changed_since_rating: bool,
    pub history: Vec<HistoryLine>,
    pub migrations: Vec<Migration>,
}

/// Where a customer page's indicators come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndicatorSource {
    /// Computed from the customer's current records at the latest rating's as-of date,
    /// with trends (QoQ, YoY, 3-year).
    Records,
    /// The values the latest rating was computed from (no trends); when it was never rated
    /// or its breakdown cannot be reproduced, those of `Records`.
    Rating,
}

/// Reads a customer's page. Indicators come from `source`, at the latest rating's as-of
/// date (`today` when never rated), with the industry medians of that rating run.
pub fn customer_view(
    store: &mut Store,
    catalogue: &Catalogue,
    model: &credence_rating::ScorecardModel,
    id: &str,
    today: chrono::NaiveDate,
    source: IndicatorSource,
) -> Result<CustomerView, EngineError> {
    let customer = store
        .record(credence_records::Kind::Customers, id)?
        .ok_or_else(|| EngineError::UnknownCustomer { id: id.to_owned() })?;
    let master = customer
        .schema()
        .fields
        .iter()
        .zip(customer.to_cells())
        .filter(|(_, v)| !v.is_empty())
        .map(|(f, v)| (f.name.to_owned(), f.zh.to_owned(), v))
        .collect();
    let history = store.rating_history(id)?;
    let latest = history.first().cloned();
    let (rating, breakdown_unavailable) = match &latest {
        Some(r) => match crate::rate::rating_detail(store, catalogue, model, r)? {
            Ok(detail) => (Some(detail), None),
            Err(reason) => (Some(summary_only(r)), Some(reason)),
        },
        None => (None, None),
    };
    let industry = customers::INDUSTRY.text(&customer).unwrap_or_default().to_owned();
    let medians: HashMap<String, f64> = match &latest {
        Some(r) => store.benchmarks(r.run_id, &industry)?,
        None => HashMap::new(),
    };
    let as_of = latest.as_ref().and_then(|r| r.rating.as_of.parse().ok()).unwrap_or(today);
    let line = |def: &credence_indicators::IndicatorDef, value: IndicatorValue| IndicatorLine {
        id: value.id.clone(),
        name_zh: def.name_zh.clone(),
        name_en: def.name_en.clone(),
        unit: def.unit.code().to_owned(),
        higher_is_better: matches!(def.direction, credence_indicators::Direction::HigherBetter),
        peer_median: medians.get(&value.id).copied(),
        value,
    };
    let (indicators, data_changed_since_rating) = match (source, &rating, &latest) {
        (IndicatorSource::Rating, Some(detail), Some(stored)) if breakdown_unavailable.is_none() => {
            let defs = catalogue.indicators();
            let lines = rated_values(catalogue, detail).into_iter().map(|(i, v)| line(&defs[i], v)).collect();
            (lines, store.data_version(id)? > stored.rating.data_version)
        }
        // Without a reproducible breakdown (or without a rating) the values are the
        // records' now.
        _ => match crate::credit_file::load_credit_files(store, &[id.to_owned()])?.into_iter().next() {
            Some(c) => {
                let changed = latest.as_ref().is_some_and(|r| {
                    crate::rate::inputs_hash(
                        &c.head,
                        as_of,
                        &r.rating.model_version,
                        &r.rating.catalogue_version,
                    ) != r.rating.inputs_hash
                });
                let (file, _) =
                    c.file.map_err(|reason| EngineError::UnreadableCustomer { id: id.to_owned(), reason })?;
                let set =
                    catalogue.evaluate(&file, as_of, &credence_indicators::EvalOptions { trends: true });
                let lines =
                    set.values.into_iter().zip(catalogue.indicators()).map(|(v, def)| line(def, v)).collect();
                (lines, changed)
            }
            None => (Vec::new(), false),
        },
    };
    let (lines, migrations) = history_lines(&history);
    Ok(CustomerView {
        master,
        rating,
        breakdown_unavailable,
        rating_id: latest.as_ref().map(|r| r.id),
        override_in_force: latest.and_then(|r| r.overridden),
        indicators,
        data_changed_since_rating,
        history: lines,
        migrations,
    })
}

/// A stored rating's grades, score and PD, without the breakdown.
fn summary_only(r: &StoredRating) -> RatingDetail {
    let n = &r.rating;
    RatingDetail {
        rating: credence_rating::Rating {
            customer_id: n.customer_id.clone(),
            as_of: n.as_of.parse().unwrap_or_default(),
            model_version: n.model_version.clone(),
            catalogue_version: n.catalogue_version.clone(),
            score: n.score,
            grade_pd: n.pd,
            pd: n.pd,
            letter_grade: n.letter_grade.clone(),
            point_grade: n.point_grade.clone(),
            grade_before_knockouts: (n.model_letter_grade.clone(), n.model_point_grade.clone()),
            ..credence_rating::Rating::default()
        },
        unscored: Vec::new(),
        qualitative: Vec::new(),
        flags: Vec::new(),
    }
}

/// The customer's ratings, newest first, with the grade in force (an override's when
/// there is one), and the changes of letter grade between consecutive ones.
fn history_lines(history: &[StoredRating]) -> (Vec<HistoryLine>, Vec<Migration>) {
    let lines: Vec<HistoryLine> = history
        .iter()
        .map(|r| HistoryLine {
            rating_id: r.id,
            run_id: r.run_id,
            as_of: r.rating.as_of.clone(),
            score: r.rating.score,
            pd: r.rating.pd,
            letter_grade: r
                .overridden
                .as_ref()
                .map_or(r.rating.letter_grade.clone(), |o| o.letter_grade.clone()),
            point_grade: r
                .overridden
                .as_ref()
                .map_or(r.rating.point_grade.clone(), |o| o.point_grade.clone()),
            overridden: r.overridden.clone(),
        })
        .collect();
    let migrations = lines
        .windows(2)
        .filter(|w| w[0].letter_grade != w[1].letter_grade)
        .map(|w| Migration {
            from_as_of: w[1].as_of.clone(),
            to_as_of: w[0].as_of.clone(),
            from_grade: w[1].letter_grade.clone(),
            to_grade: w[0].letter_grade.clone(),
        })
        .collect();
    (lines, migrations)
}

/// The indicator values a rating was computed from, in catalogue order: the scored
/// lines' and the unscored values stored with it.
fn rated_values(catalogue: &Catalogue, detail: &RatingDetail) -> Vec<(usize, IndicatorValue)> {
    let mut values: HashMap<&str, (Option<f64>, Option<String>)> = detail
        .rating
        .lines
        .iter()
        .filter(|l| !l.qualitative)
        .map(|l| (l.indicator.as_str(), (l.value, l.missing.clone())))
        .collect();
    for (id, v) in &detail.unscored {
        values.entry(id.as_str()).or_insert((*v, None));
    }
    catalogue
        .indicators()
        .iter()
        .enumerate()
        .filter_map(|(i, def)| {
            let (value, missing) = values.remove(def.id.as_str())?;
            Some((
                i,
                IndicatorValue {
                    id: def.id.clone(),
                    missing: missing.or_else(|| value.is_none().then(|| "no value".to_owned())),
                    value,
                    period_end: None,
                    trend: None,
                },
            ))
        })
        .collect()
}

/// The authority a user needs to approve rating overrides (granted like the credit
/// policy's approval levels, to named people).
pub const RATING_APPROVER: &str = "rating_approver";

/// Enters an override of the grade of a customer's latest rating (RATE-3): the scorecard
/// checks the grade and reason; the approver must be a real, enabled user other than the
/// author who holds [`RATING_APPROVER`]. The override waits for that approver
/// ([`decide_override`]); until then the rating in force does not change.
pub fn override_rating(
    store: &mut Store,
    model: &credence_rating::ScorecardModel,
    customer_id: &str,
    request: &credence_rating::Override,
    entered_by: &str,
    now: &Timestamp,
) -> Result<OverrideRequest, EngineError> {
    let history = store.rating_history(customer_id)?;
    let latest = history.first().ok_or_else(|| EngineError::NotRated { id: customer_id.to_owned() })?;
    // The override needs the grades, PD and model version, not the breakdown.
    let mut detail = summary_only(latest);
    // An earlier override of the same rating is the starting point of this one.
    if let Some(o) = &latest.overridden {
        detail.rating.letter_grade = o.letter_grade.clone();
        detail.rating.point_grade = o.point_grade.clone();
    }
    let applied = model.apply_override(&detail.rating, request).map_err(EngineError::Override)?;
    if request.approver == entered_by {
        return Err(EngineError::IneligibleApprover {
            approver: request.approver.clone(),
            reason: "the author of an override cannot approve it",
        });
    }
    check_approver(store, &request.approver)?;
    let mut stored = OverrideRequest {
        id: 0,
        rating_id: latest.id,
        customer_id: customer_id.into(),
        letter_grade: applied.letter_grade,
        point_grade: applied.point_grade,
        reason: request.reason.clone(),
        approver: request.approver.clone(),
        entered_by: entered_by.to_owned(),
        entered_at: now.to_owned(),
        status: credence_domain::RequestStatus::Pending.into(),
        decided_at: None,
        decision_comment: None,
        override_id: None,
    };
    stored.id = store.insert_override_request(&stored)?;
    Ok(stored)
}

/// Whether a user may approve rating overrides: exists, enabled, holds the authority.
fn check_approver(store: &mut Store, approver: &str) -> Result<(), EngineError> {
    let ineligible = |reason| EngineError::IneligibleApprover { approver: approver.to_owned(), reason };
    let user = store.user(approver)?.ok_or_else(|| ineligible("there is no such user"))?;
    if user.disabled {
        return Err(ineligible("the user is disabled"));
    }
    if !store.authorities(user.id)?.iter().any(|a| a.authority == RATING_APPROVER) {
        return Err(ineligible("the user does not hold the rating_approver authority"));
    }
    Ok(())
}

/// The approver's decision on a pending override: approved, it is put in force beside the
/// rating it was entered against; rejected (with a comment), nothing changes. Only the
/// approver the override names decides, while they still hold the authority, and only
/// while that rating is still the customer's latest. The request as it is afterwards.
pub fn decide_override(
    store: &mut Store,
    id: i64,
    approve: bool,
    by: &str,
    comment: &str,
    now: &Timestamp,
) -> Result<OverrideRequest, EngineError> {
    let request = store.override_request(id)?.ok_or(EngineError::UnknownOverride { id })?;
    if request.status != credence_domain::RequestStatus::Pending {
        return Err(EngineError::OverrideDecided { id, status: request.status });
    }
    if request.approver != by {
        return Err(EngineError::NotTheApprover { id, approver: request.approver });
    }
    check_approver(store, by)?;
    if !approve && comment.trim().is_empty() {
        return Err(EngineError::CommentRequired);
    }
    let latest = store.rating_history(&request.customer_id)?.first().map(|r| r.id);
    if approve && latest != Some(request.rating_id) {
        return Err(EngineError::OverrideSuperseded { id, customer: request.customer_id.into() });
    }
    if store.decide_override_request(id, approve, comment, now)?.is_none() {
        let status = store.override_request(id)?.map(|r| r.status).unwrap_or_default();
        return Err(EngineError::OverrideDecided { id, status });
    }
    store.override_request(id)?.ok_or(EngineError::UnknownOverride { id })
}

/// Each indicator's values at a list of dates: (indicator id, value at each date).
pub type IndicatorSeries = Vec<(String, Vec<Option<f64>>)>;

/// A customer's indicators at several dates (in the order given), computed from its
/// current records: the series behind the trend charts of the customer page. Indicators
/// not in the catalogue are left out.
pub fn indicator_series(
    store: &mut Store,
    catalogue: &Catalogue,
    id: &str,
    dates: &[chrono::NaiveDate],
    wanted: &[&str],
) -> Result<IndicatorSeries, EngineError> {
    let Some(c) = crate::credit_file::load_credit_files(store, &[id.to_owned()])?.into_iter().next() else {
        return Err(EngineError::UnknownCustomer { id: id.to_owned() });
    };
    let (file, _) = c.file.map_err(|reason| EngineError::UnreadableCustomer { id: id.to_owned(), reason })?;
    let positions: Vec<(usize, &str)> = wanted
        .iter()
        .filter_map(|w| catalogue.indicators().iter().position(|d| d.id == *w).map(|i| (i, *w)))
        .collect();
    let mut out: Vec<(String, Vec<Option<f64>>)> =
        positions.iter().map(|(_, w)| ((*w).to_owned(), Vec::with_capacity(dates.len()))).collect();
    for &d in dates {
        let set = catalogue.evaluate(&file, d, &credence_indicators::EvalOptions { trends: false });
        for ((i, _), (_, series)) in positions.iter().zip(out.iter_mut()) {
            series.push(set.values.get(*i).and_then(|v| v.value));
        }
    }
    Ok(out)
}
