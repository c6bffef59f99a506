//! The audit log from the command line (GOV-4): the key the chain is MACed with, the
//! record of a command that changes stored data, and `credence audit …` (verify,
//! checkpoint, list, archive, purge, export).
//!
//! A changing command's record (operator, command and arguments) is attached to every
//! store the command opens and written in the first transaction that commits a change,
//! so no change of the command is durable before its record; a command that committed
//! nothing through those stores (the demo builds a new database file) gets its record
//! once it succeeded. User and token management write their own, richer records.
//!
//! The key: `CREDENCE_AUDIT_KEY` (hex), else the key file `--audit-key-file`, else, for a
//! SQLite database, `<database>.audit-key` beside it, created (mode 0600) at first use
//! with a warning. A PostgreSQL database without a named key file is audited unkeyed,
//! with a warning.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use credence_store::{
    AuditCheckpoint, AuditEntry, AuditKey, AuditVerification, MacAlgorithm, PendingAudit, Store,
};

use credence_server::clock::now_millis as now;

use crate::ReportFormat;
use crate::output::print_table;

/// The key and the command's pending record, set once at start.
struct Setup {
    key: Option<AuditKey>,
    pending: Option<PendingAudit>,
}

static SETUP: OnceLock<Setup> = OnceLock::new();

/// Where the key comes from.
pub struct KeySource<'a> {
    pub db: &'a str,
    pub file: Option<&'a Path>,
    pub algorithm: &'a str,
    /// Create a missing key file (not for `audit verify`, which must not invent a key).
    pub create: bool,
}

/// Finds (or creates) the audit key; `None`: records are written unkeyed.
pub fn resolve_key(source: &KeySource<'_>) -> Result<Option<AuditKey>> {
    let algorithm = MacAlgorithm::parse(source.algorithm)
        .filter(|a| a.is_keyed())
        .with_context(|| format!("--audit-mac '{}' is not hmac-sha256 or hmac-sm3", source.algorithm))?;
    if let Ok(hex) = std::env::var("CREDENCE_AUDIT_KEY")
        && !hex.is_empty()
    {
        return Ok(Some(AuditKey::from_hex(algorithm, &hex).context("reading CREDENCE_AUDIT_KEY")?));
    }
    let path = match source.file {
        Some(p) => p.to_owned(),
        None if crate::is_postgres(source.db) => {
            eprintln!(
                "warning: the audit log is written without a key (plain SHA-256), so whoever can write to the \
                 database can rewrite it unnoticed; name a key file with --audit-key-file or set CREDENCE_AUDIT_KEY"
            );
            return Ok(None);
        }
        None => PathBuf::from(format!("{}.audit-key", source.db)),
    };
    if !source.create {
        if !path.exists() {
            return Ok(None);
        }
        return Ok(Some(AuditKey::read_file(&path)?));
    }
    let (key, created) = AuditKey::read_or_create(&path, algorithm)?;
    if created {
        eprintln!(
            "warning: no audit key was found; a new {} key was created in {} (readable by you only). Keep a copy \
             away from the database: without it the audit log's MACs cannot be checked, and anyone holding it \
             can rewrite the log.",
            algorithm.code(),
            path.display()
        );
    }
    Ok(Some(key))
}

/// Sets the key and the command's record for every store the command opens.
pub fn configure(key: Option<AuditKey>, pending: Option<PendingAudit>) {
    let _ = SETUP.set(Setup { key, pending });
}

/// The configured key.
pub fn key() -> Option<&'static AuditKey> {
    SETUP.get().and_then(|s| s.key.as_ref())
}

/// Keys a store opened by the command and attaches the command's record.
pub fn attach(store: &mut Store) {
    if let Some(s) = SETUP.get() {
        store.set_audit_key(s.key.clone());
        if let Some(p) = &s.pending {
            store.audit_on_first_commit(p.clone());
        }
    }
}

