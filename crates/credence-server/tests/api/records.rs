//! Credit files through the API: JSON rows validated like a file, uploads, exports that
//! import back unchanged, scope and masking, and unsafe file names.

use super::*;

crate::on_both_databases!(
    records_imports_and_exports,
    records_imports_and_exports_on_postgres,
    records_checks
);

/// A raw request with a body of bytes.
fn upload(uri: &str, auth: &Auth, bytes: Vec<u8>) -> Request<Body> {
    auth.apply(Request::post(uri).header(header::CONTENT_TYPE, "application/octet-stream"))
        .body(Body::from(bytes))
        .unwrap()
}

/// The bytes of a response.
async fn bytes(f: &Fixture, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let response = app(f.state.clone()).oneshot(req).await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    (status, headers, response.into_body().collect().await.unwrap().to_bytes().to_vec())
}

async fn records_checks(f: &Fixture) {
    let risk = login(f, "risk").await;
    let audit = login(f, "audit").await;
    let (_, list, _) = call(f, get("/api/v1/customers?per_page=1", &risk)).await;
    let id = list["items"][0]["customer_id"].as_str().unwrap().to_owned();
    let (_, me, _) = call(f, get(&format!("/api/v1/customers/{id}/records/customers"), &risk)).await;
    let mut row = me[0].clone();
    // The same record again: unchanged; with a new name: updated (history kept).
    let (s, report, _) =
        call(f, post("/api/v1/records/customers", &risk, json!({ "rows": [row.clone()] }))).await;
    assert_eq!(s, StatusCode::OK, "{report}");
    assert_eq!((report["unchanged"].as_u64(), report["status"].as_str()), (Some(1), Some("committed")));
    row["name"] = json!("闽江新材料有限公司");
    let (_, report, _) =
        call(f, post("/api/v1/records/customers", &risk, json!({ "rows": [row.clone()] }))).await;
    assert_eq!(report["updated"], 1, "{report}");
    let history = with_store(f, |s| s.history(credence_records::Kind::Customers, &id).unwrap());
    assert_eq!(history.len(), 1);
    // A bad row: refused whole with the row, column and rule; nothing written.
    let mut bad = row.clone();
    bad["relationship_start"] = json!("2026-02-30");
    let (s, refused, _) = call(f, post("/api/v1/records/customers", &risk, json!({ "rows": [bad] }))).await;
    assert_eq!(
        (s, refused["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("rejected")),
        "{refused}"
    );
    let d = &refused["details"]["diagnostics"][0];
    assert_eq!((d["row"].as_u64(), d["column"].as_str()), (Some(2), Some("relationship_start")), "{d}");
    assert!(d["rule"]["code"].as_str().unwrap().starts_with('F'), "a format rule: {d}");
    let (s, b, _) = call(
        f,
        post(
            "/api/v1/records/customers",
            &risk,
            json!({ "rows": [{ "customer_id": "C9", "mood": "good" }] }),
        ),
    )
    .await;
    assert_eq!((s, b["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("rows[0].mood")));
    assert_eq!(
        call(f, post("/api/v1/records/customers", &audit, json!({ "rows": [row.clone()] }))).await.0,
        StatusCode::FORBIDDEN
    );
    // A scoped analyst cannot write a customer outside its line.
    let line = row["business_line"].as_str().unwrap();
    let other_line = if line == "machinery" { "services" } else { "machinery" };
    add(f, "elsewhere", "credit_analyst", &[other_line]);
    let elsewhere = login(f, "elsewhere").await;
    let (s, b, _) =
        call(f, post("/api/v1/records/customers", &elsewhere, json!({ "rows": [row.clone()] }))).await;
    let d = &b["details"]["diagnostics"][0];
    assert_eq!(
        (s, d["column"].as_str(), d["rule"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("customer_id"), Some("L16")),
        "{b}"
    );
    let mut placed = row.clone();
    placed["customer_id"] = json!("C9000001");
    placed["uscc"] = Value::Null;
    placed["registration_no"] = json!("REG-9000001");
    let (s, b, _) = call(f, post("/api/v1/records/customers", &elsewhere, json!({ "rows": [placed] }))).await;
    let d = &b["details"]["diagnostics"][0];
    assert_eq!(
        (s, d["column"].as_str(), d["rule"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("business_line"), Some("L16")),
        "a new customer outside the scope: {b}"
    );

    // Exports import back unchanged, as CSV and as xlsx.
    for format in ["csv", "xlsx"] {
        let (s, headers, file) =
            bytes(f, get(&format!("/api/v1/exports/invoices?format={format}"), &risk)).await;
        assert_eq!(s, StatusCode::OK);
        let rows: u64 = headers["x-record-count"].to_str().unwrap().parse().unwrap();
        assert!(rows > 0);
        let uri = format!("/api/v1/imports/invoices?filename=invoices.{format}");
        let (s, report, _) = call(f, upload(&uri, &risk, file)).await;
        assert_eq!(s, StatusCode::OK, "{report}");
        assert_eq!(
            (report["unchanged"].as_u64(), report["inserted"].as_u64()),
            (Some(rows), Some(0)),
            "{format}"
        );
        assert_eq!(report["file"], format!("invoices.{format}"), "the upload's name, not a temporary path");
    }
    // Unsafe or odd names are refused before anything is read.
    for name in ["..%2F..%2Fetc%2Fpasswd.csv", "a%2Fb.csv", "run.exe", "..csv", ""] {
        let (s, b, _) =
            call(f, upload(&format!("/api/v1/imports/invoices?filename={name}"), &risk, b"x".to_vec())).await;
        assert_eq!(
            (s, b["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("filename")),
            "{name}: {b}"
        );
    }
    let (s, b, _) = call(f, upload("/api/v1/imports/invoices?filename=i.csv", &risk, Vec::new())).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::BAD_REQUEST, Some("empty_body")));
    let (s, b, _) =
        call(f, upload("/api/v1/imports/invoices?filename=i.csv", &risk, b"not,a,header\n1,2,3\n".to_vec()))
            .await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("rejected")), "{b}");
    // A scoped caller may upload; its rows are held to its scope (see the scope tests),
    // and relationships, which join parties across lines, stay with the whole portfolio.
    assert_eq!(
        call(f, upload("/api/v1/imports/relationships?filename=r.csv", &elsewhere, b"x".to_vec())).await.0,
        StatusCode::FORBIDDEN
    );
    // Uploads may be larger than other bodies.
    let big = vec![b' '; 3 << 20];
    let (s, _, _) = call(f, upload("/api/v1/imports/invoices?filename=big.csv", &risk, big)).await;
    assert_ne!(s, StatusCode::PAYLOAD_TOO_LARGE);

    // Exports are masked for the auditor and cut to the caller's scope.
    let (_, _, open) = bytes(f, get("/api/v1/exports/customers", &risk)).await;
    let (_, _, masked) = bytes(f, get("/api/v1/exports/customers", &audit)).await;
    let column = |csv: &[u8], name: &str| -> Vec<String> {
        let mut r = csv::Reader::from_reader(csv);
        let i = r.headers().unwrap().iter().position(|h| h == name).unwrap();
        r.records().map(|x| x.unwrap()[i].to_owned()).collect()
    };
    let names = column(&open, "legal_representative");
    let hidden = column(&masked, "legal_representative");
    assert_eq!(names.len(), 300);
    for (n, h) in names.iter().zip(&hidden) {
        assert_eq!(*h, credence_server::access::mask_name(n));
    }
    let (_, _, mine) = bytes(f, get("/api/v1/exports/customers", &elsewhere)).await;
    let lines = column(&mine, "business_line");
    assert!(!lines.is_empty() && lines.iter().all(|l| l == other_line));
    let (s, _, _) = bytes(f, get("/api/v1/exports/statements", &login(f, "sales").await)).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "statements are financials");
    let (s, b, _) = call(f, get("/api/v1/exports/customers?format=pdf", &risk)).await;
    assert_eq!((s, b["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("format")));
    // Every write and export is in the audit log.
    let (_, log, _) = call(f, get("/api/v1/audit?action=records.", &audit)).await;
    let actions: Vec<&str> =
        log["records"].as_array().unwrap().iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert!(actions.iter().filter(|a| **a == "records.import").count() >= 4, "{actions:?}");
    assert!(actions.contains(&"records.export"));
}
