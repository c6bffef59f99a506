//! Feature binning: every value becomes a bin index below 256, so split search runs over
//! histograms instead of sorted values, and the binned training matrix is one byte per cell.
//!
//! Numeric features get at most [`MAX_VALUE_BINS`] bins cut at quantiles of the non-missing
//! values (each distinct value its own bin when there are few); categorical features get one
//! bin per category (the rarest share an "other" bin when there are more than
//! [`MAX_VALUE_BINS`]). Missing values always have their own bin, the last one.

use rand::seq::index;
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;
use rayon::prelude::*;

use crate::dataset::{Column, Dataset, MISSING_CATEGORY};

/// Value bins per feature; with the missing bin this fills a `u8`.
pub const MAX_VALUE_BINS: usize = 255;

/// Rows sampled to place numeric bin edges; quantiles of 200,000 values are within about
/// 0.2 percentile points of the full column's, and sorting every column of a million rows
/// would cost more than the rest of binning.
const EDGE_SAMPLE_ROWS: usize = 200_000;

/// Row-major rows are padded to a multiple of this many bytes.
pub const ROW_ALIGN: usize = 8;

/// How one feature's values map to bins.
#[derive(Debug, Clone)]
pub(crate) enum BinMapper {
    /// `upper[b]` is the largest value in bin `b` (a midpoint between neighbouring training
    /// values); the last is `+inf`. A value goes to the first bin whose bound it does not
    /// exceed, which is exactly the test `value <= threshold` a saved split applies.
    Numeric { upper: Vec<f64> },
    /// `code_bin[code]` is the bin of each category; `bin_codes[b]` the categories in bin `b`.
    Categorical { code_bin: Vec<u8>, bin_codes: Vec<Vec<u32>> },
}

impl BinMapper {
    /// Value bins, not counting the missing bin.
    pub fn n_value_bins(&self) -> usize {
        match self {
            BinMapper::Numeric { upper } => upper.len(),
            BinMapper::Categorical { bin_codes, .. } => bin_codes.len(),
        }
    }

    /// Bins including the missing bin.
    pub fn n_bins(&self) -> usize {
        self.n_value_bins() + 1
    }

    pub fn missing_bin(&self) -> u8 {
        self.n_value_bins() as u8
    }

    pub fn is_categorical(&self) -> bool {
        matches!(self, BinMapper::Categorical { .. })
    }

    fn numeric(values: &[f64], seed: u64) -> Self {
        let mut sample: Vec<f64> = if values.len() > EDGE_SAMPLE_ROWS {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let mut rows = index::sample(&mut rng, values.len(), EDGE_SAMPLE_ROWS).into_vec();
            rows.sort_unstable();
            rows.into_iter().map(|r| values[r]).filter(|v| !v.is_nan()).collect()
        } else {
            values.iter().copied().filter(|v| !v.is_nan()).collect()
        };
        sample.sort_unstable_by(f64::total_cmp);
        let mut distinct: Vec<(f64, usize)> = Vec::new();
        for v in sample {
            match distinct.last_mut() {
                // `==` also merges -0.0 with 0.0, which compare equal at prediction too.
                Some((last, count)) if *last == v => *count += 1,
                _ => distinct.push((v, 1)),
            }
        }
        BinMapper::Numeric { upper: numeric_edges(&distinct, MAX_VALUE_BINS) }
    }

    fn categorical(codes: &[u32], n_categories: u32) -> Self {
        let n = n_categories as usize;
        if n <= MAX_VALUE_BINS {
            return BinMapper::Categorical {
                code_bin: (0..n).map(|c| c as u8).collect(),
                bin_codes: (0..n as u32).map(|c| vec![c]).collect(),
            };
        }
        let mut counts = vec![0usize; n];
        for &c in codes {
            if c != MISSING_CATEGORY {
                counts[c as usize] += 1;
            }
        }
        let mut by_count: Vec<u32> = (0..n as u32).collect();
        by_count.sort_by(|&a, &b| counts[b as usize].cmp(&counts[a as usize]).then(a.cmp(&b)));
        let own = MAX_VALUE_BINS - 1;
        let mut kept: Vec<u32> = by_count[..own].to_vec();
        kept.sort_unstable();
        let mut code_bin = vec![own as u8; n];
        let mut bin_codes: Vec<Vec<u32>> = kept.iter().map(|&c| vec![c]).collect();
        for (bin, &c) in kept.iter().enumerate() {
            code_bin[c as usize] = bin as u8;
        }
        bin_codes.push((0..n as u32).filter(|&c| code_bin[c as usize] == own as u8).collect());
        BinMapper::Categorical { code_bin, bin_codes }
    }

