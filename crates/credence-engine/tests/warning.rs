//! Early-warning runs end to end: a hand-built customer whose current ratio falls below
//! 1.5 for two quarters and recovers (alert raised with evidence, case opened with its
//! deadline, the same alert not raised twice, closed automatically when the condition
//! clears, level changes recorded), monitoring frequency, case work with its log, SLA
//! escalation with a fake clock, and a demo portfolio run.

use chrono::NaiveDate;
use credence_engine::{
    CaseChange, ImportOptions, ImportStatus, WarnOptions, WarnScope, build_demo, change_case, import_file,
    sweep_cases, warn,
};
use credence_indicators::Catalogue;
use credence_records::Kind;
use credence_store::{AlertFilter, CaseFilter, Store};
use credence_warning::RulePack;

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

struct Env {
    dir: tempfile::TempDir,
    store: Store,
    pack: RulePack,
    n: u32,
}

/// The shipped pack with W01 (current ratio) made a yellow rule again: the runs' mechanics
/// are tested on one rule that decides a level alone. Shipped, W01 is a watch rule.
fn pack_with_yellow_w01() -> RulePack {
    let text = credence_warning::BUILTIN_PACK;
    let at = text.find("code = \"W01\"").unwrap();
    let level = at + text[at..].find("level = \"green_watch\"").unwrap();
    let text =
        format!("{}level = \"yellow\"{}", &text[..level], &text[level + "level = \"green_watch\"".len()..]);
    RulePack::from_toml(&text, "warning.toml", &Catalogue::builtin()).unwrap()
}

impl Env {
    fn new() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("w.db").to_str().unwrap()).unwrap();
        Env { dir, store, pack: pack_with_yellow_w01(), n: 0 }
    }

    fn import(&mut self, kind: Kind, as_of: &str, csv: &str) {
        self.n += 1;
        let path = self.dir.path().join(format!("{}-{}.csv", kind.code(), self.n));
        std::fs::write(&path, csv).unwrap();
        let options = ImportOptions::new(date(as_of), "2026-01-01T00:00:00Z".into());
        let report = import_file(&mut self.store, kind, &path, &options, &mut |_| {}).unwrap();
        assert_eq!(report.status, ImportStatus::Committed, "{:#?}", report.diagnostics);
    }

    fn warn(&mut self, as_of: &str, scope: WarnScope, now: &str) -> credence_engine::WarnReport {
        warn(&mut self.store, &self.pack, &WarnOptions { as_of: date(as_of), scope, now: now.into() })
            .unwrap()
    }

    fn open_alerts(&mut self, code: &str) -> Vec<credence_store::StoredAlert> {
        self.store
            .alerts(&AlertFilter { status: Some("open".into()), ..AlertFilter::default() })
            .unwrap()
            .into_iter()
            .filter(|a| a.rule_code == code)
            .collect()
    }
}

const STATEMENT_HEADER: &str = "customer_id,period_end,period_type,audited,currency,cash,accounts_receivable,inventory,current_assets,total_assets,current_liabilities,total_liabilities,equity,revenue,cost_of_sales,operating_expenses,net_profit,operating_cash_flow";

/// A quarter of C1 with current assets 6,000,000 and current liabilities `cl`: current
/// ratio 6,000,000 / `cl`. Cash 3,000,000 against quarterly operating costs of 2,400,000
/// keeps the cash reserve above one month.
fn quarter(end: &str, cl: u32) -> String {
    format!(
        "C1,{end},Q,1,CNY,3000000,1500000,1000000,6000000,12000000,{cl},{tl},{eq},3000000,2000000,400000,300000,350000",
        tl = cl + 1_000_000,
        eq = 12_000_000 - cl - 1_000_000
    )
}

/// C1 (core tier: monitored monthly), owned by business line "machinery".
fn customer(env: &mut Env) {
    env.import(
        Kind::Customers,
        "2026-09-30",
        "customer_id,name,registration_no,customer_type,industry,region,org_unit,business_line,monitoring_tier,relationship_start\n\
         C1,公司C1,R-1,sme,C,浙江,east,machinery,core,2019-01-01",
    );
}

