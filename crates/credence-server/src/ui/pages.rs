//! Signing in and out, the language switch, the portfolio cockpit and the customer list.

use std::collections::BTreeMap;

use axum::Extension;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use credence_cockpit::pages::{
    AlertRow, CaseRow, Chip, CustomerListPage, ListRow, LoginPage, industry_name, level_label, region_name,
    with_param,
};
use credence_cockpit::{Lang, LangWords, format};

use super::{LANG_COOKIE, Viewer, anonymous_lang, html, local, notice_of, posted};
use crate::ClientIp;
use crate::access::Permission;
use crate::error::ApiError;
use crate::routes::portfolio::{PortfolioQuery, overview_for, positions_for};
use crate::state::AppState;

/// The sign-in page, in the language asked for (`?lang=`), remembered in a cookie.
pub async fn login_page(headers: HeaderMap, Query(q): Query<BTreeMap<String, String>>) -> Response {
    let lang = q.get("lang").and_then(|l| Lang::parse(l)).unwrap_or_else(|| anonymous_lang(&headers));
    let page = LoginPage {
        lang,
        error: None,
        next: local(q.get("next").map(String::as_str), "/"),
        username: String::new(),
    };
    let mut response = html(&page);
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{LANG_COOKIE}={}; Path=/; SameSite=Lax; Max-Age=31536000",
        lang.key()
    )) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    response
}

/// Signs in from the form; back to the page asked for, or the form with the reason.
pub async fn login(
    State(state): State<AppState>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    headers: HeaderMap,
    Form(form): Form<BTreeMap<String, String>>,
) -> Response {
    let lang = form.get("lang").and_then(|l| Lang::parse(l)).unwrap_or_else(|| anonymous_lang(&headers));
    let username = form.get("username").cloned().unwrap_or_default();
    let password = form.get("password").cloned().unwrap_or_default();
    let next = local(form.get("next").map(String::as_str), "/");
    let outcome = crate::routes::session::sign_in(&state, username.clone(), password, ip).await;
    match outcome.and_then(|(_, id)| crate::routes::session::session_cookie(&state, &id)) {
        Ok(cookie) => {
            let mut r = Redirect::to(&next).into_response();
            r.headers_mut().insert(header::SET_COOKIE, cookie);
            r
        }
        Err(e) => {
            let w = lang.words();
            let (status, error) = match e.status() {
                axum::http::StatusCode::TOO_MANY_REQUESTS => (e.status(), w.sign_in_throttled),
                axum::http::StatusCode::UNAUTHORIZED => (e.status(), w.sign_in_failed),
                _ => return e.into_response(),
            };
            let page = LoginPage { lang, error: Some(error.to_owned()), next, username };
            (status, html(&page)).into_response()
        }
    }
}

/// Signs out (the form's CSRF token checked) and goes to the sign-in page.
pub async fn logout(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Form(form): Form<BTreeMap<String, String>>,
) -> Response {
    if let Err(r) = posted(&viewer, &state, form).await {
        return r;
    }
    if let Err(e) = crate::routes::session::end_session(&state, &headers).await {
        return viewer.fail(&state, e);
    }
    let mut r = Redirect::to("/login").into_response();
    r.headers_mut()
        .insert(header::SET_COOKIE, HeaderValue::from_static(crate::routes::session::CLEARED_COOKIE));
    r
}

/// Switches the user's language and remembers it with the user.
pub async fn language(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<BTreeMap<String, String>>,
) -> Response {
    let form = match posted(&viewer, &state, form).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let Some(lang) = form.get("lang").and_then(Lang::parse) else {
        return viewer.fail(&state, ApiError::invalid("lang", "zh or en"));
    };
    let back = local(form.get("back"), "/");
    let user = viewer.caller.user_id;
    if let Err(e) = state.with_store(move |store, _| Ok(store.set_user_language(user, lang.key())?)).await {
        return viewer.fail(&state, e);
    }
    Redirect::to(&back).into_response()
}

/// The page's own address with its query, for links that change one parameter.
fn here(path: &str, q: &BTreeMap<String, String>, drop: &[&str]) -> String {
    let mut out = path.to_owned();
    for (k, v) in q.iter().filter(|(k, _)| !drop.contains(&k.as_str())) {
        out = with_param(&out, k, v);
    }
    out
}

