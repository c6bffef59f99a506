//! The permission matrix, generated from the OpenAPI document: every operation the
//! server describes is called by every role, once with the whole portfolio in scope and
//! once with a scope that admits no customer, and without credentials. A role without the
//! operation's permissions gets 403; no one gets in without credentials; a caller whose
//! scope excludes the customer an operation targets is refused; and no refused call
//! changes stored data. An operation without an entry in [`REQUIREMENTS`] fails the test,
//! so a new route cannot be added without deciding who may call it.
//!
//! Requests are generated from the document: path parameters from their names, JSON
//! bodies from the request schema (required properties, the first value of each enum,
//! dates where the format says so, the target customer wherever a `customer_id` is asked
//! for), unless an entry gives a body of its own.

use std::collections::BTreeMap;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use credence_server::access::{Permission, Role, allows};
use credence_server::accounts::{Actor, NewUser, Requester, TokenRequest, add_user, create_token};
use serde_json::{Value, json};

use crate::{Auth, call, fixture, get, with_store};

/// Who may call an operation.
enum Needs {
    /// Anyone, without credentials.
    Public,
    /// Any signed-in caller.
    SignedIn,
    /// Every one of these permissions.
    All(&'static [Permission]),
    /// At least one of these permissions.
    Any(&'static [Permission]),
}

use Needs::*;
use Permission as P;

/// Each operation: method, path, who may call it, whether it targets one customer (whose
/// scope is then checked), and a body when the generated one would not reach the check.
const REQUIREMENTS: &[(&str, &str, Needs, bool, Option<&str>)] = &[
    ("GET", "/healthz", Public, false, None),
    ("GET", "/readyz", Public, false, None),
    ("GET", "/metrics", Public, false, None),
    ("GET", "/api/openapi.json", Public, false, None),
    ("POST", "/api/v1/session", Public, false, None),
    ("DELETE", "/api/v1/session", SignedIn, false, None),
    ("GET", "/api/v1/me", SignedIn, false, None),
    ("GET", "/api/v1/customers", All(&[P::CustomerRead]), false, None),
    ("GET", "/api/v1/customers/{id}", All(&[P::CustomerRead]), true, None),
    ("GET", "/api/v1/customers/{id}/ratings", All(&[P::RatingRead]), true, None),
    ("POST", "/api/v1/customers/{id}/rating/override", All(&[P::RatingOverride]), true, None),
    ("GET", "/api/v1/customers/{id}/standing", All(&[P::RatingRead]), true, None),
    ("POST", "/api/v1/checks", All(&[P::CheckRun]), true, None),
    ("GET", "/api/v1/audit", All(&[P::AuditRead]), false, None),
    ("GET", "/api/v1/audit/verify", All(&[P::AuditRead]), false, None),
    ("GET", "/api/v1/audit/export", All(&[P::AuditRead]), false, None),
    ("GET", "/api/v1/users", Any(&[P::UserManage, P::AccessManage]), false, None),
    ("POST", "/api/v1/users/{username}/enable", All(&[P::UserManage]), false, None),
    ("POST", "/api/v1/users/{username}/access", All(&[P::AccessManage]), false, None),
    ("POST", "/api/v1/users/{username}/authorities", All(&[P::AccessManage]), false, None),
    ("DELETE", "/api/v1/users/{username}/authorities/{authority}", All(&[P::AccessManage]), false, None),
    ("GET", "/api/v1/tokens", SignedIn, false, None),
    ("GET", "/api/v1/rating-overrides", All(&[P::RatingRead]), false, None),
    ("POST", "/api/v1/rating-overrides/{id}/decision", All(&[P::RatingApprove]), false, None),
    ("POST", "/api/v1/users", All(&[P::UserManage]), false, None),
    ("POST", "/api/v1/users/{username}/disable", All(&[P::UserManage]), false, None),
    ("POST", "/api/v1/tokens", SignedIn, false, None),
    ("POST", "/api/v1/tokens/{id}/revoke", SignedIn, false, None),
    ("GET", "/api/v1/alerts", All(&[P::AlertRead]), false, None),
    ("GET", "/api/v1/limit-requests", All(&[P::PolicyRead]), false, None),
    ("POST", "/api/v1/limit-requests/{id}/decision", All(&[P::LimitDecide]), false, None),
    ("GET", "/api/v1/models", All(&[P::ModelRead]), false, None),
    ("GET", "/api/v1/models/{version}", All(&[P::ModelRead]), false, None),
    ("POST", "/api/v1/models/{version}/score", All(&[P::ModelScore]), false, None),
    ("GET", "/api/v1/alerts/{id}", All(&[P::AlertRead]), false, None),
    ("GET", "/api/v1/cases", All(&[P::AlertRead]), false, None),
    ("GET", "/api/v1/cases/{id}", All(&[P::AlertRead]), false, None),
    ("POST", "/api/v1/cases/{id}/changes", All(&[P::CaseWrite]), false, None),
    ("GET", "/api/v1/repair-plans", All(&[P::AlertRead]), false, None),
    ("POST", "/api/v1/repair-plans", All(&[P::CaseWrite]), true, None),
    ("POST", "/api/v1/repair-plans/{id}/changes", All(&[P::CaseWrite]), false, None),
    ("GET", "/api/v1/portfolio", All(&[P::PortfolioRead]), false, None),
    ("GET", "/api/v1/portfolio/positions", All(&[P::PortfolioRead, P::RatingRead]), false, None),
    ("GET", "/api/v1/indicators", All(&[P::CustomerRead]), false, None),
    ("GET", "/api/v1/rules", All(&[P::AlertRead]), false, None),
    ("GET", "/api/v1/rules/performance", All(&[P::ModelRead]), false, None),
    ("POST", "/api/v1/runs", All(&[P::RatingRun]), false, Some(r#"{"kind":"rating","scope":"changed"}"#)),
    ("GET", "/api/v1/runs", All(&[P::PortfolioRead]), false, None),
    ("GET", "/api/v1/jobs", All(&[P::PortfolioRead]), false, None),
    ("GET", "/api/v1/rating-runs", All(&[P::RatingRead]), false, None),
    ("GET", "/api/v1/rating-runs/{id}/performance", All(&[P::RatingRead, P::PortfolioRead]), false, None),
    ("GET", "/api/v1/rating-runs/{id}/migration", All(&[P::RatingRead, P::PortfolioRead]), false, None),
    ("GET", "/api/v1/groups", All(&[P::GroupRead]), false, None),
    ("GET", "/api/v1/groups/{id}", All(&[P::GroupRead]), false, None),
    ("GET", "/api/v1/customers/{id}/relations", All(&[P::CustomerRead]), true, None),
    ("GET", "/api/v1/customers/{id}/receivables", All(&[P::ReceivablesRead]), true, None),
    ("GET", "/api/v1/customers/{id}/records/{kind}", All(&[P::ReceivablesRead]), true, None),
    ("POST", "/api/v1/customers/{id}/temporary-limit", All(&[P::LimitRequest]), true, None),
    ("GET", "/api/v1/aging", All(&[P::ReceivablesRead]), false, None),
    ("GET", "/api/v1/worklist", All(&[P::ReceivablesRead]), false, None),
    ("POST", "/api/v1/collections/actions", All(&[P::CollectionWrite]), true, None),
    ("POST", "/api/v1/collections/promises", All(&[P::CollectionWrite]), true, None),
    ("GET", "/api/v1/disputes", All(&[P::ReceivablesRead]), false, None),
    ("POST", "/api/v1/disputes", All(&[P::CollectionWrite]), true, None),
    ("POST", "/api/v1/disputes/{id}/resolve", All(&[P::CollectionWrite]), false, None),
    ("GET", "/api/v1/blocked-orders", All(&[P::ReceivablesRead]), false, None),
    ("POST", "/api/v1/blocked-orders/{id}/decision", All(&[P::OrderDecide]), false, None),
    ("POST", "/api/v1/records/{kind}", All(&[P::CustomerWrite]), true, None),
    ("POST", "/api/v1/imports/{kind}", All(&[P::CustomerWrite]), false, None),
    ("GET", "/api/v1/exports/{kind}", All(&[P::ReceivablesRead]), false, None),
    ("GET", "/api/v1/billing/grading", All(&[P::PortfolioRead]), false, None),
    ("GET", "/api/v1/billing/reconnections", All(&[P::PortfolioRead]), false, None),
    ("GET", "/api/v1/billing/grades", All(&[P::PortfolioRead]), false, None),
    ("GET", "/api/v1/billing/accounts/{id}", All(&[P::ReceivablesRead]), false, None),
    ("GET", "/api/v1/billing/requests", All(&[P::PolicyRead]), false, None),
    ("POST", "/api/v1/billing/requests/{id}/decision", All(&[P::LimitDecide]), false, None),
];

/// The customer every customer-targeting call is about.
const TARGET: &str = "C0000007";

/// A value of a schema: required properties only, enums' first values, dates by format.
fn sample(schema: &Value, doc: &Value, depth: usize) -> Value {
    if depth > 8 {
        return Value::Null;
    }
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap();
        return sample(&doc["components"]["schemas"][name], doc, depth + 1);
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(first) = schema
            .get(key)
            .and_then(Value::as_array)
            .and_then(|a| a.iter().find(|s| s.get("type").and_then(Value::as_str) != Some("null")))
        {
            return sample(first, doc, depth + 1);
        }
    }
    if let Some(e) = schema.get("enum").and_then(Value::as_array).and_then(|e| e.first()) {
        return e.clone();
    }
    let kind = match &schema["type"] {
        Value::String(t) => t.clone(),
        Value::Array(ts) => {
            ts.iter().filter_map(Value::as_str).find(|t| *t != "null").unwrap_or("null").into()
        }
        _ => "object".into(),
    };
    match kind.as_str() {
        "string" => match schema.get("format").and_then(Value::as_str) {
            Some("date") => json!("2026-09-30"),
            Some("date-time") => json!("2026-09-30T00:00:00Z"),
            _ => json!("1"),
        },
        "integer" => json!(1),
        "number" => json!(1.0),
        "boolean" => json!(true),
        "array" => json!([]),
        "null" => Value::Null,
        _ => {
            let mut out = serde_json::Map::new();
            let required: Vec<&str> = schema
                .get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                for (name, s) in props {
                    if name == "customer_id" {
                        out.insert(name.clone(), json!(TARGET));
                    } else if required.contains(&name.as_str()) {
                        out.insert(name.clone(), sample(s, doc, depth + 1));
                    }
                }
            }
            Value::Object(out)
        }
    }
}

/// The request for an operation, by `auth`.
fn request(
    method: &str,
    path: &str,
    op: &Value,
    doc: &Value,
    body: Option<&str>,
    auth: &Auth,
) -> Request<Body> {
    let uri = path
        .replace("/customers/{id}", &format!("/customers/{TARGET}"))
        .replace("/tokens/{id}", "/tokens/999999")
        .replace("{id}", "1")
        .replace("{kind}", "invoices")
        .replace("{username}", "nobody")
        .replace("{authority}", "cfo")
        .replace("{version}", "v1");
    // Required query parameters, sampled like bodies.
    let query: Vec<String> = op["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["in"] == "query" && p["required"] == true)
        .map(|p| {
            let v = sample(&p["schema"], doc, 0);
            format!(
                "{}={}",
                p["name"].as_str().unwrap(),
                v.as_str().map_or_else(|| v.to_string(), str::to_owned)
            )
        })
        .collect();
    let uri = if query.is_empty() { uri } else { format!("{uri}?{}", query.join("&")) };
    let builder = auth.apply(Request::builder().method(method).uri(&uri));
    let schema = &op["requestBody"]["content"];
    if let Some(text) = body {
        return builder
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(text.to_owned()))
            .unwrap();
    }
    if let Some(json_schema) = schema.get("application/json").map(|c| &c["schema"]) {
        let value = sample(json_schema, doc, 0);
        return builder
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(value.to_string()))
            .unwrap();
    }
    if schema.get("application/octet-stream").is_some() {
        return builder.body(Body::from("customer_id\n")).unwrap();
    }
    builder.body(Body::empty()).unwrap()
}

/// A digest of everything stored that a refused call must leave alone: every table but
/// the sign-in and session bookkeeping and the audit log (refusals are recorded there),
/// in full for small tables and by count and highest row id for the large ones.
fn fingerprint(db: &str) -> BTreeMap<String, String> {
    let c = rusqlite::Connection::open(db).unwrap();
    let tables: Vec<String> = c
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut out = BTreeMap::new();
    for t in tables {
        if matches!(t.as_str(), "sessions" | "login_attempts" | "audit_log" | "audit_head" | "api_tokens")
            || t.starts_with("sqlite_")
        {
            continue;
        }
        let (n, max): (i64, Option<i64>) = c
            .query_row(&format!("SELECT COUNT(*), MAX(rowid) FROM \"{t}\""), [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap_or((0, None));
        let mut digest = format!("{n}/{max:?}");
        if n <= 5_000 {
            let mut st = c.prepare(&format!("SELECT * FROM \"{t}\"")).unwrap();
            let columns = st.column_count();
            let mut rows = st.query([]).unwrap();
            let mut all = String::new();
            while let Some(r) = rows.next().unwrap() {
                for i in 0..columns {
                    let v: rusqlite::types::Value = r.get(i).unwrap();
                    all.push_str(&format!("{v:?}|"));
                }
                all.push('\n');
            }
            digest.push_str(&credence_server::auth::sha256_hex(&all));
        }
        out.insert(t, digest);
    }
    // Tokens: everything but when each was last used.
    let mut st = c.prepare("SELECT id, user_id, name, token_hash, scopes, expires_at, revoked_at FROM api_tokens ORDER BY id").unwrap();
    let tokens: Vec<String> = st
        .query_map([], |r| {
            let v: Vec<rusqlite::types::Value> = (0..7).map(|i| r.get(i)).collect::<Result<_, _>>()?;
            Ok(format!("{v:?}"))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    out.insert("api_tokens".into(), tokens.join("\n"));
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_is_refused_to_every_role_without_its_permission() {
    let f = fixture();
    let (_, doc, _) = call(&f, get("/api/openapi.json", &Auth::None)).await;
    // One token per role, whole portfolio and no customer at all.
    let mut callers: Vec<(Role, bool, Auth)> = Vec::new();
    with_store(&f, |store| {
        for role in Role::ALL {
            for narrow in [false, true] {
                let name = format!("m_{}{}", role.code(), if narrow { "_narrow" } else { "" });
                let user = NewUser {
                    username: name.clone(),
                    display_name: name.clone(),
                    password: "a long passphrase".into(),
                    role: role.code().into(),
                    org_unit: None,
                    business_lines: if narrow { vec!["no-such-line".into()] } else { vec![] },
                    customers: vec![],
                    hidden_indicators: vec![],
                };
                add_user(store, &user, &Actor::cli("setup")).unwrap();
                let request = TokenRequest {
                    username: &name,
                    name: "matrix",
                    scopes: &[],
                    expires_at: None,
                    max_days: 90,
                };
                let (_, token, _) =
                    create_token(store, &request, &Requester::Operator, &Actor::cli("setup")).unwrap();
                callers.push((role, narrow, Auth::Token(token)));
            }
        }
    });
    let mut failures = Vec::new();
    let mut described = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let method = method.to_uppercase();
            described.push(format!("{method} {path}"));
            let Some((_, _, needs, targets, body)) =
                REQUIREMENTS.iter().find(|(m, p, ..)| *m == method && p == path)
            else {
                failures.push(format!("{method} {path}: no entry in the permission matrix test"));
                continue;
            };
            let (perms, any): (&[Permission], bool) = match needs {
                Public => continue,
                SignedIn => (&[], false),
                All(p) => (p, false),
                Any(p) => (p, true),
            };
            let permitted = |role: &Role| {
                if any {
                    perms.iter().any(|p| allows(*role, *p))
                } else {
                    perms.iter().all(|p| allows(*role, *p))
                }
            };
            let (status, _, _) = call(&f, request(&method, path, op, &doc, *body, &Auth::None)).await;
            if status != StatusCode::UNAUTHORIZED {
                failures.push(format!("{method} {path} without credentials: {status}"));
            }
            // Refused callers first, so one digest of the store serves as the "before" of
            // the next refusal until an allowed call may have changed it.
            let refused =
                |role: &Role, narrow: bool| !perms.iter().all(|p| allows(*role, *p)) || narrow && *targets;
            let mut order: Vec<&(Role, bool, Auth)> = callers.iter().collect();
            order.sort_by_key(|(role, narrow, _)| !refused(role, *narrow));
            let mut last = None;
            for (role, narrow, auth) in order {
                let allowed = permitted(role);
                let check_store = refused(role, *narrow) && method != "GET";
                let before =
                    if check_store { Some(last.take().unwrap_or_else(|| fingerprint(&f.db))) } else { None };
                let (status, body_out, _) = call(&f, request(&method, path, op, &doc, *body, auth)).await;
                let who = format!(
                    "{method} {path} as {}{}",
                    role.code(),
                    if *narrow { " (no customer in scope)" } else { "" }
                );
                if !allowed {
                    if status != StatusCode::FORBIDDEN {
                        failures.push(format!("{who}: {status}, expected 403: {body_out}"));
                    }
                } else if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN && !*narrow {
                    failures.push(format!("{who}: {status}, expected the operation: {body_out}"));
                } else if status.is_server_error() {
                    failures.push(format!("{who}: {status}: {body_out}"));
                } else if *narrow && *targets && status.is_success() {
                    failures.push(format!("{who}: {status} for a customer outside the scope: {body_out}"));
                }
                if let Some(before) = before {
                    let after = fingerprint(&f.db);
                    for (table, digest) in &before {
                        if after.get(table) != Some(digest) {
                            failures.push(format!("{who}: refused, yet {table} changed"));
                        }
                    }
                    last = Some(after);
                }
            }
        }
    }
    for (m, p, ..) in REQUIREMENTS {
        if !described.contains(&format!("{m} {p}")) {
            failures.push(format!("{m} {p}: in the matrix but not in the OpenAPI document"));
        }
    }
    assert!(failures.is_empty(), "{} problems:\n{}", failures.len(), failures.join("\n"));
}
