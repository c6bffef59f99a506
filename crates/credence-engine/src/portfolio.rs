//! The portfolio on a date (PORT-1): every customer's position for the cockpit, built with
//! the exposure book of credit checks from one read of the ledgers, so a server keeps both
//! warm together.

use std::collections::HashMap;

use chrono::NaiveDate;
use credence_control::{AgingDates, CreditPolicy, Level, OpenItems};
use credence_domain::Labelled;
use credence_portfolio::{OpenAt, Portfolio, Position};
use credence_store::Store;

use crate::EngineError;
use crate::control::{WarmBook, book_from_facts, context, map_facts};
use crate::receivables::month_end_before;

/// How much history a portfolio carries.
#[derive(Debug, Clone)]
pub struct PortfolioOptions {
    /// Month ends before the date for the overdue trend.
    pub months: u32,
    /// Rating dates (the latest ones) for the PD trend.
    pub rating_dates: usize,
    /// Letter grades from best to worst (the expert scorecard's scale).
    pub grade_order: Vec<String>,
}

impl PortfolioOptions {
    /// Twelve month ends and twelve rating dates on the scorecard's letter scale.
    pub fn new(model: &credence_rating::ScorecardModel) -> PortfolioOptions {
        PortfolioOptions {
            months: 12,
            rating_dates: 12,
            grade_order: crate::model::grade_scale(model).into_iter().map(|g| g.grade).collect(),
        }
    }
}

/// The exposure book and the portfolio, built together.
pub struct PortfolioSnapshot {
    pub book: WarmBook,
    pub portfolio: Portfolio,
    /// Customers whose credit files could not be read (in neither).
    pub unreadable: Vec<String>,
}

/// What one worker computes of a customer's ledger: receivables now and at each month
/// end, overdue and 90+ days overdue now.
struct Aged {
    open: i64,
    overdue: i64,
    over_90: i64,
    history: Vec<OpenAt>,
}

/// Each customer's PD at each rating date (none: not rated by then).
type PdHistory = HashMap<String, Vec<Option<f64>>>;

/// PD in force at each rating date: for each date, the latest rating of each customer with
/// that as-of date or an earlier one, in the latest `n` distinct as-of dates of finished
/// runs.
fn pd_history(store: &mut Store, n: usize) -> Result<(Vec<NaiveDate>, PdHistory), EngineError> {
    let mut runs: Vec<credence_store::RatingRun> =
        store.rating_runs(u32::MAX)?.into_iter().filter(|r| r.finished_at.is_some()).collect();
    runs.sort_by(|a, b| a.as_of.cmp(&b.as_of).then(a.id.cmp(&b.id)));
    let mut dates: Vec<NaiveDate> = runs.iter().filter_map(|r| r.as_of.parse().ok()).collect();
    dates.dedup();
    let dates: Vec<NaiveDate> = dates.split_off(dates.len().saturating_sub(n));
    if dates.is_empty() {
        return Ok((dates, HashMap::new()));
    }
    let mut current: HashMap<String, f64> = HashMap::new();
    let mut out: PdHistory = HashMap::new();
    let mut k = 0;
    let snapshot = |current: &HashMap<String, f64>, out: &mut PdHistory, k: usize| {
        for (c, pd) in current {
            let v = out.entry(c.clone()).or_insert_with(|| vec![None; dates.len()]);
            v[k] = Some(*pd);
        }
    };
    for run in &runs {
        let Ok(as_of) = run.as_of.parse::<NaiveDate>() else { continue };
        // Runs before the first date still give the PDs in force on it.
        while k < dates.len() && as_of > dates[k] {
            snapshot(&current, &mut out, k);
            k += 1;
        }
        if k == dates.len() {
            break;
        }
        store.ratings_of_run(run.id, |r| {
            current.insert(r.rating.customer_id.into(), r.rating.pd);
            Ok(())
        })?;
    }
    while k < dates.len() {
        snapshot(&current, &mut out, k);
        k += 1;
    }
    Ok((dates, out))
}

