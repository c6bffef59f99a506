//! The portfolio (PORT-1): the cockpit's figures over the customers in the caller's
//! scope, and the customers behind any of them, from the warm snapshot.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use credence_engine::types::portfolio::{HeatAxis, OverviewConfig, Position, PositionSort, Selection};
use serde::{Deserialize, Serialize};

use crate::access::Permission;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::routes::{Params, page_bounds};
use crate::state::AppState;

/// Which customers: every filter given must match.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PortfolioQuery {
    /// `red`, `yellow` or `green`.
    pub level: Option<String>,
    /// Only customers under watch.
    pub watch: Option<bool>,
    /// A letter grade, or `unrated`.
    pub grade: Option<String>,
    /// GB/T 4754 section letter.
    pub industry: Option<String>,
    pub region: Option<String>,
    pub business_line: Option<String>,
    /// A group id.
    pub group: Option<String>,
    /// Only customers over their limit.
    pub over_limit: Option<bool>,
    /// Only customers with overdue receivables.
    pub overdue: Option<bool>,
    /// Heat-map columns: `region` (default) or `business_line`.
    pub heat: Option<String>,
    /// Positions: `exposure` (default), `pd`, `overdue`, `over_limit`, `customer_id`, `name`.
    pub sort: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

impl PortfolioQuery {
    pub fn selection(&self) -> Result<Selection, ApiError> {
        let level = match self.level.as_deref() {
            None => None,
            Some(l) => Some(
                <credence_engine::types::control::Level as credence_domain::Labelled>::parse_label(l)
                    .ok_or_else(|| {
                        ApiError::invalid("level", format!("'{l}' is not red, yellow or green"))
                    })?,
            ),
        };
        Ok(Selection {
            level,
            watch: self.watch.unwrap_or(false),
            grade: self.grade.clone(),
            industry: self.industry.clone(),
            region: self.region.clone(),
            business_line: self.business_line.clone(),
            group: self.group.clone(),
            over_limit: self.over_limit.unwrap_or(false),
            overdue: self.overdue.unwrap_or(false),
        })
    }

    pub fn heat_axis(&self) -> Result<HeatAxis, ApiError> {
        match self.heat.as_deref() {
            None | Some("region") => Ok(HeatAxis::Region),
            Some("business_line") => Ok(HeatAxis::BusinessLine),
            Some(other) => {
                Err(ApiError::invalid("heat", format!("'{other}' is not region or business_line")))
            }
        }
    }

    pub fn sort(&self) -> Result<PositionSort, ApiError> {
        Ok(match self.sort.as_deref() {
            None | Some("exposure") => PositionSort::Exposure,
            Some("pd") => PositionSort::Pd,
            Some("overdue") => PositionSort::Overdue,
            Some("over_limit") => PositionSort::OverLimit,
            Some("customer_id") => PositionSort::CustomerId,
            Some("name") => PositionSort::Name,
            Some(other) => {
                return Err(ApiError::invalid(
                    "sort",
                    format!("'{other}' is not exposure, pd, overdue, over_limit, customer_id or name"),
                ));
            }
        })
    }
}

/// Whether the caller's scope admits a position.
pub(crate) fn admits(caller: &Caller) -> impl Fn(&Position) -> bool + '_ {
    move |p: &Position| caller.scope.admits(&p.customer_id, p.org_unit.as_deref(), p.business_line.as_deref())
}

/// A position's name as the caller may see it.
fn shown_name(caller: &Caller, p: &Position) -> String {
    crate::routes::customers::shown_name(caller, &p.name, &p.customer_type)
}

/// The overview of the selected customers in the caller's scope.
pub(crate) async fn overview_for(
    state: &AppState,
    caller: &Caller,
    q: &PortfolioQuery,
) -> Result<credence_engine::types::portfolio::Overview, ApiError> {
    caller.require(Permission::PortfolioRead)?;
    if q.group.is_some() {
        caller.require(Permission::GroupRead)?;
    }
    let selection = q.selection()?;
    let config = OverviewConfig { heat_axis: q.heat_axis()?, ..OverviewConfig::default() };
    let snapshot = crate::warm::snapshot(state).await?;
    // The same view of the same snapshot is the same overview: kept for the next reader
    // until the snapshot is replaced.
    let key = format!(
        "{:?}|{:?}|{:?}|{}|{}|{}",
        caller.scope,
        selection,
        config.heat_axis,
        caller.may(Permission::RatingRead),
        caller.may(Permission::PiiRead),
        caller.may(Permission::GroupRead)
    );
    let poisoned = || ApiError::poisoned("overview cache");
    {
        let mut cache = state.0.overviews.lock().map_err(|_| poisoned())?;
        if !cache.0.as_ref().is_some_and(|s| Arc::ptr_eq(s, &snapshot)) {
            *cache = (Some(snapshot.clone()), Default::default());
        }
        if let Some(o) = cache.1.get(&key) {
            return Ok(o.as_ref().clone());
        }
    }
    let admits = admits(caller);
    let mut o = credence_engine::portfolio_overview(&snapshot.portfolio, &selection, &admits, &config);
    if caller.may(Permission::RatingRead) {
        for l in &mut o.largest {
            if let Some(p) = snapshot.portfolio.position(&l.customer_id) {
                l.name = shown_name(caller, p);
            }
        }
    } else {
        // Figures, not customers: the largest exposures name customers and their grades.
        o.largest.clear();
    }
    if !caller.may(Permission::GroupRead) {
        // Concentration over groups stays a figure; which group is largest is group data.
        o.concentration.largest_group = None;
    }
    let mut cache = state.0.overviews.lock().map_err(|_| poisoned())?;
    if cache.0.as_ref().is_some_and(|s| Arc::ptr_eq(s, &snapshot)) {
        if cache.1.len() >= 256 {
            cache.1.clear();
        }
        cache.1.insert(key, Arc::new(o.clone()));
    }
    Ok(o)
}

