//! Alerts and cases (work queue, a case with its actions), credit control (blocked
//! orders, limit requests awaiting the user, the collectors' worklist), and models and
//! rules.

use std::collections::BTreeMap;

use axum::Extension;
use axum::extract::{Form, Path, Query, State};
use axum::response::Response;
use credence_cockpit::pages::{
    CasePage, ControlPage, ModelRow, ModelsPage, OrderRow, RequestRow, RuleRow, WorkPage, level_label,
    with_param,
};
use credence_cockpit::{LangWords, format};
use credence_domain::Labelled;

use super::pages::{alert_rows, case_rows};
use super::{Viewer, after, html, notice_of, posted, refusal};
use crate::ClientIp;
use crate::access::Permission;
use crate::routes::admits_customer;
use crate::state::AppState;

/// The work queue: open cases by deadline, open alerts.
pub async fn work(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    if let Some(r) = viewer.refuse(&state, Permission::AlertRead) {
        return r;
    }
    let lang = viewer.lang;
    let w = lang.words();
    let level = q.get("level").cloned().filter(|l| ["red", "yellow", "green_watch"].contains(&l.as_str()));
    let overdue = q.get("overdue").is_some_and(|v| v == "true");
    let caller = viewer.caller.clone();
    let now = state.business_now();
    let wanted = level.clone();
    let found = state
        .with_store(move |store, shared| {
            let filter = credence_store::CaseFilter {
                status: Some("open".into()),
                due_before: overdue.then_some(now.into()),
                // A scoped caller's cases are filtered after reading: read more.
                limit: Some(if caller.scope.is_whole_portfolio() && wanted.is_none() { 200 } else { 5_000 }),
                ..Default::default()
            };
            let mut cases = Vec::new();
            for c in store.cases(&filter)? {
                if wanted.as_ref().is_none_or(|l| *l == c.level)
                    && admits_customer(store, &caller, &c.customer_id)?
                {
                    cases.push(c);
                }
            }
            cases.sort_by(|a, b| a.due_at.cmp(&b.due_at).then(a.id.cmp(&b.id)));
            cases.truncate(200);
            let filter = credence_store::AlertFilter {
                status: Some("open".into()),
                level: wanted.clone(),
                limit: Some(2_000),
                ..Default::default()
            };
            let mut alerts = Vec::new();
            for a in store.alerts(&filter)? {
                if alerts.len() == 100 {
                    break;
                }
                if a.subject_kind != "customer" || admits_customer(store, &caller, &a.subject)? {
                    alerts.push(a);
                }
            }
            crate::routes::evidence::cut_all(store, shared, &caller, &mut alerts)?;
            Ok((cases, alerts))
        })
        .await;
    let (cases, alerts) = match found {
        Ok(x) => x,
        Err(e) => return viewer.fail(&state, e),
    };
    let base = if overdue { "/work?overdue=true".to_owned() } else { "/work".to_owned() };
    let mut levels = vec![(w.all_levels.to_owned(), base.clone(), level.is_none())];
    for code in ["red", "yellow", "green_watch"] {
        levels.push((
            level_label(lang, code).1,
            with_param(&base, "level", code),
            level.as_deref() == Some(code),
        ));
    }
    let here = match &level {
        Some(l) => with_param(&base, "level", l),
        None => base.clone(),
    };
    let overdue_link = match (&level, overdue) {
        (Some(l), false) => format!("/work?overdue=true&level={l}"),
        (None, false) => "/work?overdue=true".to_owned(),
        (Some(l), true) => format!("/work?level={l}"),
        (None, true) => "/work".to_owned(),
    };
    let page = WorkPage {
        f: viewer.frame(&state, w.alerts_and_cases, &here, notice_of(&q)),
        cases: case_rows(lang, &cases, &state.business_now()),
        alerts: alert_rows(lang, &alerts),
        levels,
        overdue_only: overdue,
        overdue_link,
    };
    html(&page)
}

