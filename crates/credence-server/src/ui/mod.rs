//! The web cockpit's routes (PORT-3): the pages of `credence-cockpit`, filled with the
//! same figures the JSON API answers with and served by the same process.
//!
//! Pages are signed in with the API's browser session (the cookie); a page asked for
//! without one redirects to the sign-in page. Forms post back with the session's CSRF
//! token as a field and redirect after the change (post/redirect/get), so the back button
//! and reload never repeat a change. Every change goes through the same engine function,
//! permission check and audit record as its API endpoint.

mod billing;
mod customer;
mod pages;
mod work;

use std::collections::BTreeMap;

use axum::Router;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use credence_cockpit::pages::{Frame, MessagePage, NavItem, Notice};
use credence_cockpit::{Lang, LangWords};

use crate::access::Permission;
use crate::auth::{self, Caller, SESSION_COOKIE};
use crate::error::ApiError;
use crate::state::AppState;

/// The cookie that remembers the language chosen before signing in.
const LANG_COOKIE: &str = "credence_lang";

/// The cockpit's routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/login", get(pages::login_page).post(pages::login))
        .route("/logout", post(pages::logout))
        .route("/language", post(pages::language))
        .route("/cockpit", get(pages::cockpit))
        .route("/customers", get(pages::customers))
        .route("/customers/{id}", get(customer::customer))
        .route("/work", get(work::work))
        .route("/cases/{id}", get(work::case).post(work::change_case))
        .route("/control", get(work::control))
        .route("/blocked-orders/{id}", post(work::decide_order))
        .route("/limit-requests/{id}", post(work::decide_limit))
        .route("/models", get(work::models))
        .route("/billing", get(billing::billing))
        .route("/billing-requests/{id}", post(billing::decide_billing))
        .route("/assets/{file}", get(asset))
}

/// A signed-in user of the cockpit.
pub struct Viewer {
    pub caller: Caller,
    pub display_name: String,
    pub lang: Lang,
    pub csrf: String,
}

/// The artefacts in force, as the footer names them in the viewer's language: each with
/// its version, the shipped ones' sources left unsaid.
fn in_use(a: &credence_engine::Artefacts, w: &credence_cockpit::words::Words) -> String {
    a.versions()
        .into_iter()
        .filter(|v| v.name != "notifications")
        .map(|v| {
            let name = match v.name {
                "catalogue" => w.art_catalogue,
                "model" => w.art_model,
                "policy" => w.art_policy,
                "billing_policy" => w.art_billing_policy,
                "rule_pack" => w.art_rule_pack,
                "strategy" => w.art_strategy,
                "groups" => w.art_groups,
                other => other,
            };
            format!("{name} {}", v.version)
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

/// A job, or a run of it (`nightly_rating:2026-12-08T02:00`), named in the viewer's
/// language.
pub(crate) fn job_name(run: &str, w: &credence_cockpit::words::Words) -> String {
    let (job, when) = run.split_once(':').map_or((run, None), |(j, t)| (j, Some(t)));
    let name = match job {
        "nightly_rating" => w.job_nightly_rating,
        "warnings" => w.job_warnings,
        "notifications" => w.job_notifications,
        other => other,
    };
    match when {
        Some(t) => format!("{name} {t}"),
        None => name.to_owned(),
    }
}

impl Viewer {
    /// The frame of a page: title, menu (what the role may open), language, user.
    pub fn frame(&self, state: &AppState, title: &str, here: &str, notice: Option<Notice>) -> Frame {
        let w = self.lang.words();
        let may = |p| self.caller.may(p);
        let items: [(&str, &str, bool); 6] = [
            ("/cockpit", w.nav_cockpit, may(Permission::PortfolioRead)),
            ("/customers", w.nav_customers, may(Permission::CustomerRead)),
            ("/work", w.nav_work, may(Permission::AlertRead)),
            ("/control", w.nav_control, may(Permission::ReceivablesRead) || may(Permission::PolicyRead)),
            ("/models", w.nav_models, may(Permission::ModelRead)),
            (
                "/billing",
                w.nav_billing,
                may(Permission::PortfolioRead) && self.caller.scope.is_whole_portfolio(),
            ),
        ];
        let nav = items
            .into_iter()
            .filter(|i| i.2)
            .map(|(href, label, _)| NavItem {
                href: href.to_owned(),
                label: label.to_owned(),
                current: here == href
                    || here.starts_with(&format!("{href}/"))
                    || here.starts_with(&format!("{href}?")),
            })
            .collect();
        Frame {
            lang: self.lang,
            title: title.to_owned(),
            user: self.display_name.clone(),
            role: role_name(self.lang, self.caller.role),
            csrf: self.csrf.clone(),
            as_of: state.today().to_string(),
            clock_fixed: state.today() < crate::clock::today_in(state.0.config.zone),
            artefacts: in_use(&state.0.artefacts(), w),
            nav,
            here: here.to_owned(),
            notice,
        }
    }

    /// The refusal page when the role may not have `p`; none when it may.
    pub fn refuse(&self, state: &AppState, p: Permission) -> Option<Response> {
        (!self.caller.may(p)).then(|| self.fail(state, ApiError::forbidden(p.code())))
    }

    /// An error as a page in the viewer's language: 403 and 404 say so; ours is a
    /// generic message with the request id (the detail goes to the log).
    pub fn fail(&self, state: &AppState, e: ApiError) -> Response {
        let w = self.lang.words();
        let status = e.status();
        let text = match &e {
            ApiError::Client { status, message, .. } if *status == StatusCode::FORBIDDEN => {
                format!("{} ({message})", w.forbidden)
            }
            ApiError::Client { status, message, .. } if *status == StatusCode::NOT_FOUND => {
                format!("{} ({message})", w.not_found)
            }
            ApiError::Client { message, .. } => message.clone(),
            ApiError::Rejected { message, .. } => message.clone(),
            ApiError::Internal(fault) => {
                let id = crate::error::REQUEST_ID.try_with(Clone::clone).unwrap_or_default();
                ApiError::log_fault(fault, &id, "internal error on a page");
                format!("{} ({id})", w.error)
            }
        };
        let heading = match status {
            StatusCode::FORBIDDEN => w.forbidden,
            StatusCode::NOT_FOUND => w.not_found,
            _ => w.refused,
        };
        let page =
            MessagePage { f: self.frame(state, heading, "/", None), heading: heading.to_owned(), text };
        (status, html(&page)).into_response()
    }
}

/// A role's name in a language.
pub fn role_name(lang: Lang, role: crate::access::Role) -> String {
    match lang {
        Lang::Zh => role.name_zh().to_owned(),
        Lang::En => role.code().replace('_', " "),
    }
}

/// The language of a request without a user: the cookie chosen on the sign-in page, else
/// the browser's.
pub fn anonymous_lang(headers: &HeaderMap) -> Lang {
    auth::cookie(headers, LANG_COOKIE).and_then(Lang::parse).unwrap_or_else(|| {
        Lang::from_accept_language(
            headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or(""),
        )
    })
}

/// A page as a response (our error when it cannot be rendered).
pub fn html(page: &impl askama::Template) -> Response {
    match credence_cockpit::pages::render(page) {
        Ok(body) => {
            ([(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CACHE_CONTROL, "no-store")], body)
                .into_response()
        }
        Err(e) => ApiError::failed("rendering a page", e).into_response(),
    }
}

/// The sign-in page's address to come back to `here`.
fn sign_in_first(here: &str) -> Response {
    Redirect::to(&format!("/login?next={}", credence_cockpit::pages::encode(here))).into_response()
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Viewer, Response> {
        let here = parts.uri.path_and_query().map_or("/", |p| p.as_str()).to_owned();
        let Some(session) = auth::cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(sign_in_first(&here));
        };
        let hash = auth::sha256_hex(session);
        let fallback = anonymous_lang(&parts.headers);
        let found = state.with_store(move |store, shared| auth::session_caller(store, shared, &hash)).await;
        match found {
            Ok((caller, user)) => {
                let csrf = match &caller.via {
                    auth::Via::Session { csrf_token } => csrf_token.clone(),
                    auth::Via::Token { .. } => String::new(),
                };
                Ok(Viewer {
                    lang: user.language.as_deref().and_then(Lang::parse).unwrap_or(fallback),
                    display_name: user.display_name,
                    caller,
                    csrf,
                })
            }
            Err(ApiError::Client { status, .. }) if status == StatusCode::UNAUTHORIZED => {
                Err(sign_in_first(&here))
            }
            Err(e) => Err(e.into_response()),
        }
    }
}

/// A form post's fields, with its CSRF token checked against the session's.
pub struct Posted(pub BTreeMap<String, String>);

impl Posted {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str).filter(|v| !v.trim().is_empty())
    }
}