    /// The bin of a value in the uniform row encoding (category codes as numbers, `NaN`
    /// missing).
    pub fn bin_of(&self, value: f64) -> u8 {
        if value.is_nan() {
            return self.missing_bin();
        }
        match self {
            BinMapper::Numeric { upper } => upper.partition_point(|&u| u < value) as u8,
            BinMapper::Categorical { code_bin, .. } => {
                code_bin.get(value as usize).copied().unwrap_or(self.missing_bin())
            }
        }
    }
}

/// Bin upper bounds for sorted distinct values with their counts: each distinct value its
/// own bin when they fit, otherwise greedy cuts aiming at equal counts, where the target is
/// recomputed after each cut so that a heavy value taking a bin alone does not starve the
/// rest.
fn numeric_edges(distinct: &[(f64, usize)], max_bins: usize) -> Vec<f64> {
    let mut upper = Vec::new();
    if distinct.len() <= max_bins {
        for pair in distinct.windows(2) {
            upper.push(midpoint(pair[0].0, pair[1].0));
        }
    } else {
        let mut remaining: usize = distinct.iter().map(|d| d.1).sum();
        let mut in_bin = 0usize;
        for (i, &(value, count)) in distinct.iter().enumerate().take(distinct.len() - 1) {
            in_bin += count;
            let bins_left = max_bins - upper.len();
            let target = remaining as f64 / bins_left as f64;
            let next = distinct[i + 1].1 as f64;
            // Cut when the bin is full, or when adding the next value would overshoot the
            // target by more than stopping short does.
            if in_bin as f64 >= target || (in_bin as f64 + next - target) > (target - in_bin as f64) {
                upper.push(midpoint(value, distinct[i + 1].0));
                remaining -= in_bin;
                in_bin = 0;
                if upper.len() == max_bins - 1 {
                    break;
                }
            }
        }
    }
    upper.push(f64::INFINITY);
    upper
}

fn midpoint(a: f64, b: f64) -> f64 {
    let m = a / 2.0 + b / 2.0;
    // Very close neighbours can round the midpoint onto `b`; the bound must stay below it.
    if m >= b { a } else { m }
}

/// The training data as bins: one byte per cell, column by column, so a feature's bins for
/// a run of rows are read sequentially when histograms are built and leaves partitioned.
#[derive(Debug)]
pub(crate) struct BinnedData {
    pub mappers: Vec<BinMapper>,
    bins: Vec<u8>,
    /// The same bins row by row, for leaves holding a small share of the rows: one cache line
    /// per row instead of one per row and feature.
    by_row: Vec<u8>,
    /// Bytes per row in `by_row`: the feature count rounded up to [`ROW_ALIGN`], so rows are
    /// copied in whole words.
    pub row_stride: usize,
    pub n_rows: usize,
}

impl BinnedData {
    pub fn new(data: &Dataset, seed: u64) -> Self {
        let mappers: Vec<BinMapper> = data
            .features()
            .par_iter()
            .enumerate()
            .map(|(f, feature)| match &feature.column {
                Column::Numeric(values) => BinMapper::numeric(values, seed ^ (f as u64).wrapping_mul(0x9E37)),
                Column::Categorical { codes, n_categories } => BinMapper::categorical(codes, *n_categories),
            })
            .collect();
        Self::with_mappers(data, mappers)
    }

