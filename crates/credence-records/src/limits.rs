//! Limits on what one file may make a reader hold or do. Each is checked before the memory
//! it guards is taken, so a hostile file (an xlsx whose sheet claims a billion cells, a zip
//! bomb, a CSV "line" of a gigabyte) is refused with the limit's name instead of exhausting
//! the machine.
//!
//! The defaults let a genuine ERP drop through: ten million invoices of up to 25 columns
//! in CSV, or the largest sheet Excel can save (1,048,576 rows). They are not a sandbox for
//! arbitrary sizes; a deployment that expects more raises the one limit a message names
//! (`--max-rows` and so on, on `credence import`, `load` and `serve` alike).

use std::fmt;

/// What a reader may take from one file. [`ReadLimits::default`] is sized for real ERP
/// exports; see the module documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadLimits {
    /// Size of the file as stored (for xlsx: compressed).
    pub max_file_bytes: u64,
    /// Sum of the uncompressed sizes an xlsx's parts declare (the zip reader refuses a
    /// part that inflates beyond what it declares, so the declaration binds).
    pub max_decompressed_bytes: u64,
    /// Largest ratio of uncompressed to compressed size of an xlsx part above 1 MiB.
    pub max_compression_ratio: u64,
    /// Rows, header included.
    pub max_rows: u64,
    /// Columns of one row (for xlsx: the highest column holding a value).
    pub max_columns: u64,
    /// Cells in the whole file, empty ones included: a sheet of millions of styled but
    /// empty cells costs reading time even though it holds nothing.
    pub max_cells: u64,
    /// Bytes of one cell's text.
    pub max_cell_bytes: u64,
}

impl Default for ReadLimits {
    /// 4 GiB files (ten million rows of 400 bytes), 2 GiB inflated xlsx (a full
    /// 1,048,576-row sheet of ~30 columns is about 1.3 GB of XML), a 200:1 compression
    /// ratio (spreadsheet XML compresses 5–50:1; deflate bombs reach 1,000:1), ten million
    /// rows, 512 columns (the widest kind has under 40), 250 million cells (ten million
    /// rows of 25 columns) and 64 KiB per cell (the longest free-text field is a few
    /// hundred characters).
    fn default() -> Self {
        ReadLimits {
            max_file_bytes: 4 << 30,
            max_decompressed_bytes: 2 << 30,
            max_compression_ratio: 200,
            max_rows: 10_000_000,
            max_columns: 512,
            max_cells: 250_000_000,
            max_cell_bytes: 64 << 10,
        }
    }
}

/// One of the [`ReadLimits`], by the name its option has on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Limit {
    FileBytes,
    DecompressedBytes,
    CompressionRatio,
    Rows,
    Columns,
    Cells,
    CellBytes,
}

impl Limit {
    pub const ALL: [Limit; 7] = [
        Limit::FileBytes,
        Limit::DecompressedBytes,
        Limit::CompressionRatio,
        Limit::Rows,
        Limit::Columns,
        Limit::Cells,
        Limit::CellBytes,
    ];

    /// The option that sets it (`credence import --max-rows`, `credence serve --max-rows`).
    pub fn option(self) -> &'static str {
        match self {
            Limit::FileBytes => "max-file-bytes",
            Limit::DecompressedBytes => "max-decompressed-bytes",
            Limit::CompressionRatio => "max-compression-ratio",
            Limit::Rows => "max-rows",
            Limit::Columns => "max-columns",
            Limit::Cells => "max-cells",
            Limit::CellBytes => "max-cell-bytes",
        }
    }

    /// What the limit counts, for messages.
    fn counts(self) -> &'static str {
        match self {
            Limit::FileBytes => "bytes in the file",
            Limit::DecompressedBytes => "decompressed bytes",
            Limit::CompressionRatio => "times compressed",
            Limit::Rows => "rows",
            Limit::Columns => "columns",
            Limit::Cells => "cells",
            Limit::CellBytes => "bytes in one cell",
        }
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.option())
    }
}

