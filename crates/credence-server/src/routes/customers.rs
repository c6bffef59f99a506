//! Customers: the scoped list, one customer's page (master data, latest rating,
//! indicators), its rating history, and rating overrides.

use axum::Extension;
use axum::Json;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};

use crate::ClientIp;
use crate::access::{Permission, mask_id_number, mask_name};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::routes::{Body, Params, audit, page_bounds, scoped_customer};
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Customers whose id or name contains this text.
    pub q: Option<String>,
    /// GB/T 4754 section letter.
    pub industry: Option<String>,
    pub business_line: Option<String>,
    /// `customer_id` or `name`, `-` in front for descending.
    pub sort: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

/// One customer in a list.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CustomerItem {
    pub customer_id: String,
    pub name: String,
    pub customer_type: String,
    pub industry: String,
    pub org_unit: Option<String>,
    pub business_line: Option<String>,
    pub letter_grade: Option<String>,
    pub pd: Option<f64>,
    pub rated_as_of: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CustomerList {
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
    pub items: Vec<CustomerItem>,
}

/// A customer's name as the caller may see it: an individual's name is personal data.
pub(crate) fn shown_name(caller: &Caller, name: &str, customer_type: &str) -> String {
    if customer_type == "individual" && !caller.may(Permission::PiiRead) {
        mask_name(name)
    } else {
        name.to_owned()
    }
}

/// Totals of customer lists by query (paging left out), with the data stamp they were
/// counted at: counting a large scope costs more than reading a page.
pub type ListTotals = std::sync::Mutex<std::collections::HashMap<String, (String, u64)>>;

/// A page of customers with the total, counted once per query and data stamp.
fn counted_page(
    store: &mut credence_store::Store,
    shared: &crate::state::Shared,
    query: &credence_store::CustomerQuery,
) -> Result<(u64, Vec<credence_store::CustomerSummary>), ApiError> {
    let key = format!(
        "{:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
        query.org_unit,
        query.business_lines,
        query.customers,
        query.text,
        query.industry,
        query.business_line
    );
    let stamp = store.data_stamp()?;
    let poisoned = || ApiError::poisoned("list totals");
    let known = shared
        .list_totals
        .lock()
        .map_err(|_| poisoned())?
        .get(&key)
        .filter(|(s, _)| *s == stamp)
        .map(|e| e.1);
    if let Some(total) = known {
        return Ok((total, store.customer_rows(query)?));
    }
    let (total, rows) = store.customer_page(query)?;
    let mut totals = shared.list_totals.lock().map_err(|_| poisoned())?;
    if totals.len() > 10_000 {
        totals.clear();
    }
    totals.insert(key, (stamp, total));
    Ok((total, rows))
}

