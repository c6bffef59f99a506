//! Gradient histograms: per feature and bin, the sums of gradients and hessians of a leaf's
//! rows.
//!
//! Bins hold no row counts: a count costs a third more memory traffic in the hottest loop of
//! training. Split search estimates a bin's rows from its hessian share of the leaf (exact
//! when all rows have the same hessian, as in forests); the counts of the leaves a split
//! creates are then taken exactly from the partition.
//!
//! Rows are split into a number of blocks that depends only on how many rows there are, each
//! block is summed on its own (in parallel) and the block sums are added in block order. The
//! floating-point result is therefore the same for any number of threads.

use std::ops::{AddAssign, Sub, SubAssign};

use rayon::prelude::*;

use crate::binning::{BinnedData, ROW_ALIGN};

/// Gradient and hessian of one row's loss at its current score.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct GradPair {
    pub g: f64,
    pub h: f64,
}

/// Sums over a set of rows, with the number of rows.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Stats {
    pub g: f64,
    pub h: f64,
    pub n: u64,
}

/// Gradient and hessian sums of one histogram bin.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct GradSum {
    pub g: f64,
    pub h: f64,
}

impl GradSum {
    #[inline]
    fn add_pair(&mut self, p: GradPair) {
        self.g += p.g;
        self.h += p.h;
    }
}

impl AddAssign for Stats {
    #[inline]
    fn add_assign(&mut self, o: Stats) {
        self.g += o.g;
        self.h += o.h;
        self.n += o.n;
    }
}

impl SubAssign for Stats {
    /// Counts saturate at zero: estimated counts may exceed the exact total slightly.
    #[inline]
    fn sub_assign(&mut self, o: Stats) {
        self.g -= o.g;
        self.h -= o.h;
        self.n = self.n.saturating_sub(o.n);
    }
}

impl Sub for Stats {
    type Output = Stats;
    #[inline]
    fn sub(mut self, o: Stats) -> Stats {
        self -= o;
        self
    }
}

/// Bins of some features (all of them for boosting, those drawn at a node for forests) for
/// one leaf, feature after feature.
#[derive(Debug, Clone)]
pub(crate) struct Histogram {
    bins: Vec<GradSum>,
    /// Ascending.
    features: Vec<usize>,
    /// Start of each feature's bins in `bins`, and the end.
    starts: Vec<usize>,
}

/// Fewer rows than this are summed in one block: splitting them costs more than it saves.
const MIN_BLOCK_ROWS: usize = 8192;
/// Upper bound on blocks, which bounds the memory and the cost of adding block sums.
const MAX_BLOCKS: usize = 16;
/// A single block of at least this many rows has its features summed in parallel groups.
const MIN_SPLIT_FEATURES_ROWS: usize = 1024;
const FEATURE_GROUPS: usize = 4;

impl Histogram {
    /// The histogram of `rows` (indices into the binned data) over `features` (ascending),
    /// written into `buffer` (a spent histogram's, so that its memory is reused).
    pub fn build(
        data: &BinnedData,
        gh: &[GradPair],
        rows: &[u32],
        features: &[usize],
        buffer: Vec<GradSum>,
    ) -> Histogram {
        let mut starts = Vec::with_capacity(features.len() + 1);
        let mut total = 0;
        for &f in features {
            starts.push(total);
            total += data.mappers[f].n_bins();
        }
        starts.push(total);
        let n = rows.len();
        let sparse = n * DENSE_SHARE < data.n_rows;
        let blocks = if n < 2 * MIN_BLOCK_ROWS { 1 } else { (n / MIN_BLOCK_ROWS).min(MAX_BLOCKS) };
        let mut bins = buffer;
        bins.clear();
        bins.resize(total, GradSum::default());
        if blocks == 1 && (n < MIN_SPLIT_FEATURES_ROWS || features.len() < 2) {
            accumulate(data, gh, rows, sparse, features, &starts, &mut bins);
        } else if blocks == 1 {
            // One block of rows: share the features out instead. Each feature's sums are
            // still taken in row order, so the result is the same as on one thread.
            let groups = FEATURE_GROUPS.min(features.len());
            let mut slices = Vec::with_capacity(groups);
            let mut rest: &mut [GradSum] = &mut bins;
            let mut first = 0;
            for g in 0..groups {
                let last = features.len() * (g + 1) / groups;
                let (head, tail) = rest.split_at_mut(starts[last] - starts[first]);
                slices.push((first..last, head));
                rest = tail;
                first = last;
            }
            slices.into_par_iter().for_each(|(range, slice)| {
                accumulate(
                    data,
                    gh,
                    rows,
                    sparse,
                    &features[range.clone()],
                    &starts[range.start..=range.end],
                    slice,
                )
            });
        } else {
            let chunk = n.div_ceil(blocks);
            let parts: Vec<Vec<GradSum>> = rows
                .par_chunks(chunk)
                .map(|part| {
                    let mut bins = vec![GradSum::default(); total];
                    accumulate(data, gh, part, sparse, features, &starts, &mut bins);
                    bins
                })
                .collect();
            for part in &parts {
                for (t, p) in bins.iter_mut().zip(part) {
                    t.g += p.g;
                    t.h += p.h;
                }
            }
        }
        Histogram { bins, features: features.to_vec(), starts }
    }

