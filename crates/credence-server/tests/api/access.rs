//! Sign-in, tokens, roles, scope, masking, audit, bad input and the OpenAPI document.

use super::*;

crate::on_both_databases!(sign_in_sessions_csrf_and_throttling, sign_in_on_postgres, sign_in_checks);

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

crate::on_both_databases!(roles_scope_and_masking, roles_scope_and_masking_on_postgres, roles_checks);

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
    let body = json!({ "grade": "BB", "reason": "parent guarantee", "approver": "boss" });
    let uri = format!("/api/v1/customers/{first}/rating/override");
    assert_eq!(call(f, post(&uri, &sales, body.clone())).await.0, StatusCode::FORBIDDEN);
    assert_eq!(call(f, post(&uri, &audit, body.clone())).await.0, StatusCode::FORBIDDEN);
    assert_eq!(call(f, get("/api/v1/audit", &risk)).await.0, StatusCode::FORBIDDEN);
    // The system administrator keeps accounts and reads no customer.
    assert_eq!(call(f, get("/api/v1/customers", &admin)).await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        call(f, get(&format!("/api/v1/customers/{first}/ratings"), &admin)).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(call(f, get("/api/v1/users", &risk)).await.0, StatusCode::FORBIDDEN);
    let (s, users, _) = call(f, get("/api/v1/users", &admin)).await;
    assert_eq!((s, users.as_array().unwrap().len()), (StatusCode::OK, 6));
}

crate::on_both_databases!(changes_are_audited_and_tampering_is_found, audit_on_postgres, audit_checks);

async fn audit_checks(f: &Fixture) {
    let risk = login(f, "risk").await;
    let audit = login(f, "audit").await;
    let (_, list, _) = call(f, get("/api/v1/customers?per_page=1", &risk)).await;
    let id = list["items"][0]["customer_id"].as_str().unwrap().to_owned();
    let uri = format!("/api/v1/customers/{id}/rating/override");
    with_store(f, |store| {
        let boss = store.user("boss").unwrap().unwrap().id;
        store.grant_authority(boss, "rating_approver", "setup", &"2026-10-01T00:00:00Z".into()).unwrap();
    });
    let (s, body, _) =
        call(f, post(&uri, &risk, json!({ "grade": "C", "reason": "fraud found", "approver": "boss" })))
            .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let (s, body, _) =
        call(f, post(&uri, &risk, json!({ "grade": "C", "reason": "x", "approver": "risk" }))).await;
    assert_eq!((s, body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("approver")));
    let (s, page, _) = call(f, get("/api/v1/audit?action=rating.", &audit)).await;
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
    let (_, v, _) = call(f, get("/api/v1/audit/verify", &audit)).await;
    assert_eq!(v["status"], "intact");
    // Someone edits the record in the database directly.
    let seq = r["seq"].as_i64().unwrap();
    tamper(f, &format!("UPDATE audit_log SET actor = 'nobody' WHERE seq = {seq}"));
    let (_, v, _) = call(f, get("/api/v1/audit/verify", &audit)).await;
    assert_eq!((v["status"].as_str(), v["seq"].as_i64()), (Some("broken"), Some(seq)));
}

/// Plays the intruder: SQL straight into the database, behind the store's back.
fn tamper(f: &Fixture, sql: &str) {
    match &f.pg_schema {
        None => rusqlite::Connection::open(&f.db).unwrap().execute_batch(sql).unwrap(),
        Some((url, schema)) => sync(|| {
            let mut c = postgres::Client::connect(url, postgres::NoTls).unwrap();
            c.batch_execute(&format!("SET search_path TO \"{schema}\"; {sql}")).unwrap();
        }),
    }
}

crate::on_both_databases!(tokens_are_scoped_and_revocable, tokens_on_postgres, token_checks);

async fn token_checks(f: &Fixture) {
    let risk = login(f, "risk").await;
    let (s, created, _) =
        call(f, post("/api/v1/tokens", &risk, json!({ "name": "erp", "scopes": ["check.run"] }))).await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    let token = Auth::Token(created["token"].as_str().unwrap().to_owned());
    let (_, list, _) = call(f, get("/api/v1/customers?per_page=1", &risk)).await;
    let id = list["items"][0]["customer_id"].as_str().unwrap().to_owned();
    let (s, check, _) =
        call(f, post("/api/v1/checks", &token, json!({ "customer_id": id, "amount": "1,000.00" }))).await;
    assert_eq!(s, StatusCode::OK, "{check}");
    assert!(check["result"]["steps"].as_array().is_some_and(|s| !s.is_empty()), "{check}");
    assert_eq!(
        call(f, get("/api/v1/customers", &token)).await.0,
        StatusCode::FORBIDDEN,
        "outside the token's scope"
    );
    let sales = login(f, "sales").await;
    let (s, body, _) =
        call(f, post("/api/v1/tokens", &sales, json!({ "name": "x", "scopes": ["rating.override"] }))).await;
    assert_eq!((s, body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("scopes")));
    // The security administrator revokes anyone's token; the system administrator no one's.
    let revoke = format!("/api/v1/tokens/{}/revoke", created["id"]);
    assert_eq!(call(f, post(&revoke, &login(f, "admin").await, json!({}))).await.0, StatusCode::NOT_FOUND);
    add(f, "sec", "security_admin", &[]);
    assert_eq!(call(f, post(&revoke, &login(f, "sec").await, json!({}))).await.0, StatusCode::NO_CONTENT);
    let (s, body, _) =
        call(f, post("/api/v1/checks", &token, json!({ "customer_id": id, "amount": "1.00" }))).await;
    assert_eq!((s, body["message"].as_str()), (StatusCode::UNAUTHORIZED, Some("the API token was revoked")));
    assert_eq!(
        call(f, get("/api/v1/me", &Auth::Token("cr_nonsense".into()))).await.0,
        StatusCode::UNAUTHORIZED
    );
}