/// Alerts as rows of a page.
pub fn alert_rows(lang: Lang, alerts: &[credence_store::StoredAlert]) -> Vec<AlertRow> {
    alerts
        .iter()
        .map(|a| {
            let evidence: serde_json::Value = serde_json::from_str(&a.evidence).unwrap_or_default();
            AlertRow {
                id: a.id,
                subject: a.subject.clone(),
                subject_href: (a.subject_kind == "customer").then(|| format!("/customers/{}", a.subject)),
                rule: format!("{} {}", a.rule_code, lang.pick(&a.name_en, &a.name_zh)),
                level: level_label(lang, &a.level),
                raised: a.raised_as_of.clone(),
                evidence: evidence[lang.pick("text_en", "text_zh")].as_str().unwrap_or_default().to_owned(),
            }
        })
        .collect()
}

/// Cases as rows of a page, their time left counted from the business instant `now`
/// ([`AppState::business_now`]).
pub fn case_rows(
    lang: Lang,
    cases: &[credence_store::StoredCase],
    now: &credence_domain::Timestamp,
) -> Vec<CaseRow> {
    let now = now.instant().unwrap_or_else(crate::clock::instant);
    cases
        .iter()
        .map(|c| CaseRow {
            id: c.id,
            customer_id: c.customer_id.clone().into(),
            level: level_label(lang, &c.level),
            stage: credence_cockpit::pages::case_word(lang, &c.stage),
            owner: c.owner.clone(),
            due_at: c.due_at.to_string(),
            seconds_left: chrono::DateTime::parse_from_rfc3339(&c.due_at)
                .map_or(0, |d| (d.with_timezone(&chrono::Utc) - now).num_seconds()),
            status: credence_cockpit::pages::case_word(lang, &c.status),
            open: c.status == credence_domain::CaseStatus::Open,
        })
        .collect()
}

/// The portfolio cockpit.
pub async fn cockpit(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    if let Some(r) = viewer.refuse(&state, Permission::PortfolioRead) {
        return r;
    }
    let query = PortfolioQuery { heat: q.get("heat").cloned(), ..PortfolioQuery::default() };
    let overview = match overview_for(&state, &viewer.caller, &query).await {
        Ok(o) => o,
        Err(e) => return viewer.fail(&state, e),
    };
    let lang = viewer.lang;
    let since = (state.today() - chrono::Days::new(7)).to_string();
    let now = state.business_now();
    let caller = viewer.caller.clone();
    let may_alerts = caller.may(Permission::AlertRead);
    let lists = state
        .with_store(move |store, shared| {
            if !may_alerts {
                return Ok((Vec::new(), Vec::new()));
            }
            // The week's new alerts, red first, then yellow, then the watch list: what needs
            // acting on comes before what is only to be followed.
            let mut alerts = Vec::new();
            for level in ["red", "yellow", "green_watch"] {
                let filter = credence_store::AlertFilter {
                    status: Some("open".into()),
                    level: Some(level.into()),
                    limit: Some(500),
                    ..Default::default()
                };
                for a in store.alerts(&filter)? {
                    if alerts.len() == 10 {
                        break;
                    }
                    if a.raised_as_of >= since
                        && (a.subject_kind != "customer"
                            || crate::routes::admits_customer(store, &caller, &a.subject)?)
                    {
                        alerts.push(a);
                    }
                }
            }
            crate::routes::evidence::cut_all(store, shared, &caller, &mut alerts)?;
            let filter = credence_store::CaseFilter {
                status: Some("open".into()),
                due_before: Some(now.into()),
                ..Default::default()
            };
            let mut cases = Vec::new();
            for c in store.cases(&filter)? {
                if cases.len() == 10 {
                    break;
                }
                if crate::routes::admits_customer(store, &caller, &c.customer_id)? {
                    cases.push(c);
                }
            }
            Ok((alerts, cases))
        })
        .await;
    let (alerts, cases) = match lists {
        Ok(l) => l,
        Err(e) => return viewer.fail(&state, e),
    };
    let w = lang.words();
    let frame = viewer.frame(&state, w.portfolio_cockpit, &here("/cockpit", &q, &[]), notice_of(&q));
    let page = credence_cockpit::pages::cockpit(
        frame,
        &overview,
        alert_rows(lang, &alerts),
        case_rows(lang, &cases, &state.business_now()),
        state.0.artefacts().policy.currency().exponent(),
        "/customers",
    );
    html(&page)
}

