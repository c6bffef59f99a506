//! Stratified k-fold splits for cross-validation, reproducible from a seed.
//!
//! The events are shuffled and dealt to the folds in turn, then the non-events, continuing
//! the deal where the events stopped. Every fold therefore holds ⌊B/k⌋ or ⌈B/k⌉ of the B
//! events (its event share is within one event of the overall share) and fold sizes differ
//! by at most one. The shuffle is a Fisher–Yates over a SplitMix64 stream, so a seed gives
//! the same folds on every machine and with every version of the dependencies.

use crate::column::{DataError, count_classes};
use crate::rng::SplitMix64;

/// The fold of every row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folds {
    k: usize,
    fold_of: Vec<u32>,
}

impl Folds {
    /// Number of folds.
    pub fn k(&self) -> usize {
        self.k
    }

    /// The fold of each row.
    pub fn assignment(&self) -> &[u32] {
        &self.fold_of
    }

    /// Rows held out in fold `i`, in increasing order.
    pub fn test_rows(&self, i: usize) -> Vec<usize> {
        (0..self.fold_of.len()).filter(|&r| self.fold_of[r] as usize == i).collect()
    }

    /// Rows trained on for fold `i`, in increasing order.
    pub fn train_rows(&self, i: usize) -> Vec<usize> {
        (0..self.fold_of.len()).filter(|&r| self.fold_of[r] as usize != i).collect()
    }
}

/// `k` stratified folds of the rows of `target`; `k` must be at least 2 and at most the
/// number of rows.
pub fn stratified_folds(target: &[u8], k: usize, seed: u64) -> Result<Folds, DataError> {
    count_classes(target)?;
    if k < 2 || k > target.len() {
        return Err(DataError::Folds { k, rows: target.len() });
    }
    let mut rng = SplitMix64::new(seed);
    let mut events: Vec<u32> = (0..target.len() as u32).filter(|&r| target[r as usize] == 1).collect();
    let mut non_events: Vec<u32> = (0..target.len() as u32).filter(|&r| target[r as usize] == 0).collect();
    rng.shuffle(&mut events);
    rng.shuffle(&mut non_events);
    let mut fold_of = vec![0u32; target.len()];
    for (i, &r) in events.iter().chain(&non_events).enumerate() {
        fold_of[r as usize] = (i % k) as u32;
    }
    Ok(Folds { k, fold_of })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_are_stratified_balanced_and_reproducible() {
        // 103 rows, 33 events (multiples of 5 or 7 from 0 to 102), 5 folds: 6 or 7 events
        // and 20 or 21 rows per fold.
        let target: Vec<u8> = (0..103).map(|i| u8::from(i % 5 == 0 || i % 7 == 0)).collect();
        let events = target.iter().filter(|&&y| y == 1).count();
        assert_eq!(events, 33);
        let folds = stratified_folds(&target, 5, 42).unwrap();
        for i in 0..5 {
            let test = folds.test_rows(i);
            let b = test.iter().filter(|&&r| target[r] == 1).count();
            assert!(b == 6 || b == 7, "fold {i}: {b} events");
            assert!(test.len() == 20 || test.len() == 21);
            assert_eq!(test.len() + folds.train_rows(i).len(), 103);
        }
        assert_eq!(folds, stratified_folds(&target, 5, 42).unwrap());
        assert_ne!(folds, stratified_folds(&target, 5, 43).unwrap());
        assert_eq!(stratified_folds(&target, 1, 42), Err(DataError::Folds { k: 1, rows: 103 }));
    }
}
