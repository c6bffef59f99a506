//! Collection worklists (CTRL-9): for each collector, today's customers to act on, the
//! next action and its priority, plus the success rate of actions.
//!
//! For one customer ([`CollectionCase`]) at `today`:
//! 1. **Days overdue** `d` = today − the due date of its oldest open invoice (negative
//!    before it is due). Nothing open: no work.
//! 2. **Promise**: the latest promise made on or before today decides first. Pending: the
//!    customer is on hold until the promise's deadline. Broken (on the day after the
//!    deadline) and no action logged since: **escalate** — the action after the harshest
//!    one logged up to the break (a reminder's successor when none), or the ladder's
//!    current action if that is harsher; due on the day it broke.
//! 3. **Ladder**: otherwise the strategy's ladder for the customer's grade (every bucket's
//!    actions in day order); the current step is the last whose day is ≤ `d`, due on the
//!    oldest due date + its day. Done when an action at least as harsh was logged since
//!    the stage began (the due date of the step before it; its own for the first step), so
//!    a visit made after a broken promise also answers the letter that falls due the next
//!    day. Steps passed over are not done any more: a collector at the letter stage does
//!    not send the reminder first.
//! 4. **Priority** = amount at stake × PD × urgency: the expected loss the action can
//!    avoid. The amount at stake is the open amount of invoices due on or before today
//!    (before the due date, for a reminder `k` days ahead, on or before today + `k`); the PD
//!    is the customer's (the strategy's default without one); urgency is the strategy's
//!    curve at `d`, times the broken-promise factor after a broken promise.
//!
//! Each collector's list is ordered by priority (highest first), then amount (largest
//! first), then customer id; collectors by id.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use credence_domain::{CustomerId, Labelled};
use serde::{Deserialize, Serialize};

use crate::aging::{Ledger, LedgerPayment, OpenItems, OpenReceivable};
use crate::labels::{Action, OverdueBucket};
use crate::promises::{Promise, PromiseStatus, promise_status};
use crate::strategy::CollectionStrategy;

/// A collection action that was taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionRecord {
    pub date: NaiveDate,
    pub action: Action,
}

/// What the worklist needs to know about one customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CollectionCase {
    pub customer_id: CustomerId,
    /// The collector responsible.
    pub owner: String,
    pub grade: Option<String>,
    pub pd: Option<f64>,
    pub receivables: Vec<OpenReceivable>,
    pub actions: Vec<ActionRecord>,
    pub promises: Vec<Promise>,
    pub payments: Vec<LedgerPayment>,
}

/// Why an action is on the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkReason {
    /// The strategy's ladder step for the bucket and grade.
    Ladder,
    /// A promise to pay was broken.
    BrokenPromise,
}

/// One customer on a collector's list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorkItem {
    pub customer_id: CustomerId,
    pub action: Action,
    pub reason: WorkReason,
    /// The day the action became due (on or before today).
    pub due_on: NaiveDate,
    pub days_overdue: i64,
    pub bucket: OverdueBucket,
    /// Amount at stake, minor units.
    pub amount: i64,
    pub pd: f64,
    pub urgency: f64,
    /// amount × PD × urgency, minor units.
    pub priority: f64,
    pub text_en: String,
    pub text_zh: String,
}

/// Where one customer stands today.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum CaseState {
    /// Nothing open, nothing due yet, or the due action was done.
    NothingDue,
    /// Waiting for a promise to pay until its deadline.
    OnHold {
        until: NaiveDate,
    },
    Due(WorkItem),
}

/// One collector's list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CollectorList {
    pub owner: String,
    pub items: Vec<WorkItem>,
}

/// Today's worklists.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Worklist {
    pub date: NaiveDate,
    pub strategy_version: String,
    /// By owner id.
    pub collectors: Vec<CollectorList>,
    /// Customers waiting for a promise: (customer, owner, until), by customer id.
    pub on_hold: Vec<(String, String, NaiveDate)>,
}

fn plus_days(d: NaiveDate, n: i64) -> NaiveDate {
    if n >= 0 {
        d.checked_add_days(Days::new(n as u64)).unwrap_or(NaiveDate::MAX)
    } else {
        d.checked_sub_days(Days::new(n.unsigned_abs())).unwrap_or(NaiveDate::MIN)
    }
}