/// Current ratio 6,000,000 / 4,600,000 = 1.304 at 2026-03-31 and 6,000,000 / 4,300,000 =
/// 1.395 at 2026-06-30: below 1.5 for two consecutive quarters, so W01 fires on
/// 2026-07-31. The 2026-09-30 quarter has 6,000,000 / 3,000,000 = 2.0: W01 clears.
#[test]
fn an_alert_is_raised_once_opens_a_case_and_closes_when_its_condition_clears() {
    let mut env = Env::new();
    customer(&mut env);
    env.import(
        Kind::Statements,
        "2026-07-31",
        &format!(
            "{STATEMENT_HEADER}\n{}\n{}\n{}",
            quarter("2025-12-31", 3_000_000),
            quarter("2026-03-31", 4_600_000),
            quarter("2026-06-30", 4_300_000)
        ),
    );
    let first = env.warn("2026-07-31", WarnScope::Due, "2026-08-01T09:00:00Z");
    assert_eq!((first.due, first.evaluated), (1, 1));
    let w01 = env.open_alerts("W01");
    assert_eq!(w01.len(), 1);
    let alert = &w01[0];
    assert_eq!((alert.subject.as_str(), alert.level.as_str()), ("C1", "yellow"));
    let evidence: serde_json::Value = serde_json::from_str(&alert.evidence).unwrap();
    let text = evidence["text_en"].as_str().unwrap();
    assert_eq!(
        text,
        "W01 Current ratio below 1.5 for two consecutive quarters: Current ratio 1.40 (2026-06-30) and 1.30 (2026-03-31) < 1.5."
    );
    assert!(evidence["text_zh"].as_str().unwrap().contains("流动比率"), "{evidence}");
    // The yellow alert opened a case for the business line, due at the end of the fifth
    // business day after the run's date (Friday 2026-07-31 → Friday 2026-08-07).
    let cases = env.store.cases(&CaseFilter::default()).unwrap();
    assert_eq!(cases.len(), 1);
    let case = &cases[0];
    assert_eq!(
        (case.customer_id.as_str(), case.owner.as_str(), case.level.as_str()),
        ("C1", "machinery", "yellow")
    );
    assert_eq!(case.due_at, "2026-08-07T23:59:59Z");
    // The owner is told, through the outbox written with the alert.
    let queued = env.store.notifications(None, 10).unwrap();
    let news: Vec<_> = queued.iter().filter(|n| n.payload.contains("\"W01")).collect();
    assert_eq!(news.len(), 1, "{queued:#?}");
    assert_eq!(
        (news[0].kind.as_str(), news[0].recipient.as_str(), news[0].status.as_str()),
        ("alert_raised", "machinery", "pending")
    );
    assert!(news[0].title_zh.contains("黄色预警"), "{}", news[0].title_zh);
    let levels = env.store.level_changes("C1").unwrap();
    assert_eq!(levels.len(), 1);
    assert_eq!((levels[0].from_level.as_deref(), levels[0].to_level.as_str()), (None, "yellow"));

    // Checked on 2026-07-31, a core customer is next due a month later.
    let early = env.warn("2026-08-15", WarnScope::Due, "2026-08-15T09:00:00Z");
    assert_eq!(early.due, 0);
    // Still below 1.5 a month on: the same alert stays open, not raised again; its
    // evidence (the same two quarters) is unchanged, the customer's check date moves.
    let again = env.warn("2026-08-31", WarnScope::Due, "2026-09-01T09:00:00Z");
    assert_eq!((again.due, again.raised, again.refreshed, again.level_changes), (1, 0, 0, 0));
    assert!(again.still_open >= 1);
    let still = env.open_alerts("W01");
    assert_eq!(still.len(), 1);
    assert_eq!(still[0].id, alert.id);
    assert_eq!(still[0].last_as_of, "2026-07-31");
    assert_eq!(env.store.level_states().unwrap()["C1"].checked_as_of, Some(date("2026-08-31")));

    // The next quarter recovers: the alert closes itself with a note, the level goes green.
    env.import(
        Kind::Statements,
        "2026-10-31",
        &format!("{STATEMENT_HEADER}\n{}", quarter("2026-09-30", 3_000_000)),
    );
    env.warn("2026-10-31", WarnScope::Due, "2026-11-01T09:00:00Z");
    assert!(env.open_alerts("W01").is_empty());
    let closed = env.store.alert(alert.id).unwrap().unwrap();
    assert_eq!(closed.status, "closed");
    assert_eq!(closed.close_note.as_deref(), Some("condition no longer holds on 2026-10-31"));
    let levels = env.store.level_changes("C1").unwrap();
    assert_eq!(levels.last().unwrap().to_level, "green");
}

