//! The read limits as command-line options, shared by `import`, `load` and `serve`.

use credence_records::{Limit, ReadLimits};

/// Limits on what one file may make the reader hold; each defaults to
/// [`ReadLimits::default`]. Sizes take a binary suffix: `64KiB`, `512MiB`, `2GiB`.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct ReadLimitArgs {
    /// Largest file, as stored (default 4GiB).
    #[arg(long, value_parser = parse_size, value_name = "BYTES")]
    max_file_bytes: Option<u64>,
    /// Largest total an xlsx may inflate to (default 2GiB).
    #[arg(long, value_parser = parse_size, value_name = "BYTES")]
    max_decompressed_bytes: Option<u64>,
    /// Largest compression ratio of an xlsx part over 1 MiB (default 200).
    #[arg(long, value_name = "RATIO")]
    max_compression_ratio: Option<u64>,
    /// Most rows, header included (default 10000000).
    #[arg(long, value_name = "ROWS")]
    max_rows: Option<u64>,
    /// Most columns in a row (default 512).
    #[arg(long, value_name = "COLUMNS")]
    max_columns: Option<u64>,
    /// Most cells in a file, empty ones included (default 250000000).
    #[arg(long, value_name = "CELLS")]
    max_cells: Option<u64>,
    /// Largest cell (default 64KiB).
    #[arg(long, value_parser = parse_size, value_name = "BYTES")]
    max_cell_bytes: Option<u64>,
}

impl ReadLimitArgs {
    /// The defaults with the options given.
    pub fn limits(&self) -> ReadLimits {
        let mut limits = ReadLimits::default();
        for (limit, value) in [
            (Limit::FileBytes, self.max_file_bytes),
            (Limit::DecompressedBytes, self.max_decompressed_bytes),
            (Limit::CompressionRatio, self.max_compression_ratio),
            (Limit::Rows, self.max_rows),
            (Limit::Columns, self.max_columns),
            (Limit::Cells, self.max_cells),
            (Limit::CellBytes, self.max_cell_bytes),
        ] {
            if let Some(v) = value {
                limits.set(limit, v);
            }
        }
        limits
    }
}

/// A byte count: digits with an optional `KiB`, `MiB` or `GiB` (or `K`, `M`, `G`).
fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kib" => 10,
        "m" | "mib" => 20,
        "g" | "gib" => 30,
        _ => return Err(format!("'{text}': use a whole number of bytes, KiB, MiB or GiB")),
    };
    let n: u64 = digits.parse().map_err(|_| format!("'{text}' is not a size"))?;
    n.checked_mul(1 << shift).ok_or_else(|| format!("'{text}' is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_take_binary_suffixes() {
        assert_eq!(parse_size("65536"), Ok(65_536));
        assert_eq!(parse_size("64KiB"), Ok(65_536));
        assert_eq!(parse_size("2 GiB"), Ok(2 << 30));
        assert_eq!(parse_size("512m"), Ok(512 << 20));
        assert!(parse_size("2GB").is_err());
        assert!(parse_size("99999999999999999999G").is_err());
    }
}
