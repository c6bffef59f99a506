//! The `credence` binary end to end: demo, template, import, export, status, and an
//! import killed with SIGKILL half-way.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};

mod support;
use support::{credence, ok, pg_schema, stderr, stdout};

/// Adds a user with a role as the operator (the password from the environment).
fn add_user(db: &str, name: &str, role: &str) {
    add_user_with(db, name, role, &[]);
}

/// Adds a user with a role and further options of `user add` (`--business-lines m`).
fn add_user_with(db: &str, name: &str, role: &str, options: &[&str]) {
    let o = Command::new(env!("CARGO_BIN_EXE_credence"))
        .args(["user", "add", name, "--name", name, "--role", role, "--password-env", "NEW_PASSWORD"])
        .args(options)
        .env("CREDENCE_DB", db)
        .env("NEW_PASSWORD", "a long passphrase")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
}

fn count_line(status: &str, kind: &str) -> u64 {
    status
        .lines()
        .find_map(|l| l.strip_prefix(kind).and_then(|r| r.trim().parse().ok()))
        .unwrap_or_else(|| panic!("no count for {kind} in\n{status}"))
}

#[test]
fn demo_is_deterministic_and_rebuilds_itself() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let db = db.to_str().unwrap();
    let out = ok(db, &["demo", "--records-only", "--customers", "40", "--seed", "7"]);
    assert!(out.contains("Demo portfolio created"), "{out}");
    let status = ok(db, &["status"]);
    assert_eq!(count_line(&status, "customers"), 40);
    assert!(count_line(&status, "invoices") > 100);
    let first = dir.path().join("a.csv");
    ok(db, &["export", "invoices", "--out", first.to_str().unwrap()]);
    let out = ok(db, &["demo", "--records-only", "--customers", "40", "--seed", "7"]);
    assert!(out.contains("Demo portfolio rebuilt"), "{out}");
    let second = dir.path().join("b.csv");
    ok(db, &["export", "invoices", "--out", second.to_str().unwrap()]);
    assert_eq!(std::fs::read(&first).unwrap(), std::fs::read(&second).unwrap());
    ok(db, &["demo", "--records-only", "--customers", "40", "--seed", "8"]);
    let third = dir.path().join("c.csv");
    ok(db, &["export", "invoices", "--out", third.to_str().unwrap()]);
    assert_ne!(std::fs::read(&first).unwrap(), std::fs::read(&third).unwrap());
}

/// By default the demo is worked as a credit department would have by its date: rated at
/// the three quarter ends before it and on it, warned, the policy applied.
#[test]
fn demo_is_worked_to_its_date() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("worked.db");
    let db = db.to_str().unwrap();
    let out = ok(db, &["demo", "--customers", "60", "--seed", "3"]);
    assert!(
        out.contains("Rated as of 2025-12-31 (60), 2026-03-31 (60), 2026-06-30 (60), 2026-09-30 (60)"),
        "{out}"
    );
    assert!(out.contains("credence serve"), "{out}");
    let migration = ok(db, &["rating", "migration"]);
    assert!(migration.contains("from run 3 to run 4: 60 customers"), "{migration}");
    let alerts = ok(db, &["alerts", "list", "--format", "json"]);
    let alerts: serde_json::Value = serde_json::from_str(&alerts).unwrap();
    assert!(!alerts.as_array().unwrap().is_empty(), "the warning run raised alerts");
    assert!(out.contains("limit requests routed"), "{out}");
    // Cases fall due in business days after the demo's date (2026-09-30, a Wednesday: red
    // by the end of Thursday 10-01, yellow of Wednesday 10-07) and are judged at that date,
    // not by the wall clock: none is overdue, none escalates.
    let cases: serde_json::Value =
        serde_json::from_str(&ok(db, &["case", "list", "--format", "json"])).unwrap();
    let due: Vec<&str> = cases.as_array().unwrap().iter().map(|c| c["due_at"].as_str().unwrap()).collect();
    assert!(!due.is_empty());
    assert!(due.iter().all(|d| *d == "2026-10-01T23:59:59Z" || *d == "2026-10-07T23:59:59Z"), "{due:?}");
    let overdue = ok(db, &["case", "list", "--overdue", "--format", "json"]);
    assert_eq!(serde_json::from_str::<serde_json::Value>(&overdue).unwrap(), serde_json::json!([]));
    assert!(ok(db, &["case", "sweep"]).contains("0 overdue case(s) escalated"));
}

#[test]
fn demo_refuses_a_database_with_imported_data() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("real.db");
    let db = db.to_str().unwrap();
    let csv = dir.path().join("c.csv");
    std::fs::write(&csv, "customer_id,name,registration_no,customer_type,industry,region,org_unit,business_line,monitoring_tier,relationship_start\nC1,甲,R1,sme,C,福建,east,m,core,2020-01-01\n").unwrap();
    ok(db, &["import", "customers", csv.to_str().unwrap(), "--as-of", "2026-09-30"]);
    let o = credence(db, &["demo", "--records-only", "--customers", "5"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("holds imported data"));
    assert!(ok(db, &["status"]).contains("customers"));
}

#[test]
fn rejected_import_exits_1_with_the_problems_and_json_lists_them() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let db = db.to_str().unwrap();
    let csv = dir.path().join("bad.csv");
    std::fs::write(&csv, "customer_id,name,uscc,customer_type,industry,region,org_unit,business_line,monitoring_tier,relationship_start\nC1,甲,91350100M000100Y44,sme,C,福建,east,m,core,2020-01-01\n").unwrap();
    let o = credence(db, &["import", "customers", csv.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains("F04 UsccInvalid"), "{out}");
    assert!(out.contains("REJECTED, nothing written"), "{out}");
    let o = credence(db, &["import", "customers", csv.to_str().unwrap(), "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["status"], "rejected");
    assert_eq!(report["diagnostics"][0]["row"], 2);
    assert_eq!(report["diagnostics"][0]["column"], "uscc");
    assert_eq!(report["diagnostics"][0]["rule"]["code"], "F04");
    assert_eq!(report["diagnostics"][0]["value"], "91350100M000100Y44");
}

fn write_customers(path: &Path, n: usize) {
    let mut s = String::from(
        "customer_id,name,registration_no,customer_type,industry,region,org_unit,business_line,monitoring_tier,relationship_start\n",
    );
    for i in 0..n {
        s.push_str(&format!("C{i},公司{i},R{i},sme,C,福建,east,m,core,2020-01-01\n"));
    }
    std::fs::write(path, s).unwrap();
}

#[test]
fn an_import_killed_mid_file_leaves_the_database_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    let db = db.to_str().unwrap();
    let customers = dir.path().join("c.csv");
    write_customers(&customers, 100);
    ok(db, &["import", "customers", customers.to_str().unwrap(), "--as-of", "2026-09-30"]);
    let small = dir.path().join("i.csv");
    std::fs::write(
        &small,
        "invoice_no,customer_id,issue_date,due_date,amount,currency\nK0,C0,2026-01-01,2026-02-01,5,CNY\n",
    )
    .unwrap();
    ok(db, &["import", "invoices", small.to_str().unwrap(), "--as-of", "2026-09-30"]);

    let big = dir.path().join("big.csv");
    let mut s = String::from("invoice_no,customer_id,issue_date,due_date,amount,currency\n");
    for i in 0..400_000 {
        s.push_str(&format!(
            "INV{i},C{},2026-01-{:02},2026-03-01,{}.50,CNY\n",
            i % 100,
            1 + i % 28,
            100 + i % 977
        ));
    }
    std::fs::write(&big, s).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_credence"))
        .args(["import", "invoices", big.to_str().unwrap(), "--progress", "--as-of", "2026-09-30"])
        .env("CREDENCE_DB", db)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let first = lines.next().expect("a progress line").unwrap();
    assert!(first.starts_with("progress: 50000 rows read"), "{first}");
    child.kill().unwrap(); // SIGKILL on Unix
    let status = child.wait().unwrap();
    assert!(!status.success());

    let after = ok(db, &["status"]);
    assert_eq!(count_line(&after, "invoices"), 1);
    assert_eq!(count_line(&after, "customers"), 100);
    // The database is intact and the same file can be imported afterwards.
    let out = ok(db, &["import", "invoices", small.to_str().unwrap(), "--as-of", "2026-09-30"]);
    assert!(out.contains("0 inserted, 0 updated, 1 unchanged"), "{out}");
}

#[test]
fn template_lists_its_columns() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("s.xlsx");
    let out = ok(
        "unused.db",
        &["template", "statements", "--format", "xlsx", "--lang", "zh", "--out", out_path.to_str().unwrap()],
    );
    assert!(out.contains("total_assets") && out.contains("资产总计"), "{out}");
    assert!(out_path.exists());
}

/// A fresh schema on the test PostgreSQL server (`CREDENCE_TEST_POSTGRES_URL`, or the
/// local one when `CI=true`): an admin connection, the schema's name and a database URL
/// whose search path is the schema. `None`, with a note, when there is no server.
#[test]
fn postgres_url_behaves_like_sqlite() {
    let Some((mut admin, schema, db)) = pg_schema("PostgreSQL CLI test", "cli") else { return };
    let dir = tempfile::tempdir().unwrap();
    let customers = dir.path().join("c.csv");
    write_customers(&customers, 30);
    let out = ok(&db, &["import", "customers", customers.to_str().unwrap(), "--as-of", "2026-09-30"]);
    assert!(out.contains("30 inserted, 0 updated, 0 unchanged"), "{out}");
    let out = ok(&db, &["import", "customers", customers.to_str().unwrap(), "--as-of", "2026-09-30"]);
    assert!(out.contains("0 inserted, 0 updated, 30 unchanged"), "{out}");
    admin.batch_execute(&format!("DROP SCHEMA {schema} CASCADE; CREATE SCHEMA {schema}")).unwrap();
    ok(&db, &["demo", "--records-only", "--customers", "300"]);
    assert_eq!(count_line(&ok(&db, &["status"]), "customers"), 300);
    // Rating, groups with their exposure roll-up and a warning run, on PostgreSQL.
    ok(&db, &["rate", "--as-of", "2025-09-30"]);
    let groups: serde_json::Value =
        serde_json::from_str(&ok(&db, &["groups", "list", "--as-of", "2026-09-30", "--format", "json"]))
            .unwrap();
    assert!(
        groups.as_array().unwrap().iter().any(|g| g["exposure"]["exposure"].as_i64() > Some(0)),
        "{groups}"
    );
    let warned: serde_json::Value =
        serde_json::from_str(&ok(&db, &["warn", "--as-of", "2026-09-30", "--all", "--format", "json"]))
            .unwrap();
    assert_eq!(warned["evaluated"], 300);
    let again: serde_json::Value =
        serde_json::from_str(&ok(&db, &["warn", "--as-of", "2026-09-30", "--all", "--format", "json"]))
            .unwrap();
    assert_eq!(
        (again["raised"].as_u64(), again["still_open"].as_u64()),
        (Some(0), warned["raised"].as_u64())
    );
    admin.batch_execute(&format!("DROP SCHEMA {schema} CASCADE")).unwrap();
}

