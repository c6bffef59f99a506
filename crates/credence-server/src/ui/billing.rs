//! The billing page (SCN-1): the latest grading of the billing accounts and the billing
//! requests awaiting the signed-in user, with their decision forms.

use std::collections::BTreeMap;

use axum::Extension;
use axum::extract::{Form, Path, Query, State};
use axum::response::Response;
use chrono::Datelike;
use credence_cockpit::charts::{Series, line_chart};
use credence_cockpit::pages::{BillingPage, BillingRequestRow, HighRiskRow, billing_feature};
use credence_cockpit::{Lang, LangWords, format};
use credence_domain::{AccountClass, Labelled};

use super::{Viewer, after, html, notice_of, posted, refusal};
use crate::ClientIp;
use crate::access::Permission;
use crate::state::AppState;

/// Accounts of the high-risk list shown.
const HIGH_RISK_SHOWN: u64 = 50;
/// Supply units shown, most high-risk accounts first.
const UNITS_SHOWN: usize = 20;
/// Requests read for the page.
const REQUESTS_READ: u64 = 500;

struct BillingWork {
    run: Option<credence_store::BillingRun>,
    high_risk: Vec<credence_store::AccountGrade>,
    requests: Vec<(credence_store::BillingRequest, Vec<credence_store::BillingDecision>)>,
    /// Billing requests by status.
    counts: std::collections::HashMap<String, u64>,
    held: Vec<String>,
    /// The reconnection commitment over the month to the business date.
    reconnections: credence_engine::ReconnectionSla,
}

pub(super) fn class_name(lang: Lang, code: &str) -> String {
    AccountClass::parse_label(code)
        .map_or_else(|| code.to_owned(), |c| lang.pick(c.name_en(), c.name_zh()).to_owned())
}

