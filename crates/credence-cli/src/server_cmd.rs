//! `credence serve`, `credence user …`, `credence token …` and `credence audit …`: the
//! server and who may use it (GOV-3 … GOV-5).

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use credence_server::accounts::{self, Actor, NewUser};
use std::net::SocketAddr;
use std::path::PathBuf;

use crate::output::print_table;
use crate::{ReportFormat, open};

#[derive(clap::Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// One JSON object per log line.
    #[arg(long)]
    json_logs: bool,
    /// Log levels (e.g. `info`, `credence_server=debug,info`).
    #[arg(long, env = "CREDENCE_LOG", default_value = "info")]
    log: String,
    /// Mark the session cookie Secure (when served behind TLS).
    #[arg(long)]
    secure_cookies: bool,
    /// Name of this instance in logs and job claims.
    #[arg(long)]
    instance: Option<String>,
    /// Run no background jobs in this instance (the nightly rating, daily warnings and
    /// notification delivery, each claimed through the database by one instance).
    #[arg(long)]
    no_jobs: bool,
    /// Run every job every this many seconds instead of daily (for trials).
    #[arg(long)]
    jobs_every: Option<u64>,
    /// Notification settings (TOML, as for `credence notify send`): deliver the outbox every
    /// five minutes.
    #[arg(long)]
    notify: Option<PathBuf>,
    /// Serve the portfolio as of this date instead of today (a demo observed on its own
    /// date, a reproduction of an earlier day).
    #[arg(long, value_parser = crate::parse_date)]
    as_of: Option<chrono::NaiveDate>,
    /// Limits on uploaded files and JSON records.
    #[command(flatten)]
    limits: crate::limits_args::ReadLimitArgs,
}

/// The operator running a command, for the audit log: `--by`, else the login name.
fn operator(by: Option<String>) -> String {
    by.or_else(|| std::env::var("USER").ok()).unwrap_or_else(|| "cli".into())
}

/// A password from the environment variable named, else from standard input (one line),
/// never from the command line where other users could see it.
fn read_password(env: Option<&str>) -> Result<String> {
    if let Some(name) = env {
        return std::env::var(name).with_context(|| format!("environment variable {name} is not set"));
    }
    eprintln!("password (one line on standard input):");
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).context("reading the password")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

fn split(list: &Option<String>) -> Vec<String> {
    list.as_deref().map(credence_server::access::list).unwrap_or_default()
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// Add a user with a role and data scope.
    Add {
        username: String,
        #[arg(long)]
        name: String,
        /// system_admin, risk_manager, credit_analyst, account_manager, finance, auditor or executive.
        #[arg(long)]
        role: String,
        #[arg(long)]
        org_unit: Option<String>,
        /// Comma-separated business lines (none: all of the unit's).
        #[arg(long)]
        business_lines: Option<String>,
        /// Comma-separated customer ids (none: all of the lines').
        #[arg(long)]
        customers: Option<String>,
        /// Comma-separated indicator ids the user does not see.
        #[arg(long)]
        hide_indicators: Option<String>,
        /// Read the password from this environment variable instead of standard input.
        #[arg(long)]
        password_env: Option<String>,
        #[arg(long)]
        by: Option<String>,
    },
    /// Set a user's password (ends its sessions).
    Passwd {
        username: String,
        #[arg(long)]
        password_env: Option<String>,
        #[arg(long)]
        by: Option<String>,
    },
    /// Disable a user (ends its sessions); --enable undoes it.
    Disable {
        username: String,
        #[arg(long)]
        enable: bool,
        #[arg(long)]
        by: Option<String>,
    },
    List,
}

#[derive(Subcommand)]
pub enum TokenCommand {
    /// Create an API token for a user; it is printed once.
    Create {
        username: String,
        #[arg(long)]
        name: String,
        /// Comma-separated permissions the token is limited to (e.g. check.run).
        #[arg(long)]
        scopes: Option<String>,
        /// RFC 3339 expiry; none: until revoked.
        #[arg(long)]
        expires: Option<String>,
        #[arg(long)]
        by: Option<String>,
    },
    Revoke {
        id: i64,
        #[arg(long)]
        by: Option<String>,
    },
    List,
}

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Check the whole chain; exit 1 and name the first broken record if it is broken.
    Verify,
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
    /// Export the whole log as CSV, with the hashes, for an auditor's own checks.
    Export { out: PathBuf },
}

pub fn run_serve(db: &str, args: ServeArgs) -> Result<()> {
    credence_server::init_logging(args.json_logs, &args.log);
    let mut config = credence_server::ServerConfig::new(db);
    config.secure_cookies = args.secure_cookies;
    config.as_of = args.as_of;
    config.read_limits = args.limits.limits();
    if let Some(i) = args.instance {
        config.instance = i;
    }
    let notify = match &args.notify {
        Some(p) => Some(
            credence_notify::NotifyConfig::from_file(p, |name| std::env::var(name).ok())
                .with_context(|| format!("loading {}", p.display()))?,
        ),
        None => None,
    };
    let jobs = (!args.no_jobs).then(|| match args.jobs_every {
        Some(s) => credence_server::jobs::JobConfig::every(std::time::Duration::from_secs(s.max(1)), notify),
        None => credence_server::jobs::JobConfig::standard(notify),
    });
    let state = credence_server::AppState::open(config).with_context(|| format!("opening database {db}"))?;
    credence_server::run(state, args.addr, jobs).context("serving")?;
    Ok(())
}

