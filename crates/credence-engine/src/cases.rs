//! Disposal cases (CTRL-6, CTRL-8): the playbook of each level, the case a new red or
//! yellow alert opens or joins with the owner's notification, escalation of overdue
//! cases, and the changes a case owner makes.

use crate::EngineError;
use crate::warn::WarnReport;
use chrono::NaiveDate;
use credence_domain::Timestamp;
use credence_records::Value;
use credence_store::{CaseFilter, NewNotification, Store, StoredCase};
use credence_warning::RuleLevel;
use std::collections::HashMap;

/// What each level's case demands (CTRL-6, CTRL-8): how long the owner has, and the
/// playbook's first actions.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Playbook {
    pub level: &'static str,
    /// Business days after the run's business date (its as-of date); the case is due at
    /// the end of the last one.
    pub due_business_days: u32,
    pub actions_en: &'static [&'static str],
    pub actions_zh: &'static [&'static str],
}

/// Red: a stop-loss plan by the end of the next business day (freeze credit, legal
/// review). Yellow: tracking and a remediation plan requested from the customer, within a
/// working week.
pub const PLAYBOOKS: [Playbook; 2] = [
    Playbook {
        level: "red",
        due_business_days: 1,
        actions_en: &["freeze credit", "start legal review", "draw up the stop-loss plan"],
        actions_zh: &["冻结授信", "启动法律审查", "制定止损方案"],
    },
    Playbook {
        level: "yellow",
        due_business_days: 5,
        actions_en: &["track the customer closely", "request a remediation plan from the customer"],
        actions_zh: &["密切跟踪", "要求客户提交整改方案"],
    },
];

/// Emergency-plan templates an owner can apply to a case (`case act --template`).
pub const EMERGENCY_PLANS: [(&str, &str, &str); 3] = [
    (
        "payment_stop",
        "Payment stop: halt shipments, demand payment of all overdue items, secure collateral",
        "停止付款预案：暂停发货，催收全部逾期款项，落实担保",
    ),
    (
        "supply_chain_stop",
        "Supply-chain stop: switch to cash in advance, line up alternative customers, reduce open orders",
        "供应链中断预案：改为预付款，寻找替代客户，压减在途订单",
    ),
    (
        "ip_dispute",
        "IP dispute: legal review of the dispute, hold deliveries of the affected products, reassess the limit",
        "知识产权纠纷预案：法律评估争议，暂停相关产品交付，重新评估额度",
    ),
];

/// Case stages in escalation order: watch → downgrade → exit.
pub const STAGES: [&str; 3] = ["watch", "downgrade", "exit"];

pub fn playbook(level: &str) -> Option<&'static Playbook> {
    PLAYBOOKS.iter().find(|p| p.level == level)
}

/// When a case of `level` opened on business date `opened` is due: the end of the
/// playbook's last business day.
fn case_deadline(level: &str, opened: NaiveDate) -> Timestamp {
    let days = playbook(level).map_or(5, |p| p.due_business_days);
    Timestamp::end_of(credence_domain::business_days_after(opened, days))
}