    pub fn with_mappers(data: &Dataset, mappers: Vec<BinMapper>) -> Self {
        let n_rows = data.n_rows();
        let n_features = data.n_features();
        let mut bins = vec![0u8; n_rows * n_features];
        if n_rows > 0 {
            bins.par_chunks_mut(n_rows).zip(data.features()).zip(&mappers).for_each(
                |((out, feature), mapper)| match &feature.column {
                    Column::Numeric(values) => {
                        for (o, &v) in out.iter_mut().zip(values) {
                            *o = mapper.bin_of(v);
                        }
                    }
                    Column::Categorical { codes, .. } => {
                        let BinMapper::Categorical { code_bin, .. } = mapper else {
                            unreachable!("categorical column with a numeric mapper")
                        };
                        let missing = mapper.missing_bin();
                        for (o, &c) in out.iter_mut().zip(codes) {
                            *o = code_bin.get(c as usize).copied().unwrap_or(missing);
                        }
                    }
                },
            );
        }
        let row_stride = n_features.next_multiple_of(ROW_ALIGN);
        let mut by_row = vec![0u8; n_rows * row_stride];
        const CHUNK_ROWS: usize = 4096;
        if n_rows > 0 {
            by_row.par_chunks_mut(CHUNK_ROWS * row_stride).enumerate().for_each(|(chunk, out)| {
                let start = chunk * CHUNK_ROWS;
                for f in 0..n_features {
                    let column = &bins[f * n_rows + start..];
                    for (r, cell) in out.iter_mut().skip(f).step_by(row_stride).enumerate() {
                        *cell = column[r];
                    }
                }
            });
        }
        BinnedData { mappers, bins, by_row, row_stride, n_rows }
    }

    /// The bins of one feature for every row.
    #[inline]
    pub fn column(&self, feature: usize) -> &[u8] {
        &self.bins[feature * self.n_rows..(feature + 1) * self.n_rows]
    }

    /// The bins of one row, feature by feature, padded with zeros to [`BinnedData::row_stride`]
    /// bytes.
    #[inline]
    pub fn row(&self, row: usize) -> &[u8] {
        &self.by_row[row * self.row_stride..(row + 1) * self.row_stride]
    }

    #[inline]
    pub fn bin(&self, row: usize, feature: usize) -> u8 {
        self.bins[feature * self.n_rows + row]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::Feature;

    #[test]
    fn few_distinct_values_get_one_bin_each_and_missing_the_last() {
        let data = Dataset::new(vec![Feature::numeric("x", vec![3.0, 1.0, f64::NAN, 2.0, 1.0])]).unwrap();
        let binned = BinnedData::new(&data, 0);
        let BinMapper::Numeric { upper } = &binned.mappers[0] else { panic!() };
        assert_eq!(upper, &vec![1.5, 2.5, f64::INFINITY]);
        let bins: Vec<u8> = (0..5).map(|r| binned.bin(r, 0)).collect();
        assert_eq!(bins, vec![2, 0, 3, 1, 0]);
    }

    #[test]
    fn many_values_are_cut_near_quantiles() {
        let values: Vec<f64> = (0..10_000).map(|i| f64::from(i % 1000)).collect();
        let distinct: Vec<(f64, usize)> = (0..1000).map(|i| (f64::from(i), 10)).collect();
        let upper = numeric_edges(&distinct, 10);
        assert_eq!(upper.len(), 10);
        assert_eq!(upper[0], 99.5);
        assert_eq!(upper[4], 499.5);
        let data = Dataset::new(vec![Feature::numeric("x", values)]).unwrap();
        assert_eq!(BinnedData::new(&data, 0).mappers[0].n_value_bins(), MAX_VALUE_BINS);
    }

    #[test]
    fn a_heavy_value_takes_its_own_bin() {
        let mut distinct = vec![(0.0, 5000)];
        distinct.extend((1..=500).map(|i| (f64::from(i), 10)));
        let upper = numeric_edges(&distinct, 10);
        assert_eq!(upper[0], 0.5);
        assert_eq!(upper.len(), 10);
    }
}
