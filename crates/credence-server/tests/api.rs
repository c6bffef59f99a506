//! The API in process (no socket) and over a real socket, on a 300-customer demo
//! portfolio rated as of 2026-09-30: sign-in and CSRF, tokens, the permission matrix at
//! the edges, data scope in lists and single reads, masking of personal data, the audit
//! chain, and bad input of every kind.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use credence_server::accounts::{Actor, NewUser, add_user};
use credence_server::{AppState, ServerConfig, app};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

const PASSWORD: &str = "a long passphrase";

struct Fixture {
    _dir: tempfile::TempDir,
    db: String,
    state: AppState,
    /// (server URL, schema) of a PostgreSQL fixture, dropped afterwards.
    pg_schema: Option<(String, String)>,
}

impl Drop for Fixture {
    fn drop(&mut self) {
        if let Some((url, schema)) = &self.pg_schema {
            sync(|| {
                if let Ok(mut c) = postgres::Client::connect(url, postgres::NoTls) {
                    let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"));
                }
            });
        }
    }
}

/// Runs blocking database work from a test's async body (the PostgreSQL client runs a
/// runtime of its own, which may not start on an async worker thread).
fn sync<T>(f: impl FnOnce() -> T) -> T {
    tokio::task::block_in_place(f)
}

/// The store of a fixture, for setting up and checking behind the API.
fn open_store(f: &Fixture) -> credence_store::Store {
    sync(|| credence_store::Store::open(&f.db).unwrap())
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("api.db").to_str().unwrap().to_owned();
    fixture_at(dir, db, None)
}

/// The same fixture in a schema of its own on PostgreSQL (`CREDENCE_TEST_POSTGRES_URL`, or
/// the local server when `CI=true`); `None` (the test is skipped) without one.
fn pg_fixture() -> Option<Fixture> {
    let url = std::env::var("CREDENCE_TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty()).or_else(|| {
        (std::env::var("CI").as_deref() == Ok("true"))
            .then(|| "postgres://postgres@127.0.0.1:5432/test".to_owned())
    });
    let Some(url) = url else {
        use std::io::Write;
        let _ = writeln!(std::io::stderr(), "skipping PostgreSQL API test: set CREDENCE_TEST_POSTGRES_URL");
        return None;
    };
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
    let schema = format!("api_{}_{nanos}", std::process::id());
    let mut admin = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    admin.batch_execute(&format!("CREATE SCHEMA \"{schema}\"")).unwrap();
    drop(admin);
    let sep = if url.contains('?') { '&' } else { '?' };
    let db = format!("{url}{sep}options=-csearch_path%3D{schema}");
    Some(sync(|| fixture_at(tempfile::tempdir().unwrap(), db, Some((url, schema)))))
}

fn fixture_at(dir: tempfile::TempDir, db: String, pg_schema: Option<(String, String)>) -> Fixture {
    let mut store = credence_store::Store::open(&db).unwrap();
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 9, 30).unwrap();
    credence_engine::build_demo(
        &mut store,
        &credence_demo::DemoConfig { customers: 300, seed: 11, as_of },
        "t0",
    )
    .unwrap();
    let catalogue = credence_indicators::Catalogue::builtin();
    let model = credence_rating::ScorecardModel::builtin();
    let options = credence_engine::RateOptions::new(as_of, credence_engine::RateScope::All, "t1".into());
    credence_engine::rate_portfolio(&mut store, &catalogue, &model, &options).unwrap();
    let actor = Actor::cli("setup");
    let user = |name: &str, role: &str, lines: &[&str], hidden: &[&str]| NewUser {
        username: name.into(),
        display_name: name.into(),
        password: PASSWORD.into(),
        role: role.into(),
        org_unit: None,
        business_lines: lines.iter().map(|s| (*s).to_owned()).collect(),
        customers: Vec::new(),
        hidden_indicators: hidden.iter().map(|s| (*s).to_owned()).collect(),
    };
    for u in [
        user("admin", "system_admin", &[], &[]),
        user("risk", "risk_manager", &[], &[]),
        user("audit", "auditor", &[], &[]),
        user("sales", "account_manager", &[], &["dso"]),
        user("boss", "executive", &[], &[]),
    ] {
        add_user(&mut store, &u, &actor).unwrap();
    }
    let state = AppState::open(ServerConfig::new(&db)).unwrap();
    Fixture { _dir: dir, db, state, pg_schema }
}

