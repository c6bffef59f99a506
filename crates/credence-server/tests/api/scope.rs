//! The data scope on writes and reads: a user of one business line can neither change nor
//! see another line's customers through the records it writes, the relationship graph or
//! warning evidence.

use super::*;
use credence_records::Kind;

crate::on_both_databases!(
    writes_stay_inside_the_scope,
    writes_stay_inside_the_scope_on_postgres,
    writes_stay_inside_the_scope_scenario
);

/// Two business lines of the demo, and for each a customer that has invoices.
struct Lines {
    mine: String,
    theirs: String,
    my_customer: String,
    their_customer: String,
}

fn two_lines(f: &Fixture) -> Lines {
    with_store(f, |s| {
        let mut with_invoices = std::collections::HashSet::new();
        s.for_each_record(Kind::Invoices, |r| {
            with_invoices.insert(r.text("customer_id").unwrap().to_owned());
            Ok(())
        })
        .unwrap();
        let mut by_line: std::collections::BTreeMap<String, String> = Default::default();
        s.for_each_record(Kind::Customers, |c| {
            let id = c.text("customer_id").unwrap();
            if with_invoices.contains(id) {
                by_line.entry(c.text("business_line").unwrap().to_owned()).or_insert_with(|| id.to_owned());
            }
            Ok(())
        })
        .unwrap();
        let mut lines = by_line.into_iter();
        let (mine, my_customer) = lines.next().unwrap();
        let (theirs, their_customer) = lines.next().unwrap();
        Lines { mine, theirs, my_customer, their_customer }
    })
}

/// A stored record as the API's row (field → value).
async fn row_of(f: &Fixture, auth: &Auth, customer: &str, kind: &str) -> Value {
    let (s, rows, _) = call(f, get(&format!("/api/v1/customers/{customer}/records/{kind}"), auth)).await;
    assert_eq!(s, StatusCode::OK, "{rows}");
    rows[0].clone()
}

/// A refused write: 422 with nothing written and the first diagnostic's (column, rule, value).
async fn refused(f: &Fixture, auth: &Auth, uri: &str, body: Value) -> (String, String, String) {
    let (s, b, _) = call(f, post(uri, auth, body)).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("rejected")), "{b}");
    let d = &b["details"]["diagnostics"][0];
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    (text(&d["column"]), text(&d["rule"]["code"]), text(&d["value"]))
}

