//! Groups and related parties (CTRL-10): group customers by exposure against their
//! limits, one group with every member's evidence, and a customer's ties with its
//! neighbourhood in the relationship graph.
//!
//! Group identification crosses business lines and organisation units, so the group
//! lists are for callers whose scope is the whole portfolio. A customer's relations are
//! shown to anyone who may see the customer, cut to what the caller may see: a related
//! customer outside the caller's scope is an anonymous node (`outside-1`, …: no id, name,
//! share or amount) and nothing beyond it is drawn, since what lies behind it are that
//! customer's ties. Anonymous rather than left out, because a guarantee or holding that
//! reaches outside the scope is itself a risk the caller should know of and escalate.
//! Control, group membership and guarantee circles, and the figures on the links, need
//! `group.read`; parts of them that name a customer outside the scope are withheld.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};

use crate::access::{Permission, mask_name};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::routes::catalogue::whole_portfolio;
use crate::routes::relation_bodies as rb;
use crate::routes::{Params, admits_customer, scoped_customer};
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
    let poisoned = || ApiError::poisoned("related parties cache");
    if let Some((d, s, p)) = shared.parties.lock().map_err(|_| poisoned())?.as_ref()
        && *d == as_of
        && *s == stamp
    {
        return Ok(p.clone());
    }
    let parties =
        Arc::new(credence_engine::related_parties(store, as_of, shared.artefacts().groups.clone())?);
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
    pub groups: Vec<rb::GroupLineBody>,
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
            let exposures =
                credence_engine::Exposures::load(store, as_of, shared.artefacts().policy.currency())?;
            let mut groups = parties.list(&exposures);
            if q.over_limit == Some(true) {
                groups.retain(|g| g.exposure.over_limit);
            }
            let total = groups.len();
            groups.truncate(limit);
            Ok(GroupList {
                as_of: as_of.to_string(),
                currency: shared.artefacts().policy.currency().code().to_owned(),
                total,
                groups: groups.into_iter().map(rb::GroupLineBody::from).collect(),
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
    responses((status = 200, body = crate::routes::bodies::GroupDetailBody), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<crate::routes::bodies::GroupDetailBody>, ApiError> {
    caller.require(Permission::GroupRead)?;
    whole_portfolio(&caller)?;
    let as_of = state.today();
    state
        .with_store(move |store, shared| {
            let parties = related_parties(store, shared, as_of)?;
            let exposures =
                credence_engine::Exposures::load(store, as_of, shared.artefacts().policy.currency())?;
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
        .map(crate::routes::bodies::body)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RelationsQuery {
    /// Links from the customer to include in the neighbourhood (1–4, default 2).
    pub hops: Option<u32>,
}

/// A customer's ties as the caller may see them, for the customer page and the API.
#[derive(Debug)]
pub struct Relations {
    pub ties: Option<Ties>,
    pub neighbourhood: credence_engine::types::groups::Neighbourhood,
    pub parties_outside_scope: usize,
}

/// A customer's ties.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RelationsBody {
    /// Who controls the customer, its group with the rule and path that put it there, and
    /// the guarantee circles it is part of; only with `group.read`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ties: Option<TiesBody>,
    /// The parties and links around it (at most 60 parties, nearest first). Customers
    /// outside the caller's scope are anonymous (`outside-1`, …); shares and amounts on
    /// the links need `group.read`.
    pub neighbourhood: rb::NeighbourhoodBody,
    /// How many of the parties are anonymous because they are outside the caller's scope.
    pub parties_outside_scope: usize,
}

/// A customer's ties as the caller may see them.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TiesBody {
    pub customer: String,
    /// The chain of control (`None` only when withheld; see `withheld`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub control: Option<rb::ControlChainBody>,
    /// `[group id, head]` when the customer belongs to a group.
    #[schema(value_type = Option<Vec<String>>)]
    pub group: Option<(String, String)>,
    /// The rule and path that put it in the group.
    pub membership: Option<rb::GroupMemberBody>,
    pub circles: Vec<rb::GuaranteeCircleBody>,
    /// Parts left out because they name a customer outside the caller's scope:
    /// `control`, `group`, `membership`, `circle` (once per circle).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub withheld: Vec<&'static str>,
}

impl From<Relations> for RelationsBody {
    fn from(r: Relations) -> Self {
        RelationsBody {
            ties: r.ties.map(|t| TiesBody {
                customer: t.customer,
                control: t.control.map(Into::into),
                group: t.group,
                membership: t.membership.map(Into::into),
                circles: t.circles.into_iter().map(Into::into).collect(),
                withheld: t.withheld,
            }),
            neighbourhood: r.neighbourhood.into(),
            parties_outside_scope: r.parties_outside_scope,
        }
    }
}

/// A customer's ties as the caller may see them (see [`TiesBody`]).
#[derive(Debug)]
pub struct Ties {
    pub customer: String,
    /// The chain of control (`None` only when withheld; see `withheld`).
    pub control: Option<credence_engine::types::groups::ControlChain>,
    /// (group id, head) when the customer belongs to a group.
    pub group: Option<(String, String)>,
    /// The rule and path that put it in the group.
    pub membership: Option<credence_engine::types::groups::GroupMember>,
    pub circles: Vec<credence_engine::types::groups::GuaranteeCircle>,
    /// Parts left out because they name a customer outside the caller's scope:
    /// `control`, `group`, `membership`, `circle` (once per circle).
    pub withheld: Vec<&'static str>,
}

/// The anonymous id of the n-th (from 1) related party outside the caller's scope.
pub(crate) fn outside_id(n: usize) -> String {
    format!("outside-{n}")
}

/// Whether a party of the graph may be named to the caller: any party that is not a
/// customer, and the customers in its scope.
fn visible(
    store: &mut credence_store::Store,
    caller: &Caller,
    parties: &credence_engine::RelatedParties,
    id: &str,
) -> Result<bool, ApiError> {
    let customer = parties.graph.find(id).is_some_and(|p| parties.graph.is_customer(p));
    Ok(!customer || admits_customer(store, caller, id)?)
}

/// Cuts the neighbourhood to what the caller may see (see the module documentation);
/// returns how many parties became anonymous.
fn cut_neighbourhood(
    n: &mut credence_engine::types::groups::Neighbourhood,
    mut shown: impl FnMut(&str) -> Result<bool, ApiError>,
) -> Result<usize, ApiError> {
    use std::collections::{HashMap, HashSet};
    let mut open: HashMap<String, bool> = HashMap::new();
    for node in &n.nodes {
        open.insert(node.id.clone(), node.id == n.center || shown(&node.id)?);
    }
    // Reach out from the centre through parties the caller may see only.
    let mut reached: HashSet<String> = HashSet::from([n.center.clone()]);
    let mut frontier = vec![n.center.clone()];
    while let Some(at) = frontier.pop() {
        if !open[&at] {
            continue;
        }
        for e in &n.edges {
            let other = if e.from == at {
                &e.to
            } else if e.to == at {
                &e.from
            } else {
                continue;
            };
            if reached.insert(other.clone()) {
                frontier.push(other.clone());
            }
        }
    }
    n.nodes.retain(|x| reached.contains(&x.id));
    n.edges
        .retain(|e| reached.contains(&e.from) && reached.contains(&e.to) && (open[&e.from] || open[&e.to]));
    let mut renamed: HashMap<String, String> = HashMap::new();
    for node in n.nodes.iter_mut().filter(|x| !open[&x.id]) {
        let anonymous = outside_id(renamed.len() + 1);
        renamed.insert(std::mem::replace(&mut node.id, anonymous.clone()), anonymous);
        node.name = None;
        node.customer = false;
    }
    for e in &mut n.edges {
        for end in [&mut e.from, &mut e.to] {
            if let Some(a) = renamed.get(end.as_str()) {
                *end = a.clone();
                e.share_pct = None;
                e.voting_pct = None;
                e.amount = None;
            }
        }
    }
    Ok(renamed.len())
}

/// The ties the caller may see: every part naming a customer outside its scope withheld.
fn cut_ties(
    ties: credence_engine::CustomerTies,
    mut shown: impl FnMut(&str) -> Result<bool, ApiError>,
) -> Result<Ties, ApiError> {
    let mut withheld = Vec::new();
    let mut all_shown = |ids: &mut dyn Iterator<Item = &String>| -> Result<bool, ApiError> {
        for id in ids {
            if !shown(id)? {
                return Ok(false);
            }
        }
        Ok(true)
    };
    let steps = |s: &[credence_engine::types::groups::Step]| {
        s.iter().flat_map(|s| [s.from.clone(), s.to.clone()]).collect::<Vec<_>>()
    };
    let c = &ties.control;
    let control_ids: Vec<String> =
        c.chain.iter().cloned().chain(c.actual_controller.clone()).chain(steps(&c.steps)).collect();
    let control = if all_shown(&mut control_ids.iter())? {
        Some(ties.control)
    } else {
        withheld.push("control");
        None
    };
    let group = match ties.group {
        Some((_, head)) if !all_shown(&mut std::iter::once(&head))? => {
            withheld.push("group");
            None
        }
        g => g,
    };
    let membership = match ties.membership {
        Some(m) => {
            let ids: Vec<String> = m.actual_controller.iter().cloned().chain(steps(&m.steps)).collect();
            if group.is_some() && all_shown(&mut ids.iter())? {
                Some(m)
            } else {
                withheld.push("membership");
                None
            }
        }
        None => None,
    };
    let mut circles = Vec::new();
    for circle in ties.circles {
        let ids: Vec<String> = circle
            .members
            .iter()
            .cloned()
            .chain(circle.links.iter().flat_map(|l| [l.guarantor.clone(), l.borrower.clone()]))
            .collect();
        if all_shown(&mut ids.iter())? {
            circles.push(circle);
        } else {
            withheld.push("circle");
        }
    }
    Ok(Ties { customer: ties.customer, control, group, membership, circles, withheld })
}

/// A customer's controller, group and guarantee circles, and its neighbourhood in the
/// ownership and guarantee graph.
#[utoipa::path(
    get,
    path = "/api/v1/customers/{id}/relations",
    tag = "groups",
    params(("id" = String, Path), RelationsQuery),
    responses((status = 200, body = RelationsBody), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn relations(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Params(q): Params<RelationsQuery>,
) -> Result<Json<RelationsBody>, ApiError> {
    caller.require(Permission::CustomerRead)?;
    let hops = q.hops.unwrap_or(2);
    if !(1..=4).contains(&hops) {
        return Err(ApiError::invalid("hops", "must be 1–4"));
    }
    let as_of = state.today();
    state
        .with_store(move |store, shared| relations_of(store, shared, &caller, &id, as_of, hops))
        .await
        .map(|r| Json(r.into()))
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
    let mut neighbourhood = credence_engine::neighbourhood_of(&parties, id, hops, 60)
        .ok_or_else(|| ApiError::not_found(format!("no customer with id '{id}'")))?;
    let whole = caller.scope.is_whole_portfolio();
    let mut shown = |party: &str| if whole { Ok(true) } else { visible(store, caller, &parties, party) };
    let parties_outside_scope = cut_neighbourhood(&mut neighbourhood, &mut shown)?;
    let group_read = caller.may(Permission::GroupRead);
    let ties = if group_read { Some(cut_ties(parties.explain(id)?, &mut shown)?) } else { None };
    if !group_read {
        for e in &mut neighbourhood.edges {
            e.share_pct = None;
            e.voting_pct = None;
            e.amount = None;
        }
    }
    if !caller.may(Permission::PiiRead) {
        // Parties that are not customers are often people (controllers, guarantors).
        for n in neighbourhood.nodes.iter_mut().filter(|n| !n.customer) {
            n.name = n.name.as_deref().map(mask_name);
        }
    }
    Ok(Relations { ties, neighbourhood, parties_outside_scope })
}

/// The routes of this area.
pub fn router() -> axum::Router<crate::state::AppState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/api/v1/groups", get(list))
        .route("/api/v1/groups/{id}", get(show))
        .route("/api/v1/customers/{id}/relations", get(relations))
}