#[test]
fn load_imports_a_daily_drop_folder_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let db = db.to_str().unwrap();
    let drop = dir.path().join("20261001");
    std::fs::create_dir(&drop).unwrap();
    std::fs::write(
        drop.join("invoices_20261001.csv"),
        "invoice_no,customer_id,issue_date,due_date,amount,currency\nI1,C1,2026-09-01,2026-09-30,10,CNY\n",
    )
    .unwrap();
    write_customers(&drop.join("customers_20261001.csv"), 3);
    let out = ok(db, &["load", drop.to_str().unwrap(), "--as-of", "2026-09-30"]);
    let customers_at = out.find("customers ").unwrap();
    let invoices_at = out.find("invoices ").unwrap();
    assert!(customers_at < invoices_at, "{out}");
    assert!(out.contains("3 inserted") && out.contains("1 inserted"), "{out}");
    let again = ok(db, &["load", drop.to_str().unwrap(), "--as-of", "2026-09-30"]);
    assert!(again.contains("0 inserted, 0 updated, 3 unchanged"), "{again}");
}

#[test]
fn rate_then_show_a_customer_with_its_breakdown() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    let db = db.to_str().unwrap();
    ok(db, &["demo", "--records-only", "--customers", "60", "--seed", "3"]);
    let out = ok(db, &["rate", "--as-of", "2026-09-30"]);
    assert!(out.contains("60 rated, 0 skipped as unchanged, 0 failed"), "{out}");
    let out = ok(db, &["rate", "--as-of", "2026-09-30", "--changed"]);
    assert!(out.contains("0 rated, 60 skipped as unchanged"), "{out}");
    let page = ok(db, &["customer", "show", "C0000002", "--lang", "en"]);
    assert!(page.contains("Rating 2026-09-30"), "{page}");
    assert!(page.contains("peer median"), "{page}");
    let json: serde_json::Value =
        serde_json::from_str(&ok(db, &["customer", "show", "C0000002", "--format", "json"])).unwrap();
    assert_eq!(json["history"].as_array().unwrap().len(), 1);
    // The approver is a real user holding the authority; the override waits for them.
    let o = credence(
        db,
        &["rating", "override", "C0000002", "--grade", "B", "--reason", "fraud alert", "--approver", "CRO"],
    );
    assert!(
        stderr(&o).contains("'CRO' cannot approve this override: there is no such user"),
        "{}",
        stderr(&o)
    );
    add_user(db, "cro", "risk_manager");
    ok(db, &["user", "grant", "cro", "--authority", "rating_approver"]);
    let out = ok(
        db,
        &["rating", "override", "C0000002", "--grade", "B", "--reason", "fraud alert", "--approver", "cro"],
    );
    assert!(out.contains("letter grade B") && out.contains("waiting for cro"), "{out}");
    let page = ok(db, &["customer", "show", "C0000002", "--lang", "en"]);
    assert!(!page.contains("B (override; model"), "pending, not in force: {page}");
    assert!(ok(db, &["rating", "pending"]).contains("fraud alert"));
    let o = credence(db, &["rating", "approve", "1"]);
    assert!(stderr(&o).contains("pass --user"), "{}", stderr(&o));
    ok(db, &["rating", "approve", "1", "--user", "cro"]);
    let page = ok(db, &["customer", "show", "C0000002", "--lang", "en"]);
    assert!(page.contains("B (override; model"), "{page}");
    let o = credence(
        db,
        &["rating", "override", "C0000002", "--grade", "Z", "--reason", "x", "--approver", "CRO"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(ok(db, &["indicators", "list"]).contains("current_ratio"));
    let o = credence(db, &["customer", "show", "NOPE"]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("no customer with id 'NOPE'"));
}

#[test]
fn groups_guarantees_contagion_and_graph_export_on_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let db = db.to_str().unwrap();
    ok(db, &["demo", "--records-only", "--customers", "1500"]);
    let at = ["--as-of", "2026-09-30"];
    let list: serde_json::Value =
        serde_json::from_str(&ok(db, &[&["groups", "list", "--format", "json"][..], &at].concat())).unwrap();
    let groups = list.as_array().unwrap();
    assert!(groups.len() > 5, "{list}");
    // An edited group configuration that counts no tie at all finds fewer groups (guarantee
    // ties may still group), named with `--groups` or in credence.toml.
    let shipped = include_str!("../../credence-groups/config/groups.toml");
    let none =
        ["voting_control", "control_agreement", "consolidation", "same_controller", "family", "shared_funds"]
            .iter()
            .fold(shipped.to_owned(), |t, k| t.replacen(&format!("{k} = true"), &format!("{k} = false"), 1));
    let edited = dir.path().join("groups.toml");
    std::fs::write(&edited, &none).unwrap();
    let by_flag = ok(
        db,
        &[&["groups", "list", "--format", "json", "--groups", edited.to_str().unwrap()][..], &at].concat(),
    );
    let config = dir.path().join("credence.toml");
    std::fs::write(&config, format!("[artefacts]\ngroups = \"{}\"\n", edited.display())).unwrap();
    let by_config = ok(
        db,
        &[&["--config", config.to_str().unwrap(), "groups", "list", "--format", "json"][..], &at].concat(),
    );
    let count =
        |text: &str| serde_json::from_str::<serde_json::Value>(text).unwrap().as_array().unwrap().len();
    assert!(count(&by_flag) < groups.len(), "{by_flag}");
    assert_eq!(count(&by_config), count(&by_flag));
    let first = &groups[0];
    let id = first["id"].as_str().unwrap();
    assert!(id.starts_with("G-"));
    assert!(first["customers"].as_u64().unwrap() >= 2);
    // Largest exposure first.
    assert!(
        groups
            .windows(2)
            .all(|w| w[0]["exposure"]["exposure"].as_i64() >= w[1]["exposure"]["exposure"].as_i64())
    );
    let shown = ok(db, &[&["groups", "show", id, "--lang", "en"][..], &at].concat());
    assert!(shown.contains(id) && shown.contains("evidence"), "{shown}");
    let detail: serde_json::Value =
        serde_json::from_str(&ok(db, &[&["groups", "show", id, "--format", "json"][..], &at].concat()))
            .unwrap();
    let member = detail["report"]["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["customer"].as_bool() == Some(true) && m["rule"].is_string())
        .expect("a customer member with its rule");
    let customer = member["party"].as_str().unwrap();
    let explained = ok(db, &[&["groups", "explain", customer, "--lang", "en"][..], &at].concat());
    assert!(explained.contains(&format!("group {id}")), "{explained}");
    let guarantees = ok(db, &[&["groups", "guarantees", "--lang", "en"][..], &at].concat());
    assert!(guarantees.contains("circles") && guarantees.contains(" guarantees "), "{guarantees}");
    let graph: serde_json::Value = serde_json::from_str(&ok(
        db,
        &[&["graph", "export", customer, "--format", "json", "--hops", "1"][..], &at].concat(),
    ))
    .unwrap();
    assert!(graph["nodes"].as_array().unwrap().iter().any(|n| n["id"].as_str() == Some(customer)), "{graph}");
    let dot = ok(db, &[&["graph", "export", customer][..], &at].concat());
    assert!(dot.starts_with("digraph"), "{dot}");
    // Defaults in the demo put their guarantors and relatives on watch.
    let contagion = ok(db, &[&["groups", "contagion", "--lang", "en"][..], &at].concat());
    assert!(contagion.contains("related customers put on watch"), "{contagion}");
    let o = credence(db, &[&["groups", "show", "G-NOBODY"][..], &at].concat());
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("no group with id 'G-NOBODY'"));
}

#[test]
fn warn_raises_alerts_and_cases_that_owners_work_through() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let db = db.to_str().unwrap();
    ok(db, &["demo", "--records-only", "--customers", "400"]);
    let out = ok(db, &["warn", "--as-of", "2026-09-30", "--all"]);
    assert!(out.contains("400 evaluated"), "{out}");
    let alerts: serde_json::Value =
        serde_json::from_str(&ok(db, &["alerts", "list", "--format", "json", "--limit", "500"])).unwrap();
    let alerts = alerts.as_array().unwrap();
    assert!(!alerts.is_empty());
    let id = alerts[0]["id"].as_i64().unwrap().to_string();
    let shown = ok(db, &["alerts", "show", &id, "--lang", "en"]);
    assert!(shown.contains("evidence: ") && shown.contains("recommended action: "), "{shown}");
    // Running again raises nothing new.
    let again = ok(db, &["warn", "--as-of", "2026-09-30", "--all", "--format", "json"]);
    let again: serde_json::Value = serde_json::from_str(&again).unwrap();
    assert_eq!(again["raised"], 0);
    assert_eq!(again["still_open"].as_u64(), Some(alerts.len() as u64));
    let cases: serde_json::Value =
        serde_json::from_str(&ok(db, &["case", "list", "--format", "json"])).unwrap();
    let case = cases.as_array().unwrap()[0]["id"].as_i64().unwrap().to_string();
    ok(db, &["case", "act", &case, "--template", "supply_chain_stop", "--by", "zhang"]);
    ok(db, &["case", "escalate", &case, "--note", "no remediation plan", "--by", "zhang"]);
    let closed = ok(db, &["case", "close", &case, "--outcome", "limit cut to zero", "--by", "zhang"]);
    assert!(closed.contains("closed / downgrade"), "{closed}");
    let log = ok(db, &["case", "show", &case, "--lang", "en"]);
    assert!(
        log.contains("Supply-chain stop")
            && log.contains("watch → downgrade")
            && log.contains("limit cut to zero"),
        "{log}"
    );
    let o = credence(db, &["case", "act", &case, "--action", "called", "--by", "zhang"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("is closed"));
    let o = credence(db, &["warn", "--pack", "/nonexistent/pack.toml"]);
    assert!(!o.status.success());
    // A mistyped indicator in an edited pack is refused with its place.
    let pack = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../credence-warning/packs/warning.toml"
    ))
    .unwrap()
    .replacen("current_ratio < 1.5", "curent_ratio < 1.5", 1);
    let path = dir.path().join("pack.toml");
    std::fs::write(&path, pack).unwrap();
    let o = credence(db, &["warn", "--pack", path.to_str().unwrap()]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("pack.toml:") && err.contains("unknown indicator 'curent_ratio'") && err.contains('^'),
        "{err}"
    );
}

