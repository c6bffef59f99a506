//! The optimal grouping of ordered pre-bins by dynamic programming.
//!
//! Given the pre-bins in order (by value for a numeric feature, by event rate for a
//! categorical one), a binning is a partition into contiguous groups. The optimiser finds
//! the partition of largest total IV among those where every group has at least
//! `min_count` rows and `min_events` events, there are at most `max_bins` groups, and the
//! event rates of consecutive groups follow the [`Shape`]. Because the IV of a group
//! depends only on the group (see [`woe`](super::woe)), the best partition ending with a
//! given group extends the best partition of what lies before it, subject to the shape
//! constraint, which only looks at the last group's event rate:
//!
//! ```text
//! f(k, s, e, φ) = best IV of k groups covering pre-bins [0, e) whose last group is [s, e)
//!                 and whose trend is in phase φ (rising or falling, for peak and valley)
//! f(k+1, e, e′, φ′) = max over s of f(k, s, e, φ) + IV[e, e′)
//!                 where rate[s, e) → rate[e, e′) is a move the shape allows from φ to φ′
//! ```
//!
//! The answer is the best f(k, s, m, φ) over k ≤ `max_bins`; it is exact over the
//! pre-bins, which the brute-force test checks against every subset of cuts. With m
//! pre-bins and K = min(`max_bins`, m) there are O(K · m²) states of O(m) moves each; when
//! `max_bins` does not bind, k is dropped and it is O(m³): 8,000 steps for 20 pre-bins.
//! Equal consecutive rates are allowed by every shape.

use super::woe::{Counts, woe_iv};

/// The allowed course of the event rate over the groups in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    Free,
    Ascending,
    Descending,
    /// Rising, then falling (either part may be empty).
    Peak,
    /// Falling, then rising (either part may be empty).
    Valley,
}

impl Shape {
    fn phases(self) -> usize {
        match self {
            Shape::Peak | Shape::Valley => 2,
            _ => 1,
        }
    }

    /// The phase after a move from rate `a` to rate `b` in phase `phase`, if allowed.
    fn step(self, phase: usize, a: f64, b: f64) -> Option<usize> {
        match (self, phase) {
            (Shape::Free, _) => Some(0),
            (Shape::Ascending, _) => (b >= a).then_some(0),
            (Shape::Descending, _) => (b <= a).then_some(0),
            (Shape::Peak, 0) => Some(if b >= a { 0 } else { 1 }),
            (Shape::Peak, _) => (b <= a).then_some(1),
            (Shape::Valley, 0) => Some(if b <= a { 0 } else { 1 }),
            (Shape::Valley, _) => (b >= a).then_some(1),
        }
    }
}

/// Constraints on every group.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Limits {
    pub min_count: f64,
    pub min_events: f64,
    pub max_bins: usize,
}

/// The best partition: where each group starts (the first at 0) and its total IV.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Partition {
    pub starts: Vec<usize>,
    pub iv: f64,
}