#[test]
fn case_work_is_logged_and_overdue_cases_escalate() {
    let mut env = Env::new();
    customer(&mut env);
    env.import(
        Kind::Statements,
        "2026-07-31",
        &format!(
            "{STATEMENT_HEADER}\n{}\n{}",
            quarter("2026-03-31", 4_600_000),
            quarter("2026-06-30", 4_300_000)
        ),
    );
    env.warn("2026-07-31", WarnScope::All, "2026-08-01T09:00:00Z");
    let case = env.store.cases(&CaseFilter::default()).unwrap().remove(0);
    // Not overdue yet (due 2026-08-07T23:59:59Z), then overdue: escalated once only.
    assert_eq!(sweep_cases(&mut env.store, &"2026-08-07T23:59:58Z".into()).unwrap(), 0);
    assert_eq!(sweep_cases(&mut env.store, &"2026-08-09T00:00:00Z".into()).unwrap(), 1);
    assert_eq!(sweep_cases(&mut env.store, &"2026-08-10T00:00:00Z".into()).unwrap(), 0);
    let overdue: Vec<_> =
        env.store.notifications(None, 20).unwrap().into_iter().filter(|n| n.kind == "case_overdue").collect();
    assert_eq!(overdue.len(), 1);
    assert_eq!(overdue[0].recipient, "manager of machinery");
    let at = &credence_domain::Timestamp::from("2026-08-10T10:00:00Z");
    let c = change_case(&mut env.store, case.id, &CaseChange::Assign { to: "li.wei".into() }, "wang", at)
        .unwrap();
    assert_eq!(c.owner, "li.wei");
    let act = CaseChange::Act { action: "called the CFO".into(), template: Some("payment_stop".into()) };
    change_case(&mut env.store, case.id, &act, "li.wei", at).unwrap();
    let bad = CaseChange::Act { action: String::new(), template: Some("nope".into()) };
    assert!(change_case(&mut env.store, case.id, &bad, "li.wei", at).is_err());
    let escalate = CaseChange::Escalate { note: "no plan received".into() };
    assert_eq!(change_case(&mut env.store, case.id, &escalate, "li.wei", at).unwrap().stage, "downgrade");
    assert_eq!(change_case(&mut env.store, case.id, &escalate, "li.wei", at).unwrap().stage, "exit");
    assert!(change_case(&mut env.store, case.id, &escalate, "li.wei", at).is_err(), "exit is the last stage");
    let close = CaseChange::Close { outcome: "exposure reduced to zero".into() };
    let closed = change_case(&mut env.store, case.id, &close, "li.wei", at).unwrap();
    assert_eq!(
        (closed.status.as_str(), closed.outcome.as_deref()),
        ("closed", Some("exposure reduced to zero"))
    );
    assert!(
        change_case(&mut env.store, case.id, &act, "li.wei", at).is_err(),
        "a closed case takes no action"
    );
    let (_, log, alerts) = env.store.case(case.id).unwrap().unwrap();
    let kinds: Vec<&str> = log.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["opened", "joined", "overdue", "assigned", "action", "escalated", "escalated", "closed"],
        "{log:#?}"
    );
    assert_eq!(log[2].note, "due 2026-08-07T23:59:59Z passed; escalated to manager of machinery");
    assert!(log[4].note.starts_with("Payment stop") && log[4].note.ends_with(": called the CFO"));
    assert!(!alerts.is_empty());
}

