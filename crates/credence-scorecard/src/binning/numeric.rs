//! Binning of a numeric feature: pre-bins, the optimal grouping under the trend, and the
//! separate special and missing bins.

use super::optimal::{Limits, Partition, Shape, best_partition};
use super::prebin::{locate, quantile_cuts, regular_sample};
use super::woe::Counts;
use super::{BinKind, Binning, BinningConfig, BinningError, FeatureKind, MAX_BINS, Trend, table};

pub(super) fn fit(
    name: &str,
    values: &[f64],
    special_values: &[f64],
    target: &[u8],
    totals: Counts,
    config: &BinningConfig,
    keep_indices: bool,
) -> Result<(Binning, Vec<u16>), BinningError> {
    if let Some(&value) = special_values.iter().find(|v| !v.is_finite()) {
        return Err(BinningError::SpecialNotFinite { feature: name.to_owned(), value });
    }
    let mut specials = special_values.to_vec();
    specials.sort_by(f64::total_cmp);
    specials.dedup();
    let is_special = |x: f64| specials.contains(&x);

    let mut sample = regular_sample(values, |x| !x.is_nan() && !is_special(x), config.sample_size);
    sample.sort_unstable_by(f64::total_cmp);
    let precuts = quantile_cuts(&sample, config.max_prebins);
    drop(sample);

    let m = precuts.len() + 1;
    let n_bins_max = m + specials.len() + 1;
    if n_bins_max > MAX_BINS {
        return Err(BinningError::TooManyBins { feature: name.to_owned(), bins: n_bins_max, max: MAX_BINS });
    }
    let missing = m + specials.len();
    let mut counts = vec![Counts::default(); n_bins_max];
    let mut indices = if keep_indices { vec![0u16; values.len()] } else { Vec::new() };
    for (r, (&x, &y)) in values.iter().zip(target).enumerate() {
        let bin = if x.is_nan() {
            missing
        } else if let Some(k) = specials.iter().position(|&s| s == x) {
            m + k
        } else {
            locate(&precuts, x)
        };
        counts[bin].add_row(y);
        if keep_indices {
            indices[r] = bin as u16;
        }
    }

    let limits = Limits {
        min_count: config.min_bin_share * values.len() as f64,
        min_events: config.min_bin_events as f64,
        max_bins: config.max_bins.unwrap_or(m).min(m),
    };
    let (partition, trend) = choose(&counts[..m], totals, limits, config);
    let starts = partition.map_or_else(|| vec![0], |p| p.starts);
    let cuts: Vec<f64> = starts[1..].iter().map(|&s| precuts[s - 1]).collect();
    let groups = starts.len();

    // Pre-bin → final bin.
    let mut final_bin = vec![0usize; n_bins_max];
    for (g, w) in starts.iter().enumerate() {
        let end = starts.get(g + 1).copied().unwrap_or(m);
        final_bin[*w..end].fill(g);
    }
    for k in 0..=specials.len() {
        final_bin[m + k] = groups + k;
    }
    if keep_indices {
        for i in &mut indices {
            *i = final_bin[usize::from(*i)] as u16;
        }
    }

    let mut cells = Vec::with_capacity(groups + specials.len() + 1);
    for g in 0..groups {
        let end = starts.get(g + 1).copied().unwrap_or(m);
        let c = counts[starts[g]..end].iter().fold(Counts::default(), |a, c| a + *c);
        let lower = g.checked_sub(1).map(|i| cuts[i]);
        let upper = cuts.get(g).copied();
        cells.push((range_label(lower, upper), BinKind::Range { lower, upper }, c));
    }
    for (k, &value) in specials.iter().enumerate() {
        cells.push((format!("special {value}"), BinKind::Special { value }, counts[m + k]));
    }
    cells.push(("missing".to_owned(), BinKind::Missing, counts[missing]));
    let (bins, iv) = table(cells, totals);
    let binning = Binning {
        feature: name.to_owned(),
        kind: FeatureKind::Numeric,
        cuts,
        special_values: specials,
        trend: Some(trend),
        bins,
        iv,
    };
    Ok((binning, indices))
}

/// The best partition under the configured trend, and the trend it follows.
fn choose(
    cells: &[Counts],
    totals: Counts,
    limits: Limits,
    config: &BinningConfig,
) -> (Option<Partition>, Trend) {
    let run = |shape| best_partition(cells, totals, limits, shape);
    let better = |a: (Option<Partition>, Trend), b: (Option<Partition>, Trend)| {
        let iv = |p: &Option<Partition>| p.as_ref().map_or(f64::NEG_INFINITY, |p| p.iv);
        if iv(&b.0) > iv(&a.0) { b } else { a }
    };
    match config.trend {
        Trend::Ascending => (run(Shape::Ascending), Trend::Ascending),
        Trend::Descending => (run(Shape::Descending), Trend::Descending),
        Trend::Peak => (run(Shape::Peak), Trend::Peak),
        Trend::Valley => (run(Shape::Valley), Trend::Valley),
        Trend::Free => (run(Shape::Free), Trend::Free),
        Trend::Auto => {
            better((run(Shape::Ascending), Trend::Ascending), (run(Shape::Descending), Trend::Descending))
        }
        Trend::AutoShape => {
            let mono = better(
                (run(Shape::Ascending), Trend::Ascending),
                (run(Shape::Descending), Trend::Descending),
            );
            let shaped = better((run(Shape::Peak), Trend::Peak), (run(Shape::Valley), Trend::Valley));
            let mono_iv = mono.0.as_ref().map_or(0.0, |p| p.iv);
            match &shaped.0 {
                Some(p) if p.iv > mono_iv * (1.0 + config.shape_gain) && mono.0.is_some() => shaped,
                Some(_) if mono.0.is_none() => shaped,
                _ => mono,
            }
        }
    }
}

fn range_label(lower: Option<f64>, upper: Option<f64>) -> String {
    match (lower, upper) {
        (None, None) => "(-inf, inf)".to_owned(),
        (None, Some(u)) => format!("(-inf, {u})"),
        (Some(l), None) => format!("[{l}, inf)"),
        (Some(l), Some(u)) => format!("[{l}, {u})"),
    }
}
