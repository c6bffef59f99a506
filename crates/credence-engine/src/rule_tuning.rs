//! Tuning the warning rules on the portfolio's own history: each rule's threshold and
//! persistence are searched over a grid, the pack's level policy is kept, and the
//! settings are chosen on the older dates and judged on the newest (out of time).
//!
//! **What is searched.** A rule's knobs ([`credence_warning::knobs`]): its first
//! threshold, scaled by 0.5, 0.67, 0.8, 1, 1.25, 1.5 and 2 (a count is rounded to a whole
//! number of at least 1), and its persistence (`for n consecutive quarters`) from 1 to
//! 4 quarters where it has one. Rules without a knob keep their condition.
//!
//! **How a setting is chosen.** Every setting of every rule is evaluated in one pass over
//! the credit files (the files are read once per date; each setting is one more
//! evaluation of the pack, about 8 µs a customer). On the tuning dates a setting is
//! admissible when its lift reaches `min_lift` and its median lead time `min_lead_days`
//! and it can be decided on about as many tuning observations as the current one (a
//! setting that needs more history than the dates have is not quiet but blind; the current
//! setting is always admissible, so a rule that cannot meet these stays as it is and the
//! report says so). Then, rule by rule and three times over, the admissible setting is
//! kept that best serves the pack as its level policy combines the rules: first the
//! share of customer-dates yellow or red must fit the alert budget; then defaulters
//! caught before they default count for the pack and every flagged customer-date counts
//! against it, at `min_lift` times the defaulters per customer-date, so alerts are added
//! only where they catch defaulters at that lift and dropped where they do not.
//! The chosen pack is measured again on the validation dates, which took no part in the
//! choice.

use crate::EngineError;
use crate::credit_file::Pool;
use crate::rule_performance::{Fired, History, Measures, alive_at, history_over};
use chrono::NaiveDate;
use credence_indicators::Catalogue;
use credence_store::Store;
use credence_warning::knobs::{Knob, KnobKind, knobs, rewrite};
use credence_warning::{Level, LevelInput, RuleHit, RuleLevel, RulePack};
use std::collections::HashMap;

/// Multipliers a threshold is tried at.
const SCALES: [f64; 7] = [0.5, 0.67, 0.8, 1.0, 1.25, 1.5, 2.0];
/// Persistence tried, in quarters.
const PERSISTENCE: [u32; 4] = [1, 2, 3, 4];
/// Passes of the rule-by-rule search.
const SWEEPS: usize = 3;

/// What a tuning run is asked.
#[derive(Debug, Clone)]
pub struct TuneOptions {
    /// Evaluation dates, ascending (at most 255).
    pub dates: Vec<NaiveDate>,
    /// Dates on or after this one are the validation period; the others are tuned on.
    pub validate_from: NaiveDate,
    pub horizon_months: u32,
    /// Largest share of customer-dates the pack may make yellow or red (0–1).
    pub budget: f64,
    /// Smallest lift a rule's setting may have on the tuning dates.
    pub min_lift: f64,
    /// Smallest median lead time, in days, a rule's setting may have.
    pub min_lead_days: f64,
    /// Version of the proposed pack.
    pub version: String,
}

/// A signal measured before and after tuning.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BeforeAfter {
    pub before: Measures,
    pub after: Measures,
}

/// One rule's tuning.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RuleTuning {
    pub code: String,
    pub name_en: String,
    pub name_zh: String,
    pub level: String,
    pub condition_before: String,
    pub condition_after: String,
    /// Settings tried (1 when the rule has no knob).
    pub settings: usize,
    /// On the tuning dates, and on the validation dates.
    pub tuned: BeforeAfter,
    pub validated: BeforeAfter,
    /// Why the rule kept its condition, when it did.
    pub note: Option<String>,
}

