//! Reading hostile files: workbooks that lie about their size, zip bombs, sheets of
//! millions of empty cells, CSV "lines" of megabytes, and arbitrary bytes. Each is refused
//! with the limit it went beyond (or read correctly, when only its declarations lied), and
//! nothing panics.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use credence_records::{Budget, Cancelled, Exceeded, Limit, Place, ReadError, ReadLimits, RowReader};
use proptest::prelude::*;

/// A workbook of text cells, as Excel's own writer library saves it.
fn workbook(rows: &[&[&str]]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *text).unwrap();
        }
    }
    book.save_to_buffer().unwrap()
}

/// The workbook with one part's text changed by `edit`.
fn patch(xlsx: &[u8], part: &str, edit: impl Fn(String) -> String) -> Vec<u8> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let mut found = false;
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        let name = entry.name().unwrap().into_owned();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        if name == part {
            bytes = edit(String::from_utf8(bytes).unwrap()).into_bytes();
            found = true;
        }
        out.start_file(name.as_str(), zip::write::SimpleFileOptions::default()).unwrap();
        out.write_all(&bytes).unwrap();
    }
    assert!(found, "no part {part}");
    out.finish().unwrap().into_inner()
}

/// The workbook with the uncompressed size its zip directory declares for `part` set to
/// `size`, the content left as it is.
fn declare_size(xlsx: &[u8], part: &str, size: u32) -> Vec<u8> {
    let mut bytes = xlsx.to_vec();
    let name = part.as_bytes();
    let mut at = 0;
    while let Some(i) = bytes[at..].windows(4).position(|w| w == b"PK\x01\x02").map(|i| i + at) {
        let len = u16::from_le_bytes([bytes[i + 28], bytes[i + 29]]) as usize;
        if bytes.get(i + 46..i + 46 + len) == Some(name) {
            bytes[i + 24..i + 28].copy_from_slice(&size.to_le_bytes());
            return bytes;
        }
        at = i + 4;
    }
    panic!("no directory entry for {part}");
}

const SHEET: &str = "xl/worksheets/sheet1.xml";

