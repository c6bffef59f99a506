//! `credence check`, `blocked`, `policy` and `limit`: credit control (aging and
//! collections: `receivables_cmd.rs`).

use crate::output::print_table;
use crate::{Lang, ReportFormat, now, open, parse_date, today};
use anyhow::{Result, bail};
use clap::Subcommand;
use credence_control::format_money;
use credence_domain::{Currency, Labelled};
use credence_engine::OrderDecisionKind;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct CheckArgs {
    #[arg(long)]
    customer: String,
    /// Order amount, e.g. 125000.00.
    #[arg(long)]
    amount: String,
    /// Currency of the amount; must be the policy's.
    #[arg(long, default_value = "CNY")]
    currency: String,
    /// Order date (default: today).
    #[arg(long, value_parser = parse_date)]
    date: Option<chrono::NaiveDate>,
    /// The order's reference: a blocked order is queued for a decision under it.
    #[arg(long)]
    order: Option<String>,
    /// Who asks.
    #[arg(long, default_value = "system")]
    by: String,
    /// Credit policy TOML (default: the shipped one).
    #[arg(long)]
    policy: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Lang::Zh)]
    lang: Lang,
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    format: ReportFormat,
}

#[derive(Subcommand)]
pub enum BlockedCommand {
    /// Blocked orders, newest first.
    List {
        /// blocked, released or rejected (default: blocked).
        #[arg(long, default_value = "blocked")]
        status: String,
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
    /// One blocked order: its check and what was decided.
    Show {
        id: i64,
        #[arg(long, value_enum, default_value_t = Lang::Zh)]
        lang: Lang,
    },
    /// Ship it anyway; the reason is logged.
    Release {
        id: i64,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        by: String,
    },
    Reject {
        id: i64,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        by: String,
    },
    /// Check it again (after a payment or a new limit); released when it passes.
    Recheck {
        id: i64,
        #[arg(long, value_parser = parse_date)]
        date: Option<chrono::NaiveDate>,
        #[arg(long, default_value = "")]
        reason: String,
        #[arg(long)]
        by: String,
        #[arg(long)]
        policy: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
pub enum PolicyCommand {
    /// Propose a limit, term and mitigants for every customer, with the reasons; increases
    /// become limit requests routed for approval.
    Apply {
        #[arg(long, value_parser = parse_date)]
        as_of: Option<chrono::NaiveDate>,
        #[arg(long)]
        policy: Option<PathBuf>,
        /// Rows shown.
        #[arg(long, default_value_t = 30)]
        limit: usize,
        #[arg(long, value_enum, default_value_t = Lang::Zh)]
        lang: Lang,
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
}

#[derive(Subcommand)]
pub enum LimitCommand {
    /// Limit requests, newest first.
    List {
        /// pending, approved, rejected or superseded (default: pending).
        #[arg(long, default_value = "pending")]
        status: String,
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
    /// One request: the proposal's reasons, the route and the decisions.
    Show {
        id: i64,
        #[arg(long, value_enum, default_value_t = Lang::Zh)]
        lang: Lang,
    },
    /// Request a temporary limit on top of the permanent one, until a date.
    Temporary {
        customer: String,
        #[arg(long)]
        amount: String,
        #[arg(long, value_parser = parse_date)]
        until: chrono::NaiveDate,
        #[arg(long)]
        policy: Option<PathBuf>,
    },
    /// Approve a request at its next step, signed as `--user` in the authority they hold
    /// for that step.
    Approve {
        id: i64,
        #[arg(long, default_value = "")]
        comment: String,
        /// Not accepted: the authority is the one `--user` holds for the next step.
        #[arg(long, hide = true)]
        role: Option<String>,
    },
    /// Reject a request at its next step, signed as `--user`.
    Reject {
        id: i64,
        #[arg(long)]
        comment: String,
        /// Not accepted: the authority is the one `--user` holds for the next step.
        #[arg(long, hide = true)]
        role: Option<String>,
    },
}

pub(crate) fn currency(code: &str) -> Result<Currency> {
    Currency::parse(code).map_err(|_| anyhow::anyhow!("'{code}' is not an ISO 4217 currency code"))
}

pub(crate) fn amount(text: &str, c: Currency) -> Result<i64> {
    credence_domain::minor_units_from_decimal(&text.replace(',', ""), c.exponent())
        .map_err(|e| anyhow::anyhow!("--amount '{text}': {e}"))
}

fn control_lang(lang: Lang) -> credence_control::Lang {
    match lang {
        Lang::En => credence_control::Lang::En,
        Lang::Zh => credence_control::Lang::Zh,
    }
}

fn print_check(r: &credence_control::CheckResult, lang: Lang) {
    let zh = lang == Lang::Zh;
    let verdict = match (r.pass, zh) {
        (true, false) => "PASS",
        (true, true) => "通过",
        (false, false) => "BLOCKED",
        (false, true) => "冻结",
    };
    println!(
        "{verdict}: {} on {} (grade {}, level {})",
        format_money(r.amount, r.currency),
        r.date,
        r.grade,
        r.level.code()
    );
    let rows: Vec<Vec<String>> = r
        .steps
        .iter()
        .map(|s| {
            vec![
                if zh { s.code.name_zh() } else { s.code.name_en() }.to_owned(),
                match (s.applies, s.passed) {
                    (false, _) => "-".into(),
                    (true, true) => "ok".into(),
                    (true, false) => "BLOCK".into(),
                },
                s.message(control_lang(lang)),
            ]
        })
        .collect();
    print_table(&["step", "", "finding"], &rows);
    match &r.remedy {
        Some(credence_control::Remedy::Release { options }) => {
            for (i, o) in options.iter().enumerate() {
                let text = if zh { &o.text_zh } else { &o.text_en };
                println!("{} {text}", if i == 0 { "remedy:" } else { "   or: " });
            }
        }
        Some(credence_control::Remedy::Escalate { text_en, text_zh, .. }) => {
            println!("remedy: {}", if zh { text_zh } else { text_en })
        }
        None => {}
    }
}

pub fn run_check(db: &str, args: CheckArgs) -> Result<()> {
    let policy =
        credence_engine::load_policy(crate::or_configured(args.policy.as_deref(), |a| &a.policy).as_deref())?;
    let c = currency(&args.currency)?;
    if c != policy.currency() {
        bail!("the policy works in {}, the order is in {}", policy.currency().code(), c.code());
    }
    let minor = amount(&args.amount, c)?;
    let mut store = open(db)?;
    let now = now();
    let order = credence_engine::OrderToCheck {
        customer: &args.customer,
        amount: minor,
        order_ref: args.order.as_deref(),
        actor: &args.by,
        now: &now,
    };
    let checked = credence_engine::check_order(&mut store, &policy, &order, args.date.unwrap_or_else(today))?;
    if args.format == ReportFormat::Json {
        println!("{}", serde_json::to_string_pretty(&checked)?);
    } else {
        print_check(&checked.result, args.lang);
        if let Some(id) = checked.blocked_order {
            println!("queued as blocked order {id}: `credence blocked release|reject|recheck {id}`");
        }
    }
    Ok(())
}

pub fn run_blocked(db: &str, command: BlockedCommand) -> Result<()> {
    let mut store = open(db)?;
    let decide = |store: &mut credence_store::Store,
                  id,
                  kind,
                  reason: &str,
                  by: &str,
                  date: Option<chrono::NaiveDate>,
                  policy: Option<PathBuf>|
     -> Result<()> {
        let policy =
            credence_engine::load_policy(crate::or_configured(policy.as_deref(), |a| &a.policy).as_deref())?;
        let now = now();
        let decision = credence_engine::BlockedDecision {
            kind,
            reason,
            by,
            now: &now,
            date: date.unwrap_or_else(today),
        };
        let o = credence_engine::decide_blocked_order(store, &policy, id, &decision)?;
        println!(
            "blocked order {} ({} {}): {}{}",
            o.id,
            o.customer_id,
            o.order_ref,
            o.status,
            o.reason.map(|r| format!(" — {r}")).unwrap_or_default()
        );
        Ok(())
    };
    match command {
        BlockedCommand::List { status, format } => {
            let orders = store.blocked_orders(Some(&status))?;
            if format == ReportFormat::Json {
                println!("{}", serde_json::to_string_pretty(&orders)?);
                return Ok(());
            }
            let rows: Vec<Vec<String>> = orders
                .iter()
                .map(|o| {
                    let c = Currency::parse(&o.currency).unwrap_or(Currency::CNY);
                    vec![
                        o.id.to_string(),
                        o.order_ref.clone(),
                        o.customer_id.to_string(),
                        format_money(o.amount, c),
                        o.order_date.clone(),
                        o.status.clone(),
                        o.blocked_at.to_string(),
                    ]
                })
                .collect();
            print_table(&["id", "order", "customer", "amount", "date", "status", "blocked at"], &rows);
        }
        BlockedCommand::Show { id, lang } => {
            let Some((o, log)) = store.blocked_order(id)? else { bail!("no blocked order {id}") };
            println!("blocked order {} — {} for {} ({})", o.id, o.order_ref, o.customer_id, o.status);
            let result: serde_json::Value = serde_json::from_str(&o.result).unwrap_or_default();
            let key = if lang == Lang::Zh { "message_zh" } else { "message_en" };
            for s in result["steps"].as_array().into_iter().flatten() {
                if s["applies"] == true {
                    println!(
                        "  {} {}: {}",
                        if s["passed"] == true { "ok   " } else { "BLOCK" },
                        s["code"].as_str().unwrap_or_default(),
                        s[key].as_str().unwrap_or_default()
                    );
                }
            }
            let rows: Vec<Vec<String>> = log
                .iter()
                .map(|e| vec![e.at.to_string(), e.actor.clone(), e.kind.clone(), e.note.clone()])
                .collect();
            print_table(&["at", "by", "what", "note"], &rows);
        }
        BlockedCommand::Release { id, reason, by } => {
            decide(&mut store, id, OrderDecisionKind::Release, &reason, &by, None, None)?
        }
        BlockedCommand::Reject { id, reason, by } => {
            decide(&mut store, id, OrderDecisionKind::Reject, &reason, &by, None, None)?
        }
        BlockedCommand::Recheck { id, date, reason, by, policy } => {
            decide(&mut store, id, OrderDecisionKind::Recheck, &reason, &by, date, policy)?
        }
    }
    Ok(())
}

pub fn run_policy(db: &str, command: PolicyCommand) -> Result<()> {
    let PolicyCommand::Apply { as_of, policy, limit, lang, format } = command;
    let policy =
        credence_engine::load_policy(crate::or_configured(policy.as_deref(), |a| &a.policy).as_deref())?;
    let mut store = open(db)?;
    let run = credence_engine::apply_policy(&mut store, &policy, as_of.unwrap_or_else(today), &now())?;
    if format == ReportFormat::Json {
        println!("{}", serde_json::to_string_pretty(&run)?);
        return Ok(());
    }
    let zh = lang == Lang::Zh;
    let rows: Vec<Vec<String>> = run
        .proposals
        .iter()
        .take(limit)
        .map(|p| {
            vec![
                p.customer_id.to_string(),
                p.grade.clone(),
                p.admission.code().to_owned(),
                credence_control::format_money(p.limit.minor, p.limit.currency),
                p.term_days.to_string(),
                p.mitigants
                    .iter()
                    .map(|m| if zh { m.text_zh.clone() } else { m.text_en.clone() })
                    .collect::<Vec<_>>()
                    .join("; "),
                if p.request.is_some() { "request".into() } else { String::new() },
            ]
        })
        .collect();
    print_table(&["customer", "grade", "admission", "limit", "term", "mitigants", ""], &rows);
    println!(
        "policy {} as of {}: {} proposals, {} limit requests routed for approval, {} failures{}",
        run.policy_version,
        run.as_of,
        run.proposed,
        run.requests.len(),
        run.failures.len(),
        if run.proposed as usize > limit {
            format!("; the first {limit} shown (--limit)")
        } else {
            String::new()
        }
    );
    let admissions: Vec<String> = run.admissions.iter().map(|(a, n)| format!("{a} {n}")).collect();
    println!("admission: {}", admissions.join(", "));
    for (customer, reason) in run.failures.iter().take(5) {
        println!("  {customer}: {reason}");
    }
    Ok(())
}

/// Who signs a limit decision: `--user`, who must exist, be enabled, have a role that
/// decides limits and hold the next step's authority (the engine checks the last).
fn limit_signer(store: &mut credence_store::Store, user: Option<&str>, role: Option<&str>) -> Result<String> {
    if let Some(r) = role {
        bail!(
            "--role {r} is not accepted: a decision is signed in the authority the user holds for the route's next step; pass --user NAME"
        );
    }
    let Some(name) = user else {
        bail!("a limit decision is signed by a person: pass --user NAME (or set CREDENCE_USER)");
    };
    let by = credence_server::accounts::Requester::for_command(store, Some(name))?;
    if !by.may(credence_server::access::Permission::LimitDecide) {
        bail!("{name}'s role may not decide limit requests (it needs limit.decide)");
    }
    Ok(name.to_owned())
}

pub fn run_limit(db: &str, user: Option<&str>, command: LimitCommand) -> Result<()> {
    let mut store = open(db)?;
    match command {
        LimitCommand::List { status, format } => {
            let requests = store.limit_requests(Some(&status), None)?;
            if format == ReportFormat::Json {
                println!("{}", serde_json::to_string_pretty(&requests)?);
                return Ok(());
            }
            let rows: Vec<Vec<String>> = requests
                .iter()
                .map(|r| {
                    let c = Currency::parse(&r.currency).unwrap_or(Currency::CNY);
                    let route: Vec<serde_json::Value> = serde_json::from_str(&r.route).unwrap_or_default();
                    vec![
                        r.id.to_string(),
                        r.customer_id.to_string(),
                        format!(
                            "{} → {}",
                            format_money(r.current_limit, c),
                            format_money(r.requested_limit, c)
                        ),
                        format!("{} → {}", r.current_term_days, r.requested_term_days),
                        route.iter().filter_map(|s| s["role"].as_str()).collect::<Vec<_>>().join(" → "),
                        r.status.clone(),
                    ]
                })
                .collect();
            print_table(&["request", "customer", "limit", "term days", "route", "status"], &rows);
        }
        LimitCommand::Show { id, lang } => {
            let Some((r, decisions)) = store.limit_request(id)? else { bail!("no limit request {id}") };
            let c = Currency::parse(&r.currency).unwrap_or(Currency::CNY);
            println!(
                "limit request {} — {} ({}): limit {} → {}, term {} → {} days",
                r.id,
                r.customer_id,
                r.status,
                format_money(r.current_limit, c),
                format_money(r.requested_limit, c),
                r.current_term_days,
                r.requested_term_days
            );
            let proposal: serde_json::Value = serde_json::from_str(&r.proposal).unwrap_or_default();
            let key = if lang == Lang::Zh { "text_zh" } else { "text_en" };
            for reason in proposal["reasons"].as_array().into_iter().flatten() {
                println!("  because {}", reason[key].as_str().unwrap_or_default());
            }
            let route: Vec<serde_json::Value> = serde_json::from_str(&r.route).unwrap_or_default();
            let why = if lang == Lang::Zh { "why_zh" } else { "why_en" };
            for (i, s) in route.iter().enumerate() {
                println!(
                    "  step {}: {} — {}",
                    i + 1,
                    s["role"].as_str().unwrap_or_default(),
                    s[why].as_str().unwrap_or_default()
                );
            }
            let rows: Vec<Vec<String>> = decisions
                .iter()
                .map(|d| {
                    vec![
                        d.decided_at.to_string(),
                        d.decided_by.clone(),
                        d.role.clone(),
                        d.outcome.clone(),
                        d.comment.clone(),
                    ]
                })
                .collect();
            print_table(&["at", "by", "role", "decision", "comment"], &rows);
        }
        LimitCommand::Temporary { customer, amount: text, until, policy } => {
            let policy = credence_engine::load_policy(
                crate::or_configured(policy.as_deref(), |a| &a.policy).as_deref(),
            )?;
            let minor = amount(&text, policy.currency())?;
            let id = credence_engine::request_temporary_limit(
                &mut store,
                &policy,
                &customer,
                minor,
                until,
                today(),
                &now(),
            )?;
            println!("temporary limit request {id} for {customer}: `credence limit show {id}`");
        }
        LimitCommand::Approve { id, comment, role } => {
            let by = limit_signer(&mut store, user, role.as_deref())?;
            let done = credence_engine::decide_limit(&mut store, id, true, &by, &comment, &now())?;
            println!(
                "limit request {id} approved by {by} as {}: {}",
                done.authority,
                serde_json::to_string(&done.status)?
            );
        }
        LimitCommand::Reject { id, comment, role } => {
            let by = limit_signer(&mut store, user, role.as_deref())?;
            let done = credence_engine::decide_limit(&mut store, id, false, &by, &comment, &now())?;
            println!(
                "limit request {id} rejected by {by} as {}: {}",
                done.authority,
                serde_json::to_string(&done.status)?
            );
        }
    }
    Ok(())
}