/// Reads a form and checks its CSRF token.
pub async fn posted(
    viewer: &Viewer,
    state: &AppState,
    form: BTreeMap<String, String>,
) -> Result<Posted, Response> {
    if viewer.csrf.is_empty() || !form.get("csrf").is_some_and(|sent| auth::same_secret(sent, &viewer.csrf)) {
        return Err(
            viewer.fail(state, ApiError::forbidden("the form's CSRF token does not match the session"))
        );
    }
    Ok(Posted(form))
}

/// A local path to go back to (never another site). Browsers drop tabs and line breaks
/// from addresses and read `\` as `/`, so `/\t/evil.example` would lead to
/// `//evil.example`: only printable ASCII without backslashes is accepted, starting with
/// one `/`.
pub fn local(path: Option<&str>, default: &str) -> String {
    match path {
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && p.len() <= 2048
                && p.bytes().all(|b| b.is_ascii_graphic() && b != b'\\') =>
        {
            p.to_owned()
        }
        _ => default.to_owned(),
    }
}

/// After a change: back to the page with what happened.
pub fn after(path: &str, outcome: Result<String, String>) -> Response {
    let (key, text) = match outcome {
        Ok(t) => ("ok", t),
        Err(t) => ("refused", t),
    };
    Redirect::to(&credence_cockpit::pages::with_param(path, key, &text)).into_response()
}

/// The notice a page shows after a change it was redirected to.
pub fn notice_of(query: &BTreeMap<String, String>) -> Option<Notice> {
    if let Some(t) = query.get("ok") {
        return Some(Notice { ok: true, text: t.clone() });
    }
    query.get("refused").map(|t| Notice { ok: false, text: t.clone() })
}

/// What a refused change says to the user.
pub fn refusal(e: &ApiError) -> String {
    match e {
        ApiError::Client { message, .. } | ApiError::Rejected { message, .. } => message.clone(),
        ApiError::Internal(fault) => {
            let id = crate::error::REQUEST_ID.try_with(Clone::clone).unwrap_or_default();
            ApiError::log_fault(fault, &id, "internal error on a form");
            format!("internal error ({id})")
        }
    }
}

/// `/`: the cockpit for those who may see the portfolio, else the customers.
async fn home(viewer: Viewer) -> Response {
    let to = if viewer.caller.may(Permission::PortfolioRead) { "/cockpit" } else { "/customers" };
    Redirect::to(to).into_response()
}

/// The static files.
async fn asset(Path(file): Path<String>) -> Response {
    match credence_cockpit::ASSETS.iter().find(|a| a.0 == file) {
        Some((_, kind, body)) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(kind)),
                (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600")),
            ],
            *body,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "no such asset").into_response(),
    }
}