/// One case with its log, alerts and (for those who may) the forms to act on it.
pub async fn case(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    if let Some(r) = viewer.refuse(&state, Permission::AlertRead) {
        return r;
    }
    let caller = viewer.caller.clone();
    let found = state
        .with_store(move |store, shared| {
            let view =
                crate::routes::cases::case_view(store, &caller, id)?.shown_to(store, shared, &caller)?;
            let name = store
                .record(credence_records::Kind::Customers, &view.case.customer_id)?
                .and_then(|r| r.text("name").map(str::to_owned))
                .unwrap_or_default();
            Ok((view, name))
        })
        .await;
    let (view, name) = match found {
        Ok(x) => x,
        Err(e) => return viewer.fail(&state, e),
    };
    let lang = viewer.lang;
    let w = lang.words();
    let case = case_rows(lang, std::slice::from_ref(&view.case), &state.business_now()).remove(0);
    let templates = credence_engine::EMERGENCY_PLANS
        .iter()
        .map(|(code, en, zh)| ((*code).to_owned(), lang.pick(en, zh).to_owned()))
        .collect();
    let page = CasePage {
        f: viewer.frame(&state, &format!("{} #{id}", w.case), &format!("/cases/{id}"), notice_of(&q)),
        case,
        customer_name: name,
        log: view
            .log
            .iter()
            .map(|e| vec![e.at.to_string(), e.kind.clone(), e.note.clone(), e.actor.clone()])
            .collect(),
        alerts: alert_rows(lang, &view.alerts),
        may_act: viewer.caller.may(Permission::CaseWrite),
        templates,
    };
    html(&page)
}

/// Applies a case form (assign, act, escalate, close) like the API does; back to the case.
pub async fn change_case(
    State(state): State<AppState>,
    viewer: Viewer,
    Extension(crate::ClientIp(ip)): Extension<ClientIp>,
    Path(id): Path<i64>,
    Form(form): Form<BTreeMap<String, String>>,
) -> Response {
    let form = match posted(&viewer, &state, form).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    if let Some(r) = viewer.refuse(&state, Permission::CaseWrite) {
        return r;
    }
    let text = |k: &str| form.get(k).map(str::to_owned);
    let request = crate::routes::cases::CaseChangeRequest {
        change: text("change").unwrap_or_default(),
        to: text("to"),
        action: text("action"),
        template: text("template"),
        note: text("note"),
    };
    let back = format!("/cases/{id}");
    let change = match request.change() {
        Ok(c) => c,
        Err(e) => return after(&back, Err(refusal(&e))),
    };
    let caller = viewer.caller.clone();
    let done = state
        .writing(move |store, _| {
            crate::routes::cases::apply_change(store, &caller, &ip, id, &request, &change)
        })
        .await;
    after(&back, done.map(|_| viewer.lang.words().done.to_owned()).map_err(|e| refusal(&e)))
}

