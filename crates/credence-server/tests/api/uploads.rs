//! Hostile uploads: workbooks that lie about their size and CSV cells of megabytes are
//! refused with the limit they went beyond (422 `limit_exceeded`) and change nothing; an upload whose
//! request times out stops importing and writes nothing.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use super::*;

crate::on_both_databases!(
    hostile_uploads_are_refused,
    hostile_uploads_are_refused_on_postgres,
    hostile_uploads
);

fn upload(uri: &str, auth: &Auth, bytes: Vec<u8>) -> Request<Body> {
    auth.apply(Request::post(uri).header(header::CONTENT_TYPE, "application/octet-stream"))
        .body(Body::from(bytes))
        .unwrap()
}

/// The workbook with one part's text changed by `edit`.
fn patch(xlsx: &[u8], part: &str, edit: impl Fn(String) -> String) -> Vec<u8> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        let name = entry.name().unwrap().into_owned();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        if name == part {
            bytes = edit(String::from_utf8(bytes).unwrap()).into_bytes();
        }
        out.start_file(name.as_str(), zip::write::SimpleFileOptions::default()).unwrap();
        out.write_all(&bytes).unwrap();
    }
    out.finish().unwrap().into_inner()
}

const SHEET: &str = "xl/worksheets/sheet1.xml";

/// Import runs recorded so far.
fn runs(f: &Fixture) -> usize {
    with_store(f, |s| s.import_runs(1_000).unwrap().len())
}

async fn hostile_uploads(f: &Fixture) {
    let risk = login(f, "risk").await;
    let response =
        app(f.state.clone()).oneshot(get("/api/v1/exports/invoices?format=xlsx", &risk)).await.unwrap();
    let rows: u64 = response.headers()["x-record-count"].to_str().unwrap().parse().unwrap();
    let book = response.into_body().collect().await.unwrap().to_bytes().to_vec();
    let before = runs(f);

    // A sheet claiming every cell Excel has is read by the cells it holds.
    let claims = patch(&book, SHEET, |xml| {
        let start = xml.find("<dimension ref=\"").unwrap() + "<dimension ref=\"".len();
        let end = start + xml[start..].find('"').unwrap();
        format!("{}A1:XFD1048576{}", &xml[..start], &xml[end..])
    });
    let (s, report, _) =
        call(f, upload("/api/v1/imports/invoices?filename=claims.xlsx", &risk, claims)).await;
    assert_eq!((s, report["unchanged"].as_u64()), (StatusCode::OK, Some(rows)), "{report}");
    let before = before + 1;
    assert_eq!(runs(f), before);

    // A value in the sheet's far corner, a part declaring 3 GiB, a CSV cell of 4 MiB.
    let corner = patch(&book, SHEET, |xml| {
        xml.replace(
            "</sheetData>",
            r#"<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>"#,
        )
    });
    let mut declared = book.clone();
    let at = declared.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
    declared[at + 24..at + 28].copy_from_slice(&(3u32 << 30).to_le_bytes());
    let mut long = b"invoice_no,customer_id,issue_date,due_date,amount,currency\nI1,".to_vec();
    long.extend(std::iter::repeat_n(b'a', 4 << 20));
    for (name, bytes, limit) in [
        ("corner.xlsx", corner, "max-columns = 512"),
        ("declared.xlsx", declared, "max-decompressed-bytes = 2147483648"),
        ("long.csv", long, "max-cell-bytes = 65536"),
    ] {
        let (s, b, _) =
            call(f, upload(&format!("/api/v1/imports/invoices?filename={name}"), &risk, bytes)).await;
        assert_eq!(
            (s, b["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("limit_exceeded")),
            "{name}: {b}"
        );
        let message = b["message"].as_str().unwrap();
        assert!(message.starts_with(name) && message.contains(limit), "{message}");
        assert!(
            message.ends_with(&format!("raise it with --{}", limit.split(' ').next().unwrap())),
            "{message}"
        );
    }
    assert_eq!(runs(f), before, "refused files record no import");
}

/// Whether a write transaction holds the SQLite database.
fn write_locked(db: &str) -> bool {
    let c = rusqlite::Connection::open(db).unwrap();
    c.busy_timeout(Duration::ZERO).unwrap();
    match c.execute_batch("BEGIN IMMEDIATE; ROLLBACK;") {
        Ok(()) => false,
        Err(_) => true,
    }
}

/// The request times out while the import runs on its blocking thread: the import stops
/// at its next row and rolls back, instead of committing after the client was told 408.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_that_times_out_stops_and_writes_nothing() {
    let f = fixture();
    let risk = login(&f, "risk").await;
    let (_, list, _) = call(&f, get("/api/v1/customers?per_page=1", &risk)).await;
    let customer = list["items"][0]["customer_id"].as_str().unwrap().to_owned();
    let mut csv = String::from("invoice_no,customer_id,issue_date,due_date,amount,currency\n");
    for i in 0..150_000 {
        csv.push_str(&format!("T{i},{customer},2026-08-15,2026-10-14,100.00,CNY\n"));
    }
    let before = runs(&f);
    let mut config = ServerConfig::new(&f.db);
    config.as_of = f.state.0.config.as_of;
    config.request_timeout = Duration::from_millis(500);
    let hurried = sync(|| AppState::open(config).unwrap());
    let req = upload("/api/v1/imports/invoices?filename=many.csv", &risk, csv.into_bytes());
    let response = app(hurried).oneshot(req).await.unwrap();
    assert_eq!(response.status(), StatusCode::REQUEST_TIMEOUT);
    // Wait for the import to take the write lock (if it got that far) and to let it go.
    let db = f.db.clone();
    sync(|| {
        let started = Instant::now();
        while !write_locked(&db) && started.elapsed() < Duration::from_secs(3) {
            std::thread::sleep(Duration::from_millis(20));
        }
        let started = Instant::now();
        while write_locked(&db) {
            assert!(started.elapsed() < Duration::from_secs(300), "the import never ended");
            std::thread::sleep(Duration::from_millis(50));
        }
    });
    assert_eq!(runs(&f), before, "no import was recorded");
    assert!(with_store(&f, |s| s.record(credence_records::Kind::Invoices, "T0").unwrap()).is_none());
}