    /// Turns the parent's histogram into the sibling's: parent minus the child built directly
    /// (over the same features).
    pub fn subtract(&mut self, child: &Histogram) {
        debug_assert_eq!(self.features, child.features);
        for (p, c) in self.bins.iter_mut().zip(&child.bins) {
            p.g -= c.g;
            p.h -= c.h;
        }
    }

    /// The memory, for the next histogram.
    pub fn into_buffer(self) -> Vec<GradSum> {
        self.bins
    }

    pub fn features(&self) -> &[usize] {
        &self.features
    }

    /// The bins of feature `f`, which must be one of the histogram's features.
    pub fn feature(&self, f: usize) -> &[GradSum] {
        let i = self.features.binary_search(&f).expect("feature in the histogram");
        &self.bins[self.starts[i]..self.starts[i + 1]]
    }

    /// Sums over all `rows` rows (every feature's bins add up to them; the first one's are
    /// used).
    pub fn totals(&self, rows: usize) -> Stats {
        let mut totals = Stats { n: rows as u64, ..Stats::default() };
        for s in &self.bins[..self.starts.get(1).copied().unwrap_or(0)] {
            totals.g += s.g;
            totals.h += s.h;
        }
        totals
    }
}

/// Rows handled together: their gradients (and, for sparse leaves, their bins) are gathered
/// into buffers that stay in the L1 cache while every feature's bins for them are summed.
const GATHER_ROWS: usize = 2048;
/// A leaf with fewer than 1/`DENSE_SHARE` of all rows reads its bins row by row: with rows
/// this far apart every column read would be a cache miss of its own.
const DENSE_SHARE: usize = 16;

/// Adds the rows' gradients into `bins`, which holds the histograms of `features`, starting at
/// `starts` (relative to `starts[0]`).
#[allow(clippy::too_many_arguments)]
fn accumulate(
    data: &BinnedData,
    gh: &[GradPair],
    rows: &[u32],
    sparse: bool,
    features: &[usize],
    starts: &[usize],
    bins: &mut [GradSum],
) {
    let stride = data.row_stride;
    let mut local = [GradPair::default(); GATHER_ROWS];
    // Sparse leaves: one cache line per row from the row-major copy, gathered into a small
    // block; dense leaves: the columns are read nearly sequentially anyway.
    let mut block = if sparse { vec![0u8; GATHER_ROWS * stride] } else { Vec::new() };
    for part in rows.chunks(GATHER_ROWS) {
        // Consecutive rows (a whole unsampled data set) need no gathering at all.
        let first = part[0] as usize;
        if !sparse && part.iter().enumerate().all(|(k, &r)| r as usize == first + k) {
            accumulate_range(data, &gh[first..first + part.len()], first, features, starts, bins);
            continue;
        }
        for (l, &r) in local.iter_mut().zip(part) {
            *l = gh[r as usize];
        }
        let local = &local[..part.len()];
        if sparse {
            for (k, &r) in part.iter().enumerate() {
                // Word by word: a fixed-size copy compiles to plain moves, not a library call.
                let to = block[k * stride..(k + 1) * stride].chunks_exact_mut(ROW_ALIGN);
                for (to, from) in to.zip(data.row(r as usize).chunks_exact(ROW_ALIGN)) {
                    to.copy_from_slice(from);
                }
            }
        }
        // Two features per pass: each gradient pair is loaded once for both.
        let mut j = 0;
        while j < features.len() {
            let base = starts[0];
            if j + 1 < features.len() {
                let (fa, fb) = (features[j], features[j + 1]);
                let (ha, hb) =
                    bins[starts[j] - base..starts[j + 2] - base].split_at_mut(starts[j + 1] - starts[j]);
                if sparse {
                    let rows_a = block[fa..].iter().step_by(stride);
                    let rows_b = block[fb..].iter().step_by(stride);
                    for ((&a, &b), &p) in rows_a.zip(rows_b).zip(local) {
                        ha[a as usize].add_pair(p);
                        hb[b as usize].add_pair(p);
                    }
                } else {
                    let (ca, cb) = (data.column(fa), data.column(fb));
                    for (&r, &p) in part.iter().zip(local) {
                        ha[ca[r as usize] as usize].add_pair(p);
                        hb[cb[r as usize] as usize].add_pair(p);
                    }
                }
                j += 2;
            } else {
                let f = features[j];
                let hist = &mut bins[starts[j] - base..starts[j + 1] - base];
                if sparse {
                    for (&b, &p) in block[f..].iter().step_by(stride).zip(local) {
                        hist[b as usize].add_pair(p);
                    }
                } else {
                    let column = data.column(f);
                    for (&r, &p) in part.iter().zip(local) {
                        hist[column[r as usize] as usize].add_pair(p);
                    }
                }
                j += 1;
            }
        }
    }
}