/// Credit control: blocked orders, limit requests at the user's step, the worklist.
pub async fn control(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let may_orders = viewer.caller.may(Permission::ReceivablesRead);
    let may_requests = viewer.caller.may(Permission::PolicyRead);
    if !(may_orders || may_requests) {
        return viewer.fail(&state, crate::error::ApiError::forbidden("receivables.read or policy.read"));
    }
    let lang = viewer.lang;
    let w = lang.words();
    let exponent = state.0.artefacts().policy.currency().exponent();
    let money = |v: i64| format::money_full(v, exponent);
    let caller = viewer.caller.clone();
    let whole = if may_orders {
        match crate::routes::receivables::whole_worklist(&state, std::time::Duration::from_secs(5)).await {
            Ok(w) => w,
            Err(e) => return viewer.fail(&state, e),
        }
    } else {
        None
    };
    let found = state
        .with_store(move |store, _| control_work(store, &caller, may_orders, may_requests, whole.as_deref()))
        .await;
    let work = match found {
        Ok(x) => x,
        Err(e) => return viewer.fail(&state, e),
    };
    // A decider sees the requests whose next step is an authority they hold and which
    // they have not signed yet (the policy's role ids, as the engine checks them); anyone
    // else sees every pending request in scope, read only.
    let decider = viewer.caller.may(Permission::LimitDecide).then_some(viewer.caller.username.as_str());
    let requests = work
        .requests
        .into_iter()
        .filter_map(|(r, decisions)| request_row(lang, exponent, decider, &work.held, r, &decisions))
        .collect();
    let worklist = work
        .worklist
        .into_iter()
        .map(|(owner, i)| {
            vec![
                owner,
                i.customer_id.to_string(),
                lang.pick(i.action.name_en(), i.action.name_zh()).to_owned(),
                i.due_on.to_string(),
                i.days_overdue.to_string(),
                money(i.amount),
            ]
        })
        .collect();
    let page = ControlPage {
        f: viewer.frame(&state, w.nav_control, "/control", notice_of(&q)),
        orders: work.orders.into_iter().map(|o| order_row(lang, exponent, o)).collect(),
        may_decide_orders: viewer.caller.may(Permission::OrderDecide),
        requests,
        may_decide_limits: viewer.caller.may(Permission::LimitDecide),
        worklist,
        amounts_note: format!("{} {}", w.amounts_in, state.0.artefacts().policy.currency().code()),
    };
    html(&page)
}

/// What the control page lists, in the caller's scope.
struct ControlWork {
    orders: Vec<credence_store::BlockedOrder>,
    /// Pending requests (at most 200) with their decisions so far.
    requests: Vec<(credence_store::StoredLimitRequest, Vec<credence_store::StoredLimitDecision>)>,
    /// (collector, item), at most 100.
    worklist: Vec<(String, credence_engine::types::control::WorkItem)>,
    /// The approval authorities the caller holds.
    held: Vec<String>,
}

fn control_work(
    store: &mut credence_store::Store,
    caller: &crate::auth::Caller,
    may_orders: bool,
    may_requests: bool,
    whole: Option<&credence_engine::types::control::Worklist>,
) -> Result<ControlWork, crate::error::ApiError> {
    let mut orders = Vec::new();
    if may_orders {
        for o in store.blocked_orders(Some("blocked"))? {
            if admits_customer(store, caller, &o.customer_id)? {
                orders.push(o);
            }
        }
    }
    let held: Vec<String> = store.authorities(caller.user_id)?.into_iter().map(|a| a.authority).collect();
    let mut requests = Vec::new();
    if may_requests {
        for r in store.limit_requests(Some("pending"), None)? {
            if requests.len() == 200 {
                break;
            }
            if admits_customer(store, caller, &r.customer_id)? {
                let decisions = store.limit_request(r.id)?.map(|x| x.1).unwrap_or_default();
                requests.push((r, decisions));
            }
        }
    }
    let mut worklist = Vec::new();
    if let Some(list) = whole {
        'all: for c in &list.collectors {
            for i in &c.items {
                if worklist.len() == 100 {
                    break 'all;
                }
                if admits_customer(store, caller, &i.customer_id)? {
                    worklist.push((c.owner.clone(), i.clone()));
                }
            }
        }
    }
    Ok(ControlWork { orders, requests, worklist, held })
}