/// The next action for one customer at `today` (see the module documentation).
pub fn next_action(strategy: &CollectionStrategy, case: &CollectionCase, today: NaiveDate) -> CaseState {
    let open = || case.receivables.iter().filter(|r| r.open > 0);
    let Some(oldest_due) = open().map(|r| r.due_date).min() else { return CaseState::NothingDue };
    let d = (today - oldest_due).num_days();
    let grade = case.grade.as_deref();
    // The current step and the one before it (whose due date opens the current stage).
    let mut current = None;
    let mut previous = None;
    for s in strategy.ladder(grade).take_while(|s| s.day <= d) {
        previous = current;
        current = Some(s);
    }
    let pd = case.pd.filter(|p| p.is_finite()).unwrap_or(strategy.default_pd()).clamp(0.0, 1.0);
    let at_stake = |lead: i64| -> i64 {
        let until = plus_days(today, lead.max(0));
        open().filter(|r| r.due_date <= until).map(|r| r.open).sum()
    };
    let item = |action: Action, reason: WorkReason, due_on: NaiveDate, amount: i64| {
        let factor = if reason == WorkReason::BrokenPromise { strategy.broken_promise_factor() } else { 1.0 };
        let urgency = strategy.urgency(d) * factor;
        let bucket = OverdueBucket::of_days(d);
        let (why_en, why_zh) = match reason {
            WorkReason::Ladder if d > 0 => (
                format!("oldest invoice {d} days overdue ({})", bucket.name_en()),
                format!("最早发票逾期{d}天（{}）", bucket.name_zh()),
            ),
            WorkReason::Ladder => {
                (format!("oldest invoice due {oldest_due}"), format!("最早发票{oldest_due}到期"))
            }
            WorkReason::BrokenPromise => {
                (format!("promise to pay broken on {due_on}"), format!("还款承诺于{due_on}失信"))
            }
        };
        CaseState::Due(WorkItem {
            customer_id: case.customer_id.clone(),
            action,
            reason,
            due_on,
            days_overdue: d,
            bucket,
            amount,
            pd,
            urgency,
            priority: amount as f64 * pd * urgency,
            text_en: format!("{} due {due_on}: {why_en}", action.name_en()),
            text_zh: format!("{}（{due_on}起）：{why_zh}", action.name_zh()),
        })
    };

    let latest_promise =
        case.promises.iter().filter(|p| p.made_on <= today).max_by_key(|p| (p.made_on, p.promised_date));
    if let Some(p) = latest_promise {
        match promise_status(p, &case.payments, today, strategy.promise_grace_days()) {
            PromiseStatus::Pending { deadline, .. } => return CaseState::OnHold { until: deadline },
            PromiseStatus::Broken { on, .. } if !case.actions.iter().any(|a| a.date >= on) => {
                let harshest = case.actions.iter().filter(|a| a.date < on).map(|a| a.action).max();
                let escalated = harshest.map_or(Action::Phone, Action::escalated);
                let action = current.map_or(escalated, |s| s.action.max(escalated));
                return item(action, WorkReason::BrokenPromise, on, at_stake(0));
            }
            _ => {}
        }
    }
    let Some(step) = current else { return CaseState::NothingDue };
    let due_on = plus_days(oldest_due, step.day);
    let stage_start = previous.map_or(due_on, |p| plus_days(oldest_due, p.day));
    if case.actions.iter().any(|a| a.date >= stage_start && a.action >= step.action) {
        return CaseState::NothingDue;
    }
    item(step.action, WorkReason::Ladder, due_on, at_stake(-step.day))
}

/// Today's prioritised list for every collector.
pub fn worklist(strategy: &CollectionStrategy, cases: &[CollectionCase], today: NaiveDate) -> Worklist {
    let mut lists: BTreeMap<&str, Vec<WorkItem>> = BTreeMap::new();
    let mut on_hold = Vec::new();
    for case in cases {
        match next_action(strategy, case, today) {
            CaseState::Due(item) => lists.entry(case.owner.as_str()).or_default().push(item),
            CaseState::OnHold { until } => {
                on_hold.push((case.customer_id.to_string(), case.owner.clone(), until))
            }
            CaseState::NothingDue => {}
        }
    }
    on_hold.sort();
    let collectors = lists
        .into_iter()
        .map(|(owner, mut items)| {
            items.sort_by(|a, b| {
                b.priority
                    .total_cmp(&a.priority)
                    .then(b.amount.cmp(&a.amount))
                    .then_with(|| a.customer_id.cmp(&b.customer_id))
            });
            CollectorList { owner: owner.to_owned(), items }
        })
        .collect();
    Worklist { date: today, strategy_version: strategy.version().to_owned(), collectors, on_hold }
}

