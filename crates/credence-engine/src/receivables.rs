//! Receivables and collections (CTRL-9) over the stored portfolio: aging by group,
//! business line, customer and month, collectors' worklists and the success of their
//! actions — each from one read of the ledgers, range by range.

use crate::EngineError;
use crate::control::{Facts, latest_ratings, map_facts};
use chrono::{Datelike, NaiveDate};
use credence_control as control;
use credence_control::{
    AgingDates, AgingReport, AgingRollup, CollectionCase, CollectionStrategy, OpenItems, Worklist,
};
use credence_domain::{Currency, Labelled};
use credence_store::Store;
use std::collections::HashMap;

/// Aging on a date: the roll-up by group, business line and portfolio, the customers
/// with the most overdue, and the portfolio at the month ends before.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AgingView {
    pub report: AgingReport,
    /// Customers with the most 90+ days overdue, then the most overdue in all (at most
    /// the number asked).
    pub top_customers: Vec<(String, control::AgingLine)>,
    /// The portfolio line at each earlier month end asked for, oldest first.
    pub history: Vec<(NaiveDate, control::AgingLine)>,
}

/// The last day of the month `back` months before the month of `d`.
pub(crate) fn month_end_before(d: NaiveDate, back: u32) -> NaiveDate {
    let first = d.with_day(1).expect("day 1 exists") - chrono::Months::new(back - 1);
    first - chrono::Days::new(1)
}

/// What an aging report covers.
#[derive(Debug, Clone)]
pub struct AgingOptions {
    pub as_of: NaiveDate,
    pub currency: Currency,
    /// How many of the most overdue customers to list.
    pub top: usize,
    /// Month ends before `as_of` to age the portfolio at as well.
    pub months: u32,
    /// Only these customers (a caller's data scope); `None`: all.
    pub only: Option<std::collections::HashSet<String>>,
}

impl AgingOptions {
    pub fn new(as_of: NaiveDate, currency: Currency) -> AgingOptions {
        AgingOptions { as_of, currency, top: 10, months: 12, only: None }
    }
}

/// Aging of every customer's open items on `as_of` (CTRL-9), by group, business line and
/// portfolio, with the `top` customers most overdue and the portfolio at the `months`
/// month ends before — all from one read of the ledgers.
pub fn aging(store: &mut Store, options: &AgingOptions) -> Result<AgingView, EngineError> {
    let AgingOptions { as_of, currency, top, months, .. } = *options;
    let ctx_groups = {
        let parties = crate::related_parties(store, as_of, credence_groups::GroupConfig::builtin())?;
        let mut group_of = HashMap::new();
        for g in parties.groups.groups() {
            for m in g.members().filter(|&m| parties.graph.is_customer(m)) {
                group_of.insert(parties.graph.id(m).to_owned(), g.id().to_owned());
            }
        }
        group_of
    };
    let ids: Vec<String> = store
        .customer_ids()?
        .into_iter()
        .filter(|id| options.only.as_ref().is_none_or(|o| o.contains(id)))
        .collect();
    let dates = AgingDates::new(as_of);
    let earlier: Vec<AgingDates> =
        (1..=months).rev().map(|k| AgingDates::new(month_end_before(as_of, k))).collect();
    let mut rollup = AgingRollup::new(AgingDates::new(as_of), currency);
    let mut past: Vec<AgingRollup> = earlier.iter().map(|d| AgingRollup::new(*d, currency)).collect();
    let mut worst: Vec<(String, control::AgingProfile)> = Vec::new();
    map_facts(
        store,
        &ids,
        as_of,
        currency,
        &|f| {
            let mut scratch = OpenItems::default();
            let profile = control::age_ledger(&f.ledger, &dates, &mut scratch);
            let before: Vec<control::AgingProfile> =
                earlier.iter().map(|d| control::age_ledger(&f.ledger, d, &mut scratch)).collect();
            (f.customer_id.into_string(), f.business_line, profile, before)
        },
        |done| {
            for (customer, line, profile, before) in done {
                rollup.add(ctx_groups.get(&customer).map(String::as_str), Some(&line), &profile);
                for (r, p) in past.iter_mut().zip(&before) {
                    r.add(None, None, p);
                }
                if top > 0 && profile.overdue_items > 0 {
                    worst.push((customer, profile));
                    if worst.len() > top * 4 {
                        keep_worst(&mut worst, top);
                    }
                }
            }
            Ok(())
        },
    )?;
    keep_worst(&mut worst, top);
    Ok(AgingView {
        top_customers: worst.into_iter().map(|(c, p)| (c, rollup_line(&dates, currency, &p))).collect(),
        history: earlier.iter().zip(&past).map(|(d, r)| (d.as_of, r.report().portfolio)).collect(),
        report: rollup.report(),
    })
}

/// Keeps the `n` customers with the most 90+ days overdue (then most overdue in all).
fn keep_worst(list: &mut Vec<(String, control::AgingProfile)>, n: usize) {
    let overdue = |p: &control::AgingProfile| p.open - p.overdue.current;
    list.sort_by(|a, b| {
        b.1.overdue
            .over_90
            .cmp(&a.1.overdue.over_90)
            .then(overdue(&b.1).cmp(&overdue(&a.1)))
            .then(a.0.cmp(&b.0))
    });
    list.truncate(n);
}