/// Every customer's position on `as_of` and the exposure book for credit checks, from
/// one read of the ledgers (on every core).
pub fn portfolio_snapshot(
    store: &mut Store,
    policy: &CreditPolicy,
    as_of: NaiveDate,
    options: &PortfolioOptions,
) -> Result<PortfolioSnapshot, EngineError> {
    let ctx = context(store, as_of)?;
    let ids = store.customer_ids()?;
    let month_ends: Vec<NaiveDate> = (1..=options.months).rev().map(|k| month_end_before(as_of, k)).collect();
    let now = AgingDates::new(as_of);
    let earlier: Vec<AgingDates> = month_ends.iter().map(|&d| AgingDates::new(d)).collect();
    let mut facts = Vec::with_capacity(ids.len());
    let mut aged: HashMap<String, Aged> = HashMap::with_capacity(ids.len());
    map_facts(
        store,
        &ids,
        as_of,
        policy.currency(),
        &|f| {
            let mut scratch = OpenItems::default();
            let p = credence_control::age_ledger(&f.ledger, &now, &mut scratch);
            let history = earlier
                .iter()
                .map(|d| {
                    let e = credence_control::age_ledger(&f.ledger, d, &mut scratch);
                    OpenAt { open: e.open, overdue: e.open - e.overdue.current }
                })
                .collect();
            let a = Aged {
                open: p.open,
                overdue: p.open - p.overdue.current,
                over_90: p.overdue.over_90,
                history,
            };
            (f, a)
        },
        |done| {
            for (f, a) in done {
                aged.insert(f.customer_id.to_string(), a);
                facts.push(f);
            }
            Ok(())
        },
    )?;
    facts.sort_by(|a, b| a.customer_id.cmp(&b.customer_id));
    let (book, _) = book_from_facts(policy, &facts, &ctx, as_of);
    let levels = store.level_states()?;
    let (rating_dates, mut pds) = pd_history(store, options.rating_dates)?;
    let mut positions = Vec::with_capacity(facts.len());
    let mut unreadable = Vec::new();
    for c in store.customer_directory()? {
        let Some(standing) = book.standing(&c.customer_id, as_of) else {
            unreadable.push(c.customer_id.into());
            continue;
        };
        let a = aged.remove(c.customer_id.as_str());
        let rating = ctx.ratings.get(c.customer_id.as_str());
        let level = levels.get(c.customer_id.as_str());
        positions.push(Position {
            grade: rating.map(|r| r.0.clone()),
            pd: rating.map(|r| r.2),
            level: level.and_then(|l| Level::parse_label(&l.level)).unwrap_or(Level::Green),
            watch: level.is_some_and(|l| l.watch),
            exposure: standing.exposure,
            receivables: a.as_ref().map_or(0, |a| a.open),
            limit: standing.limit + standing.temporary_limit,
            overdue: a.as_ref().map_or(0, |a| a.overdue),
            over_90: a.as_ref().map_or(0, |a| a.over_90),
            history: a.map(|a| a.history).unwrap_or_else(|| vec![OpenAt::default(); month_ends.len()]),
            pd_history: pds.remove(c.customer_id.as_str()).unwrap_or_else(|| vec![None; rating_dates.len()]),
            group_id: ctx.group_of.get(c.customer_id.as_str()).cloned(),
            customer_id: c.customer_id,
            name: c.name,
            customer_type: c.customer_type,
            industry: c.industry,
            region: c.region,
            org_unit: c.org_unit,
            business_line: c.business_line,
        });
    }
    let customers = facts.len();
    Ok(PortfolioSnapshot {
        book: WarmBook { book, as_of, customers },
        portfolio: Portfolio {
            as_of,
            currency: policy.currency(),
            month_ends,
            rating_dates,
            grade_order: options.grade_order.clone(),
            positions,
        },
        unreadable,
    })
}
