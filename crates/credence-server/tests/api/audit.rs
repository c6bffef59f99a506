//! The audit log as evidence through the API: a change and its record commit together,
//! refusals, failed sign-ins and exports are recorded, the chain is keyed when the server
//! has a key, and the log can be exported for a SIEM.

use super::*;

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

fn records(f: &Fixture, action: &str) -> Vec<credence_store::AuditRecord> {
    with_store(f, |s| {
        s.audit_records(&credence_store::AuditFilter { action: Some(action.into()), ..Default::default() })
            .unwrap()
    })
}

async fn some_customer(f: &Fixture, auth: &Auth) -> String {
    let (_, list, _) = call(f, get("/api/v1/customers?per_page=1", auth)).await;
    list["items"][0]["customer_id"].as_str().unwrap().to_owned()
}

crate::on_both_databases!(
    a_change_whose_audit_record_fails_is_not_made,
    audit_failure_on_postgres,
    audit_failure_checks
);

async fn audit_failure_checks(f: &Fixture) {
    let risk = login(f, "risk").await;
    let id = some_customer(f, &risk).await;
    // The audit log refuses every insert from now on (a full disk, a lost connection).
    match &f.pg_schema {
        None => tamper(
            f,
            "CREATE TRIGGER no_audit BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'audit refused'); END;",
        ),
        Some(_) => tamper(
            f,
            "CREATE FUNCTION no_audit() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'audit refused'; END $$ LANGUAGE plpgsql;
             CREATE TRIGGER no_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION no_audit();",
        ),
    }
    let action = json!({ "customer_id": id, "action": "phone", "note": "promised to pay" });
    let (s, body, _) = call(f, post("/api/v1/collections/actions", &risk, action.clone())).await;
    assert_eq!(s, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
    let logged = with_store(f, |s| s.collection_actions().unwrap());
    assert!(!logged.contains_key(&id), "the action was stored without its audit record");

    tamper(
        f,
        if f.pg_schema.is_some() { "DROP TRIGGER no_audit ON audit_log" } else { "DROP TRIGGER no_audit" },
    );
    let (s, _, _) = call(f, post("/api/v1/collections/actions", &risk, action)).await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(with_store(f, |s| s.collection_actions().unwrap())[&id].len(), 1);
    assert_eq!(records(f, "collect.log").len(), 1);
}

crate::on_both_databases!(
    refusals_failed_sign_ins_and_exports_are_recorded,
    refusals_on_postgres,
    refusal_checks
);

async fn refusal_checks(f: &Fixture) {
    // A wrong password: the username tried and the address, once.
    let (s, _, _) =
        call(f, post("/api/v1/session", &Auth::None, json!({ "username": "risk", "password": "guess" })))
            .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let failed = records(f, "session.login_failed");
    assert_eq!(failed.len(), 1);
    assert_eq!(
        (failed[0].entry.actor.as_str(), failed[0].entry.object.as_str(), failed[0].entry.client_ip.as_str()),
        ("risk", "user:risk", "local")
    );
    assert!(records(f, "request.").is_empty(), "a failed sign-in has its own record");

    // A permission refused: who, what and why.
    let risk = login(f, "risk").await;
    assert_eq!(call(f, get("/api/v1/audit", &risk)).await.0, StatusCode::FORBIDDEN);
    let refused = records(f, "request.refused");
    assert_eq!(refused.len(), 1);
    let r = &refused[0].entry;
    assert_eq!(
        (r.actor.as_str(), r.role.as_str(), r.object.as_str()),
        ("risk", "risk_manager", "request:GET /api/v1/audit")
    );
    let summary: Value = serde_json::from_str(&r.summary).unwrap();
    assert_eq!(summary["status"], 403);
    assert_eq!(summary["reason"], "risk_manager may not audit.read");
    // No credentials at all.
    assert_eq!(call(f, get("/api/v1/customers", &Auth::None)).await.0, StatusCode::UNAUTHORIZED);
    let anonymous = records(f, "request.refused").pop().unwrap().entry;
    assert_eq!((anonymous.actor.as_str(), anonymous.role.as_str()), ("-", "anonymous"));

    // An export, and the audit log's own export for a SIEM.
    let audit = login(f, "audit").await;
    let (s, _, _) = call(f, get("/api/v1/exports/customers", &audit)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(records(f, "records.export").len(), 1);
    let (s, lines, headers) = call(f, get("/api/v1/audit/export?format=syslog", &audit)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "text/plain; charset=utf-8");
    let lines = lines.as_str().unwrap().to_owned();
    assert!(lines.lines().all(|l| l.starts_with("<110>1 ")), "{lines}");
    assert!(lines.contains(" records.export [credence@32473 seq="), "{lines}");
    let (s, lines, _) = call(f, get("/api/v1/audit/export", &audit)).await;
    assert_eq!(s, StatusCode::OK);
    let parsed: Vec<Value> =
        lines.as_str().unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(parsed.iter().any(|r| r["action"] == "audit.export"), "the first export is in the second");
    assert_eq!(records(f, "audit.export").len(), 2);
    let (s, b, _) = call(f, get("/api/v1/audit/export?format=csv", &audit)).await;
    assert_eq!((s, b["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("format")));
    assert_eq!(call(f, get("/api/v1/audit/export", &risk)).await.0, StatusCode::FORBIDDEN);
}

/// One client cannot flood the log with refusals: after the limit, one record says so
/// and the rest are only counted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_are_limited_per_client_and_minute() {
    let mut f = fixture();
    let mut config = f.state.0.config.clone();
    config.audit.refusals_per_minute = 3;
    f.state = AppState::open(config).unwrap();
    for _ in 0..10 {
        assert_eq!(call(&f, get("/api/v1/customers", &Auth::None)).await.0, StatusCode::UNAUTHORIZED);
    }
    let (refused, limited) =
        (records(&f, "request.refused").len(), records(&f, "request.refusals_limited").len());
    // Ten refusals fall into at most two minutes: at most three recorded in each, and
    // a note that the limit was reached at least once.
    assert!(
        refused <= 6 && limited >= 1 && refused + limited < 10,
        "{refused} recorded, {limited} limit notes"
    );
}

/// With a key, the server's records carry HMAC-SM3 under it and verify with it; without
/// the key the MACs cannot be checked and the answer says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_keyed_server_writes_macs() {
    let mut f = fixture();
    let key = credence_store::AuditKey::new(credence_store::MacAlgorithm::HmacSm3, vec![7; 32]).unwrap();
    let mut config = f.state.0.config.clone();
    config.audit.key = Some(key.clone());
    f.state = AppState::open(config).unwrap();
    let audit = login(&f, "audit").await;
    let login_record = records(&f, "session.login").pop().unwrap();
    assert_eq!((login_record.algorithm.as_str(), login_record.key_id.as_str()), ("hmac-sm3", key.id()));
    let (_, v, _) = call(&f, get("/api/v1/audit/verify", &audit)).await;
    assert_eq!(v["status"], "intact", "{v}");
    assert_eq!(v["macs_checked"], 1);
    let unkeyed = with_store(&f, |s| s.verify_audit().unwrap());
    assert!(matches!(
        unkeyed,
        credence_store::AuditVerification::Intact { macs_unchecked: 1, macs_checked: 0, .. }
    ));
}

/// A run started through the API commits in steps: its start is recorded with its first
/// commit, its end with the claim's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_is_recorded_at_its_first_commit_and_at_its_end() {
    let f = fixture();
    let risk = login(&f, "risk").await;
    let (s, started, _) =
        call(&f, post("/api/v1/runs", &risk, json!({ "kind": "rating", "scope": "all" }))).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{started}");
    let run = started["run"].as_str().unwrap().to_owned();
    let status = finished_run(&f, &risk, &run).await;
    assert!(status.starts_with("ok: "), "{status}");
    let object = format!("job:{run}");
    let log: Vec<(String, String)> = records(&f, "")
        .into_iter()
        .filter(|r| r.entry.object == object)
        .map(|r| (r.entry.action, r.entry.role))
        .collect();
    let expected = [("run.start", "risk_manager"), ("job.start", "job"), ("job.run", "job")];
    assert_eq!(log, expected.map(|(a, r)| (a.to_owned(), r.to_owned())));
}

/// The server's periodic checkpoints: signed heads appended to the file named.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_takes_checkpoints_periodically() {
    let mut f = fixture();
    let key = credence_store::AuditKey::new(credence_store::MacAlgorithm::HmacSha256, vec![5; 32]).unwrap();
    let mut config = f.state.0.config.clone();
    config.audit.key = Some(key.clone());
    f.state = AppState::open(config).unwrap();
    let path = f._dir.path().join("checkpoints.jsonl");
    let task = tokio::spawn(credence_server::take_audit_checkpoints(
        f.state.clone(),
        path.clone(),
        std::time::Duration::from_millis(100),
    ));
    tokio::time::sleep(std::time::Duration::from_millis(450)).await;
    task.abort();
    let checkpoints = credence_store::AuditCheckpoint::read_file(&path).unwrap();
    assert!(checkpoints.len() >= 2, "{checkpoints:?}");
    assert!(checkpoints.iter().all(|c| c.signature_valid(Some(&key)) == Some(true)));
    let verified = with_store(&f, |s| {
        s.set_audit_key(Some(key));
        s.verify_audit_with(&checkpoints).unwrap()
    });
    assert!(
        matches!(verified, credence_store::AuditVerification::Intact { checkpoints: n, .. } if n == checkpoints.len())
    );
}