/// Customers in the caller's scope, a page at a time.
#[utoipa::path(
    get,
    path = "/api/v1/customers",
    tag = "customers",
    params(ListQuery),
    responses((status = 200, body = CustomerList), (status = 400, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<ListQuery>,
) -> Result<Json<CustomerList>, ApiError> {
    caller.require(Permission::CustomerRead)?;
    let (offset, limit) = page_bounds(q.page, q.per_page)?;
    let (sort, descending) = match q.sort.as_deref() {
        None | Some("customer_id") => (credence_store::CustomerSort::Id, false),
        Some("-customer_id") => (credence_store::CustomerSort::Id, true),
        Some("name") => (credence_store::CustomerSort::Name, false),
        Some("-name") => (credence_store::CustomerSort::Name, true),
        Some(other) => {
            return Err(ApiError::invalid(
                "sort",
                format!("'{other}' is not customer_id, name, -customer_id or -name"),
            ));
        }
    };
    let query = credence_store::CustomerQuery {
        org_unit: caller.scope.org_unit.clone(),
        business_lines: caller.scope.business_lines.clone(),
        customers: caller.scope.customers.clone(),
        text: q.q,
        industry: q.industry,
        business_line: q.business_line,
        sort,
        descending,
        offset,
        limit,
    };
    let with_grades = caller.may(Permission::RatingRead);
    let c = caller.clone();
    state
        .with_store(move |store, shared| {
            let (total, rows) = counted_page(store, shared, &query)?;
            let ids: Vec<String> = rows.iter().map(|r| r.customer_id.to_string()).collect();
            let grades = if with_grades { store.latest_grades(&ids)? } else { Default::default() };
            let items = rows
                .into_iter()
                .map(|r| {
                    let g = grades.get(r.customer_id.as_str());
                    CustomerItem {
                        name: shown_name(&c, &r.name, &r.customer_type),
                        letter_grade: g.map(|g| g.letter_grade.clone()),
                        pd: g.map(|g| g.pd),
                        rated_as_of: g.map(|g| g.as_of.clone()),
                        customer_id: r.customer_id.into(),
                        customer_type: r.customer_type,
                        industry: r.industry,
                        org_unit: r.org_unit,
                        business_line: r.business_line,
                    }
                })
                .collect();
            Ok(CustomerList { total, page: offset / limit + 1, per_page: limit, items })
        })
        .await
        .map(Json)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ShowQuery {
    /// `rating` (default): the indicator values the latest rating was computed from, as
    /// stored with it (those of `records` when it cannot be reproduced or there is none);
    /// `records`: computed now from the customer's records, with trends.
    pub indicators: Option<String>,
}

/// A master-data field as shown (personal data masked for callers without `pii.read`).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MasterField {
    pub field: String,
    pub name_zh: String,
    pub value: String,
}

/// One customer's page.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CustomerPage {
    pub customer_id: String,
    pub master: Vec<MasterField>,
    /// The latest rating with its breakdown (callers with `rating.read`).
    pub rating: Option<crate::routes::rating_bodies::RatingDetailBody>,
    /// The override in force on it, if any.
    pub override_in_force: Option<OverrideBody>,
    /// Whether the records changed since the latest rating.
    pub data_changed_since_rating: bool,
    /// Why the latest rating's breakdown cannot be shown (its grades and score still are),
    /// when it cannot: e.g. another model version is loaded.
    pub breakdown_unavailable: Option<BreakdownGap>,
    /// The indicators the caller may see.
    pub indicators: Vec<IndicatorLineBody>,
    pub history: Vec<HistoryLineBody>,
    pub migrations: Vec<GradeChangeBody>,
    /// The utility billing accounts the customer holds, with their position at the
    /// business date and latest grade (callers with `receivables.read`).
    pub billing_accounts: Vec<HeldAccountBody>,
}

/// A utility billing account the customer holds; amounts in minor units of `currency`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HeldAccountBody {
    pub account_id: String,
    pub class: String,
    pub supply_unit: String,
    pub currency: String,
    pub owed: i64,
    pub overdue: i64,
    /// Prepaid money not yet applied to a bill.
    pub credit: i64,
    pub deposit: i64,
    /// The statutory late-payment penalty still due.
    pub penalty_due: i64,
    /// Unpaid on the bills of earlier holders (before a change of holder): not in `owed`.
    pub previous_holders: i64,
    /// Owed before a bankruptcy's acceptance, with its penalty to then: a claim in the
    /// bankruptcy, not in `owed`.
    pub bankruptcy_claim: i64,
    /// The latest grade, its forecast PD of arrears next month, and the high-risk flag.
    pub grade: Option<String>,
    pub forecast_pd: Option<f64>,
    pub high_risk: bool,
}

impl From<credence_engine::AccountPosition> for HeldAccountBody {
    fn from(p: credence_engine::AccountPosition) -> Self {
        HeldAccountBody {
            account_id: p.account_id,
            class: p.class,
            supply_unit: p.supply_unit,
            currency: p.currency,
            owed: p.owed,
            overdue: p.overdue,
            credit: p.credit,
            deposit: p.deposit,
            penalty_due: p.penalty_due,
            previous_holders: p.previous_holders,
            bankruptcy_claim: p.bankruptcy_claim,
            forecast_pd: p.grade.as_ref().map(|g| g.forecast_pd),
            high_risk: p.grade.as_ref().is_some_and(|g| g.high_risk),
            grade: p.grade.map(|g| g.grade),
        }
    }
}

/// Why a rating's breakdown cannot be recomputed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BreakdownGap {
    /// `other_model`, `other_catalogue`, `file_gone`, `log_changed`, `differs` or `unratable`.
    pub code: String,
    pub message: String,
    pub message_zh: String,
}

/// One indicator as shown on the customer's page. The value's fields follow the
/// indicator's own, so `id` appears twice, as it always has.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IndicatorLineBody {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub unit: String,
    pub higher_is_better: bool,
    #[serde(flatten)]
    pub value: IndicatorValueBody,
    /// Median of the customer's industry in the same rating run.
    pub peer_median: Option<f64>,
}

/// One indicator of the customer: a value, or the reason there is none.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IndicatorValueBody {
    pub id: String,
    pub value: Option<f64>,
    /// Why `value` is none ("no statement on or before 2026-09-30").
    pub missing: Option<String>,
    /// The period the value describes.
    #[schema(value_type = Option<String>, format = Date)]
    pub period_end: Option<chrono::NaiveDate>,
    pub trend: Option<TrendBody>,
}

