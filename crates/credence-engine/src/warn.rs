//! Early-warning runs (CTRL-5 … CTRL-8): the rule pack evaluated over the customers due
//! for monitoring, alerts raised, refreshed and closed against the stored ones, levels
//! recorded with their changes, and red and yellow alerts turned into disposal cases with
//! an owner and a deadline (`cases.rs`). Overdue cases escalate.

use crate::EngineError;
use crate::cases::{Raised, open_case, sweep_cases};
use crate::columns::customers;
use crate::credit_file::Pool;
use chrono::NaiveDate;
use credence_domain::Timestamp;
use credence_domain::{Labelled, MonitoringTier};
use credence_store::{CaseFilter, NewAlert, OpenAlerts, Packer, Store, StoredCase, Text, TextKind};
use credence_warning::{
    CustomerStatus, CustomerWarnings, Firing, Level, LevelInput, MonitoredCustomer, PeerAlert, PeerSummary,
    RuleHit, RuleLevel, RulePack,
};
use std::collections::HashMap;
use std::sync::Arc;

/// Which customers a run evaluates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WarnScope {
    /// Those due by their monitoring frequency (CTRL-7).
    Due,
    /// Every customer; peer (industry and regional) rules are evaluated only then, since
    /// they need the whole portfolio.
    All,
}

#[derive(Debug, Clone)]
pub struct WarnOptions {
    pub as_of: NaiveDate,
    pub scope: WarnScope,
    /// Time stamp of the run (RFC 3339, UTC). Deadlines count in business days from
    /// `as_of`, and cases are judged overdue at the business instant of `as_of`
    /// ([`Timestamp::business_instant`]).
    pub now: Timestamp,
}

/// What a run did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct WarnReport {
    pub run_id: i64,
    pub as_of: NaiveDate,
    pub pack_version: String,
    pub due: u64,
    pub evaluated: u64,
    pub failed: u64,
    pub raised: u64,
    /// Open alerts whose condition still holds; `refreshed` of them with new evidence.
    pub still_open: u64,
    pub refreshed: u64,
    pub closed: u64,
    pub level_changes: u64,
    pub cases_opened: u64,
    pub cases_joined: u64,
    pub cases_escalated: u64,
    /// Customers per level after the run (evaluated ones).
    pub levels: HashMap<String, u64>,
    pub peer_alerts: Vec<PeerAlert>,
    /// Customers (or peer groups) each rule fired for in this run.
    pub firing_by_rule: HashMap<String, u64>,
    /// Seconds spent reading and evaluating (summed over the worker threads, which
    /// overlap each other and the writing), and writing.
    pub seconds_read: f64,
    pub seconds_evaluate: f64,
    pub seconds_write: f64,
}

/// What an alert stores as evidence: the firing (or peer alert) with its values and
/// periods, and the sentence that tells it in each language.
fn evidence_json(
    what: &impl serde::Serialize,
    text_en: String,
    text_zh: String,
) -> Result<String, EngineError> {
    serde_json::to_string(&serde_json::json!({ "text_en": text_en, "text_zh": text_zh, "detail": what }))
        .map_err(EngineError::Serialise)
}

/// The version of how evidence is written, part of every fingerprint: a new way of
/// writing it refreshes every open alert's evidence once.
const EVIDENCE_FORMAT: u32 = 1;

/// What tells whether an alert's evidence changed: everything the firing says, hashed,
/// so that a run writes out only the evidence that is new.
fn fingerprint(f: &Firing) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    EVIDENCE_FORMAT.hash(&mut h);
    f.hash(&mut h);
    h.finish()
}

/// What the writer needs of a customer's evaluation; the rest of it (the facts of every
/// firing) is dropped on the worker that made it.
struct Checked {
    customer_id: credence_domain::CustomerId,
    firings: Vec<Fired>,
    /// Codes of rules that could not be decided for missing data.
    undetermined: Vec<String>,
    peer: PeerSummary,
}

/// A rule that fired: its code and level, the fingerprint of its evidence and, when the
/// stored alert's fingerprint differs or there is no alert, its evidence.
struct Fired {
    hit: RuleHit,
    print: u64,
    new: Option<NewEvidence>,
}

/// New evidence of a firing, with the rule's names for an alert raised from it.
struct NewEvidence {
    evidence: String,
    /// Packed as stored, where the rule's dictionary was known.
    packed: Option<String>,
    name_en: String,
    name_zh: String,
}