/// The result: every rule, the pack as a whole, and the proposed pack's TOML.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TuneReport {
    pub pack_version: String,
    pub proposed_version: String,
    pub tune_dates: Vec<NaiveDate>,
    pub validate_dates: Vec<NaiveDate>,
    pub horizon_months: u32,
    pub budget: f64,
    pub min_lift: f64,
    pub min_lead_days: f64,
    pub rules: Vec<RuleTuning>,
    /// The pack's yellow-or-red level from the rules, on each period.
    pub pack_tuned: BeforeAfter,
    pub pack_validated: BeforeAfter,
    /// On the validation dates the proposed pack is no further over the budget than the
    /// current one and does better by the search's own measure: defaulters caught, less
    /// `min_lift` times the defaulters per customer-date for every customer-date flagged.
    pub better_out_of_time: bool,
    /// The proposed pack: the current one's text with the version and the tuned
    /// conditions replaced.
    pub proposed_toml: String,
}

/// The settings of one rule: conditions, the first being the current one.
fn settings(when: &str) -> Vec<String> {
    let found = knobs(when);
    let threshold = found.iter().find_map(|k| match k.kind {
        KnobKind::Threshold { value, whole, .. } if value != 0.0 => Some((k, value, whole)),
        _ => None,
    });
    let persistence = found.iter().find(|k| matches!(k.kind, KnobKind::Persistence { .. }));
    let thresholds: Vec<Option<(Knob, String)>> = match threshold {
        Some((k, value, whole)) => SCALES
            .iter()
            .map(|s| {
                let v = if whole { (value * s).round().max(1.0) } else { value * s };
                Some((*k, k.write(v)))
            })
            .collect(),
        None => vec![None],
    };
    let persistences: Vec<Option<(Knob, String)>> = match persistence {
        Some(k) => PERSISTENCE.iter().map(|q| Some((*k, k.write(f64::from(*q))))).collect(),
        None => vec![None],
    };
    let mut out = vec![when.to_owned()];
    for t in &thresholds {
        for p in &persistences {
            let changes: Vec<(Knob, String)> = t.iter().chain(p.iter()).cloned().collect();
            let c = rewrite(when, &changes);
            if !out.contains(&c) {
                out.push(c);
            }
        }
    }
    out
}

