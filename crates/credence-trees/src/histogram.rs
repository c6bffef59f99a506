//! Gradient histograms: per feature and bin, the sums of gradients and hessians and the row
//! count of a leaf's rows.
//!
//! Rows are split into a number of blocks that depends only on how many rows there are, each
//! block is summed on its own (in parallel) and the block sums are added in block order. The
//! floating-point result is therefore the same for any number of threads.

use std::ops::{AddAssign, Range, Sub, SubAssign};

use rayon::prelude::*;

use crate::binning::BinnedData;

/// Gradient and hessian of one row's loss at its current score.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct GradPair {
    pub g: f64,
    pub h: f64,
}

/// Sums over a set of rows.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Stats {
    pub g: f64,
    pub h: f64,
    pub n: u64,
}

impl Stats {
    #[inline]
    fn add_pair(&mut self, p: GradPair) {
        self.g += p.g;
        self.h += p.h;
        self.n += 1;
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
    #[inline]
    fn sub_assign(&mut self, o: Stats) {
        self.g -= o.g;
        self.h -= o.h;
        self.n -= o.n;
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

/// All features' bins for one leaf, laid out by [`BinnedData::offsets`].
#[derive(Debug, Clone)]
pub(crate) struct Histogram {
    pub bins: Vec<Stats>,
}

/// Fewer rows than this are summed in one block: splitting them costs more than it saves.
const MIN_BLOCK_ROWS: usize = 8192;
/// Upper bound on blocks, which bounds the memory and the cost of adding block sums.
const MAX_BLOCKS: usize = 16;
/// A single block of at least this many rows has its features summed in parallel groups.
const MIN_SPLIT_FEATURES_ROWS: usize = 1024;
const FEATURE_GROUPS: usize = 4;

impl Histogram {
    /// The histogram of `rows` (indices into the binned data).
    pub fn build(data: &BinnedData, gh: &[GradPair], rows: &[u32]) -> Histogram {
        let n = rows.len();
        let blocks = if n < 2 * MIN_BLOCK_ROWS { 1 } else { (n / MIN_BLOCK_ROWS).min(MAX_BLOCKS) };
        if blocks == 1 {
            let mut bins = vec![Stats::default(); data.total_bins()];
            if n < MIN_SPLIT_FEATURES_ROWS || data.n_features < 2 {
                accumulate(data, gh, rows, 0..data.n_features, &mut bins);
            } else {
                // One block of rows: share the features out instead. Each feature's sums are
                // still taken in row order, so the result is the same as on one thread.
                let groups = FEATURE_GROUPS.min(data.n_features);
                let mut slices = Vec::with_capacity(groups);
                let mut rest: &mut [Stats] = &mut bins;
                let mut first = 0;
                for g in 0..groups {
                    let last = data.n_features * (g + 1) / groups;
                    let (head, tail) = rest.split_at_mut(data.offsets[last] - data.offsets[first]);
                    slices.push((first..last, head));
                    rest = tail;
                    first = last;
                }
                slices
                    .into_par_iter()
                    .for_each(|(features, slice)| accumulate(data, gh, rows, features, slice));
            }
            return Histogram { bins };
        }
        let chunk = n.div_ceil(blocks);
        let mut parts: Vec<Vec<Stats>> = rows
            .par_chunks(chunk)
            .map(|part| {
                let mut bins = vec![Stats::default(); data.total_bins()];
                accumulate(data, gh, part, 0..data.n_features, &mut bins);
                bins
            })
            .collect();
        let mut total = parts.remove(0);
        for part in &parts {
            for (t, p) in total.iter_mut().zip(part) {
                *t += *p;
            }
        }
        Histogram { bins: total }
    }

    /// Turns the parent's histogram into the sibling's: parent minus the child built directly.
    pub fn subtract(&mut self, child: &Histogram) {
        for (p, c) in self.bins.iter_mut().zip(&child.bins) {
            *p -= *c;
        }
    }

    pub fn feature<'a>(&'a self, data: &BinnedData, feature: usize) -> &'a [Stats] {
        &self.bins[data.offsets[feature]..data.offsets[feature + 1]]
    }
}

/// Rows handled together: their gradients (and, for sparse leaves, their bins) are gathered
/// into buffers that stay in the L1 cache while every feature's bins for them are summed.
const GATHER_ROWS: usize = 2048;
/// A leaf with fewer than 1/`DENSE_SHARE` of all rows reads its bins row by row.
const DENSE_SHARE: usize = 3;

/// Adds the rows' gradients into `bins`, which holds the histograms of `features` only.
fn accumulate(data: &BinnedData, gh: &[GradPair], rows: &[u32], features: Range<usize>, bins: &mut [Stats]) {
    let base = data.offsets[features.start];
    let nf = data.n_features;
    let mut local = [GradPair::default(); GATHER_ROWS];
    let sparse = rows.len() * DENSE_SHARE < data.n_rows;
    // Sparse leaves: one cache line per row from the row-major copy, transposed into a small
    // block; dense leaves: the columns are read nearly sequentially anyway.
    let mut block = if sparse { vec![0u8; GATHER_ROWS * nf] } else { Vec::new() };
    for part in rows.chunks(GATHER_ROWS) {
        for (l, &r) in local.iter_mut().zip(part) {
            *l = gh[r as usize];
        }
        let local = &local[..part.len()];
        if sparse {
            for (k, &r) in part.iter().enumerate() {
                block[k * nf..(k + 1) * nf].copy_from_slice(data.row(r as usize));
            }
        }
        for f in features.clone() {
            let hist = &mut bins[data.offsets[f] - base..data.offsets[f + 1] - base];
            if sparse {
                for (&b, &p) in block[f..].iter().step_by(nf).zip(local) {
                    hist[b as usize].add_pair(p);
                }
            } else {
                let column = data.column(f);
                for (&r, &p) in part.iter().zip(local) {
                    hist[column[r as usize] as usize].add_pair(p);
                }
            }
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
        let parent = Histogram::build(&binned, &gh, &all);
        for b in 0..7 {
            let rows = (0..n).filter(|i| i % 7 == b).count() as u64;
            assert_eq!(parent.bins[b as usize].n, rows);
            assert!((parent.bins[b as usize].h - 0.25 * rows as f64).abs() < 1e-9);
        }
        let even: Vec<u32> = all.iter().copied().filter(|r| r % 2 == 0).collect();
        let odd: Vec<u32> = all.iter().copied().filter(|r| r % 2 == 1).collect();
        let mut sibling = parent.clone();
        sibling.subtract(&Histogram::build(&binned, &gh, &even));
        let direct = Histogram::build(&binned, &gh, &odd);
        for (a, b) in sibling.bins.iter().zip(&direct.bins) {
            assert_eq!(a.n, b.n);
            assert!((a.g - b.g).abs() < 1e-9);
        }
    }
}