impl Checked {
    /// Keeps of `w` what the writer needs; evidence is written only where it is new.
    fn from(w: CustomerWarnings, open: &OpenAlerts, packer: &Packer) -> Result<Checked, EngineError> {
        let firings = w
            .firings
            .into_iter()
            .map(|f| {
                let print = fingerprint(&f);
                let stored = open.get(&w.customer_id, &f.code).map(|a| a.evidence_hash);
                let new = if stored == Some(print) {
                    None
                } else {
                    let evidence = firing_evidence(&f)?;
                    Some(NewEvidence {
                        packed: packer.pack(TextKind::AlertEvidence, &f.code, &evidence),
                        evidence,
                        name_en: f.name_en,
                        name_zh: f.name_zh,
                    })
                };
                Ok(Fired { hit: RuleHit { code: f.code, level: f.level }, print, new })
            })
            .collect::<Result<_, EngineError>>()?;
        Ok(Checked { customer_id: w.customer_id, firings, undetermined: w.undetermined, peer: w.peer })
    }
}

/// A customer's master data as a run needs it; the texts are shared among the customers
/// that have them (a million customers have a few dozen industries).
struct Master {
    tier: MonitoringTier,
    industry: Arc<str>,
    sub_industry: Option<Arc<str>>,
    business_line: Arc<str>,
}

/// Evaluates the rule pack and brings alerts, levels and cases up to date, in one
/// transaction.
pub fn warn(store: &mut Store, pack: &RulePack, options: &WarnOptions) -> Result<WarnReport, EngineError> {
    let as_of = options.as_of;
    let State { masters, levels, open, grades } = read_state(store)?;
    let due = due_customers(&masters, &levels, pack, options);
    let mut open_cases: HashMap<String, StoredCase> = store
        .cases(&CaseFilter {
            status: Some(credence_domain::CaseStatus::Open.into()),
            ..CaseFilter::default()
        })?
        .into_iter()
        .map(|c| (c.customer_id.to_string(), c))
        .collect();
    let scope = match options.scope {
        WarnScope::Due => "due",
        WarnScope::All => credence_store::WHOLE_PORTFOLIO,
    };
    let mut pool = Pool::open(store)?;
    let mut session = store.begin_warning_run(
        &as_of.to_string(),
        pack.version(),
        pack.catalogue_version(),
        scope,
        &options.now,
    )?;
    let mut report = WarnReport::new(session.run_id(), as_of, pack.version(), due.len());
    let cleared = format!("condition no longer holds on {as_of}");
    let run = Run {
        pack,
        options,
        masters: &masters,
        grades: &grades,
        open: &open,
        cleared: &cleared,
        packer: session.packer(),
    };
    let due: Vec<String> = due.into_iter().cloned().collect();
    let kept = run.evaluate(&mut pool, &mut session, &due, &mut open_cases, &mut report)?;
    drop(pool);
    let t = std::time::Instant::now();
    // Peer alerts (whole-portfolio runs only): subject = the group and its indicator.
    let peer_alerts = if options.scope == WarnScope::All {
        let peer_alerts = pack.evaluate_peers(kept.iter().map(|(_, p)| p));
        run.reconcile_peers(&mut session, &peer_alerts, &mut report)?;
        peer_alerts
    } else {
        Vec::new()
    };
    run.set_levels(&mut session, &kept, &peer_alerts, &levels, &mut report)?;
    report.seconds_write += t.elapsed().as_secs_f64();
    let counts = session.commit(&options.now)?;
    report.evaluated = counts.evaluated;
    report.raised = counts.raised;
    report.still_open = counts.still_open;
    report.refreshed = counts.updated;
    report.closed = counts.closed;
    report.level_changes = counts.level_changes;
    report.cases_escalated = sweep_cases(store, &Timestamp::business_instant(options.as_of, &options.now))?;
    report.peer_alerts = peer_alerts;
    Ok(report)
}

impl WarnReport {
    fn new(run_id: i64, as_of: NaiveDate, pack_version: &str, due: usize) -> WarnReport {
        WarnReport {
            run_id,
            as_of,
            pack_version: pack_version.to_owned(),
            due: due as u64,
            evaluated: 0,
            failed: 0,
            raised: 0,
            still_open: 0,
            refreshed: 0,
            closed: 0,
            level_changes: 0,
            cases_opened: 0,
            cases_joined: 0,
            cases_escalated: 0,
            levels: HashMap::new(),
            peer_alerts: Vec::new(),
            firing_by_rule: HashMap::new(),
            seconds_read: 0.0,
            seconds_evaluate: 0.0,
            seconds_write: 0.0,
        }
    }
}

