//! `credence serve`, `credence user …`, `credence token …` and `credence audit …`: the
//! server and who may use it (GOV-3 … GOV-5).

use anyhow::{Context, Result};
use clap::Subcommand;
use credence_server::accounts::{self, AccessChange, Actor, NewUser, Requester};
use std::net::SocketAddr;
use std::path::PathBuf;

use crate::open;
use crate::output::print_table;

/// Options of `serve`. Each also has a key in `credence.toml` and an environment variable
/// (`credence config check` lists them); a flag given here wins.
#[derive(clap::Args)]
pub struct ServeArgs {
    /// Address and port to listen on [server.addr; default 127.0.0.1:8080].
    #[arg(long)]
    addr: Option<SocketAddr>,
    /// One JSON object per log line [log.json].
    #[arg(long)]
    json_logs: bool,
    /// Log levels (e.g. `info`, `credence_server=debug,info`) [log.level].
    #[arg(long)]
    log: Option<String>,
    /// Mark the session cookie Secure (when served behind TLS); on by default with
    /// --trusted-proxy [server.secure_cookies].
    #[arg(long)]
    secure_cookies: bool,
    /// A reverse proxy in front of the server (terminating TLS), as an address or a CIDR
    /// range; repeat for a chain of proxies. Requests from them name the client in
    /// X-Forwarded-For, and cookies are Secure [server.trusted_proxies].
    #[arg(long, value_parser = parse_proxy)]
    trusted_proxy: Vec<ipnet::IpNet>,
    /// End a session after this many minutes without a request [server.session_idle_minutes].
    #[arg(long, value_parser = clap::value_parser!(i64).range(1..=1440))]
    session_idle_minutes: Option<i64>,
    /// Connections served at once; more wait in the backlog [server.max_connections].
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    max_connections: Option<u32>,
    /// Name of this instance in logs and job claims [server.instance].
    #[arg(long)]
    instance: Option<String>,
    /// Run no background jobs in this instance (the nightly rating, daily warnings and
    /// notification delivery, each claimed through the database by one instance)
    /// [jobs.enabled = false].
    #[arg(long)]
    no_jobs: bool,
    /// Run every job every this many seconds instead of on its schedule (for trials).
    #[arg(long)]
    jobs_every: Option<u64>,
    /// Notification settings (TOML, as for `credence notify send`): deliver the outbox on
    /// the notifications schedule [artefacts.notifications].
    #[arg(long)]
    notify: Option<PathBuf>,
    /// Serve the portfolio as of this date instead of today (a demo observed on its own
    /// date, a reproduction of an earlier day).
    #[arg(long, value_parser = crate::parse_date)]
    as_of: Option<chrono::NaiveDate>,
    /// The longest an API token lives, in days: new tokens' default and most, and a
    /// bound on tokens issued before [server.token_max_days].
    #[arg(long, value_parser = clap::value_parser!(i64).range(1..=3660))]
    token_max_days: Option<i64>,
    /// Append a signed checkpoint of the audit chain's head to this file (keep it on
    /// another machine or medium) every `--audit-checkpoint-every` [audit.checkpoint].
    #[arg(long)]
    audit_checkpoint: Option<PathBuf>,
    /// How often to take a checkpoint: seconds, or with a unit (`90s`, `30m`, `1h`, `1d`)
    /// [audit.checkpoint_every; default 1h].
    #[arg(long, value_parser = credence_server::config::parse_every)]
    audit_checkpoint_every: Option<std::time::Duration>,
    /// Limits on uploaded files and JSON records.
    #[command(flatten)]
    limits: crate::limits_args::ReadLimitArgs,
}

/// A proxy's address (`10.0.0.5`) or range (`10.0.0.0/24`).
fn parse_proxy(text: &str) -> Result<ipnet::IpNet, String> {
    text.parse::<ipnet::IpNet>()
        .or_else(|_| text.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| format!("'{text}' is not an IP address or a CIDR range"))
}

/// The operator running a command, for the audit log: `--by`, else the login name.
fn operator(by: Option<String>) -> String {
    by.or_else(|| std::env::var("USER").ok()).unwrap_or_else(|| "cli".into())
}

