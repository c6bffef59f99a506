//! Scoring rows and explaining a row's score.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::Scorecard;
use crate::binning::Lookup;
use crate::column::{DataError, Feature, check_length};
use crate::logistic::sigmoid;

/// Rows per parallel scoring chunk.
const CHUNK: usize = 8192;

/// The PD and score of every row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    pub pd: Vec<f64>,
    pub score: Vec<f64>,
}

/// One feature's part in a row's score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contribution {
    pub feature: String,
    /// The row's bin and its label.
    pub bin: usize,
    pub label: String,
    pub woe: f64,
    pub points: f64,
    /// The most points the feature gives (its best bin) minus `points`.
    pub points_below_best: f64,
}

/// A row's score with every feature's contribution and the reasons it is not higher.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    pub pd: f64,
    pub score: f64,
    /// In the scorecard's feature order.
    pub contributions: Vec<Contribution>,
    /// The features that cost the most points against their best bin, most first (ties in
    /// feature order), at most the number asked for and none that cost nothing.
    pub reasons: Vec<Contribution>,
}

impl Scorecard {
    /// Resolves the model's features in `features` (found by name; others are ignored).
    fn lookups<'a>(&'a self, features: &'a [Feature<'a>]) -> Result<(Vec<Lookup<'a>>, usize), DataError> {
        let mut rows = None;
        let mut out = Vec::with_capacity(self.features.len());
        for f in &self.features {
            let input = features
                .iter()
                .find(|x| x.name == f.binning.feature)
                .ok_or_else(|| DataError::MissingFeature(f.binning.feature.clone()))?;
            let n = input.column.len();
            check_length(&format!("feature {}", input.name), n, *rows.get_or_insert(n))?;
            out.push(f.binning.lookup(input.column)?);
        }
        Ok((out, rows.unwrap_or(0)))
    }

    /// Log-odds of the event contributed by each bin of each feature.
    fn log_odds_tables(&self) -> Vec<Vec<f64>> {
        self.features
            .iter()
            .map(|f| f.binning.bins.iter().map(|b| f.coefficient.estimate * b.woe).collect())
            .collect()
    }

    /// The PD and score of every row of `features`.
    pub fn score(&self, features: &[Feature<'_>]) -> Result<Scores, DataError> {
        let (lookups, n) = self.lookups(features)?;
        let tables = self.log_odds_tables();
        let mut pd = vec![0.0; n];
        let mut score = vec![0.0; n];
        let (b0, scaling) = (self.intercept.estimate, self.scaling);
        pd.par_chunks_mut(CHUNK).zip(score.par_chunks_mut(CHUNK)).enumerate().for_each(|(c, (pd, score))| {
            let start = c * CHUNK;
            // Log-odds accumulate in `pd`, then turn into PD and score.
            pd.fill(b0);
            for (lookup, table) in lookups.iter().zip(&tables) {
                lookup.for_each_bin(start..start + pd.len(), |r, bin| pd[r - start] += table[bin]);
            }
            for (p, s) in pd.iter_mut().zip(score.iter_mut()) {
                *s = scaling.score_of_log_odds(*p);
                *p = sigmoid(*p);
            }
        });
        Ok(Scores { pd, score })
    }

    /// Row `row` of `features` explained, with at most `reasons` reasons.
    pub fn explain(
        &self,
        features: &[Feature<'_>],
        row: usize,
        reasons: usize,
    ) -> Result<Explanation, DataError> {
        let (lookups, n) = self.lookups(features)?;
        if row >= n {
            return Err(DataError::RowOutOfRange { row, rows: n });
        }
        Ok(self.explain_with(&lookups, row, reasons))
    }

    /// The reasons of every row of `features` (at most `reasons` each, as
    /// [`Explanation::reasons`]): the columns are resolved and checked once, the rows done
    /// in parallel, and only the reasons kept.
    pub fn reasons_rows(
        &self,
        features: &[Feature<'_>],
        reasons: usize,
    ) -> Result<Vec<Vec<Contribution>>, DataError> {
        let (lookups, n) = self.lookups(features)?;
        let best: Vec<f64> = self
            .features
            .iter()
            .map(|f| f.points.iter().copied().fold(f64::NEG_INFINITY, f64::max))
            .collect();
        Ok((0..n)
            .into_par_iter()
            .map(|row| {
                // (points below best, feature, bin) of every feature that costs points.
                let mut lost: Vec<(f64, usize, usize)> = Vec::with_capacity(self.features.len());
                for (k, (f, lookup)) in self.features.iter().zip(&lookups).enumerate() {
                    let mut bin = 0;
                    lookup.for_each_bin(row..row + 1, |_, b| bin = b);
                    let below = best[k] - f.points[bin];
                    if below > 0.0 {
                        lost.push((below, k, bin));
                    }
                }
                // Most points first; ties in feature order (the sort is stable).
                lost.sort_by(|a, b| b.0.total_cmp(&a.0));
                lost.into_iter()
                    .take(reasons)
                    .map(|(below, k, bin)| {
                        let f = &self.features[k];
                        let b = &f.binning.bins[bin];
                        Contribution {
                            feature: f.binning.feature.clone(),
                            bin,
                            label: b.label.clone(),
                            woe: b.woe,
                            points: f.points[bin],
                            points_below_best: below,
                        }
                    })
                    .collect()
            })
            .collect())
    }

    fn explain_with(&self, lookups: &[Lookup<'_>], row: usize, reasons: usize) -> Explanation {
        let mut eta = self.intercept.estimate;
        let mut contributions = Vec::with_capacity(self.features.len());
        for (f, lookup) in self.features.iter().zip(lookups) {
            let mut bin = 0;
            lookup.for_each_bin(row..row + 1, |_, b| bin = b);
            let b = &f.binning.bins[bin];
            eta += f.coefficient.estimate * b.woe;
            let best = f.points.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            contributions.push(Contribution {
                feature: f.binning.feature.clone(),
                bin,
                label: b.label.clone(),
                woe: b.woe,
                points: f.points[bin],
                points_below_best: best - f.points[bin],
            });
        }
        let mut ranked: Vec<&Contribution> =
            contributions.iter().filter(|c| c.points_below_best > 0.0).collect();
        ranked.sort_by(|a, b| b.points_below_best.total_cmp(&a.points_below_best));
        let reasons = ranked.into_iter().take(reasons).cloned().collect();
        Explanation { pd: sigmoid(eta), score: self.scaling.score_of_log_odds(eta), contributions, reasons }
    }
}
