//! The API's routes, one module per area; each owns its handlers and request and response
//! types.

pub mod audit_log;
pub mod billing;
pub mod bodies;
pub mod cases;
pub mod catalogue;
pub mod catalogue_bodies;
pub mod check_bodies;
pub mod checks;
pub mod customers;
pub(crate) mod evidence;
pub mod groups;
pub mod ops;
pub mod orders;
pub mod overview_bodies;
pub mod portfolio;
pub mod rating_bodies;
pub mod receivable_bodies;
pub mod receivables;
pub mod records;
pub mod relation_bodies;
pub mod runs;
pub mod session;
pub mod users;
pub mod work;

use axum::Router;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;

/// Every route below, as `(method, path)`, for the OpenAPI check.
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
    ("GET", "/api/openapi.json"),
    ("POST", "/api/v1/session"),
    ("DELETE", "/api/v1/session"),
    ("GET", "/api/v1/me"),
    ("GET", "/api/v1/customers"),
    ("GET", "/api/v1/customers/{id}"),
    ("GET", "/api/v1/customers/{id}/ratings"),
    ("POST", "/api/v1/customers/{id}/rating/override"),
    ("GET", "/api/v1/customers/{id}/standing"),
    ("POST", "/api/v1/checks"),
    ("GET", "/api/v1/audit"),
    ("GET", "/api/v1/audit/verify"),
    ("GET", "/api/v1/audit/export"),
    ("GET", "/api/v1/users"),
    ("POST", "/api/v1/users"),
    ("POST", "/api/v1/users/{username}/disable"),
    ("POST", "/api/v1/users/{username}/enable"),
    ("POST", "/api/v1/users/{username}/access"),
    ("POST", "/api/v1/users/{username}/authorities"),
    ("DELETE", "/api/v1/users/{username}/authorities/{authority}"),
    ("GET", "/api/v1/tokens"),
    ("POST", "/api/v1/tokens"),
    ("POST", "/api/v1/tokens/{id}/revoke"),
    ("GET", "/api/v1/alerts"),
    ("GET", "/api/v1/limit-requests"),
    ("POST", "/api/v1/limit-requests/{id}/decision"),
    ("GET", "/api/v1/rating-overrides"),
    ("POST", "/api/v1/rating-overrides/{id}/decision"),
    ("GET", "/api/v1/models"),
    ("GET", "/api/v1/models/{version}"),
    ("POST", "/api/v1/models/{version}/score"),
    ("GET", "/api/v1/alerts/{id}"),
    ("GET", "/api/v1/cases"),
    ("GET", "/api/v1/cases/{id}"),
    ("POST", "/api/v1/cases/{id}/changes"),
    ("GET", "/api/v1/repair-plans"),
    ("POST", "/api/v1/repair-plans"),
    ("POST", "/api/v1/repair-plans/{id}/changes"),
    ("GET", "/api/v1/portfolio"),
    ("GET", "/api/v1/portfolio/positions"),
    ("GET", "/api/v1/indicators"),
    ("GET", "/api/v1/rules"),
    ("GET", "/api/v1/rules/performance"),
    ("POST", "/api/v1/runs"),
    ("GET", "/api/v1/runs"),
    ("GET", "/api/v1/jobs"),
    ("GET", "/api/v1/rating-runs"),
    ("GET", "/api/v1/rating-runs/{id}/performance"),
    ("GET", "/api/v1/rating-runs/{id}/migration"),
    ("GET", "/api/v1/groups"),
    ("GET", "/api/v1/groups/{id}"),
    ("GET", "/api/v1/customers/{id}/relations"),
    ("GET", "/api/v1/customers/{id}/receivables"),
    ("GET", "/api/v1/customers/{id}/records/{kind}"),
    ("POST", "/api/v1/customers/{id}/temporary-limit"),
    ("GET", "/api/v1/aging"),
    ("GET", "/api/v1/worklist"),
    ("POST", "/api/v1/collections/actions"),
    ("POST", "/api/v1/collections/promises"),
    ("GET", "/api/v1/disputes"),
    ("POST", "/api/v1/disputes"),
    ("POST", "/api/v1/disputes/{id}/resolve"),
    ("GET", "/api/v1/blocked-orders"),
    ("POST", "/api/v1/blocked-orders/{id}/decision"),
    ("POST", "/api/v1/records/{kind}"),
    ("POST", "/api/v1/imports/{kind}"),
    ("GET", "/api/v1/exports/{kind}"),
    ("GET", "/api/v1/billing/grading"),
    ("GET", "/api/v1/billing/reconnections"),
    ("GET", "/api/v1/billing/grades"),
    ("GET", "/api/v1/billing/accounts/{id}"),
    ("GET", "/api/v1/billing/requests"),
    ("POST", "/api/v1/billing/requests/{id}/decision"),
];

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(ops::router())
        .merge(session::router())
        .merge(customers::router())
        .merge(checks::router())
        .merge(audit_log::router())
        .merge(users::router())
        .merge(work::router())
        .merge(cases::router())
        .merge(portfolio::router())
        .merge(catalogue::router())
        .merge(runs::router())
        .merge(groups::router())
        .merge(receivables::router())
        .merge(records::router())
        .merge(orders::router())
        .merge(billing::router())
}