/// Who runs an account command and how the audit log names them: `--user` with that
/// user's role and rules, else the local operator (`--by` or the login name).
fn acting(
    store: &mut credence_store::Store,
    user: Option<&str>,
    by: Option<String>,
) -> Result<(Requester, Actor)> {
    let requester = Requester::for_command(store, user)?;
    let actor = match &requester {
        Requester::User { username, role, .. } => Actor {
            name: username.clone(),
            role: role.code().to_owned(),
            client_ip: "local".into(),
            request_id: String::new(),
        },
        Requester::Operator => Actor::cli(&operator(by)),
    };
    Ok((requester, actor))
}

/// The authorities users may be granted under the shipped or an edited credit policy.
fn known_authorities(policy: Option<&std::path::Path>) -> Result<Vec<String>> {
    Ok(accounts::known_authorities(&credence_engine::load_policy(
        crate::or_configured(policy, |a| &a.policy).as_deref(),
    )?))
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
    /// Add a user. Run as a system administrator (`--user`), the account has no role until
    /// the security administrator assigns one (`credence user assign`); the operator
    /// (no `--user`) may give a role and scope at once, to set up the first administrators.
    Add {
        username: String,
        #[arg(long)]
        name: String,
        /// system_admin, security_admin, audit_admin, risk_manager, credit_analyst,
        /// account_manager, finance, auditor or executive (none: unassigned).
        #[arg(long)]
        role: Option<String>,
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
    /// Set a user's role and data scope (security administrators; not one's own). Options
    /// left out stay as they are; an empty value clears a list.
    Assign {
        username: String,
        #[arg(long)]
        role: Option<String>,
        /// Organisation unit (empty: the whole organisation).
        #[arg(long)]
        org_unit: Option<String>,
        #[arg(long)]
        business_lines: Option<String>,
        #[arg(long)]
        customers: Option<String>,
        #[arg(long)]
        hide_indicators: Option<String>,
        #[arg(long)]
        by: Option<String>,
    },
    /// Grant a user an approval authority: a credit-policy approval role (sales_manager,
    /// credit_manager, risk_director, cfo, credit_committee) or rating_approver.
    Grant {
        username: String,
        #[arg(long)]
        authority: String,
        /// The credit policy whose approval roles are the authorities (default: shipped).
        #[arg(long)]
        policy: Option<PathBuf>,
        #[arg(long)]
        by: Option<String>,
    },
    /// Revoke an approval authority from a user.
    Revoke {
        username: String,
        #[arg(long)]
        authority: String,
        #[arg(long)]
        policy: Option<PathBuf>,
        #[arg(long)]
        by: Option<String>,
    },
    /// Set a user's password (ends its sessions, revokes its API tokens).
    Passwd {
        username: String,
        #[arg(long)]
        password_env: Option<String>,
        #[arg(long)]
        by: Option<String>,
    },
    /// Disable a user (ends its sessions, revokes its API tokens); --enable undoes it.
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
    /// Create an API token for a user (with `--user`, only for oneself); printed once.
    Create {
        username: String,
        #[arg(long)]
        name: String,
        /// Comma-separated permissions the token is limited to (e.g. check.run).
        #[arg(long)]
        scopes: Option<String>,
        /// RFC 3339 expiry, at most --max-days ahead; none: --max-days from now.
        #[arg(long)]
        expires: Option<String>,
        /// The longest the token may live, in days.
        #[arg(long, default_value_t = 90)]
        max_days: i64,
        #[arg(long)]
        by: Option<String>,
    },
    /// Revoke a token (with `--user`: one's own, or anyone's as security administrator).
    Revoke {
        id: i64,
        #[arg(long)]
        by: Option<String>,
    },
    List,
}

pub fn run_serve(db: &str, args: ServeArgs) -> Result<()> {
    // The flags go into the settings (marked as given by flag), which alone make the
    // server's configuration; the effective settings are logged at start.
    let mut loaded = crate::settings().clone();
    let mut given: Vec<&'static str> = Vec::new();
    {
        let s = &mut loaded.settings;
        let mut set = |key: &'static str, applied: bool| {
            if applied {
                given.push(key);
            }
        };
        set("server.addr", args.addr.map(|a| s.server.addr = a).is_some());
        set("log.level", args.log.clone().map(|l| s.log.level = l).is_some());
        if args.json_logs {
            s.log.json = true;
            set("log.json", true);
        }
        if args.secure_cookies {
            s.server.secure_cookies = true;
            set("server.secure_cookies", true);
        }
        if !args.trusted_proxy.is_empty() {
            s.server.trusted_proxies = args.trusted_proxy.clone();
            set("server.trusted_proxies", true);
        }
        set(
            "server.session_idle_minutes",
            args.session_idle_minutes.map(|v| s.server.session_idle_minutes = v).is_some(),
        );
        set("server.max_connections", args.max_connections.map(|v| s.server.max_connections = v).is_some());
        set("server.instance", args.instance.clone().map(|v| s.server.instance = Some(v)).is_some());
        set("server.token_max_days", args.token_max_days.map(|v| s.server.token_max_days = v).is_some());
        if args.no_jobs {
            s.jobs.enabled = false;
            set("jobs.enabled", true);
        }
        set(
            "artefacts.notifications",
            args.notify.clone().map(|n| s.artefacts.notifications = Some(n)).is_some(),
        );
        set(
            "audit.checkpoint",
            args.audit_checkpoint.clone().map(|c| s.audit.checkpoint = Some(c)).is_some(),
        );
        if let Some(every) = args.audit_checkpoint_every {
            s.audit.checkpoint_every = format!("{}s", every.as_secs());
            set("audit.checkpoint_every", true);
        }
    }
    for key in given {
        loaded.set_by_flag(key);
    }
    let zone = loaded.zone();
    let s = &loaded.settings;
    credence_server::init_logging(s.log.json, &s.log.level);
    credence_server::config::log_effective(&loaded);
    let mut config = credence_server::ServerConfig::new(db);
    config.secure_cookies = s.server.secure_cookies || !s.server.trusted_proxies.is_empty();
    config.trusted_proxies = s.server.trusted_proxies.clone();
    config.metrics_token = s.server.metrics_token.clone().filter(|t| !t.is_empty());
    config.session_idle_minutes = s.server.session_idle_minutes;
    config.max_connections = s.server.max_connections as usize;
    config.as_of = args.as_of;
    config.token_max_days = s.server.token_max_days;
    config.read_limits = args.limits.limits();
    config.zone = zone;
    config.shutdown_grace = std::time::Duration::from_secs(s.server.shutdown_grace_seconds);
    if let Some(i) = &s.server.instance {
        config.instance = i.clone();
    }
    config.artefacts = s.artefacts.clone();
    config.env = credence_server::state::Env(std::sync::Arc::new(|name| std::env::var(name).ok()));
    let notify = config.artefacts.notifications.is_some();
    let jobs = if !s.jobs.enabled {
        None
    } else {
        Some(match args.jobs_every {
            Some(secs) => credence_server::jobs::JobConfig {
                rating_parts: (s.jobs.rating_parts > 0).then_some(s.jobs.rating_parts as usize),
                ..credence_server::jobs::JobConfig::every(
                    std::time::Duration::from_secs(secs.max(1)),
                    notify,
                    zone,
                )
            },
            None => credence_server::jobs::JobConfig::from_settings(&s.jobs, zone, notify)
                .map_err(anyhow::Error::msg)?,
        })
    };
    config.audit.key = crate::audit_cli::key().cloned();
    if let Some(path) = s.audit.checkpoint.clone() {
        let every =
            credence_server::config::parse_every(&s.audit.checkpoint_every).map_err(anyhow::Error::msg)?;
        config.audit.checkpoint = Some((path, every));
    }
    let addr = s.server.addr;
    let state =
        credence_server::AppState::open(config).with_context(|| format!("starting the server on {db}"))?;
    credence_server::run(state, addr, jobs).context("serving")?;
    Ok(())
}