/// Filters of the customer list and their labels.
const FILTERS: [&str; 9] =
    ["level", "grade", "industry", "region", "business_line", "group", "watch", "over_limit", "overdue"];

/// The customer list: the customers behind a cockpit figure (filters), or a search.
pub async fn customers(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    if let Some(r) = viewer.refuse(&state, Permission::CustomerRead) {
        return r;
    }
    let lang = viewer.lang;
    let w = lang.words();
    let page_no: u64 =
        q.get("page").and_then(|p| p.parse().ok()).filter(|p| (1..=100_000_000).contains(p)).unwrap_or(1);
    let text = q.get("q").filter(|t| !t.trim().is_empty()).cloned();
    let portfolio = viewer.caller.may(Permission::PortfolioRead) && viewer.caller.may(Permission::RatingRead);
    let listed = match text {
        None if portfolio => position_rows(&state, &viewer, &q, page_no).await,
        // A search, or a role without the portfolio: the scoped list from the database.
        text => found_rows(&state, &viewer, &q, text, page_no).await,
    };
    let (total, rows) = match listed {
        Ok(x) => x,
        Err(e) => return viewer.fail(&state, e),
    };
    let base = here("/customers", &q, &["page", "ok", "refused"]);
    let pages = total.div_ceil(CUSTOMERS_PER_PAGE).max(1);
    let page = CustomerListPage {
        f: viewer.frame(&state, w.customer_list, &base, notice_of(&q)),
        total,
        rows,
        chips: filter_chips(lang, &q),
        query: q.get("q").cloned().unwrap_or_default(),
        sorts: if portfolio { sort_links(lang, &q) } else { Vec::new() },
        previous: (page_no > 1).then(|| with_param(&base, "page", &(page_no - 1).to_string())),
        next: (page_no < pages).then(|| with_param(&base, "page", &(page_no + 1).to_string())),
        page: page_no,
        pages,
        amounts_note: format!("{} {}", w.amounts_in, state.0.artefacts().policy.currency().code()),
    };
    html(&page)
}

/// Rows on one page of the customer list.
const CUSTOMERS_PER_PAGE: u64 = 50;

/// A page of the positions behind a cockpit figure, with their exposure and standing.
async fn position_rows(
    state: &AppState,
    viewer: &Viewer,
    q: &BTreeMap<String, String>,
    page_no: u64,
) -> Result<(u64, Vec<ListRow>), ApiError> {
    let lang = viewer.lang;
    let w = lang.words();
    let exponent = state.0.artefacts().policy.currency().exponent();
    let money = |v: i64| format::money(lang, v, exponent);
    let query = PortfolioQuery {
        level: q.get("level").cloned(),
        watch: q.get("watch").map(|v| v == "true"),
        grade: q.get("grade").cloned(),
        industry: q.get("industry").cloned(),
        region: q.get("region").cloned(),
        business_line: q.get("business_line").cloned(),
        group: q.get("group").cloned(),
        over_limit: q.get("over_limit").map(|v| v == "true"),
        overdue: q.get("overdue").map(|v| v == "true"),
        sort: q.get("sort").cloned(),
        page: Some(page_no),
        per_page: Some(CUSTOMERS_PER_PAGE),
        heat: None,
    };
    let p = positions_for(state, &viewer.caller, &query).await?;
    let rows = p
        .items
        .into_iter()
        .map(|p| ListRow {
            industry: industry_name(lang, &p.industry),
            region: region_name(lang, &p.region),
            business_line: p.business_line.unwrap_or_default(),
            grade: p.grade.unwrap_or_else(|| w.unrated.to_owned()),
            pd: format::pd(p.pd),
            level: level_label(lang, &p.level),
            exposure: money(p.exposure),
            limit: money(p.limit),
            utilisation: format::percent(p.utilisation),
            overdue: money(p.overdue),
            id: p.customer_id,
            name: p.name,
        })
        .collect();
    Ok((p.total, rows))
}

