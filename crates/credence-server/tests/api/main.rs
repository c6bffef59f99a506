//! The API in process (no socket) and over a real socket, on a 300-customer demo
//! portfolio rated as of 2026-09-30 (the server's business date): sign-in and CSRF,
//! tokens, the permission matrix at the edges, data scope in lists, aggregates and single
//! reads, masking of personal data, the audit chain, every area's endpoints, and bad input
//! of every kind. Scenarios that touch storage run on SQLite and, when PostgreSQL is
//! configured, on PostgreSQL too.

mod access;
mod approvals;
mod audit;
mod billing;
mod browser;
mod hardening;
mod matrix;
mod operations;
mod payloads;
mod portfolio;
mod records;
mod scope;
mod uploads;
mod work;

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
        &"t0".into(),
    )
    .unwrap();
    let catalogue = credence_engine::types::indicators::Catalogue::builtin();
    let model = credence_engine::types::rating::ScorecardModel::builtin();
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
    let mut config = ServerConfig::new(&db);
    config.as_of = Some(as_of);
    let state = AppState::open(config).unwrap();
    Fixture { _dir: dir, db, state, pg_schema }
}

/// Adds a utility billing portfolio of `accounts` to the fixture, grades it at the
/// demo's date with the shipped billing policy and routes the terms it asks for.
fn add_billing(f: &Fixture, accounts: usize) -> credence_engine::GradeRun {
    with_store(f, |store| {
        let as_of = chrono::NaiveDate::from_ymd_opt(2026, 9, 30).unwrap();
        let mut session = store
            .begin_import(credence_store::NewImportRun {
                kind: "demo".into(),
                source: "utility".into(),
                source_hash: String::new(),
                mode: "demo".into(),
                as_of: as_of.to_string(),
                started_at: "2026-09-30T07:00:00Z".into(),
            })
            .unwrap();
        let config = credence_demo::UtilityConfig { accounts, seed: 4, as_of };
        credence_demo::generate_utility(&config, &mut |r| session.insert_new(&r)).unwrap();
        session.commit(0, 0, &"2026-09-30T07:00:00Z".into()).unwrap();
        let policy = credence_engine::types::control::BillingPolicy::builtin();
        let options = credence_engine::GradeOptions {
            as_of,
            seed: 42,
            reuse_models: false,
            by: "setup".into(),
            now: "2026-09-30T08:00:00Z".into(),
        };
        let run = credence_engine::grade_accounts(store, &policy, &options).unwrap();
        credence_engine::decide_billing_terms(store, &policy, as_of, &"2026-09-30T08:30:00Z".into()).unwrap();
        run
    })
}

/// Writes records in one whole-portfolio import of the demo's date.
fn stage_records(f: &Fixture, records: &[credence_records::Record]) {
    with_store(f, |store| {
        let mut s = store
            .begin_import(credence_store::NewImportRun {
                kind: "load".into(),
                source: "test".into(),
                source_hash: String::new(),
                mode: "upsert".into(),
                as_of: "2026-09-30".into(),
                started_at: "2026-09-30T07:00:00Z".into(),
            })
            .unwrap();
        for r in records {
            s.stage(r).unwrap();
        }
        s.commit(0, 0, &"2026-09-30T07:00:00Z".into()).unwrap();
    });
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

/// A scenario as a test on SQLite and one on PostgreSQL (skipped without one).
macro_rules! on_both_databases {
    ($sqlite:ident, $postgres:ident, $scenario:path) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $sqlite() {
            $scenario(&crate::fixture()).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $postgres() {
            // Connections close on their own runtime: drop everything outside the async workers.
            if let Some(f) = crate::sync(crate::pg_fixture) {
                $scenario(&f).await;
                crate::sync(move || drop(f));
            }
        }
    };
}
pub(crate) use on_both_databases;

/// Adds a user with a role, business lines and hidden indicators.
fn add(f: &Fixture, name: &str, role: &str, lines: &[&str]) {
    let mut store = open_store(f);
    let u = NewUser {
        username: name.into(),
        display_name: name.into(),
        password: PASSWORD.into(),
        role: role.into(),
        org_unit: None,
        business_lines: lines.iter().map(|s| (*s).to_owned()).collect(),
        customers: vec![],
        hidden_indicators: vec![],
    };
    sync(|| add_user(&mut store, &u, &Actor::cli("setup")).unwrap());
    sync(move || drop(store));
}

/// Runs blocking store work for a scenario on either database.
fn with_store<T>(f: &Fixture, work: impl FnOnce(&mut credence_store::Store) -> T) -> T {
    sync(|| {
        let mut store = credence_store::Store::open(&f.db).unwrap();
        let out = work(&mut store);
        drop(store);
        out
    })
}

/// Waits for a run started through the API to finish; its status.
async fn finished_run(f: &Fixture, auth: &Auth, run: &str) -> String {
    for _ in 0..600 {
        let (_, runs, _) = call(f, get("/api/v1/runs", auth)).await;
        if let Some(r) = runs.as_array().unwrap().iter().find(|r| r["run"] == run)
            && let Some(s) = r["status"].as_str()
        {
            return s.to_owned();
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("run {run} did not finish");
}
