//! Arrears campaigns (SCN-1): a utility works arrears in batches by supply unit and
//! meter-reading route, not one case per alert. For a date, every account with an
//! undisputed bill unpaid past its due date is listed under its route with what it owes,
//! how late, its grade, the late-payment penalty to date, the last action logged and the
//! next step: the grade's reminder that is due and not yet sent, then — only through the
//! legal procedure of the billing policy — the written disconnection notice, and the
//! disconnection itself once the notice period has run, outside any moratorium, with the
//! approver's authority. [`log_billing_action`] records a step and refuses a disconnection
//! that skips the procedure.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use credence_control::BillingPolicy;
use credence_domain::{AccountClass, Labelled, Timestamp};
use credence_store::{BillingAction, GradeFilter, Store};

use crate::EngineError;
use crate::billing_ledger::Ledger;

/// The steps of the disconnection procedure, after the grade's reminders.
pub const DISCONNECTION_NOTICE: &str = "disconnection_notice";
pub const DISCONNECTION: &str = "disconnection";
pub const RECONNECTION: &str = "reconnection";
/// A campaign's step for an account whose supply is cut: nothing to do but reconnect it
/// once it pays.
pub const OFF: &str = "off";

/// The day an account's supply was cut, when a recorded disconnection (any reason) is
/// still in force on `date`.
fn off_since(ledger: &Ledger, date: NaiveDate) -> Option<NaiveDate> {
    ledger.cuts.iter().filter(|c| c.on <= date && c.back.is_none_or(|b| b > date)).map(|c| c.on).max()
}

/// Actions that may be logged: the policy's reminders and the procedure's steps.
fn known_actions() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = credence_control::billing_policy::REMINDER_ACTIONS.to_vec();
    out.extend([DISCONNECTION_NOTICE, DISCONNECTION, RECONNECTION]);
    out
}

/// An account in a campaign.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CampaignItem {
    pub account_id: String,
    pub class: String,
    pub grade: Option<String>,
    /// Minor units unpaid past the due date.
    pub arrears: i64,
    pub oldest_due: NaiveDate,
    pub days_overdue: i64,
    /// Minor units of late-payment penalty to the date on the bills still in arrears.
    pub penalty: i64,
    /// (date, action) of the latest action since the oldest unpaid bill fell due.
    pub last_action: Option<(String, String)>,
    /// The next step's code, or `wait` (nothing due yet) or `moratorium`.
    pub next: String,
    pub why_en: String,
    pub why_zh: String,
}

/// One route's batch.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RouteCampaign {
    pub supply_unit: String,
    pub route: String,
    pub accounts: u64,
    pub arrears: i64,
    /// Next step → accounts.
    pub steps: BTreeMap<String, u64>,
    /// Largest arrears first.
    pub items: Vec<CampaignItem>,
}

/// The campaigns of a date.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Campaigns {
    pub date: NaiveDate,
    pub currency: String,
    pub routes: Vec<RouteCampaign>,
}

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct CampaignFilter {
    pub supply_unit: Option<String>,
    pub route: Option<String>,
}

/// The grade whose reminders an ungraded account gets: the middle of the scale.
fn fallback_grade(policy: &BillingPolicy) -> &str {
    &policy.grades[policy.grades.len() / 2].grade
}

/// The next step of an account `days` overdue (oldest bill due `due`) with `done` the
/// actions logged since then.
fn next_step(
    policy: &BillingPolicy,
    class: AccountClass,
    grade: &str,
    date: NaiveDate,
    days: i64,
    done: &[&BillingAction],
) -> (String, String, String) {
    let has = |action: &str| done.iter().any(|a| a.action == action);
    let reminders = policy.terms_for(grade, class).map(|t| t.reminders.clone()).unwrap_or_default();
    // The latest reminder whose day has come, unless it (or a later step) was logged.
    if let Some(r) = reminders.iter().rev().find(|r| i64::from(r.day) <= days)
        && !has(&r.action)
        && !has(DISCONNECTION_NOTICE)
    {
        return (
            r.action.clone(),
            format!("{} days overdue: the grade {grade} reminder of day {}", days, r.day),
            format!("逾期 {days} 天：{grade} 级第 {} 天的催费措施", r.day),
        );
    }
    if let Some(first) = reminders.first().filter(|r| i64::from(r.day) > days) {
        return (
            "wait".into(),
            format!(
                "{days} days overdue: the grade {grade} first reminder ({}) is on day {}",
                first.action, first.day
            ),
            format!("逾期 {days} 天：{grade} 级首次催费（{}）在第 {} 天", first.action, first.day),
        );
    }
    let d = &policy.disconnection;
    if days <= i64::from(d.min_overdue_days) {
        return (
            "wait".into(),
            format!("reminded; disconnection only after {} days overdue", d.min_overdue_days),
            format!("已催费；逾期超过 {} 天方可启动停电程序", d.min_overdue_days),
        );
    }
    if let Some(m) = d.moratorium_on(date, class) {
        return ("moratorium".into(), m.reason_en.clone(), m.reason_zh.clone());
    }
    let notice_days = d.notice_days(class);
    match done.iter().rev().find(|a| a.action == DISCONNECTION_NOTICE) {
        None => (
            DISCONNECTION_NOTICE.into(),
            format!(
                "written notice {notice_days} days ahead, with proof of delivery; important users: copy to the power administration"
            ),
            format!("提前 {notice_days} 天送达停电通知书并留存送达凭证；重要用户同时报送电力管理部门"),
        ),
        Some(n) => {
            let served = NaiveDate::parse_from_str(&n.action_date, "%Y-%m-%d").unwrap_or(date);
            let ready = served + chrono::Days::new(notice_days.into());
            if date < ready {
                (
                    "wait".into(),
                    format!("notice served {served}; disconnection not before {ready}"),
                    format!("{served} 已送达通知；{ready} 前不得停电"),
                )
            } else if has(DISCONNECTION) {
                (
                    "wait".into(),
                    "disconnected; reconnect within the committed time after payment".into(),
                    "已停电；缴清后按承诺时限复电".into(),
                )
            } else {
                (
                    DISCONNECTION.into(),
                    format!(
                        "notice period over; needs the {} approval and a last notice {} hour(s) before",
                        d.approver, d.final_notice_hours
                    ),
                    format!(
                        "通知期满；须经{}批准，并于停电前 {} 小时再次通知",
                        d.approver, d.final_notice_hours
                    ),
                )
            }
        }
    }
}