/// On a demo portfolio: every customer evaluated, every firing stored once with its
/// sentence, a second run over the same data raises nothing new and closes nothing.
#[test]
fn a_portfolio_run_is_idempotent() {
    let mut env = Env::new();
    let config = credence_demo::DemoConfig { customers: 300, seed: 3, as_of: date("2026-09-30") };
    build_demo(&mut env.store, &config, &"t0".into()).unwrap();
    let first = env.warn("2026-09-30", WarnScope::All, "2026-10-01T08:00:00Z");
    assert_eq!((first.due, first.evaluated, first.failed), (300, 300, 0));
    assert!(first.raised > 30, "{first:#?}");
    assert_eq!(first.level_changes, 300, "every customer's first level is a change");
    let open =
        env.store.alerts(&AlertFilter { status: Some("open".into()), ..AlertFilter::default() }).unwrap();
    assert_eq!(open.len() as u64, first.raised);
    assert!(
        open.iter()
            .all(|a| serde_json::from_str::<serde_json::Value>(&a.evidence).unwrap()["text_en"].is_string())
    );
    let red = first.levels.get("red").copied().unwrap_or(0);
    let yellow = first.levels.get("yellow").copied().unwrap_or(0);
    assert!(red > 0 && yellow > 0 && red + yellow < 300, "{:?}", first.levels);
    let second = env.warn("2026-09-30", WarnScope::All, "2026-10-02T08:00:00Z");
    assert_eq!((second.raised, second.closed, second.level_changes), (0, 0, 0));
    assert_eq!((second.still_open, second.refreshed), (first.raised, 0));
    assert_eq!((second.cases_opened, second.cases_joined), (0, 0));

    // A case is as severe as its most severe alert and due by that level's playbook,
    // also where a red alert joined a case a yellow one opened in the same run.
    let cases = env.store.cases(&CaseFilter::default()).unwrap();
    let mut raised_in_run = 0;
    for c in &cases {
        let (_, log, alerts) = env.store.case(c.id).unwrap().unwrap();
        let levels: Vec<String> =
            alerts.iter().map(|&a| env.store.alert(a).unwrap().unwrap().level).collect();
        let worst = if levels.iter().any(|l| l == "red") { "red" } else { "yellow" };
        assert_eq!(c.level, worst, "case {}: {levels:?}", c.id);
        let days = if worst == "red" { 1 } else { 5 };
        let due = credence_domain::business_days_after(date("2026-09-30"), days);
        assert_eq!(c.due_at.as_str(), format!("{due}T23:59:59Z"), "case {}", c.id);
        raised_in_run += usize::from(worst == "red" && log[0].note.starts_with("yellow"));
    }
    assert!(raised_in_run > 0, "some case opened yellow and turned red in the run");

    // Alerts stored with their evidence text's hash (before fingerprints) keep their
    // evidence and date: unchanged evidence is recognised and only its hash replaced.
    let db = rusqlite::Connection::open(env.store.location()).unwrap();
    let text_hashes: Vec<(i64, String)> = open
        .iter()
        .map(|a| (a.id, format!("{:016x}", credence_store::evidence_text_hash(&a.evidence))))
        .collect();
    for (id, hash) in &text_hashes {
        db.execute("UPDATE alerts SET evidence_hash = ?1 WHERE id = ?2", rusqlite::params![hash, id])
            .unwrap();
    }
    let third = env.warn("2026-09-30", WarnScope::All, "2026-10-03T08:00:00Z");
    assert_eq!((third.raised, third.still_open, third.refreshed), (0, first.raised, 0));
    let after =
        env.store.alerts(&AlertFilter { status: Some("open".into()), ..AlertFilter::default() }).unwrap();
    let stored: std::collections::HashMap<i64, &credence_store::StoredAlert> =
        after.iter().map(|a| (a.id, a)).collect();
    for a in &open {
        assert_eq!(
            (stored[&a.id].evidence.as_str(), stored[&a.id].last_as_of.as_str()),
            (a.evidence.as_str(), "2026-09-30")
        );
    }
    // A customer's alert now holds its firing's fingerprint (a peer alert's is the hash
    // of its text).
    let rehashed = env.store.open_alerts().unwrap();
    for (a, (id, hash)) in open.iter().zip(&text_hashes) {
        let now = format!("{:016x}", rehashed.get(&a.subject, &a.rule_code).unwrap().evidence_hash);
        assert_eq!(now != *hash, a.subject_kind == "customer", "alert {id} of {}", a.subject_kind);
    }
}