/// A new red or yellow alert opens the customer's case, owned by its business line and
/// due by the level's playbook, or joins the open one (a red alert makes a yellow case
/// red and brings its deadline forward).
pub(crate) fn open_case(
    session: &mut credence_store::WarningSession<'_>,
    open_cases: &mut HashMap<String, StoredCase>,
    report: &mut WarnReport,
    raised: &Raised<'_>,
    now: &Timestamp,
    as_of: NaiveDate,
) -> Result<(), EngineError> {
    let Raised { customer, owner, alert, level, what } = *raised;
    let level = match level {
        RuleLevel::Red => "red",
        RuleLevel::Yellow => "yellow",
        RuleLevel::GreenWatch => return Ok(()),
    };
    let due_at = case_deadline(level, as_of);
    let note = format!("alert {alert}: {what}");
    match open_cases.get_mut(customer) {
        Some(case) => {
            let raise = (level == "red" && case.level != "red").then_some(("red", due_at.as_str()));
            if raise.is_some() {
                case.level = "red".into();
            }
            session.join_case(case.id, alert, &note, raise)?;
            report.cases_joined += 1;
            let (owner, case_id, due_at) = (case.owner.clone(), case.id, case.due_at.clone());
            let news = AlertNews { owner: &owner, case_id, customer, alert, level, what, due_at: &due_at };
            notify_alert(session, &news)?;
        }
        None => {
            let id = session.open_case(customer, level, owner, &due_at)?;
            session.join_case(id, alert, &note, None)?;
            open_cases.insert(
                customer.to_owned(),
                StoredCase {
                    id,
                    customer_id: customer.into(),
                    level: level.to_owned(),
                    status: credence_domain::CaseStatus::Open.into(),
                    stage: "watch".into(),
                    owner: owner.to_owned(),
                    escalated_to: None,
                    opened_at: now.to_owned(),
                    due_at,
                    closed_at: None,
                    outcome: None,
                },
            );
            report.cases_opened += 1;
            let due_at = open_cases[customer].due_at.clone();
            notify_alert(
                session,
                &AlertNews { owner, case_id: id, customer, alert, level, what, due_at: &due_at },
            )?;
        }
    }
    Ok(())
}

/// A new alert of a customer, as a case takes it in.
#[derive(Clone, Copy)]
pub(crate) struct Raised<'a> {
    pub customer: &'a str,
    /// The customer's business line, which owns a new case.
    pub owner: &'a str,
    pub alert: i64,
    pub level: RuleLevel,
    /// The rule's code and name.
    pub what: &'a str,
}

/// The news of a red or yellow alert for a case owner.
#[derive(Clone, Copy)]
struct AlertNews<'a> {
    owner: &'a str,
    case_id: i64,
    customer: &'a str,
    alert: i64,
    level: &'a str,
    what: &'a str,
    due_at: &'a str,
}

/// Queues the news of a red or yellow alert for the case owner.
fn notify_alert(
    session: &mut credence_store::WarningSession<'_>,
    n: &AlertNews<'_>,
) -> Result<(), EngineError> {
    let AlertNews { owner, case_id, customer, alert, level, what, due_at } = *n;
    let title_en = format!("{level} alert for {customer}: {what}; case {case_id} due {due_at}");
    let title_zh = format!(
        "客户{customer}触发{}预警：{what}；处置案件{case_id}，截止{due_at}",
        if level == "red" { "红色" } else { "黄色" }
    );
    let payload = serde_json::json!({
        "alert_id": alert, "case_id": case_id, "customer_id": customer, "level": level, "rule": what, "due_at": due_at,
    })
    .to_string();
    session.notify(&NewNotification {
        kind: "alert_raised",
        recipient: owner,
        title_en: &title_en,
        title_zh: &title_zh,
        payload: &payload,
    })?;
    Ok(())
}

/// Escalates every open case past its deadline that has not been escalated yet, to the
/// manager of its owner's organisation unit; returns how many.
pub fn sweep_cases(store: &mut Store, now: &Timestamp) -> Result<u64, EngineError> {
    let overdue = store.cases(&CaseFilter { due_before: Some(now.to_string()), ..CaseFilter::default() })?;
    let mut n = 0;
    for c in overdue.into_iter().filter(|c| c.escalated_to.is_none()) {
        let manager = format!("manager of {}", c.owner);
        let note = format!("due {} passed; escalated to {manager}", c.due_at);
        let payload = serde_json::json!({ "case_id": c.id, "customer_id": c.customer_id, "level": c.level, "owner": c.owner, "due_at": c.due_at }).to_string();
        let title_en =
            format!("Case {} for {} is overdue (due {}; owner {})", c.id, c.customer_id, c.due_at, c.owner);
        let title_zh =
            format!("客户{}的处置案件{}已超期（截止{}，负责人{}）", c.customer_id, c.id, c.due_at, c.owner);
        let notice = NewNotification {
            kind: "case_overdue",
            recipient: &manager,
            title_en: &title_en,
            title_zh: &title_zh,
            payload: &payload,
        };
        store.update_case(
            c.id,
            &[("escalated_to", Value::from(manager.as_str()))],
            "system",
            "overdue",
            &note,
            now,
            Some(&notice),
        )?;
        n += 1;
    }
    Ok(n)
}