async fn writes_stay_inside_the_scope_scenario(f: &Fixture) {
    let l = two_lines(f);
    let risk = login(f, "risk").await;
    add(f, "analyst", "credit_analyst", &[&l.mine]);
    let analyst = login(f, "analyst").await;
    let stored = |kind: Kind, key: &str| with_store(f, |s| s.record(kind, key).unwrap().unwrap());

    // Another line's invoice re-pointed to one of my customers and set to 1.00.
    let invoice = row_of(f, &risk, &l.their_customer, "invoices").await;
    let invoice_no = invoice["invoice_no"].as_str().unwrap().to_owned();
    let before = stored(Kind::Invoices, &invoice_no);
    let mut moved = invoice.clone();
    moved["customer_id"] = json!(l.my_customer);
    moved["amount"] = json!("1.00");
    let refusal = refused(f, &analyst, "/api/v1/records/invoices", json!({ "rows": [moved.clone()] })).await;
    assert_eq!(refusal, ("invoice_no".into(), "L16".into(), invoice_no.clone()));
    assert_eq!(stored(Kind::Invoices, &invoice_no), before, "the invoice is untouched");

    // The same row in an uploaded file.
    let header: Vec<&str> = Kind::Invoices.schema().fields.iter().map(|f| f.name).collect();
    let cells: Vec<String> =
        header.iter().map(|h| moved.get(*h).and_then(Value::as_str).unwrap_or_default().to_owned()).collect();
    let file = format!("{}\n{}\n", header.join(","), cells.join(","));
    let req = analyst
        .apply(
            Request::post("/api/v1/imports/invoices?filename=invoices.csv")
                .header(header::CONTENT_TYPE, "application/octet-stream"),
        )
        .body(Body::from(file))
        .unwrap();
    let (s, b, _) = call(f, req).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(b["details"]["diagnostics"][0]["rule"]["code"], "L16", "{b}");
    assert_eq!(stored(Kind::Invoices, &invoice_no), before);

    // With skip_invalid the row goes to the rejects and a row in scope is written.
    let mut mine = row_of(f, &risk, &l.my_customer, "invoices").await;
    mine["contract_no"] = json!("K-CHECKED");
    let (s, b, _) = call(
        f,
        post("/api/v1/records/invoices", &analyst, json!({ "rows": [moved, mine], "skip_invalid": true })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!((b["rejected_rows"].as_u64(), b["updated"].as_u64()), (Some(1), Some(1)), "{b}");
    assert_eq!(stored(Kind::Invoices, &invoice_no), before);

    // A customer of mine moved out of my line, and one of theirs moved into it.
    let customer = row_of(f, &risk, &l.my_customer, "customers").await;
    let mut out = customer.clone();
    out["business_line"] = json!(l.theirs);
    let refusal = refused(f, &analyst, "/api/v1/records/customers", json!({ "rows": [out] })).await;
    assert_eq!(refusal, ("business_line".into(), "L16".into(), l.theirs.clone()));
    let their = row_of(f, &risk, &l.their_customer, "customers").await;
    let mut into = their.clone();
    into["business_line"] = json!(l.mine);
    let refusal = refused(f, &analyst, "/api/v1/records/customers", json!({ "rows": [into] })).await;
    assert_eq!(refusal, ("customer_id".into(), "L16".into(), l.their_customer.clone()));
    let (line, _) = with_store(f, |s| {
        let c = s.record(Kind::Customers, &l.their_customer).unwrap().unwrap();
        (c.text("business_line").unwrap().to_owned(), ())
    });
    assert_eq!(line, l.theirs, "their customer stays in their line");
    // A new customer placed in another line.
    let mut new = customer.clone();
    new["customer_id"] = json!("C9000001");
    new["business_line"] = json!(l.theirs);
    new["uscc"] = Value::Null;
    new["registration_no"] = json!("REG-9000001");
    let refusal = refused(f, &analyst, "/api/v1/records/customers", json!({ "rows": [new] })).await;
    assert_eq!(refusal, ("business_line".into(), "L16".into(), l.theirs.clone()));
    assert!(with_store(f, |s| s.record(Kind::Customers, "C9000001").unwrap()).is_none());

    // An event for a customer outside the scope: the customer is unknown to the writer,
    // exactly as an id that does not exist.
    let event = json!({ "customer_id": l.their_customer, "event_type": "lawsuit_defendant",
        "event_date": "2026-09-01", "reference": "X-1", "source": "court", "description": "claim" });
    let (column, rule, value) =
        refused(f, &analyst, "/api/v1/records/events", json!({ "rows": [event] })).await;
    assert_eq!((column.as_str(), rule.as_str(), value), ("customer_id", "L06", l.their_customer.clone()));

    // Inside the scope writes go on as before.
    let mut renamed = customer.clone();
    renamed["name"] = json!("闽江新材料有限公司");
    let (s, b, _) = call(f, post("/api/v1/records/customers", &analyst, json!({ "rows": [renamed] }))).await;
    assert_eq!((s, b["updated"].as_u64()), (StatusCode::OK, Some(1)), "{b}");
}

crate::on_both_databases!(
    relations_show_no_one_outside_the_scope,
    relations_show_no_one_outside_the_scope_on_postgres,
    relations_scenario
);

/// A holding or guarantee between customers of two different business lines:
/// (from customer, its line, to customer, its name).
fn cross_line_link(f: &Fixture) -> (String, String, String, String) {
    with_store(f, |s| {
        let mut customers = std::collections::HashMap::new();
        s.for_each_record(Kind::Customers, |c| {
            let id = c.text("customer_id").unwrap().to_owned();
            customers.insert(
                id,
                (c.text("business_line").unwrap().to_owned(), c.text("name").unwrap().to_owned()),
            );
            Ok(())
        })
        .unwrap();
        let mut found = None;
        s.for_each_record(Kind::Relationships, |r| {
            let (from, to) = (r.text("from_party").unwrap(), r.text("to_party").unwrap());
            if found.is_none()
                && r.text("end_date").is_none()
                && let (Some((a, _)), Some((b, name))) = (customers.get(from), customers.get(to))
                && a != b
            {
                found = Some((from.to_owned(), a.clone(), to.to_owned(), name.clone()));
            }
            Ok(())
        })
        .unwrap();
        found.expect("the demo links customers of different lines")
    })
}

async fn relations_scenario(f: &Fixture) {
    let (from, line, to, to_name) = cross_line_link(f);
    add(f, "lineanalyst", "credit_analyst", &[&line]);
    add(f, "lineaccount", "account_manager", &[&line]);
    let risk = login(f, "risk").await;
    let uri = format!("/api/v1/customers/{from}/relations");
    let (s, whole, _) = call(f, get(&uri, &risk)).await;
    assert_eq!(s, StatusCode::OK, "{whole}");
    assert!(whole.to_string().contains(&to), "the whole portfolio sees the link to {to}");

    for (user, group_read) in [("lineanalyst", true), ("lineaccount", false)] {
        let auth = login(f, user).await;
        let (s, b, _) = call(f, get(&uri, &auth)).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let text = b.to_string();
        assert!(!text.contains(&format!("\"{to}\"")), "{user} sees {to}: {text}");
        assert!(!text.contains(&to_name), "{user} sees {to_name}: {text}");
        let outside: Vec<&Value> = b["neighbourhood"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["id"].as_str().unwrap().starts_with("outside-"))
            .collect();
        assert!(!outside.is_empty(), "{text}");
        assert_eq!(b["parties_outside_scope"].as_u64(), Some(outside.len() as u64));
        assert!(outside.iter().all(|n| n.get("name").is_none()), "{text}");
        for e in b["neighbourhood"]["edges"].as_array().unwrap() {
            let anonymous =
                [&e["from"], &e["to"]].iter().any(|p| p.as_str().unwrap().starts_with("outside-"));
            if anonymous || !group_read {
                assert!(e.get("share_pct").is_none() && e.get("amount").is_none(), "{user}: {e}");
            }
        }
        assert_eq!(b.get("ties").is_some(), group_read, "{user}: ties only with group.read: {text}");
        // The cockpit's customer page draws the same cut graph.
        let (s, page, _) = call(f, get(&format!("/customers/{from}"), &auth)).await;
        assert_eq!(s, StatusCode::OK);
        let page = page.as_str().unwrap();
        assert!(!page.contains(&to_name) && !page.contains(&format!("/customers/{to}\"")), "{user}");
    }
    assert_eq!(whole["parties_outside_scope"], 0);
    // The other customer itself is not found.
    let auth = login(f, "lineanalyst").await;
    assert_eq!(
        call(f, get(&format!("/api/v1/customers/{to}/relations"), &auth)).await.0,
        StatusCode::NOT_FOUND
    );
}

crate::on_both_databases!(
    evidence_withholds_what_the_caller_may_not_see,
    evidence_withholds_what_the_caller_may_not_see_on_postgres,
    evidence_scenario
);

/// Every reading in an alert's evidence: (quantity, value).
fn readings(alert: &Value) -> Vec<(String, Value)> {
    fn walk(v: &Value, out: &mut Vec<(String, Value)>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::Array(rs)) = m.get("readings") {
                    for r in rs {
                        out.push((r["quantity"].as_str().unwrap().to_owned(), r["value"].clone()));
                    }
                }
                m.values().for_each(|c| walk(c, out));
            }
            Value::Array(a) => a.iter().for_each(|c| walk(c, out)),
            _ => {}
        }
    }
    let evidence: Value = serde_json::from_str(alert["evidence"].as_str().unwrap()).unwrap();
    let mut out = Vec::new();
    walk(&evidence, &mut out);
    out
}

