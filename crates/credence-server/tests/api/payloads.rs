//! The JSON the main endpoints send, as reviewed snapshots (`insta`): a change in the wire
//! format, a field renamed, reordered, added or dropped, shows as a snapshot diff. Bodies
//! are kept in the order their fields arrive; time stamps, request ids and hashes of
//! time-stamped data differ from run to run and are redacted.

use std::fmt;

use axum::http::StatusCode;
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::json;

use crate::{Auth, Fixture, call, fixture, get, login, post, with_store};

/// A JSON value that keeps its object keys in the order they were sent.
enum Ordered {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    Text(String),
    List(Vec<Ordered>),
    Object(Vec<(String, Ordered)>),
}

impl<'de> Deserialize<'de> for Ordered {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(OrderedVisitor)
    }
}

struct OrderedVisitor;

impl<'de> Visitor<'de> for OrderedVisitor {
    type Value = Ordered;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("JSON")
    }

    fn visit_unit<E>(self) -> Result<Ordered, E> {
        Ok(Ordered::Null)
    }

    fn visit_none<E>(self) -> Result<Ordered, E> {
        Ok(Ordered::Null)
    }

    fn visit_bool<E>(self, v: bool) -> Result<Ordered, E> {
        Ok(Ordered::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Ordered, E> {
        Ok(Ordered::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Ordered, E> {
        Ok(Ordered::Number(v.into()))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Ordered, E> {
        serde_json::Number::from_f64(v).map(Ordered::Number).ok_or_else(|| E::custom("not a JSON number"))
    }

    fn visit_str<E>(self, v: &str) -> Result<Ordered, E> {
        Ok(Ordered::Text(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Ordered, E> {
        Ok(Ordered::Text(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Ordered, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element()? {
            out.push(v);
        }
        Ok(Ordered::List(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Ordered, A::Error> {
        let mut out = Vec::new();
        while let Some((k, v)) = map.next_entry()? {
            out.push((k, v));
        }
        Ok(Ordered::Object(out))
    }
}

impl Serialize for Ordered {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Ordered::Null => s.serialize_unit(),
            Ordered::Bool(b) => s.serialize_bool(*b),
            Ordered::Number(n) => n.serialize(s),
            Ordered::Text(t) => s.serialize_str(t),
            Ordered::List(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for i in items {
                    seq.serialize_element(i)?;
                }
                seq.end()
            }
            Ordered::Object(fields) => {
                let mut map = s.serialize_map(Some(fields.len()))?;
                for (k, v) in fields {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

/// Keys whose values change from run to run.
const VOLATILE_KEYS: [&str; 5] = ["request_id", "head_hash", "inputs_hash", "hash", "prev_hash"];

/// Whether text is an RFC 3339 time stamp (`2026-10-01T08:00:00Z`), not a plain date.
fn is_time_stamp(t: &str) -> bool {
    t.len() >= 20
        && t.as_bytes()[4] == b'-'
        && t.as_bytes()[10] == b'T'
        && chrono::DateTime::parse_from_rfc3339(t).is_ok()
}

impl Ordered {
    /// Replaces time stamps and the values of volatile keys with placeholders.
    fn redacted(self) -> Ordered {
        match self {
            Ordered::Text(t) if is_time_stamp(&t) => Ordered::Text("[time stamp]".into()),
            Ordered::List(items) => Ordered::List(items.into_iter().map(Ordered::redacted).collect()),
            Ordered::Object(fields) => Ordered::Object(
                fields
                    .into_iter()
                    .map(|(k, v)| {
                        let v = if VOLATILE_KEYS.contains(&k.as_str()) && !matches!(v, Ordered::Null) {
                            Ordered::Text(format!("[{k}]"))
                        } else {
                            v.redacted()
                        };
                        (k, v)
                    })
                    .collect(),
            ),
            other => other,
        }
    }
}

/// A response's status and its body in arrival order, redacted.
async fn payload(f: &Fixture, req: axum::http::Request<axum::body::Body>) -> (StatusCode, Ordered) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let response = credence_server::app(f.state.clone()).oneshot(req).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let body: Ordered = serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("{status}: not JSON ({e}): {}", String::from_utf8_lossy(&bytes)));
    (status, body.redacted())
}

/// Snapshots the body of a request that answers `expected`.
macro_rules! snapshot {
    ($f:expr, $name:literal, $req:expr, $expected:expr) => {{
        let (status, body) = payload($f, $req).await;
        assert_eq!(status, $expected, "{}", $name);
        insta::assert_json_snapshot!($name, body);
    }};
}

/// Warnings raised and the credit policy applied, as the nightly jobs would.
fn warned_and_controlled(f: &Fixture) {
    with_store(f, |store| {
        let as_of = chrono::NaiveDate::from_ymd_opt(2026, 9, 30).unwrap();
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
    });
}

/// The first customer of the list.
async fn first_customer(f: &Fixture, auth: &Auth) -> String {
    let (_, list, _) = call(f, get("/api/v1/customers?per_page=1", auth)).await;
    list["items"][0]["customer_id"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payloads_of_the_main_endpoints() {
    let f = fixture();
    warned_and_controlled(&f);
    let risk = login(&f, "risk").await;
    let boss = login(&f, "boss").await;
    let audit = login(&f, "audit").await;
    let id = first_customer(&f, &risk).await;
    let f = &f;
    let ok = StatusCode::OK;
    snapshot!(f, "customer_view", get(&format!("/api/v1/customers/{id}"), &risk), ok);
    snapshot!(
        f,
        "customer_view_records",
        get(&format!("/api/v1/customers/{id}?indicators=records"), &risk),
        ok
    );
    snapshot!(f, "customer_ratings", get(&format!("/api/v1/customers/{id}/ratings"), &risk), ok);
    snapshot!(f, "customer_standing", get(&format!("/api/v1/customers/{id}/standing"), &risk), ok);
    snapshot!(f, "customer_receivables", get(&format!("/api/v1/customers/{id}/receivables"), &risk), ok);
    snapshot!(f, "customer_relations", get(&format!("/api/v1/customers/{id}/relations"), &risk), ok);
    snapshot!(f, "portfolio_overview", get("/api/v1/portfolio", &risk), ok);
    snapshot!(f, "portfolio_positions", get("/api/v1/portfolio/positions?per_page=3", &risk), ok);
    snapshot!(f, "alerts", get("/api/v1/alerts?limit=3", &risk), ok);
    snapshot!(f, "cases", get("/api/v1/cases?limit=3", &risk), ok);
    let (_, cases, _) = call(f, get("/api/v1/cases?limit=1", &risk)).await;
    let case = cases[0]["id"].as_i64().unwrap();
    snapshot!(f, "case_detail", get(&format!("/api/v1/cases/{case}"), &risk), ok);
    snapshot!(f, "audit_page", get("/api/v1/audit?limit=3", &audit), ok);
    snapshot!(f, "limit_requests", get("/api/v1/limit-requests", &boss), ok);
    snapshot!(f, "rating_runs", get("/api/v1/rating-runs", &risk), ok);
    snapshot!(f, "groups", get("/api/v1/groups", &risk), ok);
    snapshot!(f, "aging", get("/api/v1/aging", &risk), ok);
    snapshot!(f, "worklist", get("/api/v1/worklist", &risk), ok);
    snapshot!(f, "audit_verify", get("/api/v1/audit/verify", &audit), ok);
    snapshot!(
        f,
        "order_check",
        post(
            "/api/v1/checks",
            &risk,
            json!({ "customer_id": id, "amount": "900000000.00", "order_ref": "SO-1" })
        ),
        ok
    );
    snapshot!(f, "blocked_orders", get("/api/v1/blocked-orders", &risk), ok);
    snapshot!(f, "error_not_found", get("/api/v1/customers/NO-SUCH-CUSTOMER", &risk), StatusCode::NOT_FOUND);
    snapshot!(
        f,
        "error_invalid_field",
        post("/api/v1/checks", &risk, json!({ "customer_id": id, "amount": "-5" })),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    snapshot!(
        f,
        "error_unknown_body_field",
        post("/api/v1/checks", &risk, json!({ "customer_id": id, "amount": "5", "colour": "red" })),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // A customer controlled by a person together with another customer: its ties, its
    // neighbourhood with links, and an order checked against its group's limit too.
    let member = "C0000220";
    snapshot!(f, "group_detail", get("/api/v1/groups/G-P000001", &risk), ok);
    snapshot!(f, "indicator_catalogue", get("/api/v1/indicators", &risk), ok);
    snapshot!(f, "rule_pack", get("/api/v1/rules", &risk), ok);
    snapshot!(f, "rules_performance", get("/api/v1/rules/performance", &risk), ok);
    snapshot!(
        f,
        "customer_relations_linked",
        get(&format!("/api/v1/customers/{member}/relations?hops=3"), &risk),
        ok
    );
    snapshot!(
        f,
        "order_check_in_group",
        post(
            "/api/v1/checks",
            &risk,
            json!({ "customer_id": member, "amount": "1000.00", "order_ref": "SO-2" })
        ),
        ok
    );
    // An override approved by a second person: in force on the page and in the history.
    crate::add(f, "sec", "security_admin", &[]);
    let sec = login(f, "sec").await;
    let grant = json!({ "authority": "rating_approver" });
    assert_eq!(call(f, post("/api/v1/users/boss/authorities", &sec, grant)).await.0, StatusCode::NO_CONTENT);
    let entered = json!({ "grade": "C", "reason": "fraud found", "approver": "boss" });
    let (_, pending, _) =
        call(f, post(&format!("/api/v1/customers/{id}/rating/override"), &risk, entered)).await;
    let request = pending["id"].as_i64().unwrap();
    let decision = json!({ "approve": true, "comment": "agreed" });
    let decided =
        call(f, post(&format!("/api/v1/rating-overrides/{request}/decision"), &boss, decision)).await;
    assert_eq!(decided.0, StatusCode::OK, "{}", decided.1);
    snapshot!(f, "customer_view_overridden", get(&format!("/api/v1/customers/{id}"), &risk), ok);
    // A record written back as it is, and one with an impossible date.
    let (_, records, _) = call(f, get(&format!("/api/v1/customers/{id}/records/customers"), &risk)).await;
    let row = records[0].clone();
    let rows = json!({ "rows": [row.clone()] });
    snapshot!(f, "import_unchanged", post("/api/v1/records/customers", &risk, rows), ok);
    let mut bad = row;
    bad["relationship_start"] = json!("2026-02-30");
    let rows = json!({ "rows": [bad] });
    snapshot!(
        f,
        "import_rejected",
        post("/api/v1/records/customers", &risk, rows),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // Limit requests decided: one approved in its only step, one passed on to the next.
    let (_, requests, _) = call(f, get("/api/v1/limit-requests", &boss)).await;
    let decide = async |n: usize, authority: &str| {
        let grant = json!({ "authority": authority });
        let granted = call(f, post("/api/v1/users/boss/authorities", &sec, grant)).await;
        assert_eq!(granted.0, StatusCode::NO_CONTENT, "{authority}: {}", granted.1);
        let id = requests[n]["id"].as_i64().unwrap();
        let decision = json!({ "approve": true, "comment": "agreed" });
        post(&format!("/api/v1/limit-requests/{id}/decision"), &boss, decision)
    };
    snapshot!(f, "limit_decision_approved", decide(0, "sales_manager").await, ok);
    snapshot!(f, "limit_decision_passed_on", decide(1, "credit_manager").await, ok);
}