/// The best partition of `cells`, or `None` when no partition meets the limits.
pub(crate) fn best_partition(
    cells: &[Counts],
    totals: Counts,
    limits: Limits,
    shape: Shape,
) -> Option<Partition> {
    let m = cells.len();
    if m == 0 || limits.max_bins == 0 {
        return None;
    }
    let w = m + 1;
    let mut prefix = vec![Counts::default(); w];
    for (i, c) in cells.iter().enumerate() {
        prefix[i + 1] = prefix[i] + *c;
    }
    // Per segment [s, e): allowed, IV, event rate.
    let mut seg_iv = vec![f64::NAN; w * w];
    let mut seg_rate = vec![0.0; w * w];
    for s in 0..m {
        for e in s + 1..=m {
            let c = prefix[e] - prefix[s];
            if c.total() >= limits.min_count && c.events >= limits.min_events {
                seg_iv[s * w + e] = woe_iv(c, totals).1;
                seg_rate[s * w + e] = c.rate();
            }
        }
    }
    let bounded = limits.max_bins < m;
    let layers = if bounded { limits.max_bins } else { 1 };
    let phases = shape.phases();
    let at = |layer: usize, phase: usize, s: usize, e: usize| ((layer * phases + phase) * w + s) * w + e;
    let mut best = vec![f64::NEG_INFINITY; layers * phases * w * w];
    // The state a state was reached from: (start of the previous group, its phase).
    let mut from = vec![(u32::MAX, 0u8); best.len()];
    for e in 1..=m {
        let iv = seg_iv[e];
        if !iv.is_nan() {
            best[at(0, 0, 0, e)] = iv;
        }
    }
    for e in 1..m {
        for layer in 0..layers {
            let next_layer = if bounded { layer + 1 } else { 0 };
            if next_layer >= layers && bounded {
                continue;
            }
            for phase in 0..phases {
                for s in 0..e {
                    let v = best[at(layer, phase, s, e)];
                    if v == f64::NEG_INFINITY {
                        continue;
                    }
                    let rate = seg_rate[s * w + e];
                    for e2 in e + 1..=m {
                        let iv = seg_iv[e * w + e2];
                        if iv.is_nan() {
                            continue;
                        }
                        let Some(next_phase) = shape.step(phase, rate, seg_rate[e * w + e2]) else {
                            continue;
                        };
                        let slot = at(next_layer, next_phase, e, e2);
                        if v + iv > best[slot] {
                            best[slot] = v + iv;
                            from[slot] = (s as u32, phase as u8);
                        }
                    }
                }
            }
        }
    }
    let mut end: Option<(usize, usize, usize, f64)> = None;
    for layer in 0..layers {
        for phase in 0..phases {
            for s in 0..m {
                let v = best[at(layer, phase, s, m)];
                if v > end.map_or(f64::NEG_INFINITY, |x| x.3) {
                    end = Some((layer, phase, s, v));
                }
            }
        }
    }
    let (mut layer, mut phase, mut s, iv) = end?;
    let mut e = m;
    let mut starts = vec![s];
    while s != 0 {
        let (prev_s, prev_phase) = from[at(layer, phase, s, e)];
        e = s;
        s = prev_s as usize;
        phase = usize::from(prev_phase);
        if bounded {
            layer -= 1;
        }
        starts.push(s);
    }
    starts.reverse();
    merge_equal_rates(cells, &mut starts);
    Some(Partition { starts, iv })
}