/// The command's words: what follows the program name, without the global `--db` and
/// `--user` (the user is the record's actor).
fn words(argv: &[String]) -> Vec<&str> {
    let mut out = Vec::new();
    let mut skip = false;
    for a in argv.iter().skip(1) {
        if skip {
            skip = false;
            continue;
        }
        if a == "--db" || a == "--audit-key-file" || a == "--user" {
            skip = true;
            continue;
        }
        if a.starts_with("--db=") || a.starts_with("--audit-key-file=") || a.starts_with("--user=") {
            continue;
        }
        out.push(a.as_str());
    }
    out
}

/// The action a command line performs, when it changes stored data (`collect.log`,
/// `case.act`, …) or takes data out (`export`), and the first word after it (usually the customer, case or request;
/// for commands taking only options, the first option's value).
pub fn action(argv: &[String]) -> Option<(String, String)> {
    let w = words(argv);
    let positional: Vec<&str> = w.iter().copied().filter(|a| !a.starts_with('-')).collect();
    let (command, sub) = (*positional.first()?, positional.get(1).copied());
    let has = |flag: &str| w.contains(&flag);
    let changes = match command {
        "demo" | "import" | "load" | "rate" | "warn" | "export" => true,
        "rating" => matches!(sub, Some("override" | "approve" | "reject")),
        "case" | "repair" => !matches!(sub, Some("list" | "show") | None),
        "notify" => sub == Some("send"),
        "check" => has("--order"),
        "blocked" => matches!(sub, Some("release" | "reject" | "recheck")),
        "policy" => sub == Some("apply"),
        "limit" => matches!(sub, Some("approve" | "reject" | "temporary")),
        "collect" => matches!(sub, Some("log" | "promise" | "dispute")) && !w.contains(&"list"),
        "model" => sub == Some("register"),
        "utility" => {
            matches!(sub, Some("dataset" | "grade" | "decide" | "approve" | "reject" | "act" | "waive"))
        }
        _ => false,
    };
    if !changes {
        return None;
    }
    let action = match (sub, command) {
        (Some(s), c) if !matches!(c, "demo" | "import" | "load" | "rate" | "warn" | "check" | "export") => {
            format!("{c}.{s}")
        }
        (_, c) => c.to_owned(),
    };
    let object =
        positional.iter().skip(if action.contains('.') { 2 } else { 1 }).find(|p| !p.contains('/')).copied();
    Some((action, object.unwrap_or("").to_owned()))
}

/// The record of a command line that changes data: the user it runs as (`--user`), else
/// the operator it names (`--by`), else the login name. A user cannot name someone else.
pub fn entry(argv: &[String], user: Option<&str>) -> Option<AuditEntry> {
    let (action, object) = action(argv)?;
    let login = std::env::var("USER").unwrap_or_else(|_| "cli".into());
    let by = user
        .or_else(|| argv.iter().position(|a| a == "--by").and_then(|i| argv.get(i + 1)).map(String::as_str))
        .unwrap_or(&login);
    let actor = credence_server::accounts::Actor::cli(by);
    Some(actor.entry(&format!("cli.{action}"), &object, serde_json::json!({ "argv": words(argv) })))
}