/// Tunes `pack` (read from `text`) on the stored history; see the module documentation.
pub fn tune_rules(
    store: &mut Store,
    text: &str,
    pack: &RulePack,
    catalogue: &Catalogue,
    options: &TuneOptions,
) -> Result<TuneReport, EngineError> {
    let dates = &options.dates[..options.dates.len().min(usize::from(u8::MAX))];
    let split = dates.iter().position(|d| *d >= options.validate_from).unwrap_or(dates.len());
    let rules = pack.rules();
    let grid: Vec<Vec<String>> = rules.iter().map(|r| settings(&r.when)).collect();
    let passes = grid.iter().map(Vec::len).max().unwrap_or(1);
    // Pack k holds every rule's k-th setting (its current one where it has fewer).
    let mut packs = Vec::with_capacity(passes);
    for k in 0..passes {
        let changes: Vec<(&str, String)> = rules
            .iter()
            .zip(&grid)
            .filter(|(_, g)| k > 0 && k < g.len())
            .map(|(r, g)| (r.code.as_str(), g[k].clone()))
            .collect();
        let variant = RulePack::rewrite_toml(text, pack.version(), &changes).map_err(EngineError::Tuning)?;
        packs.push(
            RulePack::from_toml(&variant, "tuning", catalogue)
                .map_err(|e| EngineError::Tuning(e.to_string()))?,
        );
    }
    let (mut history, ids, defaults) = history_over(store, dates, options.horizon_months)?;
    let position: HashMap<&str, u32> =
        ids.iter().enumerate().map(|(i, id)| (id.as_str(), i as u32)).collect();
    let code_of: HashMap<&str, usize> = rules.iter().enumerate().map(|(i, r)| (r.code.as_str(), i)).collect();
    // fired[rule][setting]: customer → date indices; undetermined[rule][setting]: the
    // tuning observations it could not decide (too little history for it, say).
    let mut fired: Vec<Vec<Fired>> = grid.iter().map(|g| vec![Fired::new(); g.len()]).collect();
    let mut undetermined: Vec<Vec<u64>> = grid.iter().map(|g| vec![0; g.len()]).collect();
    let mut pool = Pool::open(store)?;
    for (d, &date) in dates.iter().enumerate() {
        let d = d as u8;
        let evaluators: Vec<_> = packs.iter().map(|p| p.evaluator(date)).collect();
        let alive = alive_at(&ids, &defaults, date);
        pool.run(
            &alive,
            &|c| {
                let (file, _) = c.file.as_ref().ok()?;
                let status = credence_warning::CustomerStatus { grade: None, tier: None };
                let per_pack: Vec<(Vec<String>, Vec<String>)> = evaluators
                    .iter()
                    .map(|e| {
                        let w = e.evaluate(file, &status);
                        (w.firings.into_iter().map(|f| f.code).collect(), w.undetermined)
                    })
                    .collect();
                Some((file.customer_id.clone(), per_pack))
            },
            |done, _, _| {
                for (customer, per_pack) in done.into_iter().flatten() {
                    let Some(&c) = position.get(customer.as_str()) else { continue };
                    history.record(c, d);
                    for (k, (codes, undecided)) in per_pack.into_iter().enumerate() {
                        for code in codes {
                            let Some(&r) = code_of.get(code.as_str()) else { continue };
                            if k < fired[r].len() {
                                fired[r][k].entry(c).or_default().push(d);
                            }
                        }
                        if usize::from(d) < split {
                            for code in undecided {
                                let Some(&r) = code_of.get(code.as_str()) else { continue };
                                if k < fired[r].len() {
                                    undetermined[r][k] += 1;
                                }
                            }
                        }
                    }
                }
                Ok(())
            },
        )?;
    }
    let tune = history.window(0..split);
    let validate = history.window(split..dates.len());
    let levels: Vec<RuleLevel> = rules.iter().map(|r| r.level).collect();
    let watch_for_yellow = pack.levels().watch_rules_for_yellow;
    let search = Search::new(&tune, &fired, split, &levels, watch_for_yellow);
    let mut notes: Vec<Option<String>> = vec![None; rules.len()];
    let (observations, defaulters, base_rate) = tune.outcomes();
    let admissible: Vec<Vec<usize>> = (0..rules.len())
        .map(|r| {
            let ok: Vec<usize> = (0..grid[r].len())
                .filter(|&v| {
                    let m = tune.measures(
                        &History::cut(&fired[r][v], 0..split),
                        &defaulters,
                        |_| false,
                        observations,
                        base_rate,
                    );
                    // A setting that cannot be decided where the current one can (a longer
                    // persistence than the history holds) would look quiet on the tuning
                    // dates only because it is blind there.
                    let decided = undetermined[r][v] <= undetermined[r][0] + search.observations as u64 / 200;
                    v == 0
                        || (decided
                            && m.lift.is_some_and(|l| l >= options.min_lift)
                            && m.median_lead_days.is_some_and(|l| l >= options.min_lead_days))
                })
                .collect();
            if grid[r].len() == 1 {
                notes[r] = Some("no threshold or persistence to tune".into());
            } else if ok.len() == 1 {
                notes[r] = Some(format!(
                    "no other setting reaches lift {} with a median lead of {} days",
                    options.min_lift, options.min_lead_days
                ));
            }
            ok
        })
        .collect();
    let chosen = search.choose(&admissible, options.budget, options.min_lift);
    for (r, &v) in chosen.iter().enumerate() {
        if v == 0 && notes[r].is_none() {
            notes[r] = Some("its current setting served the pack best".into());
        }
    }
    let current = vec![0; rules.len()];
    let flagged = |choice: &[usize], h: &History, range: std::ops::Range<usize>| {
        h.measure(&History::cut(&pack_signal(&fired, choice, pack), range))
    };
    let pack_tuned =
        BeforeAfter { before: flagged(&current, &tune, 0..split), after: flagged(&chosen, &tune, 0..split) };
    let pack_validated = BeforeAfter {
        before: flagged(&current, &validate, split..dates.len()),
        after: flagged(&chosen, &validate, split..dates.len()),
    };
    let report_rules = rules
        .iter()
        .enumerate()
        .map(|(r, rule)| {
            let v = chosen[r];
            let measure = |h: &History, setting: usize, range: std::ops::Range<usize>| {
                h.measure(&History::cut(&fired[r][setting], range))
            };
            RuleTuning {
                code: rule.code.clone(),
                name_en: rule.name_en.clone(),
                name_zh: rule.name_zh.clone(),
                level: rule.level.code().to_owned(),
                condition_before: rule.when.clone(),
                condition_after: grid[r][v].clone(),
                settings: grid[r].len(),
                tuned: BeforeAfter {
                    before: measure(&tune, 0, 0..split),
                    after: measure(&tune, v, 0..split),
                },
                validated: BeforeAfter {
                    before: measure(&validate, 0, split..dates.len()),
                    after: measure(&validate, v, split..dates.len()),
                },
                note: notes[r].clone(),
            }
        })
        .collect();
    let changes: Vec<(&str, String)> = rules
        .iter()
        .enumerate()
        .filter(|(r, _)| chosen[*r] > 0)
        .map(|(r, rule)| (rule.code.as_str(), grid[r][chosen[r]].clone()))
        .collect();
    let proposed_toml =
        RulePack::rewrite_toml(text, &options.version, &changes).map_err(EngineError::Tuning)?;
    RulePack::from_toml(&proposed_toml, "proposed", catalogue)
        .map_err(|e| EngineError::Tuning(e.to_string()))?;
    // Out of time, by the measure the search used: no further over the budget, and more
    // defaulters caught net of the alerts' charge.
    let (observations, defaulters, _) = validate.outcomes();
    let charge = options.min_lift.max(1.0) * defaulters.len() as f64 / observations.max(1) as f64;
    let value = |m: &Measures| {
        let flagged = m.flagged_share.unwrap_or(0.0) * observations as f64;
        let caught = m.recall.unwrap_or(0.0) * defaulters.len() as f64;
        ((m.flagged_share.unwrap_or(0.0) - options.budget).max(0.0), caught - charge * flagged)
    };
    let (b, a) = (value(&pack_validated.before), value(&pack_validated.after));
    let better_out_of_time = a.0 <= b.0 + 1e-12 && a.1 > b.1 + 1e-9;
    Ok(TuneReport {
        pack_version: pack.version().to_owned(),
        proposed_version: options.version.clone(),
        tune_dates: dates[..split].to_vec(),
        validate_dates: dates[split..].to_vec(),
        horizon_months: options.horizon_months,
        budget: options.budget,
        min_lift: options.min_lift,
        min_lead_days: options.min_lead_days,
        rules: report_rules,
        pack_tuned,
        pack_validated,
        better_out_of_time,
        proposed_toml,
    })
}

