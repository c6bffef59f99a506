//! Credit files over the API (DATA-6): records created or updated as JSON, files
//! uploaded as an ERP would drop them, exports, and one customer's records of a kind.
//!
//! Everything written goes through the importer: the five levels of validation, one
//! transaction, idempotent upserts on natural keys. JSON rows are written to a temporary
//! CSV file and imported as one; an upload is kept in a temporary directory under a name
//! of our own (the client's file name is only shown in the report, never used as a path).

use std::collections::BTreeMap;

use axum::Extension;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use credence_records::{Kind, Record};
use serde::Deserialize;

use crate::ClientIp;
use crate::access::{Permission, mask_id_number, mask_name};
use crate::auth::Caller;
use crate::clock::now;
use crate::error::ApiError;
use crate::routes::catalogue::whole_portfolio;
use crate::routes::{Body, Params, audit, scoped_customer};
use crate::state::AppState;

fn kind_of(code: &str) -> Result<Kind, ApiError> {
    Kind::parse(code).ok_or_else(|| {
        let all: Vec<&str> = Kind::ALL.iter().map(|k| k.code()).collect();
        ApiError::not_found(format!("no record kind '{code}'; the kinds are {}", all.join(", ")))
    })
}

/// The permission reading records of a kind needs.
fn read_permission(kind: Kind) -> Permission {
    match kind {
        Kind::Statements => Permission::FinancialsRead,
        Kind::Invoices
        | Kind::Payments
        | Kind::CreditNotes
        | Kind::Orders
        | Kind::Milestones
        | Kind::Bills
        | Kind::BillPayments
        | Kind::Disconnections
        | Kind::HolderChanges => Permission::ReceivablesRead,
        Kind::Assessments => Permission::RatingRead,
        Kind::Customers | Kind::Events | Kind::Relationships | Kind::Accounts | Kind::MeterEvents => {
            Permission::CustomerRead
        }
    }
}

/// Relationships join parties into groups across business lines and units, so through the
/// API they are written by callers whose scope is the whole portfolio. (The store's own
/// rule for a scoped writer, both parties in scope, still applies to the CLI.)
fn relationships_need_whole_portfolio(kind: Kind, caller: &Caller) -> Result<(), ApiError> {
    if kind == Kind::Relationships {
        whole_portfolio(caller)?;
    }
    Ok(())
}

/// Imports a file for the caller and audits it; a rejected file is a 422 with the report.
fn import_and_audit(
    store: &mut credence_store::Store,
    caller: &Caller,
    ip: &str,
    kind: Kind,
    path: &std::path::Path,
    options: &credence_engine::ImportOptions,
) -> Result<credence_engine::ImportReport, ApiError> {
    let report = credence_engine::import_file(store, kind, path, options, &mut |_| {})?;
    if report.status == credence_engine::ImportStatus::Rejected {
        let message = format!(
            "{}: {} error(s) in {} row(s); nothing was written",
            report.file, report.errors, report.rows_read
        );
        let details = crate::routes::bodies::ImportReportBody::from(report);
        return Err(ApiError::Rejected {
            message,
            details: serde_json::to_value(&details).unwrap_or_default(),
        });
    }
    audit(
        store,
        caller,
        ip,
        "records.import",
        &format!("import:{}", report.import_id.unwrap_or_default()),
        serde_json::json!({
            "kind": kind.code(), "file": report.file, "rows": report.rows_read, "inserted": report.inserted,
            "updated": report.updated, "unchanged": report.unchanged, "rejected": report.rejected_rows,
        }),
    )?;
    Ok(report)
}

