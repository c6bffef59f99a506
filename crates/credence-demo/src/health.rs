//! The latent health process and the defaults it produces; the parameters are documented
//! in the crate docs and must be changed together with them.

use chrono::NaiveDate;

use crate::Ctx;
use crate::calendar::{FIRST_HAZARD, QUARTERS, add_days, days_between};
use crate::profile::Profile;
use crate::rng::{DemoRng, Purpose, int_in, logistic, normal, stream, unit};
use crate::segments::{SEGMENTS, SHOCK_ROWS, shock_index};

/// Persistence of health from one quarter to the next.
pub const PERSISTENCE: f64 = 0.85;
/// Standard deviation of the quarterly idiosyncratic innovation.
pub const INNOVATION_SD: f64 = 0.25;
/// Standard deviation of the idiosyncratic part of long-run health.
pub const LONG_RUN_SD: f64 = 0.9;
/// Share of a group member's long-run health that is common to its group, as the
/// weight of the group factor in standard deviations of `LONG_RUN_SD`.
pub const GROUP_LOADING: f64 = 0.55;
/// Quarterly default hazard `logistic(HAZARD_INTERCEPT - HAZARD_SLOPE * h)`.
pub const HAZARD_INTERCEPT: f64 = -6.55;
pub const HAZARD_SLOPE: f64 = 2.2;
/// Health lost by a customer in the quarter it defaults, and by its long-run level.
pub const DEFAULT_DROP: f64 = 1.0;
/// Health lost next quarter by each other member of a defaulter's group.
pub const GROUP_CONTAGION: f64 = 0.4;
/// Health lost next quarter by a guarantor whose guaranteed party defaults.
pub const GUARANTOR_CONTAGION: f64 = 0.3;
/// Standard deviations of the economy-wide and segment-wide quarterly shocks.
pub const COMMON_SHOCK_SD: f64 = 0.03;
pub const SEGMENT_SHOCK_SD: f64 = 0.06;
/// Extra quarterly shock to real estate over the hazard quarters (a property downturn).
pub const REAL_ESTATE_DRIFT: f64 = -0.03;

/// Shocks shared by all customers, drawn once per seed.
#[derive(Debug)]
pub(crate) struct Shocks {
    /// Added to every customer's health in quarter k.
    pub common: [f64; QUARTERS],
    /// Added to the health of a segment's customers in quarter k.
    pub segment: [[f64; QUARTERS]; SHOCK_ROWS],
    /// Change of a segment's main raw-material price in quarter k, percent.
    pub raw_material: [[f64; QUARTERS]; SHOCK_ROWS],
}

impl Shocks {
    pub fn new(seed: u64) -> Self {
        let rng = &mut stream(seed, 0, Purpose::Macro);
        let mut s = Shocks {
            common: [0.0; QUARTERS],
            segment: [[0.0; QUARTERS]; SHOCK_ROWS],
            raw_material: [[0.0; QUARTERS]; SHOCK_ROWS],
        };
        let real_estate = SEGMENTS.iter().position(|x| x.section == "K");
        for k in 1..QUARTERS {
            s.common[k] = COMMON_SHOCK_SD * normal(rng);
            for row in 0..SHOCK_ROWS {
                s.segment[row][k] = SEGMENT_SHOCK_SD * normal(rng);
                if Some(row) == real_estate && k >= FIRST_HAZARD {
                    s.segment[row][k] += REAL_ESTATE_DRIFT;
                }
                s.raw_material[row][k] = 0.6 * s.raw_material[row][k - 1] + 3.0 * normal(rng);
            }
        }
        s
    }
}

/// A customer's health path and default.
#[derive(Debug, Clone)]
pub(crate) struct Health {
    /// Long-run level the path reverts to (after any default drop).
    pub long_run: f64,
    /// Health at the end of quarter k (index 0 = opening balance).
    pub h: [f64; QUARTERS],
    /// Quarter of default, within the last eight.
    pub default_quarter: Option<usize>,
    pub default_date: Option<NaiveDate>,
}