/// How often an action was followed by a payment, and what was recovered.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ActionSuccess {
    pub action: Action,
    pub attempts: u32,
    pub successes: u32,
    /// successes / attempts × 100; `None` without attempts.
    pub success_rate_pct: Option<f64>,
    /// Payments credited to the action, minor units.
    pub recovered: i64,
}

/// The same for the actions taken under one rule of the strategy: the rule for the
/// customer's bucket (of its oldest open invoice on the day of the action) and grade.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleSuccess {
    /// Position of the rule in [`CollectionStrategy::rules`].
    pub rule: usize,
    pub bucket: OverdueBucket,
    /// The grades the rule names; empty for the bucket's default rule.
    pub grades: Vec<String>,
    pub action: Action,
    pub attempts: u32,
    pub successes: u32,
    pub success_rate_pct: Option<f64>,
    pub recovered: i64,
}

/// Collection success by action kind (mildest first) and by strategy rule and action (in
/// the strategy's order); [`CollectionSuccess::add`] sums customers.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CollectionSuccess {
    pub by_action: Vec<ActionSuccess>,
    pub by_rule: Vec<RuleSuccess>,
}

fn rate(successes: u32, attempts: u32) -> Option<f64> {
    (attempts > 0).then(|| f64::from(successes) / f64::from(attempts) * 100.0)
}

impl CollectionSuccess {
    /// Adds another customer's (or portfolio part's) lines.
    pub fn add(&mut self, other: CollectionSuccess) {
        for l in other.by_action {
            match self.by_action.iter_mut().find(|t| t.action == l.action) {
                Some(t) => {
                    t.attempts += l.attempts;
                    t.successes += l.successes;
                    t.recovered += l.recovered;
                    t.success_rate_pct = rate(t.successes, t.attempts);
                }
                None => self.by_action.push(l),
            }
        }
        for l in other.by_rule {
            match self.by_rule.iter_mut().find(|t| t.rule == l.rule && t.action == l.action) {
                Some(t) => {
                    t.attempts += l.attempts;
                    t.successes += l.successes;
                    t.recovered += l.recovered;
                    t.success_rate_pct = rate(t.successes, t.attempts);
                }
                None => self.by_rule.push(l),
            }
        }
        self.by_action.sort_by_key(|t| t.action as u8);
        self.by_rule.sort_by_key(|t| (t.rule, t.action as u8));
    }
}

/// Success of one customer's actions: a payment is credited to the latest action on or
/// before its date, if it came within the strategy's success window of it; an action
/// with at least one credited payment succeeded. Each action is also put under the rule
/// of the strategy in force for it: the customer's bucket on the day (days overdue of its
/// oldest open invoice then; current when nothing was open) and `grade`.
pub fn collection_success(
    strategy: &CollectionStrategy,
    grade: Option<&str>,
    ledger: &Ledger,
    actions: &[ActionRecord],
) -> CollectionSuccess {
    let window_days = strategy.success_window_days();
    let mut order: Vec<usize> = (0..actions.len()).collect();
    order.sort_by_key(|&i| (actions[i].date, i));
    let mut credited = vec![0i64; actions.len()];
    let mut hit = vec![false; actions.len()];
    for p in &ledger.payments {
        let k = order.partition_point(|&i| actions[i].date <= p.date);
        if k == 0 {
            continue;
        }
        let i = order[k - 1];
        if (p.date - actions[i].date).num_days() <= i64::from(window_days) {
            credited[i] += p.amount;
            hit[i] = true;
        }
    }
    let mut out = CollectionSuccess::default();
    let mut open = OpenItems::default();
    for (i, a) in actions.iter().enumerate() {
        open.compute(ledger, a.date);
        let days = open.items.first().map_or(0, |o| (a.date - o.due_date).num_days());
        let bucket = OverdueBucket::of_days(days);
        let rule = strategy.rule(bucket, grade);
        let position = strategy.rules().iter().position(|r| std::ptr::eq(r, rule)).unwrap_or(0);
        let (successes, recovered) = (u32::from(hit[i]), credited[i]);
        out.add(CollectionSuccess {
            by_action: vec![ActionSuccess {
                action: a.action,
                attempts: 1,
                successes,
                success_rate_pct: rate(successes, 1),
                recovered,
            }],
            by_rule: vec![RuleSuccess {
                rule: position,
                bucket: rule.bucket,
                grades: rule.grades.clone(),
                action: a.action,
                attempts: 1,
                successes,
                success_rate_pct: rate(successes, 1),
                recovered,
            }],
        });
    }
    out
}