/// A request's status and JSON body (or text as a JSON string).
async fn call(f: &Fixture, req: Request<Body>) -> (StatusCode, Value, axum::http::HeaderMap) {
    let response = app(f.state.clone()).oneshot(req).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let body = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
    (status, body, headers)
}

fn get(uri: &str, auth: &Auth) -> Request<Body> {
    auth.apply(Request::get(uri)).body(Body::empty()).unwrap()
}

fn post(uri: &str, auth: &Auth, body: Value) -> Request<Body> {
    auth.apply(Request::post(uri).header(header::CONTENT_TYPE, "application/json"))
        .body(Body::from(body.to_string()))
        .unwrap()
}

/// How a request authenticates.
enum Auth {
    None,
    Session { cookie: String, csrf: Option<String> },
    Token(String),
}

impl Auth {
    fn apply(&self, b: axum::http::request::Builder) -> axum::http::request::Builder {
        match self {
            Auth::None => b,
            Auth::Session { cookie, csrf } => {
                let b = b.header(header::COOKIE, cookie);
                match csrf {
                    Some(c) => b.header("x-csrf-token", c),
                    None => b,
                }
            }
            Auth::Token(t) => b.header(header::AUTHORIZATION, format!("Bearer {t}")),
        }
    }
}

async fn login(f: &Fixture, user: &str) -> Auth {
    let (status, body, headers) =
        call(f, post("/api/v1/session", &Auth::None, json!({ "username": user, "password": PASSWORD })))
            .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let set = headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().to_owned();
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict"), "{set}");
    let cookie = set.split(';').next().unwrap().to_owned();
    Auth::Session { cookie, csrf: Some(body["csrf_token"].as_str().unwrap().to_owned()) }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_sessions_csrf_and_throttling() {
    sign_in_checks(&fixture()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_roles_scope_and_masking_on_postgres() {
    // Connections close on their own runtime: drop everything outside the async workers.
    if let Some(f) = sync(pg_fixture) {
        sign_in_checks(&f).await;
        sync(move || drop(f));
    }
    if let Some(f) = sync(pg_fixture) {
        roles_checks(&f).await;
        sync(move || drop(f));
    }
}

async fn sign_in_checks(f: &Fixture) {
    let (s, body, headers) = call(f, get("/api/v1/me", &Auth::None)).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(body["code"], "unauthorized");
    assert_eq!(body["request_id"].as_str(), headers.get("x-request-id").unwrap().to_str().ok());
    let risk = login(f, "risk").await;
    let (s, me, _) = call(f, get("/api/v1/me", &risk)).await;
    assert_eq!(
        (s, me["role"].as_str(), me["role_zh"].as_str()),
        (StatusCode::OK, Some("risk_manager"), Some("风险经理"))
    );
    assert!(me["permissions"].as_array().unwrap().iter().any(|p| p == "rating.override"));
    // A change without the CSRF header is refused even with a valid session.
    let Auth::Session { cookie, .. } = &risk else { unreachable!() };
    let no_csrf = Auth::Session { cookie: cookie.clone(), csrf: None };
    let (s, body, _) =
        call(f, post("/api/v1/checks", &no_csrf, json!({ "customer_id": "C0000001", "amount": "1.00" })))
            .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    // Wrong passwords: refused, then locked after five.
    for _ in 0..5 {
        let (s, _, _) =
            call(f, post("/api/v1/session", &Auth::None, json!({ "username": "boss", "password": "nope" })))
                .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    let (s, body, _) =
        call(f, post("/api/v1/session", &Auth::None, json!({ "username": "boss", "password": PASSWORD })))
            .await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{body}");
    // Sign out ends the session.
    let req = risk.apply(Request::delete("/api/v1/session")).body(Body::empty()).unwrap();
    assert_eq!(call(f, req).await.0, StatusCode::NO_CONTENT);
    assert_eq!(call(f, get("/api/v1/me", &risk)).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roles_scope_and_masking() {
    roles_checks(&fixture()).await;
}

async fn roles_checks(f: &Fixture) {
    let risk = login(f, "risk").await;
    let sales = login(f, "sales").await;
    let audit = login(f, "audit").await;
    let admin = login(f, "admin").await;
    // The whole portfolio for the risk manager, one business line for a scoped user.
    let (_, all, _) = call(f, get("/api/v1/customers?per_page=5", &risk)).await;
    assert_eq!(all["total"], 300);
    assert_eq!(all["items"].as_array().unwrap().len(), 5);
    let first = all["items"][0]["customer_id"].as_str().unwrap().to_owned();
    let line = {
        let mut store = open_store(f);
        let line = sync(|| store.record(credence_records::Kind::Customers, &first).unwrap().unwrap())
            .text("business_line")
            .unwrap()
            .to_owned();
        sync(move || drop(store));
        line
    };
    {
        let mut store = open_store(f);
        let u = NewUser {
            username: "east".into(),
            display_name: "east".into(),
            password: PASSWORD.into(),
            role: "credit_analyst".into(),
            org_unit: None,
            business_lines: vec![line.clone()],
            customers: vec![],
            hidden_indicators: vec![],
        };
        sync(|| add_user(&mut store, &u, &Actor::cli("setup")).unwrap());
        sync(move || drop(store));
    }
    let east = login(f, "east").await;
    let (_, scoped, _) =
        call(f, get(&format!("/api/v1/customers?per_page=500&business_line={line}"), &risk)).await;
    let (_, mine, _) = call(f, get("/api/v1/customers?per_page=500", &east)).await;
    assert_eq!(mine["total"], scoped["total"], "the scoped list is exactly the line's customers");
    assert!(mine["items"].as_array().unwrap().iter().all(|c| c["business_line"] == line.as_str()));
    let outside = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(scoped["items"].as_array().unwrap())
        .find(|c| c["business_line"] != line.as_str());
    if let Some(o) = outside {
        let (s, _, _) =
            call(f, get(&format!("/api/v1/customers/{}", o["customer_id"].as_str().unwrap()), &east)).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "outside the scope is not found");
    }
    // Indicators: the account manager sees no financial indicator and not its hidden dso.
    let (s, page, _) = call(f, get(&format!("/api/v1/customers/{first}"), &sales)).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    let ids: Vec<&str> =
        page["indicators"].as_array().unwrap().iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert!(
        !ids.contains(&"current_ratio") && !ids.contains(&"dso") && ids.contains(&"overdue_rate"),
        "{ids:?}"
    );
    let (_, page, _) = call(f, get(&format!("/api/v1/customers/{first}"), &risk)).await;
    let ids: Vec<&str> =
        page["indicators"].as_array().unwrap().iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"current_ratio") && ids.contains(&"dso"));
    // Personal data: a legal representative's name is masked for the auditor.
    let (_, list, _) = call(f, get("/api/v1/customers?per_page=500", &risk)).await;
    let with_rep = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["customer_id"].as_str().unwrap().to_owned())
        .collect::<Vec<_>>();
    let mut store = open_store(f);
    let with_rep = sync(|| {
        with_rep.into_iter().find_map(|id| {
            let r = store.record(credence_records::Kind::Customers, &id).unwrap().unwrap();
            r.text("legal_representative").map(|n| (id, n.to_owned()))
        })
    });
    sync(move || drop(store));
    let (id, name) = with_rep.expect("the demo has legal representatives");
    let field = |page: &Value| {
        page["master"].as_array().unwrap().iter().find(|m| m["field"] == "legal_representative").unwrap()["value"].clone()
    };
    let (_, seen, _) = call(f, get(&format!("/api/v1/customers/{id}"), &risk)).await;
    assert_eq!(field(&seen), name.as_str());
    let (_, masked, _) = call(f, get(&format!("/api/v1/customers/{id}"), &audit)).await;
    let masked = field(&masked);
    assert_ne!(masked, name.as_str());
    assert!(masked.as_str().unwrap().ends_with('*'), "{masked}");
    // The matrix at its edges.
    let body = json!({ "grade": "BB", "reason": "parent guarantee", "approver": "li" });
    let uri = format!("/api/v1/customers/{first}/rating/override");
    assert_eq!(call(f, post(&uri, &sales, body.clone())).await.0, StatusCode::FORBIDDEN);
    assert_eq!(call(f, post(&uri, &audit, body.clone())).await.0, StatusCode::FORBIDDEN);
    assert_eq!(call(f, get("/api/v1/audit", &risk)).await.0, StatusCode::FORBIDDEN);
    assert_eq!(call(f, get("/api/v1/customers", &admin)).await.0, StatusCode::OK);
    assert_eq!(
        call(f, get(&format!("/api/v1/customers/{first}/ratings"), &admin)).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(call(f, get("/api/v1/users", &risk)).await.0, StatusCode::FORBIDDEN);
    let (s, users, _) = call(f, get("/api/v1/users", &admin)).await;
    assert_eq!((s, users.as_array().unwrap().len()), (StatusCode::OK, 6));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_are_audited_and_tampering_is_found() {
    let f = fixture();
    let risk = login(&f, "risk").await;
    let audit = login(&f, "audit").await;
    let (_, list, _) = call(&f, get("/api/v1/customers?per_page=1", &risk)).await;
    let id = list["items"][0]["customer_id"].as_str().unwrap().to_owned();
    let uri = format!("/api/v1/customers/{id}/rating/override");
    let (s, body, _) =
        call(&f, post(&uri, &risk, json!({ "grade": "C", "reason": "fraud found", "approver": "li" }))).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let (s, body, _) =
        call(&f, post(&uri, &risk, json!({ "grade": "C", "reason": "x", "approver": "risk" }))).await;
    assert_eq!((s, body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("approver")));
    let (s, page, _) = call(&f, get("/api/v1/audit?action=rating.", &audit)).await;
    assert_eq!(s, StatusCode::OK);
    let records = page["records"].as_array().unwrap();
    assert_eq!(records.len(), 1);
    let r = &records[0];
    assert_eq!(
        (r["actor"].as_str(), r["role"].as_str(), r["object"].as_str()),
        (Some("risk"), Some("risk_manager"), Some(format!("customer:{id}").as_str()))
    );
    assert!(r["summary"].as_str().unwrap().contains("\"after\":\"C\""), "{r}");
    assert!(!r["request_id"].as_str().unwrap().is_empty());
    let (_, v, _) = call(&f, get("/api/v1/audit/verify", &audit)).await;
    assert_eq!(v["status"], "intact");
    // Someone edits the record in the database directly.
    let seq = r["seq"].as_i64().unwrap();
    rusqlite_exec(&f.db, &format!("UPDATE audit_log SET actor = 'nobody' WHERE seq = {seq}"));
    let (_, v, _) = call(&f, get("/api/v1/audit/verify", &audit)).await;
    assert_eq!((v["status"].as_str(), v["seq"].as_i64()), (Some("broken"), Some(seq)));
}

/// Plays the intruder: SQL straight into the database file, behind the store's back.
fn rusqlite_exec(db: &str, sql: &str) {
    rusqlite::Connection::open(db).unwrap().execute_batch(sql).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_are_scoped_and_revocable() {
    let f = fixture();
    let admin = login(&f, "admin").await;
    let (s, created, _) = call(
        &f,
        post("/api/v1/tokens", &admin, json!({ "username": "risk", "name": "erp", "scopes": ["check.run"] })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    let token = Auth::Token(created["token"].as_str().unwrap().to_owned());
    let (_, list, _) = call(&f, get("/api/v1/customers?per_page=1", &login(&f, "risk").await)).await;
    let id = list["items"][0]["customer_id"].as_str().unwrap().to_owned();
    let (s, check, _) =
        call(&f, post("/api/v1/checks", &token, json!({ "customer_id": id, "amount": "1,000.00" }))).await;
    assert_eq!(s, StatusCode::OK, "{check}");
    assert!(check["result"]["steps"].as_array().is_some_and(|s| !s.is_empty()), "{check}");
    assert_eq!(
        call(&f, get("/api/v1/customers", &token)).await.0,
        StatusCode::FORBIDDEN,
        "outside the token's scope"
    );
    let (s, body, _) = call(
        &f,
        post(
            "/api/v1/tokens",
            &admin,
            json!({ "username": "sales", "name": "x", "scopes": ["rating.override"] }),
        ),
    )
    .await;
    assert_eq!((s, body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("scopes")));
    let revoke = format!("/api/v1/tokens/{}/revoke", created["id"]);
    assert_eq!(call(&f, post(&revoke, &admin, json!({}))).await.0, StatusCode::NO_CONTENT);
    let (s, body, _) =
        call(&f, post("/api/v1/checks", &token, json!({ "customer_id": id, "amount": "1.00" }))).await;
    assert_eq!((s, body["message"].as_str()), (StatusCode::UNAUTHORIZED, Some("the API token was revoked")));
    assert_eq!(
        call(&f, get("/api/v1/me", &Auth::Token("cr_nonsense".into()))).await.0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_a_clear_4xx_and_changes_nothing() {
    let f = fixture();
    let risk = login(&f, "risk").await;
    let raw = |body: &str| {
        risk.apply(Request::post("/api/v1/checks").header(header::CONTENT_TYPE, "application/json"))
            .body(Body::from(body.to_owned()))
            .unwrap()
    };
    let (s, b, _) = call(&f, raw("{\"customer_id\": ")).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::BAD_REQUEST, Some("malformed_json")));
    let (s, b, _) = call(&f, raw(r#"{"customer_id": 7, "amount": "1.00"}"#)).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_body")));
    let (s, b, _) = call(&f, raw(r#"{"customer_id": "C0000001", "amount": "1.00", "force": true}"#)).await;
    assert_eq!((s, b["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("force")));
    let (s, b, _) = call(&f, raw(r#"{"customer_id": "C0000001", "amount": "-5"}"#)).await;
    assert_eq!((s, b["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("amount")));
    let (s, b, _) =
        call(&f, raw(r#"{"customer_id": "C0000001'; DROP TABLE customers; --", "amount": "1.00"}"#)).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
    let huge = format!(r#"{{"customer_id": "{}", "amount": "1.00"}}"#, "x".repeat(2 << 20));
    let (s, b, _) = call(&f, raw(&huge)).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::PAYLOAD_TOO_LARGE, Some("too_large")));
    let plain = risk.apply(Request::post("/api/v1/checks")).body(Body::from("customer_id=C1")).unwrap();
    assert_eq!(call(&f, plain).await.0, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let (s, b, _) = call(&f, get("/api/v1/customers?page=0", &risk)).await;
    assert_eq!((s, b["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("page")));
    let (s, _, _) = call(&f, get("/api/v1/customers?colour=red", &risk)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, b, _) = call(&f, get("/api/v1/customers?q=%25%27%20OR%201%3D1%20--", &risk)).await;
    assert_eq!((s, b["total"].as_u64()), (StatusCode::OK, Some(0)), "SQL-looking text is only text");
    let (s, _, _) = call(&f, get("/api/v1/customers/..%2F..%2Fetc%2Fpasswd", &risk)).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, b, _) = call(&f, get("/api/v2/anything", &risk)).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
    // Nothing was written: the store holds the demo as it was, and no audit record.
    let mut store = credence_store::Store::open(&f.db).unwrap();
    assert_eq!(store.count(credence_records::Kind::Customers).unwrap(), 300);
    assert!(store.blocked_orders(None).unwrap().is_empty());
    let changes = store.audit_records(&credence_store::AuditFilter::default()).unwrap();
    assert!(changes.iter().all(|r| r.entry.action == "user.add" || r.entry.action == "session.login"));
}

/// Every route the router serves is in the OpenAPI document, and nothing else.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_matches_the_routes() {
    let f = fixture();
    let (s, doc, _) = call(&f, get("/api/openapi.json", &Auth::None)).await;
    assert_eq!(s, StatusCode::OK);
    let mut documented: Vec<String> = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.push(format!("{} {path}", method.to_uppercase()));
        }
    }
    documented.sort();
    let mut served = credence_server::routes_served();
    served.sort();
    assert_eq!(documented, served);
    // And every one of them is routed (not the fallback, not "method not allowed").
    for route in &served {
        let (method, path) = route.split_once(' ').unwrap();
        let uri = path.replace("{id}", "1").replace("{username}", "x").replace("{version}", "v");
        let req = Request::builder().method(method).uri(&uri).body(Body::empty()).unwrap();
        let (s, b, _) = call(&f, req).await;
        assert_ne!(s, StatusCode::METHOD_NOT_ALLOWED, "{route}");
        assert!(!b["message"].as_str().is_some_and(|m| m.starts_with("no such endpoint")), "{route}");
    }
    assert!(doc["components"]["securitySchemes"]["token"].is_object());
}

/// The same app over a real socket: health, metrics and a signed-in call.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_over_a_socket() {
    let f = fixture();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = f.state.clone();
    tokio::spawn(async move { credence_server::serve_on(state, listener).await });
    let http = move |request: String| {
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        use std::io::{Read, Write};
        stream.write_all(request.as_bytes()).unwrap();
        let mut out = String::new();
        stream.read_to_string(&mut out).unwrap();
        out
    };
    let answer = tokio::task::spawn_blocking(move || {
        let health = http("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".into());
        let body = json!({ "username": "risk", "password": PASSWORD }).to_string();
        let login = http(format!(
            "POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ));
        let metrics = http("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".into());
        (health, login, metrics)
    })
    .await
    .unwrap();
    assert!(answer.0.starts_with("HTTP/1.1 200") && answer.0.ends_with("ok"), "{}", answer.0);
    assert!(answer.1.starts_with("HTTP/1.1 200") && answer.1.contains("credence_session="), "{}", answer.1);
    assert!(
        answer.2.contains(
            "credence_http_requests_total{method=\"POST\",route=\"/api/v1/session\",status=\"200\"} 1"
        ),
        "{}",
        answer.2
    );
    // The client's address was recorded with the sign-in.
    let mut store = credence_store::Store::open(&f.db).unwrap();
    let logins = store
        .audit_records(&credence_store::AuditFilter {
            action: Some("session.login".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(logins.last().unwrap().entry.client_ip, "127.0.0.1");
}

/// Alerts in scope, a limit request decided along its route (and audited), and rows
/// scored with a registered model.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alerts_limit_decisions_and_model_scoring() {
    let f = fixture();
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 9, 30).unwrap();
    let dir = tempfile::tempdir().unwrap();
    {
        let mut store = credence_store::Store::open(&f.db).unwrap();
        let catalogue = credence_indicators::Catalogue::builtin();
        let pack = credence_warning::RulePack::builtin(&catalogue);
        let options = credence_engine::WarnOptions {
            as_of,
            scope: credence_engine::WarnScope::All,
            now: "2026-10-01T08:00:00Z".into(),
        };
        credence_engine::warn(&mut store, &pack, &options).unwrap();
        let policy = credence_control::CreditPolicy::builtin();
        credence_engine::apply_policy(&mut store, &policy, as_of, "2026-10-01T09:00:00Z").unwrap();
        let data = dir.path().join("p.csv");
        credence_engine::write_model_dataset(
            &mut store,
            &catalogue,
            chrono::NaiveDate::from_ymd_opt(2025, 9, 30).unwrap(),
            12,
            &data,
        )
        .unwrap();
        let expert = credence_rating::ScorecardModel::builtin();
        let spec = credence_model::TrainSpec {
            kind: credence_model::ModelKind::Scorecard,
            folds: 0,
            seed: 1,
            shapes: Default::default(),
            min_iv: 0.0,
            special_values: Default::default(),
            version: "2026-Q4-V2.0".into(),
            trained_at: "t".into(),
            source: "p.csv".into(),
            grades: credence_engine::model::grade_scale(&expert),
            calibrate: credence_model::Calibrate::None,
            stepwise: false,
            max_correlation: None,
        };
        let m = credence_engine::model::train_file(
            &data,
            "default_12m",
            None,
            &["customer_id".into()],
            &spec,
            &mut |_| {},
        )
        .unwrap();
        credence_engine::model::register_model(&mut store, &m, "risk", "t").unwrap();
    }
    let risk = login(&f, "risk").await;
    let boss = login(&f, "boss").await;
    let (s, alerts, _) = call(&f, get("/api/v1/alerts?level=red&limit=5", &risk)).await;
    assert_eq!(s, StatusCode::OK, "{alerts}");
    assert!(alerts.as_array().unwrap().iter().all(|a| a["level"] == "red" && a["status"] == "open"));
    assert_eq!(call(&f, get("/api/v1/alerts?level=purple", &risk)).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, pending, _) = call(&f, get("/api/v1/limit-requests", &boss)).await;
    let request = &pending.as_array().unwrap()[0];
    let id = request["id"].as_i64().unwrap();
    let route: Value = serde_json::from_str(request["route"].as_str().unwrap()).unwrap();
    let first = route[0]["role"].as_str().unwrap();
    let uri = format!("/api/v1/limit-requests/{id}/decision");
    let (s, b, _) =
        call(&f, post(&uri, &boss, json!({ "approve": true, "authority": "nobody", "comment": "ok" }))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    let (s, b, _) = call(
        &f,
        post(&uri, &boss, json!({ "approve": false, "authority": first, "comment": "collateral first" })),
    )
    .await;
    assert_eq!((s, b["status"]["status"].as_str()), (StatusCode::OK, Some("rejected")), "{b}");
    let (s, _, _) =
        call(&f, post(&uri, &boss, json!({ "approve": true, "authority": first, "comment": "again" }))).await;
    assert_eq!(s, StatusCode::CONFLICT, "decided once");
    let audit = login(&f, "audit").await;
    let (_, log, _) = call(&f, get("/api/v1/audit?action=limit.", &audit)).await;
    assert_eq!(log["records"][0]["object"], format!("limit_request:{id}"));

    let (s, models, _) = call(&f, get("/api/v1/models", &risk)).await;
    assert_eq!((s, models[0]["version"].as_str()), (StatusCode::OK, Some("2026-Q4-V2.0")));
    let uri = "/api/v1/models/2026-Q4-V2.0/score";
    let rows = json!({ "rows": [{ "overdue_rate": 40.0, "days_beyond_terms": 60, "industry": "C" }, { "overdue_rate": 0.0, "days_beyond_terms": 0 }], "explain": 2 });
    let (s, scored, _) = call(&f, post(uri, &risk, rows)).await;
    assert_eq!(s, StatusCode::OK, "{scored}");
    // The same PDs as the library gives for the same rows.
    let model = {
        let mut store = credence_store::Store::open(&f.db).unwrap();
        credence_model::ModelFile::from_json(&store.model("2026-Q4-V2.0").unwrap().unwrap().artefact).unwrap()
    };
    let names: Vec<String> = model.features.iter().map(|f| f.name().to_owned()).collect();
    let mut reader = credence_model::SchemaReader::new(&model.features, &names).unwrap();
    for (overdue, days, industry) in [("40", "60", "C"), ("0", "0", "")] {
        let cells: Vec<String> = names
            .iter()
            .map(|n| match n.as_str() {
                "overdue_rate" => overdue.to_owned(),
                "days_beyond_terms" => days.to_owned(),
                "industry" => industry.to_owned(),
                _ => String::new(),
            })
            .collect();
        reader.push(&cells);
    }
    let expected = credence_model::score_table(&model, &reader.take(), 2).unwrap();
    for (k, e) in expected.iter().enumerate() {
        assert_eq!(scored[k]["pd"].as_f64(), Some(e.pd), "{scored}");
        assert_eq!(scored[k]["grade"].as_str(), Some(e.grade.as_str()));
        assert_eq!(scored[k]["reasons"].as_array().unwrap().len(), e.reasons.len());
    }
    let (s, b, _) = call(&f, post(uri, &risk, json!({ "rows": [{ "favourite_colour": "red" }] }))).await;
    assert_eq!(
        (s, b["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("rows[0].favourite_colour"))
    );
    assert_eq!(call(&f, post(uri, &boss, json!({ "rows": [{}] }))).await.0, StatusCode::FORBIDDEN);
}