/// C1's current ratio is below 1.5 at both evaluation dates (2026-07-31 and 2026-08-31)
/// and it defaults on 2026-10-15; C2 (current ratio 2.0) does not. W01 therefore fired
/// for one customer, which defaulted within 12 months: precision 1/1; the one defaulter
/// was caught: recall 1/1; lead time 2026-10-15 − 2026-07-31 = 76 days; its episode runs
/// to the last date, so it has not ended and counts for no false alarm.
#[test]
fn rule_performance_is_measured_against_later_defaults() {
    let mut env = Env::new();
    env.import(
        Kind::Customers,
        "2026-09-30",
        "customer_id,name,registration_no,customer_type,industry,region,org_unit,business_line,monitoring_tier,relationship_start\n\
         C1,公司C1,R-1,sme,C,浙江,east,machinery,core,2019-01-01\n\
         C2,公司C2,R-2,sme,C,浙江,east,machinery,core,2019-01-01",
    );
    let healthy = quarter("2026-06-30", 3_000_000).replacen("C1", "C2", 1);
    let healthy_before = quarter("2026-03-31", 3_000_000).replacen("C1", "C2", 1);
    env.import(
        Kind::Statements,
        "2026-07-31",
        &format!(
            "{STATEMENT_HEADER}\n{}\n{}\n{healthy_before}\n{healthy}",
            quarter("2026-03-31", 4_600_000),
            quarter("2026-06-30", 4_300_000)
        ),
    );
    env.import(
        Kind::Events,
        "2026-10-31",
        "customer_id,event_type,event_date,reference,source\nC1,default,2026-10-15,D-1,court",
    );
    let dates = [date("2026-07-31"), date("2026-08-31")];
    let report = credence_engine::rules_performance(&mut env.store, &env.pack, &dates, 12).unwrap();
    assert_eq!((report.customers, report.defaulters), (2, 1));
    // Four observations (two customers at two dates), two of them C1's before its
    // default: a base rate of 1/2. W01 fires on C1 at both dates: precision 2/2, lift 2,
    // and no other rule catches C1.
    assert_eq!((report.observations, report.base_rate), (4, Some(0.5)));
    let w01 = &report.rules.iter().find(|r| r.code == "W01").unwrap().measures;
    assert_eq!((w01.firings, w01.customers, w01.flagged_share), (2, 1, Some(0.5)));
    assert_eq!((w01.precision, w01.recall, w01.median_lead_days), (Some(1.0), Some(1.0), Some(76.0)));
    assert_eq!((w01.lift, w01.caught_alone, w01.false_alarm_rate), (Some(2.0), 1, None));
    // Wilson's interval for 2/2: 0.3424–1.
    let (lo, hi) = w01.precision_ci.unwrap();
    assert!((lo - 0.3424).abs() < 1e-4 && hi == 1.0, "{lo}–{hi}");
    assert!(!w01.below_base_rate());
    // Both firings continue an episode begun at the first date: no new alert.
    assert_eq!(w01.alerts_per_month, Some(0.0));
    let w15 = &report.rules.iter().find(|r| r.code == "W15").unwrap().measures;
    assert_eq!((w15.customers, w15.recall, w15.lift), (0, Some(0.0), None));
    assert_eq!((report.pack.firings, report.pack.caught_alone), (2, 1));
}