/// Change of an indicator over time; each is none when the history is too short or the
/// base is zero.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TrendBody {
    /// Relative change against the previous quarter.
    pub qoq: Option<f64>,
    /// Relative change against four quarters earlier.
    pub yoy: Option<f64>,
    /// Compound annual growth over three years, for positive values.
    pub cagr_3y: Option<f64>,
    /// Least-squares slope per year over the last 12 quarters.
    pub slope_3y: Option<f64>,
}

impl From<credence_engine::IndicatorLine> for IndicatorLineBody {
    fn from(l: credence_engine::IndicatorLine) -> Self {
        let v = l.value;
        IndicatorLineBody {
            id: l.id,
            name_zh: l.name_zh,
            name_en: l.name_en,
            unit: l.unit,
            higher_is_better: l.higher_is_better,
            value: IndicatorValueBody {
                id: v.id,
                value: v.value,
                missing: v.missing,
                period_end: v.period_end,
                trend: v.trend.map(|t| TrendBody {
                    qoq: t.qoq,
                    yoy: t.yoy,
                    cagr_3y: t.cagr_3y,
                    slope_3y: t.slope_3y,
                }),
            },
            peer_median: l.peer_median,
        }
    }
}

/// A manual override of a rating's grades, approved and in force.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OverrideBody {
    pub id: i64,
    pub rating_id: i64,
    pub customer_id: String,
    pub letter_grade: String,
    pub point_grade: String,
    pub reason: String,
    pub approver: String,
    pub entered_by: String,
    pub entered_at: String,
}

impl From<credence_store::StoredOverride> for OverrideBody {
    fn from(o: credence_store::StoredOverride) -> Self {
        OverrideBody {
            id: o.id,
            rating_id: o.rating_id,
            customer_id: o.customer_id.into_string(),
            letter_grade: o.letter_grade,
            point_grade: o.point_grade,
            reason: o.reason,
            approver: o.approver,
            entered_by: o.entered_by,
            entered_at: o.entered_at.to_string(),
        }
    }
}

/// A past rating, for the history table.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HistoryLineBody {
    pub rating_id: i64,
    pub run_id: i64,
    pub as_of: String,
    pub score: f64,
    pub pd: f64,
    pub letter_grade: String,
    pub point_grade: String,
    /// The override in force on this rating.
    pub overridden: Option<OverrideBody>,
}

impl From<credence_engine::HistoryLine> for HistoryLineBody {
    fn from(h: credence_engine::HistoryLine) -> Self {
        HistoryLineBody {
            rating_id: h.rating_id,
            run_id: h.run_id,
            as_of: h.as_of,
            score: h.score,
            pd: h.pd,
            letter_grade: h.letter_grade,
            point_grade: h.point_grade,
            overridden: h.overridden.map(Into::into),
        }
    }
}

/// A change of letter grade between two consecutive ratings.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GradeChangeBody {
    pub from_as_of: String,
    pub to_as_of: String,
    pub from_grade: String,
    pub to_grade: String,
}

impl From<credence_engine::Migration> for GradeChangeBody {
    fn from(m: credence_engine::Migration) -> Self {
        GradeChangeBody {
            from_as_of: m.from_as_of,
            to_as_of: m.to_as_of,
            from_grade: m.from_grade,
            to_grade: m.to_grade,
        }
    }
}