impl Health {
    /// Health in the quarter containing `date` (the last quarter for later dates).
    pub fn at(&self, ctx: &Ctx, date: NaiveDate) -> f64 {
        self.h[ctx.timeline.quarter_of(date)]
    }

    /// Whether the customer has defaulted on or before `date`.
    pub fn defaulted_by(&self, date: NaiveDate) -> bool {
        self.default_date.is_some_and(|d| d <= date)
    }
}

/// Who is hurt, and how much, when a customer defaults: indices into the block.
pub(crate) type Contagion = Vec<Vec<(usize, f64)>>;

/// Simulates a block of customers quarter by quarter, so a default can hurt group members
/// and guarantors from the next quarter on. Each customer draws from its own stream, so
/// the result does not depend on the order customers are stepped in.
pub(crate) fn simulate_block(
    ctx: &Ctx,
    profiles: &[Profile],
    group_factor: &[Option<f64>],
    contagion: &Contagion,
) -> Vec<Health> {
    let t = &ctx.timeline;
    let mut rngs: Vec<DemoRng> =
        profiles.iter().map(|p| stream(ctx.config.seed, p.index, Purpose::Health)).collect();
    let mut paths: Vec<Health> = profiles
        .iter()
        .zip(&mut rngs)
        .zip(group_factor)
        .map(|((p, rng), factor)| {
            let z = normal(rng);
            let own = match factor {
                Some(g) => GROUP_LOADING * g + (1.0 - GROUP_LOADING * GROUP_LOADING).sqrt() * z,
                None => z,
            };
            let long_run = p.effect + p.segment.spread * LONG_RUN_SD * own;
            let stationary_sd = INNOVATION_SD / (1.0 - PERSISTENCE * PERSISTENCE).sqrt();
            let mut h = [0.0; QUARTERS];
            h[0] = long_run + stationary_sd * normal(rng);
            Health { long_run, h, default_quarter: None, default_date: None }
        })
        .collect();
    let rows: Vec<usize> = profiles.iter().map(|p| shock_index(p.segment)).collect();
    let mut pending = vec![0.0; profiles.len()];
    for k in 1..QUARTERS {
        let mut hurt = Vec::new();
        for (i, (path, rng)) in paths.iter_mut().zip(&mut rngs).enumerate() {
            let row = rows[i];
            let shock = ctx.shocks.common[k] + ctx.shocks.segment[row][k] + std::mem::take(&mut pending[i]);
            let mut h = PERSISTENCE * path.h[k - 1]
                + (1.0 - PERSISTENCE) * path.long_run
                + INNOVATION_SD * normal(rng)
                + shock;
            if k >= FIRST_HAZARD && path.default_quarter.is_none() {
                let p = logistic(HAZARD_INTERCEPT - HAZARD_SLOPE * h);
                if unit(rng) < p {
                    let start = t.quarter_start(k);
                    let span = days_between(start, t.quarter_ends[k]);
                    path.default_quarter = Some(k);
                    path.default_date = Some(add_days(start, int_in(rng, 0, span)));
                    path.long_run -= DEFAULT_DROP;
                    h -= DEFAULT_DROP;
                    hurt.push(i);
                }
            }
            path.h[k] = h;
        }
        for i in hurt {
            for &(j, drop) in &contagion[i] {
                pending[j] -= drop;
            }
        }
    }
    paths
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shocks_are_reproducible_and_real_estate_drifts_down() {
        let (a, b) = (Shocks::new(5), Shocks::new(5));
        assert_eq!(a.common, b.common);
        let k = SEGMENTS.iter().position(|x| x.section == "K").unwrap();
        let late: f64 = a.segment[k][FIRST_HAZARD..].iter().sum::<f64>() / 8.0;
        let early: f64 = a.segment[k][1..FIRST_HAZARD].iter().sum::<f64>() / 7.0;
        assert!(late < early, "{late} vs {early}");
    }

    #[test]
    fn hazard_is_rare_at_average_health_and_high_two_deviations_down() {
        let p = logistic(HAZARD_INTERCEPT);
        assert!((0.001..0.01).contains(&p), "{p}");
        assert!(logistic(HAZARD_INTERCEPT + 2.0 * HAZARD_SLOPE) > 0.1);
    }
}