/// A repair plan: items need evidence, the plan completes only when all are done, and
/// completing it re-rates the customer on the repaired data.
#[test]
fn a_repair_plan_completes_with_evidence_and_re_rates_the_customer() {
    use credence_engine::{
        RateOptions, RateScope, add_repair_item, complete_repair, finish_repair_item, open_repair,
        rate_portfolio,
    };
    let mut env = Env::new();
    customer(&mut env);
    env.import(
        Kind::Statements,
        "2026-07-31",
        &format!(
            "{STATEMENT_HEADER}\n{}\n{}",
            quarter("2026-03-31", 4_600_000),
            quarter("2026-06-30", 5_900_000)
        ),
    );
    let catalogue = Catalogue::builtin();
    let model = credence_rating::ScorecardModel::builtin();
    let options = RateOptions::new(date("2026-07-31"), RateScope::All, "2026-08-01T09:00:00Z".into());
    rate_portfolio(&mut env.store, &catalogue, &model, &options).unwrap();
    let items = vec![("fix_issue".to_owned(), "bring the current ratio above 1.5".to_owned())];
    let plan = open_repair(
        &mut env.store,
        "C1",
        "liquidity squeeze",
        &items,
        "wang",
        &"2026-08-02T09:00:00Z".into(),
    )
    .unwrap();
    assert!(plan.grade_before.is_some());
    assert!(
        open_repair(&mut env.store, "C1", "again", &items, "wang", &"t".into()).is_err(),
        "one open plan per customer"
    );
    assert!(open_repair(&mut env.store, "C9", "nobody", &items, "wang", &"t".into()).is_err());
    assert!(add_repair_item(&mut env.store, plan.id, "astrology", "x").is_err());
    let plan = add_repair_item(&mut env.store, plan.id, "training", "cash management course").unwrap();
    let (first, second) = (plan.items[0].id, plan.items[1].id);
    assert!(
        complete_repair(&mut env.store, &catalogue, &model, plan.id, date("2026-10-31"), &"t".into())
            .is_err()
    );
    assert!(
        finish_repair_item(&mut env.store, plan.id, first, " ", "wang", &"t".into()).is_err(),
        "evidence is required"
    );
    finish_repair_item(
        &mut env.store,
        plan.id,
        first,
        "Q3 balance sheet: current ratio 2.0",
        "wang",
        &"t".into(),
    )
    .unwrap();
    finish_repair_item(&mut env.store, plan.id, second, "certificate 2026-091", "wang", &"t".into()).unwrap();
    env.import(
        Kind::Statements,
        "2026-10-31",
        &format!("{STATEMENT_HEADER}\n{}", quarter("2026-09-30", 3_000_000)),
    );
    let outcome = complete_repair(
        &mut env.store,
        &catalogue,
        &model,
        plan.id,
        date("2026-10-31"),
        &"2026-11-01T09:00:00Z".into(),
    )
    .unwrap();
    assert_eq!(outcome.plan.status, "completed");
    assert_eq!(outcome.plan.grade_after, outcome.grade_after);
    let history = env.store.rating_history("C1").unwrap();
    assert_eq!(history.len(), 2, "completing the plan re-rated the customer");
    assert_eq!(history[0].rating.as_of, "2026-10-31");
    assert!(history[0].rating.score > history[1].rating.score, "the repaired liquidity scores better");
    let order: Vec<&str> =
        model.grades(credence_rating::ScaleKind::Letter).iter().map(|g| g.grade.as_str()).collect();
    let rank = |g: &str| order.iter().position(|o| *o == g).unwrap();
    assert_eq!(
        outcome.upgraded,
        rank(outcome.grade_after.as_deref().unwrap()) < rank(outcome.grade_before.as_deref().unwrap())
    );
    assert!(
        finish_repair_item(&mut env.store, plan.id, first, "late", "wang", &"t".into()).is_err(),
        "the plan is closed"
    );
}
