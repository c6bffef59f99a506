//! Binning of a categorical feature: rare categories pooled, the rest ordered by event
//! rate and grouped optimally.

use super::optimal::{Limits, Shape, best_partition};
use super::woe::Counts;
use super::{BinKind, Binning, BinningConfig, BinningError, FeatureKind, MAX_BINS, table};
use crate::column::MISSING_CODE;

/// Categories (codes) taken together before the grouping.
struct Item {
    codes: Vec<usize>,
    counts: Counts,
    rare: bool,
}

pub(super) fn fit(
    name: &str,
    codes: &[u32],
    labels: &[String],
    target: &[u8],
    totals: Counts,
    config: &BinningConfig,
    keep_indices: bool,
) -> Result<(Binning, Vec<u16>), BinningError> {
    let mut per_code = vec![Counts::default(); labels.len()];
    let mut missing = Counts::default();
    for (&c, &y) in codes.iter().zip(target) {
        if c == MISSING_CODE {
            missing.add_row(y);
        } else {
            per_code[c as usize].add_row(y);
        }
    }
    let n = codes.len() as f64;
    let rare_below = config.min_category_share * n;
    let mut items: Vec<Item> = Vec::new();
    let mut pool = Item { codes: Vec::new(), counts: Counts::default(), rare: true };
    for (code, c) in per_code.iter().enumerate() {
        if c.total() == 0.0 {
            continue;
        }
        if c.total() < rare_below {
            pool.codes.push(code);
            pool.counts = pool.counts + *c;
        } else {
            items.push(Item { codes: vec![code], counts: *c, rare: false });
        }
    }
    if !pool.codes.is_empty() {
        items.push(pool);
    }
    items.sort_by(|a, b| a.counts.rate().total_cmp(&b.counts.rate()).then(a.codes[0].cmp(&b.codes[0])));
    let items = premerge(items, config.max_prebins);
    if items.len() + 2 > MAX_BINS {
        return Err(BinningError::TooManyBins {
            feature: name.to_owned(),
            bins: items.len() + 2,
            max: MAX_BINS,
        });
    }

    let cells: Vec<Counts> = items.iter().map(|i| i.counts).collect();
    let m = cells.len();
    let limits = Limits {
        min_count: config.min_bin_share * n,
        min_events: config.min_bin_events as f64,
        max_bins: config.max_bins.unwrap_or(m).min(m),
    };
    // Neighbours in event-rate order always form ascending groups: no shape constraint needed.
    let starts = match best_partition(&cells, totals, limits, Shape::Free) {
        Some(p) => p.starts,
        None if m > 0 => vec![0],
        None => Vec::new(),
    };

    let mut bin_of_code = vec![usize::MAX; labels.len()];
    let mut table_cells = Vec::new();
    for (g, &s) in starts.iter().enumerate() {
        let end = starts.get(g + 1).copied().unwrap_or(m);
        let mut group_labels = Vec::new();
        let mut counts = Counts::default();
        let mut rare = false;
        for item in &items[s..end] {
            for &code in &item.codes {
                bin_of_code[code] = g;
                group_labels.push(labels[code].clone());
            }
            counts = counts + item.counts;
            rare |= item.rare;
        }
        table_cells.push((
            group_labels.join(", "),
            BinKind::Categories { labels: group_labels, rare },
            counts,
        ));
    }
    let missing_bin = table_cells.len();
    table_cells.push(("missing".to_owned(), BinKind::Missing, missing));
    let unseen_bin =
        match table_cells.iter().position(|c| matches!(c.1, BinKind::Categories { rare: true, .. })) {
            Some(i) => i,
            None => {
                table_cells.push(("unseen".to_owned(), BinKind::Unseen, Counts::default()));
                missing_bin + 1
            }
        };
    let indices = if keep_indices {
        codes
            .iter()
            .map(|&c| {
                let bin = if c == MISSING_CODE { missing_bin } else { bin_of_code[c as usize] };
                (if bin == usize::MAX { unseen_bin } else { bin }) as u16
            })
            .collect()
    } else {
        Vec::new()
    };
    let (bins, iv) = table(table_cells, totals);
    let binning = Binning {
        feature: name.to_owned(),
        kind: FeatureKind::Categorical,
        cuts: Vec::new(),
        special_values: Vec::new(),
        trend: None,
        bins,
        iv,
    };
    Ok((binning, indices))
}

/// Joins neighbouring items (in event-rate order) until there are at most `max` of them,
/// each closing once the rows so far pass the next multiple of 1/`max` of the total.
fn premerge(items: Vec<Item>, max: usize) -> Vec<Item> {
    if items.len() <= max {
        return items;
    }
    let total: f64 = items.iter().map(|i| i.counts.total()).sum();
    let mut out: Vec<Item> = Vec::new();
    let mut open: Option<Item> = None;
    let mut seen = 0.0;
    let mut k = 1.0;
    for item in items {
        seen += item.counts.total();
        let cur = open.get_or_insert(Item { codes: Vec::new(), counts: Counts::default(), rare: false });
        cur.codes.extend(item.codes);
        cur.counts = cur.counts + item.counts;
        cur.rare |= item.rare;
        if seen >= k * total / max as f64 {
            out.extend(open.take());
            while seen >= k * total / max as f64 {
                k += 1.0;
            }
        }
    }
    out.extend(open);
    out
}
