//! The same store behaviour on SQLite and PostgreSQL: each test runs once per backend.
//!
//! PostgreSQL tests use `CREDENCE_TEST_POSTGRES_URL`, or the local server
//! (`postgres://postgres@127.0.0.1:5432/test`) when `CI=true`; otherwise they are skipped
//! with a message on the terminal. Each test gets its own schema, dropped afterwards.

use credence_records::{Kind, Record, StoredFacts, Value};
use credence_store::{CustomerHead, NewImportRun, Outcome, Store, StoreError, Wanted};
use std::io::Write;
use std::sync::atomic::{AtomicU32, Ordering};

fn pg_url() -> Option<String> {
    std::env::var("CREDENCE_TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty()).or_else(|| {
        (std::env::var("CI").as_deref() == Ok("true"))
            .then(|| "postgres://postgres@127.0.0.1:5432/test".to_owned())
    })
}

/// A fresh store and what to clean up after it.
struct Fixture {
    store: Store,
    _dir: Option<tempfile::TempDir>,
    pg_schema: Option<(String, String)>,
}

impl Drop for Fixture {
    fn drop(&mut self) {
        if let Some((url, schema)) = &self.pg_schema
            && let Ok(mut c) = postgres::Client::connect(url, postgres::NoTls)
        {
            let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"));
        }
    }
}

fn sqlite() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("t.db").to_str().unwrap()).unwrap();
    Fixture { store, _dir: Some(dir), pg_schema: None }
}

