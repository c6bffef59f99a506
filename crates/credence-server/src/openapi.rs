//! The OpenAPI document, generated from the handlers' annotations: what is served at
//! `/api/openapi.json` is what the code does. A test checks that every route of the
//! router is in it and nothing else.

use utoipa::OpenApi;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};

use crate::routes;

#[derive(OpenApi)]
#[openapi(
    info(title = "Credence API", description = "Credit files, ratings, warnings, credit control and groups. Errors have one shape: code, message, field, request id."),
    paths(
        routes::ops::healthz,
        routes::ops::readyz,
        routes::ops::metrics,
        routes::ops::openapi_document,
        routes::session::login,
        routes::session::logout,
        routes::session::me,
        routes::customers::list,
        routes::customers::show,
        routes::customers::ratings,
        routes::customers::override_rating,
        routes::customers::overrides,
        routes::customers::decide_override,
        routes::checks::check,
        routes::checks::standing,
        routes::audit_log::list,
        routes::audit_log::verify,
        routes::audit_log::export,
        routes::users::list,
        routes::users::create,
        routes::users::disable,
        routes::users::enable,
        routes::users::set_access,
        routes::users::grant_authority,
        routes::users::revoke_authority,
        routes::users::tokens,
        routes::users::create_token,
        routes::users::revoke_token,
        routes::work::alerts,
        routes::work::limit_requests,
        routes::work::decide,
        routes::work::models,
        routes::work::model,
        routes::work::score,
        routes::cases::alert,
        routes::cases::list,
        routes::cases::show,
        routes::cases::change,
        routes::cases::repair_plans,
        routes::cases::open_repair,
        routes::cases::change_repair,
        routes::portfolio::overview,
        routes::portfolio::positions,
        routes::catalogue::indicators,
        routes::catalogue::rules,
        routes::catalogue::performance,
        routes::runs::start,
        routes::runs::list,
        routes::runs::jobs,
        routes::runs::rating_runs,
        routes::runs::performance,
        routes::runs::migration,
        routes::groups::list,
        routes::groups::show,
        routes::groups::relations,
        routes::receivables::customer_receivables,
        routes::records::customer_records,
        routes::orders::temporary_limit,
        routes::receivables::aging,
        routes::receivables::worklist,
        routes::receivables::log_action,
        routes::receivables::log_promise,
        routes::receivables::disputes,
        routes::receivables::open_dispute,
        routes::receivables::resolve_dispute,
        routes::orders::list,
        routes::orders::decide,
        routes::records::write_rows,
        routes::records::upload,
        routes::records::export,
        routes::billing::grading,
        routes::billing::grades,
        routes::billing::account,
        routes::billing::requests,
        routes::billing::reconnections,
        routes::billing::decide,
    ),
    modifiers(&Security)
)]
struct ApiDoc;

struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(crate::auth::SESSION_COOKIE))),
        );
    }
}

/// The document, with the crate's version.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    doc
}