fn save(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Every row of a file, or the error that stopped the reading.
fn read_all(path: &Path, limits: ReadLimits) -> Result<Vec<(u64, Vec<String>)>, ReadError> {
    let mut reader = RowReader::open_within(path, &path.display().to_string(), limits, Budget::default())?;
    let mut rows = Vec::new();
    while let Some(row) = reader.next_row()? {
        rows.push(row);
    }
    Ok(rows)
}

fn exceeded(result: Result<Vec<(u64, Vec<String>)>, ReadError>) -> Exceeded {
    match result {
        Err(ReadError::Limit { exceeded, .. }) => exceeded,
        other => panic!("expected a limit to be exceeded, got {other:?}"),
    }
}

fn small_book() -> Vec<u8> {
    workbook(&[&["customer_id", "name"], &["C1", "福州机械"], &["C2", "厦门贸易"]])
}

fn rows_of(result: Result<Vec<(u64, Vec<String>)>, ReadError>) -> Vec<(u64, Vec<String>)> {
    result.unwrap_or_else(|e| panic!("{e}"))
}

fn expected_small_rows() -> Vec<(u64, Vec<String>)> {
    let row = |n: u64, cells: [&str; 2]| (n, cells.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>());
    vec![row(1, ["customer_id", "name"]), row(2, ["C1", "福州机械"]), row(3, ["C2", "厦门贸易"])]
}

/// A 1.6 KB file whose sheet claims every cell Excel has: the claim is not used, so the
/// three real rows are read (the library's range reader reserved rows × columns for it).
#[test]
fn a_sheet_claiming_every_cell_is_read_by_its_cells() {
    let dir = tempfile::tempdir().unwrap();
    let bomb = patch(&small_book(), SHEET, |xml| {
        assert!(xml.contains("<dimension ref=\"A1:B3\"/>"), "{xml}");
        xml.replace("<dimension ref=\"A1:B3\"/>", "<dimension ref=\"A1:XFD1048576\"/>")
    });
    assert!(bomb.len() < 8_000, "{} bytes", bomb.len());
    let path = save(&dir, "bomb.xlsx", &bomb);
    assert_eq!(rows_of(read_all(&path, ReadLimits::default())), expected_small_rows());
}

/// Two values at opposite corners of the sheet: the far one is refused by its column,
/// before anything is allocated for the cells between them.
#[test]
fn a_value_beyond_the_column_limit_is_refused_by_its_cell() {
    let dir = tempfile::tempdir().unwrap();
    let far = r#"<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>"#;
    let path =
        save(&dir, "corners.xlsx", &patch(&small_book(), SHEET, |xml| xml.replace("</sheetData>", far)));
    let e = exceeded(read_all(&path, ReadLimits::default()));
    assert_eq!(
        e,
        Exceeded {
            place: Place::Cell { row: 1_048_576, column: 16_384 },
            limit: Limit::Columns,
            allowed: 512,
            found: 16_384
        }
    );
    let message = ReadError::Limit { path: "corners.xlsx".into(), exceeded: e }.to_string();
    assert_eq!(
        message,
        "corners.xlsx: row 1048576, column 16384 (cell XFD1048576): column 16384 is beyond the limit \
         max-columns = 512; if the file is genuine, raise it with --max-columns"
    );
}

/// A classic deflate bomb: a part of 32 MiB of blanks packed into a few kilobytes.
#[test]
fn a_zip_bomb_is_refused_by_its_compression_ratio_before_inflating() {
    let dir = tempfile::tempdir().unwrap();
    let padding = " ".repeat(32 << 20);
    let bomb =
        patch(&small_book(), SHEET, |xml| xml.replace("</worksheet>", &format!("{padding}</worksheet>")));
    assert!(bomb.len() < 200_000, "{} bytes", bomb.len());
    let path = save(&dir, "deflate-bomb.xlsx", &bomb);
    let e = exceeded(read_all(&path, ReadLimits::default()));
    assert_eq!((e.limit, &e.place, e.allowed), (Limit::CompressionRatio, &Place::Part(SHEET.into()), 200));
    assert!(e.found > 500, "{e}");
}

/// A part that declares 3 GiB is refused from the zip directory alone; one that declares
/// less than it holds is stopped by the zip reader at the declared size.
#[test]
fn declared_sizes_bind() {
    let dir = tempfile::tempdir().unwrap();
    let path = save(&dir, "declared.xlsx", &declare_size(&small_book(), SHEET, 3 << 30));
    let e = exceeded(read_all(&path, ReadLimits::default()));
    assert_eq!(
        e,
        Exceeded {
            place: Place::Part(SHEET.into()),
            limit: Limit::DecompressedBytes,
            allowed: 2 << 30,
            found: 3 << 30
        }
    );
    let path = save(&dir, "understated.xlsx", &declare_size(&small_book(), SHEET, 100));
    let e = read_all(&path, ReadLimits::default()).unwrap_err();
    assert!(matches!(e, ReadError::Xlsx { .. }), "{e:?}");
    // The total over all parts is bound too.
    let limits = ReadLimits { max_decompressed_bytes: 2_000, ..ReadLimits::default() };
    let path = save(&dir, "small.xlsx", &small_book());
    assert_eq!(exceeded(read_all(&path, limits)).limit, Limit::DecompressedBytes);
}

/// The shared strings part announces how many strings it holds and the xlsx library
/// reserves room for them: a count the part cannot hold is refused before that.
#[test]
fn a_shared_string_count_the_part_cannot_hold_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let part = "xl/sharedStrings.xml";
    let lie = patch(&small_book(), part, |xml| {
        let start = xml.find("uniqueCount=\"").unwrap() + "uniqueCount=\"".len();
        let end = start + xml[start..].find('"').unwrap();
        format!("{}4000000000{}", &xml[..start], &xml[end..])
    });
    let path = save(&dir, "strings.xlsx", &lie);
    let e = read_all(&path, ReadLimits::default()).unwrap_err();
    let ReadError::SharedStrings { part: named, problem, .. } = &e else { panic!("{e:?}") };
    assert_eq!(named, part);
    assert!(problem.starts_with("it declares 4000000000 strings, but its "), "{problem}");
    assert!(
        e.to_string().starts_with(&format!("{}: xl/sharedStrings.xml cannot be trusted", path.display()))
    );
}