impl ReadLimits {
    /// The value of one limit.
    pub fn get(&self, limit: Limit) -> u64 {
        match limit {
            Limit::FileBytes => self.max_file_bytes,
            Limit::DecompressedBytes => self.max_decompressed_bytes,
            Limit::CompressionRatio => self.max_compression_ratio,
            Limit::Rows => self.max_rows,
            Limit::Columns => self.max_columns,
            Limit::Cells => self.max_cells,
            Limit::CellBytes => self.max_cell_bytes,
        }
    }

    /// Sets one limit.
    pub fn set(&mut self, limit: Limit, value: u64) {
        let slot = match limit {
            Limit::FileBytes => &mut self.max_file_bytes,
            Limit::DecompressedBytes => &mut self.max_decompressed_bytes,
            Limit::CompressionRatio => &mut self.max_compression_ratio,
            Limit::Rows => &mut self.max_rows,
            Limit::Columns => &mut self.max_columns,
            Limit::Cells => &mut self.max_cells,
            Limit::CellBytes => &mut self.max_cell_bytes,
        };
        *slot = value;
    }

    /// `Err` naming the limit when `found` is beyond it.
    pub(crate) fn check(&self, limit: Limit, found: u64, at: impl FnOnce() -> Place) -> Result<(), Exceeded> {
        let allowed = self.get(limit);
        if found > allowed { Err(Exceeded { place: at(), limit, allowed, found }) } else { Ok(()) }
    }
}

/// Where in a file a limit was met.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// The file as a whole.
    File,
    /// A part (zip entry) of an xlsx workbook.
    Part(String),
    /// A row, by its spreadsheet number (header = 1).
    Row(u64),
    /// A cell: spreadsheet row and 1-based column.
    Cell { row: u64, column: u64 },
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::File => f.write_str("the file"),
            Place::Part(name) => write!(f, "part {name}"),
            Place::Row(row) => write!(f, "row {row}"),
            Place::Cell { row, column } => {
                write!(f, "row {row}, column {column} (cell {}{row})", column_letters(*column))
            }
        }
    }
}

/// Spreadsheet letters of a 1-based column number (1 → A, 27 → AA).
pub fn column_letters(mut column: u64) -> String {
    let mut letters = Vec::new();
    while column > 0 {
        let rem = (column - 1) % 26;
        letters.push(b'A' + rem as u8);
        column = (column - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

/// A limit a file went beyond: which, its value, what was met and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exceeded {
    pub place: Place,
    pub limit: Limit,
    pub allowed: u64,
    /// What was met: a count, a size or a ratio. Readers stop at the first unit beyond the
    /// limit, so for rows, cells and cell bytes this is `allowed + 1` ("more than").
    pub found: u64,
}

impl fmt::Display for Exceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Exceeded { place, limit, allowed, found } = self;
        let counts = limit.counts();
        let met = match limit {
            Limit::Rows | Limit::Cells | Limit::CellBytes => format!("more than {allowed} {counts}"),
            Limit::Columns => format!("column {found}"),
            Limit::CompressionRatio => format!("compressed {found}:1"),
            Limit::FileBytes | Limit::DecompressedBytes => format!("{found} {counts}"),
        };
        write!(
            f,
            "{place}: {met} is beyond the limit {limit} = {allowed}; if the file is genuine, raise it with --{limit}"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_lettered_like_a_spreadsheet() {
        let letters: Vec<String> = [1, 26, 27, 52, 512, 16_384].into_iter().map(column_letters).collect();
        assert_eq!(letters, ["A", "Z", "AA", "AZ", "SR", "XFD"]);
    }

    #[test]
    fn messages_name_the_limit_its_value_and_the_place() {
        let limits = ReadLimits::default();
        let e = limits.check(Limit::Columns, 16_384, || Place::Cell { row: 1_048_576, column: 16_384 });
        assert_eq!(
            e.unwrap_err().to_string(),
            "row 1048576, column 16384 (cell XFD1048576): column 16384 is beyond the limit max-columns = 512; \
             if the file is genuine, raise it with --max-columns"
        );
        assert!(limits.check(Limit::Rows, 10_000_000, || Place::File).is_ok());
        let mut raised = limits;
        raised.set(Limit::Rows, 20_000_000);
        assert_eq!(raised.get(Limit::Rows), 20_000_000);
    }
}
