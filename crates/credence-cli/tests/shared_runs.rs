//! A rating run shared by real `credence` processes, on SQLite and on PostgreSQL: two
//! instances started together share one run and rate every customer once; an instance
//! killed holding a part leaves it to the other once its lease runs out.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod support;
use support::{ok, pg_schema};

fn start(db: &str, instance: &str, parts: &str, lease: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_credence"))
        .args(["rate", "--as-of", "2026-09-30", "--shared", "--format", "json"])
        .args(["--parts", parts, "--lease", lease, "--instance", instance])
        .env("CREDENCE_DB", db)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the credence binary runs")
}

fn report(child: Child) -> serde_json::Value {
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Reads the database the processes share, whichever it is.
enum Peek {
    Sqlite(rusqlite::Connection),
    Postgres(postgres::Client),
}

impl Peek {
    fn open(db: &str) -> Peek {
        if db.starts_with("postgres") {
            Peek::Postgres(postgres::Client::connect(db, postgres::NoTls).unwrap())
        } else {
            Peek::Sqlite(rusqlite::Connection::open(db).unwrap())
        }
    }

    /// The integers of the first row of a query.
    fn ints(&mut self, sql: &str) -> Vec<i64> {
        match self {
            Peek::Sqlite(c) => c
                .query_row(sql, [], |r| (0..r.as_ref().column_count()).map(|i| r.get::<_, i64>(i)).collect())
                .unwrap(),
            Peek::Postgres(c) => {
                let row = c.query_one(sql, &[]).unwrap();
                (0..row.len())
                    .map(|i| row.try_get::<_, i64>(i).unwrap_or_else(|_| row.get::<_, i32>(i).into()))
                    .collect()
            }
        }
    }
}

/// Every customer of `customers` rated exactly once in the newest run, which is finished
/// and cut into `parts` parts, all done.
fn assert_rated_once(peek: &mut Peek, customers: i64, parts: i64) -> i64 {
    let run = peek.ints("SELECT MAX(id) FROM rating_runs")[0];
    assert_eq!(
        peek.ints(&format!("SELECT COUNT(*), COUNT(DISTINCT customer_id) FROM ratings WHERE run_id = {run}")),
        vec![customers, customers]
    );
    assert_eq!(
        peek.ints(&format!(
            "SELECT rated, parts, CASE WHEN finished_at IS NULL THEN 0 ELSE 1 END FROM rating_runs WHERE id = {run}"
        )),
        vec![customers, parts, 1]
    );
    assert_eq!(
        peek.ints(&format!("SELECT COUNT(*) FROM run_parts WHERE run_id = {run} AND done_at IS NOT NULL")),
        vec![parts]
    );
    run
}

fn two_instances_share_a_run(db: &str) {
    ok(db, &["demo", "--records-only", "--customers", "600", "--seed", "4"]);
    let (a, b) = (start(db, "a", "24", "600"), start(db, "b", "24", "600"));
    let (a, b) = (report(a), report(b));
    let written = |r: &serde_json::Value| r["parts_written"].as_u64().unwrap();
    assert_eq!(written(&a) + written(&b), 24, "{a}\n{b}");
    assert_eq!(a["run_id"], b["run_id"]);
    assert_eq!(a["rated"].as_u64().unwrap() + b["rated"].as_u64().unwrap(), 600);
    assert!(a["finished"].as_bool().unwrap() && b["finished"].as_bool().unwrap());
    assert_eq!(
        u8::from(a["finished_here"].as_bool().unwrap()) + u8::from(b["finished_here"].as_bool().unwrap()),
        1
    );
    assert_eq!(u8::from(a["opened"].as_bool().unwrap()) + u8::from(b["opened"].as_bool().unwrap()), 1);
    let mut peek = Peek::open(db);
    let run = assert_rated_once(&mut peek, 600, 24);
    // The grades are those one process gives the same book.
    ok(db, &["rate", "--as-of", "2026-09-30"]);
    let same = peek.ints(&format!(
        "SELECT COUNT(*) FROM ratings s JOIN ratings o ON o.customer_id = s.customer_id AND o.run_id = (SELECT MAX(id) FROM rating_runs) \
         WHERE s.run_id = {run} AND s.score = o.score AND s.letter_grade = o.letter_grade AND s.inputs_hash = o.inputs_hash"
    ));
    assert_eq!(same, vec![600]);
}

fn a_killed_instance_leaves_its_part_to_another(db: &str) {
    ok(db, &["demo", "--records-only", "--customers", "1500", "--seed", "6"]);
    let mut peek = Peek::open(db);
    // Instance a, with a two-second lease, is killed while it holds a part.
    let mut held = 0;
    for _attempt in 0..5 {
        let mut a = start(db, "a", "300", "2");
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            let n = peek.ints(
                "SELECT COUNT(*) FROM run_parts WHERE holder = 'a' AND done_at IS NULL AND claimed_until IS NOT NULL",
            )[0];
            let done = peek.ints("SELECT COUNT(*) FROM run_parts WHERE done_at IS NOT NULL")[0];
            if n > 0 && done > 0 {
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        a.kill().unwrap();
        a.wait().unwrap();
        held = peek.ints(
            "SELECT COUNT(*) FROM run_parts WHERE holder = 'a' AND done_at IS NULL AND claimed_until IS NOT NULL",
        )[0];
        let finished = peek.ints(
            "SELECT COUNT(*) FROM rating_runs WHERE finished_at IS NOT NULL AND id = (SELECT MAX(id) FROM rating_runs)",
        )[0];
        if held > 0 && finished == 0 {
            break;
        }
    }
    // An instance claims its next part while it rates the last, so it may hold more than one.
    assert!(held >= 1, "instance a was never caught holding a part");
    let by_a = peek.ints("SELECT COUNT(*) FROM run_parts WHERE done_by = 'a'")[0];
    assert!(by_a > 0);
    // Instance b joins, rates the free parts, waits out a's lease and takes its part over.
    let b = report(start(db, "b", "300", "600"));
    assert_eq!(b["opened"], false);
    assert_eq!(b["parts_written"].as_i64().unwrap(), 300 - by_a, "{b}");
    assert!(b["finished_here"].as_bool().unwrap());
    assert_rated_once(&mut peek, 1500, 300);
    assert_eq!(
        peek.ints("SELECT COUNT(*) FROM run_parts WHERE claims = 2 AND done_by = 'b'"),
        vec![held],
        "the parts a held were claimed twice, the second time by b"
    );
}

#[test]
fn two_instances_share_a_run_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    two_instances_share_a_run(dir.path().join("s.db").to_str().unwrap());
}

#[test]
fn a_killed_instance_leaves_its_part_to_another_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    a_killed_instance_leaves_its_part_to_another(dir.path().join("k.db").to_str().unwrap());
}

#[test]
fn two_instances_share_a_run_on_postgres() {
    let Some((mut admin, schema, db)) = pg_schema("shared run test", "share") else { return };
    two_instances_share_a_run(&db);
    admin.batch_execute(&format!("DROP SCHEMA {schema} CASCADE")).unwrap();
}

#[test]
fn a_killed_instance_leaves_its_part_to_another_on_postgres() {
    let Some((mut admin, schema, db)) = pg_schema("killed instance test", "kill") else { return };
    a_killed_instance_leaves_its_part_to_another(&db);
    admin.batch_execute(&format!("DROP SCHEMA {schema} CASCADE")).unwrap();
}
