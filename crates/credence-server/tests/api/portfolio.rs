//! The portfolio: every figure adds up to the customers behind it, drill-downs list
//! exactly them, scope narrows aggregates, and the roles see what they may.

use super::*;

crate::on_both_databases!(portfolio_figures_add_up, portfolio_figures_add_up_on_postgres, portfolio_checks);

fn sum(list: &Value, field: &str) -> i64 {
    list.as_array().unwrap().iter().map(|x| x[field].as_i64().unwrap()).sum()
}

async fn portfolio_checks(f: &Fixture) {
    let risk = login(f, "risk").await;
    let (s, o, _) = call(f, get("/api/v1/portfolio", &risk)).await;
    assert_eq!(s, StatusCode::OK, "{o}");
    let t = &o["totals"];
    assert_eq!(t["customers"], 300);
    assert_eq!(o["as_of"], "2026-09-30");
    let exposure = t["exposure"].as_i64().unwrap();
    assert!(exposure > 0);
    // Every customer is in one level, one grade bar and one heat-map cell.
    assert_eq!(sum(&o["levels"], "customers"), 300);
    assert_eq!(sum(&o["levels"], "exposure"), exposure);
    assert_eq!(sum(&o["grades"], "customers"), 300);
    assert_eq!(sum(&o["heat"]["cells"], "customers"), 300);
    assert_eq!(sum(&o["heat"]["cells"], "exposure"), exposure);
    assert_eq!(o["overdue_trend"].as_array().unwrap().len(), 13, "12 month ends and the date");
    assert_eq!(o["pd_trend"].as_array().unwrap().len(), 1, "one rating date");
    assert_eq!(o["pd_trend"][0]["rated"], t["rated"]);
    // Drill-down: the customers behind a level tile and a heat-map cell.
    for tile in o["levels"].as_array().unwrap() {
        let level = tile["level"].as_str().unwrap();
        let (s, page, _) =
            call(f, get(&format!("/api/v1/portfolio/positions?level={level}&per_page=500"), &risk)).await;
        assert_eq!(s, StatusCode::OK, "{page}");
        assert_eq!(page["total"], tile["customers"], "{level}");
        assert_eq!(sum(&page["items"], "exposure"), tile["exposure"].as_i64().unwrap(), "{level}");
    }
    let cell = &o["heat"]["cells"][0];
    let uri = format!(
        "/api/v1/portfolio/positions?industry={}&region={}&per_page=500",
        cell["row"].as_str().unwrap(),
        encode(cell["column"].as_str().unwrap())
    );
    let (_, page, _) = call(f, get(&uri, &risk)).await;
    assert_eq!(page["total"], cell["customers"]);
    assert_eq!(sum(&page["items"], "exposure"), cell["exposure"].as_i64().unwrap());
    // The largest exposure is first, and its standing in the exposure book agrees.
    let (_, top, _) = call(f, get("/api/v1/portfolio/positions?per_page=3", &risk)).await;
    let first = &top["items"][0];
    assert_eq!(first["customer_id"], o["largest"][0]["customer_id"]);
    assert!(first["exposure"].as_i64() >= top["items"][1]["exposure"].as_i64());
    let id = first["customer_id"].as_str().unwrap();
    let (_, standing, _) = call(f, get(&format!("/api/v1/customers/{id}/standing"), &risk)).await;
    assert_eq!(standing["exposure"], first["exposure"], "{standing}");
    // Expected loss is PD × 45% × exposure summed: check it from the positions.
    let (_, all, _) = call(f, get("/api/v1/portfolio/positions?per_page=500", &risk)).await;
    let el: i64 = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| Some((p["pd"].as_f64()? * 0.45 * p["exposure"].as_i64()? as f64).round() as i64))
        .sum();
    assert_eq!(t["expected_loss"].as_i64().unwrap(), el);
    // A scoped analyst's portfolio is exactly its business line's customers.
    let line = first["business_line"].as_str().unwrap().to_owned();
    add(f, "line", "credit_analyst", &[&line]);
    let analyst = login(f, "line").await;
    let (_, mine, _) = call(f, get("/api/v1/portfolio", &analyst)).await;
    let (_, listed, _) =
        call(f, get(&format!("/api/v1/customers?per_page=1&business_line={line}"), &risk)).await;
    assert_eq!(mine["totals"]["customers"], listed["total"]);
    let (_, line_view, _) = call(f, get(&format!("/api/v1/portfolio?business_line={line}"), &risk)).await;
    assert_eq!(mine["totals"], line_view["totals"], "scope and filter select the same customers");
    // Roles: the system administrator sees no portfolio (no administrative role does);
    // sales see none either.
    let admin = login(f, "admin").await;
    assert_eq!(call(f, get("/api/v1/portfolio", &admin)).await.0, StatusCode::FORBIDDEN);
    assert_eq!(call(f, get("/api/v1/portfolio/positions", &admin)).await.0, StatusCode::FORBIDDEN);
    let sales = login(f, "sales").await;
    assert_eq!(call(f, get("/api/v1/portfolio", &sales)).await.0, StatusCode::FORBIDDEN);
    // Bad filters are named.
    let (s, b, _) = call(f, get("/api/v1/portfolio?level=purple", &risk)).await;
    assert_eq!((s, b["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("level")));
    let (s, b, _) = call(f, get("/api/v1/portfolio/positions?sort=colour", &risk)).await;
    assert_eq!((s, b["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("sort")));
    let (s, b, _) = call(f, get("/api/v1/portfolio?heat=planet", &risk)).await;
    assert_eq!((s, b["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("heat")));
}

/// Percent-encodes a query value (regions are Chinese).
pub(crate) fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

crate::on_both_databases!(customer_pages_and_groups, customer_pages_and_groups_on_postgres, customer_checks);

async fn customer_checks(f: &Fixture) {
    let risk = login(f, "risk").await;
    let audit = login(f, "audit").await;
    let (_, list, _) = call(f, get("/api/v1/customers?per_page=1", &risk)).await;
    let id = list["items"][0]["customer_id"].as_str().unwrap().to_owned();
    // The page reads the indicators stored with the rating; with `records` they are
    // computed with trends, the same values.
    let (s, page, _) = call(f, get(&format!("/api/v1/customers/{id}"), &risk)).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    let (_, fresh, _) = call(f, get(&format!("/api/v1/customers/{id}?indicators=records"), &risk)).await;
    let values = |p: &Value| -> Vec<(String, Value)> {
        p["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| (l["id"].as_str().unwrap().to_owned(), l["value"].clone()))
            .collect()
    };
    assert_eq!(values(&page), values(&fresh));
    assert!(page["indicators"].as_array().unwrap().iter().all(|l| l["trend"].is_null()));
    assert!(fresh["indicators"].as_array().unwrap().iter().any(|l| !l["trend"].is_null()));
    assert_eq!(page["rating"]["rating"]["customer_id"], id.as_str());
    let (s, b, _) = call(f, get(&format!("/api/v1/customers/{id}?indicators=guess"), &risk)).await;
    assert_eq!((s, b["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("indicators")));
    // Open invoices by bucket add up to the position's receivables.
    let (s, open, _) = call(f, get(&format!("/api/v1/customers/{id}/receivables"), &risk)).await;
    assert_eq!(s, StatusCode::OK, "{open}");
    let by_bucket: i64 = open["buckets"].as_array().unwrap().iter().map(|b| b[1].as_i64().unwrap()).sum();
    let items: i64 = sum(&open["items"], "open");
    assert_eq!(by_bucket, items);
    let (_, position, _) =
        call(f, get("/api/v1/portfolio/positions?per_page=500&sort=customer_id", &risk)).await;
    let p = position["items"].as_array().unwrap().iter().find(|p| p["customer_id"] == id.as_str()).unwrap();
    assert_eq!(p["receivables"].as_i64().unwrap(), items);
    // A customer's records of a kind; events carry their dates.
    let (s, events, _) = call(f, get(&format!("/api/v1/customers/{id}/records/statements"), &risk)).await;
    assert_eq!(s, StatusCode::OK, "{events}");
    assert!(events.as_array().unwrap().iter().all(|e| e["customer_id"] == id.as_str()));
    assert_eq!(
        call(f, get(&format!("/api/v1/customers/{id}/records/moods"), &risk)).await.0,
        StatusCode::NOT_FOUND
    );
    let sales = login(f, "sales").await;
    assert_eq!(
        call(f, get(&format!("/api/v1/customers/{id}/records/statements"), &sales)).await.0,
        StatusCode::FORBIDDEN,
        "statements are financials"
    );

    // Groups: listed largest first; one in full; a member's ties and neighbourhood.
    let (s, groups, _) = call(f, get("/api/v1/groups?limit=5", &risk)).await;
    assert_eq!(s, StatusCode::OK, "{groups}");
    assert!(groups["total"].as_u64().unwrap() > 0, "the demo has groups");
    let g = &groups["groups"][0];
    let gid = g["id"].as_str().unwrap();
    let (s, detail, _) = call(f, get(&format!("/api/v1/groups/{gid}"), &risk)).await;
    assert_eq!(s, StatusCode::OK, "{detail}");
    assert_eq!(detail["exposure"]["exposure"], g["exposure"]["exposure"]);
    let member_exposure: i64 = sum(&detail["members"], "exposure");
    assert_eq!(member_exposure, g["exposure"]["exposure"].as_i64().unwrap());
    let member = detail["members"][0]["customer"].as_str().unwrap();
    let (s, rel, _) = call(f, get(&format!("/api/v1/customers/{member}/relations"), &risk)).await;
    assert_eq!(s, StatusCode::OK, "{rel}");
    assert_eq!(rel["ties"]["group"][0], gid);
    assert_eq!(rel["neighbourhood"]["center"], member);
    assert!(rel["neighbourhood"]["nodes"].as_array().unwrap().iter().any(|n| n["id"] == member));
    // People in the graph are masked for the auditor.
    let (_, masked, _) = call(f, get(&format!("/api/v1/customers/{member}/relations"), &audit)).await;
    let people = |r: &Value| -> Vec<String> {
        r["neighbourhood"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["customer"] == false)
            .filter_map(|n| n["name"].as_str().map(str::to_owned))
            .collect()
    };
    for (seen, hidden) in people(&rel).iter().zip(people(&masked)) {
        assert_eq!(hidden, credence_server::access::mask_name(seen));
    }
    assert_eq!(call(f, get("/api/v1/groups/G-NOPE", &risk)).await.0, StatusCode::NOT_FOUND);
    let sales = login(f, "sales").await;
    assert_eq!(call(f, get("/api/v1/groups", &sales)).await.0, StatusCode::FORBIDDEN);
    let (s, b, _) = call(f, get(&format!("/api/v1/customers/{member}/relations?hops=9"), &risk)).await;
    assert_eq!((s, b["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("hops")));
}
