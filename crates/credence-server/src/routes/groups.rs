//! Groups and related parties (CTRL-10): group customers by exposure against their
//! limits, one group with every member's evidence, and a customer's ties with its
//! neighbourhood in the relationship graph.
//!
//! Group identification crosses business lines and organisation units, so the group
//! lists are for callers whose scope is the whole portfolio; a customer's own ties are
//! shown to anyone who may see the customer.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};

use crate::access::{Permission, mask_name};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::routes::catalogue::whole_portfolio;
use crate::routes::{Params, scoped_customer};
use crate::state::{AppState, Shared};

/// The relationship graph as last built: (date, data stamp, graph).
pub type PartiesCache =
    std::sync::Mutex<Option<(chrono::NaiveDate, String, Arc<credence_engine::RelatedParties>)>>;

/// The relationship graph as of the date, rebuilt when the data changed.
pub(crate) fn related_parties(
    store: &mut credence_store::Store,
    shared: &Shared,
    as_of: chrono::NaiveDate,
) -> Result<Arc<credence_engine::RelatedParties>, ApiError> {
    let stamp = store.data_stamp()?;
    let poisoned = || ApiError::Internal("cache lock poisoned".into());
    if let Some((d, s, p)) = shared.parties.lock().map_err(|_| poisoned())?.as_ref()
        && *d == as_of
        && *s == stamp
    {
        return Ok(p.clone());
    }
    let parties =
        Arc::new(credence_engine::related_parties(store, as_of, credence_groups::GroupConfig::builtin())?);
    *shared.parties.lock().map_err(|_| poisoned())? = Some((as_of, stamp, parties.clone()));
    Ok(parties)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct GroupQuery {
    /// Only groups over their limit.
    pub over_limit: Option<bool>,
    /// At most this many (1–1,000, default 100), largest exposure first.
    pub limit: Option<usize>,
}

/// The groups.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct GroupList {
    pub as_of: String,
    /// Currency of every amount (minor units).
    pub currency: String,
    pub total: usize,
    #[schema(value_type = Vec<Object>)]
    pub groups: Vec<credence_engine::GroupLine>,
}

/// Group customers, largest exposure first, with their exposure against the group limit.
#[utoipa::path(
    get,
    path = "/api/v1/groups",
    tag = "groups",
    params(GroupQuery),
    responses((status = 200, body = GroupList), (status = 403, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<GroupQuery>,
) -> Result<Json<GroupList>, ApiError> {
    caller.require(Permission::GroupRead)?;
    whole_portfolio(&caller)?;
    let limit = q.limit.unwrap_or(100);
    if !(1..=1_000).contains(&limit) {
        return Err(ApiError::invalid("limit", "must be 1–1,000"));
    }
    let as_of = state.today();
    state
        .with_store(move |store, shared| {
            let parties = related_parties(store, shared, as_of)?;
            let exposures = credence_engine::Exposures::load(store, as_of, shared.policy.currency)?;
            let mut groups = parties.list(&exposures);
            if q.over_limit == Some(true) {
                groups.retain(|g| g.exposure.over_limit);
            }
            let total = groups.len();
            groups.truncate(limit);
            Ok(GroupList {
                as_of: as_of.to_string(),
                currency: shared.policy.currency.code().to_owned(),
                total,
                groups,
            })
        })
        .await
        .map(Json)
}

/// One group: how it was identified (each member's rule and ownership path), its
/// exposure against its limit, and each customer member's exposure.
#[utoipa::path(
    get,
    path = "/api/v1/groups/{id}",
    tag = "groups",
    params(("id" = String, Path)),
    responses((status = 200, body = Object), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<credence_engine::GroupDetail>, ApiError> {
    caller.require(Permission::GroupRead)?;
    whole_portfolio(&caller)?;
    let as_of = state.today();
    state
        .with_store(move |store, shared| {
            let parties = related_parties(store, shared, as_of)?;
            let exposures = credence_engine::Exposures::load(store, as_of, shared.policy.currency)?;
            let mut detail = parties.show(&id, &exposures)?;
            if !caller.may(Permission::PiiRead) {
                for m in detail.report.members.iter_mut().filter(|m| !m.customer) {
                    m.name = m.name.as_deref().map(mask_name);
                }
                if !detail.report.head_is_customer {
                    detail.report.head_name = detail.report.head_name.as_deref().map(mask_name);
                }
            }
            Ok(detail)
        })
        .await
        .map(Json)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RelationsQuery {
    /// Links from the customer to include in the neighbourhood (1–4, default 2).
    pub hops: Option<u32>,
}

/// A customer's ties.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Relations {
    /// Who controls the customer, its group with the rule and path that put it there, and
    /// the guarantee circles it is part of.
    #[schema(value_type = Object)]
    pub ties: credence_engine::CustomerTies,
    /// The parties and links around it (at most 60 parties, nearest first).
    #[schema(value_type = Object)]
    pub neighbourhood: credence_groups::Neighbourhood,
}

/// A customer's controller, group and guarantee circles, and its neighbourhood in the
/// ownership and guarantee graph.
#[utoipa::path(
    get,
    path = "/api/v1/customers/{id}/relations",
    tag = "groups",
    params(("id" = String, Path), RelationsQuery),
    responses((status = 200, body = Relations), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn relations(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Params(q): Params<RelationsQuery>,
) -> Result<Json<Relations>, ApiError> {
    caller.require(Permission::CustomerRead)?;
    let hops = q.hops.unwrap_or(2);
    if !(1..=4).contains(&hops) {
        return Err(ApiError::invalid("hops", "must be 1–4"));
    }
    let as_of = state.today();
    state
        .with_store(move |store, shared| relations_of(store, shared, &caller, &id, as_of, hops))
        .await
        .map(Json)
}

/// A customer's relations as the caller may see them.
pub(crate) fn relations_of(
    store: &mut credence_store::Store,
    shared: &Shared,
    caller: &Caller,
    id: &str,
    as_of: chrono::NaiveDate,
    hops: u32,
) -> Result<Relations, ApiError> {
    scoped_customer(store, caller, id)?;
    let parties = related_parties(store, shared, as_of)?;
    let ties = parties.explain(id)?;
    let center =
        parties.graph.find(id).ok_or_else(|| ApiError::not_found(format!("no customer with id '{id}'")))?;
    let mut neighbourhood = credence_groups::neighbourhood(&parties.graph, center, hops, 60);
    if !caller.may(Permission::PiiRead) {
        // Parties that are not customers are often people (controllers, guarantors).
        for n in neighbourhood.nodes.iter_mut().filter(|n| !n.customer) {
            n.name = n.name.as_deref().map(mask_name);
        }
    }
    Ok(Relations { ties, neighbourhood })
}