/// Overviews of one snapshot as last computed, by view.
pub type OverviewCache = std::sync::Mutex<(
    Option<Arc<credence_engine::PortfolioSnapshot>>,
    std::collections::HashMap<String, Arc<credence_engine::types::portfolio::Overview>>,
)>;

/// The portfolio's figures: levels, grades, heat map, largest exposures, concentration,
/// expected loss and trends, over the customers in scope that match the filters.
#[utoipa::path(
    get,
    path = "/api/v1/portfolio",
    tag = "portfolio",
    params(PortfolioQuery),
    responses((status = 200, body = crate::routes::bodies::OverviewBody), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn overview(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<PortfolioQuery>,
) -> Result<Json<crate::routes::bodies::OverviewBody>, ApiError> {
    overview_for(&state, &caller, &q).await.map(crate::routes::bodies::body)
}

/// A customer's position, without its history.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PositionItem {
    pub customer_id: String,
    pub name: String,
    pub customer_type: String,
    pub industry: String,
    pub region: String,
    pub org_unit: Option<String>,
    pub business_line: Option<String>,
    pub group_id: Option<String>,
    pub grade: Option<String>,
    pub pd: Option<f64>,
    /// `red`, `yellow` or `green`.
    pub level: String,
    pub watch: bool,
    pub exposure: i64,
    pub receivables: i64,
    pub limit: i64,
    pub overdue: i64,
    pub over_90: i64,
    pub utilisation: Option<f64>,
}

/// A page of positions.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PositionPage {
    pub as_of: String,
    /// Currency of every amount (minor units).
    pub currency: String,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
    pub items: Vec<PositionItem>,
}

/// The selected positions in the caller's scope, a page at a time.
pub(crate) async fn positions_for(
    state: &AppState,
    caller: &Caller,
    q: &PortfolioQuery,
) -> Result<PositionPage, ApiError> {
    caller.require(Permission::PortfolioRead)?;
    caller.require(Permission::RatingRead)?;
    // Group membership is group data.
    let group_read = caller.may(Permission::GroupRead);
    if q.group.is_some() {
        caller.require(Permission::GroupRead)?;
    }
    let selection = q.selection()?;
    let sort = q.sort()?;
    let (offset, limit) = page_bounds(q.page, q.per_page)?;
    let snapshot = crate::warm::snapshot(state).await?;
    let admits = admits(caller);
    let list = credence_engine::portfolio_positions(&snapshot.portfolio, &selection, &admits, sort);
    let items = list
        .iter()
        .skip(offset as usize)
        .take(limit as usize)
        .map(|p| PositionItem {
            customer_id: p.customer_id.to_string(),
            name: shown_name(caller, p),
            customer_type: p.customer_type.clone(),
            industry: p.industry.clone(),
            region: p.region.clone(),
            org_unit: p.org_unit.clone(),
            business_line: p.business_line.clone(),
            group_id: p.group_id.clone().filter(|_| group_read),
            grade: p.grade.clone(),
            pd: p.pd,
            level: p.level.to_string(),
            watch: p.watch,
            exposure: p.exposure,
            receivables: p.receivables,
            limit: p.limit,
            overdue: p.overdue,
            over_90: p.over_90,
            utilisation: p.utilisation(),
        })
        .collect();
    Ok(PositionPage {
        as_of: snapshot.portfolio.as_of.to_string(),
        currency: snapshot.portfolio.currency.code().to_owned(),
        total: list.len() as u64,
        page: offset / limit + 1,
        per_page: limit,
        items,
    })
}

/// The customers behind a figure: positions in scope matching the filters, sorted.
#[utoipa::path(
    get,
    path = "/api/v1/portfolio/positions",
    tag = "portfolio",
    params(PortfolioQuery),
    responses((status = 200, body = PositionPage), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn positions(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<PortfolioQuery>,
) -> Result<Json<PositionPage>, ApiError> {
    positions_for(&state, &caller, &q).await.map(Json)
}

/// The routes of this area.
pub fn router() -> axum::Router<crate::state::AppState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/api/v1/portfolio", get(overview))
        .route("/api/v1/portfolio/positions", get(positions))
}