async fn evidence_scenario(f: &Fixture) {
    let risk = login(f, "risk").await;
    let (s, started, _) =
        call(f, post("/api/v1/runs", &risk, json!({ "kind": "warnings", "scope": "all" }))).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{started}");
    assert!(finished_run(f, &risk, started["run"].as_str().unwrap()).await.starts_with("ok"));
    let financial: std::collections::HashSet<String> =
        credence_engine::types::indicators::Catalogue::builtin()
            .indicators()
            .iter()
            .filter(|d| d.group == credence_engine::types::indicators::Group::Financial)
            .map(|d| d.id.clone())
            .collect();
    let indicator =
        |q: &str| q.trim_start_matches("poor(").trim_start_matches("good(").trim_end_matches(')').to_owned();
    // "sales" is an account manager (no financials.read) with dso hidden.
    let withheld = |q: &str| financial.contains(&indicator(q)) || indicator(q) == "dso";
    let (_, all, _) = call(f, get("/api/v1/alerts?limit=500", &risk)).await;
    let revealing: Vec<&Value> =
        all.as_array().unwrap().iter().filter(|a| readings(a).iter().any(|(q, _)| withheld(q))).collect();
    assert!(!revealing.is_empty(), "the run raised alerts on financial indicators");
    assert!(readings(revealing[0]).iter().all(|(_, v)| v.is_number()), "the risk manager sees the values");

    let sales = login(f, "sales").await;
    let (_, seen, _) = call(f, get("/api/v1/alerts?limit=500", &sales)).await;
    let mut checked = 0;
    for a in seen.as_array().unwrap() {
        for (q, v) in readings(a) {
            if withheld(&q) {
                assert!(v.is_null(), "alert {}: {q} = {v}", a["id"]);
                checked += 1;
            } else {
                assert!(v.is_number(), "alert {}: {q} is not withheld", a["id"]);
            }
        }
    }
    assert!(checked > 0);
    let id = revealing[0]["id"].as_i64().unwrap();
    let (s, one, _) = call(f, get(&format!("/api/v1/alerts/{id}"), &sales)).await;
    assert_eq!(s, StatusCode::OK);
    let evidence: Value = serde_json::from_str(one["evidence"].as_str().unwrap()).unwrap();
    assert_eq!(evidence["withheld"], true);
    let original: Value = serde_json::from_str(revealing[0]["evidence"].as_str().unwrap()).unwrap();
    assert_ne!(evidence["text_en"], original["text_en"], "the sentence quoting the values is withheld");
    assert!(readings(&one).iter().filter(|(q, _)| withheld(q)).all(|(_, v)| v.is_null()));
    // The same alert inside its case.
    let (_, cases, _) = call(f, get("/api/v1/cases?limit=1000", &risk)).await;
    for case in cases.as_array().unwrap() {
        let (_, view, _) = call(f, get(&format!("/api/v1/cases/{}", case["id"]), &sales)).await;
        for a in view["alerts"].as_array().unwrap() {
            assert!(
                readings(a).iter().filter(|(q, _)| withheld(q)).all(|(_, v)| v.is_null()),
                "case {}",
                case["id"]
            );
        }
    }
}