/// What a run compares its findings with, read on a connection each at once.
struct State {
    masters: HashMap<String, Master>,
    levels: HashMap<String, credence_store::LevelState>,
    open: OpenAlerts,
    grades: Grades,
}

fn read_state(store: &mut Store) -> Result<State, EngineError> {
    let [mut a, mut b] = [store.open_another()?, store.open_another()?];
    std::thread::scope(|s| {
        let levels = s.spawn(move || a.level_states());
        let open = s.spawn(move || b.open_alerts());
        let masters = read_masters(store);
        let grades = latest_grades(store);
        let (levels, open) = (joined(levels)?, joined(open)?);
        Ok(State { masters: masters?, levels, open, grades: grades? })
    })
}

/// A reader thread's result; its panic goes on in the caller.
fn joined<T>(h: std::thread::ScopedJoinHandle<'_, T>) -> T {
    h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))
}

/// The master data a run needs of every customer, by customer id.
fn read_masters(store: &mut Store) -> Result<HashMap<String, Master>, EngineError> {
    let mut masters: HashMap<String, Master> = HashMap::new();
    let mut texts: std::collections::HashSet<Arc<str>> = std::collections::HashSet::new();
    let mut shared = |t: &str| match texts.get(t) {
        Some(t) => t.clone(),
        None => {
            let t: Arc<str> = t.into();
            texts.insert(t.clone());
            t
        }
    };
    store.for_each_record(credence_records::Kind::Customers, |c| {
        let id = customers::CUSTOMER_ID.text(&c).unwrap_or_default().to_owned();
        masters.insert(
            id,
            Master {
                tier: customers::MONITORING_TIER
                    .text(&c)
                    .and_then(MonitoringTier::parse_label)
                    .unwrap_or(MonitoringTier::Secondary),
                industry: shared(customers::INDUSTRY.text(&c).unwrap_or_default()),
                sub_industry: customers::SUB_INDUSTRY.text(&c).map(&mut shared),
                business_line: shared(customers::owner(&c)),
            },
        );
        Ok(())
    })?;
    Ok(masters)
}

/// Letter grades by customer id: each customer's as an index into the few grades there
/// are.
#[derive(Default)]
struct Grades {
    names: Vec<String>,
    of: HashMap<String, u8>,
}

impl Grades {
    fn get(&self, customer_id: &str) -> Option<&str> {
        self.of.get(customer_id).map(|&i| self.names[usize::from(i)].as_str())
    }
}

/// The letter grades of the latest finished rating run.
fn latest_grades(store: &mut Store) -> Result<Grades, EngineError> {
    let mut grades = Grades::default();
    if let Some(run) = store.rating_runs(20)?.into_iter().find(|r| r.finished_at.is_some()) {
        store.letter_grades_of_run(run.id, |id, grade| {
            let i = match grades.names.iter().position(|g| g == grade) {
                Some(i) => i,
                None => {
                    grades.names.push(grade.to_owned());
                    grades.names.len() - 1
                }
            };
            // A scale has far fewer than 256 grades.
            if let Ok(i) = u8::try_from(i) {
                grades.of.insert(id.to_owned(), i);
            }
        })?;
    }
    Ok(grades)
}

/// The customers a run evaluates, in id order: all, or those due by their monitoring
/// frequency.
fn due_customers<'m>(
    masters: &'m HashMap<String, Master>,
    levels: &HashMap<String, credence_store::LevelState>,
    pack: &RulePack,
    options: &WarnOptions,
) -> Vec<&'m String> {
    let level_of = |id: &str| match levels.get(id).map(|l| l.level.as_str()) {
        Some("red") => Level::Red,
        Some("yellow") => Level::Yellow,
        _ => Level::Green,
    };
    let mut due: Vec<&String> = masters
        .iter()
        .filter(|(id, m)| {
            options.scope == WarnScope::All
                || pack.monitoring().due(
                    &MonitoredCustomer {
                        tier: m.tier,
                        industry: &m.industry,
                        sub_industry: m.sub_industry.as_deref(),
                        level: level_of(id),
                    },
                    levels.get(id.as_str()).and_then(|l| l.checked_as_of),
                    options.as_of,
                )
        })
        .map(|(id, _)| id)
        .collect();
    due.sort();
    due
}

/// Customers whose levels are decided together.
const LEVEL_BLOCK: usize = 16_384;

/// A customer's firings as the levels read them (codes and levels), and its peer summary.
type Kept = (Vec<RuleHit>, PeerSummary);

