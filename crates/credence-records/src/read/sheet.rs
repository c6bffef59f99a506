//! xlsx workbooks read without trusting what they declare about themselves.
//!
//! Before the workbook is opened, its zip directory is checked: the uncompressed sizes the
//! parts declare (the zip reader refuses a part that inflates beyond its declaration, so
//! the declaration binds), their compression ratios, and the string count the shared
//! strings part announces (the xlsx library reserves room for that many strings up
//! front). The first sheet is then streamed cell by cell on a thread of its own: the
//! `<dimension>` a sheet declares is never used, cells are counted as they come, a value
//! beyond the column limit is refused, and rows are handed over one at a time through a
//! small bounded channel, so memory holds a few rows whatever the sheet claims.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use crate::budget::{Budget, Cancelled};
use crate::limits::{Exceeded, Limit, Place, ReadLimits};

/// Parts smaller than this are not held to the compression ratio: tiny parts (styles,
/// relationships) compress well and cannot inflate to much.
const RATIO_FLOOR_BYTES: u64 = 1 << 20;

/// How much of the shared strings part is read to find its declared count.
const SST_HEAD_BYTES: u64 = 64 << 10;

/// The fewest bytes one shared string takes in the part (`<si></si>`).
const MIN_SHARED_STRING_BYTES: u64 = 9;

/// Why a workbook could not be read.
#[derive(Debug)]
pub(crate) enum SheetFailure {
    Xlsx(calamine::XlsxError),
    Limit(Exceeded),
    SharedStrings {
        part: String,
        problem: String,
    },
    NoSheet,
    Cancelled(Cancelled),
    /// The reading thread ended without saying the sheet was done (it panicked).
    Stopped,
}

impl From<calamine::XlsxError> for SheetFailure {
    fn from(e: calamine::XlsxError) -> Self {
        SheetFailure::Xlsx(e)
    }
}

impl From<zip::result::ZipError> for SheetFailure {
    fn from(e: zip::result::ZipError) -> Self {
        SheetFailure::Xlsx(calamine::XlsxError::Zip(e))
    }
}

/// Checks the zip directory and the shared strings' declared count against the limits.
pub(crate) fn check_package(path: &Path, limits: &ReadLimits) -> Result<(), SheetFailure> {
    let file = File::open(path).map_err(|e| SheetFailure::Xlsx(calamine::XlsxError::Io(e)))?;
    let mut zip = zip::ZipArchive::new(BufReader::new(file))?;
    let mut total: u64 = 0;
    let mut shared_strings = None;
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i)?;
        let name = entry.name()?.into_owned();
        let (size, packed) = (entry.size(), entry.compressed_size());
        drop(entry);
        limits
            .check(Limit::DecompressedBytes, size, || Place::Part(name.clone()))
            .map_err(SheetFailure::Limit)?;
        total = total.saturating_add(size);
        limits.check(Limit::DecompressedBytes, total, || Place::File).map_err(SheetFailure::Limit)?;
        if size > RATIO_FLOOR_BYTES {
            let ratio = size / packed.max(1);
            limits
                .check(Limit::CompressionRatio, ratio, || Place::Part(name.clone()))
                .map_err(SheetFailure::Limit)?;
        }
        if name.to_ascii_lowercase().ends_with("sharedstrings.xml") {
            shared_strings = Some((i, name, size));
        }
    }
    if let Some((i, part, size)) = shared_strings {
        let head = zip.by_index(i)?.take(SST_HEAD_BYTES);
        check_shared_string_count(head, &part, size, limits)?;
    }
    Ok(())
}

/// The xlsx library reserves room for the `uniqueCount` the `<sst>` element declares;
/// it must be a count the part can hold and within the cell limit.
fn check_shared_string_count(
    head: impl Read,
    part: &str,
    size: u64,
    limits: &ReadLimits,
) -> Result<(), SheetFailure> {
    let problem = |problem: String| SheetFailure::SharedStrings { part: part.to_owned(), problem };
    let mut xml = quick_xml::Reader::from_reader(BufReader::new(head));
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf) {
            Ok(quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e))
                if e.local_name().as_ref() == "sst" =>
            {
                let mut attributes = e.attributes();
                attributes.with_checks(false);
                for a in attributes {
                    let a = a.map_err(|e| problem(format!("malformed <sst> attributes ({e})")))?;
                    if a.key.as_ref() != "uniqueCount" {
                        continue;
                    }
                    let declared: u64 = a.value.trim().parse().map_err(|_| {
                        problem(format!("uniqueCount '{}' is not a count", truncate(&a.value, 40)))
                    })?;
                    let most = size / MIN_SHARED_STRING_BYTES + 1;
                    if declared > most {
                        return Err(problem(format!(
                            "it declares {declared} strings, but its {size} bytes can hold at most {most}"
                        )));
                    }
                    limits
                        .check(Limit::Cells, declared, || Place::Part(part.to_owned()))
                        .map_err(SheetFailure::Limit)?;
                    return Ok(());
                }
                return Ok(());
            }
            Ok(quick_xml::events::Event::Eof) => {
                return Err(problem(format!("no <sst> element in its first {SST_HEAD_BYTES} bytes")));
            }
            Ok(_) => {}
            Err(e) => return Err(problem(format!("not XML ({e})"))),
        }
    }
}