/// The billing page.
pub async fn billing(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    if let Some(r) = viewer.refuse(&state, Permission::PortfolioRead) {
        return r;
    }
    if let Err(e) = crate::routes::catalogue::whole_portfolio(&viewer.caller) {
        return viewer.fail(&state, e);
    }
    let lang = viewer.lang;
    let w = lang.words();
    let user_id = viewer.caller.user_id;
    let today = state.today();
    let month_start = today.with_day(1).unwrap_or(today);
    let now = today.and_time(crate::clock::now_in(state.0.config.zone).time());
    let found = state
        .with_store(move |store, shared| {
            let reconnections = credence_engine::reconnection_sla(
                store,
                &shared.artefacts().billing_policy,
                month_start,
                today,
                now,
            )?;
            let run = store.latest_billing_run(None)?;
            let high_risk = match &run {
                Some(r) => store.account_grades(
                    r.id,
                    &credence_store::GradeFilter {
                        high_risk_only: true,
                        limit: Some(HIGH_RISK_SHOWN),
                        ..Default::default()
                    },
                )?,
                None => Vec::new(),
            };
            let mut requests = Vec::new();
            for r in store.billing_requests(Some("pending"), None, None, REQUESTS_READ)? {
                let decisions = store.billing_request(r.id)?.map(|x| x.1).unwrap_or_default();
                requests.push((r, decisions));
            }
            let held = store.authorities(user_id)?.into_iter().map(|a| a.authority).collect();
            let counts = store.billing_request_counts()?;
            Ok(BillingWork { run, high_risk, requests, counts, held, reconnections })
        })
        .await;
    let work = match found {
        Ok(x) => x,
        Err(e) => return viewer.fail(&state, e),
    };
    let policy = &state.0.artefacts().billing_policy;
    let exponent = policy.currency.exponent();
    let summary: Option<credence_engine::GradeSummary> =
        work.run.as_ref().and_then(|r| serde_json::from_str(&r.summary).ok());
    let grade_header: Vec<String> = policy.grades.iter().map(|g| g.grade.clone()).collect();
    let mut class_rows = Vec::new();
    let mut units = Vec::new();
    let mut trend_chart = String::new();
    let run_note = match (&work.run, &summary) {
        (Some(run), Some(s)) => {
            for (class, grades) in &s.by_class {
                let mut row = vec![class_name(lang, class)];
                row.extend(grade_header.iter().map(|g| format::count(grades.get(g).copied().unwrap_or(0))));
                row.push(format::count(grades.values().sum()));
                row.push(format::count(s.high_risk_by_class.get(class).copied().unwrap_or(0)));
                class_rows.push(row);
            }
            let mut by_unit: Vec<(&String, &credence_engine::UnitLine)> = s.by_supply_unit.iter().collect();
            by_unit.sort_by(|a, b| b.1.high_risk.cmp(&a.1.high_risk).then(a.0.cmp(b.0)));
            let amount = |major: f64| {
                format::money_full((major * 10f64.powi(exponent.into())).round() as i64, exponent)
            };
            units = by_unit
                .into_iter()
                .take(UNITS_SHOWN)
                .map(|(u, l)| {
                    let k = s.kpis.by_unit.get(u).cloned().unwrap_or_default();
                    vec![
                        u.clone(),
                        format::count(l.accounts),
                        format::count(l.high_risk),
                        format::percent(k.collection_rate()),
                        amount(k.arrears),
                        amount(k.old_arrears),
                        if k.zero_arrears() { "✓".into() } else { format::count(k.accounts_in_arrears) },
                    ]
                })
                .collect();
            let labels: Vec<String> = s.trend.iter().map(|t| t.month.format("%Y-%m").to_string()).collect();
            trend_chart = line_chart(
                "arrears-trend",
                w.arrears_trend,
                w.arrears_share,
                &labels,
                &[Series {
                    name: w.arrears_share.to_owned(),
                    values: s
                        .trend
                        .iter()
                        .map(|t| (t.accounts > 0).then(|| t.in_arrears as f64 / t.accounts as f64))
                        .collect(),
                    class: "s1".into(),
                }],
                &|v| format::percent(Some(v)),
            );
            Some(match lang {
                Lang::Zh => format!(
                    "{} 评级（政策 {}，{} 生成）：{} 户，次月欠费高风险 {} 户（预测概率 ≥ {:.0}%）；评分卡由近 {} 个月末的 {} 条记录训练（欠费 {} 条），样本内 AUC {:.3}。",
                    run.as_of,
                    run.policy_version,
                    run.created_by,
                    s.accounts,
                    s.high_risk,
                    s.high_risk_pd * 100.0,
                    s.train_months,
                    s.train_rows,
                    s.train_events,
                    s.scorecard_train_auc
                ),
                Lang::En => format!(
                    "Graded at {} (policy {}, by {}): {} accounts, {} on next month's high-risk list (forecast PD ≥ {:.0}%); the scorecard learned from {} account-months of the last {} month ends ({} in arrears), in-sample AUC {:.3}.",
                    run.as_of,
                    run.policy_version,
                    run.created_by,
                    s.accounts,
                    s.high_risk,
                    s.high_risk_pd * 100.0,
                    s.train_rows,
                    s.train_months,
                    s.train_events,
                    s.scorecard_train_auc
                ),
            })
        }
        _ => None,
    };
    let high_risk = work
        .high_risk
        .iter()
        .map(|g| {
            let reasons: Vec<serde_json::Value> = serde_json::from_str(&g.reasons).unwrap_or_default();
            HighRiskRow {
                account_id: g.account_id.clone(),
                grade: g.grade.clone(),
                points: format!("{:.0}", g.points),
                pd: format::pd(Some(g.pd)),
                forecast_pd: format::pd(Some(g.forecast_pd)),
                reasons: reasons
                    .iter()
                    .map(|r| {
                        let feature = r["feature"].as_str().unwrap_or_default();
                        let value = r["value"].as_str().unwrap_or_default();
                        let value = match feature {
                            "account_class" => class_name(lang, value),
                            "settlement" => credence_domain::Settlement::parse_label(value).map_or_else(
                                || value.to_owned(),
                                |s| lang.pick(s.name_en(), s.name_zh()).to_owned(),
                            ),
                            _ => value.to_owned(),
                        };
                        format!("{} {value}", billing_feature(lang, feature))
                    })
                    .collect::<Vec<_>>()
                    .join(lang.pick("; ", "；")),
            }
        })
        .collect();
    // A decider sees the requests whose next step they hold and have not signed.
    let decider = viewer.caller.may(Permission::LimitDecide).then_some(viewer.caller.username.as_str());
    let requests = work
        .requests
        .into_iter()
        .filter_map(|(r, decisions)| request_row(lang, decider, &work.held, r, &decisions))
        .collect();
    let count = |status: &str| format::count(work.counts.get(status).copied().unwrap_or(0));
    let requests_note = match lang {
        Lang::Zh => format!(
            "待审批 {} 项，已批准 {} 项，已否决 {} 项。",
            count("pending"),
            count("approved"),
            count("rejected")
        ),
        Lang::En => format!(
            "{} pending, {} approved, {} rejected.",
            count("pending"),
            count("approved"),
            count("rejected")
        ),
    };
    let page = BillingPage {
        f: viewer.frame(&state, w.nav_billing, "/billing", notice_of(&q)),
        run_note,
        grade_header,
        class_rows,
        trend_chart,
        units,
        high_risk,
        requests,
        may_decide: viewer.caller.may(Permission::LimitDecide),
        requests_note,
        reconnection_note: reconnection_note(lang, &work.reconnections),
        amounts_note: format!("{} {}", w.amounts_in, policy.currency.code()),
    };
    html(&page)
}