/// A customer's page as the caller may see it: scope checked, personal data masked,
/// indicators filtered, rating only with `rating.read`.
pub(crate) fn customer_page(
    store: &mut credence_store::Store,
    shared: &crate::state::Shared,
    caller: &Caller,
    id: &str,
    today: chrono::NaiveDate,
    source: credence_engine::IndicatorSource,
) -> Result<CustomerPage, ApiError> {
    let record = scoped_customer(store, caller, id)?;
    let artefacts = shared.artefacts();
    let view =
        credence_engine::customer_view(store, &artefacts.catalogue, &artefacts.model, id, today, source)?;
    let individual = record.text("customer_type") == Some("individual");
    let pii = caller.may(Permission::PiiRead);
    let master = view
        .master
        .iter()
        .map(|(column, zh, value)| {
            let shown = match column.as_str() {
                _ if pii => value.clone(),
                "legal_representative" => mask_name(value),
                "name" if individual => mask_name(value),
                "registration_no" if individual => mask_id_number(value),
                _ => value.clone(),
            };
            MasterField { field: column.clone(), name_zh: zh.clone(), value: shown }
        })
        .collect();
    let financial: std::collections::HashSet<&str> = artefacts
        .catalogue
        .indicators()
        .iter()
        .filter(|d| d.group == credence_engine::types::indicators::Group::Financial)
        .map(|d| d.id.as_str())
        .collect();
    let indicators = view
        .indicators
        .into_iter()
        .filter(|l| caller.sees_indicator(&l.id, financial.contains(l.id.as_str())))
        .map(Into::into)
        .collect();
    let ratings = caller.may(Permission::RatingRead);
    let billing_accounts = if caller.may(Permission::ReceivablesRead) {
        credence_engine::held_account_positions(store, &artefacts.billing_policy, id, today)?
            .into_iter()
            .map(Into::into)
            .collect()
    } else {
        Vec::new()
    };
    Ok(CustomerPage {
        customer_id: id.to_owned(),
        master,
        rating: view.rating.filter(|_| ratings).map(|mut d| {
            // The breakdown's lines show indicator values: hide the ones the caller may not see.
            d.rating.lines.retain(|l| {
                l.qualitative || caller.sees_indicator(&l.indicator, financial.contains(l.indicator.as_str()))
            });
            d.unscored.retain(|(i, _)| caller.sees_indicator(i, financial.contains(i.as_str())));
            d.into()
        }),
        override_in_force: view.override_in_force.filter(|_| ratings).map(Into::into),
        data_changed_since_rating: view.data_changed_since_rating,
        breakdown_unavailable: view.breakdown_unavailable.filter(|_| ratings).map(|r| BreakdownGap {
            code: r.code().to_owned(),
            message: r.text(false),
            message_zh: r.text(true),
        }),
        indicators,
        history: if ratings { view.history.into_iter().map(Into::into).collect() } else { Vec::new() },
        migrations: if ratings { view.migrations.into_iter().map(Into::into).collect() } else { Vec::new() },
        billing_accounts,
    })
}