/// A page of the customers in the viewer's scope found by text (or all of them), with
/// their latest grade when the viewer may see ratings.
async fn found_rows(
    state: &AppState,
    viewer: &Viewer,
    q: &BTreeMap<String, String>,
    text: Option<String>,
    page_no: u64,
) -> Result<(u64, Vec<ListRow>), ApiError> {
    let lang = viewer.lang;
    let caller = viewer.caller.clone();
    let industry = q.get("industry").cloned();
    let business_line = q.get("business_line").cloned();
    let (total, rows, grades) = state
        .with_store(move |store, _| {
            let query = credence_store::CustomerQuery {
                org_unit: caller.scope.org_unit.clone(),
                business_lines: caller.scope.business_lines.clone(),
                customers: caller.scope.customers.clone(),
                text,
                industry,
                business_line,
                offset: (page_no - 1) * CUSTOMERS_PER_PAGE,
                limit: CUSTOMERS_PER_PAGE,
                ..Default::default()
            };
            let (total, rows) = store.customer_page(&query)?;
            let ids: Vec<String> = rows.iter().map(|r| r.customer_id.to_string()).collect();
            let grades = if caller.may(Permission::RatingRead) {
                store.latest_grades(&ids)?
            } else {
                Default::default()
            };
            Ok((total, rows, grades))
        })
        .await?;
    let rows = rows
        .into_iter()
        .map(|r| {
            let g = grades.get(r.customer_id.as_str());
            ListRow {
                name: crate::routes::customers::shown_name(&viewer.caller, &r.name, &r.customer_type),
                industry: industry_name(lang, &r.industry),
                region: region_name(lang, &r.region),
                business_line: r.business_line.unwrap_or_default(),
                grade: g.map_or_else(|| "—".to_owned(), |g| g.letter_grade.clone()),
                pd: format::pd(g.map(|g| g.pd)),
                level: ("".into(), "—".into()),
                exposure: "—".into(),
                limit: "—".into(),
                utilisation: "—".into(),
                overdue: "—".into(),
                id: r.customer_id.into_string(),
            }
        })
        .collect();
    Ok((total, rows))
}

/// A chip per filter in force, each with the link that drops it.
fn filter_chips(lang: Lang, q: &BTreeMap<String, String>) -> Vec<Chip> {
    let w = lang.words();
    FILTERS
        .iter()
        .filter_map(|k| q.get(*k).map(|v| (*k, v)))
        .map(|(k, v)| {
            let shown = match k {
                "industry" => industry_name(lang, v),
                "region" => region_name(lang, v),
                "level" => level_label(lang, v).1,
                _ => v.clone(),
            };
            let name = match k {
                "level" => w.level,
                "grade" => w.grade,
                "industry" => w.industry,
                "region" => w.region,
                "business_line" => w.business_line,
                "group" => w.group,
                "over_limit" => w.over_limit_customers,
                "overdue" => w.overdue,
                _ => w.watch,
            };
            Chip {
                label: format!("{name}: {shown}"),
                remove: here("/customers", q, &[k, "page", "ok", "refused"]),
            }
        })
        .collect()
}

/// The orders the position list can be sorted in: label, link, whether in force.
fn sort_links(lang: Lang, q: &BTreeMap<String, String>) -> Vec<(String, String, bool)> {
    let w = lang.words();
    let current_sort = q.get("sort").map_or("exposure", String::as_str);
    [
        ("exposure", w.exposure),
        ("pd", w.pd),
        ("overdue", w.overdue),
        ("over_limit", w.over_limit_customers),
        ("customer_id", w.customer_id),
        ("name", w.name),
    ]
    .into_iter()
    .map(|(code, label)| {
        (
            label.to_owned(),
            with_param(&here("/customers", q, &["sort", "page", "ok", "refused"]), "sort", code),
            code == current_sort,
        )
    })
    .collect()
}
