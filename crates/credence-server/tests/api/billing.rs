//! Utility billing over the API: the grading run as the engine stored it, the high-risk
//! list riskiest first, an account's position with its penalty, billing requests decided
//! in the authority the caller holds, and the whole-portfolio rule for every route.

use super::*;

crate::on_both_databases!(billing_over_the_api, billing_over_the_api_on_postgres, billing_scenario);

async fn billing_scenario(f: &Fixture) {
    let risk = login(f, "risk").await;
    let (s, b, _) = call(f, get("/api/v1/billing/grading", &risk)).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{b}");
    let run = sync(|| add_billing(f, 300));

    let (s, g, _) = call(f, get("/api/v1/billing/grading", &risk)).await;
    assert_eq!(s, StatusCode::OK, "{g}");
    assert_eq!(g["id"], run.run_id);
    assert_eq!(g["summary"]["accounts"], run.summary.accounts);
    assert_eq!(g["summary"]["high_risk"], run.summary.high_risk);
    let (s, _, _) = call(f, get("/api/v1/billing/grading?as_of=2026-01-31", &risk)).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "no run that early");

    let (s, list, _) = call(f, get("/api/v1/billing/grades?high_risk=true&limit=1000", &risk)).await;
    assert_eq!(s, StatusCode::OK);
    let list = list.as_array().unwrap();
    assert_eq!(list.len() as u64, run.summary.high_risk);
    let pds: Vec<f64> = list.iter().map(|g| g["forecast_pd"].as_f64().unwrap()).collect();
    assert!(pds.windows(2).all(|w| w[0] >= w[1]), "{pds:?}");
    assert!(list.iter().all(|g| g["high_risk"] == true && g["reasons"].as_array().unwrap().len() == 3));
    let (s, _, _) = call(f, get("/api/v1/billing/grades?limit=0", &risk)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);

    // The reconnection commitment over the demo's disconnections.
    let (s, r, _) = call(
        f,
        get("/api/v1/billing/reconnections?from=2024-10-01&to=2025-09-30&at=2026-09-30%2023:59", &risk),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["commitment_hours"], 24);
    let t = &r["total"];
    let n = |k: &str| t[k].as_u64().unwrap();
    assert_eq!(n("cleared"), n("in_time") + n("late") + n("open_late") + n("open"), "{r}");
    assert_eq!(r["breaches"].as_array().unwrap().len() as u64, n("late") + n("open_late"));
    for bad in [
        "from=2026-09-30&to=2026-09-01",
        "from=2024-01-01&to=2026-09-30",
        "from=2026-09-01&to=2026-09-30&at=noon",
    ] {
        let (s, b, _) = call(f, get(&format!("/api/v1/billing/reconnections?{bad}"), &risk)).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {b}");
    }

    let account = list[0]["account_id"].as_str().unwrap().to_owned();
    let (s, p, _) =
        call(f, get(&format!("/api/v1/billing/accounts/{account}?as_of=2026-09-30"), &risk)).await;
    assert_eq!(s, StatusCode::OK, "{p}");
    let total: i64 =
        p["bills"].as_array().unwrap().iter().map(|b| b["penalty"]["amount"].as_i64().unwrap()).sum();
    assert_eq!(p["penalty_total"].as_i64().unwrap(), total);
    assert_eq!(p["grade"]["account_id"], account.as_str());
    let (s, _, _) = call(f, get("/api/v1/billing/accounts/NOPE", &risk)).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Requests: the risk manager holds the first step's authority, not the second's.
    let (_, requests, _) = call(f, get("/api/v1/billing/requests?limit=1000", &risk)).await;
    let requests = requests.as_array().unwrap();
    assert!(!requests.is_empty());
    let request = &requests[0];
    let id = request["id"].as_i64().unwrap();
    let first = request["route"][0]["role"].as_str().unwrap().to_owned();
    let decision = |approve: bool, comment: &str| json!({ "approve": approve, "comment": comment });
    let uri = format!("/api/v1/billing/requests/{id}/decision");
    let (s, b, _) = call(f, post(&uri, &risk, decision(true, "arrears checked"))).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    assert!(b["message"].as_str().unwrap().contains(&format!("`{first}`")), "{b}");
    with_store(f, |store| {
        let known = credence_server::accounts::known_authorities(
            &credence_engine::types::control::CreditPolicy::builtin(),
        );
        credence_server::accounts::set_authority(
            store,
            "risk",
            &first,
            true,
            &known,
            &credence_server::accounts::Requester::Operator,
            &credence_server::accounts::Actor::cli("setup"),
        )
        .unwrap();
    });
    let (s, b, _) = call(f, post(&uri, &risk, decision(true, " "))).await;
    assert_eq!((s, b["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("comment")));
    let (s, b, _) = call(f, post(&uri, &risk, decision(true, "arrears checked"))).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["authority"], first.as_str());
    let steps = request["route"].as_array().unwrap().len();
    assert_eq!(b["status"]["status"], if steps == 1 { "approved" } else { "pending" }, "{b}");
    if steps == 1 {
        let (s, _, _) = call(f, post(&uri, &risk, decision(true, "again"))).await;
        assert_eq!(s, StatusCode::CONFLICT);
    }
    let (_, log, _) = call(f, get("/api/v1/audit?action=billing.approve", &login(f, "audit").await)).await;
    assert!(log.to_string().contains(&format!("billing_request:{id}")), "{log}");

    // The auditor reads and cannot decide; a caller with one business line sees nothing.
    let audit = login(f, "audit").await;
    assert_eq!(call(f, get("/api/v1/billing/requests", &audit)).await.0, StatusCode::OK);
    assert_eq!(call(f, post(&uri, &audit, decision(false, "no"))).await.0, StatusCode::FORBIDDEN);
    add(f, "narrow", "risk_manager", &["m"]);
    let narrow = login(f, "narrow").await;
    for path in [
        "/api/v1/billing/grading",
        "/api/v1/billing/grades",
        "/api/v1/billing/requests",
        "/api/v1/billing/reconnections?from=2026-09-01&to=2026-09-30",
    ] {
        assert_eq!(call(f, get(path, &narrow)).await.0, StatusCode::FORBIDDEN, "{path}");
    }
}

crate::on_both_databases!(
    a_held_account_feeds_its_customer,
    a_held_account_feeds_its_customer_on_postgres,
    held_account_scenario
);

/// An electricity account held by a rated customer, with three bills at 2026-09-30 (by
/// hand): 1,000.00 due 20 June paid on 15 June (on time); 2,000.00 due 20 July with
/// 500.00 paid on 25 July (late, 1,500.00 unpaid 72 days past due); 1,000.00 due
/// 20 September unpaid (late, 10 days). Bills due in the last 12 months 3, late 2: paid
/// on time 33.33 %; unpaid 30 days or more past due 1,500.00 over 4,000.00 billed:
/// 37.5 %. The position owes 2,500.00, all of it overdue.
async fn held_account_scenario(f: &Fixture) {
    let risk = login(f, "risk").await;
    let id = with_store(f, |store| store.customer_ids().unwrap()[0].clone());
    let (_, before, _) = call(f, get(&format!("/api/v1/customers/{id}"), &risk)).await;
    assert_eq!(before["billing_accounts"], json!([]));
    assert_eq!(before["data_changed_since_rating"], false);
    let mut records = Vec::new();
    let mut a = credence_records::Record::empty(credence_records::Kind::Accounts);
    a.set("account_id", "E-LINK-1")
        .set("customer_id", id.as_str())
        .set("account_class", "large_industrial")
        .set("supply_unit", "FZ-01")
        .set("settlement", "postpaid")
        .set("currency", "CNY")
        .set("opened_date", "2020-01-01");
    records.push(a);
    for (bill, issued, due, amount) in [
        ("E-B1", "2026-05-31", "2026-06-20", 100_000_i64),
        ("E-B2", "2026-06-30", "2026-07-20", 200_000),
        ("E-B3", "2026-08-31", "2026-09-20", 100_000),
    ] {
        let mut b = credence_records::Record::empty(credence_records::Kind::Bills);
        b.set("bill_id", bill)
            .set("account_id", "E-LINK-1")
            .set("issue_date", issued)
            .set("due_date", due)
            .set("amount", amount)
            .set("currency", "CNY");
        records.push(b);
    }
    for (payment, bill, paid, amount) in
        [("E-P1", "E-B1", "2026-06-15", 100_000_i64), ("E-P2", "E-B2", "2026-07-25", 50_000)]
    {
        let mut p = credence_records::Record::empty(credence_records::Kind::BillPayments);
        p.set("payment_id", payment)
            .set("account_id", "E-LINK-1")
            .set("bill_id", bill)
            .set("paid_date", paid)
            .set("amount", amount)
            .set("currency", "CNY");
        records.push(p);
    }
    stage_records(f, &records);
    let (s, page, _) = call(f, get(&format!("/api/v1/customers/{id}?indicators=records"), &risk)).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    // The new bills make the rating stale.
    assert_eq!(page["data_changed_since_rating"], true);
    let value = |ind: &str| {
        page["indicators"].as_array().unwrap().iter().find(|l| l["id"] == ind).unwrap()["value"]
            .as_f64()
            .unwrap_or_else(|| panic!("{ind}: {page}"))
    };
    assert!((value("utility_on_time_share") - 100.0 / 3.0).abs() < 1e-9);
    assert_eq!(value("utility_late_bills"), 2.0);
    assert!((value("utility_overdue_share") - 37.5).abs() < 1e-9);
    let held = page["billing_accounts"].as_array().unwrap();
    assert_eq!(held.len(), 1, "{page}");
    assert_eq!(held[0]["account_id"], "E-LINK-1");
    assert_eq!((held[0]["owed"].as_i64(), held[0]["overdue"].as_i64()), (Some(250_000), Some(250_000)));
    assert!(held[0]["penalty_due"].as_i64().unwrap() > 0);
    assert_eq!(held[0]["grade"], Value::Null);
    // The account passes to another customer on 1 August (过户): June's and July's bills
    // stay the first holder's (one of two paid late: 50 % on time), September's is the
    // new holder's (late). The position owes the new holder's 1,000.00 and keeps July's
    // 1,500.00 apart as the previous holder's.
    let next = with_store(f, |store| store.customer_ids().unwrap()[1].clone());
    let mut account = records.swap_remove(0);
    account.set("customer_id", next.as_str());
    let mut c = credence_records::Record::empty(credence_records::Kind::HolderChanges);
    c.set("change_id", "GH-1")
        .set("account_id", "E-LINK-1")
        .set("change_type", "transfer")
        .set("change_date", "2026-08-01")
        .set("previous_customer_id", id.as_str());
    stage_records(f, &[account, c]);
    let indicator = |page: &Value, ind: &str| {
        page["indicators"].as_array().unwrap().iter().find(|l| l["id"] == ind).unwrap()["value"].as_f64()
    };
    let (_, first, _) = call(f, get(&format!("/api/v1/customers/{id}?indicators=records"), &risk)).await;
    assert_eq!(indicator(&first, "utility_on_time_share"), Some(50.0));
    assert_eq!(indicator(&first, "utility_late_bills"), Some(1.0));
    let (_, second, _) = call(f, get(&format!("/api/v1/customers/{next}?indicators=records"), &risk)).await;
    assert_eq!(indicator(&second, "utility_on_time_share"), Some(0.0));
    assert_eq!(indicator(&second, "utility_late_bills"), Some(1.0));
    let held = &second["billing_accounts"][0];
    assert_eq!(held["owed"], 100_000);
    assert_eq!(held["previous_holders"], 150_000);
    assert_eq!(first["billing_accounts"][0]["account_id"], "E-LINK-1");

    // A household's name, identity number and phone are personal data: the auditor's
    // export masks them, the risk manager's does not; a business's name is left alone.
    let mut household = credence_records::Record::empty(credence_records::Kind::Accounts);
    household
        .set("account_id", "E-HOME-1")
        .set("account_class", "residential")
        .set("supply_unit", "FZ-01")
        .set("settlement", "prepaid")
        .set("opened_date", "2020-01-01")
        .set("holder_name", "张三丰")
        .set("holder_id_number", "350102199001011234")
        .set("holder_phone", "13800138000");
    let mut business = household.clone();
    business
        .set("account_id", "E-SHOP-1")
        .set("account_class", "non_residential")
        .set("holder_name", "福州某商行");
    stage_records(f, &[household, business]);
    let audit = login(f, "audit").await;
    let (s, seen, _) = call(f, get("/api/v1/exports/accounts", &risk)).await;
    assert_eq!(s, StatusCode::OK);
    let seen = seen.as_str().unwrap();
    assert!(seen.contains("张三丰") && seen.contains("13800138000"), "{seen}");
    let (s, masked, _) = call(f, get("/api/v1/exports/accounts", &audit)).await;
    assert_eq!(s, StatusCode::OK);
    let masked = masked.as_str().unwrap();
    assert!(!masked.contains("张三丰") && masked.contains("张**"), "{masked}");
    assert!(masked.contains("350***********1234") && masked.contains("138****8000"), "{masked}");
    assert!(masked.contains("福州某商行"), "{masked}");

    // The cockpit's customer page lists it.
    let (s, html, _) = call(f, get(&format!("/customers/{id}"), &risk)).await;
    assert_eq!(s, StatusCode::OK);
    let html = html.as_str().unwrap();
    assert!(html.contains("id=\"held-accounts\"") && html.contains("E-LINK-1"), "{html}");
}
