//! How well each early-warning rule works, measured on the portfolio's own history like
//! a model: the pack is evaluated at a series of past dates and each rule's firings are
//! compared with the defaults that followed.
//!
//! The unit of measurement is an **observation**: a customer not yet defaulted at an
//! evaluation date. It is *positive* when the customer defaults within the horizon after
//! that date. The base rate is the share of positive observations; a rule's precision is
//! the share of positive observations among those it fired on, and its lift is precision
//! over the base rate — how much likelier a default is after the rule fires than for a
//! customer picked at random at the same dates. A lift below 1 means the rule points
//! away from the defaults. Recall counts customers: of those that defaulted within the
//! horizon after a date they were evaluated at, the share the rule fired for within the
//! horizon before the default.

use crate::EngineError;
use crate::analysis::{default_dates, horizon_end};
use crate::credit_file::Pool;
use chrono::NaiveDate;
use credence_store::Store;
use credence_warning::{Level, LevelInput, RuleHit, RulePack};
use std::collections::HashMap;

/// Two-sided 95% confidence: the normal quantile of Wilson's score interval.
const Z95: f64 = 1.959_963_984_540_054;

/// Wilson's score interval for a proportion of `hits` in `n` trials at 95% (Wilson,
/// 1927); better than the normal approximation for the small counts and proportions near
/// 0 a rare rule gives. `None` when there are no trials.
pub fn wilson_interval(hits: u64, n: u64) -> Option<(f64, f64)> {
    if n == 0 {
        return None;
    }
    let (n, p) = (n as f64, hits as f64 / n as f64);
    let z2 = Z95 * Z95;
    let denominator = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denominator;
    let half = Z95 / denominator * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    Some(((centre - half).max(0.0), (centre + half).min(1.0)))
}

/// What a rule, or the pack's yellow-or-worse signal, did over the evaluation dates.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Measures {
    /// Observations it fired on (a customer counts once per date).
    pub firings: u64,
    /// Customers it fired for at least once.
    pub customers: u64,
    /// Share of all observations it fired on: the part of the book it flags at a
    /// typical date.
    pub flagged_share: Option<f64>,
    /// New alerts per month: runs of firings that start after the first date (a rule
    /// already firing at the first date is not counted), over the months the dates span.
    pub alerts_per_month: Option<f64>,
    /// Share of the observations it fired on that were positive, with its 95% Wilson
    /// interval.
    pub precision: Option<f64>,
    pub precision_ci: Option<(f64, f64)>,
    /// Precision over the base rate, with the precision's interval over the base rate
    /// (the base rate rests on every observation, so its own uncertainty is small beside
    /// the rule's).
    pub lift: Option<f64>,
    pub lift_ci: Option<(f64, f64)>,
    /// Share of the defaulters it fired for within the horizon before the default, with
    /// its 95% Wilson interval.
    pub recall: Option<f64>,
    pub recall_ci: Option<(f64, f64)>,
    /// Defaulters it caught that no other rule of the pack caught: its incremental value.
    /// For the pack's row, the defaulters caught by yellow-or-worse rules at all.
    pub caught_alone: u64,
    /// Median days from the first firing (within the horizon) to the default, over the
    /// defaults caught.
    pub median_lead_days: Option<f64>,
    /// Episodes (runs of consecutive dates it fired) that ended without a default within
    /// the horizon of their start, as a share of the episodes that ended.
    pub false_alarm_rate: Option<f64>,
}

impl Measures {
    /// Fired on history and no likelier to precede a default than chance: a rule that
    /// does not earn its place.
    pub fn below_base_rate(&self) -> bool {
        self.lift.is_some_and(|l| l < 1.0)
    }
}

/// One rule's record over the evaluation dates.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RulePerformance {
    pub code: String,
    pub name_en: String,
    pub name_zh: String,
    pub level: String,
    #[serde(flatten)]
    pub measures: Measures,
}

/// The report: dates evaluated, the horizon, the defaults observed, every rule, and the
/// pack as a whole.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RulesPerformanceReport {
    pub pack_version: String,
    pub dates: Vec<NaiveDate>,
    pub horizon_months: u32,
    /// Customers evaluated at one date at least, and those that defaulted within the
    /// horizon after a date they were evaluated at.
    pub customers: u64,
    pub defaulters: u64,
    /// Customer-dates evaluated, and the share of them followed by a default within the
    /// horizon.
    pub observations: u64,
    pub base_rate: Option<f64>,
    pub rules: Vec<RulePerformance>,
    /// The pack as a whole: the customer-dates its level policy made yellow or red from
    /// the rules alone (grades aside), what it asks a credit team to look at.
    pub pack: Measures,
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