/// The arrears campaigns of `date`, by supply unit and route.
pub fn billing_campaigns(
    store: &mut Store,
    policy: &BillingPolicy,
    date: NaiveDate,
    filter: &CampaignFilter,
) -> Result<Campaigns, EngineError> {
    let grades: HashMap<String, String> = match store.latest_billing_run(Some(&date.to_string()))? {
        Some(run) => store
            .account_grades(run.id, &GradeFilter::default())?
            .into_iter()
            .map(|g| (g.account_id, g.grade))
            .collect(),
        None => HashMap::new(),
    };
    let since = (date - chrono::Days::new(3 * 366)).to_string();
    let actions = store.billing_actions(&since, None)?;
    let mut routes: BTreeMap<(String, String), RouteCampaign> = BTreeMap::new();
    let mut each = |stored: credence_store::AccountLedger| {
        let a = &stored.account;
        if filter.supply_unit.as_ref().is_some_and(|u| *u != a.supply_unit)
            || filter.route.as_ref().is_some_and(|r| Some(r) != a.route.as_ref())
        {
            return Ok(());
        }
        let ledger = Ledger::of(&stored);
        let mut arrears = 0;
        let mut oldest: Option<NaiveDate> = None;
        let mut penalty = 0;
        let class = AccountClass::parse_label(&a.account_class).unwrap_or(AccountClass::NonResidential);
        // Earlier holders' bills and a bankruptcy's claim are not worked on this account.
        for b in ledger
            .bills
            .iter()
            .filter(|b| !b.disputed && b.issued <= date && b.due < date && ledger.current_at(b, date))
        {
            let unpaid = b.unpaid_at(date);
            if unpaid > 0 {
                arrears += unpaid;
                oldest = Some(oldest.map_or(b.due, |o| o.min(b.due)));
                let applied: Vec<(NaiveDate, i64)> =
                    b.applied.iter().copied().filter(|(d, _)| *d <= date).collect();
                penalty +=
                    credence_control::penalty(&policy.penalty, class, b.due, b.owed(), &applied, date).amount;
            }
        }
        let Some(oldest_due) = oldest else { return Ok(()) };
        let days = (date - oldest_due).num_days();
        let grade = grades.get(&a.account_id).cloned();
        let done: Vec<&BillingAction> = actions
            .get(&a.account_id)
            .map(|v| {
                let (from, to) = (oldest_due.to_string(), date.to_string());
                v.iter().filter(|x| x.action_date >= from && x.action_date <= to).collect()
            })
            .unwrap_or_default();
        let (next, why_en, why_zh) = match off_since(&ledger, date) {
            Some(on) => {
                let hours = policy.disconnection.reconnect_hours;
                (
                    OFF.to_owned(),
                    format!("supply cut on {on}; reconnect within {hours} hours of payment"),
                    format!("{on} 已停电；缴清后 {hours} 小时内复电"),
                )
            }
            None => next_step(
                policy,
                class,
                grade.as_deref().unwrap_or(fallback_grade(policy)),
                date,
                days,
                &done,
            ),
        };
        let route = a.route.clone().unwrap_or_else(|| "-".into());
        let batch = routes.entry((a.supply_unit.clone(), route.clone())).or_insert_with(|| RouteCampaign {
            supply_unit: a.supply_unit.clone(),
            route,
            accounts: 0,
            arrears: 0,
            steps: BTreeMap::new(),
            items: Vec::new(),
        });
        batch.accounts += 1;
        batch.arrears += arrears;
        *batch.steps.entry(next.clone()).or_default() += 1;
        batch.items.push(CampaignItem {
            account_id: a.account_id.clone(),
            class: a.account_class.clone(),
            grade,
            arrears,
            oldest_due,
            days_overdue: days,
            penalty,
            last_action: done.last().map(|x| (x.action_date.clone(), x.action.clone())),
            next,
            why_en,
            why_zh,
        });
        Ok(())
    };
    // A unit's campaign reads only the unit's accounts.
    match filter.supply_unit.clone() {
        Some(unit) => store.for_each_unit_ledger(&unit, &mut each)?,
        None => store.for_each_account_ledger(&mut each)?,
    }
    let mut out: Vec<RouteCampaign> = routes.into_values().collect();
    for r in &mut out {
        r.items.sort_by(|a, b| b.arrears.cmp(&a.arrears).then_with(|| a.account_id.cmp(&b.account_id)));
    }
    Ok(Campaigns { date, currency: policy.currency.code().to_owned(), routes: out })
}

