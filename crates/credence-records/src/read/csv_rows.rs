//! CSV records read field by field into buffers whose growth is checked against the
//! limits, so a "line" of a gigabyte without a newline costs at most one cell's limit
//! of memory before it is refused.

use std::io::Read;

use crate::budget::{Budget, Cancelled};
use crate::limits::{Exceeded, Limit, Place, ReadLimits};

/// Why a CSV record could not be read.
#[derive(Debug)]
pub(crate) enum CsvFailure {
    Io(std::io::Error),
    /// A field that is not UTF-8 after decoding; 1-based column.
    Utf8 {
        column: u64,
        source: std::string::FromUtf8Error,
    },
    Limit(Exceeded),
    Cancelled(Cancelled),
}

/// Records of a CSV stream, with the counts the limits need.
pub(crate) struct CsvRows {
    core: csv_core::Reader,
    input: Box<dyn Read + Send>,
    buf: Box<[u8]>,
    pos: usize,
    len: usize,
    eof: bool,
    field: Vec<u8>,
    limits: ReadLimits,
    cells: u64,
    /// Checked at each refill, so even a run of blank lines stops when it runs out.
    budget: Budget,
}

const INPUT_BYTES: usize = 64 << 10;

impl CsvRows {
    pub fn new(input: Box<dyn Read + Send>, limits: ReadLimits, budget: Budget) -> CsvRows {
        CsvRows {
            core: csv_core::Reader::new(),
            input,
            buf: vec![0; INPUT_BYTES].into_boxed_slice(),
            pos: 0,
            len: 0,
            eof: false,
            field: Vec::new(),
            limits,
            cells: 0,
            budget,
        }
    }

    /// The next record, numbered `row` in messages; `None` at the end.
    pub fn next_record(&mut self, row: u64) -> Result<Option<Vec<String>>, CsvFailure> {
        let mut out = [0u8; 8 << 10];
        let mut record: Vec<String> = Vec::new();
        self.field.clear();
        loop {
            if self.pos == self.len && !self.eof {
                self.budget.check().map_err(CsvFailure::Cancelled)?;
                self.len = read_some(&mut self.input, &mut self.buf).map_err(CsvFailure::Io)?;
                self.pos = 0;
                self.eof = self.len == 0;
            }
            let (result, nin, nout) = self.core.read_field(&self.buf[self.pos..self.len], &mut out);
            self.pos += nin;
            let column = record.len() as u64 + 1;
            if nout > 0 {
                let size = (self.field.len() + nout) as u64;
                self.limits
                    .check(Limit::CellBytes, size, || Place::Cell { row, column })
                    .map_err(CsvFailure::Limit)?;
                self.field.extend_from_slice(&out[..nout]);
            }
            match result {
                csv_core::ReadFieldResult::InputEmpty | csv_core::ReadFieldResult::OutputFull => {}
                csv_core::ReadFieldResult::Field { record_end } => {
                    self.limits
                        .check(Limit::Columns, column, || Place::Cell { row, column })
                        .map_err(CsvFailure::Limit)?;
                    self.cells += 1;
                    self.limits
                        .check(Limit::Cells, self.cells, || Place::Row(row))
                        .map_err(CsvFailure::Limit)?;
                    let text = String::from_utf8(std::mem::take(&mut self.field))
                        .map_err(|source| CsvFailure::Utf8 { column, source })?;
                    record.push(text);
                    if record_end {
                        return Ok(Some(record));
                    }
                }
                csv_core::ReadFieldResult::End => {
                    return Ok((!record.is_empty()).then_some(record));
                }
            }
        }
    }
}

/// Reads at least one byte unless at the end, retrying interruptions.
fn read_some(input: &mut dyn Read, buf: &mut [u8]) -> std::io::Result<usize> {
    loop {
        match input.read(buf) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}
