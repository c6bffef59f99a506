//! Work through the API: portfolio runs, cases and alerts, blocked orders, temporary
//! limits, collections and disputes, repair plans, the catalogue and rule pack, rating
//! runs with their reports.

use super::*;

crate::on_both_databases!(runs_cases_and_orders, runs_cases_and_orders_on_postgres, work_checks);

/// Starts a run and waits for it; its status.
async fn run(f: &Fixture, auth: &Auth, body: Value) -> String {
    let (s, started, _) = call(f, post("/api/v1/runs", auth, body)).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{started}");
    assert_eq!(started["as_of"], "2026-09-30");
    finished_run(f, auth, started["run"].as_str().unwrap()).await
}

async fn work_checks(f: &Fixture) {
    let risk = login(f, "risk").await;
    let boss = login(f, "boss").await;
    let audit = login(f, "audit").await;
    // A warning run over everyone opens cases for red and yellow customers.
    let status = run(f, &risk, json!({ "kind": "warnings", "scope": "all" })).await;
    assert!(status.starts_with("ok: run "), "{status}");
    let (s, b, _) = call(f, post("/api/v1/runs", &boss, json!({ "kind": "warnings" }))).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    let (s, b, _) = call(f, post("/api/v1/runs", &risk, json!({ "kind": "rating", "scope": "some" }))).await;
    assert_eq!((s, b["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("scope")));
    // While another instance holds a run of the job, another is refused.
    with_store(f, |s| {
        assert!(
            s.claim_job("warnings:elsewhere", "other", "2026-01-01T00:00:00Z", "2999-01-01T00:00:00Z")
                .unwrap()
        )
    });
    let (s, b, _) = call(f, post("/api/v1/runs", &risk, json!({ "kind": "warnings" }))).await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    with_store(f, |s| {
        assert!(s.finish_job("warnings:elsewhere", "other", &"2026-01-01T00:00:01Z".into(), "ok").unwrap())
    });

    let (s, cases, _) = call(f, get("/api/v1/cases", &risk)).await;
    assert_eq!(s, StatusCode::OK, "{cases}");
    // The metrics count the open alerts and cases the API lists.
    let (_, metrics, _) = call(f, get("/metrics", &Auth::None)).await;
    let metrics = metrics.as_str().unwrap().to_owned();
    let (_, red, _) = call(f, get("/api/v1/alerts?level=red&limit=500", &risk)).await;
    assert!(
        metrics.contains(&format!("credence_open_alerts{{level=\"red\"}} {}", red.as_array().unwrap().len())),
        "{metrics}"
    );
    let all_cases = cases.as_array().unwrap().len();
    let gauge = |overdue: &str| -> usize {
        let line = metrics
            .lines()
            .find(|l| l.starts_with(&format!("credence_open_cases{{overdue=\"{overdue}\"}}")))
            .unwrap();
        line.rsplit(' ').next().unwrap().parse().unwrap()
    };
    assert_eq!(gauge("true") + gauge("false"), all_cases);
    let case = cases.as_array().unwrap().first().expect("the warning run opened cases").clone();
    let id = case["id"].as_i64().unwrap();
    let (_, view, _) = call(f, get(&format!("/api/v1/cases/{id}"), &risk)).await;
    assert_eq!(view["case"]["customer_id"], case["customer_id"]);
    let alert = view["alerts"][0]["id"].as_i64().expect("a case has its alerts");
    let (s, a, _) = call(f, get(&format!("/api/v1/alerts/{alert}"), &risk)).await;
    assert_eq!((s, a["subject"].clone()), (StatusCode::OK, case["customer_id"].clone()));
    let uri = format!("/api/v1/cases/{id}/changes");
    let (s, after, _) = call(
        f,
        post(
            &uri,
            &risk,
            json!({ "change": "act", "template": "payment_stop", "action": "stopped shipments" }),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{after}");
    assert!(after["log"].as_array().unwrap().iter().any(|e| e["kind"] == "action"));
    let (_, after, _) =
        call(f, post(&uri, &risk, json!({ "change": "escalate", "note": "no answer" }))).await;
    assert_ne!(after["case"]["stage"], case["stage"], "escalated a stage");
    let (_, after, _) = call(f, post(&uri, &risk, json!({ "change": "assign", "to": "wang" }))).await;
    assert_eq!(after["case"]["owner"], "wang");
    let (s, b, _) = call(f, post(&uri, &risk, json!({ "change": "close" }))).await;
    assert_eq!((s, b["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("note")));
    let (_, after, _) =
        call(f, post(&uri, &risk, json!({ "change": "close", "note": "paid in full" }))).await;
    assert_eq!(after["case"]["status"], "closed");
    assert_eq!(
        call(f, post(&uri, &risk, json!({ "change": "close", "note": "again" }))).await.0,
        StatusCode::CONFLICT
    );
    assert_eq!(
        call(f, post(&uri, &boss, json!({ "change": "assign", "to": "x" }))).await.0,
        StatusCode::FORBIDDEN
    );
    let (_, log, _) = call(f, get(&format!("/api/v1/audit?object=case:{id}"), &audit)).await;
    let actions: Vec<&str> =
        log["records"].as_array().unwrap().iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["case.act", "case.escalate", "case.assign", "case.close"]);

    // An order far over the limit is blocked and queued; finance rejects it once.
    let customer = case["customer_id"].as_str().unwrap();
    let (s, check, _) = call(
        f,
        post(
            "/api/v1/checks",
            &risk,
            json!({ "customer_id": customer, "amount": "900000000.00", "order_ref": "SO-1" }),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{check}");
    assert_eq!(check["result"]["pass"], false);
    let order = check["blocked_order"].as_i64().unwrap();
    let (_, blocked, _) = call(f, get("/api/v1/blocked-orders", &risk)).await;
    assert!(blocked.as_array().unwrap().iter().any(|o| o["id"] == order));
    let uri = format!("/api/v1/blocked-orders/{order}/decision");
    let (s, b, _) = call(f, post(&uri, &risk, json!({ "decision": "reject" }))).await;
    assert_eq!(
        (s, b["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("rejected")),
        "a reason is required"
    );
    let (s, b, _) = call(f, post(&uri, &risk, json!({ "decision": "ship", "reason": "x" }))).await;
    assert_eq!((s, b["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("decision")));
    assert_eq!(
        call(f, post(&uri, &boss, json!({ "decision": "release", "reason": "x" }))).await.0,
        StatusCode::FORBIDDEN
    );
    let (s, done, _) =
        call(f, post(&uri, &risk, json!({ "decision": "reject", "reason": "over the limit" }))).await;
    assert_eq!((s, done["status"].as_str()), (StatusCode::OK, Some("rejected")), "{done}");
    assert_eq!(
        call(f, post(&uri, &risk, json!({ "decision": "reject", "reason": "x" }))).await.0,
        StatusCode::CONFLICT
    );

    // A temporary limit request is routed like any limit request.
    let (_, standing, _) = call(f, get(&format!("/api/v1/customers/{customer}/standing"), &risk)).await;
    let limit = standing["limit"].as_i64().unwrap();
    let amount = format!("{}.00", (limit / 100 / 10).max(1));
    let uri = format!("/api/v1/customers/{customer}/temporary-limit");
    let (s, created, _) =
        call(f, post(&uri, &risk, json!({ "amount": amount, "expires": "2026-12-31" }))).await;
    if s == StatusCode::CREATED {
        let (_, requests, _) =
            call(f, get(&format!("/api/v1/limit-requests?customer={customer}"), &risk)).await;
        assert!(requests.as_array().unwrap().iter().any(|r| r["id"] == created["id"]), "{requests}");
    } else {
        // Some grades get no temporary limit: the policy says why.
        assert_eq!(
            (s, created["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("rejected")),
            "{created}"
        );
    }
    let (s, b, _) = call(f, post(&uri, &risk, json!({ "amount": "5.00", "expires": "2026-01-01" }))).await;
    assert_eq!((s, b["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("expires")));
}

crate::on_both_databases!(collections_and_repair, collections_and_repair_on_postgres, collection_checks);

async fn collection_checks(f: &Fixture) {
    let risk = login(f, "risk").await;
    let (_, positions, _) =
        call(f, get("/api/v1/portfolio/positions?overdue=true&sort=overdue&per_page=5", &risk)).await;
    let id = positions["items"][0]["customer_id"].as_str().expect("someone is overdue").to_owned();
    // Aging in scope: the portfolio line's open amount is the positions' receivables.
    let (s, aging, _) = call(f, get("/api/v1/aging?top=3&months=2", &risk)).await;
    assert_eq!(s, StatusCode::OK, "{aging}");
    let (_, o, _) = call(f, get("/api/v1/portfolio", &risk)).await;
    assert_eq!(aging["report"]["portfolio"]["profile"]["open"], o["totals"]["receivables"]);
    assert_eq!(aging["history"].as_array().unwrap().len(), 2);
    assert_eq!(aging["top_customers"].as_array().unwrap().len(), 3);
    let (s, b, _) = call(f, get("/api/v1/aging?months=99", &risk)).await;
    assert_eq!((s, b["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("months")));
    let (s, w, _) = call(f, get("/api/v1/worklist", &risk)).await;
    assert_eq!(s, StatusCode::OK, "{w}");
    assert_eq!(w["date"], "2026-09-30");
    // The collection log.
    let (s, _, _) = call(
        f,
        post(
            "/api/v1/collections/actions",
            &risk,
            json!({ "customer_id": id, "action": "phone", "note": "promised to pay" }),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, b, _) = call(
        f,
        post(
            "/api/v1/collections/actions",
            &risk,
            json!({ "customer_id": id, "action": "carrier pigeon", "note": "" }),
        ),
    )
    .await;
    assert_eq!((s, b["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("action")));
    let (s, b, _) = call(
        f,
        post(
            "/api/v1/collections/promises",
            &risk,
            json!({ "customer_id": id, "amount": "1,000.00", "promised_date": "2026-10-15" }),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let (s, b, _) = call(
        f,
        post(
            "/api/v1/collections/promises",
            &risk,
            json!({ "customer_id": id, "amount": "1.00", "promised_date": "2026-09-01" }),
        ),
    )
    .await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("rejected")), "{b}");
    // A dispute on an open invoice: opened once, resolved once.
    let (_, open, _) = call(f, get(&format!("/api/v1/customers/{id}/receivables"), &risk)).await;
    let invoice = open["items"][0]["invoice_no"].as_str().unwrap();
    let body = json!({ "customer_id": id, "invoice_no": invoice, "reason": "goods damaged" });
    let (s, d, _) = call(f, post("/api/v1/disputes", &risk, body.clone())).await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    assert_eq!(call(f, post("/api/v1/disputes", &risk, body)).await.0, StatusCode::CONFLICT);
    let (_, listed, _) = call(f, get(&format!("/api/v1/disputes?customer={id}"), &risk)).await;
    assert_eq!(listed[0]["id"], d["id"]);
    let uri = format!("/api/v1/disputes/{}/resolve", d["id"]);
    assert_eq!(
        call(f, post(&uri, &risk, json!({ "resolution": "credit note issued" }))).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(call(f, post(&uri, &risk, json!({ "resolution": "again" }))).await.0, StatusCode::CONFLICT);
    let other = positions["items"][1]["customer_id"].as_str().unwrap();
    let (s, _, _) = call(
        f,
        post(
            "/api/v1/disputes",
            &risk,
            json!({ "customer_id": other, "invoice_no": invoice, "reason": "x" }),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "another customer's invoice");

    // A repair plan: open, finish its item, complete (the customer is re-rated).
    let (s, plan, _) = call(
        f,
        post("/api/v1/repair-plans", &risk, json!({ "customer_id": id, "reason": "late payments", "items": [{ "kind": "training", "description": "cash management" }] })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{plan}");
    let pid = plan["id"].as_i64().unwrap();
    let item = plan["items"][0]["id"].as_i64().unwrap();
    let uri = format!("/api/v1/repair-plans/{pid}/changes");
    let (s, b, _) = call(f, post(&uri, &risk, json!({ "change": "complete" }))).await;
    assert_eq!(
        (s, b["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("rejected")),
        "an item is open"
    );
    let (s, _, _) = call(
        f,
        post(&uri, &risk, json!({ "change": "finish_item", "item": item, "evidence": "certificate 17" })),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (s, outcome, _) = call(f, post(&uri, &risk, json!({ "change": "complete" }))).await;
    assert_eq!((s, outcome["plan"]["status"].as_str()), (StatusCode::OK, Some("completed")), "{outcome}");
    assert!(outcome["grade_after"].is_string());
    let (_, ratings, _) = call(f, get(&format!("/api/v1/customers/{id}/ratings"), &risk)).await;
    assert_eq!(ratings["ratings"].as_array().unwrap().len(), 2, "re-rated on completion");
    let (_, plans, _) = call(f, get(&format!("/api/v1/repair-plans?customer={id}"), &risk)).await;
    assert_eq!(plans[0]["status"], "completed");
}

crate::on_both_databases!(
    catalogue_rules_and_rating_runs,
    catalogue_rules_and_rating_runs_on_postgres,
    catalogue_checks
);

async fn catalogue_checks(f: &Fixture) {
    let risk = login(f, "risk").await;
    let sales = login(f, "sales").await;
    let (_, all, _) = call(f, get("/api/v1/indicators", &risk)).await;
    let (_, some, _) = call(f, get("/api/v1/indicators", &sales)).await;
    let ids = |c: &Value| -> Vec<String> {
        c["indicators"].as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap().to_owned()).collect()
    };
    assert!(ids(&all).contains(&"current_ratio".to_owned()) && ids(&all).contains(&"dso".to_owned()));
    assert!(!ids(&some).contains(&"current_ratio".to_owned()) && !ids(&some).contains(&"dso".to_owned()));
    assert!(ids(&some).contains(&"overdue_rate".to_owned()));
    let (_, pack, _) = call(f, get("/api/v1/rules", &risk)).await;
    let rules = pack["rules"].as_array().unwrap();
    assert!(rules.iter().any(|r| r["code"] == "W01"));
    let (s, perf, _) = call(f, get("/api/v1/rules/performance", &risk)).await;
    assert_eq!(s, StatusCode::OK, "{perf}");
    assert_eq!(perf["rules"].as_array().unwrap().len(), rules.len());
    assert_eq!(perf["dates"].as_array().unwrap().last().unwrap(), "2025-09-30");
    // Rating runs: one from the fixture; a run over everyone makes a second, and the
    // migration matrix between them counts every customer once.
    let (_, runs, _) = call(f, get("/api/v1/rating-runs", &risk)).await;
    let first = runs[0]["id"].as_i64().unwrap();
    let (s, back, _) = call(f, get(&format!("/api/v1/rating-runs/{first}/performance"), &risk)).await;
    assert_eq!(s, StatusCode::OK, "{back}");
    // The demo's defaults lie before its date: a back-test of a run on it has no outcomes
    // yet, and says so rather than inventing an AUC.
    assert!(back["customers"].as_u64().is_some_and(|n| n > 250), "{back}");
    assert_eq!((back["defaults"].as_u64(), back["auc"].as_f64()), (Some(0), None));
    let status = {
        let (s, started, _) =
            call(f, post("/api/v1/runs", &risk, json!({ "kind": "rating", "scope": "all" }))).await;
        assert_eq!(s, StatusCode::ACCEPTED);
        finished_run(f, &risk, started["run"].as_str().unwrap()).await
    };
    assert!(status.starts_with("ok: 300 rated, 0 skipped, 0 failed (run "), "{status}");
    assert!(status.ends_with(", 1 of its 1 parts here)"), "{status}");
    let (_, runs, _) = call(f, get("/api/v1/rating-runs", &risk)).await;
    let second = runs[0]["id"].as_i64().unwrap();
    assert_ne!(second, first);
    let (s, m, _) = call(f, get(&format!("/api/v1/rating-runs/{second}/migration"), &risk)).await;
    assert_eq!(
        (s, m["customers"].as_u64(), m["from_run"].as_i64()),
        (StatusCode::OK, Some(300), Some(first)),
        "{m}"
    );
    assert_eq!(m["upgraded"], 0, "the same data and date give the same grades");
    assert_eq!(call(f, get("/api/v1/rating-runs/999/performance", &risk)).await.0, StatusCode::NOT_FOUND);
    // The policy run routes limit requests.
    let status = {
        let (s, started, _) = call(f, post("/api/v1/runs", &risk, json!({ "kind": "policy" }))).await;
        assert_eq!(s, StatusCode::ACCEPTED);
        finished_run(f, &risk, started["run"].as_str().unwrap()).await
    };
    assert!(status.starts_with("ok: 300 proposals"), "{status}");
    // A scoped analyst runs nothing over the whole portfolio.
    let (_, list, _) = call(f, get("/api/v1/customers?per_page=1", &risk)).await;
    let line = list["items"][0]["business_line"].as_str().unwrap().to_owned();
    add(f, "scoped", "credit_analyst", &[&line]);
    let scoped = login(f, "scoped").await;
    assert_eq!(
        call(f, post("/api/v1/runs", &scoped, json!({ "kind": "rating" }))).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(call(f, get("/api/v1/rules/performance", &scoped)).await.0, StatusCode::FORBIDDEN);
}