/// What the steps of one run share.
struct Run<'r> {
    pack: &'r RulePack,
    options: &'r WarnOptions,
    masters: &'r HashMap<String, Master>,
    grades: &'r Grades,
    open: &'r OpenAlerts,
    cleared: &'r str,
    /// Packs evidence and causes on the threads that build them.
    packer: Packer,
}

impl Run<'_> {
    /// Evaluates the due customers on every core; each customer's alerts and case are
    /// brought up to date as its range comes back. What the levels still need once the
    /// peer rules have seen the whole portfolio is kept.
    fn evaluate(
        &self,
        pool: &mut Pool,
        session: &mut credence_store::WarningSession<'_>,
        due: &[String],
        open_cases: &mut HashMap<String, StoredCase>,
        report: &mut WarnReport,
    ) -> Result<Vec<Kept>, EngineError> {
        let evaluator = self.pack.evaluator(self.options.as_of);
        let mut kept: Vec<Kept> = Vec::with_capacity(due.len());
        pool.run(
            due,
            &|c| {
                let (file, _) = c.file.as_ref().ok()?;
                let tier = self.masters.get(c.customer_id()).map(|m| m.tier);
                let status = CustomerStatus { grade: self.grades.get(c.customer_id()), tier };
                // Evidence is written on the workers: the writer is the run's one thread
                // that cannot be shared.
                Some(Checked::from(evaluator.evaluate(file, &status), self.open, &self.packer))
            },
            |done, read, evaluate| {
                report.seconds_read += read;
                report.seconds_evaluate += evaluate;
                let t = std::time::Instant::now();
                for w in done {
                    let Some(w) = w else {
                        report.failed += 1;
                        continue;
                    };
                    let w = w?;
                    let new_alerts = reconcile_customer(session, &w, self.open, self.cleared)?;
                    let owner =
                        self.masters.get(w.customer_id.as_str()).map_or("unassigned", |m| &*m.business_line);
                    for (alert, level, what) in new_alerts {
                        let raised = Raised { customer: &w.customer_id, owner, alert, level, what: &what };
                        open_case(
                            session,
                            open_cases,
                            report,
                            &raised,
                            &self.options.now,
                            self.options.as_of,
                        )?;
                    }
                    for f in &w.firings {
                        match report.firing_by_rule.get_mut(&f.hit.code) {
                            Some(n) => *n += 1,
                            None => {
                                report.firing_by_rule.insert(f.hit.code.clone(), 1);
                            }
                        }
                    }
                    // Copied here rather than moved: kept for the whole run, a worker's
                    // small strings would pin the pages of everything it freed.
                    kept.push((w.firings.iter().map(|f| f.hit.clone()).collect(), w.peer.clone()));
                }
                report.seconds_write += t.elapsed().as_secs_f64();
                Ok(())
            },
        )?;
        Ok(kept)
    }

    /// Raises or refreshes the peer alerts that fire and closes the open ones that no
    /// longer do.
    fn reconcile_peers(
        &self,
        session: &mut credence_store::WarningSession<'_>,
        peer_alerts: &[PeerAlert],
        report: &mut WarnReport,
    ) -> Result<(), EngineError> {
        let mut firing: std::collections::HashSet<(String, String)> = std::collections::HashSet::new();
        for a in peer_alerts {
            let subject = format!("{}/{}", a.group, a.signal);
            let evidence = evidence_json(
                a,
                a.sentence(credence_warning::Language::En),
                a.sentence(credence_warning::Language::Zh),
            )?;
            *report.firing_by_rule.entry(a.code.clone()).or_default() += 1;
            // Peer alerts are few: their text is their fingerprint.
            let print = credence_store::evidence_text_hash(&evidence);
            match self.open.get(&subject, &a.code) {
                Some(alert) => session.refresh(alert, print, Some(Text::plain(&evidence)))?,
                None => {
                    session.raise(&NewAlert {
                        subject_kind: a.group_by.code(),
                        subject: &subject,
                        rule_code: &a.code,
                        name_en: &a.name_en,
                        name_zh: &a.name_zh,
                        level: a.level.code(),
                        evidence: Text::plain(&evidence),
                        fingerprint: print,
                    })?;
                }
            }
            firing.insert((subject, a.code.clone()));
        }
        let peer_codes: std::collections::HashSet<&str> =
            self.pack.aggregates().iter().map(|a| a.code.as_str()).collect();
        for (subject, alert) in self.open.iter() {
            let code = &alert.rule_code;
            if peer_codes.contains(code.as_str()) && !firing.contains(&(subject.to_owned(), code.clone())) {
                session.close(alert.id, self.cleared)?;
            }
        }
        Ok(())
    }

    /// Decides and records every evaluated customer's level, with the peer alerts that
    /// cover it. Levels are decided on every core, a slice of the customers each, and
    /// recorded in customer order.
    fn set_levels(
        &self,
        session: &mut credence_store::WarningSession<'_>,
        kept: &[Kept],
        peer_alerts: &[PeerAlert],
        levels: &HashMap<String, credence_store::LevelState>,
        report: &mut WarnReport,
    ) -> Result<(), EngineError> {
        let decide = |(firings, peer): &Kept| -> Result<(Level, bool, String, Option<String>), EngineError> {
            let covering: Vec<&PeerAlert> = peer_alerts
                .iter()
                .filter(|a| a.covers(&peer.industry, peer.sub_industry.as_deref(), &peer.region))
                .collect();
            let decision = self.pack.decide_level(&LevelInput {
                firings,
                grade: self.grades.get(&peer.customer_id),
                peer_alerts: &covering,
            });
            let causes = serde_json::to_string(&decision.causes).map_err(EngineError::Serialise)?;
            let (level, watch) = (decision.level.code(), decision.watch);
            // Causes are packed where they will be written: a level that holds is not.
            let packed = match levels.get(peer.customer_id.as_str()) {
                Some(p) if p.holds(level, watch, &causes) => None,
                _ => self.packer.pack(TextKind::LevelCauses, level, &causes),
            };
            Ok((decision.level, decision.watch, causes, packed))
        };
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        // A block's causes are held at once: a few megabytes, not a million customers'.
        for block in kept.chunks(LEVEL_BLOCK) {
            let slice = block.len().div_ceil(cores).max(1);
            let decided: Vec<Result<Vec<_>, EngineError>> = std::thread::scope(|s| {
                let handles: Vec<_> = block
                    .chunks(slice)
                    .map(|part| s.spawn(move || part.iter().map(decide).collect()))
                    .collect();
                handles.into_iter().map(joined).collect()
            });
            for (part, decided) in block.chunks(slice).zip(decided) {
                for ((_, peer), (level, watch, causes, packed)) in part.iter().zip(decided?) {
                    let id = peer.customer_id.as_str();
                    let causes = Text { plain: &causes, packed: packed.as_deref() };
                    session.set_level(id, levels.get(id), level.code(), watch, causes)?;
                    *report.levels.entry(level.code().to_owned()).or_default() += 1;
                }
            }
        }
        Ok(())
    }
}