fn rollup_line(dates: &AgingDates, currency: Currency, p: &control::AgingProfile) -> control::AgingLine {
    let mut one = AgingRollup::new(*dates, currency);
    one.add(None, None, p);
    one.report().portfolio
}

/// The collection actions logged, by customer, as the strategy functions read them.
fn action_records(store: &mut Store) -> Result<HashMap<String, Vec<control::ActionRecord>>, EngineError> {
    Ok(store
        .collection_actions()?
        .into_iter()
        .map(|(c, list)| {
            let records = list
                .into_iter()
                .filter_map(|a| {
                    Some(control::ActionRecord {
                        date: a.action_date.parse().ok()?,
                        action: control::Action::parse_label(&a.action)?,
                    })
                })
                .collect();
            (c, records)
        })
        .collect())
}

/// Collection success over the portfolio (CTRL-9), by action and by the strategy rule
/// each action was taken under (the customer's bucket that day and its current grade):
/// attempts, successes (a payment within the strategy's success window after the action)
/// and amounts recovered, from the ledgers as at `as_of`.
pub fn collection_report(
    store: &mut Store,
    strategy: &CollectionStrategy,
    currency: Currency,
    as_of: NaiveDate,
) -> Result<control::CollectionSuccess, EngineError> {
    let records = action_records(store)?;
    let ratings = latest_ratings(store)?;
    let mut ids: Vec<String> = records.keys().cloned().collect();
    ids.sort();
    let mut total = control::CollectionSuccess::default();
    map_facts(
        store,
        &ids,
        as_of,
        currency,
        &|f| {
            let actions: Vec<control::ActionRecord> = records
                .get(f.customer_id.as_str())
                .into_iter()
                .flatten()
                .filter(|a| a.date <= as_of)
                .cloned()
                .collect();
            let grade = ratings.get(f.customer_id.as_str()).map(|r| r.0.as_str());
            control::collection_success(strategy, grade, &f.ledger, &actions)
        },
        |done| {
            done.into_iter().for_each(|lines| total.add(lines));
            Ok(())
        },
    )?;
    Ok(total)
}

/// Today's worklist for collectors (CTRL-9): every customer with open receivables, owned
/// by its business line, with its grade and PD, logged actions and promises. Invoices
/// under a dispute open today are left out until it is resolved.
pub fn collection_worklist(
    store: &mut Store,
    strategy: &CollectionStrategy,
    currency: Currency,
    today: NaiveDate,
) -> Result<Worklist, EngineError> {
    let ratings = latest_ratings(store)?;
    let mut actions = action_records(store)?;
    let mut promises = store.promises(None)?;
    // Invoices in dispute today are held back from collection until it is resolved.
    let mut disputed: HashMap<String, std::collections::HashSet<String>> = HashMap::new();
    for d in store.disputes(None)?.into_values().flatten().filter(|d| crate::collections::is_open(d, today)) {
        disputed.entry(d.customer_id.into()).or_default().insert(d.invoice_no);
    }
    let ids = store.customer_ids()?;
    // Only customers with open items, as lean cases; their logs are attached here.
    // A case can only have an action due once its oldest item is within the strategy's
    // earliest step (e.g. a reminder 7 days before due); customers with logged actions or
    // promises stay in for broken-promise escalation. The rest are not kept.
    let earliest = strategy.rules().iter().flat_map(|r| r.steps.iter().map(|s| s.day)).min().unwrap_or(0);
    let cutoff = today + chrono::Duration::days(-earliest.min(0));
    let logged: std::collections::HashSet<String> = actions.keys().chain(promises.keys()).cloned().collect();
    let open_case = |f: Facts| {
        let open = OpenItems::of(&f.ledger, today);
        let oldest_due = open.items.iter().map(|i| i.due_date).min()?;
        if oldest_due > cutoff && !logged.contains(f.customer_id.as_str()) {
            return None;
        }
        let mut receivables = open.receivables(&f.ledger);
        if let Some(invoices) = disputed.get(f.customer_id.as_str()) {
            receivables.retain(|r| !invoices.contains(&r.invoice_no));
        }
        Some((f.customer_id.into_string(), f.business_line, receivables, f.ledger.payments))
    };
    let mut cases: Vec<CollectionCase> = Vec::new();
    map_facts(store, &ids, today, currency, &open_case, |done| {
        for (customer_id, owner, receivables, payments) in done.into_iter().flatten() {
            let rating = ratings.get(&customer_id);
            cases.push(CollectionCase {
                owner,
                grade: rating.map(|r| r.0.clone()),
                pd: rating.map(|r| r.2),
                receivables,
                actions: actions.remove(&customer_id).unwrap_or_default(),
                promises: promises
                    .remove(&customer_id)
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|p| p.currency == currency.code())
                    .filter_map(|p| {
                        Some(control::Promise {
                            made_on: p.made_on.parse().ok()?,
                            promised_date: p.promised_date.parse().ok()?,
                            amount: p.amount,
                            invoice_no: p.invoice_no,
                            grace_days: p.grace_days,
                        })
                    })
                    .collect(),
                payments,
                customer_id: customer_id.into(),
            });
        }
        Ok(())
    })?;
    Ok(control::worklist(strategy, &cases, today))
}