/// Hundreds of thousands of styled but empty cells, some far beyond the column limit:
/// counted, never placed, so the real rows come through; with a lower cell limit they are
/// refused by count.
#[test]
fn styled_empty_cells_cost_only_their_count() {
    let dir = tempfile::tempdir().unwrap();
    let empties: String = (10..100_010)
        .map(|r| format!(r#"<row r="{r}"><c r="A{r}" s="0"/><c r="XFD{r}" s="0"/></row>"#))
        .collect();
    let book =
        patch(&small_book(), SHEET, |xml| xml.replace("</sheetData>", &format!("{empties}</sheetData>")));
    let path = save(&dir, "empties.xlsx", &book);
    assert_eq!(rows_of(read_all(&path, ReadLimits::default())), expected_small_rows());
    let limits = ReadLimits { max_cells: 50_000, ..ReadLimits::default() };
    let e = exceeded(read_all(&path, limits));
    assert_eq!((e.limit, e.allowed, e.found), (Limit::Cells, 50_000, 50_001));
}

#[test]
fn a_csv_line_without_end_is_refused_at_the_cell_limit() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("customer_id,name\nC1,");
    text.push_str(&"a".repeat(4 << 20));
    let path = save(&dir, "long.csv", text.as_bytes());
    let e = exceeded(read_all(&path, ReadLimits::default()));
    assert_eq!(
        (&e.place, e.limit, e.allowed),
        (&Place::Cell { row: 2, column: 2 }, Limit::CellBytes, 65_536)
    );
    assert!(e.found > 65_536 && e.found <= 65_536 + 8_192, "stopped within one buffer: {}", e.found);
}

/// Rows, columns and cells of a CSV, each at and beyond its limit.
#[test]
fn csv_counts_are_limited() {
    let dir = tempfile::tempdir().unwrap();
    let path = save(&dir, "rows.csv", b"a,b\n1,2\n3,4\n");
    let three = ReadLimits { max_rows: 3, ..ReadLimits::default() };
    assert_eq!(rows_of(read_all(&path, three)).len(), 3);
    let two = ReadLimits { max_rows: 2, ..ReadLimits::default() };
    assert_eq!(
        exceeded(read_all(&path, two)),
        Exceeded { place: Place::Row(3), limit: Limit::Rows, allowed: 2, found: 3 }
    );
    let five = ReadLimits { max_cells: 5, ..ReadLimits::default() };
    assert_eq!(exceeded(read_all(&path, five)).place, Place::Row(3));
    let wide = save(&dir, "wide.csv", ",".repeat(100_000).as_bytes());
    assert_eq!(
        exceeded(read_all(&wide, ReadLimits::default())),
        Exceeded {
            place: Place::Cell { row: 1, column: 513 },
            limit: Limit::Columns,
            allowed: 512,
            found: 513
        }
    );
    let tiny = ReadLimits { max_file_bytes: 10, ..ReadLimits::default() };
    assert_eq!(
        exceeded(read_all(&path, tiny)),
        Exceeded { place: Place::File, limit: Limit::FileBytes, allowed: 10, found: 12 }
    );
}

#[test]
fn a_spent_budget_stops_reading() {
    let dir = tempfile::tempdir().unwrap();
    let csv = save(&dir, "a.csv", b"a,b\n1,2\n");
    let budget = Budget::cancellable();
    budget.cancel();
    let mut reader = RowReader::open_within(&csv, "a.csv", ReadLimits::default(), budget.clone()).unwrap();
    assert!(matches!(reader.next_row(), Err(ReadError::Cancelled { source: Cancelled::Requested, .. })));
    let rows: Vec<Vec<String>> = (0..5_000).map(|i| vec![format!("C{i}"), "x".into()]).collect();
    let refs: Vec<Vec<&str>> = rows.iter().map(|r| r.iter().map(String::as_str).collect()).collect();
    let slices: Vec<&[&str]> = refs.iter().map(Vec::as_slice).collect();
    let xlsx = save(&dir, "a.xlsx", &workbook(&slices));
    let mut reader = RowReader::open_within(&xlsx, "a.xlsx", ReadLimits::default(), budget).unwrap();
    let mut result = Ok(None);
    for _ in 0..5_000 {
        result = reader.next_row();
        if result.is_err() {
            break;
        }
    }
    assert!(matches!(result, Err(ReadError::Cancelled { source: Cancelled::Requested, .. })), "{result:?}");
}

/// Reads whatever a file holds, to the end or the first error.
fn drain(path: &Path, limits: ReadLimits) {
    if let Ok(mut reader) =
        RowReader::open_within(path, &path.display().to_string(), limits, Budget::default())
    {
        while let Ok(Some(_)) = reader.next_row() {}
    }
}

fn small_limits() -> ReadLimits {
    ReadLimits {
        max_rows: 1_000,
        max_columns: 64,
        max_cells: 10_000,
        max_cell_bytes: 1_024,
        ..ReadLimits::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    /// Arbitrary bytes as CSV: NUL, invalid UTF-8, lone quotes, GBK-looking text. Rows
    /// come out within the limits or reading stops with an error; nothing panics.
    #[test]
    fn arbitrary_bytes_as_csv(bytes in proptest::collection::vec(any::<u8>(), 0..4_096)) {
        let dir = tempfile::tempdir().unwrap();
        let path = save(&dir, "x.csv", &bytes);
        let limits = small_limits();
        if let Ok(mut reader) = RowReader::open_within(&path, "x.csv", limits, Budget::default()) {
            while let Ok(Some((_, cells))) = reader.next_row() {
                prop_assert!(cells.len() as u64 <= limits.max_columns);
                prop_assert!(cells.iter().all(|c| c.len() as u64 <= limits.max_cell_bytes));
            }
        }
    }

    /// Arbitrary bytes as xlsx, and a real workbook with bytes overwritten or cut short.
    #[test]
    fn damaged_workbooks(
        noise in proptest::collection::vec(any::<u8>(), 0..2_048),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..16),
        cut in any::<prop::sample::Index>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        drain(&save(&dir, "noise.xlsx", &noise), small_limits());
        let mut book = small_book();
        for (at, byte) in &edits {
            let i = at.index(book.len());
            book[i] = *byte;
        }
        drain(&save(&dir, "edited.xlsx", &book), small_limits());
        book.truncate(cut.index(book.len()));
        drain(&save(&dir, "cut.xlsx", &book), small_limits());
    }
}