fn import_options(
    state: &AppState,
    caller: &Caller,
    name: &str,
    skip_invalid: bool,
    dir: &std::path::Path,
) -> credence_engine::ImportOptions {
    let mut o = credence_engine::ImportOptions::new(state.today(), now());
    // Checked row by row in the import's transaction: the stored record's customer, the
    // row's customer and a customer's new unit and line.
    o.scope = caller.scope.customer_scope();
    o.source_name = Some(name.to_owned());
    o.max_diagnostics = 1_000;
    o.limits = state.0.config.read_limits;
    // The import stops (and rolls back) when the request would have timed out, and, through
    // the handler's `cancel_on_drop` guard, as soon as the request is dropped.
    o.budget = credence_engine::Budget::lasting(state.0.config.request_timeout);
    if skip_invalid {
        o.invalid_rows = credence_engine::InvalidRows::Skip { rejects: dir.join("rejects.csv") };
    }
    o
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordRows {
    /// Records as field → value (the kind's English column names; numbers or text), at
    /// most 10,000. An existing natural key updates that record.
    #[schema(value_type = Vec<Object>)]
    pub rows: Vec<BTreeMap<String, serde_json::Value>>,
    /// Write the valid rows and report the others (default: any error writes nothing).
    #[serde(default)]
    pub skip_invalid: bool,
}

/// Creates or updates records of a kind, validated like an imported file (one
/// transaction; identical rows are unchanged). The customer of each row, of the stored
/// record it replaces and, for customers, the unit and line it is placed in must be in
/// the caller's scope (rule L16; an unknown or unseen customer is L06). A refused request is a 422 whose `details` is the import report with
/// each row's problems.
#[utoipa::path(
    post,
    path = "/api/v1/records/{kind}",
    tag = "records",
    params(("kind" = String, Path, description = "customers, statements, invoices, payments, credit_notes, orders, milestones, events, relationships or assessments")),
    request_body = RecordRows,
    responses((status = 200, body = crate::routes::bodies::ImportReportBody, description = "the import report"), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn write_rows(
    State(state): State<AppState>,
    caller: Caller,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Path(kind): Path<String>,
    Body(req): Body<RecordRows>,
) -> Result<Json<crate::routes::bodies::ImportReportBody>, ApiError> {
    caller.require(Permission::CustomerWrite)?;
    let kind = kind_of(&kind)?;
    if req.rows.is_empty() || req.rows.len() > 10_000 {
        return Err(ApiError::invalid("rows", "send 1–10,000 rows"));
    }
    let schema = kind.schema();
    for (i, row) in req.rows.iter().enumerate() {
        if let Some(unknown) = row.keys().find(|k| schema.index(k).is_none()) {
            return Err(ApiError::invalid(
                &format!("rows[{i}].{unknown}"),
                format!("{} have no field '{unknown}'", kind.code()),
            ));
        }
    }
    relationships_need_whole_portfolio(kind, &caller)?;
    let dir = tempfile::tempdir().map_err(|e| ApiError::failed("making a temporary directory", e))?;
    let path = dir.path().join("rows.csv");
    let cell = |v: Option<&serde_json::Value>| match v {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
    };
    {
        let mut w =
            csv::Writer::from_path(&path).map_err(|e| ApiError::failed("opening the rows file", e))?;
        let header: Vec<&str> = schema.fields.iter().map(|f| f.name).collect();
        w.write_record(&header).map_err(|e| ApiError::failed("writing the rows file", e))?;
        for row in &req.rows {
            w.write_record(header.iter().map(|h| cell(row.get(*h))))
                .map_err(|e| ApiError::failed("writing the rows file", e))?;
        }
        w.flush().map_err(|e| ApiError::failed("writing the rows file", e))?;
    }
    let options =
        import_options(&state, &caller, &format!("api:{}.csv", kind.code()), req.skip_invalid, dir.path());
    let stop = options.budget.cancel_on_drop();
    let written = state
        .writing(move |store, _| {
            let report = import_and_audit(store, &caller, &ip, kind, &path, &options)?;
            drop(dir);
            Ok(report)
        })
        .await;
    stop.disarm();
    written.map(|mut r| {
        r.rejects_file = None;
        crate::routes::bodies::body(r)
    })
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct UploadQuery {
    /// The file's name: its extension (`.csv` or `.xlsx`) tells the format; it is shown in
    /// the report and recorded with the import, never used as a path.
    pub filename: String,
    /// Write the valid rows and report the others.
    pub skip_invalid: Option<bool>,
}

/// Checks an upload's name: a plain file name with a CSV or xlsx extension.
pub(crate) fn upload_name(name: &str) -> Result<&str, ApiError> {
    let bad = |why: &str| ApiError::invalid("filename", format!("'{name}' {why}"));
    if name.is_empty() || name.chars().count() > 128 {
        return Err(bad("must be 1–128 characters"));
    }
    if name.contains(['/', '\\', '\0']) || name.contains("..") || name.chars().any(char::is_control) {
        return Err(bad("must be a plain file name (no directories, '..' or control characters)"));
    }
    let ext = std::path::Path::new(name).extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("csv" | "txt" | "xlsx") => Ok(name),
        _ => Err(bad("must end in .csv or .xlsx")),
    }
}

/// Uploads a file of one kind (the request body is the file: CSV in UTF-8, UTF-16 or GBK,
/// or xlsx) and imports it like `credence import`: validated on five levels, one
/// transaction, idempotent. Every row must be in the caller's scope, as for
/// `POST /api/v1/records/{kind}`. A refused file is a 422 whose `details` is the report.
#[utoipa::path(
    post,
    path = "/api/v1/imports/{kind}",
    tag = "records",
    params(("kind" = String, Path), UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = crate::routes::bodies::ImportReportBody, description = "the import report"), (status = 403, body = crate::error::ErrorBody), (status = 413, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Path(kind): Path<String>,
    Params(q): Params<UploadQuery>,
    body: Bytes,
) -> Result<Json<crate::routes::bodies::ImportReportBody>, ApiError> {
    caller.require(Permission::CustomerWrite)?;
    let kind = kind_of(&kind)?;
    relationships_need_whole_portfolio(kind, &caller)?;
    let name = upload_name(&q.filename)?.to_owned();
    if body.is_empty() {
        return Err(ApiError::bad_request("empty_body", "the request body is the file; it is empty", None));
    }
    let dir = tempfile::tempdir().map_err(|e| ApiError::failed("making a temporary directory", e))?;
    let ext = std::path::Path::new(&name)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("csv")
        .to_ascii_lowercase();
    let path = dir.path().join(format!("upload.{ext}"));
    std::fs::write(&path, &body).map_err(|e| ApiError::failed("writing the upload", e))?;
    let options = import_options(&state, &caller, &name, q.skip_invalid.unwrap_or(false), dir.path());
    let stop = options.budget.cancel_on_drop();
    let imported = state
        .writing(move |store, _| {
            let report = import_and_audit(store, &caller, &ip, kind, &path, &options)?;
            drop(dir);
            Ok(report)
        })
        .await;
    stop.disarm();
    imported.map(|mut r| {
        r.rejects_file = None;
        crate::routes::bodies::body(r)
    })
}

/// Masks the personal data in a record's cells for callers without `pii.read`.
pub(crate) fn mask_record(kind: Kind, record: &Record, cells: &mut [String]) {
    let schema = kind.schema();
    let at = |name: &str| schema.fields.iter().position(|f| f.name == name);
    let mut mask = |name: &str, f: fn(&str) -> String| {
        if let Some(i) = at(name)
            && !cells[i].is_empty()
        {
            cells[i] = f(&cells[i]);
        }
    };
    match kind {
        Kind::Customers => {
            mask("legal_representative", mask_name);
            if record.text("customer_type") == Some("individual") {
                mask("name", mask_name);
                mask("registration_no", mask_id_number);
                mask("uscc", mask_id_number);
            }
        }
        // A household is a person.
        Kind::Accounts if record.text("account_class") == Some("residential") => {
            mask("holder_name", mask_name);
            mask("holder_id_number", mask_id_number);
            mask("holder_phone", mask_id_number);
        }
        // Parties of relationships are often people: controllers, family, guarantors.
        Kind::Relationships => {
            mask("from_name", mask_name);
            mask("to_name", mask_name);
        }
        _ => {}
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    /// `csv` (default) or `xlsx`.
    pub format: Option<String>,
    /// Header language: `en` (default) or `zh`.
    pub lang: Option<String>,
}

/// Exports the records of a kind in the caller's scope (personal data masked without
/// `pii.read`), in the import format: an export imports back unchanged.
#[utoipa::path(
    get,
    path = "/api/v1/exports/{kind}",
    tag = "records",
    params(("kind" = String, Path), ExportQuery),
    responses((status = 200, description = "the file"), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn export(
    State(state): State<AppState>,
    caller: Caller,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Path(kind): Path<String>,
    Params(q): Params<ExportQuery>,
) -> Result<Response, ApiError> {
    let kind = kind_of(&kind)?;
    caller.require(read_permission(kind))?;
    if kind.schema().customer_column.is_none() {
        whole_portfolio(&caller)?;
    }
    let format = match q.format.as_deref() {
        None | Some("csv") => credence_records::Format::Csv,
        Some("xlsx") => credence_records::Format::Xlsx,
        Some(other) => return Err(ApiError::invalid("format", format!("'{other}' is not csv or xlsx"))),
    };
    let lang = match q.lang.as_deref() {
        None | Some("en") => credence_records::HeaderLanguage::English,
        Some("zh") => credence_records::HeaderLanguage::Chinese,
        Some(other) => return Err(ApiError::invalid("lang", format!("'{other}' is not en or zh"))),
    };
    let only = crate::routes::receivables::scoped_ids(&state, &caller).await?;
    let pii = caller.may(Permission::PiiRead);
    let file_name = format!("{}.{}", kind.code(), format.extension());
    let (bytes, rows) = state
        .with_store(move |store, _| {
            let dir = tempfile::tempdir().map_err(|e| ApiError::failed("making a temporary directory", e))?;
            let path = dir.path().join(format!("export.{}", format.extension()));
            let column = kind.schema().customer_column;
            let rows =
                credence_engine::export_selected(store, kind, &path, format, lang, &mut |record, cells| {
                    let in_scope = match (&only, column) {
                        (Some(ids), Some(c)) => record.text(c).is_some_and(|id| ids.contains(id)),
                        _ => true,
                    };
                    if in_scope && !pii {
                        mask_record(kind, record, cells);
                    }
                    in_scope
                })?;
            audit(
                store,
                &caller,
                &ip,
                "records.export",
                &format!("kind:{}", kind.code()),
                serde_json::json!({ "rows": rows, "masked": !pii }),
            )?;
            let bytes = std::fs::read(&path).map_err(|e| ApiError::failed("reading the export", e))?;
            Ok((bytes, rows))
        })
        .await?;
    let mut headers = HeaderMap::new();
    let content_type = match format {
        credence_records::Format::Csv => "text/csv; charset=utf-8",
        credence_records::Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    };
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    if let Ok(v) = HeaderValue::from_str(&rows.to_string()) {
        headers.insert("x-record-count", v);
    }
    Ok((headers, bytes).into_response())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CustomerRecordsQuery {
    /// At most this many (1–5,000, default 500), by natural key.
    pub limit: Option<u32>,
}

/// One customer's records of a kind (its statements, invoices, events, …) as field →
/// value, personal data masked without `pii.read`.
#[utoipa::path(
    get,
    path = "/api/v1/customers/{id}/records/{kind}",
    tag = "records",
    params(("id" = String, Path), ("kind" = String, Path), CustomerRecordsQuery),
    responses((status = 200, body = Vec<BTreeMap<String, String>>), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)),
    security(("session" = []), ("token" = []))
)]
pub async fn customer_records(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, kind)): Path<(String, String)>,
    Params(q): Params<CustomerRecordsQuery>,
) -> Result<Json<Vec<BTreeMap<String, String>>>, ApiError> {
    let kind = kind_of(&kind)?;
    caller.require(read_permission(kind))?;
    let limit = q.limit.unwrap_or(500);
    if !(1..=5_000).contains(&limit) {
        return Err(ApiError::invalid("limit", "must be 1–5,000"));
    }
    state
        .with_store(move |store, _| {
            scoped_customer(store, &caller, &id)?;
            let pii = caller.may(Permission::PiiRead);
            Ok(store
                .customer_records(kind, &id, limit)?
                .into_iter()
                .map(|r| {
                    let mut cells = r.to_cells();
                    if !pii {
                        mask_record(kind, &r, &mut cells);
                    }
                    kind.schema()
                        .fields
                        .iter()
                        .zip(cells)
                        .filter(|(_, v)| !v.is_empty())
                        .map(|(f, v)| (f.name.to_owned(), v))
                        .collect()
                })
                .collect())
        })
        .await
        .map(Json)
}

/// The routes of this area.
pub fn router() -> axum::Router<crate::state::AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/api/v1/customers/{id}/records/{kind}", get(customer_records))
        .route("/api/v1/records/{kind}", post(write_rows))
        .route(
            "/api/v1/imports/{kind}",
            post(upload).layer(axum::extract::DefaultBodyLimit::max(super::UPLOAD_LIMIT_BYTES)),
        )
        .route("/api/v1/exports/{kind}", get(export))
}