/// A step to log.
#[derive(Debug, Clone)]
pub struct NewBillingAction<'a> {
    pub account_id: &'a str,
    pub date: NaiveDate,
    pub action: &'a str,
    pub note: &'a str,
    pub by: &'a str,
    pub now: &'a Timestamp,
}

/// Logs a collection step on an account. A disconnection is refused unless the procedure
/// was followed: arrears overdue past the policy's minimum, a written notice logged at
/// least the notice period before, no moratorium on the date, and the user holds the
/// approver's authority.
pub fn log_billing_action(
    store: &mut Store,
    policy: &BillingPolicy,
    a: &NewBillingAction<'_>,
) -> Result<(), EngineError> {
    let known = known_actions();
    if !known.contains(&a.action) {
        return Err(EngineError::BillingAction {
            reason: format!("'{}' is not one of {}", a.action, known.join(", ")),
        });
    }
    if a.note.chars().count() > 2_000 {
        return Err(EngineError::BillingAction { reason: "the note has more than 2000 characters".into() });
    }
    let ledger = store
        .account_ledger(a.account_id)?
        .ok_or_else(|| EngineError::UnknownAccount { id: a.account_id.to_owned() })?;
    if a.action == DISCONNECTION {
        let class =
            AccountClass::parse_label(&ledger.account.account_class).unwrap_or(AccountClass::NonResidential);
        let l = Ledger::of(&ledger);
        let oldest = l
            .bills
            .iter()
            .filter(|b| !b.disputed && b.due < a.date && b.unpaid_at(a.date) > 0 && l.current_at(b, a.date))
            .map(|b| b.due)
            .min();
        let d = &policy.disconnection;
        let refuse = |reason: String| Err(EngineError::BillingAction { reason });
        let Some(oldest) = oldest else { return refuse("the account has no arrears on that date".into()) };
        if let Some(on) = off_since(&l, a.date) {
            return refuse(format!("the supply has been cut since {on} and is not reconnected"));
        }
        if (a.date - oldest).num_days() <= i64::from(d.min_overdue_days) {
            return refuse(format!("arrears are not overdue more than {} days", d.min_overdue_days));
        }
        if let Some(m) = d.moratorium_on(a.date, class) {
            return refuse(format!("{} ({} – {})", m.reason_en, m.from, m.to));
        }
        let since = oldest.to_string();
        let notices =
            store.billing_actions(&since, Some(a.account_id))?.remove(a.account_id).unwrap_or_default();
        let ready = notices.iter().filter(|x| x.action == DISCONNECTION_NOTICE).any(|x| {
            NaiveDate::parse_from_str(&x.action_date, "%Y-%m-%d")
                .is_ok_and(|s| s + chrono::Days::new(d.notice_days(class).into()) <= a.date)
        });
        if !ready {
            return refuse(format!(
                "no written disconnection notice logged at least {} days before",
                d.notice_days(class)
            ));
        }
        let user = store.user(a.by)?.ok_or_else(|| EngineError::UnknownUser { name: a.by.to_owned() })?;
        let held: Vec<String> = store.authorities(user.id)?.into_iter().map(|x| x.authority).collect();
        if !held.contains(&d.approver) {
            return Err(EngineError::NoAuthority {
                user: a.by.to_owned(),
                needed: d.approver.clone(),
                held: if held.is_empty() { "none".into() } else { held.join(", ") },
            });
        }
    }
    store.log_billing_action(&BillingAction {
        account_id: a.account_id.to_owned(),
        action_date: a.date.to_string(),
        action: a.action.to_owned(),
        note: a.note.to_owned(),
        actor: a.by.to_owned(),
        logged_at: a.now.clone(),
    })?;
    Ok(())
}