#[test]
fn credit_control_commands_check_queue_propose_approve_age_and_collect() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    let db = db.to_str().unwrap();
    ok(db, &["demo", "--records-only", "--customers", "300"]);
    ok(db, &["rate", "--as-of", "2026-09-30"]);
    let day = ["--date", "2026-09-30"];
    let big: serde_json::Value = serde_json::from_str(&ok(
        db,
        &[
            &[
                "check",
                "--customer",
                "C0000007",
                "--amount",
                "900,000,000.00",
                "--order",
                "SO-1",
                "--format",
                "json",
            ][..],
            &day,
        ]
        .concat(),
    ))
    .unwrap();
    assert_eq!(big["result"]["pass"], false, "an order far above any limit is blocked");
    let id = big["blocked_order"].as_i64().expect("queued").to_string();
    let listed = ok(db, &["blocked", "list"]);
    assert!(listed.contains("SO-1"), "{listed}");
    let o = credence(db, &["blocked", "release", &id, "--reason", "", "--by", "li"]);
    assert!(!o.status.success(), "a release needs a reason");
    let out = ok(db, &["blocked", "reject", &id, "--reason", "too large", "--by", "li"]);
    assert!(out.contains("rejected"), "{out}");
    let table = ok(
        db,
        &["check", "--customer", "C0000007", "--amount", "1.00", "--date", "2026-09-30", "--lang", "en"],
    );
    assert!(table.contains("Credit limit") && table.contains("Group limit"), "{table}");
    let o = credence(db, &["check", "--customer", "C0000007", "--amount", "1.00", "--currency", "USD"]);
    assert!(!o.status.success());
    let applied = ok(db, &["policy", "apply", "--as-of", "2026-09-30", "--lang", "en"]);
    assert!(applied.contains("300 proposals"), "{applied}");
    let requests: serde_json::Value =
        serde_json::from_str(&ok(db, &["limit", "list", "--format", "json"])).unwrap();
    let r = &requests.as_array().unwrap()[0];
    let route: serde_json::Value = serde_json::from_str(r["route"].as_str().unwrap()).unwrap();
    let first_role = route[0]["role"].as_str().unwrap();
    let rid = r["id"].as_i64().unwrap().to_string();
    let shown = ok(db, &["limit", "show", &rid, "--lang", "en"]);
    assert!(shown.contains("because") && shown.contains("step 1"), "{shown}");
    // The operator may not name an authority, nor sign without a user.
    let o = credence(db, &["limit", "approve", &rid, "--role", first_role, "--comment", "fine"]);
    assert!(
        stderr(&o).contains("--role cfo is not accepted") || stderr(&o).contains("is not accepted"),
        "{}",
        stderr(&o)
    );
    let o = credence(db, &["limit", "approve", &rid, "--comment", "fine"]);
    assert!(stderr(&o).contains("signed by a person: pass --user NAME"), "{}", stderr(&o));
    add_user(db, "wang", "finance");
    let o = credence(db, &["limit", "approve", &rid, "--user", "wang", "--comment", "fine"]);
    assert!(
        stderr(&o).contains(&format!("wang does not hold the `{first_role}` authority")),
        "{}",
        stderr(&o)
    );
    ok(db, &["user", "grant", "wang", "--authority", first_role]);
    let out = ok(db, &["limit", "approve", &rid, "--user", "wang", "--comment", "fine"]);
    assert!(out.contains(&format!("approved by wang as {first_role}")), "{out}");
    let shown = ok(db, &["limit", "show", &rid]);
    assert!(shown.contains("wang") && shown.contains(first_role), "{shown}");
    let aging: serde_json::Value =
        serde_json::from_str(&ok(db, &["aging", "--as-of", "2026-09-30", "--format", "json"])).unwrap();
    assert_eq!(aging["report"]["portfolio"]["customers"], 300);
    assert!(aging["report"]["portfolio"]["profile"]["open"].as_i64() > Some(0));
    assert_eq!(aging["history"].as_array().unwrap().len(), 12, "month by month for a year");
    assert_eq!(aging["top_customers"].as_array().unwrap().len(), 10);
    ok(db, &["collect", "log", "C0000007", "--action", "phone", "--note", "CFO promised", "--by", "zhao"]);
    ok(db, &["collect", "log", "C0000007", "--action", "letter", "--date", "2026-09-25", "--by", "zhao"]);
    let promise = ["collect", "promise", "--amount", "5000", "--on", "2026-10-15", "--made-on", "2026-10-01"];
    let out = ok(db, &[&promise[..], &["C0000007", "--by", "zhao"]].concat());
    assert!(out.contains("3 grace days"), "{out}");
    let o = credence(db, &[&promise[..], &["C9999999", "--by", "zhao"]].concat());
    assert!(String::from_utf8_lossy(&o.stderr).contains("no customer with id 'C9999999'"));
    let o = credence(db, &["collect", "log", "C0000007", "--action", "telepathy", "--by", "zhao"]);
    assert!(!o.status.success());
    let report = ok(db, &["collect", "report", "--as-of", "2026-10-31"]);
    assert!(report.contains("letter") && report.contains("by strategy rule"), "{report}");
    assert!(!report.contains("phone"), "an action after the as-of date does not count: {report}");

    // Disputes: checked against the invoice, one open at a time, resolved once.
    let dispute = |args: &[&str]| credence(db, &[&["collect", "dispute"][..], args].concat());
    let err = |o: std::process::Output| String::from_utf8_lossy(&o.stderr).into_owned();
    let open = ["open", "C0000007", "--reason", "damaged goods", "--by", "zhao", "--date", "2026-09-20"];
    let e = err(dispute(&[&open[..], &["--invoice", "INV-NONE"]].concat()));
    assert!(e.contains("no invoice 'INV-NONE'"), "{e}");
    let e = err(dispute(&[&open[..], &["--invoice", "INV-C0000008-0001"]].concat()));
    assert!(e.contains("is customer 'C0000008's, not 'C0000007's"), "{e}");
    let e = err(dispute(
        &[&open[..], &["--invoice", "INV-C0000007-0001", "--amount", "999,999,999.00"]].concat(),
    ));
    assert!(e.contains("cannot exceed the invoice's amount"), "{e}");
    let o = dispute(&[&open[..], &["--invoice", "INV-C0000007-0001"]].concat());
    assert!(o.status.success(), "{}", err(o));
    let e = err(dispute(&[&open[..], &["--invoice", "INV-C0000007-0001"]].concat()));
    assert!(e.contains("already has an open dispute (1)"), "{e}");
    let listed: serde_json::Value = serde_json::from_str(&ok(
        db,
        &["collect", "dispute", "list", "--on", "2026-09-30", "--format", "json"],
    ))
    .unwrap();
    assert_eq!(listed[0]["invoice_no"], "INV-C0000007-0001");
    let resolve = ["resolve", "1", "--resolution", "credit note for the damage", "--by", "li"];
    let e = err(dispute(&[&resolve[..], &["--date", "2026-09-01"]].concat()));
    assert!(e.contains("cannot be before the dispute was opened"), "{e}");
    assert!(dispute(&[&resolve[..], &["--date", "2026-10-05"]].concat()).status.success());
    let e = err(dispute(&[&resolve[..], &["--date", "2026-10-06"]].concat()));
    assert!(e.contains("dispute 1 was resolved on 2026-10-05"), "{e}");
    let open_later = ok(db, &["collect", "dispute", "list", "--on", "2026-10-10"]);
    assert!(!open_later.contains("INV-C0000007-0001"), "{open_later}");
    // The dispute and the promise make C0000007's rating stale and feed its indicators.
    let shown: serde_json::Value =
        serde_json::from_str(&ok(db, &["customer", "show", "C0000007", "--format", "json"])).unwrap();
    assert_eq!(shown["data_changed_since_rating"], true);
    let unchanged: serde_json::Value =
        serde_json::from_str(&ok(db, &["customer", "show", "C0000008", "--format", "json"])).unwrap();
    assert_eq!(unchanged["data_changed_since_rating"], false);
    let out = ok(db, &["rate", "--as-of", "2026-09-30", "--changed"]);
    assert!(out.contains("1 rated, 299 skipped as unchanged"), "{out}");
    // Every change made here is in the audit log, with its operator, and the chain holds.
    let log: serde_json::Value =
        serde_json::from_str(&ok(db, &["audit", "list", "--action", "cli.collect", "--format", "json"]))
            .unwrap();
    let logged: Vec<(&str, &str, &str)> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["action"].as_str().unwrap(), r["object"].as_str().unwrap(), r["actor"].as_str().unwrap()))
        .collect();
    assert_eq!(
        logged[..2],
        [("cli.collect.log", "C0000007", "zhao"), ("cli.collect.log", "C0000007", "zhao")]
    );
    assert!(logged.iter().any(|l| l.0 == "cli.collect.dispute" && l.2 == "zhao"), "{logged:?}");
    let all = ok(db, &["audit", "list", "--limit", "1000"]);
    for action in
        ["cli.demo", "cli.rate", "cli.check", "cli.blocked.reject", "cli.policy.apply", "cli.limit.approve"]
    {
        assert!(all.contains(action), "{action} missing from the audit log");
    }
    assert!(ok(db, &["audit", "verify"]).contains("intact"));
    let worklist: serde_json::Value =
        serde_json::from_str(&ok(db, &["collect", "worklist", "--date", "2026-09-30", "--format", "json"]))
            .unwrap();
    assert!(!worklist["collectors"].as_array().unwrap().is_empty(), "{worklist}");
}

