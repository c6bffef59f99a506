//! One pass over the rows at given coefficients: the log-likelihood, the score vector
//! U = Xᵀ(y − μ) and the information matrix I = Xᵀ W X with W = diag(μ(1 − μ)).
//!
//! Rows are taken in chunks of [`CHUNK`]; each chunk fills its columns into a small
//! column-major block and accumulates I as dot products of whole columns, which the
//! compiler vectorises. Chunks run in parallel, and their sums are added in chunk order
//! afterwards, so a fit gives the same bits on any number of threads.

use rayon::prelude::*;

use super::design::Design;

/// Rows per chunk.
pub(crate) const CHUNK: usize = 2048;

/// |η| beyond which a fitted probability is within 10 machine epsilons of 0 or 1 (the
/// threshold at which R's `glm` warns).
pub(crate) const EXTREME_ETA: f64 = 33.74;

/// Sums over the rows. Vectors and matrices have the intercept first; the matrix is
/// q × q row-major with both triangles filled.
#[derive(Debug, Clone)]
pub(crate) struct Moments {
    pub log_likelihood: f64,
    pub score: Vec<f64>,
    pub information: Vec<f64>,
    /// Rows whose fitted probability is numerically 0 or 1.
    pub extreme: usize,
}

impl Moments {
    fn zero(q: usize) -> Self {
        Moments { log_likelihood: 0.0, score: vec![0.0; q], information: vec![0.0; q * q], extreme: 0 }
    }

    fn add(&mut self, o: &Moments) {
        self.log_likelihood += o.log_likelihood;
        self.extreme += o.extreme;
        for (a, b) in self.score.iter_mut().zip(&o.score) {
            *a += b;
        }
        for (a, b) in self.information.iter_mut().zip(&o.information) {
            *a += b;
        }
    }
}

/// Dot product with eight independent sums, so that it vectorises.
#[inline]
pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0f64; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f64 = ca.remainder().iter().zip(cb.remainder()).map(|(x, y)| x * y).sum();
    for (x, y) in ca.zip(cb) {
        for k in 0..8 {
            acc[k] += x[k] * y[k];
        }
    }
    acc.iter().sum::<f64>() + tail
}

struct Scratch {
    model: Vec<f64>,
    info: Vec<f64>,
    eta: Vec<f64>,
    weighted: Vec<f64>,
    wx: Vec<f64>,
}

/// The moments of the model `beta` (intercept first) over the columns of `model`; the
/// score and information are taken over the columns of `info` instead when given (for
/// score tests of columns not in the model).
pub(crate) fn moments<M: Design, I: Design>(
    model: &M,
    beta: &[f64],
    target: &[u8],
    info: Option<&I>,
) -> Moments {
    let n = model.rows();
    let q = 1 + info.map_or(model.cols(), |i| i.cols());
    let chunks = n.div_ceil(CHUNK);
    let new_scratch = || Scratch {
        model: vec![0.0; model.cols() * CHUNK],
        info: if info.is_some() { vec![0.0; (q - 1) * CHUNK] } else { Vec::new() },
        eta: vec![0.0; CHUNK],
        weighted: vec![0.0; CHUNK],
        wx: vec![0.0; CHUNK],
    };
    let parts: Vec<Moments> = (0..chunks)
        .into_par_iter()
        .with_max_len(1)
        .map_init(new_scratch, |s, c| {
            let start = c * CHUNK;
            let len = CHUNK.min(n - start);
            chunk(model, beta, target, info, start, len, q, s)
        })
        .collect();
    let mut total = Moments::zero(q);
    for p in &parts {
        total.add(p);
    }
    for i in 0..q {
        for j in 0..i {
            total.information[i * q + j] = total.information[j * q + i];
        }
    }
    total
}

#[allow(clippy::too_many_arguments)]
fn chunk<M: Design, I: Design>(
    model: &M,
    beta: &[f64],
    target: &[u8],
    info: Option<&I>,
    start: usize,
    len: usize,
    q: usize,
    s: &mut Scratch,
) -> Moments {
    let pm = model.cols();
    let eta = &mut s.eta[..len];
    eta.fill(beta[0]);
    for j in 0..pm {
        let x = &mut s.model[j * len..(j + 1) * len];
        model.fill(j, start, x);
        let b = beta[j + 1];
        for (e, v) in eta.iter_mut().zip(x.iter()) {
            *e += b * *v;
        }
    }
    let mut out = Moments::zero(q);
    let y = &target[start..start + len];
    // eta becomes the residual y − μ, weighted the weight μ(1 − μ).
    let w = &mut s.weighted[..len];
    for ((e, wt), &yi) in eta.iter_mut().zip(w.iter_mut()).zip(y) {
        let t = (-e.abs()).exp();
        let mu = if *e >= 0.0 { 1.0 / (1.0 + t) } else { t / (1.0 + t) };
        out.log_likelihood += f64::from(yi) * *e - (e.max(0.0) + t.ln_1p());
        if e.abs() > EXTREME_ETA {
            out.extreme += 1;
        }
        *wt = mu * (1.0 - mu);
        *e = f64::from(yi) - mu;
    }
    let cols: &[f64] = match info {
        None => &s.model[..pm * len],
        Some(info) => {
            for j in 0..q - 1 {
                info.fill(j, start, &mut s.info[j * len..(j + 1) * len]);
            }
            &s.info[..(q - 1) * len]
        }
    };
    let resid = &s.eta[..len];
    let w = &s.weighted[..len];
    out.score[0] = resid.iter().sum();
    out.information[0] = w.iter().sum();
    let wx = &mut s.wx[..len];
    for i in 0..q - 1 {
        let xi = &cols[i * len..(i + 1) * len];
        out.score[i + 1] = dot(resid, xi);
        for ((o, &a), &b) in wx.iter_mut().zip(w).zip(xi) {
            *o = a * b;
        }
        out.information[i + 1] = wx.iter().sum();
        for j in i..q - 1 {
            out.information[(i + 1) * q + j + 1] = dot(wx, &cols[j * len..(j + 1) * len]);
        }
    }
    out
}