/// The largest file an import upload may be (an ERP's daily drop); other bodies are
/// limited by the server's `max_body_bytes`.
pub const UPLOAD_LIMIT_BYTES: usize = 256 << 20;

/// A JSON body whose every problem (not JSON, wrong type, unknown field, too large) is an
/// [`ApiError`] in the API's one error shape.
pub struct Body<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Body(v)),
            Err(e) => Err(match e {
                JsonRejection::JsonDataError(e) => {
                    let text = crate::error::chain(&e);
                    // serde's message names the field path after "at "; keep it for `field`.
                    let field = text.rsplit_once(": ").map(|(_, m)| m).and_then(|m| {
                        m.split_once("unknown field `")
                            .map(|(_, f)| f.split('`').next().unwrap_or_default().to_owned())
                    });
                    ApiError::Client {
                        status: axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                        code: "invalid_body",
                        message: text,
                        field,
                    }
                }
                JsonRejection::JsonSyntaxError(e) => {
                    ApiError::bad_request("malformed_json", crate::error::chain(&e), None)
                }
                JsonRejection::MissingJsonContentType(_) => ApiError::Client {
                    status: axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    code: "unsupported_media_type",
                    message: "send the body as JSON with `Content-Type: application/json`".into(),
                    field: None,
                },
                JsonRejection::BytesRejection(e) => ApiError::Client {
                    status: e.status(),
                    code: if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                        "too_large"
                    } else {
                        "bad_body"
                    },
                    message: e.body_text(),
                    field: None,
                },
                other => ApiError::bad_request("bad_body", other.body_text(), None),
            }),
        }
    }
}

/// The caller of a request as the author of a change.
pub(crate) fn actor(caller: &Caller, ip: &str) -> crate::accounts::Actor {
    crate::accounts::Actor {
        name: caller.username.clone(),
        role: caller.role.code().to_owned(),
        client_ip: ip.to_owned(),
        request_id: crate::error::REQUEST_ID.try_with(Clone::clone).unwrap_or_default(),
    }
}

/// Appends an audit record for a change the caller made.
pub(crate) fn audit(
    store: &mut credence_store::Store,
    caller: &Caller,
    ip: &str,
    action: &str,
    object: &str,
    summary: serde_json::Value,
) -> Result<(), ApiError> {
    Ok(actor(caller, ip).record(store, action, object, summary)?)
}

/// A customer the caller may see, or "not found" (so a caller cannot learn which ids
/// exist outside its scope).
pub(crate) fn scoped_customer(
    store: &mut credence_store::Store,
    caller: &Caller,
    id: &str,
) -> Result<credence_records::Record, ApiError> {
    match store.record(credence_records::Kind::Customers, id)? {
        Some(r) if caller.scope.admits(id, r.text("org_unit"), r.text("business_line")) => Ok(r),
        _ => Err(ApiError::not_found(format!("no customer with id '{id}'"))),
    }
}

/// Whether the caller's scope admits a customer; no read when it is the whole portfolio.
pub(crate) fn admits_customer(
    store: &mut credence_store::Store,
    caller: &Caller,
    id: &str,
) -> Result<bool, ApiError> {
    if caller.scope.is_whole_portfolio() {
        return Ok(true);
    }
    Ok(store
        .record(credence_records::Kind::Customers, id)?
        .is_some_and(|r| caller.scope.admits(id, r.text("org_unit"), r.text("business_line"))))
}

/// An amount in major units of the policy's currency as text (`"1,250.00"`), in minor
/// units; above zero.
pub(crate) fn amount_field(state: &AppState, field: &str, text: &str) -> Result<i64, ApiError> {
    let minor = credence_domain::minor_units_from_decimal(
        &text.replace(',', ""),
        state.0.artefacts().policy.currency().exponent(),
    )
    .map_err(|e| ApiError::invalid(field, e.to_string()))?;
    if minor <= 0 {
        return Err(ApiError::invalid(field, "must be above zero"));
    }
    Ok(minor)
}

/// The letter grades of the expert scorecard, best first.
pub(crate) fn letter_grades(artefacts: &credence_engine::Artefacts) -> Vec<&str> {
    artefacts
        .model
        .grades(credence_engine::types::rating::ScaleKind::Letter)
        .iter()
        .map(|g| g.grade.as_str())
        .collect()
}

/// The offset and limit of a 1-based page of `per_page` rows (defaults 1 and 50; at most
/// 500 rows).
pub(crate) fn page_bounds(page: Option<u64>, per_page: Option<u64>) -> Result<(u64, u64), ApiError> {
    let page = page.unwrap_or(1);
    let per = per_page.unwrap_or(50);
    if page == 0 {
        return Err(ApiError::invalid("page", "pages count from 1"));
    }
    if !(1..=500).contains(&per) {
        return Err(ApiError::invalid("per_page", "must be 1–500"));
    }
    // A page far past the end is refused, not wrapped into a negative database offset.
    let offset = (page - 1).checked_mul(per).filter(|o| i64::try_from(*o).is_ok());
    let offset = offset.ok_or_else(|| ApiError::invalid("page", "the page is beyond any list"))?;
    Ok((offset, per))
}

/// A query string whose problems (unknown parameters, wrong types) are API errors.
pub struct Params<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> axum::extract::FromRequestParts<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Params(q.0))
            .map_err(|e| ApiError::bad_request("invalid_query", e.body_text(), None))
    }
}