crate::on_both_databases!(
    bad_input_gets_a_clear_4xx_and_changes_nothing,
    bad_input_on_postgres,
    bad_input_checks
);

async fn bad_input_checks(f: &Fixture) {
    let risk = login(f, "risk").await;
    let raw = |body: &str| {
        risk.apply(Request::post("/api/v1/checks").header(header::CONTENT_TYPE, "application/json"))
            .body(Body::from(body.to_owned()))
            .unwrap()
    };
    let (s, b, _) = call(f, raw("{\"customer_id\": ")).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::BAD_REQUEST, Some("malformed_json")));
    let (s, b, _) = call(f, raw(r#"{"customer_id": 7, "amount": "1.00"}"#)).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_body")));
    let (s, b, _) = call(f, raw(r#"{"customer_id": "C0000001", "amount": "1.00", "force": true}"#)).await;
    assert_eq!((s, b["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("force")));
    let (s, b, _) = call(f, raw(r#"{"customer_id": "C0000001", "amount": "-5"}"#)).await;
    assert_eq!((s, b["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("amount")));
    let (s, b, _) =
        call(f, raw(r#"{"customer_id": "C0000001'; DROP TABLE customers; --", "amount": "1.00"}"#)).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
    let huge = format!(r#"{{"customer_id": "{}", "amount": "1.00"}}"#, "x".repeat(2 << 20));
    let (s, b, _) = call(f, raw(&huge)).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::PAYLOAD_TOO_LARGE, Some("too_large")));
    let plain = risk.apply(Request::post("/api/v1/checks")).body(Body::from("customer_id=C1")).unwrap();
    assert_eq!(call(f, plain).await.0, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let (s, b, _) = call(f, get("/api/v1/customers?page=0", &risk)).await;
    assert_eq!((s, b["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("page")));
    let (s, _, _) = call(f, get("/api/v1/customers?colour=red", &risk)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, b, _) = call(f, get("/api/v1/customers?q=%25%27%20OR%201%3D1%20--", &risk)).await;
    assert_eq!((s, b["total"].as_u64()), (StatusCode::OK, Some(0)), "SQL-looking text is only text");
    let (s, _, _) = call(f, get("/api/v1/customers/..%2F..%2Fetc%2Fpasswd", &risk)).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, b, _) = call(f, get("/api/v2/anything", &risk)).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
    // Nothing was written: the store holds the demo as it was, and no audit record.
    let (count, blocked, changes) = with_store(f, |store| {
        (
            store.count(credence_records::Kind::Customers).unwrap(),
            store.blocked_orders(None).unwrap(),
            store.audit_records(&credence_store::AuditFilter::default()).unwrap(),
        )
    });
    assert_eq!(count, 300);
    assert!(blocked.is_empty());
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
    tokio::spawn(async move { credence_server::serve_on(state, listener, std::future::pending()).await });
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
    assert!(answer.2.contains("credence_open_cases{overdue=\"true\"} 0"), "{}", answer.2);
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

// Alerts in scope, a limit request decided along its route (and audited), and rows
// scored with a registered model.
crate::on_both_databases!(
    alerts_limit_decisions_and_model_scoring,
    alerts_and_models_on_postgres,
    decision_checks
);

async fn decision_checks(f: &Fixture) {
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 9, 30).unwrap();
    let dir = tempfile::tempdir().unwrap();
    with_store(f, |store| {
        let catalogue = credence_engine::types::indicators::Catalogue::builtin();
        let pack = credence_engine::types::warning::RulePack::builtin(&catalogue);
        let options = credence_engine::WarnOptions {
            as_of,
            scope: credence_engine::WarnScope::All,
            now: "2026-10-01T08:00:00Z".into(),
        };
        credence_engine::warn(store, &pack, &options).unwrap();
        let policy = credence_engine::types::control::CreditPolicy::builtin();
        credence_engine::apply_policy(store, &policy, as_of, &"2026-10-01T09:00:00Z".into()).unwrap();
        let data = dir.path().join("p.csv");
        credence_engine::write_model_dataset(
            store,
            &catalogue,
            chrono::NaiveDate::from_ymd_opt(2025, 9, 30).unwrap(),
            12,
            &data,
        )
        .unwrap();
        let expert = credence_engine::types::rating::ScorecardModel::builtin();
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
        credence_engine::model::register_model(store, &m, "risk", &"t".into()).unwrap();
        // A challenger run: the model's PDs on the portfolio, for its drift.
        credence_engine::model::rate_with_model(
            store,
            &catalogue,
            "2026-Q4-V2.0",
            as_of,
            &"2026-10-01T10:00:00Z".into(),
        )
        .unwrap();
    });
    let risk = login(f, "risk").await;
    let boss = login(f, "boss").await;
    let (s, alerts, _) = call(f, get("/api/v1/alerts?level=red&limit=5", &risk)).await;
    assert_eq!(s, StatusCode::OK, "{alerts}");
    assert!(alerts.as_array().unwrap().iter().all(|a| a["level"] == "red" && a["status"] == "open"));
    assert_eq!(call(f, get("/api/v1/alerts?level=purple", &risk)).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, pending, _) = call(f, get("/api/v1/limit-requests", &boss)).await;
    let request = &pending.as_array().unwrap()[0];
    let id = request["id"].as_i64().unwrap();
    let route: Value = serde_json::from_str(request["route"].as_str().unwrap()).unwrap();
    let first = route[0]["role"].as_str().unwrap().to_owned();
    let uri = format!("/api/v1/limit-requests/{id}/decision");
    let (s, b, _) =
        call(f, post(&uri, &boss, json!({ "approve": true, "authority": "nobody", "comment": "ok" }))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    with_store(f, |store| {
        let boss = store.user("boss").unwrap().unwrap().id;
        store.grant_authority(boss, &first, "setup", &"2026-10-01T00:00:00Z".into()).unwrap();
    });
    let (s, b, _) =
        call(f, post(&uri, &boss, json!({ "approve": false, "comment": "collateral first" }))).await;
    assert_eq!((s, b["status"]["status"].as_str()), (StatusCode::OK, Some("rejected")), "{b}");
    let (s, _, _) = call(f, post(&uri, &boss, json!({ "approve": true, "comment": "again" }))).await;
    assert_eq!(s, StatusCode::CONFLICT, "decided once");
    let audit = login(f, "audit").await;
    let (_, log, _) = call(f, get("/api/v1/audit?action=limit.", &audit)).await;
    assert_eq!(log["records"][0]["object"], format!("limit_request:{id}"));

    let (s, models, _) = call(f, get("/api/v1/models", &risk)).await;
    assert_eq!((s, models[0]["version"].as_str()), (StatusCode::OK, Some("2026-Q4-V2.0")));
    // The model in full, with the drift of its challenger run from the training population.
    let (s, detail, _) = call(f, get("/api/v1/models/2026-Q4-V2.0", &risk)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(detail["model"]["version"], "2026-Q4-V2.0");
    let drift = detail["drift"].as_array().unwrap();
    assert_eq!(drift.len(), 1);
    assert_eq!(drift[0]["scored"], 300, "{}", drift[0]);
    assert!(drift[0]["psi"]["value"].as_f64().is_some_and(|v| v >= 0.0), "{}", drift[0]);
    assert_eq!(call(f, get("/api/v1/models/2099-Q1-V9.9", &risk)).await.0, StatusCode::NOT_FOUND);
    assert_eq!(call(f, get("/api/v1/models/2026-Q4-V2.0", &boss)).await.0, StatusCode::FORBIDDEN);
    let uri = "/api/v1/models/2026-Q4-V2.0/score";
    let rows = json!({ "rows": [{ "overdue_rate": 40.0, "days_beyond_terms": 60, "industry": "C" }, { "overdue_rate": 0.0, "days_beyond_terms": 0 }], "explain": 2 });
    let (s, scored, _) = call(f, post(uri, &risk, rows)).await;
    assert_eq!(s, StatusCode::OK, "{scored}");
    // The same PDs as the library gives for the same rows.
    let model = with_store(f, |store| {
        credence_model::ModelFile::from_json(&store.model("2026-Q4-V2.0").unwrap().unwrap().artefact).unwrap()
    });
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
    let (s, b, _) = call(f, post(uri, &risk, json!({ "rows": [{ "favourite_colour": "red" }] }))).await;
    assert_eq!(
        (s, b["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("rows[0].favourite_colour"))
    );
    assert_eq!(call(f, post(uri, &boss, json!({ "rows": [{}] }))).await.0, StatusCode::FORBIDDEN);
}
