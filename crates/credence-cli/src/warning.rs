//! `credence warn`, `credence alerts …` and `credence case …`: early warning and disposal.

use crate::output::print_table;
use crate::{Lang, ReportFormat, now, open, parse_date, today};
use anyhow::{Context, Result, bail};
use clap::Subcommand;
use credence_engine::{CaseChange, WarnOptions, WarnScope};
use credence_indicators::Catalogue;
use credence_store::{AlertFilter, CaseFilter};
use credence_warning::RulePack;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct WarnArgs {
    /// Evaluation date (default: today).
    #[arg(long, value_parser = parse_date)]
    as_of: Option<chrono::NaiveDate>,
    /// Every customer, not only those due by monitoring frequency; industry and regional
    /// rules run only then.
    #[arg(long)]
    all: bool,
    #[command(flatten)]
    pack: PackFiles,
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    format: ReportFormat,
}

#[derive(Subcommand)]
pub enum RulesCommand {
    /// The data-quality rules with their codes.
    Quality,
    /// The early-warning rule pack: code, level, condition.
    Warning {
        #[command(flatten)]
        pack: PackFiles,
        #[arg(long, value_enum, default_value_t = Lang::Zh)]
        lang: Lang,
    },
    /// Each warning rule measured on the portfolio's history: the share of customer-dates
    /// it flagged, how many of those defaulted within the horizon (precision) against the
    /// base rate (lift), the defaulters it caught (recall) and caught alone, the median
    /// lead time and the false-alarm rate; and the pack as its level policy combines them.
    Performance {
        #[command(flatten)]
        window: HistoryWindow,
        #[command(flatten)]
        pack: PackFiles,
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
    /// Tune each rule's threshold and persistence on the history under an alert budget:
    /// chosen on the older dates, judged on the newest year (out of time). Writes the
    /// proposed pack with --out; it takes effect only when a pack file is given to the
    /// commands that use it.
    Tune {
        #[command(flatten)]
        window: HistoryWindow,
        /// Dates on or after this one validate instead of tune (default: the last year
        /// up to --to).
        #[arg(long, value_parser = parse_date)]
        validate_from: Option<chrono::NaiveDate>,
        /// Largest share of customer-dates the pack may make yellow or red (0–1).
        #[arg(long, default_value_t = 0.10)]
        budget: f64,
        /// Smallest lift a rule's setting may have on the tuning dates.
        #[arg(long, default_value_t = 1.5)]
        min_lift: f64,
        /// Smallest median lead time (days) a rule's setting may have.
        #[arg(long, default_value_t = 30.0)]
        min_lead_days: f64,
        /// Version of the proposed pack (default: the current one with `-tuned`).
        #[arg(long)]
        version: Option<String>,
        /// Write the proposed pack here (an existing file is not overwritten).
        #[arg(long)]
        out: Option<PathBuf>,
        #[command(flatten)]
        pack: PackFiles,
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
}

/// The past dates the rules are evaluated at, and the horizon a default counts in.
#[derive(clap::Args)]
pub struct HistoryWindow {
    /// First evaluation date (default: two years before --to).
    #[arg(long, value_parser = parse_date)]
    from: Option<chrono::NaiveDate>,
    /// Last evaluation date (default: a year before the business date: a demo portfolio's date, else today).
    #[arg(long, value_parser = parse_date)]
    to: Option<chrono::NaiveDate>,
    /// Months between evaluation dates.
    #[arg(long, default_value_t = 3)]
    every: u32,
    /// Months after an evaluation date in which a default counts.
    #[arg(long, default_value_t = 12)]
    horizon: u32,
}

impl HistoryWindow {
    /// The evaluation dates, the window's ends filled in from the business date (a demo
    /// portfolio's date, else today).
    fn dates(
        &self,
        store: &mut credence_store::Store,
    ) -> Result<(chrono::NaiveDate, chrono::NaiveDate, Vec<chrono::NaiveDate>)> {
        let business_date = credence_engine::demo_as_of(store)?.unwrap_or_else(today);
        let to = self.to.unwrap_or_else(|| business_date - chrono::Months::new(12));
        let from = self.from.unwrap_or(to - chrono::Months::new(24));
        if from > to || self.every == 0 {
            bail!("--from must not be after --to, and --every must be at least 1");
        }
        if self.horizon == 0 || self.horizon > 60 {
            bail!("--horizon must be from 1 to 60 months");
        }
        Ok((from, to, credence_engine::evaluation_dates(from, to, self.every)))
    }
}

/// Where the rule pack and the catalogue it reads come from (default: the shipped ones).
#[derive(clap::Args)]
pub struct PackFiles {
    /// Rule pack TOML.
    #[arg(long)]
    pack: Option<PathBuf>,
    /// Indicator catalogue TOML the pack is checked against.
    #[arg(long)]
    catalogue: Option<PathBuf>,
}

#[derive(Subcommand)]
pub enum AlertsCommand {
    /// Alerts, newest first.
    List {
        /// open, closed (default: open).
        #[arg(long, default_value = "open")]
        status: String,
        /// red, yellow or green_watch.
        #[arg(long)]
        level: Option<String>,
        /// A customer id, industry section or region.
        #[arg(long)]
        subject: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[arg(long, value_enum, default_value_t = Lang::Zh)]
        lang: Lang,
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
    /// One alert with its evidence.
    Show {
        id: i64,
        #[arg(long, value_enum, default_value_t = Lang::Zh)]
        lang: Lang,
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
}

#[derive(Subcommand)]
pub enum CaseCommand {
    /// Cases, earliest deadline first.
    List {
        /// open, closed (default: open).
        #[arg(long, default_value = "open")]
        status: String,
        #[arg(long)]
        owner: Option<String>,
        /// Only open cases past their deadline.
        #[arg(long)]
        overdue: bool,
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
    /// One case: its alerts, playbook and log.
    Show {
        id: i64,
        #[arg(long, value_enum, default_value_t = Lang::Zh)]
        lang: Lang,
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
    /// Hand a case to another owner.
    Assign {
        id: i64,
        #[arg(long)]
        to: String,
        /// Who makes the change.
        #[arg(long)]
        by: String,
    },
    /// Record an action taken, or apply an emergency-plan template (payment_stop,
    /// supply_chain_stop, ip_dispute).
    Act {
        id: i64,
        #[arg(long, default_value = "")]
        action: String,
        #[arg(long)]
        template: Option<String>,
        #[arg(long)]
        by: String,
    },
    /// Move a case a stage on: watch → downgrade → exit.
    Escalate {
        id: i64,
        #[arg(long)]
        note: String,
        #[arg(long)]
        by: String,
    },
    /// Close a case with its outcome.
    Close {
        id: i64,
        #[arg(long)]
        outcome: String,
        #[arg(long)]
        by: String,
    },
    /// Escalate open cases past their deadline (for a scheduled job).
    Sweep,
}

/// The pack's text and the pack (the shipped one without --pack).
/// The pack's text and the pack (the shipped one without --pack), with the catalogue it
/// was checked against.
fn load_pack_source(args: &PackFiles) -> Result<(String, RulePack, Catalogue)> {
    let catalogue_file = crate::or_configured(args.catalogue.as_deref(), |a| &a.catalogue);
    let pack_file = crate::or_configured(args.pack.as_deref(), |a| &a.rule_pack);
    let catalogue = match &catalogue_file {
        Some(p) => credence_engine::read_catalogue(p)
            .with_context(|| format!("loading indicator catalogue {}", p.display()))?,
        None => Catalogue::builtin(),
    };
    match &pack_file {
        None => {
            let pack = RulePack::builtin(&catalogue);
            Ok((credence_warning::BUILTIN_PACK.to_owned(), pack, catalogue))
        }
        Some(p) => {
            let (text, pack) =
                credence_engine::read_rule_pack_source(p, &catalogue).map_err(|e| match e.problems() {
                    problems if !problems.is_empty() => anyhow::anyhow!(
                        "rule pack {} has {} problem(s):\n{}",
                        p.display(),
                        problems.len(),
                        problems.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("\n")
                    ),
                    _ => anyhow::Error::new(e),
                })?;
            Ok((text, pack, catalogue))
        }
    }
}

fn load_pack(args: &PackFiles) -> Result<RulePack> {
    load_pack_source(args).map(|(_, pack, _)| pack)
}

pub fn run_warn(db: &str, args: WarnArgs) -> Result<()> {
    let pack = load_pack(&args.pack)?;
    let mut store = open(db)?;
    let options = WarnOptions {
        as_of: args.as_of.unwrap_or_else(today),
        scope: if args.all { WarnScope::All } else { WarnScope::Due },
        now: now(),
    };
    let report = credence_engine::warn(&mut store, &pack, &options)?;
    if args.format == ReportFormat::Json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    println!(
        "warning run {} as of {} (pack {}): {} customers due, {} evaluated, {} unreadable",
        report.run_id, report.as_of, report.pack_version, report.due, report.evaluated, report.failed
    );
    println!(
        "alerts: {} raised, {} still open ({} with new evidence), {} closed (cleared); {} level changes",
        report.raised, report.still_open, report.refreshed, report.closed, report.level_changes
    );
    println!(
        "cases: {} opened, {} joined by new alerts, {} escalated past their deadline",
        report.cases_opened, report.cases_joined, report.cases_escalated
    );
    println!(
        "work: reading {:.1} s and evaluating {:.1} s (summed over worker threads), writing {:.1} s",
        report.seconds_read, report.seconds_evaluate, report.seconds_write
    );
    let mut levels: Vec<Vec<String>> = ["red", "yellow", "green"]
        .iter()
        .map(|l| vec![(*l).to_owned(), report.levels.get(*l).copied().unwrap_or(0).to_string()])
        .collect();
    levels.retain(|r| r[1] != "0");
    print_table(&["level", "customers"], &levels);
    let mut rules: Vec<(&String, &u64)> = report.firing_by_rule.iter().collect();
    rules.sort();
    let rows: Vec<Vec<String>> = rules.iter().map(|(c, n)| vec![(*c).clone(), n.to_string()]).collect();
    print_table(&["rule", "fired for"], &rows);
    for a in &report.peer_alerts {
        println!("peer alert: {}", a.sentence(credence_warning::Language::En));
    }
    Ok(())
}

/// The evidence sentence of a stored alert in a language.
fn evidence_sentence(evidence: &str, lang: Lang) -> String {
    let v: serde_json::Value = serde_json::from_str(evidence).unwrap_or_default();
    let key = if lang == Lang::Zh { "text_zh" } else { "text_en" };
    v[key].as_str().unwrap_or(evidence).to_owned()
}

pub fn run_alerts(db: &str, command: AlertsCommand) -> Result<()> {
    let mut store = open(db)?;
    match command {
        AlertsCommand::List { status, level, subject, limit, lang, format } => {
            let alerts =
                store.alerts(&AlertFilter { status: Some(status), level, subject, limit: Some(limit) })?;
            if format == ReportFormat::Json {
                println!("{}", serde_json::to_string_pretty(&alerts)?);
                return Ok(());
            }
            let rows: Vec<Vec<String>> = alerts
                .iter()
                .map(|a| {
                    vec![
                        a.id.to_string(),
                        a.subject.clone(),
                        a.rule_code.clone(),
                        if lang == Lang::Zh { a.name_zh.clone() } else { a.name_en.clone() },
                        a.level.clone(),
                        a.raised_as_of.clone(),
                        a.last_as_of.clone(),
                    ]
                })
                .collect();
            print_table(&["alert", "subject", "rule", "name", "level", "raised", "evidence as of"], &rows);
        }
        AlertsCommand::Show { id, lang, format } => {
            let Some(a) = store.alert(id)? else { bail!("no alert {id}") };
            if format == ReportFormat::Json {
                println!("{}", serde_json::to_string_pretty(&a)?);
                return Ok(());
            }
            println!(
                "alert {} — {} {} ({}) on {} {}",
                a.id,
                a.rule_code,
                if lang == Lang::Zh { &a.name_zh } else { &a.name_en },
                a.level,
                a.subject_kind,
                a.subject
            );
            println!(
                "status {}; raised {} (as of {}), evidence as of {}",
                a.status, a.raised_at, a.raised_as_of, a.last_as_of
            );
            if let Some(note) = &a.close_note {
                println!("closed {}: {note}", a.closed_at.as_deref().unwrap_or_default());
            }
            let stored: serde_json::Value = serde_json::from_str(&a.evidence).unwrap_or_default();
            let action = stored["detail"][if lang == Lang::Zh { "action_zh" } else { "action_en" }]
                .as_str()
                .unwrap_or_default();
            if !action.is_empty() {
                println!("recommended action: {action}");
            }
            println!("evidence: {}", evidence_sentence(&a.evidence, lang));
        }
    }
    Ok(())
}

pub fn run_case(db: &str, command: CaseCommand) -> Result<()> {
    let mut store = open(db)?;
    // Deadlines are judged at the business date's instant: a demo portfolio's date, else now.
    let business_now = match credence_engine::demo_as_of(&mut store)? {
        Some(date) => credence_domain::Timestamp::business_instant(date, &now()),
        None => now(),
    };
    let change = |store: &mut credence_store::Store, id: i64, c: CaseChange, by: &str| -> Result<()> {
        let case = credence_engine::change_case(store, id, &c, by, &now())?;
        println!("case {}: {} / {} / owner {}", case.id, case.status, case.stage, case.owner);
        Ok(())
    };
    match command {
        CaseCommand::List { status, owner, overdue, format } => {
            let filter = CaseFilter {
                status: Some(status),
                owner,
                due_before: overdue.then(|| business_now.clone().into()),
                ..CaseFilter::default()
            };
            let cases = store.cases(&filter)?;
            if format == ReportFormat::Json {
                println!("{}", serde_json::to_string_pretty(&cases)?);
                return Ok(());
            }
            let stamp = business_now.as_str();
            let rows: Vec<Vec<String>> = cases
                .iter()
                .map(|c| {
                    vec![
                        c.id.to_string(),
                        c.customer_id.to_string(),
                        c.level.clone(),
                        c.stage.clone(),
                        c.owner.clone(),
                        c.due_at.to_string(),
                        if c.status == credence_domain::CaseStatus::Open && c.due_at.as_str() < stamp {
                            "OVERDUE".into()
                        } else {
                            String::new()
                        },
                        c.escalated_to.clone().unwrap_or_default(),
                    ]
                })
                .collect();
            print_table(&["case", "customer", "level", "stage", "owner", "due", "", "escalated to"], &rows);
        }
        CaseCommand::Show { id, lang, format } => {
            let Some((case, events, alerts)) = store.case(id)? else { bail!("no case {id}") };
            if format == ReportFormat::Json {
                let json = serde_json::json!({ "case": case, "events": events, "alerts": alerts });
                println!("{}", serde_json::to_string_pretty(&json)?);
                return Ok(());
            }
            println!(
                "case {} — {} ({} level, stage {}, {}), owner {}{}",
                case.id,
                case.customer_id,
                case.level,
                case.stage,
                case.status,
                case.owner,
                case.escalated_to.as_deref().map(|e| format!(", escalated to {e}")).unwrap_or_default()
            );
            println!("opened {}, due {}", case.opened_at, case.due_at);
            if let Some(p) = credence_engine::playbook(&case.level) {
                let actions = if lang == Lang::Zh { p.actions_zh } else { p.actions_en };
                println!("playbook: {}", actions.join("; "));
            }
            for a in alerts {
                if let Some(a) = store.alert(a)? {
                    println!(
                        "  alert {} {} {} [{}]",
                        a.id,
                        a.rule_code,
                        if lang == Lang::Zh { &a.name_zh } else { &a.name_en },
                        a.status
                    );
                }
            }
            let rows: Vec<Vec<String>> = events
                .iter()
                .map(|e| vec![e.at.to_string(), e.actor.clone(), e.kind.clone(), e.note.clone()])
                .collect();
            print_table(&["at", "by", "what", "note"], &rows);
            if let Some(outcome) = &case.outcome {
                println!("outcome: {outcome}");
            }
        }
        CaseCommand::Assign { id, to, by } => change(&mut store, id, CaseChange::Assign { to }, &by)?,
        CaseCommand::Act { id, action, template, by } => {
            if action.is_empty() && template.is_none() {
                bail!("say what was done: --action TEXT and/or --template CODE");
            }
            change(&mut store, id, CaseChange::Act { action, template }, &by)?
        }
        CaseCommand::Escalate { id, note, by } => change(&mut store, id, CaseChange::Escalate { note }, &by)?,
        CaseCommand::Close { id, outcome, by } => change(&mut store, id, CaseChange::Close { outcome }, &by)?,
        CaseCommand::Sweep => {
            let n = credence_engine::sweep_cases(&mut store, &business_now)?;
            println!("{n} overdue case(s) escalated");
        }
    }
    Ok(())
}

pub fn run_rules(db: &str, user: Option<&str>, command: RulesCommand) -> Result<()> {
    match command {
        RulesCommand::Quality => crate::output::print_rules(),
        RulesCommand::Warning { pack, lang } => {
            let pack = load_pack(&pack)?;
            println!("rule pack {} (catalogue {})", pack.version(), pack.catalogue_version());
            let rows: Vec<Vec<String>> = pack
                .rules()
                .iter()
                .map(|r| {
                    vec![
                        r.code.clone(),
                        if lang == Lang::Zh { r.name_zh.clone() } else { r.name_en.clone() },
                        r.level.code().to_owned(),
                        r.when.clone(),
                    ]
                })
                .collect();
            print_table(&["code", "name", "level", "condition"], &rows);
        }
        RulesCommand::Performance { window, pack, format } => {
            let pack = load_pack(&pack)?;
            let mut store = open(db)?;
            crate::import_scope::whole_portfolio_reader(
                &mut store,
                user,
                "the rules are measured on every customer's history",
            )?;
            let (from, to, dates) = window.dates(&mut store)?;
            let horizon = window.horizon;
            let report = credence_engine::rules_performance(&mut store, &pack, &dates, horizon)?;
            if format == ReportFormat::Json {
                println!("{}", serde_json::to_string_pretty(&report)?);
                return Ok(());
            }
            crate::rules_output::print_performance(&report, from, to);
        }
        RulesCommand::Tune {
            window,
            validate_from,
            budget,
            min_lift,
            min_lead_days,
            version,
            out,
            pack,
            format,
        } => {
            if !(budget > 0.0 && budget <= 1.0) {
                bail!("--budget is a share of customer-dates: more than 0, at most 1 (got {budget})");
            }
            let at_least_zero = |x: f64| x.is_finite() && x >= 0.0;
            if !at_least_zero(min_lift) || !at_least_zero(min_lead_days) {
                bail!("--min-lift and --min-lead-days must be numbers of at least 0");
            }
            if let Some(out) = &out
                && out.exists()
            {
                bail!("{} exists already; name a new file for the proposed pack", out.display());
            }
            let (text, current, catalogue) = load_pack_source(&pack)?;
            let version = version.unwrap_or_else(|| format!("{}-tuned", current.version()));
            if version.trim().is_empty() || version.len() > 64 || version.chars().any(char::is_control) {
                bail!("--version must be 1 to 64 printable characters");
            }
            let mut store = open(db)?;
            crate::import_scope::whole_portfolio_reader(
                &mut store,
                user,
                "the rules are measured on every customer's history",
            )?;
            let (from, to, dates) = window.dates(&mut store)?;
            let every = window.every;
            let validate_from =
                validate_from.unwrap_or_else(|| to - chrono::Months::new(12) + chrono::Days::new(1));
            let (tuning, validating) = (
                dates.iter().filter(|d| **d < validate_from).count(),
                dates.iter().filter(|d| **d >= validate_from).count(),
            );
            if tuning < 2 || validating < 1 {
                bail!(
                    "the dates from {from} to {to} every {every} months give {tuning} tuning date(s) before {validate_from} and {validating} after: at least 2 and 1 are needed"
                );
            }
            if dates.len() > 40 {
                bail!("{} evaluation dates: at most 40 (widen --every or narrow --from/--to)", dates.len());
            }
            let options = credence_engine::TuneOptions {
                dates,
                validate_from,
                horizon_months: window.horizon,
                budget,
                min_lift,
                min_lead_days,
                version,
            };
            let report = credence_engine::tune_rules(&mut store, &text, &current, &catalogue, &options)?;
            if let Some(out) = &out {
                std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(out)
                    .and_then(|mut f| std::io::Write::write_all(&mut f, report.proposed_toml.as_bytes()))
                    .with_context(|| format!("writing {}", out.display()))?;
            }
            if format == ReportFormat::Json {
                println!("{}", serde_json::to_string_pretty(&report)?);
                return Ok(());
            }
            crate::rules_output::print_tuning(&report, out.as_deref());
        }
    }
    Ok(())
}