/// Who fired when, and who defaulted when: the raw material every measure is counted
/// from. Customers and rules are indices; date indices are ascending.
pub(crate) struct History<'a> {
    pub dates: &'a [NaiveDate],
    pub horizon_months: u32,
    /// Per customer: the first and last date index it was evaluated at (alive through
    /// the dates between), or `None` when never evaluated.
    pub evaluated: Vec<Option<(u8, u8)>>,
    /// Per customer: its first default, if any.
    pub default: Vec<Option<NaiveDate>>,
}

/// Customer → the date indices a signal fired at, ascending.
pub(crate) type Fired = HashMap<u32, Vec<u8>>;

/// Each defaulted customer's first default.
pub(crate) type Defaults = HashMap<String, NaiveDate>;

/// The stored customers, their first defaults, and an empty history of them over `dates`.
pub(crate) fn history_over<'a>(
    store: &mut Store,
    dates: &'a [NaiveDate],
    horizon_months: u32,
) -> Result<(History<'a>, Vec<String>, Defaults), EngineError> {
    let defaults = default_dates(store)?;
    let ids = store.customer_ids()?;
    let history = History {
        dates,
        horizon_months,
        evaluated: vec![None; ids.len()],
        default: ids.iter().map(|id| defaults.get(id.as_str()).copied()).collect(),
    };
    Ok((history, ids, defaults))
}

/// The customers not yet defaulted on `date`: those evaluated then.
pub(crate) fn alive_at(
    ids: &[String],
    defaults: &HashMap<String, NaiveDate>,
    date: NaiveDate,
) -> Vec<String> {
    ids.iter().filter(|id| defaults.get(id.as_str()).is_none_or(|&def| def > date)).cloned().collect()
}

impl<'a> History<'a> {
    /// Notes that customer `c` was evaluated at date index `d` (dates come in order).
    pub fn record(&mut self, c: u32, d: u8) {
        self.evaluated[c as usize].get_or_insert((d, d)).1 = d;
    }