/// The tuning dates' observations as bit sets, and the search over settings.
struct Search {
    /// Observations of the tuning dates; a customer's are consecutive, one per date from
    /// its first evaluation to its last.
    observations: usize,
    /// Positive observations, and the customer of each observation.
    positive: Vec<bool>,
    customer: Vec<u32>,
    /// bits[rule][setting]: the observations it fired on.
    bits: Vec<Vec<Vec<u64>>>,
    levels: Vec<RuleLevel>,
    watch_for_yellow: u32,
}

impl Search {
    fn new(
        tune: &History,
        fired: &[Vec<Fired>],
        split: usize,
        levels: &[RuleLevel],
        watch_for_yellow: u32,
    ) -> Search {
        let mut start = Vec::with_capacity(tune.evaluated.len());
        let (mut positive, mut customer) = (Vec::new(), Vec::new());
        let mut n = 0;
        for (c, e) in tune.evaluated.iter().enumerate() {
            match *e {
                Some((first, last)) => {
                    start.push(Some((n, first, last)));
                    for d in first..=last {
                        positive.push(tune.positive(c as u32, d));
                        customer.push(c as u32);
                    }
                    n += usize::from(last - first) + 1;
                }
                None => start.push(None),
            }
        }
        let words = n.div_ceil(64);
        let bits = fired
            .iter()
            .map(|settings| {
                settings
                    .iter()
                    .map(|f| {
                        let mut b = vec![0_u64; words];
                        for (&c, at) in f {
                            let Some((base, first, last)) = start[c as usize] else { continue };
                            for &d in
                                at.iter().filter(|&&d| usize::from(d) < split && d >= first && d <= last)
                            {
                                let i = base + usize::from(d - first);
                                b[i / 64] |= 1 << (i % 64);
                            }
                        }
                        b
                    })
                    .collect()
            })
            .collect();
        Search { observations: n, positive, customer, bits, levels: levels.to_vec(), watch_for_yellow }
    }