/// Group membership is group data: positions name a customer's group only to callers with
/// `group.read`, and only they may select by group.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn positions_name_groups_only_with_group_read() {
    let f = fixture();
    add(&f, "fin", "finance", &[]);
    let risk = login(&f, "risk").await;
    let uri = "/api/v1/portfolio/positions?per_page=500";
    let (_, all, _) = call(&f, get(uri, &risk)).await;
    let grouped: Vec<&Value> =
        all["items"].as_array().unwrap().iter().filter(|p| p["group_id"].is_string()).collect();
    assert!(!grouped.is_empty(), "the demo has groups");
    let fin = login(&f, "fin").await;
    let (s, seen, _) = call(&f, get(uri, &fin)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(seen["total"], all["total"]);
    let named: Vec<&Value> =
        seen["items"].as_array().unwrap().iter().filter(|p| !p["group_id"].is_null()).collect();
    assert!(named.is_empty(), "finance sees groups: {:?}", named.first());
    let group = grouped[0]["group_id"].as_str().unwrap();
    let by_group = format!("/api/v1/portfolio/positions?group={group}");
    assert_eq!(call(&f, get(&by_group, &fin)).await.0, StatusCode::FORBIDDEN);
    assert_eq!(call(&f, get(&by_group, &risk)).await.0, StatusCode::OK);
    let (_, overview, _) = call(&f, get("/api/v1/portfolio", &fin)).await;
    assert!(
        overview["concentration"]["largest_group"].is_null(),
        "{}",
        overview["concentration"]["largest_group"]
    );
    let (_, overview, _) = call(&f, get("/api/v1/portfolio", &risk)).await;
    assert!(overview["concentration"]["largest_group"][0].is_string());
    assert_eq!(
        call(&f, get(&format!("/api/v1/portfolio?group={group}"), &fin)).await.0,
        StatusCode::FORBIDDEN
    );
}