    /// The same history restricted to the dates `range` (indices into `dates`), with
    /// date indices counted from its start; `fired` maps are cut with [`History::cut`].
    pub fn window(&self, range: std::ops::Range<usize>) -> History<'a> {
        let (lo, hi) = (range.start as u8, range.end as u8);
        History {
            dates: &self.dates[range],
            horizon_months: self.horizon_months,
            evaluated: self
                .evaluated
                .iter()
                .map(|e| {
                    let (first, last) = (*e)?;
                    let (first, last) = (first.max(lo), last.min(hi.checked_sub(1)?));
                    (first <= last).then(|| (first - lo, last - lo))
                })
                .collect(),
            default: self.default.clone(),
        }
    }

    /// `fired` restricted to the dates `range`, indices counted from its start.
    pub fn cut(fired: &Fired, range: std::ops::Range<usize>) -> Fired {
        let (lo, hi) = (range.start as u8, range.end as u8);
        fired
            .iter()
            .filter_map(|(&c, at)| {
                let at: Vec<u8> = at.iter().filter(|&&d| d >= lo && d < hi).map(|&d| d - lo).collect();
                (!at.is_empty()).then_some((c, at))
            })
            .collect()
    }

    /// Observations (customer-dates evaluated), the defaulters among them (customers
    /// with a positive observation) and the base rate.
    pub fn outcomes(&self) -> (u64, Vec<u32>, Option<f64>) {
        let (mut observations, mut positives) = (0_u64, 0_u64);
        let mut defaulters = Vec::new();
        for (c, e) in self.evaluated.iter().enumerate() {
            let Some((first, last)) = *e else { continue };
            let c = c as u32;
            let hits = (first..=last).filter(|&d| self.positive(c, d)).count() as u64;
            observations += u64::from(last - first) + 1;
            positives += hits;
            if hits > 0 {
                defaulters.push(c);
            }
        }
        (observations, defaulters, (observations > 0).then(|| positives as f64 / observations as f64))
    }

    /// The measures of a signal that needs nothing beyond this history: no other rule
    /// is asked whether it caught a defaulter (`caught_alone` counts all it caught).
    pub fn measure(&self, fired: &Fired) -> Measures {
        let (observations, defaulters, base_rate) = self.outcomes();
        self.measures(fired, &defaulters, |_| false, observations, base_rate)
    }

    /// Whether a customer evaluated at date index `d` defaulted within the horizon.
    pub fn positive(&self, c: u32, d: u8) -> bool {
        self.default[c as usize].is_some_and(|def| {
            let at = self.dates[d as usize];
            def > at && def <= horizon_end(at, self.horizon_months)
        })
    }

    /// The first date index in `at` from which the customer's default lies within the
    /// horizon: the firing that caught the default, if any.
    pub fn catch(&self, c: u32, at: &[u8]) -> Option<u8> {
        at.iter().copied().find(|&d| self.positive(c, d))
    }

    /// Months between the first and the last date.
    fn months_spanned(&self) -> Option<f64> {
        let (first, last) = (self.dates.first()?, self.dates.last()?);
        let days = (*last - *first).num_days();
        (days > 0).then(|| days as f64 * 12.0 / 365.25)
    }

    /// The measures of one signal given, per customer, the ascending date indices it fired
    /// at, and per defaulter whether some other signal caught it.
    pub fn measures(
        &self,
        fired: &Fired,
        defaulters: &[u32],
        caught_elsewhere: impl Fn(u32) -> bool,
        observations: u64,
        base_rate: Option<f64>,
    ) -> Measures {
        let mut m = Measures { customers: fired.len() as u64, ..Measures::default() };
        let (mut positives, mut starts) = (0_u64, 0_u64);
        let (mut episodes, mut false_alarms) = (0_u64, 0_u64);
        for (&c, at) in fired {
            m.firings += at.len() as u64;
            positives += at.iter().filter(|&&d| self.positive(c, d)).count() as u64;
            let last_evaluated = self.evaluated[c as usize].map_or(0, |e| e.1);
            // Episodes: runs of consecutive date indices; one ends when the customer was
            // evaluated at the next date and the signal did not fire.
            let mut start = at[0];
            for (k, &d) in at.iter().enumerate() {
                if k == 0 || at[k - 1] + 1 != d {
                    start = d;
                    if d > 0 {
                        starts += 1;
                    }
                }
                if at.get(k + 1) == Some(&(d + 1)) {
                    continue;
                }
                if d < last_evaluated {
                    episodes += 1;
                    if !self.positive(c, start) {
                        false_alarms += 1;
                    }
                }
            }
        }
        let ratio = |a: u64, b: u64| (b > 0).then(|| a as f64 / b as f64);
        m.flagged_share = ratio(m.firings, observations);
        m.alerts_per_month = self.months_spanned().map(|months| starts as f64 / months);
        m.precision = ratio(positives, m.firings);
        m.precision_ci = wilson_interval(positives, m.firings);
        if let Some(base) = base_rate.filter(|b| *b > 0.0) {
            m.lift = m.precision.map(|p| p / base);
            m.lift_ci = m.precision_ci.map(|(lo, hi)| (lo / base, hi / base));
        }
        let mut leads: Vec<f64> = Vec::new();
        for &c in defaulters {
            let def = self.default[c as usize].expect("defaulters have a default");
            if let Some(first) = fired.get(&c).and_then(|at| self.catch(c, at)) {
                leads.push((def - self.dates[first as usize]).num_days() as f64);
                if !caught_elsewhere(c) {
                    m.caught_alone += 1;
                }
            }
        }
        m.recall = ratio(leads.len() as u64, defaulters.len() as u64);
        m.recall_ci = wilson_interval(leads.len() as u64, defaulters.len() as u64);
        m.median_lead_days = credence_records::outlier::median(&mut leads);
        m.false_alarm_rate = ratio(false_alarms, episodes);
        m
    }
}

