//! Random streams keyed by (seed, customer, purpose) and the few distributions drawn from.
//!
//! Every customer owns independent ChaCha8 streams, one per purpose, so a customer's data
//! does not depend on how many customers are generated, on chunking, or on what another
//! part of the generator draws. Nothing here reads a clock or an OS entropy source.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

/// The generator's random stream type.
pub(crate) type DemoRng = ChaCha8Rng;

/// What a stream is used for; the value is the ChaCha stream number.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Purpose {
    Profile = 1,
    Health = 2,
    Statements = 3,
    Ledger = 4,
    Orders = 5,
    Events = 6,
    /// Streams keyed by a block of customers rather than one customer.
    Relations = 7,
    /// Streams keyed by nothing but the seed (economy-wide shocks).
    Macro = 8,
    Milestones = 9,
    Assessments = 10,
    /// Utility billing accounts (`utility.rs`), keyed by account index.
    Billing = 11,
    /// Disconnections, meter events and changes of holder of utility accounts, keyed by
    /// account index: a stream of its own, so an account's bills do not depend on them.
    Supply = 12,
}

/// SplitMix64 finaliser: a fixed bijective mixing function of 64-bit words. Fixed here
/// (not taken from a library) so the portfolio stays byte-identical across versions.
pub(crate) fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The stream for `purpose` of entity `key` (a customer index, block index or 0) under
/// `seed`: the 256-bit ChaCha key is four successive mixes of (seed, key).
pub(crate) fn stream(seed: u64, key: u64, purpose: Purpose) -> DemoRng {
    let base = mix64(seed ^ mix64(key.wrapping_mul(0xD6E8_FEB8_6659_FD93)));
    let mut bytes = [0u8; 32];
    for (i, word) in bytes.chunks_exact_mut(8).enumerate() {
        word.copy_from_slice(&mix64(base.wrapping_add(i as u64)).to_le_bytes());
    }
    let mut rng = ChaCha8Rng::from_seed(bytes);
    rng.set_stream(purpose as u64);
    rng
}

/// Uniform on [0, 1).
pub(crate) fn unit(rng: &mut DemoRng) -> f64 {
    rng.random::<f64>()
}

pub(crate) fn chance(rng: &mut DemoRng, p: f64) -> bool {
    unit(rng) < p
}

/// Uniform on [lo, hi).
pub(crate) fn uniform(rng: &mut DemoRng, lo: f64, hi: f64) -> f64 {
    lo + (hi - lo) * unit(rng)
}

/// Uniform integer on [lo, hi] (inclusive).
pub(crate) fn int_in(rng: &mut DemoRng, lo: i64, hi: i64) -> i64 {
    if hi <= lo { lo } else { rng.random_range(lo..=hi) }
}

pub(crate) fn normal(rng: &mut DemoRng) -> f64 {
    StandardNormal.sample(rng)
}

/// Log-uniform on [lo, hi): sizes spread over orders of magnitude.
pub(crate) fn log_uniform(rng: &mut DemoRng, lo: f64, hi: f64) -> f64 {
    (lo.ln() + (hi.ln() - lo.ln()) * unit(rng)).exp()
}

/// A Poisson count. Knuth's product method for the small rates used here; a rounded
/// normal approximation above 30 keeps the cost bounded.
pub(crate) fn poisson(rng: &mut DemoRng, lambda: f64) -> u32 {
    if lambda <= 0.0 {
        return 0;
    }
    if lambda > 30.0 {
        return (lambda + lambda.sqrt() * normal(rng)).round().max(0.0) as u32;
    }
    let limit = (-lambda).exp();
    let mut product = unit(rng);
    let mut n = 0;
    while product > limit {
        n += 1;
        product *= unit(rng);
    }
    n
}

/// An index drawn with the given relative weights (which must not all be zero).
pub(crate) fn weighted(rng: &mut DemoRng, weights: &[f64]) -> usize {
    let total: f64 = weights.iter().sum();
    let mut x = unit(rng) * total;
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return i;
        }
        x -= w;
    }
    weights.len() - 1
}

/// One element of a non-empty slice.
pub(crate) fn pick<'a, T>(rng: &mut DemoRng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

pub(crate) fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_differ_by_key_purpose_and_seed() {
        let draw = |seed, key, p| stream(seed, key, p).random::<u64>();
        let a = draw(1, 7, Purpose::Health);
        assert_eq!(a, draw(1, 7, Purpose::Health));
        assert_ne!(a, draw(1, 8, Purpose::Health));
        assert_ne!(a, draw(1, 7, Purpose::Ledger));
        assert_ne!(a, draw(2, 7, Purpose::Health));
    }

    #[test]
    fn poisson_mean_matches_rate() {
        let mut rng = stream(3, 0, Purpose::Events);
        for lambda in [0.05, 0.8, 4.0, 50.0] {
            let n = 20_000;
            let sum: u64 = (0..n).map(|_| u64::from(poisson(&mut rng, lambda))).sum();
            let mean = sum as f64 / f64::from(n);
            assert!((mean - lambda).abs() < 0.05 * lambda.max(1.0), "{lambda}: {mean}");
        }
    }

    #[test]
    fn mix64_is_the_splitmix_finaliser() {
        // First output of SplitMix64 seeded with 0, as published with the algorithm.
        assert_eq!(mix64(0), 0xE220_A839_7B1D_CDAF);
    }
}