fn postgres() -> Option<Fixture> {
    static N: AtomicU32 = AtomicU32::new(0);
    let Some(url) = pg_url() else {
        let _ = writeln!(
            std::io::stderr(),
            "skipping PostgreSQL conformance test: set CREDENCE_TEST_POSTGRES_URL (or CI=true for 127.0.0.1:5432/test)"
        );
        return None;
    };
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
    let schema = format!("t_{}_{}_{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst), nanos);
    let store = Store::open_postgres(&url, Some(&schema))
        .expect("PostgreSQL is configured for tests but not reachable");
    Some(Fixture { store, _dir: None, pg_schema: Some((url, schema)) })
}

macro_rules! conformance {
    ($($name:ident),+ $(,)?) => {
        mod on_sqlite { $( #[test] fn $name() { super::$name(&mut super::sqlite()); } )+ }
        mod on_postgres { $( #[test] fn $name() { if let Some(mut f) = super::postgres() { super::$name(&mut f); } } )+ }
    };
}

conformance!(
    shared_run_parts_are_claimed_once_and_finish_the_run_once,
    tables_match_record_kinds,
    upsert_inserts_then_leaves_unchanged_then_updates_with_history,
    dropped_session_leaves_nothing,
    facts_see_rows_written_in_the_same_transaction,
    billing_ledgers_come_back_an_account_at_a_time,
    grading_runs_and_billing_requests_round_trip,
    staged_records_are_written_a_batch_at_a_time,
    a_bulk_import_refreshes_the_planner_statistics,
    values_round_trip_with_their_types,
    awkward_values_survive_the_bulk_path,
    edited_migration_is_refused,
    instances_starting_together_all_migrate,
    a_backup_restores_the_database_it_copied,
    wipe_removes_everything,
    customer_files_stream_each_customers_records,
    data_versions_follow_the_newest_import,
    ratings_are_appended_with_overrides_and_benchmarks,
    an_abandoned_rating_run_leaves_nothing,
    warning_state_round_trips_and_one_alert_stays_open_per_rule,
    evidence_and_causes_are_stored_packed_and_read_back_plain,
    audit_chain_detects_edits_deletions_and_truncation,
    models_register_once_per_version_and_runs_keep_their_scores,
    disputes_are_resolved_once,
    users_tokens_sessions_and_job_claims,
);

#[path = "conformance/audit.rs"]
mod audit;

fn run(kind: &str) -> NewImportRun {
    NewImportRun {
        kind: kind.into(),
        source: "test.csv".into(),
        source_hash: "0".into(),
        mode: "strict".into(),
        as_of: "2026-09-30".into(),
        started_at: "2026-10-01T08:00:00Z".into(),
    }
}

fn customer(id: &str, name: &str) -> Record {
    let mut r = Record::empty(Kind::Customers);
    r.set("customer_id", id)
        .set("name", name)
        .set("uscc", "91350100M000100Y43")
        .set("customer_type", "sme")
        .set("industry", "C")
        .set("region", "福建")
        .set("org_unit", "east")
        .set("business_line", "machinery")
        .set("monitoring_tier", "core")
        .set("relationship_start", "2019-04-01")
        .set("employees", 180_i64);
    r
}

fn invoice(no: &str, customer: &str, amount: i64) -> Record {
    let mut r = Record::empty(Kind::Invoices);
    r.set("invoice_no", no)
        .set("customer_id", customer)
        .set("issue_date", "2026-08-15")
        .set("due_date", "2026-10-14")
        .set("amount", amount)
        .set("currency", "CNY");
    r
}

fn payment(id: &str, invoice_no: &str, amount: i64) -> Record {
    let mut r = Record::empty(Kind::Payments);
    r.set("payment_id", id)
        .set("customer_id", "C1")
        .set("invoice_no", invoice_no)
        .set("payment_date", "2026-09-01")
        .set("amount", amount)
        .set("currency", "CNY");
    r
}

fn account(id: &str) -> Record {
    let mut r = Record::empty(Kind::Accounts);
    r.set("account_id", id)
        .set("account_class", "non_residential")
        .set("supply_unit", "FZ-01")
        .set("settlement", "postpaid")
        .set("credit_limit", 500_000_i64)
        .set("currency", "CNY")
        .set("opened_date", "2024-01-15");
    r
}

fn bill(id: &str, account: &str, issued: &str, due: &str, amount: i64) -> Record {
    let mut r = Record::empty(Kind::Bills);
    r.set("bill_id", id)
        .set("account_id", account)
        .set("issue_date", issued)
        .set("due_date", due)
        .set("amount", amount)
        .set("currency", "CNY")
        .set("consumption_kwh", 1250.5);
    r
}

fn bill_payment(id: &str, account: &str, bill: Option<&str>, paid: &str, amount: i64) -> Record {
    let mut r = Record::empty(Kind::BillPayments);
    r.set("payment_id", id)
        .set("account_id", account)
        .set("paid_date", paid)
        .set("amount", amount)
        .set("currency", "CNY");
    if let Some(b) = bill {
        r.set("bill_id", b);
    }
    r
}

/// Accounts come back with their bills by issue date and payments by date, whatever the
/// order they were imported in; an account without bills comes back too, after those
/// with. Look-ups see staged accounts and bills, and name the bill's account.
fn billing_ledgers_come_back_an_account_at_a_time(f: &mut Fixture) {
    let store = &mut f.store;
    let mut s = store.begin_import(run("all")).unwrap();
    assert!(!s.account_exists("A2").unwrap());
    for (id, holder) in [("A2", Some("C2")), ("A1", None), ("A3", Some("C2")), ("A4", Some("C3"))] {
        let mut a = account(id);
        if let Some(c) = holder {
            a.set("customer_id", c);
        }
        if id == "A3" {
            a.set("supply_unit", "FZ-02");
        }
        s.stage(&a).unwrap();
    }
    assert!(s.account_exists("A2").unwrap());
    s.stage(&bill("B2-02", "A2", "2026-02-28", "2026-03-20", 20_000)).unwrap();
    s.stage(&bill("B1-01", "A1", "2026-01-31", "2026-02-20", 10_000)).unwrap();
    s.stage(&bill("B2-01", "A2", "2026-01-31", "2026-02-20", 30_000)).unwrap();
    let facts = s.bill("B2-01").unwrap().unwrap();
    assert_eq!(
        (facts.account_id.as_str(), facts.issue_date.as_str(), facts.currency.as_str()),
        ("A2", "2026-01-31", "CNY")
    );
    assert!(s.bill("B9").unwrap().is_none());
    s.stage(&bill_payment("P2", "A2", None, "2026-03-01", 25_000)).unwrap();
    s.stage(&bill_payment("P1", "A2", Some("B2-01"), "2026-02-15", 5_000)).unwrap();
    s.commit(0, 0, &"t".into()).unwrap();

    let mut seen = Vec::new();
    store
        .for_each_account_ledger(|l| {
            seen.push(l);
            Ok(())
        })
        .unwrap();
    let ids: Vec<&str> = seen.iter().map(|l| l.account.account_id.as_str()).collect();
    assert_eq!(ids, ["A1", "A2", "A3", "A4"]);
    let a2 = &seen[1];
    assert_eq!(a2.account.credit_limit, Some(500_000));
    assert_eq!(a2.account.opened, chrono::NaiveDate::from_ymd_opt(2024, 1, 15));
    let bills: Vec<(&str, i64)> = a2.bills.iter().map(|b| (b.bill_id.as_str(), b.amount)).collect();
    assert_eq!(bills, [("B2-01", 30_000), ("B2-02", 20_000)]);
    assert_eq!(a2.bills[0].consumption_kwh, Some(1250.5));
    let paid: Vec<(String, i64, Option<&str>)> =
        a2.payments.iter().map(|p| (p.paid.to_string(), p.amount, p.bill_id.as_deref())).collect();
    assert_eq!(paid, [("2026-02-15".into(), 5_000, Some("B2-01")), ("2026-03-01".into(), 25_000, None)]);
    assert!(seen[2].bills.is_empty() && seen[2].payments.is_empty());

    // The accounts customers hold, by customer id range: C2 holds A2 (with its ledger)
    // and A3; C3 (outside the range) and the household account A1 are not given.
    let held = store.ledgers_held_by(("C1", "C2")).unwrap();
    assert_eq!(held.len(), 1);
    let c2: Vec<(&str, usize, usize)> =
        held["C2"].iter().map(|l| (l.account.account_id.as_str(), l.bills.len(), l.payments.len())).collect();
    assert_eq!(c2, [("A2", 2, 2), ("A3", 0, 0)]);
    assert_eq!(held["C2"][0], *a2);
    assert!(store.ledgers_held_by(("C4", "C9")).unwrap().is_empty());

    // A supply unit's accounts, with their ledgers.
    let mut unit = Vec::new();
    store
        .for_each_unit_ledger("FZ-01", |l| {
            unit.push((l.account.account_id.clone(), l.bills.len()));
            Ok(())
        })
        .unwrap();
    assert_eq!(unit, [("A1".to_owned(), 1), ("A2".to_owned(), 2), ("A4".to_owned(), 0)]);
    let mut none = 0;
    store
        .for_each_unit_ledger("FZ-99", |_| {
            none += 1;
            Ok(())
        })
        .unwrap();
    assert_eq!(none, 0);

    // A writer with a narrower scope writes no billing record and sees none.
    let scope = credence_domain::CustomerScope { customers: vec!["C1".into()], ..Default::default() };
    let mut s = store.begin_scoped_import(run("bills"), scope).unwrap();
    assert!(!s.account_exists("A1").unwrap());
    assert!(s.bill("B1-01").unwrap().is_none());
    match s.stage(&bill("B1-02", "A1", "2026-02-28", "2026-03-20", 10_000)) {
        Err(credence_store::StoreError::OutsideScope(r)) => {
            assert_eq!(r.reason, credence_store::ScopeReason::WholePortfolioOnly);
            assert_eq!(
                r.to_string(),
                "bill_id 'B1-02': bills are written by a user whose data scope is the whole portfolio"
            );
        }
        other => panic!("{other:?}"),
    }
}

/// A grading run keeps its grades with their figures; the riskiest forecast comes first
/// and the filters hold. A new request supersedes an account's pending one, a decision
/// that settles a request puts its terms in force, and the same account's next approved
/// terms replace them.
fn grading_runs_and_billing_requests_round_trip(f: &mut Fixture) {
    use credence_store::{
        AccountGrade, BillingDecision, BillingRequest, BillingRun, GradeFilter, TermsInForce,
    };
    let store = &mut f.store;
    let grade = |id: &str, g: &str, fpd: f64| AccountGrade {
        account_id: id.into(),
        grade: g.into(),
        points: 612.5,
        pd: 0.0125,
        forecast_pd: fpd,
        high_risk: fpd >= 0.25,
        reasons: r#"[{"feature":"late_days_max_12","value":"[30, inf)","contribution":41.5}]"#.into(),
    };
    let run = |as_of: &str| BillingRun {
        id: 0,
        as_of: as_of.into(),
        policy_version: "2026-Q4-V1.0".into(),
        created_at: "2026-10-01T08:00:00Z".into(),
        created_by: "ops".into(),
        summary: "{}".into(),
    };
    assert!(store.latest_billing_run(None).unwrap().is_none());
    let first = store
        .insert_billing_run(
            &run("2026-08-31"),
            &[grade("E2", "AA", 0.02), grade("E1", "C", 0.6), grade("E3", "B", 0.3)],
            Some(r#"{"scorecard":1}"#),
        )
        .unwrap();
    let second = store.insert_billing_run(&run("2026-09-30"), &[grade("E1", "B", 0.2)], None).unwrap();
    // The second run graded with the first run's models.
    let (fitted, models) = store.latest_billing_models("2026-09-30").unwrap().unwrap();
    assert_eq!((fitted.id, models.as_str()), (first, r#"{"scorecard":1}"#));
    assert!(store.latest_billing_models("2026-08-30").unwrap().is_none());
    assert_eq!(store.latest_billing_run(None).unwrap().unwrap().id, second);
    assert_eq!(store.latest_billing_run(Some("2026-09-15")).unwrap().unwrap().id, first);
    let all = store.account_grades(first, &GradeFilter::default()).unwrap();
    assert_eq!(all.iter().map(|g| g.account_id.as_str()).collect::<Vec<_>>(), ["E1", "E2", "E3"]);
    assert_eq!(all[1], grade("E2", "AA", 0.02));
    let risky = store
        .account_grades(first, &GradeFilter { high_risk_only: true, limit: Some(5), ..Default::default() })
        .unwrap();
    assert_eq!(risky.iter().map(|g| g.account_id.as_str()).collect::<Vec<_>>(), ["E1", "E3"]);
    let b = store.account_grades(first, &GradeFilter { grade: Some("B"), ..Default::default() }).unwrap();
    assert_eq!(b.len(), 1);
    let history = store.account_grade_history("E1").unwrap();
    assert_eq!(
        history.iter().map(|(r, g)| (r.id, g.grade.as_str())).collect::<Vec<_>>(),
        [(second, "B"), (first, "C")]
    );

    let request = |account: &str, proposal: &str| BillingRequest {
        id: 0,
        account_id: account.into(),
        kind: "terms".into(),
        run_id: first,
        policy_version: "2026-Q4-V1.0".into(),
        as_of: "2026-08-31".into(),
        created_at: "2026-10-01T08:00:00Z".into(),
        status: "pending".into(),
        proposal: proposal.into(),
        route: "[]".into(),
    };
    let waiver = store
        .insert_billing_waiver(&BillingRequest { kind: "waiver".into(), ..request("E1", "w1") })
        .unwrap();
    let ids = store.insert_billing_requests(&[request("E1", "p1"), request("E3", "p3")]).unwrap();
    let again = store.insert_billing_requests(&[request("E1", "p1b")]).unwrap();
    let pending = store.billing_requests(Some("pending"), None, Some("terms"), 10).unwrap();
    assert_eq!(pending.iter().map(|r| r.id).collect::<Vec<_>>(), [again[0], ids[1]]);
    // A new change of terms leaves the account's pending waiver alone.
    let waivers = store.billing_requests(Some("pending"), Some("E1"), Some("waiver"), 10).unwrap();
    assert_eq!((waivers.len(), waivers[0].id, waivers[0].proposal.as_str()), (1, waiver, "w1"));
    assert_eq!(store.billing_request_counts().unwrap().get("superseded"), Some(&1));
    let decision = BillingDecision {
        outcome: "approved".into(),
        decided_by: "wang".into(),
        role: "billing_supervisor".into(),
        comment: "ok".into(),
        decided_at: "2026-10-02T09:00:00Z".into(),
    };
    let terms = |id: i64, t: &str| TermsInForce {
        account_id: "E1".into(),
        terms: t.into(),
        request_id: id,
        approved_at: "2026-10-02T09:00:00Z".into(),
    };
    store
        .decide_billing_request(again[0], &decision, Some("approved"), Some(&terms(again[0], "t1")))
        .unwrap();
    let (r, d) = store.billing_request(again[0]).unwrap().unwrap();
    assert_eq!((r.status.as_str(), d.len(), d[0].decided_by.as_str()), ("approved", 1, "wang"));
    store.decide_billing_request(ids[1], &decision, None, None).unwrap();
    assert_eq!(store.billing_request(ids[1]).unwrap().unwrap().0.status, "pending");
    store.decide_billing_request(ids[0], &decision, Some("approved"), Some(&terms(ids[0], "t2"))).unwrap();
    let in_force = store.terms_in_force().unwrap();
    assert_eq!(in_force.len(), 1);
    assert_eq!((in_force["E1"].terms.as_str(), in_force["E1"].request_id), ("t2", ids[0]));
    assert!(store.billing_request(9_999).unwrap().is_none());

    let action = |account: &str, date: &str, what: &str| credence_store::BillingAction {
        account_id: account.into(),
        action_date: date.into(),
        action: what.into(),
        note: "催费".into(),
        actor: "wang".into(),
        logged_at: "2026-10-02T09:00:00Z".into(),
    };
    for a in [
        action("E1", "2026-09-20", "phone"),
        action("E1", "2026-09-03", "sms"),
        action("E2", "2026-08-01", "sms"),
    ] {
        store.log_billing_action(&a).unwrap();
    }
    let since = store.billing_actions("2026-09-01", None).unwrap();
    assert_eq!(since.len(), 1);
    let e1: Vec<&str> = since["E1"].iter().map(|a| a.action.as_str()).collect();
    assert_eq!(e1, ["sms", "phone"], "oldest first");
    assert_eq!(since["E1"][0], action("E1", "2026-09-03", "sms"));
    let e2 = store.billing_actions("2026-01-01", Some("E2")).unwrap();
    assert_eq!(e2.keys().collect::<Vec<_>>(), ["E2"]);
}

fn tables_match_record_kinds(f: &mut Fixture) {
    let store = &mut f.store;
    for kind in Kind::ALL {
        let cols = store.table_columns(kind.code()).unwrap();
        let names: Vec<&str> = cols.iter().map(|c| c.0.as_str()).collect();
        let expected: Vec<&str> = ["natural_key", "row_hash", "import_id"]
            .into_iter()
            .chain(kind.schema().fields.iter().map(|f| f.name))
            .collect();
        assert_eq!(names, expected, "{kind}");
        for (field, (_, ty)) in kind.schema().fields.iter().zip(&cols[3..]) {
            use credence_records::FieldType as T;
            let want = match field.ty {
                T::Money { .. } | T::Integer | T::Bool => ["integer", "bigint"],
                T::Number | T::Percent => ["real", "double precision"],
                _ => ["text", "text"],
            };
            assert!(want.contains(&ty.as_str()), "{kind}.{}: {ty}", field.name);
        }
    }
}

fn upsert_inserts_then_leaves_unchanged_then_updates_with_history(f: &mut Fixture) {
    let store = &mut f.store;
    let mut s = store.begin_import(run("customers")).unwrap();
    assert_eq!(s.upsert(&customer("C1", "甲公司")).unwrap(), Outcome::Inserted);
    assert_eq!(s.upsert(&customer("C2", "乙公司")).unwrap(), Outcome::Inserted);
    let first = s.import_id();
    s.commit(0, 0, &"2026-10-01T08:00:01Z".into()).unwrap();

    let mut s = store.begin_import(run("customers")).unwrap();
    assert_eq!(s.upsert(&customer("C1", "甲公司")).unwrap(), Outcome::Unchanged);
    assert_eq!(s.upsert(&customer("C2", "乙公司（新名）")).unwrap(), Outcome::Updated);
    let second = s.import_id();
    let counts = s.commit(0, 0, &"2026-10-02T08:00:01Z".into()).unwrap();
    assert_eq!((counts.inserted, counts.updated, counts.unchanged), (0, 1, 1));

    assert_eq!(store.record(Kind::Customers, "C2").unwrap().unwrap().text("name"), Some("乙公司（新名）"));
    let history = store.history(Kind::Customers, "C2").unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!((history[0].import_id, history[0].replaced_by), (first, second));
    let old: serde_json::Value = serde_json::from_str(&history[0].payload).unwrap();
    assert_eq!(old["name"], "乙公司");
    assert_eq!(old["employees"], 180);
    assert!(store.history(Kind::Customers, "C1").unwrap().is_empty());
    let runs = store.import_runs(10).unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!((runs[0].updated, runs[0].unchanged, runs[1].inserted), (1, 1, 2));
}

fn dropped_session_leaves_nothing(f: &mut Fixture) {
    let store = &mut f.store;
    {
        let mut s = store.begin_import(run("customers")).unwrap();
        s.upsert(&customer("C1", "甲公司")).unwrap();
        // dropped without commit
    }
    assert_eq!(store.count(Kind::Customers).unwrap(), 0);
    assert!(store.import_runs(10).unwrap().is_empty());
    // The connection is usable afterwards.
    let mut s = store.begin_import(run("customers")).unwrap();
    s.upsert(&customer("C1", "甲公司")).unwrap();
    s.commit(0, 0, &"t".into()).unwrap();
    assert_eq!(store.count(Kind::Customers).unwrap(), 1);
}

fn facts_see_rows_written_in_the_same_transaction(f: &mut Fixture) {
    let store = &mut f.store;
    let mut s = store.begin_import(run("all")).unwrap();
    assert!(!s.customer_exists("C1").unwrap());
    s.upsert(&customer("C1", "甲公司")).unwrap();
    assert!(s.customer_exists("C1").unwrap());
    s.upsert(&invoice("I1", "C1", 100_000)).unwrap();
    s.upsert(&payment("P1", "I1", 30_000)).unwrap();
    s.upsert(&payment("P2", "I1", 20_000)).unwrap();
    let facts = s.invoice("I1", (Kind::Payments, "P-new")).unwrap().unwrap();
    assert_eq!((facts.customer_id.as_str(), facts.amount, facts.applied), ("C1", 100_000, 50_000));
    assert_eq!(facts.issue_date, "2026-08-15");
    // Re-checking P2 itself does not count it twice.
    assert_eq!(s.invoice("I1", (Kind::Payments, "P2")).unwrap().unwrap().applied, 30_000);
    assert!(s.invoice("I9", (Kind::Payments, "x")).unwrap().is_none());
    s.commit(0, 0, &"t".into()).unwrap();
    // Staged records are written a batch at a time, and every look-up sees those
    // staged before it.
    let mut s = store.begin_import(run("all")).unwrap();
    s.stage(&customer("C2", "乙公司")).unwrap();
    assert!(s.customer_exists("C2").unwrap());
    s.stage(&invoice("I2", "C2", 80_000)).unwrap();
    s.stage(&payment("P3", "I2", 5_000)).unwrap();
    assert_eq!(s.invoice("I2", (Kind::Payments, "P-new")).unwrap().unwrap().applied, 5_000);
    s.commit(0, 0, &"t".into()).unwrap();
}

/// A batch of staged records finds each one's stored version with one query: new ones
/// are inserted, changed ones updated with their old version kept, identical ones left
/// alone, and a key staged twice is compared with its first staging. Nothing of a batch
/// is visible before commit, and counts cover every record.
fn staged_records_are_written_a_batch_at_a_time(f: &mut Fixture) {
    let store = &mut f.store;
    let mut s = store.begin_import(run("all")).unwrap();
    for i in 0..100 {
        s.insert_new(&customer(&format!("K{i:03}"), "x")).unwrap();
    }
    s.commit(0, 0, &"t".into()).unwrap();
    let mut s = store.begin_import(run("customers")).unwrap();
    for i in 0..150 {
        // K000..K099 stored: the even ones change; K100..K149 are new.
        let name = if i % 2 == 0 && i < 100 { "changed" } else { "x" };
        s.stage(&customer(&format!("K{i:03}"), name)).unwrap();
    }
    // Staged twice: the second is compared with the first.
    s.stage(&customer("K149", "twice")).unwrap();
    s.stage(&customer("K149", "twice")).unwrap();
    let counts = s.commit(0, 0, &"t2".into()).unwrap();
    assert_eq!((counts.inserted, counts.updated, counts.unchanged), (50, 51, 51));
    assert_eq!(store.counts().unwrap().iter().find(|(k, _)| *k == Kind::Customers).unwrap().1, 150);
    assert_eq!(store.history(Kind::Customers, "K002").unwrap().len(), 1);
    assert!(store.history(Kind::Customers, "K001").unwrap().is_empty());
    // A batch left staged when the session is dropped is never written.
    let mut s = store.begin_import(run("customers")).unwrap();
    s.stage(&customer("K999", "x")).unwrap();
    drop(s);
    assert_eq!(store.counts().unwrap().iter().find(|(k, _)| *k == Kind::Customers).unwrap().1, 150);
}

/// More rows than one bulk write holds (PostgreSQL sends them by COPY, SQLite by
/// multi-row inserts), with text that COPY's format must escape (tabs, line breaks, a
/// backslash, the literal `\N`, empty and padded text), missing values, large integers and
/// reals: every record reads back as it was written, and a dropped session leaves none.
fn awkward_values_survive_the_bulk_path(f: &mut Fixture) {
    let store = &mut f.store;
    let texts = ["a\tb", "line\nbreak\r\n", "back\\slash", "\\N", "", "  padded  ", "张三\t李四"];
    let record = |i: usize| {
        let mut r = Record::empty(Kind::Relationships);
        r.set("relation_type", "ownership")
            .set("from_party", format!("P{i:05}").as_str())
            .set("from_name", texts[i % texts.len()])
            .set("to_party", "C1")
            .set("share_pct", 0.1 + i as f64)
            .set("amount", 9_007_199_254_740_993_i64 - i as i64);
        if i.is_multiple_of(3) {
            r.set("share_pct", 25.0);
        }
        r
    };
    let n = 5_000;
    let mut s = store.begin_import(run("relationships")).unwrap();
    for i in 0..n {
        s.insert_new(&record(i)).unwrap();
    }
    drop(s);
    assert_eq!(store.counts().unwrap().iter().find(|(k, _)| *k == Kind::Relationships).unwrap().1, 0);
    let mut s = store.begin_import(run("relationships")).unwrap();
    for i in 0..n {
        s.insert_new(&record(i)).unwrap();
    }
    s.commit(0, 0, &"t".into()).unwrap();
    let mut back = relationships(store);
    back.sort_by(|a, b| a.get("from_party").as_text().cmp(&b.get("from_party").as_text()));
    assert_eq!(back.len(), n);
    for (i, got) in back.iter().enumerate() {
        let want = record(i);
        assert_eq!(got, &want, "row {i}");
        assert_eq!(got.content_hash(), want.content_hash(), "row {i}");
    }
}

/// Every stored relationship record.
fn relationships(store: &mut Store) -> Vec<Record> {
    let mut back = Vec::new();
    store
        .for_each_record(Kind::Relationships, |rec| {
            back.push(rec);
            Ok(())
        })
        .unwrap();
    back
}

fn values_round_trip_with_their_types(f: &mut Fixture) {
    let store = &mut f.store;
    let mut r = Record::empty(Kind::Relationships);
    r.set("relation_type", "ownership")
        .set("from_party", "P1")
        .set("from_name", "张三")
        .set("to_party", "C1")
        .set("share_pct", 50.01)
        .set("amount", 9_007_199_254_740_993_i64);
    let mut s = store.begin_import(run("relationships")).unwrap();
    s.upsert(&r).unwrap();
    s.commit(0, 0, &"t".into()).unwrap();
    let back = relationships(store);
    assert_eq!(back, vec![r.clone()]);
    assert_eq!(back[0].content_hash(), r.content_hash());
    assert_eq!(back[0].get("voting_pct"), &Value::Null);
}

/// A backup taken while the store is open holds what was committed then; restored over the
/// database, later changes are gone. A backup never overwrites a file, a restore never
/// replaces a database it was not told to, and a damaged backup leaves the target as it
/// was. PostgreSQL is refused with the pg_dump procedure.
fn a_backup_restores_the_database_it_copied(f: &mut Fixture) {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy.db");
    if f.pg_schema.is_some() {
        let e = f.store.backup_into(&copy).unwrap_err().to_string();
        assert!(e.contains("pg_dump"), "{e}");
        return;
    }
    let live = dir.path().join("live.db");
    let mut store = Store::open(live.to_str().unwrap()).unwrap();
    let mut s = store.begin_import(run("customers")).unwrap();
    s.upsert(&customer("C1", "甲公司")).unwrap();
    s.commit(0, 0, &"t".into()).unwrap();
    let taken = store.backup_into(&copy).unwrap();
    assert_eq!((taken.customers, taken.path.clone()), (1, copy.clone()));
    assert!(taken.schema_version >= 19 && taken.bytes > 0, "{taken:?}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&copy).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let e = store.backup_into(&copy).unwrap_err().to_string();
    assert!(e.contains("never overwrites"), "{e}");
    let mut s = store.begin_import(run("customers")).unwrap();
    s.upsert(&customer("C2", "乙公司")).unwrap();
    s.commit(0, 0, &"t".into()).unwrap();
    drop(store);

    let e = credence_store::restore_sqlite(&copy, &live, false).unwrap_err().to_string();
    assert!(e.contains("pass --replace"), "{e}");
    let damaged = dir.path().join("damaged.db");
    let bytes = std::fs::read(&copy).unwrap();
    std::fs::write(&damaged, &bytes[..bytes.len() / 3]).unwrap();
    assert!(credence_store::restore_sqlite(&damaged, &live, true).is_err());
    assert!(!dir.path().join("live.db.restoring").exists());

    let restored = credence_store::restore_sqlite(&copy, &live, true).unwrap();
    assert_eq!(restored.customers, 1);
    let mut store = Store::open(live.to_str().unwrap()).unwrap();
    assert!(store.record(Kind::Customers, "C1").unwrap().is_some());
    assert!(store.record(Kind::Customers, "C2").unwrap().is_none());
}

/// Four processes opening a new database at once all come up, and every migration is
/// applied once: on PostgreSQL they take turns under an advisory lock, on SQLite each
/// migration's write transaction checks again.
fn instances_starting_together_all_migrate(f: &mut Fixture) {
    let dir = tempfile::tempdir().unwrap();
    let (target, schema) = match &f.pg_schema {
        None => (dir.path().join("race.db").to_str().unwrap().to_owned(), None),
        Some((url, schema)) => (url.clone(), Some(format!("{schema}_race"))),
    };
    let opened: Vec<Result<Store, StoreError>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                s.spawn(|| match &schema {
                    None => Store::open(&target),
                    Some(schema) => Store::open_postgres(&target, Some(schema)),
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for o in &opened {
        assert!(o.is_ok(), "{:?}", o.as_ref().err());
    }
    drop(opened);
    let sql = "SELECT count(DISTINCT version), count(*) FROM schema_migrations";
    let (applied, rows): (i64, i64) = match &schema {
        None => rusqlite::Connection::open(&target)
            .unwrap()
            .query_row(sql, [], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap(),
        Some(schema) => {
            let mut c = postgres::Client::connect(&target, postgres::NoTls).unwrap();
            let sql = sql.replace("schema_migrations", &format!("\"{schema}\".schema_migrations"));
            let row = c.query_one(&sql, &[]).unwrap();
            c.batch_execute(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE")).unwrap();
            (row.get(0), row.get(1))
        }
    };
    assert!(applied >= 19, "{applied}");
    assert_eq!(rows, applied);
}

fn edited_migration_is_refused(f: &mut Fixture) {
    let location = f.store.location().to_owned();
    // Tamper with the recorded checksum as if the released file had been edited.
    let reopened = match &f.pg_schema {
        None => {
            let c = rusqlite::Connection::open(&location).unwrap();
            c.execute("UPDATE schema_migrations SET checksum = 'edited'", []).unwrap();
            Store::open(&location)
        }
        Some((url, schema)) => {
            let mut c = postgres::Client::connect(url, postgres::NoTls).unwrap();
            c.batch_execute(&format!("UPDATE \"{schema}\".schema_migrations SET checksum = 'edited'"))
                .unwrap();
            Store::open_postgres(url, Some(schema))
        }
    };
    assert!(matches!(reopened, Err(StoreError::MigrationChanged { version: 1, .. })));
}

fn wipe_removes_everything(f: &mut Fixture) {
    let store = &mut f.store;
    let mut s = store.begin_import(run("all")).unwrap();
    s.upsert(&customer("C1", "甲公司")).unwrap();
    s.upsert(&invoice("I1", "C1", 100)).unwrap();
    s.commit(0, 0, &"t".into()).unwrap();
    store.set_meta("origin", "demo").unwrap();
    store.wipe().unwrap();
    assert!(store.is_empty().unwrap());
    assert_eq!(store.meta("origin").unwrap(), None);
    assert!(store.import_runs(5).unwrap().is_empty());
}

/// A streamed record: customer position, kind, cells as values.
type Streamed = (usize, Kind, Vec<Value>);

/// Reads credit files from their snapshots, collecting what was streamed, and checks
/// that the record tables give exactly the same.
fn files(store: &mut Store, ids: &[&str], wanted: Wanted<'_>) -> (Vec<CustomerHead>, Vec<Streamed>) {
    let ids: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
    let mut rows = Vec::new();
    let heads = store
        .customer_files(&ids, wanted, |i, kind, cells| {
            rows.push((i, kind, cells.iter().map(|c| c.to_value()).collect()))
        })
        .unwrap();
    let mut from_rows = Vec::new();
    let reference = store
        .customer_files_from_rows(&ids, wanted, |i, kind, cells| {
            from_rows.push((i, kind, cells.iter().map(|c| c.to_value()).collect()))
        })
        .unwrap();
    assert_eq!(heads, reference, "snapshot heads differ from the records");
    // The tables stream kind by kind, the snapshots customer by customer.
    from_rows.sort_by_key(|r| r.0);
    assert_eq!(rows, from_rows, "snapshot records differ from the records");
    (heads, rows)
}

fn customer_files_stream_each_customers_records(f: &mut Fixture) {
    let store = &mut f.store;
    let mut s = store.begin_import(run("all")).unwrap();
    for id in ["C1", "C2", "C3"] {
        s.upsert(&customer(id, "x")).unwrap();
    }
    s.upsert(&invoice("I1", "C1", 100)).unwrap();
    s.upsert(&invoice("I2", "C3", 200)).unwrap();
    s.upsert(&invoice("I0", "C3", 300)).unwrap();
    s.upsert(&payment("P1", "I1", 50)).unwrap();
    s.commit(0, 0, &"t".into()).unwrap();
    assert_eq!(store.customer_ids().unwrap(), vec!["C1", "C2", "C3"]);
    let wanted: &[(Kind, &[&str])] = &[(Kind::Invoices, &["amount", "invoice_no"])];
    let (heads, rows) = files(store, &["C2", "C3"], wanted);
    assert_eq!(heads.len(), 2);
    assert_eq!(heads[0].customer.text("customer_id"), Some("C2"));
    // Only the wanted kind's rows, with the wanted columns in the order asked, in
    // natural-key order within the customer.
    assert_eq!(
        rows,
        vec![
            (1, Kind::Invoices, vec![Value::Int(300), Value::from("I0")]),
            (1, Kind::Invoices, vec![Value::Int(200), Value::from("I2")]),
        ]
    );
    let (all, rows) = files(store, &["C1", "C2", "C3"], &[(Kind::Payments, &["invoice_no"])]);
    assert_eq!(rows, vec![(0, Kind::Payments, vec![Value::from("I1")])]);
    // The combined hash follows the records, wanted or not: same data, same hash; one
    // change, another.
    assert_eq!(all[2].records_hash, heads[1].records_hash);
    assert_ne!(all[1].records_hash, all[2].records_hash);
    // C3 is rated on its file, C1 is not: when an import replaces both files, C3's
    // rated one is kept and C1's is not.
    let rated = heads[1].data_version;
    let mut r = store.begin_rating_run(new_run()).unwrap();
    r.insert_rating(&credence_store::NewRating { data_version: rated, ..rating("C3", "A") }).unwrap();
    r.commit(1, 0, 0, &"t1".into()).unwrap();
    let c1 = all[0].data_version;
    let mut s = store.begin_import(run("invoices")).unwrap();
    s.upsert(&invoice("I2", "C3", 201)).unwrap();
    s.upsert(&invoice("I7", "C1", 7)).unwrap();
    let changed = s.import_id();
    s.commit(0, 0, &"t".into()).unwrap();
    let (after, _) = files(store, &["C3"], &[]);
    assert_ne!(after[0].records_hash, heads[1].records_hash);
    assert_eq!(after[0].data_version, changed);
    let kept = store.customer_file_at("C3", rated, &[], |_, _| {}).unwrap().unwrap();
    assert_eq!(kept.records_hash, heads[1].records_hash);
    assert!(store.customer_file_at("C1", c1, &[], |_, _| {}).unwrap().is_none());
    let (c1_now, _) = files(store, &["C1"], &[]);
    let all = [c1_now[0].clone(), all[1].clone(), all[2].clone()];
    // A sparse set is looked up customer by customer; an unknown id is not a file; ids
    // out of order are all found.
    let (sparse, _) = files(store, &["C1", "C3", "C9"], &[(Kind::Invoices, &["invoice_no"])]);
    let ids: Vec<_> = sparse.iter().map(|h| h.customer.text("customer_id").unwrap()).collect();
    assert_eq!(ids, ["C1", "C3"]);
    let (shuffled, _) = files(store, &["C3", "C1", "C2"], &[]);
    assert_eq!(shuffled.len(), 3);
    // An import that is not committed leaves every snapshot as it was.
    let mut s = store.begin_import(run("invoices")).unwrap();
    s.upsert(&invoice("I9", "C1", 999)).unwrap();
    drop(s);
    let (unchanged, _) = files(store, &["C1", "C2", "C3"], &[]);
    assert_eq!(unchanged, all.iter().take(2).cloned().chain(after.iter().cloned()).collect::<Vec<_>>());
}

fn data_versions_follow_the_newest_import(f: &mut Fixture) {
    let store = &mut f.store;
    let mut s = store.begin_import(run("customers")).unwrap();
    s.upsert(&customer("C1", "x")).unwrap();
    s.upsert(&customer("C2", "y")).unwrap();
    let first = s.import_id();
    s.commit(0, 0, &"t".into()).unwrap();
    let mut s = store.begin_import(run("invoices")).unwrap();
    s.upsert(&invoice("I1", "C2", 100)).unwrap();
    let second = s.import_id();
    s.commit(0, 0, &"t".into()).unwrap();
    let v = store.data_versions().unwrap();
    assert_eq!((v["C1"], v["C2"]), (first, second));
}

fn rating(customer: &str, grade: &str) -> credence_store::NewRating {
    credence_store::NewRating {
        customer_id: customer.into(),
        as_of: "2026-09-30".into(),
        model_version: "M1".into(),
        catalogue_version: "K1".into(),
        inputs_hash: "h".into(),
        data_version: 3,
        score: 81.25,
        pd: 0.0125,
        letter_grade: grade.into(),
        point_grade: "AA".into(),
        model_letter_grade: grade.into(),
        model_point_grade: "AA".into(),
        detail: "{\"lines\":[]}".into(),
    }
}

fn new_run() -> credence_store::NewRatingRun {
    credence_store::NewRatingRun {
        as_of: "2026-09-30".into(),
        started_at: "t0".into(),
        model_version: "M1".into(),
        catalogue_version: "K1".into(),
        scope: "all".into(),
    }
}

fn ratings_are_appended_with_overrides_and_benchmarks(f: &mut Fixture) {
    let store = &mut f.store;
    let mut s = store.begin_rating_run(new_run()).unwrap();
    let first_run = s.run_id();
    s.insert_rating(&rating("C1", "AA")).unwrap();
    s.insert_failure("C9", "no statements").unwrap();
    s.insert_benchmark("C", "current_ratio", 1.5, 40).unwrap();
    s.commit(1, 0, 1, &"t1".into()).unwrap();
    let mut s = store.begin_rating_run(new_run()).unwrap();
    s.insert_rating(&rating("C1", "A")).unwrap();
    s.commit(1, 0, 0, &"t2".into()).unwrap();

    let history = store.rating_history("C1").unwrap();
    let grades: Vec<&str> = history.iter().map(|r| r.rating.letter_grade.as_str()).collect();
    assert_eq!(grades, vec!["A", "AA"]);
    assert_eq!(history[1].rating, rating("C1", "AA"));
    let stamps = store.rating_stamps().unwrap();
    assert_eq!(stamps["C1"].data_version, 3);
    assert_eq!(
        store.rating_failures(first_run).unwrap(),
        vec![("C9".to_owned(), "no statements".to_owned())]
    );
    assert_eq!(store.benchmarks(first_run, "C").unwrap()["current_ratio"], 1.5);
    let runs = store.rating_runs(5).unwrap();
    assert_eq!((runs.len(), runs[1].failed, runs[1].finished_at.as_deref()), (2, 1, Some("t1")));

    let o = credence_store::OverrideRequest {
        id: 0,
        rating_id: history[0].id,
        customer_id: "C1".into(),
        letter_grade: "BBB".into(),
        point_grade: "B".into(),
        reason: "parent guarantee withdrawn".into(),
        approver: "CRO".into(),
        entered_by: "analyst".into(),
        entered_at: "t3".into(),
        status: "pending".into(),
        decided_at: None,
        decision_comment: None,
        override_id: None,
    };
    let first = store.insert_override_request(&o).unwrap();
    let id = store.decide_override_request(first, true, "agreed", &"t3".into()).unwrap().unwrap().unwrap();
    let latest = &store.rating_history("C1").unwrap()[0];
    assert_eq!(latest.overridden.as_ref().map(|x| (x.id, x.letter_grade.as_str())), Some((id, "BBB")));
    let mut seen = Vec::new();
    store
        .ratings_of_run(history[0].run_id, |r| {
            seen.push(r.rating.customer_id);
            Ok(())
        })
        .unwrap();
    assert_eq!(seen, vec!["C1"]);
    assert_eq!(store.overrides_of_run(history[0].run_id).unwrap().len(), 1);

    // An override waiting for its approver is in force nowhere; approved, it is; a
    // request is settled once.
    let request = credence_store::OverrideRequest {
        id: 0,
        rating_id: history[0].id,
        customer_id: "C1".into(),
        letter_grade: "CCC".into(),
        point_grade: "C".into(),
        reason: "fraud".into(),
        approver: "CRO".into(),
        entered_by: "analyst".into(),
        entered_at: "t4".into(),
        status: "pending".into(),
        decided_at: None,
        decision_comment: None,
        override_id: None,
    };
    let rid = store.insert_override_request(&request).unwrap();
    let grade = |store: &mut credence_store::Store| store.rating_history("C1").unwrap()[0].overridden.clone();
    assert_eq!(grade(store).unwrap().letter_grade, "BBB");
    assert_eq!(store.override_requests(Some("pending"), None).unwrap().len(), 1);
    let in_force =
        store.decide_override_request(rid, true, "agreed", &"t5".into()).unwrap().unwrap().unwrap();
    assert_eq!(
        store.decide_override_request(rid, false, "late", &"t6".into()).unwrap(),
        None,
        "settled once"
    );
    let now = grade(store).unwrap();
    assert_eq!((now.id, now.letter_grade.as_str(), now.approver.as_str()), (in_force, "CCC", "CRO"));
    let settled = store.override_request(rid).unwrap().unwrap();
    assert_eq!((settled.status.as_str(), settled.override_id), ("approved", Some(in_force)));
}

fn an_abandoned_rating_run_leaves_nothing(f: &mut Fixture) {
    let store = &mut f.store;
    {
        let mut s = store.begin_rating_run(new_run()).unwrap();
        s.insert_rating(&rating("C1", "AA")).unwrap();
    }
    assert!(store.rating_history("C1").unwrap().is_empty());
    assert!(store.rating_runs(5).unwrap().is_empty());
    // A run that checkpointed and then died keeps its rows, but they count for nothing.
    {
        let mut s = store.begin_rating_run(new_run()).unwrap();
        s.insert_rating(&rating("C1", "AA")).unwrap();
        s.checkpoint().unwrap();
        s.insert_rating(&rating("C2", "AA")).unwrap();
    }
    assert!(store.rating_history("C1").unwrap().is_empty());
    assert!(store.rating_stamps().unwrap().is_empty());
    let runs = store.rating_runs(5).unwrap();
    assert_eq!((runs.len(), runs[0].finished_at.as_deref()), (1, None));
}

fn warning_state_round_trips_and_one_alert_stays_open_per_rule(f: &mut Fixture) {
    use credence_store::{AlertFilter, CaseFilter, NewAlert};
    let store = &mut f.store;
    let alert = |code: &'static str, evidence: &'static str| NewAlert {
        subject_kind: "customer",
        subject: "C1",
        rule_code: code,
        name_en: "Current ratio",
        name_zh: "流动比率",
        level: "yellow",
        evidence: evidence.into(),
        fingerprint: credence_store::evidence_text_hash(evidence),
    };
    let mut s =
        store.begin_warning_run("2026-07-31", "P1", "K1", "all", &"2026-08-01T09:00:00Z".into()).unwrap();
    let a = s.raise(&alert("W01", "{\"v\":1}")).unwrap();
    let b = s.raise(&alert("W03", "{\"v\":2}")).unwrap();
    s.set_level("C1", None, "yellow", false, "[]".into()).unwrap();
    let case = s.open_case("C1", "yellow", "machinery", &"2026-08-08T09:00:00Z".into()).unwrap();
    s.join_case(case, a, "alert W01", None).unwrap();
    s.join_case(case, b, "alert W03", Some(("red", "2026-08-02T09:00:00Z"))).unwrap();
    let counts = s.commit(&"2026-08-01T09:00:01Z".into()).unwrap();
    assert_eq!((counts.evaluated, counts.raised, counts.level_changes), (1, 2, 1));
    let open = store.open_alerts().unwrap();
    assert_eq!(open.len(), 2);
    let w01 = open.get("C1", "W01").unwrap().clone();
    let levels = store.level_states().unwrap();
    let mut s =
        store.begin_warning_run("2026-08-31", "P1", "K1", "all", &"2026-09-01T09:00:00Z".into()).unwrap();
    s.refresh(&w01, w01.evidence_hash, None).unwrap();
    s.close(b, "condition no longer holds on 2026-08-31").unwrap();
    s.set_level("C1", levels.get("C1"), "yellow", false, "[]".into()).unwrap();
    let counts = s.commit(&"2026-09-01T09:00:01Z".into()).unwrap();
    assert_eq!((counts.still_open, counts.updated, counts.closed, counts.level_changes), (1, 0, 1, 0));
    assert_eq!(store.level_states().unwrap()["C1"].checked_as_of.unwrap().to_string(), "2026-08-31");
    let closed = store.alert(b).unwrap().unwrap();
    assert_eq!((closed.status.as_str(), closed.closed_as_of.as_deref()), ("closed", Some("2026-08-31")));
    assert_eq!(
        store.alerts(&AlertFilter { status: Some("open".into()), ..AlertFilter::default() }).unwrap().len(),
        1
    );
    let (c, log, alerts) = store.case(case).unwrap().unwrap();
    assert_eq!((c.level.as_str(), c.due_at.as_str(), alerts), ("red", "2026-08-02T09:00:00Z", vec![a, b]));
    assert_eq!(log.len(), 3);
    // New evidence is written, levels change and are logged, and new ids go on after
    // the stored ones.
    let w01 = store.open_alerts().unwrap().get("C1", "W01").unwrap().clone();
    let levels = store.level_states().unwrap();
    let mut s =
        store.begin_warning_run("2026-09-15", "P1", "K1", "all", &"2026-09-16T09:00:00Z".into()).unwrap();
    s.refresh(&w01, 9, Some("{\"v\":9}".into())).unwrap();
    // Text with the characters a bulk copy must escape reads back as written.
    let w05 = s.raise(&alert("W05", "{\"t\":\"a\tb\nc\r\\\\N 预警\"}")).unwrap();
    s.set_level("C1", levels.get("C1"), "red", true, "[\"W05\"]".into()).unwrap();
    s.set_level("C2", None, "green", false, "[]".into()).unwrap();
    let counts = s.commit(&"2026-09-16T09:00:01Z".into()).unwrap();
    assert_eq!((counts.updated, counts.raised, counts.level_changes), (1, 1, 2));
    assert!(w05 > b, "{w05} after {b}");
    let refreshed = store.alert(w01.id).unwrap().unwrap();
    assert_eq!((refreshed.evidence.as_str(), refreshed.last_as_of.as_str()), ("{\"v\":9}", "2026-09-15"));
    let w05 = store.alert(w05).unwrap().unwrap();
    assert_eq!((w05.rule_code.as_str(), w05.evidence.as_str()), ("W05", "{\"t\":\"a\tb\nc\r\\\\N 预警\"}"));
    let levels = store.level_states().unwrap();
    let c1 = &levels["C1"];
    assert_eq!(
        (c1.level.as_str(), c1.watch, c1.since_as_of.unwrap().to_string()),
        ("red", true, "2026-09-15".into())
    );
    assert_eq!((levels["C2"].level.as_str(), levels.len()), ("green", 2));
    assert_eq!(store.level_changes("C1").unwrap().len(), 2);
    assert_eq!(store.open_alerts().unwrap().get("C1", "W01").unwrap().evidence_hash, 9);
    // An alert stored with its text's hash takes the fingerprint of unchanged evidence
    // without being rewritten; a run of customers due records its check on the level, a
    // whole-portfolio run in the run.
    tamper(
        f,
        &format!(
            "UPDATE alerts SET evidence_hash = '{:016x}' WHERE id = {}",
            credence_store::evidence_text_hash("{\"v\":9}"),
            w01.id
        ),
    );
    let store = &mut f.store;
    let w01 = store.open_alerts().unwrap().get("C1", "W01").unwrap().clone();
    let levels = store.level_states().unwrap();
    let mut s =
        store.begin_warning_run("2026-09-20", "P1", "K1", "due", &"2026-09-21T09:00:00Z".into()).unwrap();
    s.refresh(&w01, 10, Some("{\"v\":9}".into())).unwrap();
    s.set_level("C2", levels.get("C2"), "green", false, "[]".into()).unwrap();
    let counts = s.commit(&"2026-09-21T09:00:01Z".into()).unwrap();
    assert_eq!((counts.still_open, counts.updated), (1, 0));
    let kept = store.alert(w01.id).unwrap().unwrap();
    assert_eq!((kept.last_as_of.as_str(), kept.evidence.as_str()), ("2026-09-15", "{\"v\":9}"));
    assert_eq!(store.open_alerts().unwrap().get("C1", "W01").unwrap().evidence_hash, 10);
    let levels = store.level_states().unwrap();
    assert_eq!(
        (levels["C1"].checked_as_of.unwrap().to_string(), levels["C2"].checked_as_of.unwrap().to_string()),
        ("2026-09-15".into(), "2026-09-20".into())
    );
    store
        .update_case(
            case,
            &[("owner", Value::from("li"))],
            "wang",
            "assigned",
            "machinery → li",
            &"t".into(),
            None,
        )
        .unwrap();
    // Queued notifications wait for their next attempt, then record each delivery.
    let mut s =
        store.begin_warning_run("2026-09-01", "P1", "K1", "due", &"2026-09-01T00:00:00Z".into()).unwrap();
    let notice = credence_store::NewNotification {
        kind: "alert_raised",
        recipient: "li",
        title_en: "red alert",
        title_zh: "红色预警",
        payload: "{}",
    };
    s.notify(&notice).unwrap();
    s.commit(&"t".into()).unwrap();
    assert!(store.due_notifications("2026-08-31T23:59:59Z", 10).unwrap().is_empty());
    let due = store.due_notifications("2026-09-01T00:00:00Z", 10).unwrap();
    assert_eq!((due.len(), due[0].status.as_str(), due[0].attempts), (1, "pending", 0));
    store
        .record_delivery(
            due[0].id,
            "pending",
            Some("2026-09-01T00:01:00Z"),
            Some("HTTP 503"),
            &["email"],
            &"t1".into(),
        )
        .unwrap();
    assert_eq!(store.notifications(None, 1).unwrap()[0].channels_done, vec!["email"]);
    assert!(store.due_notifications("2026-09-01T00:00:30Z", 10).unwrap().is_empty());
    store.record_delivery(due[0].id, "delivered", None, None, &["email", "webhook"], &"t2".into()).unwrap();
    let all = store.notifications(None, 10).unwrap();
    assert_eq!(
        (all[0].status.as_str(), all[0].attempts, all[0].delivered_at.as_deref()),
        ("delivered", 2, Some("t2"))
    );
    assert!(store.due_notifications("2026-12-01T00:00:00Z", 10).unwrap().is_empty());
    let overdue =
        store.cases(&CaseFilter { due_before: Some("2026-08-03".into()), ..CaseFilter::default() }).unwrap();
    assert_eq!(overdue.len(), 1);
    assert_eq!(overdue[0].owner, "li");
    // A second open alert of the same rule for the same subject is refused (by the
    // commit at the latest: a run writes its rows many to a statement), and the failed
    // run leaves nothing.
    let mut s = store.begin_warning_run("2026-09-30", "P1", "K1", "all", &"t".into()).unwrap();
    s.close(w01.id, "x").unwrap();
    s.raise(&alert("W03", "{}")).unwrap();
    s.raise(&alert("W03", "{}")).unwrap();
    assert!(s.commit(&"t2".into()).is_err());
    assert_eq!(store.open_alerts().unwrap().len(), 2);
    assert_eq!(store.alert(w01.id).unwrap().unwrap().status, "open");
}

/// Runs SQL against the fixture's database behind the store's back, as someone with
/// direct access could.
/// An import that writes 50,000 rows or more to a table refreshes its planner
/// statistics on PostgreSQL once committed (SQLite plans without them).
fn a_bulk_import_refreshes_the_planner_statistics(f: &mut Fixture) {
    let analysed = |f: &Fixture| {
        peek(
            f,
            "SELECT CAST(COUNT(last_analyze) AS TEXT) FROM pg_stat_user_tables WHERE schemaname = current_schema() AND relname = 'relationships'",
        )
    };
    let link = |i: u32| {
        let mut r = Record::empty(Kind::Relationships);
        r.set("relation_type", "ownership").set("from_party", format!("P{i}")).set("to_party", "C1");
        r
    };
    let mut s = f.store.begin_import(run("relationships")).unwrap();
    for i in 0..10 {
        s.insert_new(&link(i)).unwrap();
    }
    s.commit(0, 0, &"t".into()).unwrap();
    if f.pg_schema.is_some() {
        assert_eq!(analysed(f), ["0"], "a small import leaves the statistics to autovacuum");
    }
    let mut s = f.store.begin_import(run("relationships")).unwrap();
    for i in 10..50_010 {
        s.insert_new(&link(i)).unwrap();
    }
    assert_eq!(s.commit(0, 0, &"t".into()).unwrap().inserted, 50_000);
    if f.pg_schema.is_some() {
        assert_eq!(analysed(f), ["1"]);
    }
}

/// Evidence and causes are stored packed against a dictionary per rule pack version and
/// rule or level, made from the first text with its long digit runs masked; everything reads them
/// back as written, and a worker's packing is the same as the writer's.
fn evidence_and_causes_are_stored_packed_and_read_back_plain(f: &mut Fixture) {
    use credence_store::{NewAlert, TextKind};
    let evidence = |customer: u32, ratio: f64| {
        format!(
            r#"{{"text_en":"W01 Current ratio below 1: Current ratio {ratio:.2} (2026-09-30) < 1 of customer C{customer:07}.","text_zh":"W01 流动比率低于1：流动比率 {ratio:.2}（2026-09-30）< 1。","detail":{{"code":"W01","name_en":"Current ratio below 1","evidence":[{{"kind":"comparison","left":{{"expression":"current_ratio","value":{ratio}}},"op":"<","right":{{"expression":"1","value":1.0}}}}]}}}}"#
        )
    };
    let store = &mut f.store;
    let mut s =
        store.begin_warning_run("2026-09-30", "P1", "K1", "all", &"2026-10-01T09:00:00Z".into()).unwrap();
    let packer = s.packer();
    assert_eq!(packer.pack(TextKind::AlertEvidence, "W01", "{}"), None, "no dictionary yet");
    let mut ids = Vec::new();
    let mut texts = Vec::new();
    for c in 1..=3u32 {
        let text = evidence(c, 0.5 + f64::from(c) / 7.0);
        // The first is packed by the writer, which makes the dictionary; the others as
        // a run's workers pack them.
        let packed = packer.pack(TextKind::AlertEvidence, "W01", &text);
        assert_eq!(packed.is_some(), c > 1);
        let subject = format!("C{c}");
        ids.push(
            s.raise(&NewAlert {
                subject_kind: "customer",
                subject: &subject,
                rule_code: "W01",
                name_en: "Current ratio below 1",
                name_zh: "流动比率低于1",
                level: "yellow",
                evidence: credence_store::Text { plain: &text, packed: packed.as_deref() },
                fingerprint: c.into(),
            })
            .unwrap(),
        );
        s.set_level(
            &subject,
            None,
            "yellow",
            false,
            r#"[{"cause":"rule","code":"W01","contributes":"yellow"}]"#.into(),
        )
        .unwrap();
        texts.push(text);
    }
    s.commit(&"2026-10-01T09:00:01Z".into()).unwrap();
    for (id, text) in ids.iter().zip(&texts) {
        assert_eq!(&store.alert(*id).unwrap().unwrap().evidence, text);
    }
    let listed =
        store.alerts(&credence_store::AlertFilter { subject: Some("C3".into()), ..Default::default() });
    assert_eq!(listed.unwrap()[0].evidence, texts[2]);
    assert_eq!(
        store.level_changes("C2").unwrap()[0].causes,
        r#"[{"cause":"rule","code":"W01","contributes":"yellow"}]"#
    );
    let stored = peek(f, "SELECT evidence FROM alerts ORDER BY id");
    assert!(stored.iter().all(|e| e.starts_with("lz4d:")), "{stored:?}");
    assert!(stored[1].len() * 2 < texts[1].len(), "{} of {} bytes", stored[1].len(), texts[1].len());
    let causes = peek(f, "SELECT causes FROM customer_levels UNION ALL SELECT causes FROM level_changes");
    assert!(causes.iter().all(|c| c.starts_with("lz4d:")), "{causes:?}");
    let dictionaries = peek(
        f,
        "SELECT kind || ' ' || scope || ' ' || name || ' ' || body FROM text_dictionaries ORDER BY id",
    );
    assert_eq!(dictionaries.len(), 2);
    assert!(dictionaries[0].starts_with("alert_evidence P1 W01 {"), "{}", dictionaries[0]);
    // Long digit runs (ids, exact figures) are masked; dates and thresholds are kept.
    assert!(
        dictionaries[0].contains("customer C0000000.") && dictionaries[0].contains("(2026-09-30)"),
        "{}",
        dictionaries[0]
    );
    assert!(!dictionaries[0].contains("6428"), "{}", dictionaries[0]);
    assert_eq!(
        dictionaries[1],
        r#"level_causes P1 yellow [{"cause":"rule","code":"W01","contributes":"yellow"}]"#
    );
    // Unchanged causes are recognised through their packing: nothing is rewritten.
    let store = &mut f.store;
    let levels = store.level_states().unwrap();
    assert!(levels["C1"].holds("yellow", false, r#"[{"cause":"rule","code":"W01","contributes":"yellow"}]"#));
    assert!(!levels["C1"].holds("yellow", false, "[]"));
    // Another pack version gets dictionaries of its own; the old ones still read.
    let mut s =
        store.begin_warning_run("2026-10-31", "P2", "K1", "all", &"2026-11-01T09:00:00Z".into()).unwrap();
    assert_eq!(s.packer().pack(TextKind::AlertEvidence, "W01", "{}"), None);
    s.set_level("C1", levels.get("C1"), "red", false, "[]".into()).unwrap();
    s.commit(&"2026-11-01T09:00:01Z".into()).unwrap();
    let store = &mut f.store;
    assert_eq!(
        store.level_changes("C1").unwrap().iter().map(|c| c.causes.as_str()).collect::<Vec<_>>(),
        [r#"[{"cause":"rule","code":"W01","contributes":"yellow"}]"#, "[]"]
    );
    assert_eq!(peek(f, "SELECT scope FROM text_dictionaries ORDER BY id"), ["P1", "P1", "P2"]);
    // A packed text whose dictionary is gone is an error, never another text.
    tamper(f, "DELETE FROM text_dictionaries WHERE kind = 'alert_evidence'");
    let mut fresh = reopen(f);
    assert!(fresh.alert(ids[1]).is_err());
}

/// The first column of every row of a query, as text, read past the store.
fn peek(f: &Fixture, sql: &str) -> Vec<String> {
    match &f.pg_schema {
        None => {
            let c = rusqlite::Connection::open(f.store.location()).unwrap();
            let mut q = c.prepare(sql).unwrap();
            q.query_map([], |r| r.get::<_, String>(0)).unwrap().map(Result::unwrap).collect()
        }
        Some((url, schema)) => {
            let mut c = postgres::Client::connect(url, postgres::NoTls).unwrap();
            c.batch_execute(&format!("SET search_path TO \"{schema}\"")).unwrap();
            c.query(sql, &[]).unwrap().iter().map(|r| r.get::<_, String>(0)).collect()
        }
    }
}

/// Another store on the same database, with nothing read yet.
fn reopen(f: &Fixture) -> Store {
    match &f.pg_schema {
        None => Store::open(f.store.location()).unwrap(),
        Some((url, schema)) => Store::open_postgres(url, Some(schema)).unwrap(),
    }
}

fn tamper(f: &Fixture, sql: &str) {
    match &f.pg_schema {
        None => {
            let c = rusqlite::Connection::open(f.store.location()).unwrap();
            c.execute_batch(sql).unwrap();
        }
        Some((url, schema)) => {
            let mut c = postgres::Client::connect(url, postgres::NoTls).unwrap();
            c.batch_execute(&format!("SET search_path TO \"{schema}\"; {sql}")).unwrap();
        }
    }
}

fn audit_entry(action: &str) -> credence_store::AuditEntry {
    credence_store::AuditEntry {
        at: "2026-11-22T10:00:00Z".into(),
        actor: "wang".into(),
        role: "risk_manager".into(),
        action: action.into(),
        object: "customer:C1".into(),
        summary: r#"{"before":"BB","after":"BBB"}"#.into(),
        client_ip: "127.0.0.1".into(),
        request_id: "req-1".into(),
    }
}

fn audit_chain_detects_edits_deletions_and_truncation(f: &mut Fixture) {
    use credence_store::{AuditFilter, AuditVerification};
    assert!(matches!(
        f.store.verify_audit().unwrap(),
        AuditVerification::Intact { records: 0, head_hash, .. } if head_hash == credence_store::GENESIS_HASH
    ));
    for action in ["rating.override", "limit.approve", "limit.reject", "order.release"] {
        f.store.append_audit(&audit_entry(action)).unwrap();
    }
    let all = f.store.audit_records(&AuditFilter::default()).unwrap();
    assert_eq!(all.iter().map(|r| r.seq).collect::<Vec<_>>(), [1, 2, 3, 4]);
    assert_eq!(all[1].prev_hash, all[0].hash);
    let limits = AuditFilter { action: Some("limit.".into()), ..Default::default() };
    assert_eq!(f.store.audit_records(&limits).unwrap().len(), 2);
    let paged = AuditFilter { after: Some(2), limit: Some(1), ..Default::default() };
    assert_eq!(f.store.audit_records(&paged).unwrap()[0].seq, 3);
    let AuditVerification::Intact { records: 4, head_hash, .. } = f.store.verify_audit().unwrap() else {
        panic!("an untouched chain is intact")
    };
    assert_eq!(head_hash, all[3].hash);

    tamper(f, "UPDATE audit_log SET summary = '{}' WHERE seq = 2");
    assert_eq!(
        f.store.verify_audit().unwrap(),
        AuditVerification::Broken { seq: 2, reason: "its contents do not match its hash (edited)".into() }
    );
    tamper(f, &format!("UPDATE audit_log SET summary = '{}' WHERE seq = 2", all[1].entry.summary));
    assert!(matches!(f.store.verify_audit().unwrap(), AuditVerification::Intact { .. }));
    tamper(f, "DELETE FROM audit_log WHERE seq = 4");
    assert_eq!(
        f.store.verify_audit().unwrap(),
        AuditVerification::Broken {
            seq: 4,
            reason: "the head says 4 records but the log ends at 3 (records deleted)".into()
        }
    );
    tamper(f, "DELETE FROM audit_log WHERE seq = 2");
    assert_eq!(
        f.store.verify_audit().unwrap(),
        AuditVerification::Broken { seq: 2, reason: "record 2 is missing (next is 3)".into() }
    );
}

fn models_register_once_per_version_and_runs_keep_their_scores(f: &mut Fixture) {
    use credence_store::{ModelRun, ModelScore, Registered, StoredModel};
    let model = StoredModel {
        version: "2026-Q4-V1.0".into(),
        kind: "scorecard".into(),
        target: "default_12m".into(),
        trained_at: "2026-11-20T09:00:00Z".into(),
        artefact: "{}".into(),
        artefact_hash: "h1".into(),
        registered_at: "t".into(),
        registered_by: "wang".into(),
    };
    assert_eq!(f.store.register_model(&model).unwrap(), Registered::New);
    assert_eq!(f.store.register_model(&model).unwrap(), Registered::Unchanged);
    let other = StoredModel { artefact_hash: "h2".into(), ..model.clone() };
    assert_eq!(f.store.register_model(&other).unwrap(), Registered::VersionTaken);
    assert_eq!(f.store.model("2026-Q4-V1.0").unwrap().unwrap().artefact, "{}");
    assert_eq!(f.store.models().unwrap().len(), 1);
    let run = ModelRun {
        id: 0,
        model_version: model.version.clone(),
        as_of: "2026-09-30".into(),
        started_at: "t0".into(),
        finished_at: Some("t1".into()),
        scored: 0,
        failed: 0,
    };
    let score = |c: &str, pd| ModelScore {
        customer_id: c.into(),
        pd,
        score: 600.0,
        grade: "BB".into(),
        reasons: "[]".into(),
    };
    let id = f.store.insert_model_run(&run, &[score("C2", 0.02), score("C1", 0.01)], 1).unwrap();
    let runs = f.store.model_runs(Some("2026-Q4-V1.0")).unwrap();
    assert_eq!((runs[0].id, runs[0].scored, runs[0].failed), (id, 2, 1));
    let scores = f.store.model_scores(id).unwrap();
    assert_eq!(
        scores.iter().map(|s| (s.customer_id.as_str(), s.pd)).collect::<Vec<_>>(),
        [("C1", 0.01), ("C2", 0.02)]
    );
}

fn disputes_are_resolved_once(f: &mut Fixture) {
    use credence_store::{ResolveOutcome, StoredDispute};
    let d = StoredDispute {
        id: 0,
        customer_id: "C1".into(),
        invoice_no: "I1".into(),
        opened_on: "2026-09-01".into(),
        currency: "CNY".into(),
        amount: 5_000,
        reason: "damaged".into(),
        actor: "zhao".into(),
        resolved_on: None,
        resolution: None,
        resolved_by: None,
    };
    let id = f.store.open_dispute(&d, &"t".into()).unwrap();
    assert_eq!(
        f.store.resolve_dispute(id, "2026-09-10", "credit note", "li").unwrap(),
        ResolveOutcome::Resolved
    );
    assert_eq!(
        f.store.resolve_dispute(id, "2026-09-11", "again", "li").unwrap(),
        ResolveOutcome::AlreadyResolved("2026-09-10".into())
    );
    assert_eq!(f.store.resolve_dispute(99, "2026-09-11", "x", "li").unwrap(), ResolveOutcome::NotFound);
    let stored = f.store.disputes(Some(("C1", "C1"))).unwrap().remove("C1").unwrap();
    assert_eq!(
        (stored[0].resolution.as_deref(), stored[0].resolved_by.as_deref()),
        (Some("credit note"), Some("li"))
    );
    assert!(f.store.disputes(Some(("C2", "C3"))).unwrap().is_empty());
}

fn users_tokens_sessions_and_job_claims(f: &mut Fixture) {
    use credence_store::{StoredSession, StoredToken, StoredUser};
    let u = StoredUser {
        id: 0,
        username: "wang".into(),
        display_name: "王经理".into(),
        password_hash: "$argon2id$x".into(),
        role: "risk_manager".into(),
        org_unit: Some("east".into()),
        business_lines: "machinery,textiles".into(),
        customers: String::new(),
        hidden_indicators: String::new(),
        disabled: false,
        created_at: "2026-11-22T09:00:00Z".into(),
        password_changed_at: "2026-11-22T09:00:00Z".into(),
        language: None,
    };
    let id = f.store.create_user(&u).unwrap().expect("new user");
    assert_eq!(f.store.create_user(&u).unwrap(), None, "usernames are unique");
    let stored = f.store.user("wang").unwrap().unwrap();
    assert_eq!((stored.id, stored.org_unit.as_deref(), stored.disabled), (id, Some("east"), false));
    let session = StoredSession {
        user_id: id,
        csrf_token: "csrf".into(),
        created_at: "2026-11-22T10:00:00Z".into(),
        expires_at: "2026-11-22T18:00:00Z".into(),
        last_seen_at: Some("2026-11-22T10:00:00Z".into()),
    };
    f.store.create_session("s1", &session).unwrap();
    assert_eq!(f.store.session("s1").unwrap(), Some(session.clone()));
    assert!(f.store.set_password("wang", "$argon2id$y", &"2026-11-22T11:00:00Z".into()).unwrap());
    assert_eq!(f.store.session("s1").unwrap(), None, "a new password ends the sessions");
    // A new password revokes the user's tokens too, in the same transaction.
    let live = |hash: &str| StoredToken {
        id: 0,
        user_id: id,
        name: "x".into(),
        token_hash: hash.into(),
        scopes: String::new(),
        created_at: "t".into(),
        expires_at: None,
        revoked_at: None,
        last_used_at: None,
    };
    f.store.create_token(&live("before-password")).unwrap();
    assert!(f.store.set_password("wang", "$argon2id$z", &"2026-11-22T11:30:00Z".into()).unwrap());
    assert_eq!(
        f.store.token("before-password").unwrap().unwrap().revoked_at.as_deref(),
        Some("2026-11-22T11:30:00Z")
    );
    f.store.create_session("s2", &session).unwrap();
    f.store.create_token(&live("before-disable")).unwrap();
    assert!(f.store.set_user_disabled("wang", true, &"2026-11-22T11:40:00Z".into()).unwrap());
    assert_eq!(f.store.session("s2").unwrap(), None, "disabling ends the sessions");
    assert!(f.store.token("before-disable").unwrap().unwrap().revoked_at.is_some(), "and revokes tokens");
    assert!(!f.store.set_user_disabled("nobody", true, &"t".into()).unwrap());
    // Authorities, granted once each, and a role and scope set as a whole.
    assert!(f.store.grant_authority(id, "cfo", "sec", &"t".into()).unwrap());
    assert!(!f.store.grant_authority(id, "cfo", "sec", &"t".into()).unwrap(), "held already");
    assert!(f.store.grant_authority(id, "credit_committee", "sec", &"t".into()).unwrap());
    let held: Vec<String> = f.store.authorities(id).unwrap().into_iter().map(|a| a.authority).collect();
    assert_eq!(held, ["cfo", "credit_committee"]);
    assert!(f.store.revoke_authority(id, "cfo").unwrap());
    assert!(!f.store.revoke_authority(id, "cfo").unwrap());
    let access = credence_store::UserAccess {
        role: "finance".into(),
        org_unit: None,
        business_lines: "textiles".into(),
        customers: String::new(),
        hidden_indicators: "dso".into(),
    };
    assert!(f.store.set_user_access("wang", &access).unwrap());
    let changed = f.store.user("wang").unwrap().unwrap();
    assert_eq!(
        (changed.role.as_str(), changed.org_unit, changed.business_lines.as_str()),
        ("finance", None, "textiles")
    );

    let t = StoredToken {
        id: 0,
        user_id: id,
        name: "erp".into(),
        token_hash: "th".into(),
        scopes: "check.run".into(),
        created_at: "t".into(),
        expires_at: None,
        revoked_at: None,
        last_used_at: None,
    };
    let tid = f.store.create_token(&t).unwrap();
    assert_eq!(f.store.token("th").unwrap().unwrap().scopes, "check.run");
    assert!(f.store.revoke_token(tid, &"t2".into()).unwrap());
    assert!(!f.store.revoke_token(tid, &"t3".into()).unwrap(), "revoked once");
    assert_eq!(f.store.token("th").unwrap().unwrap().revoked_at.as_deref(), Some("t2"));

    // Sign-in attempts are counted per username and address, per address and per
    // username, failures only after the last success; a refused attempt is not recorded.
    let attempt = |ip: &'static str, at: &'static str| credence_store::LoginAttempt {
        username: "wang",
        client_ip: ip,
        at,
        since: "2026-11-22T09:00:00Z",
        known_since: "2026-11-01T00:00:00Z",
    };
    let mut seen = Vec::new();
    for (ip, at, ok) in [
        ("10.0.0.1", "2026-11-22T10:00:00Z", false),
        ("10.0.0.1", "2026-11-22T10:01:00Z", true),
        ("10.0.0.1", "2026-11-22T10:02:00Z", false),
        ("10.0.0.2", "2026-11-22T10:03:00Z", false),
    ] {
        let id = f
            .store
            .open_login_attempt(&attempt(ip, at), |c| {
                seen.push(c.clone());
                None::<()>
            })
            .unwrap()
            .unwrap();
        if ok {
            f.store.close_login_attempt(id).unwrap();
        }
    }
    let last = f
        .store
        .open_login_attempt(&attempt("10.0.0.1", "2026-11-22T10:04:00Z"), |c| Some(c.clone()))
        .unwrap();
    let Err(c) = last else { panic!("refused by the closure") };
    assert_eq!(
        c,
        credence_store::LoginCounts {
            user_ip_failures: 1,
            user_ip_last_failure: Some("2026-11-22T10:02:00Z".into()),
            ip_failures: 2,
            user_failures: 2,
            known_address: true,
        }
    );
    assert!(!seen[3].known_address && seen[3].user_ip_failures == 0 && seen[3].user_failures == 1);
    let again = f
        .store
        .open_login_attempt(&attempt("10.0.0.1", "2026-11-22T10:05:00Z"), |c| Some(c.clone()))
        .unwrap();
    assert_eq!(again.unwrap_err().ip_failures, 2, "the refused attempt was not recorded");
    assert_eq!(f.store.prune_login_attempts("2026-11-22T10:02:30Z", "2026-11-22T10:01:30Z").unwrap(), 3);

    // Two connections (two instances) race for one run: one wins; when its claim expires
    // unfinished (the instance died) the other takes it over; once finished it never runs
    // again.
    let mut other = f.store.open_another().unwrap();
    let run = "nightly_rating:2026-11-22";
    let (now, until) = ("2026-11-22T10:00:00Z", "2026-11-22T10:05:00Z");
    assert!(f.store.claim_job(run, "a", now, until).unwrap());
    assert!(!other.claim_job(run, "b", "2026-11-22T10:01:00Z", "2026-11-22T10:06:00Z").unwrap());
    assert!(other.claim_job(run, "b", "2026-11-22T10:05:00Z", "2026-11-22T10:10:00Z").unwrap());
    assert!(!f.store.finish_job(run, "a", &"2026-11-22T10:06:00Z".into(), "ok").unwrap(), "a lost its claim");
    assert!(other.finish_job(run, "b", &"2026-11-22T10:07:00Z".into(), "ok").unwrap());
    assert!(!f.store.claim_job(run, "a", "2026-11-23T10:00:00Z", "2026-11-23T10:05:00Z").unwrap());
    // The next period's run waits while this one's is under way.
    assert!(f.store.claim_job("warnings:1", "a", now, until).unwrap());
    assert!(!other.claim_job("warnings:2", "b", "2026-11-22T10:01:00Z", "2026-11-22T10:06:00Z").unwrap());
    assert!(f.store.finish_job("warnings:1", "a", &"2026-11-22T10:02:00Z".into(), "ok").unwrap());
    assert!(other.claim_job("warnings:2", "b", "2026-11-22T10:03:00Z", "2026-11-22T10:08:00Z").unwrap());
    assert_eq!(
        f.store.job_runs().unwrap()[..1],
        [credence_store::JobRun {
            run: run.to_owned(),
            claimed_by: Some("b".to_owned()),
            started_at: Some("2026-11-22T10:05:00Z".into()),
            finished_at: Some("2026-11-22T10:07:00Z".into()),
            status: Some("ok".to_owned())
        }]
    );
}

/// The URL's `sslmode` decides how a PostgreSQL connection is made: `disable` plain,
/// `require` (and `prefer`, the default, on a server that offers TLS) encrypted, and
/// `verify-full` refuses a server whose certificate does not name the host it was reached
/// at (the local server's self-signed certificate names localhost, not 127.0.0.1).
#[test]
fn postgres_connections_use_tls_as_the_url_says() {
    let Some(url) = pg_url() else { return };
    // The modes below are this test's own: whatever the configured URL asks is left out.
    let url = url.split('?').next().unwrap_or_default().to_owned();
    let mut admin = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let ssl_on: String = admin.query_one("SHOW ssl", &[]).unwrap().get(0);
    let sep = if url.contains('?') { '&' } else { '?' };
    let open = |mode: &str| Store::open(&format!("{url}{sep}sslmode={mode}"));
    assert!(!open("disable").unwrap().connection_encrypted().unwrap());
    if ssl_on != "on" {
        assert!(open("require").is_err());
        return;
    }
    assert!(open("require").unwrap().connection_encrypted().unwrap());
    assert!(Store::open(&url).unwrap().connection_encrypted().unwrap());
    let snakeoil = "/etc/ssl/certs/ssl-cert-snakeoil.pem";
    if std::path::Path::new(snakeoil).exists() {
        let e = open(&format!("verify-full&sslrootcert={snakeoil}")).err().expect("the host name is checked");
        let shown = format!("{e}: {:?}", std::error::Error::source(&e));
        assert!(shown.contains("certificate") || shown.contains("Certificate"), "{shown}");
        // Its chain is trusted when it is the root given (verify-ca does not look at the
        // name), and with the name it carries (localhost) verify-full connects too.
        let ca = open(&format!("verify-ca&sslrootcert={snakeoil}"));
        assert!(ca.unwrap().connection_encrypted().unwrap());
        if url.contains("@127.0.0.1:") {
            let by_name = url.replace("@127.0.0.1:", "@localhost:");
            let full = Store::open(&format!("{by_name}{sep}sslmode=verify-full&sslrootcert={snakeoil}"));
            assert!(full.unwrap().connection_encrypted().unwrap());
        }
    }
    let e = open("verify-full&sslrootcert=/nonexistent/ca.pem").err().unwrap().to_string();
    assert!(e.contains("cannot read the root certificates in /nonexistent/ca.pem"), "{e}");
}

/// Two instances opening the same shared run join one; four threads claiming its parts
/// at once each get different parts, all of them once; a part whose lease ran out is
/// claimed again and only its new claim writes it; the last part written finishes the
/// run with its counts and the medians made from every part's summary.
fn shared_run_parts_are_claimed_once_and_finish_the_run_once(f: &mut Fixture) {
    use credence_store::{NewRatingRun, PartWritten, RatedPart, part_bounds};
    let run = NewRatingRun {
        as_of: "2026-09-30".into(),
        started_at: "2026-10-01T00:00:00Z".into(),
        model_version: "m1".into(),
        catalogue_version: "c1".into(),
        scope: "all".into(),
    };
    let ids: Vec<String> = (0..100).map(|i| format!("C{i:04}")).collect();
    let bounds = part_bounds(&ids, 8);
    assert_eq!(bounds.len(), 8);
    assert_eq!((bounds[0].as_str(), bounds[1].as_str(), bounds[7].as_str()), ("", "C0012", "C0087"));
    let (run_id, opened) = f.store.start_shared_rating_run(&run, &bounds).unwrap();
    assert!(opened);
    let mut other = f.store.open_another().unwrap();
    assert_eq!(other.start_shared_rating_run(&run, &bounds).unwrap(), (run_id, false));
    assert_eq!(other.open_shared_rating_run(&run).unwrap(), Some(run_id));
    assert!(f.store.start_shared_rating_run(&run, &["b".into()]).is_err());

    let (now, until) = ("2026-10-01T00:00:00.000Z", "2026-10-01T00:01:00.000Z");
    let claimed: Vec<Vec<credence_store::ClaimedPart>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|k| {
                let mut store = f.store.open_another().unwrap();
                s.spawn(move || {
                    let mut mine = Vec::new();
                    while let Some(p) = store.claim_rating_part(run_id, &format!("i{k}"), now, until).unwrap()
                    {
                        mine.push(p);
                    }
                    mine
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut parts: Vec<i64> = claimed.iter().flatten().map(|p| p.part).collect();
    parts.sort();
    assert_eq!(parts, (0..8).collect::<Vec<_>>(), "{claimed:?}");
    let state = f.store.rating_parts_state(run_id, now).unwrap();
    assert_eq!((state.parts, state.done, state.held, state.next_expiry.as_deref()), (8, 0, 8, Some(until)));
    assert!(f.store.claim_rating_part(run_id, "late", now, until).unwrap().is_none());

    // Part 3's lease runs out; another instance claims it, and the first holder's write
    // is refused.
    let mut all: Vec<_> = claimed.into_iter().flatten().collect();
    all.sort_by_key(|p| p.part);
    let later = ("2026-10-01T00:01:00.000Z", "2026-10-01T00:02:00.000Z");
    let first = all[0].clone();
    assert!(first.contains("C0000") && first.contains("C0011") && !first.contains("C0012"));
    assert!(all[7].contains("C9999") && !all[7].contains("C0086"));
    let taken = other.claim_rating_part(run_id, "b", later.0, later.1).unwrap().unwrap();
    assert_eq!(taken.part, 0);
    let rated = |customer: &str| credence_store::NewRating {
        customer_id: customer.into(),
        as_of: "2026-09-30".into(),
        model_version: "m1".into(),
        catalogue_version: "c1".into(),
        inputs_hash: "h".into(),
        data_version: 1,
        score: 50.0,
        pd: 0.02,
        letter_grade: "BBB".into(),
        point_grade: "BBB".into(),
        model_letter_grade: "BBB".into(),
        model_point_grade: "BBB".into(),
        detail: String::new(),
    };
    let at: credence_domain::Timestamp = "2026-10-01T00:03:00Z".into();
    // The "medians" here: how many summaries there were, and the sum of their bytes.
    let medians = |summaries: &[Vec<u8>]| -> Result<Vec<credence_store::Benchmark>, String> {
        Ok(vec![
            credence_store::Benchmark {
                industry: "C".into(),
                indicator: "parts".into(),
                median: summaries.len() as f64,
                observations: 0,
            },
            credence_store::Benchmark {
                industry: "C".into(),
                indicator: "bytes".into(),
                median: summaries.iter().map(|s| f64::from(s[0])).sum(),
                observations: 0,
            },
        ])
    };
    let ours = [rated("C0000")];
    let stale = RatedPart { ratings: &ours, failures: &[], skipped: 0, summary: vec![1] };
    assert_eq!(f.store.write_rating_part(&first, &stale, &at, &medians).unwrap(), PartWritten::Lost);
    assert_eq!(
        other.write_rating_part(&taken, &stale, &at, &medians).unwrap(),
        PartWritten::Done { finished: false }
    );
    // Written once: a second write of the same claim is refused too.
    assert_eq!(other.write_rating_part(&taken, &stale, &at, &medians).unwrap(), PartWritten::Lost);
    for p in &all[1..] {
        let failed = [(credence_domain::CustomerId::from(p.lower.as_str()), "no file".to_owned())];
        let written = f
            .store
            .write_rating_part(
                p,
                &RatedPart { ratings: &[], failures: &failed, skipped: 2, summary: vec![3] },
                &at,
                &medians,
            )
            .unwrap();
        assert_eq!(written, PartWritten::Done { finished: p.part == 7 });
    }
    let state = f.store.rating_parts_state(run_id, later.0).unwrap();
    assert_eq!((state.parts, state.done, state.held, state.finished), (8, 8, 0, true));
    let r = f.store.rating_run(run_id).unwrap().unwrap();
    assert_eq!((r.rated, r.skipped, r.failed, r.parts), (1, 14, 7, 8));
    assert_eq!(r.finished_at.unwrap().as_str(), "2026-10-01T00:03:00Z");
    // The medians saw the eight summaries, in part order: 1 + 7 × 3.
    let b = f.store.benchmarks(run_id, "C").unwrap();
    assert_eq!((b.get("parts"), b.get("bytes")), (Some(&8.0), Some(&22.0)));
    assert_eq!(f.store.rating_failures(run_id).unwrap().len(), 7);
    assert_eq!(f.store.rating_history("C0000").unwrap().len(), 1);
    // Finished: the next run of the same kind opens anew.
    assert_eq!(f.store.open_shared_rating_run(&run).unwrap(), None);
    let (next, opened) = f.store.start_shared_rating_run(&run, &bounds).unwrap();
    assert!(opened && next > run_id);
}