    /// Whether observation `i` is yellow or red under `choice` (grades aside): the level
    /// policy's yellow-or-worse condition on bit sets, as the search asks it millions of
    /// times; the reported figures come from the policy itself ([`pack_signal`]).
    fn flagged(&self, choice: &[usize], i: usize) -> bool {
        let (w, bit) = (i / 64, 1_u64 << (i % 64));
        let mut watches = 0;
        for (r, &v) in choice.iter().enumerate() {
            if self.bits[r][v][w] & bit != 0 {
                match self.levels[r] {
                    RuleLevel::Red | RuleLevel::Yellow => return true,
                    RuleLevel::GreenWatch => watches += 1,
                }
            }
        }
        self.watch_for_yellow > 0 && watches >= self.watch_for_yellow
    }

    /// (observations flagged, defaulters caught) under `choice`.
    fn score(&self, choice: &[usize]) -> (usize, usize) {
        let mut flagged = 0;
        let mut caught: Vec<u32> = Vec::new();
        for i in 0..self.observations {
            if self.flagged(choice, i) {
                flagged += 1;
                if self.positive[i] && caught.last() != Some(&self.customer[i]) {
                    caught.push(self.customer[i]);
                }
            }
        }
        caught.dedup();
        (flagged, caught.len())
    }

    /// Rule by rule, the admissible setting that serves the pack best; see the module
    /// documentation. Within the budget a setting is better when it catches more
    /// defaulters than the alerts it adds cost: each flagged customer-date is charged
    /// `min_lift` times the defaulters per customer-date, so an alert must earn its place
    /// at that lift.
    fn choose(&self, admissible: &[Vec<usize>], budget: f64, min_lift: f64) -> Vec<usize> {
        let n = self.observations.max(1) as f64;
        let defaulters = self.positive.iter().zip(&self.customer).filter(|(p, _)| **p).map(|(_, c)| c);
        let mut seen: Vec<u32> = defaulters.copied().collect();
        seen.dedup();
        let charge = min_lift.max(1.0) * seen.len() as f64 / n;
        let key = |(flagged, caught): (usize, usize)| {
            let over = (flagged as f64 / n - budget).max(0.0);
            (over, -(caught as f64 - charge * flagged as f64))
        };
        let better =
            |a: (f64, f64), b: (f64, f64)| a.0 < b.0 - 1e-12 || (a.0 <= b.0 + 1e-12 && a.1 < b.1 - 1e-9);
        let mut choice = vec![0; admissible.len()];
        let mut best = key(self.score(&choice));
        for _ in 0..SWEEPS {
            let mut moved = false;
            for r in 0..admissible.len() {
                for &v in &admissible[r] {
                    if v == choice[r] {
                        continue;
                    }
                    let old = std::mem::replace(&mut choice[r], v);
                    let k = key(self.score(&choice));
                    if better(k, best) {
                        best = k;
                        moved = true;
                    } else {
                        choice[r] = old;
                    }
                }
            }
            if !moved {
                break;
            }
        }
        choice
    }
}