/// The month's reconnection commitment in a sentence.
fn reconnection_note(lang: Lang, r: &credence_engine::ReconnectionSla) -> String {
    let t = &r.total;
    let share = format::percent(r.share_in_time);
    match lang {
        Lang::Zh => format!(
            "复电时限（缴清后 {} 小时内）：{} 至 {} 缴清的欠费停电 {} 户，按时复电 {} 户（{}），超时复电 {} 户，超时仍未复电 {} 户，时限内待复电 {} 户。",
            r.commitment_hours, r.from, r.to, t.cleared, t.in_time, share, t.late, t.open_late, t.open
        ),
        Lang::En => format!(
            "Reconnection within {} hours of payment, arrears disconnections cleared {} to {}: {} in all, {} reconnected in time ({}), {} late, {} still off past the commitment, {} still within it.",
            r.commitment_hours, r.from, r.to, t.cleared, t.in_time, share, t.late, t.open_late, t.open
        ),
    }
}

fn request_row(
    lang: Lang,
    decider: Option<&str>,
    held: &[String],
    r: credence_store::BillingRequest,
    decisions: &[credence_store::BillingDecision],
) -> Option<BillingRequestRow> {
    let super::work::WaitingStep { route, step, .. } =
        super::work::waiting_step(&r.route, decisions, decider, held)?;
    // Changes of terms and penalty waivers both carry their reasons in both languages.
    let p: serde_json::Value = serde_json::from_str(&r.proposal).ok()?;
    let text = |key: &str| p[key].as_str().unwrap_or_default().to_owned();
    Some(BillingRequestRow {
        id: r.id,
        account_id: r.account_id,
        grade: if r.kind == "waiver" { "—".to_owned() } else { text("grade") },
        changes: lang.pick(&text("reason_en"), &text("reason_zh")).to_owned(),
        route: route
            .iter()
            .map(|s| lang.pick(&s.role_en, &s.role_zh).to_owned())
            .collect::<Vec<_>>()
            .join(" → "),
        authority_name: lang.pick(&route[step].role_en, &route[step].role_zh).to_owned(),
    })
}

/// Approves or rejects a billing request from its form.
pub async fn decide_billing(
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
    if let Err(e) = crate::routes::catalogue::whole_portfolio(&viewer.caller) {
        return viewer.fail(&state, e);
    }
    let decision = crate::routes::work::Decision {
        approve: form.get("decision") == Some("approve"),
        comment: form.get("comment").unwrap_or_default().to_owned(),
        authority: None,
    };
    let caller = viewer.caller.clone();
    let done = state
        .writing(move |store, _| crate::routes::billing::decide_billing(store, &caller, &ip, id, &decision))
        .await;
    after(
        "/billing",
        done.map(|d| {
            let status = serde_json::to_value(&d.status).unwrap_or_default();
            format!(
                "#{id} {} ({}): {}",
                d.account_id,
                d.authority,
                status["status"].as_str().unwrap_or("decided")
            )
        })
        .map_err(|e| refusal(&e)),
    )
}