#[test]
fn notify_delivers_the_outbox_to_configured_recipients() {
    use std::io::{BufRead, BufReader, Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("n.db");
    let db = db.to_str().unwrap();
    ok(db, &["demo", "--records-only", "--customers", "300"]);
    ok(db, &["warn", "--as-of", "2026-09-30", "--all"]);
    let pending: serde_json::Value = serde_json::from_str(&ok(
        db,
        &["notify", "list", "--status", "pending", "--limit", "1000", "--format", "json"],
    ))
    .unwrap();
    let pending = pending.as_array().unwrap();
    assert!(!pending.is_empty());
    let owner = pending[0]["recipient"].as_str().unwrap().to_owned();
    let for_owner = pending.iter().filter(|n| n["recipient"] == owner.as_str()).count();

    // A receiver that answers 200 to every request.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let mut stream = stream;
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        }
    });
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[webhooks.desk]\nurl = \"http://127.0.0.1:1/\"\nsecret = \"plain\"\n").unwrap();
    let o = credence(db, &["notify", "send", "--notify", bad.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("bad.toml:"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let config = dir.path().join("notify.toml");
    std::fs::write(
        &config,
        format!(
            "[webhooks.desk]\nurl = \"http://127.0.0.1:{port}/hook\"\nsecret_env = \"CREDENCE_TEST_DESK_SECRET\"\n[recipients.\"{owner}\"]\nwebhook = \"desk\"\n"
        ),
    )
    .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_credence"))
        .args(["notify", "send", "--notify", config.to_str().unwrap(), "--limit", "1000"])
        .env("CREDENCE_DB", db)
        .env("CREDENCE_TEST_DESK_SECRET", "s3cret")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = stdout(&o);
    assert!(out.contains(&format!("{for_owner} delivered")), "{out}");
    let delivered: serde_json::Value = serde_json::from_str(&ok(
        db,
        &["notify", "list", "--status", "delivered", "--limit", "1000", "--format", "json"],
    ))
    .unwrap();
    assert_eq!(delivered.as_array().unwrap().len(), for_owner);
}

/// The modelling workbench end to end on the demo portfolio: the data set, a scorecard
/// and a monotone gbdt trained with cross-validation, scoring with reasons, the report,
/// monitoring, registration and a challenger run next to the expert ratings.
#[test]
fn model_workbench_trains_scores_reports_monitors_and_challenges() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    let db = db.to_str().unwrap();
    let file = |name: &str| dir.path().join(name).to_str().unwrap().to_owned();
    ok(db, &["demo", "--records-only", "--customers", "600"]);
    ok(db, &["rate", "--as-of", "2025-09-30"]);
    let out = ok(db, &["model", "dataset", "--as-of", "2025-09-30", "--out", &file("p.csv")]);
    assert!(out.contains("defaulted within 12 months"), "{out}");
    let train = |extra: &[&str]| {
        let base = [
            "model",
            "train",
            "--data",
            &file("p.csv"),
            "--target",
            "default_12m",
            "--exclude",
            "customer_id",
            "--folds",
            "3",
        ];
        credence(db, &[&base[..], extra].concat())
    };
    let o = train(&["--out", &file("sc.json"), "--version", "2026-Q4-V1.0", "--format", "json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(summary["validation"]["folds"].as_array().unwrap().len(), 3);
    let auc = summary["validation"]["mean"]["auc"].as_f64().unwrap();
    assert!(auc > 0.6 && auc < 1.0, "{auc}");
    let o = train(&[
        "--kind",
        "gbdt",
        "--monotone",
        "overdue_rate=inc",
        "--out",
        &file("gb.json"),
        "--version",
        "2026-Q4-V1.1",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = train(&[
        "--calibrate",
        "platt",
        "--stepwise",
        "--out",
        &file("cal.json"),
        "--version",
        "2026-Q4-V1.2",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let report: serde_json::Value =
        serde_json::from_str(&ok(db, &["model", "report", "--model", &file("cal.json"), "--format", "json"]))
            .unwrap();
    assert_eq!(report["model"]["calibration"]["method"], "platt");
    // Mistakes are named.
    let err = |o: Output| String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(err(train(&["--calibrate", "magic", "--out", &file("x.json")])).contains("--calibrate 'magic'"));
    assert!(err(train(&["--kind", "tree", "--out", &file("x.json")])).contains("--kind 'tree'"));
    assert!(
        err(train(&["--monotone", "industry=inc", "--out", &file("x.json")]))
            .contains("a categorical feature has no order")
    );
    let o = credence(
        db,
        &["model", "train", "--data", &file("p.csv"), "--target", "nope", "--out", &file("x.json")],
    );
    assert!(err(o).contains("no column 'nope'"));

    let out = ok(
        db,
        &[
            "model",
            "score",
            "--model",
            &file("gb.json"),
            "--data",
            &file("p.csv"),
            "--out",
            &file("s.csv"),
            "--explain",
            "2",
            "--id",
            "customer_id",
        ],
    );
    let rows = std::fs::read_to_string(file("p.csv")).unwrap().lines().count() - 1;
    assert!(out.contains(&format!("scored {rows} rows")), "{out}");
    let scored = std::fs::read_to_string(file("s.csv")).unwrap();
    let mut lines = scored.lines();
    assert_eq!(
        lines.next().unwrap(),
        "customer_id,pd,score,grade,reason_1,reason_1_value,reason_1_contribution,reason_2,reason_2_value,reason_2_contribution"
    );
    assert_eq!(lines.count(), rows);
    let html = ok(db, &["model", "report", "--model", &file("sc.json")]);
    assert!(
        html.starts_with("<!doctype html>") && html.contains("Binning tables") && html.contains("p-value")
    );
    let json: serde_json::Value =
        serde_json::from_str(&ok(db, &["model", "report", "--model", &file("gb.json"), "--format", "json"]))
            .unwrap();
    assert!(!json["importance"].as_array().unwrap().is_empty());
    let monitor: serde_json::Value = serde_json::from_str(&ok(
        db,
        &["model", "monitor", "--model", &file("sc.json"), "--data", &file("p.csv"), "--format", "json"],
    ))
    .unwrap();
    assert!(monitor["psi"]["value"].as_f64().unwrap() < 1e-9, "the training data is stable against itself");
    assert!(monitor["performance"]["auc"].as_f64().is_some());

    ok(db, &["model", "register", "--model", &file("sc.json"), "--by", "wang"]);
    assert!(
        ok(db, &["model", "register", "--model", &file("sc.json"), "--by", "wang"])
            .contains("nothing changed")
    );
    let listed = ok(db, &["model", "list"]);
    assert!(listed.contains("2026-Q4-V1.0") && listed.contains("scorecard"), "{listed}");
    let run: serde_json::Value = serde_json::from_str(&ok(
        db,
        &["rate", "--as-of", "2025-09-30", "--challenger", "2026-Q4-V1.0", "--format", "json"],
    ))
    .unwrap();
    assert_eq!(
        (run["scored"].as_u64(), run["compared"].as_u64()),
        (Some(600), Some(600)),
        "every customer, and all of them rated by the expert model"
    );
    let o = credence(db, &["rate", "--challenger", "2030-Q1-V9.9"]);
    assert!(err(o).contains("no model '2030-Q1-V9.9' is registered"));
}

/// Users, tokens and the audit chain from the command line; a direct edit of the log is
/// found and `audit verify` fails.
#[test]
fn users_tokens_and_audit_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("u.db");
    let db = db.to_str().unwrap();
    let with_password = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_credence"))
            .args(args)
            .env("CREDENCE_DB", db)
            .env("NEW_PASSWORD", "a long passphrase")
            .output()
            .unwrap()
    };
    let o = with_password(&[
        "user",
        "add",
        "wang",
        "--name",
        "王经理",
        "--role",
        "risk_manager",
        "--business-lines",
        "machinery",
        "--password-env",
        "NEW_PASSWORD",
        "--by",
        "root",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = with_password(&[
        "user",
        "add",
        "li",
        "--name",
        "李",
        "--role",
        "boss",
        "--password-env",
        "NEW_PASSWORD",
    ]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown role 'boss'"));
    let listed = ok(db, &["user", "list"]);
    assert!(listed.contains("wang") && listed.contains("machinery"), "{listed}");
    let token =
        ok(db, &["token", "create", "wang", "--name", "erp", "--scopes", "check.run", "--by", "root"]);
    assert!(token.contains(" cr_"), "{token}");
    let o = credence(db, &["token", "create", "wang", "--name", "x", "--scopes", "user.manage"]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("more than the user's role allows"));
    ok(db, &["token", "revoke", "1", "--by", "root"]);
    ok(db, &["user", "disable", "wang", "--by", "root"]);
    let verify = ok(db, &["audit", "verify"]);
    assert!(verify.contains("intact: 4 records"), "{verify}");
    let log: serde_json::Value =
        serde_json::from_str(&ok(db, &["audit", "list", "--format", "json"])).unwrap();
    let actions: Vec<&str> = log.as_array().unwrap().iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["user.add", "token.create", "token.revoke", "user.disable"]);
    let export = dir.path().join("audit.csv");
    ok(db, &["audit", "export", export.to_str().unwrap()]);
    assert_eq!(std::fs::read_to_string(&export).unwrap().lines().count(), 5);
    let c = rusqlite_connection(db);
    c.execute("DELETE FROM audit_log WHERE seq = 2", []).unwrap();
    let o = credence(db, &["audit", "verify"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("BROKEN at record 2: record 2 is missing"), "{}", stdout(&o));
}

#[test]
fn administrative_duties_and_authorities_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("duties.db");
    let db = db.to_str().unwrap();
    // The operator bootstraps the three administrators.
    add_user(db, "ops", "system_admin");
    add_user(db, "sec", "security_admin");
    add_user(db, "aud", "audit_admin");
    add_user(db, "fin", "finance");
    let as_user = |user: &str, args: &[&str]| {
        let mut all = vec!["--user", user];
        all.extend_from_slice(args);
        credence(db, &all)
    };
    // The system administrator adds accounts without a role and mints no tokens for others.
    let o = as_user(
        "ops",
        &["user", "add", "newbie", "--name", "x", "--role", "risk_manager", "--password-env", "PATH"],
    );
    assert!(stderr(&o).contains("assigned by the security administrator"), "{}", stderr(&o));
    let o = as_user("ops", &["token", "create", "fin", "--name", "erp"]);
    assert!(stderr(&o).contains("never for someone else"), "{}", stderr(&o));
    let o = as_user("ops", &["user", "grant", "fin", "--authority", "cfo"]);
    assert!(stderr(&o).contains("may not grant or revoke authorities"), "{}", stderr(&o));
    // The security administrator grants, within the role, and not to themselves.
    let o = as_user("sec", &["user", "grant", "sec", "--authority", "cfo"]);
    assert!(stderr(&o).contains("no one may change their own authorities"), "{}", stderr(&o));
    let o = as_user("sec", &["user", "grant", "fin", "--authority", "rating_approver"]);
    assert!(stderr(&o).contains("cannot use the `rating_approver` authority"), "{}", stderr(&o));
    let o = as_user("sec", &["user", "grant", "fin", "--authority", "chairman"]);
    assert!(stderr(&o).contains("unknown authority 'chairman'"), "{}", stderr(&o));
    assert!(as_user("sec", &["user", "grant", "fin", "--authority", "cfo"]).status.success());
    // A new role drops the authorities it cannot use.
    let o = as_user("sec", &["user", "assign", "fin", "--role", "account_manager"]);
    assert!(stdout(&o).contains("revoked: cfo"), "{}{}", stdout(&o), stderr(&o));
    let listed = ok(db, &["user", "list"]);
    assert!(listed.lines().any(|l| l.contains("fin") && l.contains("account_manager")), "{listed}");
    // Every act is in the audit log, under the user who did it.
    let log: serde_json::Value =
        serde_json::from_str(&ok(db, &["audit", "list", "--action", "user.", "--format", "json"])).unwrap();
    let acts: Vec<(&str, &str)> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["actor"] == "sec")
        .map(|r| (r["action"].as_str().unwrap(), r["object"].as_str().unwrap()))
        .collect();
    assert_eq!(acts, [("user.grant", "user:fin"), ("user.access", "user:fin")]);
}

fn rusqlite_connection(db: &str) -> rusqlite::Connection {
    rusqlite::Connection::open(db).unwrap()
}

/// Two real server processes against one PostgreSQL database: every job run is claimed by
/// exactly one of them, and a run claimed by an instance that died (its lease ran out
/// unfinished) is taken over by the other.
#[test]
fn two_server_instances_run_each_job_once() {
    let Some((mut admin, schema, db)) = pg_schema("the two-instance test", "jobs") else { return };
    ok(&db, &["demo", "--records-only", "--customers", "200"]);
    // The warning runs of the next two-second periods, claimed by an instance that died
    // (its lease ended long ago, unfinished).
    let now_ms = chrono::Utc::now().timestamp_millis();
    let dead: Vec<String> = (0..6).map(|k| format!("warnings:{}", (now_ms / 2_000 + k) * 2_000)).collect();
    for run in &dead {
        admin
            .batch_execute(&format!(
                "INSERT INTO {schema}.job_claims (job, claimed_by, claimed_until, last_started_at) VALUES ('{run}', 'dead', '2000-01-01T00:00:00.000Z', '2000-01-01T00:00:00.000Z')"
            ))
            .unwrap();
    }
    // Port 0: each instance listens wherever the system puts it; the jobs need no client.
    let spawn = |name: &str| {
        Command::new(env!("CARGO_BIN_EXE_credence"))
            .args(["serve", "--addr", "127.0.0.1:0", "--instance", name, "--jobs-every", "2"])
            .env("CREDENCE_DB", &db)
            .env("CREDENCE_JOBS_RATING_PARTS", "8")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    let mut a = spawn("a");
    let mut b = spawn("b");
    std::thread::sleep(std::time::Duration::from_secs(9));
    a.kill().unwrap();
    b.kill().unwrap();
    let _ = (a.wait(), b.wait());
    let rows = admin
        .query(
            &format!(
                "SELECT job, claimed_by, last_started_at, last_finished_at, last_status FROM {schema}.job_claims ORDER BY job"
            ),
            &[],
        )
        .unwrap();
    let runs: Vec<credence_store::JobRun> = rows
        .iter()
        .map(|r| credence_store::JobRun {
            run: r.get(0),
            claimed_by: r.get(1),
            started_at: r.get::<_, Option<String>>(2).map(Into::into),
            finished_at: r.get::<_, Option<String>>(3).map(Into::into),
            status: r.get(4),
        })
        .collect();
    let taken_over: Vec<_> =
        runs.iter().filter(|r| dead.contains(&r.run) && r.finished_at.is_some()).collect();
    assert!(taken_over.len() >= 2, "runs of the dead instance were taken over: {runs:?}");
    assert!(
        taken_over.iter().all(|r| matches!(r.claimed_by.as_deref(), Some("a" | "b"))
            && r.status.as_deref().is_some_and(|s| s.starts_with("ok"))),
        "{runs:?}"
    );
    let finished = runs.iter().filter(|r| r.finished_at.is_some()).count();
    assert!(finished >= 6, "several two-second periods ran: {runs:?}");
    let audited = admin
        .query(
            &format!(
                "SELECT object, COUNT(*) FROM {schema}.audit_log WHERE action = 'job.run' GROUP BY object"
            ),
            &[],
        )
        .unwrap();
    for r in &audited {
        let (object, n): (String, i64) = (r.get(0), r.get(1));
        assert_eq!(n, 1, "{object} ran {n} times");
    }
    let by: std::collections::BTreeSet<_> =
        runs.iter().filter(|r| r.finished_at.is_some()).filter_map(|r| r.claimed_by.clone()).collect();
    assert!(by.iter().all(|i| i == "a" || i == "b"), "{by:?}");
    // The nightly ratings were shared runs of eight parts, each part written once, and
    // the first rated every customer once.
    let rating_runs = admin
        .query(
            &format!(
                "SELECT r.id, r.rated, r.parts, (SELECT COUNT(*) FROM {schema}.ratings x WHERE x.run_id = r.id), \
                 (SELECT COUNT(DISTINCT customer_id) FROM {schema}.ratings x WHERE x.run_id = r.id), \
                 (SELECT COUNT(*) FROM {schema}.run_parts p WHERE p.run_id = r.id AND p.done_by IN ('a', 'b')) \
                 FROM {schema}.rating_runs r WHERE r.finished_at IS NOT NULL ORDER BY r.id"
            ),
            &[],
        )
        .unwrap();
    assert!(!rating_runs.is_empty());
    for (k, r) in rating_runs.iter().enumerate() {
        let (rated, parts, rows, customers, done): (i64, i64, i64, i64, i64) =
            (r.get(1), r.get(2), r.get(3), r.get(4), r.get(5));
        assert_eq!((parts, done, rows, customers), (8, 8, rated, rated));
        if k == 0 {
            assert_eq!(rated, 200);
        }
    }
    admin.batch_execute(&format!("DROP SCHEMA {schema} CASCADE")).unwrap();
}

/// With `--user`, `import` and `load` write only inside that user's data scope; without
/// it the local operator has the whole portfolio.
#[test]
fn import_and_load_as_a_user_stay_inside_its_scope() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let db = db.to_str().unwrap();
    let file = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_owned()
    };
    let header = "customer_id,name,registration_no,customer_type,industry,region,org_unit,business_line,monitoring_tier,relationship_start\n";
    let customers = file(
        "customers.csv",
        &format!(
            "{header}C1,甲,R1,sme,C,福建,east,m,core,2020-01-01\nC2,乙,R2,sme,C,福建,east,t,core,2020-01-01\n"
        ),
    );
    ok(db, &["import", "customers", &customers, "--as-of", "2026-09-30"]);
    let invoices = "invoice_no,customer_id,issue_date,due_date,amount,currency\n";
    ok(
        db,
        &["import", "invoices", &file("i.csv", &format!("{invoices}I1,C2,2026-09-01,2026-09-30,500,CNY\n"))],
    );
    add_user_with(db, "wang", "credit_analyst", &["--business-lines", "m", "--by", "root"]);
    let as_wang = |args: &[&str]| {
        let mut all = vec!["--user", "wang"];
        all.extend_from_slice(args);
        credence(db, &all)
    };
    let first_problem = |o: &Output| {
        let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let d = &report["diagnostics"][0];
        (report["status"].clone(), d["column"].clone(), d["rule"]["code"].clone(), d["value"].clone())
    };
    let invoice_of = || {
        let conn = rusqlite_connection(db);
        conn.query_row("SELECT customer_id, amount FROM invoices WHERE invoice_no = 'I1'", [], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })
        .unwrap()
    };

    // Another line's invoice re-pointed to wang's customer: refused, nothing written.
    let moved = file("moved.csv", &format!("{invoices}I1,C1,2026-09-01,2026-09-30,1,CNY\n"));
    let o = as_wang(&["import", "invoices", &moved, "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(first_problem(&o), ("rejected".into(), "invoice_no".into(), "L16".into(), "I1".into()));
    assert_eq!(invoice_of(), ("C2".to_owned(), 50_000));
    // A link to a customer of another line, and one from a person to wang's customer.
    let links = "relation_type,from_party,from_name,to_party,share_pct\n";
    let o = as_wang(&[
        "import",
        "relationships",
        &file("r1.csv", &format!("{links}ownership,C1,,C2,60\n")),
        "--format",
        "json",
    ]);
    assert_eq!(first_problem(&o), ("rejected".into(), "to_party".into(), "L16".into(), "C2".into()));
    let o = as_wang(&[
        "import",
        "relationships",
        &file("r2.csv", &format!("{links}ownership,P-ZHANG,张三,P-LI,60\n")),
        "--format",
        "json",
    ]);
    assert_eq!(first_problem(&o), ("rejected".into(), "from_party".into(), "L16".into(), "P-ZHANG".into()));
    let r3 = file("r3.csv", &format!("{links}ownership,P-ZHANG,张三,C1,60\n"));
    let out = stdout(&as_wang(&["import", "relationships", &r3]));
    assert!(out.contains("1 inserted"), "{out}");
    // `load` of a folder that moves the other line's customer into wang's line.
    let drop = dir.path().join("drop");
    std::fs::create_dir(&drop).unwrap();
    std::fs::write(
        drop.join("customers.csv"),
        format!("{header}C2,乙,R2,sme,C,福建,east,m,core,2020-01-01\n"),
    )
    .unwrap();
    let o = as_wang(&["load", drop.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let reports: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(reports[0]["diagnostics"][0]["rule"]["code"], "L16", "{reports}");
    // An unknown or a read-only user is refused before anything is read.
    let o = credence(db, &["--user", "nobody", "import", "invoices", &moved]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("--user nobody: no such user"), "{o:?}");
    // The local operator may still move the invoice.
    ok(db, &["import", "invoices", &moved, "--as-of", "2026-09-30"]);
    assert_eq!(invoice_of(), ("C1".to_owned(), 100));
}

/// The command line's audit: the key is created beside the database with a warning; a
/// command whose record cannot be written changes nothing; a checkpoint kept outside the
/// database shows a truncated log; without the key the MACs cannot be checked, and
/// `verify` says so.
#[test]
fn command_line_changes_are_audited_with_them_and_checkpoints_show_truncation() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let db = db.to_str().unwrap();
    let o = credence(db, &["demo", "--records-only", "--customers", "20", "--seed", "3"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let warning = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(
        warning.contains("a new hmac-sha256 key was created in") && warning.contains("a.db.audit-key"),
        "{warning}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(format!("{db}.audit-key")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let again = credence(db, &["status"]);
    assert!(!String::from_utf8_lossy(&again.stderr).contains("warning"), "the key is reused");

    let c = rusqlite_connection(db);
    let actions = |c: &rusqlite::Connection| -> i64 {
        c.query_row("SELECT COUNT(*) FROM collection_actions", [], |r| r.get(0)).unwrap()
    };
    c.execute_batch(
        "CREATE TRIGGER no_audit BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'audit refused'); END;",
    )
    .unwrap();
    let log = ["collect", "log", "C0000001", "--action", "phone", "--note", "called", "--by", "zhao"];
    let o = credence(db, &log);
    assert!(!o.status.success(), "the record could not be written, so the command must fail");
    assert_eq!(actions(&c), 0, "the change was made without its record");
    c.execute_batch("DROP TRIGGER no_audit").unwrap();
    ok(db, &log);
    assert_eq!(actions(&c), 1);
    let records: serde_json::Value =
        serde_json::from_str(&ok(db, &["audit", "list", "--format", "json"])).unwrap();
    let records = records.as_array().unwrap();
    let actions_logged: Vec<&str> = records.iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert_eq!(actions_logged, ["cli.demo", "cli.collect.log"]);
    assert!(records.iter().all(|r| r["algorithm"] == "hmac-sha256"), "{records:?}");

    // A checkpoint, then more changes, then someone deletes them and rolls the head back.
    let checkpoints = dir.path().join("elsewhere.jsonl");
    let cp = checkpoints.to_str().unwrap();
    ok(db, &["audit", "checkpoint", "--out", cp]);
    ok(db, &log);
    ok(db, &["audit", "checkpoint", "--out", cp]);
    let verified = ok(db, &["audit", "verify", "--checkpoint", cp]);
    assert!(verified.contains("intact: 3 records") && verified.contains("3 MACs checked"), "{verified}");
    let (seq, hash): (i64, String) = c
        .query_row("SELECT seq, hash FROM audit_log WHERE seq = 2", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    c.execute_batch(&format!(
        "DELETE FROM audit_log WHERE seq > {seq}; UPDATE audit_head SET seq = {seq}, hash = '{hash}' WHERE id = 1;"
    ))
    .unwrap();
    assert!(ok(db, &["audit", "verify"]).contains("intact: 2 records"), "alone, truncation cannot be seen");
    let o = credence(db, &["audit", "verify", "--checkpoint", cp]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("BROKEN at record 3: the checkpoint taken at"), "{}", stdout(&o));

    // A checkpoint can also go to a webhook, signed as notifications are.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/anchor", listener.local_addr().unwrap());
    let receiver = std::thread::spawn(move || {
        use std::io::{Read, Write};
        let (mut s, _) = listener.accept().unwrap();
        s.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
        let mut got = Vec::new();
        let mut buf = [0u8; 4096];
        while !String::from_utf8_lossy(&got).contains("\"mac\"") {
            let n = s.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
        }
        s.write_all(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n").unwrap();
        String::from_utf8_lossy(&got).into_owned()
    });
    let o = Command::new(env!("CARGO_BIN_EXE_credence"))
        .args(["audit", "checkpoint", "--webhook", &url, "--webhook-secret-env", "ANCHOR_SECRET"])
        .env("CREDENCE_DB", db)
        .env("ANCHOR_SECRET", "shared with the receiver")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let request = receiver.join().unwrap().to_lowercase();
    assert!(request.starts_with("post /anchor"), "{request}");
    assert!(request.contains("x-credence-event: audit.checkpoint"), "{request}");
    assert!(request.contains("x-credence-signature: "), "{request}");
    assert!(request.contains("\"seq\":2") && request.contains("\"algorithm\":\"hmac-sha256\""), "{request}");

    // Exports are recorded too.
    let out = dir.path().join("customers.csv");
    ok(db, &["export", "customers", "--out", out.to_str().unwrap()]);
    let exported: serde_json::Value =
        serde_json::from_str(&ok(db, &["audit", "list", "--action", "cli.export", "--format", "json"]))
            .unwrap();
    assert_eq!(exported[0]["object"], "customers");
    c.execute_batch("DELETE FROM audit_log WHERE seq > 2; UPDATE audit_head SET seq = 2, hash = (SELECT hash FROM audit_log WHERE seq = 2) WHERE id = 1;")
        .unwrap();

    // Without the key.
    let o = credence(db, &["--audit-key-file", "/nonexistent/key", "audit", "verify"]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("cannot check the MACs of 2 keyed records: no audit key"), "{}", stdout(&o));
}

/// A file beyond a read limit is refused by `import` and `load` with the option that
/// raises it, and the option raises it.
#[test]
fn read_limits_are_named_and_set_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("l.db");
    let db = db.to_str().unwrap();
    let drop = dir.path().join("drop");
    std::fs::create_dir(&drop).unwrap();
    let csv = drop.join("customers.csv");
    write_customers(&csv, 5);
    let csv = csv.to_str().unwrap();
    for args in [
        vec!["import", "customers", csv, "--max-rows", "3"],
        vec!["load", drop.to_str().unwrap(), "--max-rows", "3"],
    ] {
        let o = credence(db, &args);
        assert_eq!(
            o.status.code(),
            Some(2),
            "an unreadable file is an error, not a rejected report: {args:?}"
        );
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("row 4: more than 3 rows is beyond the limit max-rows = 3; if the file is genuine, raise it with --max-rows"),
            "{err}"
        );
    }
    let o = credence(db, &["import", "customers", csv, "--max-cell-bytes", "1KiB", "--max-rows", "6"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = credence(db, &["import", "customers", csv, "--max-cell-bytes", "2GB"]);
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("'2GB': use a whole number of bytes, KiB, MiB or GiB")
    );
}

/// The warning rules measured and tuned on a demo portfolio's history: lift over the base
/// rate in the performance report; a proposed pack written once, loadable, with the same
/// rules; bad settings and a scoped user refused.
#[test]
fn rules_are_measured_and_tuned_on_the_demo_history() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tune.db");
    let db = db.to_str().unwrap();
    ok(db, &["demo", "--records-only", "--customers", "400", "--seed", "5"]);
    let perf: serde_json::Value =
        serde_json::from_str(&ok(db, &["rules", "performance", "--format", "json"])).unwrap();
    // The demo's date is 2026-09-30: evaluated up to a year before it.
    assert_eq!(perf["dates"].as_array().unwrap().last().unwrap(), "2025-09-30");
    let base = perf["base_rate"].as_f64().unwrap();
    assert!(base > 0.0 && base < 0.2, "{base}");
    let w13 = perf["rules"].as_array().unwrap().iter().find(|r| r["code"] == "W13").unwrap();
    let (precision, lift) = (w13["precision"].as_f64().unwrap(), w13["lift"].as_f64().unwrap());
    assert!((lift - precision / base).abs() < 1e-9, "{w13}");
    let out = dir.path().join("tuned.toml");
    let out = out.to_str().unwrap();
    let report: serde_json::Value = serde_json::from_str(&ok(
        db,
        &["rules", "tune", "--out", out, "--format", "json", "--version", "2026-Q4-V1.1-t1"],
    ))
    .unwrap();
    assert_eq!(report["proposed_version"], "2026-Q4-V1.1-t1");
    assert_eq!(report["tune_dates"].as_array().unwrap().len(), 5);
    assert_eq!(report["validate_dates"].as_array().unwrap().len(), 4);
    let rules = report["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 18);
    let w07 = rules.iter().find(|r| r["code"] == "W07").unwrap();
    assert_eq!(w07["note"], "no threshold or persistence to tune");
    assert_eq!(w07["settings"], 1);
    let w01 = rules.iter().find(|r| r["code"] == "W01").unwrap();
    assert_eq!(w01["settings"], 28);
    assert!(report["pack_validated"]["before"]["flagged_share"].as_f64().is_some());
    // The proposed pack loads and lists the same rules under its version.
    let listed = ok(db, &["rules", "warning", "--pack", out, "--lang", "en"]);
    assert!(listed.starts_with("rule pack 2026-Q4-V1.1-t1"), "{listed}");
    assert_eq!(listed.lines().filter(|l| l.starts_with('W')).count(), 18, "{listed}");
    // Written once: an existing file is not overwritten.
    let again = credence(db, &["rules", "tune", "--out", out]);
    assert!(!again.status.success());
    assert!(stderr(&again).contains("exists already"), "{}", stderr(&again));
    let bad = credence(db, &["rules", "tune", "--budget", "0"]);
    assert!(stderr(&bad).contains("--budget is a share"), "{}", stderr(&bad));
    let narrow = credence(db, &["rules", "tune", "--from", "2025-06-30", "--to", "2025-09-30"]);
    assert!(stderr(&narrow).contains("at least 2 and 1 are needed"), "{}", stderr(&narrow));
    // An account manager may not read the whole portfolio's history.
    add_user(db, "li", "account_manager");
    let refused = credence(db, &["--user", "li", "rules", "tune"]);
    assert!(!refused.status.success());
    assert!(stderr(&refused).contains("may not portfolio.read"), "{}", stderr(&refused));
}

/// A billing department's drop (accounts, bills and payments in Chinese headers) loads in
/// order, and `utility dataset` writes the behaviour at a month end with the next month's
/// arrears: account 1001 left its June bill unpaid (arrears), 1002 paid every bill on
/// time, 1003 has no June bill. A user whose scope is one business line may not build it.
#[test]
fn utility_dataset_from_a_billing_drop() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("u.db");
    let db = db.to_str().unwrap();
    let drop = dir.path().join("drop");
    std::fs::create_dir(&drop).unwrap();
    std::fs::write(
        drop.join("用电户.csv"),
        "户号,用户类别,供电单位,结算方式,立户日期\n1001,非居民,FZ-01,后付费,2025-01-01\n1002,居民,FZ-01,预付费,2025-01-01\n1003,大工业,FZ-02,postpaid,2025-01-01\n",
    )
    .unwrap();
    let mut bills = String::from("账单号,户号,发行日期,缴费截止日,应收电费,币种\n");
    let mut pays = String::from("缴费流水号,户号,账单号,缴费日期,缴费金额,币种\n");
    for (acct, months) in [("1001", 1..=6), ("1002", 1..=6), ("1003", 1..=5)] {
        for m in months {
            let end = ["", "01-31", "02-28", "03-31", "04-30", "05-31", "06-30"][m];
            let due = format!("2026-{:02}-20", m + 1);
            bills.push_str(&format!("{acct}-{m},{acct},2026-{end},{due},300.00,CNY\n"));
            // Only 1002 pays its June bill.
            if acct == "1002" || m < 6 {
                pays.push_str(&format!("P{acct}-{m},{acct},{acct}-{m},2026-{:02}-10,300.00,CNY\n", m + 1));
            }
        }
    }
    std::fs::write(drop.join("电费账单.csv"), bills).unwrap();
    std::fs::write(drop.join("电费缴费.csv"), pays).unwrap();
    let out = ok(db, &["load", drop.to_str().unwrap(), "--as-of", "2026-09-30"]);
    assert!(out.contains("bill_payments"), "{out}");
    let data = dir.path().join("arrears.csv");
    let out = ok(
        db,
        &[
            "utility",
            "dataset",
            "--as-of",
            "2026-05-31",
            "--observed-to",
            "2026-09-30",
            "--out",
            data.to_str().unwrap(),
        ],
    );
    assert!(out.contains("2 rows for 3 accounts"), "{out}");
    assert!(out.contains("1 without a bill the month after"), "{out}");
    let text = std::fs::read_to_string(&data).unwrap();
    let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split(',').collect()).collect();
    let col = |name: &str| rows[0].iter().position(|c| *c == name).unwrap();
    assert_eq!(rows.len(), 3, "{text}");
    assert_eq!((rows[1][0], rows[1][col("arrears_next_month")]), ("1001", "1"));
    assert_eq!((rows[2][0], rows[2][col("arrears_next_month")]), ("1002", "0"));
    assert_eq!(rows[2][col("account_class")], "residential");
    // At 31 May both paid April's bill on 10 May and owe May's 300, not yet due.
    assert_eq!(rows[1][col("owed_now")], "300");
    assert_eq!(rows[1][col("on_time_share_12")], "1");

    add_user_with(db, "line", "risk_manager", &["--business-lines", "machinery"]);
    let other = dir.path().join("other.csv");
    let o = credence(
        db,
        &["--user", "line", "utility", "dataset", "--as-of", "2026-05-31", "--out", other.to_str().unwrap()],
    );
    assert!(!o.status.success());
    assert!(stderr(&o).contains("the data set holds every billing account"), "{}", stderr(&o));
    assert!(!other.exists());
}

/// `demo --scenario utility` builds a billing portfolio and says what to run next; the
/// suggested data set command works on it as printed.
/// A billing department's month end: every open account graded with reasons, terms
/// proposed by grade and routed, decided by the people who hold the route's authorities,
/// the approved terms in force (no new proposal for them), and an account's statutory
/// late-payment penalty checked by hand from its bills.
#[test]
fn utility_accounts_graded_and_terms_decided_along_the_route() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("u.db");
    let db = db.to_str().unwrap();
    ok(db, &["demo", "--scenario", "utility", "--accounts", "400", "--seed", "4"]);
    let o = credence(db, &["utility", "decide", "--as-of", "2026-09-30"]);
    assert!(stderr(&o).contains("run `credence utility grade` first"), "{}", stderr(&o));

    let run: serde_json::Value =
        serde_json::from_str(&ok(db, &["utility", "grade", "--as-of", "2026-09-30", "--format", "json"]))
            .unwrap();
    let s = &run["summary"];
    let accounts = s["accounts"].as_u64().unwrap();
    assert!(accounts > 350, "{s}");
    let graded: u64 = s["by_class"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|g| g.as_object().unwrap().values())
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(graded, accounts);
    let high: u64 = s["high_risk_by_class"].as_object().unwrap().values().map(|n| n.as_u64().unwrap()).sum();
    assert_eq!(high, s["high_risk"].as_u64().unwrap());
    assert!(s["scorecard_train_auc"].as_f64().unwrap() > 0.7, "{s}");
    // A re-grade with the same models reads only the month end and grades alike.
    let again: serde_json::Value = serde_json::from_str(&ok(
        db,
        &["utility", "grade", "--as-of", "2026-09-30", "--reuse-models", "--format", "json"],
    ))
    .unwrap();
    assert_eq!(again["summary"]["models_from_run"], run["run_id"]);
    for same in ["accounts", "by_class", "high_risk", "train_rows", "kpis"] {
        assert_eq!(again["summary"][same], s[same], "{same}");
    }
    // The month's figures are the grading run's and add up by unit and by route.
    let k: serde_json::Value =
        serde_json::from_str(&ok(db, &["utility", "kpis", "--month-end", "2026-09-30", "--format", "json"]))
            .unwrap();
    assert_eq!(k["total"], s["kpis"]["total"]);
    for field in ["accounts", "accounts_in_arrears"] {
        for by in ["by_unit", "by_route"] {
            let sum: u64 = k[by].as_object().unwrap().values().map(|l| l[field].as_u64().unwrap()).sum();
            assert_eq!(sum, k["total"][field].as_u64().unwrap(), "{by} {field}");
        }
    }
    let (billed, collected) =
        (k["total"]["billed"].as_f64().unwrap(), k["total"]["collected"].as_f64().unwrap());
    assert!(billed > 0.0 && collected > 0.5 * billed && collected <= billed, "{k}");
    let o = credence(db, &["utility", "kpis", "--month-end", "2026-09-30", "--by", "collector"]);
    assert!(stderr(&o).contains("--by collector: unit or route"), "{}", stderr(&o));

    let list: Vec<serde_json::Value> = serde_json::from_str(&ok(
        db,
        &["utility", "grades", "--high-risk", "--limit", "1000", "--format", "json"],
    ))
    .unwrap();
    assert_eq!(list.len() as u64, high);
    let pds: Vec<f64> = list.iter().map(|g| g["forecast_pd"].as_f64().unwrap()).collect();
    assert!(pds.windows(2).all(|w| w[0] >= w[1]) && pds.iter().all(|&p| p >= 0.25), "{pds:?}");
    let reasons: Vec<serde_json::Value> = serde_json::from_str(list[0]["reasons"].as_str().unwrap()).unwrap();
    assert_eq!(reasons.len(), 3, "{reasons:?}");

    let first: serde_json::Value =
        serde_json::from_str(&ok(db, &["utility", "decide", "--as-of", "2026-09-30", "--format", "json"]))
            .unwrap();
    let routed = first["requests"].as_array().unwrap().len();
    assert!(routed > 0, "{first}");
    let again: serde_json::Value =
        serde_json::from_str(&ok(db, &["utility", "decide", "--as-of", "2026-09-30", "--format", "json"]))
            .unwrap();
    assert_eq!(
        (again["requests"].as_array().unwrap().len(), again["already_pending"].as_u64()),
        (0, Some(routed as u64))
    );

    // A request of a large industrial account needs the billing supervisor, then the
    // deputy general manager.
    let requests: Vec<serde_json::Value> =
        serde_json::from_str(&ok(db, &["utility", "requests", "--limit", "1000", "--format", "json"]))
            .unwrap();
    let two_step = requests
        .iter()
        .find(|r| r["route"].as_str().unwrap().contains("deputy_general_manager"))
        .expect("a large industrial account's request");
    let id = two_step["id"].as_i64().unwrap().to_string();
    let account = two_step["account_id"].as_str().unwrap().to_owned();
    add_user(db, "wang", "finance");
    add_user(db, "li", "executive");
    add_user(db, "zhao", "account_manager");
    ok(db, &["user", "grant", "wang", "--authority", "billing_supervisor"]);
    ok(db, &["user", "grant", "li", "--authority", "deputy_general_manager"]);
    let o = credence(db, &["utility", "approve", &id]);
    assert!(stderr(&o).contains("a billing decision is signed by a person"), "{}", stderr(&o));
    let o = credence(db, &["--user", "zhao", "utility", "approve", &id]);
    assert!(stderr(&o).contains("zhao's role may not decide billing requests"), "{}", stderr(&o));
    let o = credence(db, &["--user", "li", "utility", "approve", &id]);
    assert!(stderr(&o).contains("does not hold the `billing_supervisor` authority"), "{}", stderr(&o));
    let long = "长".repeat(2_001);
    let o = credence(db, &["--user", "wang", "utility", "approve", &id, "--comment", &long]);
    assert!(stderr(&o).contains("at most 2000 characters"), "{}", stderr(&o));
    let out = ok(db, &["--user", "wang", "utility", "approve", &id, "--comment", "checked the arrears"]);
    assert!(
        out.contains("approved by wang as billing_supervisor") && out.contains("\"status\":\"pending\""),
        "{out}"
    );
    let out = ok(db, &["--user", "li", "utility", "approve", &id]);
    assert!(out.contains("\"status\":\"approved\""), "{out}");
    let o = credence(db, &["--user", "li", "utility", "approve", &id]);
    assert!(stderr(&o).contains(&format!("billing request {id} is already approved")), "{}", stderr(&o));
    // The approved terms are the account's now: a new decide run leaves it alone.
    let after: serde_json::Value =
        serde_json::from_str(&ok(db, &["utility", "decide", "--as-of", "2026-09-30", "--format", "json"]))
            .unwrap();
    assert!(after["requests"].as_array().unwrap().iter().all(|r| r[1] != account.as_str()), "{after}");
    let pending_id =
        requests.iter().find(|r| r["id"].as_i64().unwrap().to_string() != id).unwrap()["id"].to_string();
    let o = credence(db, &["--user", "wang", "utility", "reject", &pending_id, "--comment", " "]);
    assert!(stderr(&o).contains("a rejection says why"), "{}", stderr(&o));

    // The penalty of a bill nothing was paid on: amount × daily rate × days after the due
    // date (residential 0.1%, others 0.2% within the year), rounded to the fen.
    let mut checked = 0;
    for g in &list {
        let pos: serde_json::Value = serde_json::from_str(&ok(
            db,
            &[
                "utility",
                "account",
                g["account_id"].as_str().unwrap(),
                "--as-of",
                "2026-09-30",
                "--format",
                "json",
            ],
        ))
        .unwrap();
        let bills = pos["bills"].as_array().unwrap();
        let total: i64 = bills.iter().map(|b| b["penalty"]["amount"].as_i64().unwrap()).sum();
        assert_eq!(total, pos["penalty_total"].as_i64().unwrap());
        let rate = if pos["class"] == "residential" { 0.001 } else { 0.002 };
        for b in bills.iter().filter(|b| b["unpaid"] == b["amount"]) {
            let due = chrono::NaiveDate::parse_from_str(b["due"].as_str().unwrap(), "%Y-%m-%d").unwrap();
            let days = (chrono::NaiveDate::from_ymd_opt(2026, 9, 30).unwrap() - due).num_days();
            assert_eq!(b["penalty"]["days"].as_i64().unwrap(), days);
            let want = (b["amount"].as_i64().unwrap() as f64 * rate * days as f64).round().max(100.0) as i64;
            assert_eq!(b["penalty"]["amount"].as_i64().unwrap(), want, "{b}");
            checked += 1;
        }
        if checked >= 3 {
            break;
        }
    }
    assert!(checked >= 3, "only {checked} unpaid bills on the high-risk list");
    let o = credence(db, &["utility", "account", "NOPE", "--as-of", "2026-09-30"]);
    assert!(stderr(&o).contains("no billing account 'NOPE'"), "{}", stderr(&o));

    // Campaigns: a household long in arrears is reminded, then given written notice, and
    // disconnected only after the notice period, outside the National Day moratorium
    // (30 September – 8 October), by a user holding the approver's authority.
    let c: serde_json::Value =
        serde_json::from_str(&ok(db, &["utility", "campaign", "--date", "2026-09-28", "--format", "json"]))
            .unwrap();
    let routes = c["routes"].as_array().unwrap();
    let listed: u64 = routes.iter().map(|r| r["accounts"].as_u64().unwrap()).sum();
    assert_eq!(listed as usize, routes.iter().map(|r| r["items"].as_array().unwrap().len()).sum::<usize>());
    // One supply unit's campaign, read from its own accounts, is that unit's part of the
    // whole.
    let unit = routes[0]["supply_unit"].as_str().unwrap().to_owned();
    let own: serde_json::Value = serde_json::from_str(&ok(
        db,
        &["utility", "campaign", "--date", "2026-09-28", "--unit", &unit, "--format", "json"],
    ))
    .unwrap();
    let part: Vec<&serde_json::Value> = routes.iter().filter(|r| r["supply_unit"] == unit.as_str()).collect();
    assert!(!part.is_empty());
    assert_eq!(own["routes"].as_array().unwrap().iter().collect::<Vec<_>>(), part);
    let item = routes
        .iter()
        .flat_map(|r| r["items"].as_array().unwrap())
        .find(|i| {
            i["class"] == "residential" && i["days_overdue"].as_i64().unwrap() > 60 && i["next"] != "off"
        })
        .expect("a household long in arrears whose supply is on")
        .clone();
    let household = item["account_id"].as_str().unwrap();
    let reminder = item["next"].as_str().unwrap();
    assert!(["sms", "phone", "visit", "written_notice"].contains(&reminder), "{item}");
    ok(db, &["utility", "act", household, "--action", reminder, "--date", "2026-09-10"]);
    let next = |date: &str| -> String {
        let c: serde_json::Value =
            serde_json::from_str(&ok(db, &["utility", "campaign", "--date", date, "--format", "json"]))
                .unwrap();
        c["routes"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|r| r["items"].as_array().unwrap().clone())
            .find(|i| i["account_id"] == household)
            .unwrap()["next"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(next("2026-09-11"), "disconnection_notice");
    let act = |who: Option<&str>, action: &str, date: &str| {
        let mut args = vec![];
        if let Some(u) = who {
            args.extend(["--user", u]);
        }
        args.extend(["utility", "act", household, "--action", action, "--date", date]);
        credence(db, &args)
    };
    let o = act(None, "disconnection", "2026-09-12");
    assert!(stderr(&o).contains("pass --user NAME"), "{}", stderr(&o));
    add_user(db, "ma", "risk_manager");
    let o = act(Some("ma"), "disconnection", "2026-09-12");
    assert!(
        stderr(&o).contains("no written disconnection notice logged at least 7 days before"),
        "{}",
        stderr(&o)
    );
    assert!(act(Some("ma"), "disconnection_notice", "2026-09-12").status.success());
    assert_eq!(next("2026-09-15"), "wait");
    let o = act(Some("ma"), "disconnection", "2026-09-18");
    assert!(stderr(&o).contains("at least 7 days before"), "{}", stderr(&o));
    assert_eq!(next("2026-09-30"), "moratorium");
    let o = act(Some("ma"), "disconnection", "2026-10-02");
    assert!(stderr(&o).contains("National Day holiday"), "{}", stderr(&o));
    let o = act(Some("ma"), "disconnection", "2026-09-19");
    assert!(stderr(&o).contains("does not hold the `marketing_manager` authority"), "{}", stderr(&o));
    ok(db, &["user", "grant", "ma", "--authority", "marketing_manager"]);
    assert!(act(Some("ma"), "disconnection", "2026-09-19").status.success());
    assert_eq!(next("2026-09-20"), "wait");
    let o = act(Some("ma"), "cut_off", "2026-09-19");
    assert!(stderr(&o).contains("'cut_off' is not one of sms, phone, visit"), "{}", stderr(&o));

    // A penalty is waived only by the waiver role's approval, and never beyond what is owed.
    let position = |on: &str| -> serde_json::Value {
        serde_json::from_str(&ok(db, &["utility", "account", household, "--as-of", on, "--format", "json"]))
            .unwrap()
    };
    let before = position("2026-09-30");
    let total = before["penalty_total"].as_i64().unwrap();
    assert!(total > 200, "{before}");
    let yuan = |minor: i64| format!("{}.{:02}", minor / 100, minor % 100);
    let o = credence(
        db,
        &[
            "utility",
            "waive",
            household,
            "--as-of",
            "2026-09-30",
            "--amount",
            &yuan(total + 1),
            "--reason",
            "x",
        ],
    );
    assert!(stderr(&o).contains("at most the penalty not yet waived"), "{}", stderr(&o));
    let out = ok(
        db,
        &[
            "utility",
            "waive",
            household,
            "--as-of",
            "2026-09-30",
            "--amount",
            &yuan(total / 2),
            "--reason",
            "低保户",
        ],
    );
    assert!(out.contains("routed to marketing_manager"), "{out}");
    let waiver = out.split_whitespace().nth(2).unwrap().to_owned();
    let o = credence(db, &["--user", "wang", "utility", "approve", &waiver, "--comment", "ok"]);
    assert!(stderr(&o).contains("does not hold the `marketing_manager` authority"), "{}", stderr(&o));
    ok(db, &["--user", "ma", "utility", "approve", &waiver, "--comment", "低保户，同意减免"]);
    let after = position("2026-09-30");
    assert_eq!(after["waived"].as_i64().unwrap(), total / 2);
    assert_eq!(after["penalty_due"].as_i64().unwrap(), total - total / 2);
    let o = credence(
        db,
        &[
            "utility",
            "waive",
            household,
            "--as-of",
            "2026-09-30",
            "--amount",
            &yuan(total - total / 2 + 1),
            "--reason",
            "x",
        ],
    );
    assert!(!o.status.success(), "no more than what is left");

    // The demo's disconnections against the 24-hour reconnection commitment: every
    // cleared one is counted once, by unit and in total, and every breach took longer.
    let r: serde_json::Value = serde_json::from_str(&ok(
        db,
        &[
            "utility",
            "reconnections",
            "--from",
            "2024-10-01",
            "--to",
            "2026-09-30",
            "--at",
            "2026-09-30 23:59",
            "--format",
            "json",
        ],
    ))
    .unwrap();
    let counts = |c: &serde_json::Value| -> [u64; 5] {
        ["cleared", "in_time", "late", "open_late", "open"].map(|k| c[k].as_u64().unwrap())
    };
    let total = counts(&r["total"]);
    assert!(total[0] > 0 && total[0] == total[1..].iter().sum::<u64>(), "{r}");
    let by_unit: Vec<[u64; 5]> = r["by_unit"].as_object().unwrap().values().map(counts).collect();
    for k in 0..5 {
        assert_eq!(by_unit.iter().map(|c| c[k]).sum::<u64>(), total[k]);
    }
    let breaches = r["breaches"].as_array().unwrap();
    assert_eq!(breaches.len() as u64, total[2] + total[3]);
    assert!(breaches.iter().all(|b| b["hours"].as_f64().unwrap() > 24.0));
    let o = credence(db, &["utility", "reconnections", "--from", "2026-09-30", "--to", "2026-09-01"]);
    assert!(stderr(&o).contains("is before --from"), "{}", stderr(&o));

    // Grading needs the whole portfolio.
    add_user_with(db, "narrow", "risk_manager", &["--business-lines", "m"]);
    let o = credence(db, &["--user", "narrow", "utility", "grade", "--as-of", "2026-09-30"]);
    assert!(stderr(&o).contains("this user's data scope is narrower"), "{}", stderr(&o));
}

#[test]
fn utility_demo_and_its_next_step() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("u.db");
    let db = db.to_str().unwrap();
    let out = ok(db, &["demo", "--scenario", "utility", "--accounts", "60", "--seed", "2"]);
    assert!(out.contains("Utility demo portfolio created"), "{out}");
    assert_eq!(count_line(&ok(db, &["status"]), "accounts"), 60);
    let next = out.lines().find(|l| l.trim_start().starts_with("credence utility dataset")).unwrap();
    let data = dir.path().join("arrears.csv");
    let mut args: Vec<&str> = next.split_whitespace().skip(1).collect();
    let at = args.iter().position(|a| *a == "--out").unwrap();
    args[at + 1] = data.to_str().unwrap();
    let out = ok(db, &args);
    assert!(out.contains("at 12 month end(s) 2025-07-31 … 2026-06-30"), "{out}");
    assert!(out.contains("0 whose target is not known yet"), "{out}");
    let out = ok(
        db,
        &[
            "utility",
            "backtest",
            "--as-of",
            "2026-06-30",
            "--months",
            "1",
            "--train-months",
            "3",
            "--format",
            "json",
        ],
    );
    let b: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(b["train_months"], 3);
    assert_eq!(b["months"].as_array().unwrap().len() + b["skipped"].as_array().unwrap().len(), 1, "{b}");
    let o = credence(db, &["utility", "backtest", "--as-of", "2026-06-30", "--kind", "tree"]);
    assert!(stderr(&o).contains("--kind tree: gbdt, scorecard, logistic or forest"), "{}", stderr(&o));
    let o = credence(db, &["demo", "--scenario", "utility", "--accounts", "0"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("--accounts 0: between 1 and 2000000"), "{}", stderr(&o));
}

/// The shipped scorecard model with its version renamed, as a bank's edited copy.
fn edited_model(dir: &Path, version: &str) -> std::path::PathBuf {
    let shipped = include_str!("../../credence-rating/models/expert.toml");
    let line = shipped.lines().find(|l| l.starts_with("version = ")).unwrap();
    let path = dir.join("bank-model.toml");
    std::fs::write(&path, shipped.replacen(line, &format!("version = \"{version}\""), 1)).unwrap();
    path
}

/// `config check` prints each key's effective value and its origin (file, environment,
/// default), masks secrets and the database password, names the artefacts' versions, and
/// fails with the artefact's own problem (exit 1) or a located key mistake (exit 2).
#[test]
fn config_check_shows_where_each_value_came_from() {
    let dir = tempfile::tempdir().unwrap();
    let model = edited_model(dir.path(), "2026-Q4-V9.1");
    let config = dir.path().join("credence.toml");
    std::fs::write(
        &config,
        format!(
            "[database]\nurl = \"postgres://credence:s3cret@db.internal:5432/credit\"\n[server]\nmax_connections = 64\n\
             [artefacts]\nmodel = \"{}\"\n[jobs]\nwarnings = \"0 7 * * 1-5\"\n",
            model.display()
        ),
    )
    .unwrap();
    let check = |extra: &[(&str, &str)]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_credence"));
        c.args(["--config", config.to_str().unwrap(), "config", "check"])
            .env("CREDENCE_SERVER_MAX_CONNECTIONS", "128")
            .env("CREDENCE_METRICS_TOKEN", "a-metrics-token-of-some-length")
            .env_remove("CREDENCE_DB");
        for (k, v) in extra {
            c.env(k, v);
        }
        c.output().unwrap()
    };
    let o = check(&[]);
    let out = stdout(&o);
    assert!(o.status.success(), "{out}{}", stderr(&o));
    let line = |key: &str| {
        out.lines().find(|l| l.starts_with(key)).unwrap_or_else(|| panic!("{key}\n{out}")).to_owned()
    };
    let words = |key: &str| line(key).split_whitespace().map(str::to_owned).collect::<Vec<_>>();
    assert_eq!(words("database.url")[1], "postgres://credence:****@db.internal:5432/credit");
    assert_eq!(words("database.url")[2..], ["file".to_owned(), config.display().to_string()]);
    assert_eq!(
        words("server.max_connections")[1..],
        ["128", "environment", "CREDENCE_SERVER_MAX_CONNECTIONS"]
    );
    assert_eq!(words("server.metrics_token")[1..4], ["(set,", "hidden)", "environment"]);
    assert_eq!(words("jobs.warnings")[1..6], ["0", "7", "*", "*", "1-5"]);
    assert_eq!(words("time.zone")[1..], ["Asia/Shanghai", "default"]);
    assert!(!out.contains("s3cret") && !out.contains("a-metrics-token"), "{out}");
    assert_eq!(words("model")[1..], ["2026-Q4-V9.1".to_owned(), model.display().to_string()]);
    assert!(out.contains("the configuration and its artefacts are valid"), "{out}");

    let o = check(&[("CREDENCE_RULE_PACK", "/nonexistent/pack.toml")]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("rule_pack: cannot read the rule pack /nonexistent/pack.toml"),
        "{}",
        stderr(&o)
    );

    std::fs::write(&config, "[server]\nmax_conections = 64\n").unwrap();
    let o = check(&[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains(
            "credence.toml:2:1: unknown key `server.max_conections` (did you mean 'server.max_connections'?)"
        ),
        "{}",
        stderr(&o)
    );
}

/// The server runs on what `credence.toml` names: its nightly job rates with the bank's
/// own scorecard, not the shipped one. SIGTERM stops it cleanly (exit 0) within the grace
/// period, and the claims it held are given up.
#[test]
fn the_server_runs_the_configured_model_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("served.db");
    let db = db.to_str().unwrap();
    ok(db, &["demo", "--records-only", "--customers", "40"]);
    let model = edited_model(dir.path(), "2026-Q4-V9.2");
    let config = dir.path().join("credence.toml");
    std::fs::write(
        &config,
        format!(
            "[database]\nurl = \"{db}\"\n[server]\naddr = \"127.0.0.1:0\"\ninstance = \"configured\"\n\
             shutdown_grace_seconds = 5\n[artefacts]\nmodel = \"{}\"\n",
            model.display()
        ),
    )
    .unwrap();
    let mut server = Command::new(env!("CARGO_BIN_EXE_credence"))
        .args(["--config", config.to_str().unwrap(), "serve", "--jobs-every", "1"])
        .env_remove("CREDENCE_DB")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let conn = rusqlite_connection(db);
    let rated_with = |conn: &rusqlite::Connection| -> Vec<String> {
        let mut st = conn
            .prepare("SELECT DISTINCT model_version FROM rating_runs WHERE finished_at IS NOT NULL")
            .unwrap();
        st.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    };
    let started = std::time::Instant::now();
    while rated_with(&conn).is_empty() && started.elapsed() < std::time::Duration::from_secs(60) {
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    assert_eq!(rated_with(&conn), ["2026-Q4-V9.2"]);
    let stop = std::time::Instant::now();
    let killed = Command::new("kill").args(["-TERM", &server.id().to_string()]).status().unwrap();
    assert!(killed.success());
    let status = server.wait().unwrap();
    let mut log = String::new();
    std::io::Read::read_to_string(server.stderr.as_mut().unwrap(), &mut log).unwrap();
    assert!(status.success(), "{status:?}\n{log}");
    assert!(stop.elapsed() < std::time::Duration::from_secs(15), "{:?}", stop.elapsed());
    assert!(log.contains("SIGTERM: stopping") && log.contains("stopped"), "{log}");
    let held: i64 = conn
        .query_row(
            "SELECT count(*) FROM job_claims WHERE claimed_by = 'configured' AND last_finished_at IS NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(held, 0, "{log}");
}

/// `backup` copies the database while it is in use, never over a file; `restore` puts it
/// back only when told to replace, and a user needs `data.backup` for either.
#[test]
fn backup_and_restore_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("live.db");
    let db = db.to_str().unwrap();
    ok(db, &["demo", "--records-only", "--customers", "30"]);
    let copy = dir.path().join("copy.db");
    let copy = copy.to_str().unwrap();
    add_user(db, "admin", "system_admin");
    add_user(db, "risk", "risk_manager");
    let o = credence(db, &["--user", "risk", "backup", "--to", copy]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("may not data.backup"), "{}", stderr(&o));
    let out = ok(db, &["--user", "admin", "backup", "--to", copy]);
    assert!(out.contains("30 customers"), "{out}");
    let o = credence(db, &["backup", "--to", copy]);
    assert!(stderr(&o).contains("never overwrites"), "{}", stderr(&o));
    add_user(db, "later", "auditor");
    let o = credence(db, &["restore", "--from", copy]);
    assert!(stderr(&o).contains("pass --replace"), "{}", stderr(&o));
    let out = ok(db, &["restore", "--from", copy, "--replace"]);
    assert!(out.contains("30 customers"), "{out}");
    let users = ok(db, &["user", "list"]);
    assert!(users.contains("admin") && !users.contains("later"), "{users}");
    let audit = ok(db, &["audit", "verify"]);
    assert!(audit.contains("intact") || audit.contains("verified") || audit.contains("ok"), "{audit}");
}
