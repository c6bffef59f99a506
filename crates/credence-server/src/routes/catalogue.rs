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
    pub indicators: Vec<crate::routes::catalogue_bodies::IndicatorDefBody>,
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
    let c = &state.0.artefacts().catalogue;
    Ok(Json(CatalogueView {
        version: c.version().to_owned(),
        indicators: c
            .indicators()
            .iter()
            .filter(|d| {
                caller.sees_indicator(&d.id, d.group == credence_engine::types::indicators::Group::Financial)
            })
            .map(Into::into)
            .collect(),
    }))
}

/// The rule pack.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RulePackView {
    pub version: String,
    pub rules: Vec<crate::routes::catalogue_bodies::RuleBody>,
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
    let pack = &state.0.artefacts().pack;
    Ok(Json(RulePackView {
        version: pack.version().to_owned(),
        rules: pack.rules().iter().map(Into::into).collect(),
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PerformanceQuery {
    /// Last evaluation date (default: a year before the business date, so every date has
    /// a full horizon behind it). `YYYY-MM-DD`.
    #[param(value_type = Option<String>)]
    pub to: Option<chrono::NaiveDate>,
}

/// Each rule of the pack measured like a model over the stored history (quarterly
/// evaluation dates over two years up to `to`, defaults within 12 months): precision,
/// recall, median lead time and false-alarm rate. Kept until the data change; `None`
/// while it is still being measured (a large portfolio takes a while).
pub(crate) async fn performance_report(
    state: &AppState,
    to: chrono::NaiveDate,
    wait: std::time::Duration,
) -> Result<Option<Arc<credence_engine::RulesPerformanceReport>>, ApiError> {
    let stamp = state.with_store(|store, _| Ok(store.data_stamp()?)).await?;
    crate::reports::LongReport::get(
        state,
        |s| &s.rule_performance,
        format!("{to}|{stamp}"),
        wait,
        move |store, shared| {
            let dates = credence_engine::evaluation_dates(to - chrono::Months::new(24), to, 3);
            Ok(credence_engine::rules_performance(store, &shared.artefacts().pack, &dates, 12)?)
        },
    )
    .await
}

/// Each warning rule's precision, recall, lead time and false alarms on the history.
/// Measured in the background on first request after the data change: 202 while it is.
#[utoipa::path(
    get,
    path = "/api/v1/rules/performance",
    tag = "warnings",
    params(PerformanceQuery),
    responses(
        (status = 200, body = crate::routes::bodies::RulesPerformanceBody),
        (status = 202, body = crate::routes::bodies::MeasuringBody, description = "being measured; ask again shortly"),
        (status = 403, body = crate::error::ErrorBody)
    ),
    security(("session" = []), ("token" = []))
)]
pub async fn performance(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<PerformanceQuery>,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    caller.require(Permission::ModelRead)?;
    whole_portfolio(&caller)?;
    let to = q.to.unwrap_or_else(|| state.today() - chrono::Months::new(12));
    Ok(match performance_report(&state, to, std::time::Duration::from_secs(20)).await? {
        Some(r) => Json(crate::routes::bodies::RulesPerformanceBody::from(r.as_ref())).into_response(),
        None => (
            axum::http::StatusCode::ACCEPTED,
            Json(crate::routes::bodies::MeasuringBody {
                message: "the rules are being measured on the history; ask again shortly".into(),
                status: "measuring".into(),
            }),
        )
            .into_response(),
    })
}

/// Reports over the whole portfolio are for callers whose scope is the whole portfolio.
pub(crate) fn whole_portfolio(caller: &Caller) -> Result<(), ApiError> {
    if caller.scope.is_whole_portfolio() {
        Ok(())
    } else {
        Err(ApiError::forbidden("this report covers the whole portfolio; your data scope is narrower"))
    }
}

/// The routes of this area.
pub fn router() -> axum::Router<crate::state::AppState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/api/v1/indicators", get(indicators))
        .route("/api/v1/rules", get(rules))
        .route("/api/v1/rules/performance", get(performance))
}