pub fn run_user(db: &str, command: UserCommand) -> Result<()> {
    let mut store = open(db)?;
    match command {
        UserCommand::Add {
            username,
            name,
            role,
            org_unit,
            business_lines,
            customers,
            hide_indicators,
            password_env,
            by,
        } => {
            let password = read_password(password_env.as_deref())?;
            let user = NewUser {
                username: username.clone(),
                display_name: name,
                password,
                role,
                org_unit,
                business_lines: split(&business_lines),
                customers: split(&customers),
                hidden_indicators: split(&hide_indicators),
            };
            accounts::add_user(&mut store, &user, &Actor::cli(&operator(by)))?;
            println!("user {username} added");
        }
        UserCommand::Passwd { username, password_env, by } => {
            let password = read_password(password_env.as_deref())?;
            accounts::set_password(&mut store, &username, &password, &Actor::cli(&operator(by)))?;
            println!("password of {username} changed; its sessions ended");
        }
        UserCommand::Disable { username, enable, by } => {
            accounts::set_disabled(&mut store, &username, !enable, &Actor::cli(&operator(by)))?;
            println!("{username} {}", if enable { "enabled" } else { "disabled; its sessions ended" });
        }
        UserCommand::List => {
            let rows: Vec<Vec<String>> = store
                .users()?
                .into_iter()
                .map(|u| {
                    vec![
                        u.username,
                        u.display_name,
                        u.role,
                        u.org_unit.unwrap_or_else(|| "*".into()),
                        if u.business_lines.is_empty() { "*".into() } else { u.business_lines },
                        if u.customers.is_empty() { "*".into() } else { u.customers },
                        u.hidden_indicators,
                        if u.disabled { "disabled".into() } else { "active".into() },
                    ]
                })
                .collect();
            print_table(&["user", "name", "role", "unit", "lines", "customers", "hidden", "status"], &rows);
        }
    }
    Ok(())
}

pub fn run_token(db: &str, command: TokenCommand) -> Result<()> {
    let mut store = open(db)?;
    match command {
        TokenCommand::Create { username, name, scopes, expires, by } => {
            let (id, token) = accounts::create_token(
                &mut store,
                &username,
                &name,
                &split(&scopes),
                expires.as_deref(),
                &Actor::cli(&operator(by)),
            )?;
            println!("token {id} for {username}: {token}");
            eprintln!("store it now: it is not shown again");
        }
        TokenCommand::Revoke { id, by } => {
            accounts::revoke_token(&mut store, id, &Actor::cli(&operator(by)))?;
            println!("token {id} revoked");
        }
        TokenCommand::List => {
            let users: std::collections::HashMap<i64, String> =
                store.users()?.into_iter().map(|u| (u.id, u.username)).collect();
            let rows: Vec<Vec<String>> = store
                .tokens(None)?
                .into_iter()
                .map(|t| {
                    vec![
                        t.id.to_string(),
                        users.get(&t.user_id).cloned().unwrap_or_default(),
                        t.name,
                        if t.scopes.is_empty() { "(role)".into() } else { t.scopes },
                        t.created_at,
                        t.expires_at.unwrap_or_default(),
                        t.revoked_at.map_or_else(|| "active".into(), |r| format!("revoked {r}")),
                        t.last_used_at.unwrap_or_default(),
                    ]
                })
                .collect();
            print_table(
                &["id", "user", "name", "scopes", "created", "expires", "status", "last used"],
                &rows,
            );
        }
    }
    Ok(())
}

/// Runs an audit command; `Ok(false)` when the chain is broken.
pub fn run_audit(db: &str, command: AuditCommand) -> Result<bool> {
    let mut store = open(db)?;
    match command {
        AuditCommand::Verify => match store.verify_audit()? {
            credence_store::AuditVerification::Intact { records, head_hash } => {
                println!("audit log intact: {records} records; head hash {head_hash}");
                println!(
                    "keep the head hash elsewhere: a later verify must show it among the chain's hashes"
                );
            }
            credence_store::AuditVerification::Broken { seq, reason } => {
                println!("audit log BROKEN at record {seq}: {reason}");
                return Ok(false);
            }
        },
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
                        r.entry.at,
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
        AuditCommand::Export { out } => {
            let records = store.audit_records(&credence_store::AuditFilter::default())?;
            let mut w = csv::Writer::from_path(&out).with_context(|| format!("writing {}", out.display()))?;
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
            ])?;
            for r in &records {
                let e = &r.entry;
                let seq = r.seq.to_string();
                w.write_record([
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
                ])?;
            }
            w.flush()?;
            if records.is_empty() {
                bail!("the audit log is empty; nothing exported");
            }
            println!("exported {} audit records to {}", records.len(), out.display());
        }
    }
    Ok(true)
}
