//! How well each early-warning rule works, measured on the portfolio's own history like
//! a model: the pack is evaluated at a series of past dates and each rule's firings are
//! compared with the defaults that followed.

use crate::EngineError;
use crate::analysis::{default_dates, horizon_end};
use crate::credit_file::Pool;
use chrono::NaiveDate;
use credence_store::Store;
use credence_warning::RulePack;
use std::collections::HashMap;

/// One rule's record over the evaluation dates.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RulePerformance {
    pub code: String,
    pub name_en: String,
    pub name_zh: String,
    pub level: String,
    /// Firings over all dates (a customer counts once per date).
    pub firings: u64,
    /// Customers it fired for at least once.
    pub customers: u64,
    /// Of those, the share that defaulted within the horizon after the first firing.
    pub precision: Option<f64>,
    /// Of the customers that defaulted within the horizon after some evaluation date,
    /// the share the rule had fired for within the horizon before the default.
    pub recall: Option<f64>,
    /// Median days from the first firing (within the horizon) to the default, over the
    /// defaults caught.
    pub median_lead_days: Option<f64>,
    /// Episodes (runs of consecutive dates the rule fired) that ended without a default
    /// within the horizon of their start, as a share of the episodes that ended.
    pub false_alarm_rate: Option<f64>,
}

/// The report: dates evaluated, the horizon, the defaults observed, and every rule.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RulesPerformanceReport {
    pub pack_version: String,
    pub dates: Vec<NaiveDate>,
    pub horizon_months: u32,
    /// Customers evaluated at one date at least, and those that defaulted within the
    /// horizon after a date they were evaluated at.
    pub customers: u64,
    pub defaulters: u64,
    pub rules: Vec<RulePerformance>,
}

/// Evaluation dates every `every_months` months going back from `to` to `from` (at most
/// 200), ascending; none when `from` is after `to` or `every_months` is zero. When `to`
/// is a month end every date is (quarter ends stay quarter ends).
pub fn evaluation_dates(from: NaiveDate, to: NaiveDate, every_months: u32) -> Vec<NaiveDate> {
    use chrono::Datelike;
    if every_months == 0 {
        return Vec::new();
    }
    let month_end = (to + chrono::Days::new(1)).day() == 1;
    let first_of_month = to.with_day(1).expect("day 1 exists");
    let mut dates: Vec<NaiveDate> = (0..200_u32)
        .map_while(|k| {
            let back = chrono::Months::new(every_months.checked_mul(k)?);
            let d = if month_end {
                first_of_month - back + chrono::Months::new(1) - chrono::Days::new(1)
            } else {
                to - back
            };
            (d >= from).then_some(d)
        })
        .collect();
    dates.reverse();
    dates
}

