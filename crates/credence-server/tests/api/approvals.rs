//! Approvals bound to people: limit decisions signed in the authority the signed-in user
//! holds, rating overrides approved by a second, named person, tokens that only narrow,
//! and administration split over three roles.

use super::*;

/// A pending limit request for a customer with this route (roles and quorums).
fn request_with_route(f: &Fixture, customer: &str, steps: &[(&str, u32)]) -> i64 {
    let route: Vec<Value> = steps
        .iter()
        .map(|(role, quorum)| {
            json!({ "role": role, "role_en": role, "role_zh": role, "why_en": "test", "why_zh": "test", "quorum": quorum })
        })
        .collect();
    with_store(f, |store| {
        let r = credence_store::StoredLimitRequest {
            id: 0,
            customer_id: customer.into(),
            policy_version: "2026-Q4-V1.1".into(),
            as_of: "2026-09-30".into(),
            created_at: "2026-10-01T09:00:00Z".into(),
            status: "pending".into(),
            currency: "CNY".into(),
            current_limit: 100_000_000,
            requested_limit: 1_000_000_000,
            current_term_days: 30,
            requested_term_days: 60,
            temporary_limit: None,
            temporary_expires: None,
            proposal: "{}".into(),
            route: Value::Array(route).to_string(),
        };
        store.insert_limit_requests(&[r]).unwrap()[0]
    })
}

async fn first_customer(f: &Fixture) -> String {
    let (_, list, _) = call(f, get("/api/v1/customers?per_page=1", &login(f, "risk").await)).await;
    list["items"][0]["customer_id"].as_str().unwrap().to_owned()
}

async fn decide(f: &Fixture, who: &Auth, id: i64, body: Value) -> (StatusCode, Value) {
    let (s, b, _) = call(f, post(&format!("/api/v1/limit-requests/{id}/decision"), who, body)).await;
    (s, b)
}

async fn grant(f: &Fixture, sec: &Auth, user: &str, authority: &str) -> StatusCode {
    let uri = format!("/api/v1/users/{user}/authorities");
    call(f, post(&uri, sec, json!({ "authority": authority }))).await.0
}

crate::on_both_databases!(
    limit_decisions_are_signed_in_the_users_own_authority,
    limit_authority_on_postgres,
    limit_authority_checks
);