/// What an alert of a customer's firing stores as evidence.
fn firing_evidence(f: &Firing) -> Result<String, EngineError> {
    evidence_json(f, f.sentence(credence_warning::Language::En), f.sentence(credence_warning::Language::Zh))
}

/// Raises a customer's new firings, refreshes the open alerts that still hold and closes
/// those whose condition cleared (a rule that could not be decided for missing data
/// leaves its alert open). Returns the new alerts (id, level, what).
fn reconcile_customer(
    session: &mut credence_store::WarningSession<'_>,
    w: &Checked,
    open: &OpenAlerts,
    cleared: &str,
) -> Result<Vec<(i64, RuleLevel, String)>, EngineError> {
    let id = w.customer_id.as_str();
    let mut new_alerts = Vec::new();
    for f in &w.firings {
        let code = &f.hit.code;
        let evidence = f.new.as_ref().map(|n| Text { plain: &n.evidence, packed: n.packed.as_deref() });
        match (open.get(id, code), &f.new) {
            (Some(alert), _) => session.refresh(alert, f.print, evidence)?,
            (None, Some(new)) => {
                let alert = session.raise(&NewAlert {
                    subject_kind: "customer",
                    subject: id,
                    rule_code: code,
                    name_en: &new.name_en,
                    name_zh: &new.name_zh,
                    level: f.hit.level.code(),
                    evidence: Text { plain: &new.evidence, packed: new.packed.as_deref() },
                    fingerprint: f.print,
                })?;
                new_alerts.push((alert, f.hit.level, format!("{code} {}", new.name_en)));
            }
            // Evidence is left out only where an open alert holds it: not reached.
            (None, None) => {}
        }
    }
    for alert in open.of(id) {
        let code = &alert.rule_code;
        let fired = w.firings.iter().any(|f| f.hit.code == *code);
        let undecided = w.undetermined.iter().any(|u| u == code);
        if !fired && !undecided {
            session.close(alert.id, cleared)?;
        }
    }
    Ok(new_alerts)
}
