//! What the command-line tests share: running the binary on a database, and a
//! PostgreSQL schema of their own.
#![allow(dead_code)]

use std::process::{Command, Output};

pub fn credence(db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_credence"))
        .args(args)
        .env("CREDENCE_DB", db)
        .output()
        .expect("the credence binary runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn ok(db: &str, args: &[&str]) -> String {
    let o = credence(db, args);
    assert!(o.status.success(), "{args:?}: {}\n{}", stdout(&o), String::from_utf8_lossy(&o.stderr));
    stdout(&o)
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A fresh PostgreSQL schema for a test, an admin connection and the URL that uses the
/// schema; `None` (with a message) when no PostgreSQL is configured.
pub fn pg_schema(test: &str, prefix: &str) -> Option<(postgres::Client, String, String)> {
    let Some(url) = std::env::var("CREDENCE_TEST_POSTGRES_URL").ok().or_else(|| {
        (std::env::var("CI").as_deref() == Ok("true"))
            .then(|| "postgres://postgres@127.0.0.1:5432/test".to_owned())
    }) else {
        use std::io::Write;
        let _ = writeln!(std::io::stderr(), "skipping {test}: set CREDENCE_TEST_POSTGRES_URL");
        return None;
    };
    let schema = format!("{prefix}_{}", std::process::id());
    let mut admin = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    admin.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")).unwrap();
    let sep = if url.contains('?') { '&' } else { '?' };
    Some((admin, schema.clone(), format!("{url}{sep}options=-csearch_path%3D{schema}")))
}