/// Evaluates `pack` over every customer not yet defaulted at each of `dates` (ascending,
/// at most 255) and measures each rule, and the pack's yellow-or-red level, against the
/// `default` events in the following `horizon_months`.
pub fn rules_performance(
    store: &mut Store,
    pack: &RulePack,
    dates: &[NaiveDate],
    horizon_months: u32,
) -> Result<RulesPerformanceReport, EngineError> {
    let dates = &dates[..dates.len().min(usize::from(u8::MAX))];
    let (mut history, ids, defaults) = history_over(store, dates, horizon_months)?;
    let position: HashMap<&str, u32> =
        ids.iter().enumerate().map(|(i, id)| (id.as_str(), i as u32)).collect();
    let rules = pack.rules();
    let code_of: HashMap<&str, u16> =
        rules.iter().enumerate().map(|(i, r)| (r.code.as_str(), i as u16)).collect();
    // Per rule: customer → the date indices it fired at, ascending.
    let mut fired: Vec<HashMap<u32, Vec<u8>>> = vec![HashMap::new(); rules.len()];
    // Customer → the date indices the pack's level policy made it yellow or red.
    let mut flagged: HashMap<u32, Vec<u8>> = HashMap::new();
    let mut pool = Pool::open(store)?;
    for (d, &date) in dates.iter().enumerate() {
        let d = d as u8;
        let evaluator = pack.evaluator(date);
        let alive = alive_at(&ids, &defaults, date);
        pool.run(
            &alive,
            &|c| {
                let (file, _) = c.file.as_ref().ok()?;
                let w =
                    evaluator.evaluate(file, &credence_warning::CustomerStatus { grade: None, tier: None });
                let hits: Vec<RuleHit> = w.firings.iter().map(credence_warning::Firing::hit).collect();
                let level =
                    pack.levels().decide(&LevelInput { firings: &hits, grade: None, peer_alerts: &[] });
                Some((w.customer_id, hits, level.level >= Level::Yellow))
            },
            |done, _, _| {
                for (customer, hits, alerted) in done.into_iter().flatten() {
                    let Some(&c) = position.get(customer.as_str()) else { continue };
                    history.record(c, d);
                    if alerted {
                        flagged.entry(c).or_default().push(d);
                    }
                    let codes = hits.into_iter().map(|h| h.code);
                    for code in codes {
                        if let Some(&r) = code_of.get(code.as_str()) {
                            fired[usize::from(r)].entry(c).or_default().push(d);
                        }
                    }
                }
                Ok(())
            },
        )?;
    }
    let (observations, defaulters, base_rate) = history.outcomes();
    // Per defaulter: the rules that caught it.
    let mut catchers: HashMap<u32, Vec<u16>> = HashMap::new();
    for (r, per_rule) in fired.iter().enumerate() {
        for (&c, at) in per_rule {
            if history.catch(c, at).is_some() {
                catchers.entry(c).or_default().push(r as u16);
            }
        }
    }
    let performances = rules
        .iter()
        .enumerate()
        .map(|(r, rule)| RulePerformance {
            code: rule.code.clone(),
            name_en: rule.name_en.clone(),
            name_zh: rule.name_zh.clone(),
            level: rule.level.code().to_owned(),
            measures: history.measures(
                &fired[r],
                &defaulters,
                |c| catchers.get(&c).is_some_and(|by| by.iter().any(|&o| usize::from(o) != r)),
                observations,
                base_rate,
            ),
        })
        .collect();
    let pack_measures = history.measures(&flagged, &defaulters, |_| false, observations, base_rate);
    Ok(RulesPerformanceReport {
        pack_version: pack.version().to_owned(),
        dates: dates.to_vec(),
        horizon_months,
        customers: history.evaluated.iter().flatten().count() as u64,
        defaulters: defaulters.len() as u64,
        observations,
        base_rate,
        rules: performances,
        pack: pack_measures,
    })
}
#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// Newcombe (1998), "Two-sided confidence intervals for the single proportion",
    /// Statistics in Medicine 17, table I, method 3 (score interval without continuity
    /// correction): 81/263 → 0.2553–0.3662, 15/148 → 0.0624–0.1605, 0/20 → 0–0.1611,
    /// 1/29 → 0.0061–0.1718.
    #[test]
    fn wilson_intervals_match_newcombe() {
        for (x, n, lo, hi) in [
            (81, 263, 0.2553, 0.3662),
            (15, 148, 0.0624, 0.1605),
            (0, 20, 0.0, 0.1611),
            (1, 29, 0.0061, 0.1718),
        ] {
            let (l, h) = wilson_interval(x, n).unwrap();
            assert!((l - lo).abs() < 5e-5 && (h - hi).abs() < 5e-5, "{x}/{n}: {l}–{h}");
        }
        assert_eq!(wilson_interval(0, 0), None);
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