/// After a successful command: its record, if no commit carried it.
pub fn record_if_unwritten(db: &str) -> Result<()> {
    let Some(pending) = SETUP.get().and_then(|s| s.pending.as_ref()) else { return Ok(()) };
    if pending.is_written() {
        return Ok(());
    }
    let mut store = crate::open(db)?;
    store.clear_pending_audit();
    store.append_audit(pending.entry())?;
    Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// With the MACs, for an auditor's own checks.
    Csv,
    /// One JSON record a line.
    Jsonl,
    /// RFC 5424 syslog lines, for a SIEM.
    Syslog,
}

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Check the whole chain (and, with --checkpoint, that nothing up to the newest
    /// checkpoint was removed or changed); exit 1 and name the first broken record.
    Verify {
        /// A checkpoint file written by `audit checkpoint` or `serve --audit-checkpoint`.
        #[arg(long)]
        checkpoint: Option<PathBuf>,
    },
    /// Append the chain's head, signed with the key, to a file kept outside the database
    /// and/or POST it to a webhook (signed as notifications are).
    Checkpoint {
        #[arg(long, required_unless_present = "webhook")]
        out: Option<PathBuf>,
        /// An `http(s)://` receiver for the checkpoint as JSON.
        #[arg(long, requires = "webhook_secret_env")]
        webhook: Option<String>,
        /// The environment variable holding the webhook's signing secret.
        #[arg(long)]
        webhook_secret_env: Option<String>,
    },
    /// Audit records, oldest first.
    List {
        #[arg(long)]
        actor: Option<String>,
        /// Actions starting with this (e.g. `limit.`).
        #[arg(long)]
        action: Option<String>,
        #[arg(long)]
        object: Option<String>,
        #[arg(long)]
        from: Option<String>,
        #[arg(long)]
        to: Option<String>,
        #[arg(long, default_value_t = 100)]
        limit: u32,
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
    /// Write the records before a date (from the last purge on) to a file as JSON lines
    /// and record the archive (file, range, SHA-256).
    Archive {
        #[arg(long, value_parser = crate::parse_date)]
        before: chrono::NaiveDate,
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        by: Option<String>,
    },
    /// Delete archived records before a date that are older than the retention; the
    /// chain stays verifiable from the last one deleted.
    Purge {
        #[arg(long, value_parser = crate::parse_date)]
        before: chrono::NaiveDate,
        /// Months records are kept at least.
        #[arg(long, default_value_t = 6, value_parser = clap::value_parser!(u32).range(6..))]
        retention_months: u32,
        #[arg(long)]
        by: Option<String>,
    },
    /// Export the whole log: CSV with the MACs, JSON lines, or syslog lines for a SIEM.
    Export {
        out: PathBuf,
        #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
        format: ExportFormat,
        #[arg(long)]
        by: Option<String>,
    },
}

fn operator(by: Option<String>) -> AuditEntry {
    let by = by.or_else(|| std::env::var("USER").ok()).unwrap_or_else(|| "cli".into());
    credence_server::accounts::Actor::cli(&by).entry("", "", serde_json::json!({}))
}

/// Runs an audit command; `Ok(false)` when the chain is broken.
pub fn run_audit(db: &str, command: AuditCommand) -> Result<bool> {
    let mut store = crate::open(db)?;
    match command {
        AuditCommand::Verify { checkpoint } => return verify(&mut store, checkpoint.as_deref()),
        AuditCommand::Checkpoint { out, webhook, webhook_secret_env } => {
            let cp = AuditCheckpoint::take(&mut store, &now())?;
            let signed = if cp.algorithm.is_keyed() {
                cp.algorithm.code().to_owned()
            } else {
                "unsigned (no audit key): it shows changes only while it is out of an intruder's reach".into()
            };
            if let Some(out) = out {
                cp.append_to(&out)?;
                println!("checkpoint of record {}, {signed}, appended to {}", cp.seq, out.display());
            }
            if let (Some(url), Some(env)) = (webhook, webhook_secret_env) {
                let secret =
                    std::env::var(&env).with_context(|| format!("environment variable {env} is not set"))?;
                let endpoint = credence_notify::WebhookEndpoint {
                    name: "audit-checkpoint".into(),
                    url: url.clone(),
                    secret: credence_notify::Secret::new(secret),
                    timeout: std::time::Duration::from_secs(10),
                };
                let body = serde_json::to_vec(&cp)?;
                credence_notify::post_signed(
                    &endpoint,
                    "audit.checkpoint",
                    &cp.seq.to_string(),
                    &body,
                    credence_server::clock::instant(),
                )
                .with_context(|| format!("posting the checkpoint to {url}"))?;
                println!("checkpoint of record {}, {signed}, posted to {url}", cp.seq);
            }
        }
        AuditCommand::List { actor, action, object, from, to, limit, format } => {
            let filter = credence_store::AuditFilter {
                actor,
                action,
                object,
                from,
                to,
                after: None,
                limit: Some(limit),
            };
            let records = store.audit_records(&filter)?;
            if format == ReportFormat::Json {
                println!("{}", serde_json::to_string_pretty(&records)?);
                return Ok(true);
            }
            let rows: Vec<Vec<String>> = records
                .into_iter()
                .map(|r| {
                    vec![
                        r.seq.to_string(),
                        r.entry.at.into(),
                        r.entry.actor,
                        r.entry.role,
                        r.entry.action,
                        r.entry.object,
                        r.entry.client_ip,
                        r.entry.summary,
                    ]
                })
                .collect();
            print_table(&["seq", "at", "actor", "role", "action", "object", "client", "summary"], &rows);
        }
        AuditCommand::Archive { before, out, by } => {
            let entry = AuditEntry { at: now(), ..operator(by) };
            let a = store.archive_audit(&before.to_string(), &out, entry)?;
            println!(
                "archived records {}–{} ({}) to {}; SHA-256 {}",
                a.first_seq, a.last_seq, a.records, a.file_name, a.sha256
            );
        }
        AuditCommand::Purge { before, retention_months, by } => {
            let kept_from = credence_server::clock::instant()
                .date_naive()
                .checked_sub_months(chrono::Months::new(retention_months))
                .context("the retention reaches before the calendar")?;
            let entry = AuditEntry { at: now(), ..operator(by) };
            let n = store.purge_audit(&before.to_string(), &kept_from.to_string(), entry)?;
            println!("purged {n} archived records before {before}; the chain verifies from the last of them");
        }
        AuditCommand::Export { out, format, by } => {
            let n = export(&mut store, &out, format)?;
            if n == 0 {
                bail!("the audit log is empty; nothing exported");
            }
            let code = match format {
                ExportFormat::Csv => "csv",
                ExportFormat::Jsonl => "jsonl",
                ExportFormat::Syslog => "syslog",
            };
            let summary =
                serde_json::json!({ "file": out.display().to_string(), "format": code, "records": n });
            let entry = AuditEntry {
                at: now(),
                action: "audit.export".into(),
                object: "audit".into(),
                summary: summary.to_string(),
                ..operator(by)
            };
            store.append_audit(&entry)?;
            println!("exported {n} audit records to {}", out.display());
        }
    }
    Ok(true)
}

fn verify(store: &mut Store, checkpoint: Option<&Path>) -> Result<bool> {
    let checkpoints = match checkpoint {
        Some(p) => AuditCheckpoint::read_file(p)?,
        None => Vec::new(),
    };
    match store.verify_audit_with(&checkpoints)? {
        AuditVerification::Intact {
            records,
            head_hash,
            macs_checked,
            macs_unchecked,
            unkeyed,
            checkpoints,
            checkpoint_signatures_unchecked,
            purged_through,
        } => {
            println!("audit log intact: {records} records; head hash {head_hash}");
            if purged_through > 0 {
                println!("records up to {purged_through} were purged after archiving; checked from there");
            }
            if macs_unchecked > 0 {
                println!(
                    "cannot check the MACs of {macs_unchecked} keyed records: {}",
                    if store.audit_key().is_some() {
                        "they were written under another key"
                    } else {
                        "no audit key (give --audit-key-file or CREDENCE_AUDIT_KEY)"
                    }
                );
            }
            if macs_checked > 0 {
                println!("{macs_checked} MACs checked with key {}", store.audit_key().map_or("", |k| k.id()));
            }
            if unkeyed > 0 {
                println!("{unkeyed} records were written before the log was keyed (plain SHA-256)");
            }
            if checkpoints > 0 {
                println!("nothing up to the newest of {checkpoints} checkpoints was removed or changed");
                if checkpoint_signatures_unchecked > 0 {
                    println!(
                        "cannot check the signatures of {checkpoint_signatures_unchecked} checkpoints: no key"
                    );
                }
            } else {
                println!(
                    "without a checkpoint, deleting the newest records and rolling the head back cannot be seen: \
                     take checkpoints with `credence audit checkpoint --out FILE` and keep them elsewhere"
                );
            }
            Ok(true)
        }
        AuditVerification::Broken { seq, reason } => {
            println!("audit log BROKEN at record {seq}: {reason}");
            Ok(false)
        }
    }
}

/// Writes every record; how many.
fn export(store: &mut Store, out: &Path, format: ExportFormat) -> Result<u64> {
    use std::io::Write;
    let context = || format!("writing {}", out.display());
    let mut n = 0;
    let filter = credence_store::AuditFilter::default();
    match format {
        ExportFormat::Csv => {
            let mut w = csv::Writer::from_path(out).with_context(context)?;
            w.write_record([
                "seq",
                "at",
                "actor",
                "role",
                "action",
                "object",
                "summary",
                "client_ip",
                "request_id",
                "prev_hash",
                "hash",
                "algorithm",
                "key_id",
            ])?;
            let mut failed = None;
            store.for_each_audit_record(&filter, |r| {
                let e = &r.entry;
                let seq = r.seq.to_string();
                n += 1;
                if let Err(err) = w.write_record([
                    seq.as_str(),
                    &e.at,
                    &e.actor,
                    &e.role,
                    &e.action,
                    &e.object,
                    &e.summary,
                    &e.client_ip,
                    &e.request_id,
                    &r.prev_hash,
                    &r.hash,
                    &r.algorithm,
                    &r.key_id,
                ]) {
                    failed.get_or_insert(err);
                }
            })?;
            if let Some(e) = failed {
                return Err(e).with_context(context);
            }
            w.flush().with_context(context)?;
        }
        ExportFormat::Jsonl | ExportFormat::Syslog => {
            let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "-".into());
            let mut w = std::io::BufWriter::new(std::fs::File::create(out).with_context(context)?);
            let mut failed = None;
            store.for_each_audit_record(&filter, |r| {
                n += 1;
                let line = if format == ExportFormat::Jsonl {
                    credence_store::audit_jsonl(&r)
                } else {
                    credence_store::audit_syslog(&r, &host)
                };
                if let Err(e) = writeln!(w, "{line}") {
                    failed.get_or_insert(e);
                }
            })?;
            if let Some(e) = failed {
                return Err(e).with_context(context);
            }
            w.flush().with_context(context)?;
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(line: &str) -> Vec<String> {
        std::iter::once("credence").chain(line.split(' ')).map(str::to_owned).collect()
    }

    #[test]
    fn changing_commands_are_recognised() {
        let a = |line: &str| action(&argv(line));
        assert_eq!(
            a("--db x.db collect log C1 --action phone --by zhao"),
            Some(("collect.log".into(), "C1".into()))
        );
        assert_eq!(a("limit approve 12 --by wang --role cfo"), Some(("limit.approve".into(), "12".into())));
        assert_eq!(a("import invoices data/inv.csv"), Some(("import".into(), "invoices".into())));
        assert_eq!(a("check --customer C1 --amount 5 --order SO-1"), Some(("check".into(), "C1".into())));
        assert_eq!(a("demo --customers 300"), Some(("demo".into(), "300".into())));
        assert_eq!(a("--audit-key-file k rate"), Some(("rate".into(), "".into())));
        assert_eq!(a("export customers --format xlsx"), Some(("export".into(), "customers".into())));
        assert_eq!(a("check --customer C1 --amount 5"), None);
        assert_eq!(a("case list"), None);
        assert_eq!(a("collect dispute list"), None);
        assert_eq!(a("customer show C1"), None);
        assert_eq!(a("user add wang"), None, "user management audits itself");
    }

    #[test]
    fn intervals_read_with_their_unit() {
        assert_eq!(credence_server::config::parse_every("90"), Ok(std::time::Duration::from_secs(90)));
        assert_eq!(credence_server::config::parse_every("30m"), Ok(std::time::Duration::from_secs(1_800)));
        assert_eq!(credence_server::config::parse_every("1h"), Ok(std::time::Duration::from_secs(3_600)));
        assert!(credence_server::config::parse_every("0s").is_err());
        assert!(credence_server::config::parse_every("1w").is_err());
        assert!(credence_server::config::parse_every("h").is_err());
    }
}