/// A change an owner makes to a case.
#[derive(Debug, Clone)]
pub enum CaseChange {
    Assign {
        to: String,
    },
    /// An action taken, free text or an emergency-plan template's code.
    Act {
        action: String,
        template: Option<String>,
    },
    /// Moves the case a stage on: watch → downgrade → exit.
    Escalate {
        note: String,
    },
    Close {
        outcome: String,
    },
}

/// Applies a change to an open case, logged with who and when.
pub fn change_case(
    store: &mut Store,
    id: i64,
    change: &CaseChange,
    by: &str,
    now: &Timestamp,
) -> Result<StoredCase, EngineError> {
    let (case, _, _) = store.case(id)?.ok_or(EngineError::UnknownCase { id })?;
    if case.status != credence_domain::CaseStatus::Open {
        return Err(EngineError::CaseClosed { id });
    }
    let payload = serde_json::json!({ "case_id": id, "customer_id": case.customer_id, "level": case.level })
        .to_string();
    match change {
        CaseChange::Assign { to } => {
            let title_en =
                format!("Case {id} for {} ({} level) assigned to you by {by}", case.customer_id, case.level);
            let title_zh = format!("客户{}的处置案件{id}已由{by}转交给您", case.customer_id);
            let notice = NewNotification {
                kind: "case_assigned",
                recipient: to,
                title_en: &title_en,
                title_zh: &title_zh,
                payload: &payload,
            };
            store.update_case(
                id,
                &[("owner", Value::from(to.as_str()))],
                by,
                "assigned",
                &format!("{} → {to}", case.owner),
                now,
                Some(&notice),
            )?
        }
        CaseChange::Act { action, template } => {
            let note = match template {
                Some(code) => {
                    let plan = EMERGENCY_PLANS
                        .iter()
                        .find(|(c, _, _)| c == code)
                        .ok_or_else(|| EngineError::UnknownTemplate { code: code.clone() })?;
                    format!(
                        "{} — {}{}",
                        plan.1,
                        plan.2,
                        if action.is_empty() { String::new() } else { format!(": {action}") }
                    )
                }
                None => action.clone(),
            };
            store.update_case(id, &[], by, "action", &note, now, None)?
        }
        CaseChange::Escalate { note } => {
            let at = STAGES.iter().position(|s| *s == case.stage).unwrap_or(0);
            let next = STAGES.get(at + 1).ok_or(EngineError::CaseAtLastStage { id })?;
            let manager = format!("manager of {}", case.owner);
            let title_en = format!("Case {id} for {} escalated to {next} by {by}: {note}", case.customer_id);
            let title_zh = format!("客户{}的处置案件{id}已由{by}升级为{next}：{note}", case.customer_id);
            let notice = NewNotification {
                kind: "case_escalated",
                recipient: &manager,
                title_en: &title_en,
                title_zh: &title_zh,
                payload: &payload,
            };
            store.update_case(
                id,
                &[("stage", Value::from(*next))],
                by,
                "escalated",
                &format!("{} → {next}: {note}", case.stage),
                now,
                Some(&notice),
            )?
        }
        CaseChange::Close { outcome } => store.update_case(
            id,
            &[
                ("status", Value::from(credence_domain::CaseStatus::Closed.as_str())),
                ("closed_at", Value::from(now)),
                ("outcome", Value::from(outcome.as_str())),
            ],
            by,
            "closed",
            outcome,
            now,
            None,
        )?,
    }
    Ok(store.case(id)?.ok_or(EngineError::UnknownCase { id })?.0)
}
