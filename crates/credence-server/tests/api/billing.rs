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
    for path in ["/api/v1/billing/grading", "/api/v1/billing/grades", "/api/v1/billing/requests"] {
        assert_eq!(call(f, get(path, &narrow)).await.0, StatusCode::FORBIDDEN, "{path}");
    }
}