/// A blocked order with the checks it failed and the first remedy offered.
fn order_row(lang: credence_cockpit::Lang, exponent: u8, o: credence_store::BlockedOrder) -> OrderRow {
    let result: serde_json::Value = serde_json::from_str(&o.result).unwrap_or_default();
    let failed = result["steps"]
        .as_array()
        .map(|steps| {
            steps
                .iter()
                .filter(|s| s["applies"] == true && s["passed"] == false)
                .map(|s| s["code"].as_str().unwrap_or_default().to_owned())
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    let key = lang.pick("text_en", "text_zh");
    let remedy = match result["remedy"]["kind"].as_str() {
        Some("release") => result["remedy"]["options"][0][key].as_str(),
        Some(_) => result["remedy"][key].as_str(),
        None => None,
    }
    .unwrap_or_default()
    .to_owned();
    OrderRow {
        id: o.id,
        order_ref: o.order_ref,
        customer_id: o.customer_id.into_string(),
        amount: format::money_full(o.amount, exponent),
        blocked_at: o.blocked_at.into(),
        failed,
        remedy,
    }
}

/// The step a pending request waits on: the route, the step's index, its role, and the
/// approvals it has of its quorum. `None` when the request is settled or, with `decider`
/// (the viewer's user name when they decide), when the step is not an authority in
/// `held` or the viewer has signed it already.
pub(super) struct WaitingStep {
    pub(super) route: Vec<credence_engine::types::control::ApprovalStep>,
    pub(super) step: usize,
    pub(super) role: String,
    pub(super) approvals: u32,
    pub(super) quorum: u32,
}

pub(super) fn waiting_step(
    route: &str,
    decisions: &[credence_store::StoredLimitDecision],
    decider: Option<&str>,
    held: &[String],
) -> Option<WaitingStep> {
    use credence_engine::types::control::{ApprovalStep, Decision, Outcome, RequestStatus};
    let route: Vec<ApprovalStep> = serde_json::from_str(route).ok()?;
    let signed: Vec<Decision> = decisions
        .iter()
        .map(|d| Decision {
            outcome: if d.outcome == "approved" { Outcome::Approved } else { Outcome::Rejected },
            by: d.decided_by.clone(),
            role: d.role.clone(),
            comment: d.comment.clone(),
            at: chrono::DateTime::parse_from_rfc3339(&d.decided_at)
                .map(|t| t.with_timezone(&chrono::Utc))
                .unwrap_or_default(),
        })
        .collect();
    let RequestStatus::Pending { step, role, approvals, quorum } =
        credence_engine::approval_status(&route, &signed).ok()?
    else {
        return None;
    };
    if let Some(me) = decider
        && (!held.contains(&role) || decisions.iter().any(|d| d.decided_by == me))
    {
        return None;
    }
    Some(WaitingStep { route, step, role, approvals, quorum })
}

/// A pending request as a row, or `None` when it is not at a step for the viewer (see
/// [`waiting_step`]).
fn request_row(
    lang: credence_cockpit::Lang,
    exponent: u8,
    decider: Option<&str>,
    held: &[String],
    r: credence_store::StoredLimitRequest,
    decisions: &[credence_store::StoredLimitDecision],
) -> Option<RequestRow> {
    let WaitingStep { route, step, role, approvals, quorum } =
        waiting_step(&r.route, decisions, decider, held)?;
    let name = lang.pick(&route[step].role_en, &route[step].role_zh).to_owned();
    let name = if quorum > 1 { format!("{name} {approvals}/{quorum}") } else { name };
    let proposal: serde_json::Value = serde_json::from_str(&r.proposal).unwrap_or_default();
    let money = |v: i64| format::money_full(v, exponent);
    Some(RequestRow {
        id: r.id,
        customer_id: r.customer_id.into_string(),
        grade: proposal["grade"].as_str().unwrap_or_default().to_owned(),
        current: money(r.current_limit),
        requested: money(r.requested_limit),
        term: format!("{} → {}", r.current_term_days, r.requested_term_days),
        route: route
            .iter()
            .map(|s| lang.pick(&s.role_en, &s.role_zh).to_owned())
            .collect::<Vec<_>>()
            .join(" → "),
        authority: role,
        authority_name: name,
    })
}

/// Releases, rejects or rechecks a blocked order from its form.
pub async fn decide_order(
    State(state): State<AppState>,
    viewer: Viewer,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Path(id): Path<i64>,
    Form(form): Form<BTreeMap<String, String>>,
) -> Response {
    let form = match posted(&viewer, &state, form).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    if let Some(r) = viewer.refuse(&state, Permission::OrderDecide) {
        return r;
    }
    let request = crate::routes::orders::OrderDecisionRequest {
        decision: form.get("decision").unwrap_or_default().to_owned(),
        reason: form.get("reason").map(str::to_owned),
    };
    let caller = viewer.caller.clone();
    let today = state.today();
    let done = state
        .writing(move |store, shared| {
            crate::routes::orders::decide_order(store, shared, &caller, &ip, id, &request, today)
        })
        .await;
    after(
        "/control",
        done.map(|o| format!("{} {}: {}", viewer.lang.words().order, o.order_ref, o.status))
            .map_err(|e| refusal(&e)),
    )
}

/// Approves or rejects a limit request at the user's step from its form.
pub async fn decide_limit(
    State(state): State<AppState>,
    viewer: Viewer,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Path(id): Path<i64>,
    Form(form): Form<BTreeMap<String, String>>,
) -> Response {
    let form = match posted(&viewer, &state, form).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    if let Some(r) = viewer.refuse(&state, Permission::LimitDecide) {
        return r;
    }
    let decision = crate::routes::work::Decision {
        approve: form.get("decision") == Some("approve"),
        comment: form.get("comment").unwrap_or_default().to_owned(),
        authority: None,
    };
    let caller = viewer.caller.clone();
    let done = state
        .writing(move |store, _| crate::routes::work::decide_request(store, &caller, &ip, id, &decision))
        .await;
    after(
        "/control",
        done.map(|d| {
            let status = serde_json::to_value(&d.status).unwrap_or_default();
            format!("#{id} ({}): {}", d.authority, status["status"].as_str().unwrap_or("decided"))
        })
        .map_err(|e| refusal(&e)),
    )
}

/// Registered models with validation and drift; the rule pack with its performance.
pub async fn models(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    if let Some(r) = viewer.refuse(&state, Permission::ModelRead) {
        return r;
    }
    let lang = viewer.lang;
    let w = lang.words();
    let found = state
        .with_store(|store, _| {
            let mut out = Vec::new();
            for m in store.models()? {
                if let Ok(d) = credence_engine::model::model_detail(store, &m.version) {
                    out.push(d);
                }
            }
            Ok(out)
        })
        .await;
    let details = match found {
        Ok(d) => d,
        Err(e) => return viewer.fail(&state, e),
    };
    let models = details.iter().map(|d| model_row(w, d)).collect();
    // Each rule's performance over the history, for callers whose scope is the whole portfolio.
    let performance = if viewer.caller.scope.is_whole_portfolio() {
        let to = state.today() - chrono::Months::new(12);
        crate::routes::catalogue::performance_report(&state, to, std::time::Duration::from_secs(3))
            .await
            .ok()
            .flatten()
    } else {
        None
    };
    let artefacts = state.0.artefacts();
    let rules: Vec<RuleRow> = artefacts
        .pack
        .rules()
        .iter()
        .map(|r| {
            let p = performance.as_ref().and_then(|p| p.rules.iter().find(|x| x.code == r.code));
            measured_row(
                r.code.clone(),
                lang.pick(&r.name_en, &r.name_zh).to_owned(),
                level_label(lang, r.level.code()),
                r.when.clone(),
                p.map(|p| &p.measures),
            )
        })
        .collect();
    let pack_row = performance.as_ref().map(|p| {
        measured_row(String::new(), w.whole_pack.to_owned(), Default::default(), String::new(), Some(&p.pack))
    });
    let rules_note = match &performance {
        Some(p) => format!(
            "{} · {} {} – {}, {} {}, {} {}",
            w.rule_performance,
            artefacts.pack.version(),
            p.dates.first().map(ToString::to_string).unwrap_or_default(),
            p.dates.last().map(ToString::to_string).unwrap_or_default(),
            format::count(p.customers),
            w.customers,
            w.base_rate,
            format::percent(p.base_rate)
        ),
        None if viewer.caller.scope.is_whole_portfolio() => {
            format!("{} · {}", artefacts.pack.version(), w.measuring)
        }
        None => artefacts.pack.version().to_owned(),
    };
    let jobs = if viewer.caller.may(Permission::PortfolioRead) {
        crate::routes::runs::jobs_body(&state).await.ok().map(|j| credence_cockpit::pages::JobsView {
            time_zone: j.time_zone,
            scheduled_here: j.scheduled_here,
            schedules: j
                .schedules
                .into_iter()
                .map(|s| (super::job_name(&s.job, w), s.schedule, s.next_run.unwrap_or_default()))
                .collect(),
            runs: j
                .latest_runs
                .into_iter()
                .map(|r| {
                    (
                        super::job_name(&r.run, w),
                        r.claimed_by.unwrap_or_default(),
                        r.started_at.unwrap_or_default(),
                        r.finished_at.unwrap_or_default(),
                        r.status.unwrap_or_default(),
                    )
                })
                .collect(),
        })
    } else {
        None
    };
    let page = ModelsPage {
        f: viewer.frame(&state, w.nav_models, "/models", notice_of(&q)),
        jobs,
        models,
        any_weak: rules.iter().any(|r| r.weak),
        rules,
        pack_row,
        rules_note,
    };
    html(&page)
}

/// A registered model: its validation metrics and the drift of its latest run.
fn model_row(w: &credence_cockpit::Words, d: &credence_engine::model::ModelDetail) -> ModelRow {
    let m = &d.model;
    let metrics = m.validation.as_ref().map_or(m.training, |v| v.mean);
    let last = d.drift.last();
    let (drift, drift_class) = match last.and_then(|p| p.psi.as_ref()) {
        Some(psi) => {
            let reading = match psi.level {
                credence_engine::types::model::StabilityLevel::Stable => w.stable,
                credence_engine::types::model::StabilityLevel::Watch => w.watch_level,
                credence_engine::types::model::StabilityLevel::Act => w.act_level,
            };
            (
                format!("{:.3} ({reading}, {})", psi.value, last.map_or("", |p| p.as_of.as_str())),
                format!("psi-{reading}"),
            )
        }
        None => ("—".to_owned(), String::new()),
    };
    ModelRow {
        version: m.version.clone(),
        kind: m.kind.code().to_owned(),
        trained: m.trained_at.clone(),
        auc: format!("{:.3}", metrics.auc),
        ks: format!("{:.3}", metrics.ks),
        gini: format!("{:.3}", metrics.gini),
        drift,
        drift_class,
        runs: d.drift.len().to_string(),
    }
}

/// A warning rule, or the pack's summary, with its performance on the history when
/// measured.
fn measured_row(
    code: String,
    name: String,
    level: (String, String),
    condition: String,
    p: Option<&credence_engine::Measures>,
) -> RuleRow {
    let interval = |x: Option<f64>, ci: Option<(f64, f64)>| match (x, ci) {
        (Some(_), Some((lo, hi))) => {
            format!("{} ({}–{})", format::percent(x), format::percent(Some(lo)), format::percent(Some(hi)))
        }
        _ => format::percent(x),
    };
    RuleRow {
        code,
        name,
        level,
        condition,
        flagged: format::percent(p.and_then(|p| p.flagged_share)),
        alerts_month: p.and_then(|p| p.alerts_per_month).map_or_else(|| "—".into(), |a| format!("{a:.1}")),
        precision: p.map_or_else(|| "—".into(), |p| interval(p.precision, p.precision_ci)),
        lift: p.and_then(|p| p.lift).map_or_else(|| "—".into(), |l| format!("{l:.2}")),
        weak: p.is_some_and(credence_engine::Measures::below_base_rate),
        recall: format::percent(p.and_then(|p| p.recall)),
        caught_alone: p.map_or_else(|| "—".into(), |p| format::count(p.caught_alone)),
        lead: p.and_then(|p| p.median_lead_days).map_or_else(|| "—".into(), |d| format!("{d:.0}")),
        false_alarms: format::percent(p.and_then(|p| p.false_alarm_rate)),
    }
}