/// Evaluates `pack` over every customer not yet defaulted at each of `dates` (ascending)
/// and measures each rule against the `default` events in the following
/// `horizon_months`.
pub fn rules_performance(
    store: &mut Store,
    pack: &RulePack,
    dates: &[NaiveDate],
    horizon_months: u32,
) -> Result<RulesPerformanceReport, EngineError> {
    let defaults = default_dates(store)?;
    let ids = store.customer_ids()?;
    let position: HashMap<&str, u32> =
        ids.iter().enumerate().map(|(i, id)| (id.as_str(), i as u32)).collect();
    let codes: Vec<&str> = pack.rules().iter().map(|r| r.code.as_str()).collect();
    let code_of: HashMap<&str, u16> = codes.iter().enumerate().map(|(i, c)| (*c, i as u16)).collect();
    // (customer, rule) → the date indices it fired at, ascending.
    let mut fired: HashMap<(u32, u16), Vec<u8>> = HashMap::new();
    // customer → the first and last date index it was evaluated at.
    let mut evaluated: HashMap<u32, (u8, u8)> = HashMap::new();
    let mut pool = Pool::open(store)?;
    for (d, &date) in dates.iter().enumerate() {
        let d = d as u8;
        let evaluator = pack.evaluator(date);
        let alive: Vec<String> = ids
            .iter()
            .filter(|id| defaults.get(id.as_str()).is_none_or(|&def| def > date))
            .cloned()
            .collect();
        pool.run(
            &alive,
            &|c| {
                let (file, _) = c.file.as_ref().ok()?;
                let w =
                    evaluator.evaluate(file, &credence_warning::CustomerStatus { grade: None, tier: None });
                Some((w.customer_id, w.firings.into_iter().map(|f| f.code).collect::<Vec<_>>()))
            },
            |done, _, _| {
                for (customer, codes) in done.into_iter().flatten() {
                    let Some(&c) = position.get(customer.as_str()) else { continue };
                    let e = evaluated.entry(c).or_insert((d, d));
                    e.1 = d;
                    for code in codes {
                        if let Some(&r) = code_of.get(code.as_str()) {
                            fired.entry((c, r)).or_default().push(d);
                        }
                    }
                }
                Ok(())
            },
        )?;
    }
    // Customers that defaulted within the horizon after a date they were evaluated at.
    let default_of = |c: u32| defaults.get(ids[c as usize].as_str()).copied();
    let within = |d: u8, default: NaiveDate| {
        let at = dates[d as usize];
        default > at && default <= horizon_end(at, horizon_months)
    };
    let defaulters: Vec<u32> = evaluated
        .iter()
        .filter(|(c, (first, last))| {
            default_of(**c).is_some_and(|def| (*first..=*last).any(|d| within(d, def)))
        })
        .map(|(c, _)| *c)
        .collect();
    let mut rules = Vec::new();
    for (r, rule) in pack.rules().iter().enumerate() {
        let r = r as u16;
        let mut firings = 0;
        let (mut customers, mut true_hits) = (0_u64, 0_u64);
        let (mut episodes, mut false_alarms) = (0_u64, 0_u64);
        for ((c, _), at) in fired.iter().filter(|((_, rr), _)| *rr == r) {
            firings += at.len() as u64;
            customers += 1;
            let default = default_of(*c);
            if default.is_some_and(|def| within(at[0], def)) {
                true_hits += 1;
            }
            // Episodes: runs of consecutive date indices; one ends when the customer was
            // evaluated at the next date and the rule did not fire.
            let last_evaluated = evaluated.get(c).map_or(0, |e| e.1);
            let mut start = at[0];
            for (k, &d) in at.iter().enumerate() {
                let next = at.get(k + 1).copied();
                if next == Some(d + 1) {
                    continue;
                }
                if d < last_evaluated {
                    episodes += 1;
                    if !default.is_some_and(|def| within(start, def)) {
                        false_alarms += 1;
                    }
                }
                if let Some(n) = next {
                    start = n;
                }
            }
        }
        let mut leads: Vec<f64> = Vec::new();
        for &c in &defaulters {
            let def = default_of(c).expect("defaulters have a default");
            if let Some(at) = fired.get(&(c, r))
                && let Some(&first) = at.iter().find(|&&d| within(d, def))
            {
                leads.push((def - dates[first as usize]).num_days() as f64);
            }
        }
        let ratio = |a: u64, b: u64| (b > 0).then(|| a as f64 / b as f64);
        rules.push(RulePerformance {
            code: rule.code.clone(),
            name_en: rule.name_en.clone(),
            name_zh: rule.name_zh.clone(),
            level: rule.level.code().to_owned(),
            firings,
            customers,
            precision: ratio(true_hits, customers),
            recall: ratio(leads.len() as u64, defaulters.len() as u64),
            median_lead_days: credence_records::outlier::median(&mut leads),
            false_alarm_rate: ratio(false_alarms, episodes),
        });
    }
    Ok(RulesPerformanceReport {
        pack_version: pack.version().to_owned(),
        dates: dates.to_vec(),
        horizon_months,
        customers: evaluated.len() as u64,
        defaulters: defaulters.len() as u64,
        rules,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn quarter_ends_stay_quarter_ends() {
        let got = evaluation_dates(d("2024-09-30"), d("2025-09-30"), 3);
        assert_eq!(got, ["2024-09-30", "2024-12-31", "2025-03-31", "2025-06-30", "2025-09-30"].map(d));
        // Not a month end: the same day of the month, clamped.
        assert_eq!(evaluation_dates(d("2025-01-01"), d("2025-05-30"), 3), [d("2025-02-28"), d("2025-05-30")]);
        assert!(evaluation_dates(d("2026-01-01"), d("2025-01-01"), 3).is_empty());
        assert!(evaluation_dates(d("2025-01-01"), d("2025-09-30"), 0).is_empty());
    }
}