fn truncate(s: &str, chars: usize) -> String {
    s.chars().take(chars).collect()
}

/// A row, the end of the sheet (`None`), or why reading stopped.
type RowMessage = Result<Option<(u64, Vec<String>)>, SheetFailure>;

/// The rows of a workbook's first sheet, read on a thread of their own.
pub(crate) struct SheetRows {
    rx: Option<Receiver<RowMessage>>,
    stop: Arc<AtomicBool>,
    worker: Option<JoinHandle<()>>,
}

impl SheetRows {
    /// Opens the workbook (already checked by [`check_package`]) and starts streaming its
    /// first sheet.
    pub fn open(path: &Path, limits: ReadLimits, budget: Budget) -> Result<SheetRows, SheetFailure> {
        use calamine::Reader;
        let workbook: calamine::Xlsx<BufReader<File>> = calamine::open_workbook(path)?;
        let sheet = workbook.sheet_names().first().cloned().ok_or(SheetFailure::NoSheet)?;
        // A few rows in flight: enough to overlap parsing with validation, no more.
        let (tx, rx) = sync_channel(64);
        let stop = Arc::new(AtomicBool::new(false));
        let worker_stop = stop.clone();
        let worker = std::thread::Builder::new()
            .name("xlsx-rows".into())
            .spawn(move || {
                let mut workbook = workbook;
                let mut stream = Stream { tx, stop: worker_stop, limits, budget };
                let end = stream.run(&mut workbook, &sheet).map(|()| None);
                let _ = stream.tx.send(end);
            })
            .map_err(|e| SheetFailure::Xlsx(calamine::XlsxError::Io(e)))?;
        Ok(SheetRows { rx: Some(rx), stop, worker: Some(worker) })
    }

    /// The next non-blank row with its spreadsheet row number.
    pub fn next(&mut self) -> Result<Option<(u64, Vec<String>)>, SheetFailure> {
        let Some(rx) = &self.rx else { return Ok(None) };
        let message = rx.recv().unwrap_or(Err(SheetFailure::Stopped));
        if !matches!(message, Ok(Some(_))) {
            self.rx = None;
        }
        message
    }
}

impl Drop for SheetRows {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Hanging up first wakes a worker blocked on a full channel.
        self.rx = None;
        if let Some(w) = self.worker.take() {
            let _ = w.join();
        }
    }
}

/// The worker's side: cells in, rows out.
struct Stream {
    tx: SyncSender<RowMessage>,
    stop: Arc<AtomicBool>,
    limits: ReadLimits,
    budget: Budget,
}

impl Stream {
    /// Streams the sheet; `Ok` when done or when the reader went away.
    fn run(
        &mut self,
        workbook: &mut calamine::Xlsx<BufReader<File>>,
        sheet: &str,
    ) -> Result<(), SheetFailure> {
        let mut cells = workbook.worksheet_cells_reader(sheet)?;
        let mut row: Option<(u32, Vec<String>)> = None;
        let (mut count, mut rows) = (0u64, 0u64);
        while let Some(cell) = cells.next_cell()? {
            count += 1;
            let (r, c) = cell.get_position();
            let (row_no, column) = (u64::from(r) + 1, u64::from(c) + 1);
            self.limits.check(Limit::Cells, count, || Place::Row(row_no)).map_err(SheetFailure::Limit)?;
            if count.is_multiple_of(4096) {
                if self.stop.load(Ordering::Relaxed) {
                    return Ok(());
                }
                self.budget.check().map_err(SheetFailure::Cancelled)?;
            }
            if row.as_ref().is_some_and(|(at, _)| *at != r)
                && let Some(done) = row.take()
                && !self.emit(done, &mut rows)?
            {
                return Ok(());
            }
            if *cell.get_value() == calamine::DataRef::Empty {
                // Styled but empty: counted, never placed, whatever its column.
                continue;
            }
            self.limits
                .check(Limit::Columns, column, || Place::Cell { row: row_no, column })
                .map_err(SheetFailure::Limit)?;
            let text = super::render_cell(&calamine::Data::from(cell.get_value().clone()));
            self.limits
                .check(Limit::CellBytes, text.len() as u64, || Place::Cell { row: row_no, column })
                .map_err(SheetFailure::Limit)?;
            let (_, values) = row.get_or_insert_with(|| (r, Vec::new()));
            let at = c as usize;
            if values.len() <= at {
                values.resize(at + 1, String::new());
            }
            values[at] = text;
        }
        if let Some(done) = row.take() {
            self.emit(done, &mut rows)?;
        }
        Ok(())
    }

    /// Hands a row over; `false` when the reader went away.
    fn emit(&mut self, (r, values): (u32, Vec<String>), rows: &mut u64) -> Result<bool, SheetFailure> {
        *rows += 1;
        let row_no = u64::from(r) + 1;
        self.limits.check(Limit::Rows, *rows, || Place::Row(row_no)).map_err(SheetFailure::Limit)?;
        Ok(self.tx.send(Ok(Some((row_no, values)))).is_ok())
    }
}