pub fn run_user(db: &str, user: Option<&str>, command: UserCommand) -> Result<()> {
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
            let (requester, actor) = acting(&mut store, user, by)?;
            let password = read_password(password_env.as_deref())?;
            let new = NewUser {
                username: username.clone(),
                display_name: name,
                password,
                role: role.unwrap_or_default(),
                org_unit,
                business_lines: split(&business_lines),
                customers: split(&customers),
                hidden_indicators: split(&hide_indicators),
            };
            accounts::add_user_as(&mut store, &new, &requester, &actor)?;
            println!("user {username} added");
        }
        UserCommand::Assign { username, role, org_unit, business_lines, customers, hide_indicators, by } => {
            let (requester, actor) = acting(&mut store, user, by)?;
            let change = AccessChange {
                role,
                org_unit,
                business_lines: business_lines.as_deref().map(credence_server::access::list),
                customers: customers.as_deref().map(credence_server::access::list),
                hidden_indicators: hide_indicators.as_deref().map(credence_server::access::list),
            };
            let dropped = accounts::set_access(&mut store, &username, &change, &requester, &actor)?;
            println!("access of {username} set");
            if !dropped.is_empty() {
                println!("authorities its new role cannot use were revoked: {}", dropped.join(", "));
            }
        }
        UserCommand::Grant { username, authority, policy, by } => {
            let known = known_authorities(policy.as_deref())?;
            let (requester, actor) = acting(&mut store, user, by)?;
            accounts::set_authority(&mut store, &username, &authority, true, &known, &requester, &actor)?;
            println!("{username} holds the {authority} authority");
        }
        UserCommand::Revoke { username, authority, policy, by } => {
            let known = known_authorities(policy.as_deref())?;
            let (requester, actor) = acting(&mut store, user, by)?;
            accounts::set_authority(&mut store, &username, &authority, false, &known, &requester, &actor)?;
            println!("{username} no longer holds the {authority} authority");
        }
        UserCommand::Passwd { username, password_env, by } => {
            let (requester, actor) = acting(&mut store, user, by)?;
            let password = read_password(password_env.as_deref())?;
            accounts::set_password_as(&mut store, &username, &password, &requester, &actor)?;
            println!("password of {username} changed; its sessions ended and its API tokens revoked");
        }
        UserCommand::Disable { username, enable, by } => {
            let (requester, actor) = acting(&mut store, user, by)?;
            accounts::set_disabled_as(&mut store, &username, !enable, &requester, &actor)?;
            println!(
                "{username} {}",
                if enable { "enabled" } else { "disabled; its sessions ended and its API tokens revoked" }
            );
        }
        UserCommand::List => {
            let mut rows: Vec<Vec<String>> = Vec::new();
            for u in store.users()? {
                let held: Vec<String> = store.authorities(u.id)?.into_iter().map(|a| a.authority).collect();
                rows.push(vec![
                    u.username,
                    u.display_name,
                    u.role,
                    u.org_unit.unwrap_or_else(|| "*".into()),
                    if u.business_lines.is_empty() { "*".into() } else { u.business_lines },
                    if u.customers.is_empty() { "*".into() } else { u.customers },
                    u.hidden_indicators,
                    held.join(","),
                    if u.disabled { "disabled".into() } else { "active".into() },
                ]);
            }
            print_table(
                &["user", "name", "role", "unit", "lines", "customers", "hidden", "authorities", "status"],
                &rows,
            );
        }
    }
    Ok(())
}

pub fn run_token(db: &str, user: Option<&str>, command: TokenCommand) -> Result<()> {
    let mut store = open(db)?;
    match command {
        TokenCommand::Create { username, name, scopes, expires, max_days, by } => {
            let (requester, actor) = acting(&mut store, user, by)?;
            let scopes = split(&scopes);
            let request = accounts::TokenRequest {
                username: &username,
                name: &name,
                scopes: &scopes,
                expires_at: expires.as_deref(),
                max_days,
            };
            let (id, token, expires_at) = accounts::create_token(&mut store, &request, &requester, &actor)?;
            println!("token {id} for {username} (expires {expires_at}): {token}");
            eprintln!("store it now: it is not shown again");
        }
        TokenCommand::Revoke { id, by } => {
            let (requester, actor) = acting(&mut store, user, by)?;
            accounts::revoke_token(&mut store, id, &requester, &actor)?;
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
                        t.created_at.into(),
                        t.expires_at.map(String::from).unwrap_or_default(),
                        t.revoked_at.map_or_else(|| "active".into(), |r| format!("revoked {r}")),
                        t.last_used_at.map(String::from).unwrap_or_default(),
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