/// [`accumulate`] for the consecutive rows `first..first + gh.len()`, whose gradients are `gh`.
fn accumulate_range(
    data: &BinnedData,
    gh: &[GradPair],
    first: usize,
    features: &[usize],
    starts: &[usize],
    bins: &mut [GradSum],
) {
    let base = starts[0];
    let range = first..first + gh.len();
    let mut pairs = features.chunks_exact(2);
    for (j, pair) in (&mut pairs).enumerate() {
        let j = 2 * j;
        let (ha, hb) = bins[starts[j] - base..starts[j + 2] - base].split_at_mut(starts[j + 1] - starts[j]);
        let (ca, cb) = (&data.column(pair[0])[range.clone()], &data.column(pair[1])[range.clone()]);
        for ((&a, &b), &p) in ca.iter().zip(cb).zip(gh) {
            ha[a as usize].add_pair(p);
            hb[b as usize].add_pair(p);
        }
    }
    if let [f] = pairs.remainder() {
        let j = features.len() - 1;
        let hist = &mut bins[starts[j] - base..starts[j + 1] - base];
        for (&b, &p) in data.column(*f)[range].iter().zip(gh) {
            hist[b as usize].add_pair(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::{Dataset, Feature};

    #[test]
    fn block_sums_equal_a_plain_sum_and_subtraction_gives_the_sibling() {
        let n = 40_000;
        let x: Vec<f64> = (0..n).map(|i| f64::from(i % 7)).collect();
        let data = Dataset::new(vec![Feature::numeric("x", x)]).unwrap();
        let binned = BinnedData::new(&data, 1);
        let gh: Vec<GradPair> = (0..n).map(|i| GradPair { g: f64::from(i % 3) - 1.0, h: 0.25 }).collect();
        let all: Vec<u32> = (0..n as u32).collect();
        let parent = Histogram::build(&binned, &gh, &all, &[0], Vec::new());
        for b in 0..7 {
            let rows = (0..n).filter(|i| i % 7 == b).count();
            assert!((parent.bins[b as usize].h - 0.25 * rows as f64).abs() < 1e-9);
        }
        let even: Vec<u32> = all.iter().copied().filter(|r| r % 2 == 0).collect();
        let odd: Vec<u32> = all.iter().copied().filter(|r| r % 2 == 1).collect();
        let mut sibling = parent.clone();
        sibling.subtract(&Histogram::build(&binned, &gh, &even, &[0], Vec::new()));
        let direct = Histogram::build(&binned, &gh, &odd, &[0], Vec::new());
        for (a, b) in sibling.bins.iter().zip(&direct.bins) {
            assert!((a.g - b.g).abs() < 1e-9 && (a.h - b.h).abs() < 1e-9);
        }
    }

    /// Every path (consecutive rows, gathered dense rows, row-major sparse rows, feature
    /// groups, blocks) must give the plain per-bin sums.
    #[test]
    fn every_reading_path_gives_the_plain_sums() {
        let n = 50_000;
        let features: Vec<Feature> = (0..5)
            .map(|f| {
                Feature::numeric(format!("x{f}"), (0..n).map(|i| f64::from((i * (f + 3)) % 11)).collect())
            })
            .collect();
        let data = Dataset::new(features).unwrap();
        let binned = BinnedData::new(&data, 1);
        let gh: Vec<GradPair> =
            (0..n).map(|i| GradPair { g: f64::from(i % 5) - 2.0, h: 0.1 * f64::from(i % 3 + 1) }).collect();
        let subsets: Vec<Vec<u32>> = vec![
            (0..n as u32).collect(),
            (0..n as u32).filter(|r| r % 3 != 0).collect(),
            (0..n as u32).filter(|r| r % 50 == 7).collect(),
            (100..1500).collect(),
        ];
        for rows in subsets {
            let hist = Histogram::build(&binned, &gh, &rows, &[0, 2, 3, 4], Vec::new());
            for f in [0, 2, 3, 4] {
                let mut expected = vec![GradSum::default(); binned.mappers[f].n_bins()];
                for &r in &rows {
                    expected[binned.bin(r as usize, f) as usize].add_pair(gh[r as usize]);
                }
                for (a, b) in hist.feature(f).iter().zip(&expected) {
                    assert!((a.g - b.g).abs() < 1e-9 && (a.h - b.h).abs() < 1e-9);
                }
            }
        }
    }
}
