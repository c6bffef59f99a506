//! What the system measures and watches: the indicator catalogue (IND-5) and the
//! early-warning rule pack (CTRL-5) with each rule's back-tested performance.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};

use crate::access::Permission;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::routes::Params;
use crate::state::AppState;

/// The indicator catalogue.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CatalogueView {
    pub version: String,
    /// The indicators the caller may see, in catalogue order.
    #[schema(value_type = Vec<Object>)]
    pub indicators: Vec<credence_indicators::IndicatorDef>,
}

/// The indicator catalogue: names in both languages, unit, direction, formula and
/// thresholds by industry with their source (only the indicators the caller may see).
#[utoipa::path(
    get,
    path = "/api/v1/indicators",
    tag = "indicators",
    responses((status = 200, body = CatalogueView), (status = 403, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn indicators(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<CatalogueView>, ApiError> {
    caller.require(Permission::CustomerRead)?;
    let c = &state.0.catalogue;
    Ok(Json(CatalogueView {
        version: c.version().to_owned(),
        indicators: c
            .indicators()
            .iter()
            .filter(|d| caller.sees_indicator(&d.id, d.group == credence_indicators::Group::Financial))
            .cloned()
            .collect(),
    }))
}

/// The rule pack.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RulePackView {
    pub version: String,
    #[schema(value_type = Vec<Object>)]
    pub rules: Vec<credence_warning::Rule>,
}

/// The early-warning rule pack in force: every rule's code, names, level, condition,
/// action and source.
#[utoipa::path(
    get,
    path = "/api/v1/rules",
    tag = "warnings",
    responses((status = 200, body = RulePackView), (status = 403, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn rules(State(state): State<AppState>, caller: Caller) -> Result<Json<RulePackView>, ApiError> {
    caller.require(Permission::AlertRead)?;
    let pack = &state.0.pack;
    Ok(Json(RulePackView { version: pack.version().to_owned(), rules: pack.rules().to_vec() }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PerformanceQuery {
    /// Last evaluation date (default: a year before the business date, so every date has
    /// a full horizon behind it). `YYYY-MM-DD`.
    #[param(value_type = Option<String>)]
    pub to: Option<chrono::NaiveDate>,
}

/// The rules' performance as last measured: (last date, data stamp, report).
pub type RulePerformanceCache =
    std::sync::Mutex<Option<(chrono::NaiveDate, String, Arc<credence_engine::RulesPerformanceReport>)>>;

/// Each rule of the pack measured like a model over the stored history (quarterly
/// evaluation dates over two years up to `to`, defaults within 12 months): precision,
/// recall, median lead time and false-alarm rate. The result is kept until the data
/// change.
pub(crate) async fn performance_report(
    state: &AppState,
    to: chrono::NaiveDate,
) -> Result<Arc<credence_engine::RulesPerformanceReport>, ApiError> {
    state
        .in_background(move |store, shared| {
            let stamp = store.data_stamp()?;
            let cache = &shared.rule_performance;
            if let Some((d, s, r)) =
                cache.lock().map_err(|_| ApiError::Internal("cache lock poisoned".into()))?.as_ref()
                && *d == to
                && *s == stamp
            {
                return Ok(r.clone());
            }
            let dates = credence_engine::evaluation_dates(to - chrono::Months::new(24), to, 3);
            let report = Arc::new(credence_engine::rules_performance(store, &shared.pack, &dates, 12)?);
            *cache.lock().map_err(|_| ApiError::Internal("cache lock poisoned".into()))? =
                Some((to, stamp, report.clone()));
            Ok(report)
        })
        .await
}

/// Each warning rule's precision, recall, lead time and false alarms on the history.
#[utoipa::path(
    get,
    path = "/api/v1/rules/performance",
    tag = "warnings",
    params(PerformanceQuery),
    responses((status = 200, body = Object), (status = 403, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn performance(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<PerformanceQuery>,
) -> Result<Json<credence_engine::RulesPerformanceReport>, ApiError> {
    caller.require(Permission::ModelRead)?;
    whole_portfolio(&caller)?;
    let to = q.to.unwrap_or_else(|| state.today() - chrono::Months::new(12));
    Ok(Json(performance_report(&state, to).await?.as_ref().clone()))
}

/// Reports over the whole portfolio are for callers whose scope is the whole portfolio.
pub(crate) fn whole_portfolio(caller: &Caller) -> Result<(), ApiError> {
    if caller.scope.is_whole_portfolio() {
        Ok(())
    } else {
        Err(ApiError::forbidden("this report covers the whole portfolio; your data scope is narrower"))
    }
}