async fn limit_authority_checks(f: &Fixture) {
    add(f, "fin1", "finance", &[]);
    add(f, "fin2", "finance", &[]);
    let customer = first_customer(f).await;
    let four = [("sales_manager", 1), ("credit_manager", 1), ("risk_director", 1), ("cfo", 1)];
    let id = request_with_route(f, &customer, &four);
    let (fin1, fin2, risk, boss) =
        (login(f, "fin1").await, login(f, "fin2").await, login(f, "risk").await, login(f, "boss").await);
    // Two finance users, a risk manager and an executive name themselves sales manager,
    // credit manager, risk director and CFO: every one is refused and nothing is stored.
    for (who, authority) in
        [(&fin1, "sales_manager"), (&fin2, "credit_manager"), (&risk, "risk_director"), (&boss, "cfo")]
    {
        let (s, b) =
            decide(f, who, id, json!({ "approve": true, "authority": authority, "comment": "ok" })).await;
        assert_eq!((s, b["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("authority")), "{b}");
    }
    // Without the field, holding no authority is refused too.
    let (s, b) = decide(f, &fin1, id, json!({ "approve": true, "comment": "ok" })).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    assert!(b["message"].as_str().unwrap().contains("sales_manager"), "{b}");
    let decided = with_store(f, |store| store.limit_request(id).unwrap().unwrap());
    assert_eq!((decided.0.status.as_str(), decided.1.len()), ("pending", 0));

    // The security administrator grants authorities; only to roles that decide limits,
    // never to themselves, and no one else may grant.
    add(f, "sec", "security_admin", &[]);
    let sec = login(f, "sec").await;
    assert_eq!(grant(f, &risk, "fin1", "sales_manager").await, StatusCode::FORBIDDEN);
    assert_eq!(grant(f, &login(f, "admin").await, "fin1", "sales_manager").await, StatusCode::FORBIDDEN);
    assert_eq!(grant(f, &sec, "sales", "sales_manager").await, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(grant(f, &sec, "fin1", "chairman").await, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(grant(f, &sec, "sec", "cfo").await, StatusCode::FORBIDDEN);
    for (user, authority) in [
        ("fin1", "sales_manager"),
        ("fin1", "credit_manager"),
        ("fin2", "credit_manager"),
        ("risk", "risk_director"),
        ("boss", "cfo"),
    ] {
        assert_eq!(grant(f, &sec, user, authority).await, StatusCode::NO_CONTENT, "{user} {authority}");
    }
    // Out of order: fin2 holds the second step's authority, not the first's.
    assert_eq!(
        decide(f, &fin2, id, json!({ "approve": true, "comment": "ok" })).await.0,
        StatusCode::FORBIDDEN
    );
    let (s, b) = decide(f, &fin1, id, json!({ "approve": true, "comment": "term fine" })).await;
    assert_eq!((s, b["authority"].as_str()), (StatusCode::OK, Some("sales_manager")), "{b}");
    // One person signs one step, even holding the next step's authority.
    let (s, b) = decide(f, &fin1, id, json!({ "approve": true, "comment": "again" })).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    for (who, authority) in [(&fin2, "credit_manager"), (&risk, "risk_director"), (&boss, "cfo")] {
        let (s, b) = decide(f, who, id, json!({ "approve": true, "comment": "ok" })).await;
        assert_eq!((s, b["authority"].as_str()), (StatusCode::OK, Some(authority)), "{b}");
    }
    let (request, decisions) = with_store(f, |store| store.limit_request(id).unwrap().unwrap());
    assert_eq!(request.status, "approved");
    let signed: Vec<(&str, &str)> =
        decisions.iter().map(|d| (d.decided_by.as_str(), d.role.as_str())).collect();
    assert_eq!(
        signed,
        [("fin1", "sales_manager"), ("fin2", "credit_manager"), ("risk", "risk_director"), ("boss", "cfo")]
    );
    // Grants and revocations are audited and readable by the audit administrator.
    let sec_revoke =
        sec.apply(Request::delete("/api/v1/users/fin1/authorities/credit_manager")).body(Body::empty());
    assert_eq!(call(f, sec_revoke.unwrap()).await.0, StatusCode::NO_CONTENT);
    add(f, "auditadmin", "audit_admin", &[]);
    let (s, log, _) = call(f, get("/api/v1/audit?action=user.", &login(f, "auditadmin").await)).await;
    assert_eq!(s, StatusCode::OK);
    let acts: Vec<(&str, &str)> = log["records"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["actor"] == "sec")
        .map(|r| (r["action"].as_str().unwrap(), r["object"].as_str().unwrap()))
        .collect();
    assert_eq!(acts.len(), 6, "{acts:?}");
    assert_eq!(acts[5], ("user.revoke", "user:fin1"));
}

crate::on_both_databases!(a_committee_step_needs_its_quorum, committee_on_postgres, committee_checks);

async fn committee_checks(f: &Fixture) {
    let customer = first_customer(f).await;
    let id = request_with_route(f, &customer, &[("credit_committee", 3)]);
    add(f, "sec", "security_admin", &[]);
    add(f, "risk2", "risk_manager", &[]);
    let sec = login(f, "sec").await;
    for user in ["risk", "risk2", "boss"] {
        assert_eq!(grant(f, &sec, user, "credit_committee").await, StatusCode::NO_CONTENT);
    }
    let (risk, risk2, boss) = (login(f, "risk").await, login(f, "risk2").await, login(f, "boss").await);
    let (s, b) = decide(f, &risk, id, json!({ "approve": true, "comment": "yes" })).await;
    assert_eq!((s, b["status"]["approvals"].as_u64()), (StatusCode::OK, Some(1)), "{b}");
    // The same member twice does not count twice.
    assert_eq!(
        decide(f, &risk, id, json!({ "approve": true, "comment": "yes" })).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let (_, b) = decide(f, &risk2, id, json!({ "approve": true, "comment": "yes" })).await;
    assert_eq!(
        (b["status"]["status"].as_str(), b["status"]["approvals"].as_u64()),
        (Some("pending"), Some(2))
    );
    let (_, b) = decide(f, &boss, id, json!({ "approve": true, "comment": "yes" })).await;
    assert_eq!(b["status"]["status"], "approved", "{b}");
}

crate::on_both_databases!(
    tokens_only_narrow_and_die_with_the_password,
    narrow_tokens_on_postgres,
    token_narrowing
);

async fn token_narrowing(f: &Fixture) {
    let risk = login(f, "risk").await;
    let (s, read_only, _) =
        call(f, post("/api/v1/tokens", &risk, json!({ "name": "reader", "scopes": ["customer.read"] })))
            .await;
    assert_eq!(s, StatusCode::CREATED, "{read_only}");
    let reader = Auth::Token(read_only["token"].as_str().unwrap().to_owned());
    // A customer.read token cannot mint an unscoped token or a wider one for its user.
    let (s, b, _) = call(f, post("/api/v1/tokens", &reader, json!({ "name": "escalate" }))).await;
    assert_eq!((s, b["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("scopes")), "{b}");
    let (s, b, _) =
        call(f, post("/api/v1/tokens", &reader, json!({ "name": "x", "scopes": ["rating.override"] }))).await;
    assert_eq!((s, b["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("scopes")), "{b}");
    let (s, narrow, _) =
        call(f, post("/api/v1/tokens", &reader, json!({ "name": "copy", "scopes": ["customer.read"] })))
            .await;
    assert_eq!(s, StatusCode::CREATED, "{narrow}");
    // Every token expires, by default in 90 days, and may not ask for more.
    let expires = chrono::DateTime::parse_from_rfc3339(narrow["expires_at"].as_str().unwrap()).unwrap();
    let days = (expires.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_days();
    assert!((89..=90).contains(&days), "{days}");
    let far = (chrono::Utc::now() + chrono::Duration::days(400)).to_rfc3339();
    let (s, b, _) =
        call(f, post("/api/v1/tokens", &risk, json!({ "name": "long", "expires_at": far }))).await;
    assert_eq!((s, b["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("expires_at")), "{b}");
    // The system administrator can neither mint a token for someone else nor read customers.
    let admin = login(f, "admin").await;
    let (s, b, _) = call(
        f,
        post("/api/v1/tokens", &admin, json!({ "username": "risk", "name": "erp", "scopes": ["check.run"] })),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    assert_eq!(call(f, get("/api/v1/customers", &admin)).await.0, StatusCode::FORBIDDEN);
    // A password change revokes the user's tokens, within a second in every process (this
    // one has the token cached; the change is made behind it, as another process would).
    assert_eq!(call(f, get("/api/v1/customers?per_page=1", &reader)).await.0, StatusCode::OK);
    with_store(f, |store| {
        credence_server::accounts::set_password(store, "risk", "another long passphrase", &Actor::cli("ops"))
            .unwrap()
    });
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (s, b, _) = call(f, get("/api/v1/customers?per_page=1", &reader)).await;
    assert_eq!((s, b["message"].as_str()), (StatusCode::UNAUTHORIZED, Some("the API token was revoked")));
    assert_eq!(call(f, get("/api/v1/me", &risk)).await.0, StatusCode::UNAUTHORIZED, "sessions ended");
    // Disabling a user does the same.
    let (s, t, _) = call(f, post("/api/v1/tokens", &login(f, "boss").await, json!({ "name": "b" }))).await;
    assert_eq!(s, StatusCode::CREATED);
    let boss_token = Auth::Token(t["token"].as_str().unwrap().to_owned());
    assert_eq!(call(f, get("/api/v1/me", &boss_token)).await.0, StatusCode::OK);
    with_store(f, |store| {
        credence_server::accounts::set_disabled(store, "boss", true, &Actor::cli("ops")).unwrap()
    });
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(call(f, get("/api/v1/me", &boss_token)).await.0, StatusCode::UNAUTHORIZED);
}

crate::on_both_databases!(overrides_need_a_second_named_approver, overrides_on_postgres, override_checks);

async fn override_checks(f: &Fixture) {
    let risk = login(f, "risk").await;
    let customer = first_customer(f).await;
    let uri = format!("/api/v1/customers/{customer}/rating/override");
    let grade_in_force = |f: &Fixture| {
        with_store(f, |store| store.latest_grades_all().unwrap()[&customer].letter_grade.clone())
    };
    let model_grade = grade_in_force(f);
    let new_grade = if model_grade == "C" { "B" } else { "C" };
    // Free text is no approver.
    let body = |approver: &str| json!({ "grade": new_grade, "reason": "fraud found", "approver": approver });
    let (s, b, _) = call(f, post(&uri, &risk, body("li"))).await;
    assert_eq!((s, b["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("approver")), "{b}");
    // Nor is a real user without the authority, nor the author.
    let (s, b, _) = call(f, post(&uri, &risk, body("boss"))).await;
    assert_eq!((s, b["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("approver")), "{b}");
    let (s, _, _) = call(f, post(&uri, &risk, body("risk"))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(grade_in_force(f), model_grade);
    add(f, "sec", "security_admin", &[]);
    let sec = login(f, "sec").await;
    assert_eq!(grant(f, &sec, "audit", "rating_approver").await, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(grant(f, &sec, "boss", "rating_approver").await, StatusCode::NO_CONTENT);
    let (s, pending, _) = call(f, post(&uri, &risk, body("boss"))).await;
    assert_eq!((s, pending["status"].as_str()), (StatusCode::OK, Some("pending")), "{pending}");
    let id = pending["id"].as_i64().unwrap();
    // Pending, it changes nothing anyone reads as the grade in force.
    assert_eq!(grade_in_force(f), model_grade);
    let (_, page, _) = call(f, get(&format!("/api/v1/customers/{customer}"), &risk)).await;
    assert!(page["override_in_force"].is_null(), "{}", page["override_in_force"]);
    let (_, listed, _) = call(f, get("/api/v1/rating-overrides", &risk)).await;
    assert_eq!(listed.as_array().unwrap().iter().filter(|o| o["id"] == id).count(), 1);
    // Only the named approver decides.
    let decision = format!("/api/v1/rating-overrides/{id}/decision");
    add(f, "risk2", "risk_manager", &[]);
    assert_eq!(grant(f, &sec, "risk2", "rating_approver").await, StatusCode::NO_CONTENT);
    let (s, b, _) = call(f, post(&decision, &login(f, "risk2").await, json!({ "approve": true }))).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    assert_eq!(call(f, post(&decision, &risk, json!({ "approve": true }))).await.0, StatusCode::FORBIDDEN);
    let boss = login(f, "boss").await;
    let (s, b, _) = call(f, post(&decision, &boss, json!({ "approve": false }))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "a rejection needs a comment: {b}");
    let (s, b, _) = call(f, post(&decision, &boss, json!({ "approve": true, "comment": "agreed" }))).await;
    assert_eq!((s, b["status"].as_str()), (StatusCode::OK, Some("approved")), "{b}");
    assert_eq!(grade_in_force(f), new_grade);
    assert_eq!(call(f, post(&decision, &boss, json!({ "approve": true }))).await.0, StatusCode::CONFLICT);
}

crate::on_both_databases!(
    administration_is_split_over_three_roles,
    separation_on_postgres,
    separation_checks
);

async fn separation_checks(f: &Fixture) {
    let admin = login(f, "admin").await;
    // The system administrator reads no business data.
    for uri in ["/api/v1/customers", "/api/v1/portfolio", "/api/v1/models", "/api/v1/audit"] {
        assert_eq!(call(f, get(uri, &admin)).await.0, StatusCode::FORBIDDEN, "{uri}");
    }
    add(f, "sec", "security_admin", &[]);
    add(f, "auditadmin", "audit_admin", &[]);
    let (sec, auditor) = (login(f, "sec").await, login(f, "auditadmin").await);
    for who in [&sec, &auditor] {
        for uri in ["/api/v1/customers", "/api/v1/portfolio", "/api/v1/alerts"] {
            assert_eq!(call(f, get(uri, who)).await.0, StatusCode::FORBIDDEN, "{uri}");
        }
    }
    // Accounts come without a role from the system administrator ...
    let new = |role: &str| json!({ "username": "newbie", "display_name": "New", "password": PASSWORD, "role": role });
    assert_eq!(call(f, post("/api/v1/users", &admin, new("risk_manager"))).await.0, StatusCode::FORBIDDEN);
    assert_eq!(call(f, post("/api/v1/users", &sec, new(""))).await.0, StatusCode::FORBIDDEN);
    assert_eq!(call(f, post("/api/v1/users", &admin, new(""))).await.0, StatusCode::CREATED);
    let newbie = login(f, "newbie").await;
    assert_eq!(call(f, get("/api/v1/customers", &newbie)).await.0, StatusCode::FORBIDDEN);
    // ... and get one from the security administrator, who cannot change their own.
    let access = |user: &str| format!("/api/v1/users/{user}/access");
    let analyst = json!({ "role": "credit_analyst" });
    assert_eq!(call(f, post(&access("newbie"), &admin, analyst.clone())).await.0, StatusCode::FORBIDDEN);
    assert_eq!(call(f, post(&access("newbie"), &sec, analyst.clone())).await.0, StatusCode::OK);
    assert_eq!(call(f, get("/api/v1/customers", &newbie)).await.0, StatusCode::OK);
    let (s, b, _) = call(f, post(&access("sec"), &sec, json!({ "role": "risk_manager" }))).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    // Nor may the system administrator disable themselves or read the audit log; the
    // audit administrator reads every administrative act.
    assert_eq!(
        call(f, post("/api/v1/users/admin/disable", &admin, json!({}))).await.0,
        StatusCode::FORBIDDEN
    );
    let (s, log, _) = call(f, get("/api/v1/audit?action=user.", &auditor)).await;
    assert_eq!(s, StatusCode::OK);
    let acts: Vec<(&str, &str)> = log["records"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["object"] == "user:newbie")
        .map(|r| (r["actor"].as_str().unwrap(), r["action"].as_str().unwrap()))
        .collect();
    assert_eq!(acts, [("admin", "user.add"), ("sec", "user.access")]);
}

/// What the one-second token cache costs on the check route: a call whose token is not
/// cached (read with its user from the database) against one that is. Run with
/// `--ignored --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn token_lookup_cost_on_the_check_route() {
    let f = fixture();
    let risk = login(&f, "risk").await;
    let customer = first_customer(&f).await;
    let body = json!({ "customer_id": customer, "amount": "1,000.00" });
    let (mut miss, mut hit) = (Vec::new(), Vec::new());
    for i in 0..40 {
        let (_, t, _) = call(
            &f,
            post("/api/v1/tokens", &risk, json!({ "name": format!("t{i}"), "scopes": ["check.run"] })),
        )
        .await;
        let token = Auth::Token(t["token"].as_str().unwrap().to_owned());
        for out in [&mut miss, &mut hit] {
            let started = std::time::Instant::now();
            assert_eq!(call(&f, post("/api/v1/checks", &token, body.clone())).await.0, StatusCode::OK);
            out.push(started.elapsed().as_secs_f64() * 1e3);
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    println!(
        "check route, median ms: token read from the database {:.2}, cached {:.2}",
        median(&mut miss),
        median(&mut hit)
    );
}