/// Joins neighbouring groups with exactly the same event rate (both with events and
/// non-events, so no zero-count adjustment is involved): the IV and every constraint are
/// unchanged, and the binning reads simpler.
fn merge_equal_rates(cells: &[Counts], starts: &mut Vec<usize>) {
    let group = |starts: &[usize], g: usize| {
        let end = starts.get(g + 1).copied().unwrap_or(cells.len());
        cells[starts[g]..end].iter().fold(Counts::default(), |a, c| a + *c)
    };
    let mut g = 0;
    while g + 1 < starts.len() {
        let (a, b) = (group(starts, g), group(starts, g + 1));
        let plain = |c: Counts| c.events > 0.0 && c.non_events > 0.0;
        if plain(a) && plain(b) && a.events * b.total() == b.events * a.total() {
            starts.remove(g + 1);
        } else {
            g += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SplitMix64;

    /// The best partition by trying every subset of cuts.
    fn brute_force(cells: &[Counts], totals: Counts, limits: Limits, shape: Shape) -> Option<f64> {
        let m = cells.len();
        let mut best: Option<f64> = None;
        for mask in 0u32..(1 << (m - 1)) {
            let mut groups = vec![Counts::default()];
            for (i, c) in cells.iter().enumerate() {
                if i > 0 && mask & (1 << (i - 1)) != 0 {
                    groups.push(Counts::default());
                }
                *groups.last_mut().unwrap() = *groups.last().unwrap() + *c;
            }
            if groups.len() > limits.max_bins
                || groups.iter().any(|g| g.total() < limits.min_count || g.events < limits.min_events)
            {
                continue;
            }
            let rates: Vec<f64> = groups.iter().map(|g| g.rate()).collect();
            let up = |w: &[f64]| w[1] >= w[0];
            let down = |w: &[f64]| w[1] <= w[0];
            let ok = match shape {
                Shape::Free => true,
                Shape::Ascending => rates.windows(2).all(up),
                Shape::Descending => rates.windows(2).all(down),
                Shape::Peak | Shape::Valley => (0..rates.len()).any(|turn| {
                    let (first, second) = (&rates[..=turn], &rates[turn..]);
                    if shape == Shape::Peak {
                        first.windows(2).all(up) && second.windows(2).all(down)
                    } else {
                        first.windows(2).all(down) && second.windows(2).all(up)
                    }
                }),
            };
            if ok {
                let iv: f64 = groups.iter().map(|g| woe_iv(*g, totals).1).sum();
                best = Some(best.map_or(iv, |b: f64| b.max(iv)));
            }
        }
        best
    }

    fn random_cells(rng: &mut SplitMix64, m: usize) -> Vec<Counts> {
        (0..m)
            .map(|_| {
                let n = 5 + rng.below(40);
                let rate = rng.unit() * 0.6;
                let events = (0..n).filter(|_| rng.unit() < rate).count();
                Counts { non_events: (n - events) as f64, events: events as f64 }
            })
            .collect()
    }

    #[test]
    fn dynamic_programming_matches_brute_force() {
        let mut rng = SplitMix64::new(7);
        let shapes = [Shape::Free, Shape::Ascending, Shape::Descending, Shape::Peak, Shape::Valley];
        let mut feasible = 0;
        for case in 0..150 {
            let m = 2 + rng.below(9);
            let cells = random_cells(&mut rng, m);
            // Totals larger than the cells, as when missing values sit in a bin of their own.
            let totals = cells.iter().fold(Counts { non_events: 20.0, events: 3.0 }, |a, c| a + *c);
            let limits = Limits {
                min_count: [0.0, 20.0, 45.0][case % 3],
                min_events: [0.0, 1.0, 3.0][case / 3 % 3],
                max_bins: [2, 3, 20][case / 9 % 3],
            };
            for shape in shapes {
                let dp = best_partition(&cells, totals, limits, shape);
                let bf = brute_force(&cells, totals, limits, shape);
                match (dp, bf) {
                    (Some(p), Some(iv)) => {
                        feasible += 1;
                        assert!((p.iv - iv).abs() < 1e-12, "case {case} {shape:?}: {} vs {iv}", p.iv);
                        // The reported partition has the reported IV.
                        let mut bounds = p.starts.clone();
                        bounds.push(m);
                        let sum: f64 = bounds
                            .windows(2)
                            .map(|b| {
                                woe_iv(
                                    cells[b[0]..b[1]].iter().fold(Counts::default(), |a, c| a + *c),
                                    totals,
                                )
                                .1
                            })
                            .sum();
                        assert!((sum - p.iv).abs() < 1e-12);
                        assert!(p.starts.len() <= limits.max_bins);
                    }
                    (None, None) => {}
                    (dp, bf) => panic!("case {case} {shape:?}: {dp:?} vs {bf:?}"),
                }
            }
        }
        assert!(feasible > 400, "{feasible}");
    }

    /// Rates 0.1, 0.5, 0.2 (10 rows each): ascending must merge the last two ([0.1, 0.35])
    /// or all; a peak keeps all three.
    #[test]
    fn shapes_constrain_the_groups() {
        let c = |events: f64| Counts { non_events: 10.0 - events, events };
        let cells = [c(1.0), c(5.0), c(2.0)];
        let totals = cells.iter().fold(Counts::default(), |a, x| a + *x);
        let limits = Limits { min_count: 0.0, min_events: 0.0, max_bins: 10 };
        assert_eq!(best_partition(&cells, totals, limits, Shape::Peak).unwrap().starts, [0, 1, 2]);
        assert_eq!(best_partition(&cells, totals, limits, Shape::Ascending).unwrap().starts, [0, 1]);
        // Equal rates (2/10 and 4/20) end up in one group: same IV, one bin fewer.
        let even = [c(1.0), c(2.0), Counts { non_events: 16.0, events: 4.0 }];
        let tot = even.iter().fold(Counts::default(), |a, x| a + *x);
        assert_eq!(best_partition(&even, tot, limits, Shape::Ascending).unwrap().starts, [0, 1]);
        let one = Limits { max_bins: 1, ..limits };
        assert_eq!(best_partition(&cells, totals, one, Shape::Free).unwrap().starts, [0]);
        let big = Limits { min_count: 31.0, ..limits };
        assert_eq!(best_partition(&cells, totals, big, Shape::Free), None);
    }
}