/// The pack's yellow-or-red signal from the rules' chosen settings: per customer, the
/// date indices at which the pack's level policy (grades aside) makes it yellow or red.
fn pack_signal(fired: &[Vec<Fired>], choice: &[usize], pack: &RulePack) -> Fired {
    let mut at: HashMap<(u32, u8), Vec<RuleHit>> = HashMap::new();
    for ((settings, &v), rule) in fired.iter().zip(choice).zip(pack.rules()) {
        for (&c, dates) in &settings[v] {
            for &d in dates {
                at.entry((c, d)).or_default().push(RuleHit { code: rule.code.clone(), level: rule.level });
            }
        }
    }
    let mut out = Fired::new();
    for ((c, d), hits) in at {
        let decided = pack.levels().decide(&LevelInput { firings: &hits, grade: None, peer_alerts: &[] });
        if decided.level >= Level::Yellow {
            out.entry(c).or_default().push(d);
        }
    }
    for dates in out.values_mut() {
        dates.sort_unstable();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A threshold tried at seven scales and a persistence at four: 28 settings, the
    /// current one first. A count stays whole and at least 1 (`>= 1` becomes `>= 2` at
    /// most: 1 × 1.5 and 1 × 2 round to 2). A comparison with zero has nothing to scale.
    #[test]
    fn settings_scale_thresholds_and_vary_persistence() {
        let s = settings("current_ratio < 1.5 for 2 consecutive quarters");
        assert_eq!(s.len(), 28);
        assert_eq!(s[0], "current_ratio < 1.5 for 2 consecutive quarters");
        assert!(s.contains(&"current_ratio < 0.75 for 1 consecutive quarters".to_owned()));
        assert!(s.contains(&"current_ratio < 3 for 4 consecutive quarters".to_owned()));
        assert_eq!(
            settings("count(enforcement, 4q) + count(dishonest_debtor, 4q) >= 1"),
            [
                "count(enforcement, 4q) + count(dishonest_debtor, 4q) >= 1",
                "count(enforcement, 4q) + count(dishonest_debtor, 4q) >= 2"
            ]
        );
        assert_eq!(settings("operating_cash_flow_growth < 0").len(), 1);
    }

    /// Ten customer-dates of ten customers; customers 0 and 1 default within the horizon.
    /// Setting 0 of the one yellow rule flags customers 5–8 (no defaulter), setting 1
    /// flags 0 and 1. Setting 1 catches both defaulters with half the alerts: chosen. With
    /// a budget of 10% neither fits, and the one flagging less (setting 1) is chosen too.
    #[test]
    fn the_search_prefers_alerts_that_catch_defaulters() {
        let bit = |obs: &[usize]| vec![obs.iter().fold(0_u64, |b, &i| b | 1 << i)];
        let search = Search {
            observations: 10,
            positive: (0..10).map(|i| i < 2).collect(),
            customer: (0..10).collect(),
            bits: vec![vec![bit(&[5, 6, 7, 8]), bit(&[0, 1])]],
            levels: vec![RuleLevel::Yellow],
            watch_for_yellow: 0,
        };
        assert_eq!(search.score(&[0]), (4, 0));
        assert_eq!(search.score(&[1]), (2, 2));
        assert_eq!(search.choose(&[vec![0, 1]], 0.5, 1.5), [1]);
        assert_eq!(search.choose(&[vec![0, 1]], 0.1, 1.5), [1]);
        // Not admissible: the current setting stays.
        assert_eq!(search.choose(&[vec![0]], 0.5, 1.5), [0]);
    }

    /// Three watch rules make yellow when the pack says so; fewer do not.
    #[test]
    fn watch_rules_count_towards_yellow_as_the_level_policy_says() {
        let all = vec![1_u64];
        let search = Search {
            observations: 1,
            positive: vec![true],
            customer: vec![0],
            bits: vec![vec![all.clone()], vec![all.clone()], vec![all]],
            levels: vec![RuleLevel::GreenWatch; 3],
            watch_for_yellow: 3,
        };
        assert!(search.flagged(&[0, 0, 0], 0));
        let two = Search { watch_for_yellow: 4, ..search };
        assert!(!two.flagged(&[0, 0, 0], 0));
    }
}
