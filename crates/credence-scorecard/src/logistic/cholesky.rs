//! Cholesky factorisation, solve and inverse of a small dense symmetric positive definite
//! matrix, row-major.
//!
//! Written here because the matrices are the p × p normal equations of a scorecard (p is
//! a few dozen): forty lines do the job, where a linear-algebra crate would add most of
//! the crate's compile time and a BLAS a system dependency.

/// The factorisation failed at this pivot: the matrix is singular or not positive
/// definite to working precision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NotPositiveDefinite {
    pub pivot: usize,
}

/// Lower-triangular L with A = L Lᵀ, from the upper or lower triangle of `a` (n × n).
pub(crate) fn factor(a: &[f64], n: usize) -> Result<Vec<f64>, NotPositiveDefinite> {
    let mut l = vec![0.0; n * n];
    let scale = (0..n).map(|i| a[i * n + i].abs()).fold(0.0, f64::max).max(f64::MIN_POSITIVE);
    for j in 0..n {
        let mut d = a[j * n + j];
        for k in 0..j {
            d -= l[j * n + k] * l[j * n + k];
        }
        // A pivot lost to rounding (relative to the largest diagonal) means a column is a
        // combination of the others.
        if d.is_nan() || d <= 1e-12 * scale {
            return Err(NotPositiveDefinite { pivot: j });
        }
        let d = d.sqrt();
        l[j * n + j] = d;
        for i in j + 1..n {
            let mut s = a[j.min(i) * n + j.max(i)];
            for k in 0..j {
                s -= l[i * n + k] * l[j * n + k];
            }
            l[i * n + j] = s / d;
        }
    }
    Ok(l)
}

/// Solves L Lᵀ x = b.
pub(crate) fn solve(l: &[f64], n: usize, b: &[f64]) -> Vec<f64> {
    let mut y = b.to_vec();
    for i in 0..n {
        for k in 0..i {
            y[i] -= l[i * n + k] * y[k];
        }
        y[i] /= l[i * n + i];
    }
    for i in (0..n).rev() {
        for k in i + 1..n {
            y[i] -= l[k * n + i] * y[k];
        }
        y[i] /= l[i * n + i];
    }
    y
}

/// (L Lᵀ)⁻¹, column by column.
pub(crate) fn inverse(l: &[f64], n: usize) -> Vec<f64> {
    let mut inv = vec![0.0; n * n];
    let mut e = vec![0.0; n];
    for j in 0..n {
        e.fill(0.0);
        e[j] = 1.0;
        let col = solve(l, n, &e);
        for i in 0..n {
            inv[i * n + j] = col[i];
        }
    }
    inv
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A = [[4, 2], [2, 3]]: L = [[2, 0], [1, √2]]; A⁻¹ = [[3, −2], [−2, 4]] / 8;
    /// A x = (2, 1) gives x = (1/2, 0).
    #[test]
    fn two_by_two_by_hand() {
        let a = [4.0, 2.0, 2.0, 3.0];
        let l = factor(&a, 2).unwrap();
        assert_eq!(l[0], 2.0);
        assert_eq!(l[2], 1.0);
        assert!((l[3] - 2f64.sqrt()).abs() < 1e-15);
        let x = solve(&l, 2, &[2.0, 1.0]);
        assert!((x[0] - 0.5).abs() < 1e-15 && x[1].abs() < 1e-15);
        let inv = inverse(&l, 2);
        for (got, want) in inv.iter().zip([3.0 / 8.0, -0.25, -0.25, 0.5]) {
            assert!((got - want).abs() < 1e-15);
        }
        assert_eq!(factor(&[1.0, 1.0, 1.0, 1.0], 2), Err(NotPositiveDefinite { pivot: 1 }));
    }
}