/// One customer: master data (personal data masked unless the caller may read it), the
/// latest rating and the indicators the caller may see.
#[utoipa::path(
    get,
    path = "/api/v1/customers/{id}",
    tag = "customers",
    params(("id" = String, Path, description = "customer id"), ShowQuery),
    responses((status = 200, description = "the customer's page", body = CustomerPage), (status = 404, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Params(q): Params<ShowQuery>,
) -> Result<Json<CustomerPage>, ApiError> {
    caller.require(Permission::CustomerRead)?;
    let source = match q.indicators.as_deref() {
        None | Some("rating") => credence_engine::IndicatorSource::Rating,
        Some("records") => credence_engine::IndicatorSource::Records,
        Some(other) => {
            return Err(ApiError::invalid("indicators", format!("'{other}' is not rating or records")));
        }
    };
    let today = state.today();
    state
        .with_store(move |store, shared| customer_page(store, shared, &caller, &id, today, source))
        .await
        .map(Json)
}

/// A customer's ratings, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/customers/{id}/ratings",
    tag = "ratings",
    params(("id" = String, Path, description = "customer id")),
    responses((status = 200, body = crate::routes::rating_bodies::RatingHistoryBody), (status = 404, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn ratings(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<crate::routes::rating_bodies::RatingHistoryBody>, ApiError> {
    caller.require(Permission::RatingRead)?;
    state
        .with_store(move |store, _| {
            scoped_customer(store, &caller, &id)?;
            let ratings = store.rating_history(&id)?.into_iter().map(Into::into).collect();
            Ok(crate::routes::rating_bodies::RatingHistoryBody { customer_id: id, ratings })
        })
        .await
        .map(Json)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OverrideRequest {
    /// `letter` (AAA … C by PD, the default) or `points` (the 100-point scale).
    pub scale: Option<String>,
    /// The grade to put in force, on that scale.
    pub grade: String,
    pub reason: String,
    /// The username of who is to approve it: an enabled user other than the caller who
    /// holds the `rating_approver` authority.
    pub approver: String,
}

/// Enters an override of the customer's latest rating, with a reason, for a named
/// approver. It waits, pending, for that approver's decision
/// (`POST /api/v1/rating-overrides/{id}/decision`); until then the grade in force is the
/// model's.
#[utoipa::path(
    post,
    path = "/api/v1/customers/{id}/rating/override",
    tag = "ratings",
    params(("id" = String, Path, description = "customer id")),
    request_body = OverrideRequest,
    responses((status = 200, body = crate::routes::rating_bodies::EnteredOverrideBody), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn override_rating(
    State(state): State<AppState>,
    caller: Caller,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Path(id): Path<String>,
    Body(req): Body<OverrideRequest>,
) -> Result<Json<crate::routes::rating_bodies::EnteredOverrideBody>, ApiError> {
    caller.require(Permission::RatingOverride)?;
    let scale = match req.scale.as_deref() {
        None | Some("letter") => credence_engine::types::rating::ScaleKind::Letter,
        Some("points") => credence_engine::types::rating::ScaleKind::Points,
        Some(other) => return Err(ApiError::invalid("scale", format!("'{other}' is not letter or points"))),
    };
    state
        .writing(move |store, shared| {
            scoped_customer(store, &caller, &id)?;
            let before = store.rating_history(&id)?.first().map(|r| r.rating.letter_grade.clone());
            let now = crate::clock::now();
            let request = credence_engine::types::rating::Override {
                scale,
                grade: req.grade.clone(),
                reason: req.reason.clone(),
                approver: req.approver.clone(),
            };
            let o = credence_engine::override_rating(store, &shared.artefacts().model, &id, &request, &caller.username, &now)?;
            audit(
                store,
                &caller,
                &ip,
                "rating.override",
                &format!("customer:{id}"),
                serde_json::json!({ "override": o.id, "status": "pending", "before": before, "after": req.grade, "reason": req.reason, "approver": req.approver }),
            )?;
            Ok(o)
        })
        .await
        .map(crate::routes::bodies::body)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct OverrideQuery {
    /// `pending` (default), `approved` or `rejected`.
    pub status: Option<String>,
    pub customer: Option<String>,
}

/// Rating overrides in the caller's scope, newest first: by default those waiting for
/// their approver.
#[utoipa::path(
    get,
    path = "/api/v1/rating-overrides",
    tag = "ratings",
    params(OverrideQuery),
    responses((status = 200, body = Vec<crate::routes::rating_bodies::OverrideRequestBody>), (status = 403, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn overrides(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<OverrideQuery>,
) -> Result<Json<Vec<crate::routes::rating_bodies::OverrideRequestBody>>, ApiError> {
    caller.require(Permission::RatingRead)?;
    let status = q.status.unwrap_or_else(|| "pending".into());
    state
        .with_store(move |store, _| {
            let mut out = Vec::new();
            for o in store.override_requests(Some(&status), q.customer.as_deref())? {
                if crate::routes::admits_customer(store, &caller, &o.customer_id)? {
                    out.push(o);
                }
            }
            Ok(out)
        })
        .await
        .map(crate::routes::bodies::list)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OverrideDecision {
    pub approve: bool,
    /// Required to reject.
    #[serde(default)]
    pub comment: String,
}

/// The named approver approves (the grade goes in force) or rejects a pending rating
/// override; audited.
#[utoipa::path(
    post,
    path = "/api/v1/rating-overrides/{id}/decision",
    tag = "ratings",
    params(("id" = i64, Path)),
    request_body = OverrideDecision,
    responses((status = 200, body = crate::routes::rating_bodies::OverrideRequestBody), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn decide_override(
    State(state): State<AppState>,
    caller: Caller,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Path(id): Path<i64>,
    Body(d): Body<OverrideDecision>,
) -> Result<Json<crate::routes::rating_bodies::OverrideRequestBody>, ApiError> {
    caller.require(Permission::RatingApprove)?;
    state
        .writing(move |store, _| {
            let pending =
                store.override_request(id)?.ok_or_else(|| ApiError::not_found(format!("no rating override {id}")))?;
            if !crate::routes::admits_customer(store, &caller, &pending.customer_id)? {
                return Err(ApiError::not_found(format!("no rating override {id}")));
            }
            let now = crate::clock::now();
            let done = credence_engine::decide_override(store, id, d.approve, &caller.username, &d.comment, &now)?;
            audit(
                store,
                &caller,
                &ip,
                if d.approve { "rating.override.approve" } else { "rating.override.reject" },
                &format!("customer:{}", done.customer_id),
                serde_json::json!({ "override": id, "author": done.entered_by, "after": done.letter_grade, "status": done.status, "comment": d.comment }),
            )?;
            Ok(done)
        })
        .await
        .map(crate::routes::bodies::body)
}

/// The routes of this area.
pub fn router() -> axum::Router<crate::state::AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/api/v1/customers", get(list))
        .route("/api/v1/customers/{id}", get(show))
        .route("/api/v1/customers/{id}/ratings", get(ratings))
        .route("/api/v1/customers/{id}/rating/override", post(override_rating))
        .route("/api/v1/rating-overrides", get(overrides))
        .route("/api/v1/rating-overrides/{id}/decision", post(decide_override))
}
