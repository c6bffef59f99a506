//! Design matrices as the logistic fit sees them: columns filled block by block, so a fit
//! can run over plain `f64` columns or over bin indices and WoE tables without ever
//! materialising the WoE matrix.

/// A design matrix without its intercept column.
pub(crate) trait Design: Sync {
    fn rows(&self) -> usize;
    fn cols(&self) -> usize;
    /// Writes rows `start .. start + out.len()` of column `col` into `out`.
    fn fill(&self, col: usize, start: usize, out: &mut [f64]);
}

/// Plain columns.
pub(crate) struct Dense<'a> {
    pub columns: &'a [&'a [f64]],
    pub rows: usize,
}

impl Design for Dense<'_> {
    fn rows(&self) -> usize {
        self.rows
    }
    fn cols(&self) -> usize {
        self.columns.len()
    }
    fn fill(&self, col: usize, start: usize, out: &mut [f64]) {
        out.copy_from_slice(&self.columns[col][start..start + out.len()]);
    }
}

/// Columns given as the bin of every row and the value (WoE) of every bin.
pub(crate) struct Binned<'a> {
    pub indices: Vec<&'a [u16]>,
    pub values: Vec<&'a [f64]>,
    pub rows: usize,
}

impl Design for Binned<'_> {
    fn rows(&self) -> usize {
        self.rows
    }
    fn cols(&self) -> usize {
        self.indices.len()
    }
    fn fill(&self, col: usize, start: usize, out: &mut [f64]) {
        let (idx, val) = (&self.indices[col][start..start + out.len()], self.values[col]);
        for (o, &i) in out.iter_mut().zip(idx) {
            *o = val[usize::from(i)];
        }
    }
}

/// Some columns of another design.
pub(crate) struct Subset<'a, D: Design> {
    pub design: &'a D,
    pub cols: &'a [usize],
}

impl<D: Design> Design for Subset<'_, D> {
    fn rows(&self) -> usize {
        self.design.rows()
    }
    fn cols(&self) -> usize {
        self.cols.len()
    }
    fn fill(&self, col: usize, start: usize, out: &mut [f64]) {
        self.design.fill(self.cols[col], start, out);
    }
}
