//! Rating runs end to end on a small demo portfolio: reproducibility, re-rating only what
//! changed, history and migrations, overrides, one bad customer not stopping the run, and
//! how well the grades separate later defaults.

use credence_engine::{
    ImportOptions, IndicatorSource, RateOptions, RateScope, build_demo, customer_view, import_file,
    indicator_effectiveness, override_rating, rate_portfolio, rating_detail, rating_performance,
};
use credence_indicators::Catalogue;
use credence_rating::{Override, ScaleKind, ScorecardModel};
use credence_store::Store;

struct Env {
    dir: tempfile::TempDir,
    store: Store,
    catalogue: Catalogue,
    model: ScorecardModel,
}

fn date(s: &str) -> chrono::NaiveDate {
    s.parse().unwrap()
}

/// A 400-customer demo portfolio as of 2026-09-30 (seed 5).
fn env() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path().join("r.db").to_str().unwrap()).unwrap();
    let config = credence_demo::DemoConfig { customers: 400, seed: 5, as_of: date("2026-09-30") };
    build_demo(&mut store, &config, &"t0".into()).unwrap();
    let catalogue = Catalogue::builtin();
    let ids: Vec<&str> = catalogue.indicators().iter().map(|d| d.id.as_str()).collect();
    let model =
        ScorecardModel::from_toml(credence_rating::BUILTIN_MODEL, credence_rating::BUILTIN_MODEL_FILE, &ids)
            .unwrap();
    Env { dir, store, catalogue, model }
}

impl Env {
    fn rate(&mut self, as_of: &str, scope: RateScope) -> credence_engine::RateReport {
        let options = RateOptions::new(date(as_of), scope, format!("run at {as_of}").into());
        rate_portfolio(&mut self.store, &self.catalogue, &self.model, &options).unwrap()
    }
}

#[test]
fn the_shipped_model_uses_only_catalogue_indicators() {
    let e = env();
    let known: Vec<&str> = e.catalogue.indicators().iter().map(|d| d.id.as_str()).collect();
    for id in e.model.indicator_ids() {
        assert!(known.contains(&id), "{id}");
    }
}

#[test]
fn rating_is_reproducible_and_rerating_touches_only_what_changed() {
    let mut e = env();
    let first = e.rate("2026-09-30", RateScope::All);
    assert_eq!((first.rated, first.failed), (400, 0));
    let second = e.rate("2026-09-30", RateScope::All);
    let h = e.store.rating_history("C0000007").unwrap();
    assert_eq!(h.len(), 2);
    assert_eq!((h[0].run_id, h[1].run_id), (second.run_id, first.run_id));
    // Same inputs and versions: identical rating, breakdown included.
    assert_eq!(h[0].rating, h[1].rating);

    let unchanged = e.rate("2026-09-30", RateScope::Changed);
    assert_eq!((unchanged.rated, unchanged.skipped), (0, 400));

    // One new invoice for C0000007: only that customer is due.
    let csv = e.dir.path().join("inv.csv");
    std::fs::write(&csv, "invoice_no,customer_id,issue_date,due_date,amount,currency\nNEW-1,C0000007,2026-09-01,2026-10-01,5000,CNY\n").unwrap();
    let options = ImportOptions::new(date("2026-09-30"), "t1".into());
    let r = import_file(&mut e.store, credence_records::Kind::Invoices, &csv, &options, &mut |_| {}).unwrap();
    assert_eq!(r.inserted, 1);
    let changed = e.rate("2026-09-30", RateScope::Changed);
    assert_eq!((changed.rated, changed.skipped), (1, 399));
    let h = e.store.rating_history("C0000007").unwrap();
    assert_eq!(h.len(), 3);
    assert_ne!(h[0].rating.inputs_hash, h[1].rating.inputs_hash);
    assert_eq!(h[0].rating.data_version, r.import_id.unwrap());

    // A new as-of date makes everyone due again.
    assert_eq!(e.rate("2026-06-30", RateScope::Changed).rated, 400);
}

/// Ratings store no breakdown; it is recomputed from the file the rating was computed
/// from, also after an import replaced that file, and refused when it cannot be
/// reproduced.
#[test]
fn breakdowns_are_recomputed_from_the_file_rated_even_after_it_changed() {
    let mut e = env();
    e.rate("2026-09-30", RateScope::All);
    let id = "C0000007";
    let rated = e.store.rating_history(id).unwrap().remove(0);
    assert!(rated.rating.detail.is_empty());
    let json = |d: &credence_engine::RatingDetail| serde_json::to_value(d).unwrap();
    let before = rating_detail(&mut e.store, &e.catalogue, &e.model, &rated).unwrap().unwrap();
    assert_eq!(before.rating.score.to_bits(), rated.rating.score.to_bits());
    assert_eq!(before.rating.letter_grade, rated.rating.letter_grade);
    let sum: f64 = before.rating.lines.iter().map(|l| l.contribution).sum();
    assert!((sum - before.rating.score).abs() < 1e-9);

    // New records replace the file; the rating's own file is kept and gives the same
    // breakdown.
    let csv = e.dir.path().join("inv.csv");
    std::fs::write(&csv, "invoice_no,customer_id,issue_date,due_date,amount,currency\nNEW-9,C0000007,2026-09-01,2026-09-15,900000,CNY\n").unwrap();
    let options = ImportOptions::new(date("2026-09-30"), "t1".into());
    import_file(&mut e.store, credence_records::Kind::Invoices, &csv, &options, &mut |_| {}).unwrap();
    let after = rating_detail(&mut e.store, &e.catalogue, &e.model, &rated).unwrap().unwrap();
    assert_eq!(json(&after), json(&before));
    let view =
        customer_view(&mut e.store, &e.catalogue, &e.model, id, date("2026-11-22"), IndicatorSource::Rating)
            .unwrap();
    assert!(view.data_changed_since_rating);
    assert_eq!(view.breakdown_unavailable, None);
    assert_eq!(json(view.rating.as_ref().unwrap()), json(&before));

    // Another model version loaded: the page keeps the grades and says why there are no
    // lines.
    let text = credence_rating::BUILTIN_MODEL.replacen(e.model.version(), "2026-Q4-V9.9", 1);
    let ids: Vec<&str> = e.catalogue.indicators().iter().map(|d| d.id.as_str()).collect();
    let other = ScorecardModel::from_toml(&text, "other.toml", &ids).unwrap();
    let reason = rating_detail(&mut e.store, &e.catalogue, &other, &rated).unwrap().unwrap_err();
    assert_eq!(
        reason.to_string(),
        "it was computed with model version 2026-Q4-V1.2; the model loaded is version 2026-Q4-V9.9"
    );
    assert_eq!(reason.text(true), "评级使用模型版本 2026-Q4-V1.2，当前加载的是 2026-Q4-V9.9");
    let view =
        customer_view(&mut e.store, &e.catalogue, &other, id, date("2026-11-22"), IndicatorSource::Rating)
            .unwrap();
    assert_eq!(view.breakdown_unavailable, Some(reason));
    let summary = view.rating.unwrap();
    assert!(summary.rating.lines.is_empty());
    assert_eq!(
        (summary.rating.score, summary.rating.letter_grade),
        (rated.rating.score, rated.rating.letter_grade)
    );
    // The indicators shown are then the records' now, as with `IndicatorSource::Records`.
    let records =
        customer_view(&mut e.store, &e.catalogue, &other, id, date("2026-11-22"), IndicatorSource::Records)
            .unwrap();
    assert!(!view.indicators.is_empty());
    assert_eq!(format!("{:?}", view.indicators), format!("{:?}", records.indicators));
}

#[test]
fn customer_page_shows_breakdown_history_migrations_and_overrides() {
    let mut e = env();
    e.rate("2025-09-30", RateScope::All);
    e.rate("2026-09-30", RateScope::All);
    let id = "C0000012";
    let view =
        customer_view(&mut e.store, &e.catalogue, &e.model, id, date("2026-11-22"), IndicatorSource::Records)
            .unwrap();
    let detail = view.rating.as_ref().unwrap();
    assert_eq!(detail.rating.customer_id, id);
    assert_eq!(view.history.len(), 2);
    assert_eq!(view.history[0].as_of, "2026-09-30");
    let sum: f64 = detail.rating.lines.iter().map(|l| l.contribution).sum();
    assert!((sum - detail.rating.score).abs() < 1e-9, "{sum} vs {}", detail.rating.score);
    assert_eq!(view.indicators.len(), e.catalogue.indicators().len());
    assert!(view.indicators.iter().any(|l| l.peer_median.is_some()));
    assert!(view.indicators.iter().any(|l| l.value.trend.as_ref().is_some_and(|t| t.yoy.is_some())));
    assert!(!view.data_changed_since_rating);
    // The values stored with the rating are the ones computed from the records (no
    // trends): a page read from the rating shows the same numbers without computing them.
    let stored =
        customer_view(&mut e.store, &e.catalogue, &e.model, id, date("2026-11-22"), IndicatorSource::Rating)
            .unwrap();
    assert_eq!(stored.indicators.len(), view.indicators.len());
    for (s, c) in stored.indicators.iter().zip(&view.indicators) {
        assert_eq!((&s.id, s.value.value, s.peer_median), (&c.id, c.value.value, c.peer_median));
        assert!(s.value.trend.is_none());
    }
    assert!(!stored.data_changed_since_rating);
    let expected_migrations = usize::from(view.history[0].letter_grade != view.history[1].letter_grade);
    assert_eq!(view.migrations.len(), expected_migrations);

    // The portfolio matrix counts every customer once; its diagonal holds the unchanged.
    let order: Vec<&str> = e.model.grades(ScaleKind::Letter).iter().map(|g| g.grade.as_str()).collect();
    let (from, to) = (view.history[1].run_id, view.history[0].run_id);
    let m = credence_engine::rating_migration(&mut e.store, from, to, &order).unwrap();
    let total: u64 = m.counts.iter().flatten().sum();
    let diagonal: u64 = (0..m.grades.len()).map(|i| m.counts[i][i]).sum();
    assert_eq!((m.customers, total), (400, 400));
    assert_eq!(m.upgraded + m.downgraded + diagonal, 400);
    let i = order.iter().position(|g| *g == view.history[1].letter_grade).unwrap();
    let j = order.iter().position(|g| *g == view.history[0].letter_grade).unwrap();
    assert!(m.counts[i][j] >= 1);

    let refused = Override {
        scale: ScaleKind::Letter,
        grade: "AAA+".into(),
        reason: "x".into(),
        approver: "CRO".into(),
    };
    assert!(override_rating(&mut e.store, &e.model, id, &refused, "analyst", &"t2".into()).is_err());
    let no_reason =
        Override { scale: ScaleKind::Letter, grade: "BB".into(), reason: " ".into(), approver: "CRO".into() };
    assert!(override_rating(&mut e.store, &e.model, id, &no_reason, "analyst", &"t2".into()).is_err());
    let ok = Override {
        scale: ScaleKind::Letter,
        grade: "BB".into(),
        reason: "parent guarantee withdrawn".into(),
        approver: "CRO".into(),
    };
    // The approver must be a real, enabled user holding the authority, not the author.
    let refused_approver =
        override_rating(&mut e.store, &e.model, id, &ok, "analyst", &"t2".into()).unwrap_err();
    assert!(refused_approver.to_string().contains("no such user"), "{refused_approver}");
    person(&mut e.store, "CRO", &[credence_engine::RATING_APPROVER]);
    person(&mut e.store, "analyst", &[credence_engine::RATING_APPROVER]);
    let own = Override { approver: "analyst".into(), ..ok.clone() };
    assert!(override_rating(&mut e.store, &e.model, id, &own, "analyst", &"t2".into()).is_err());
    let stored = override_rating(&mut e.store, &e.model, id, &ok, "analyst", &"t2".into()).unwrap();
    assert_eq!((stored.letter_grade.as_str(), stored.status.as_str()), ("BB", "pending"));
    // Pending, it is not the grade in force anywhere.
    let model_grade = view.history[0].letter_grade.clone();
    let pending =
        customer_view(&mut e.store, &e.catalogue, &e.model, id, date("2026-11-22"), IndicatorSource::Records)
            .unwrap();
    assert_eq!(pending.history[0].letter_grade, model_grade);
    assert!(pending.override_in_force.is_none());
    assert_eq!(e.store.latest_grades_all().unwrap()[id].letter_grade, model_grade);
    let warm = credence_engine::portfolio_snapshot(
        &mut e.store,
        &credence_control::CreditPolicy::builtin(),
        date("2026-09-30"),
        &credence_engine::PortfolioOptions::new(&e.model),
    )
    .unwrap()
    .book;
    assert_eq!(
        warm.book.standing(id, date("2026-09-30")).unwrap().grade.as_deref(),
        Some(model_grade.as_str())
    );
    // Only the named approver decides it.
    assert!(
        credence_engine::decide_override(&mut e.store, stored.id, true, "analyst", "", &"t3".into()).is_err()
    );
    let approved =
        credence_engine::decide_override(&mut e.store, stored.id, true, "CRO", "", &"t3".into()).unwrap();
    assert_eq!(approved.status, "approved");
    assert!(
        credence_engine::decide_override(&mut e.store, stored.id, true, "CRO", "", &"t3".into()).is_err()
    );
    let view =
        customer_view(&mut e.store, &e.catalogue, &e.model, id, date("2026-11-22"), IndicatorSource::Records)
            .unwrap();
    assert_eq!(view.history[0].letter_grade, "BB");
    // Credit decisions read the grade in force: the override's.
    let warm = credence_engine::portfolio_snapshot(
        &mut e.store,
        &credence_control::CreditPolicy::builtin(),
        date("2026-09-30"),
        &credence_engine::PortfolioOptions::new(&e.model),
    )
    .unwrap()
    .book;
    assert_eq!(warm.book.standing(id, date("2026-09-30")).unwrap().grade.as_deref(), Some("BB"));
    // A customer rated on its own keeps the others' portfolio ratings in force.
    e.rate("2026-09-30", RateScope::Customer("C0000013".into()));
    let warm = credence_engine::portfolio_snapshot(
        &mut e.store,
        &credence_control::CreditPolicy::builtin(),
        date("2026-09-30"),
        &credence_engine::PortfolioOptions::new(&e.model),
    )
    .unwrap()
    .book;
    let rated = (1..=400)
        .filter(|k| {
            warm.book.standing(&format!("C{k:07}"), date("2026-09-30")).is_some_and(|s| s.grade.is_some())
        })
        .count();
    assert_eq!(rated, 400, "every customer still has a grade in force");
    assert_eq!(view.override_in_force.as_ref().map(|o| o.approver.as_str()), Some("CRO"));
    // The model's own grade is kept beside the override.
    assert_eq!(view.rating.unwrap().rating.letter_grade, detail.rating.letter_grade);
}

#[test]
fn one_unreadable_customer_becomes_a_failure_and_the_run_goes_on() {
    let mut e = env();
    let path = e.dir.path().join("r.db");
    let c = rusqlite::Connection::open(&path).unwrap();
    c.execute("UPDATE customers SET relationship_start = 'someday' WHERE customer_id = 'C0000003'", [])
        .unwrap();
    // Its snapshot damaged too: the file is read from the records instead.
    c.execute("UPDATE credit_files SET body = x'01ff' WHERE customer_id = 'C0000003'", []).unwrap();
    drop(c);
    let report = e.rate("2026-09-30", RateScope::All);
    assert_eq!((report.rated, report.failed), (399, 1));
    assert_eq!(report.failures[0].0, "C0000003");
    assert_eq!(report.failures[0].1, "relationship_start is not a date");
    assert_eq!(e.store.rating_failures(report.run_id).unwrap().len(), 1);
}

#[test]
fn grades_separate_later_defaults() {
    let mut e = env();
    let run = e.rate("2025-09-30", RateScope::All);
    let order: Vec<&str> = e.model.grades(ScaleKind::Letter).iter().map(|g| g.grade.as_str()).collect();
    let p = rating_performance(&mut e.store, run.run_id, 12, &order).unwrap();
    let auc = p.auc.unwrap();
    assert!(p.defaults >= 10, "{} defaults", p.defaults);
    assert!((0.75..0.97).contains(&auc), "AUC {auc}");
    let investment_grade: u64 = p.letter_grades.iter().take(3).map(|g| g.defaults).sum();
    let investment_customers: u64 = p.letter_grades.iter().take(3).map(|g| g.customers).sum();
    let rest_rate = (p.defaults - investment_grade) as f64 / (p.customers - investment_customers) as f64;
    assert!(rest_rate > 3.0 * investment_grade as f64 / investment_customers as f64);
}

#[test]
fn effectiveness_keeps_behavioural_indicators_and_flags_the_uninformative() {
    let mut e = env();
    let r = indicator_effectiveness(&mut e.store, &e.catalogue, date("2025-09-30"), 12).unwrap();
    assert!(r.defaults >= 10);
    let row = |id: &str| r.rows.iter().find(|x| x.id == id).unwrap();
    let timeliness = row("payment_timeliness_score");
    assert!(timeliness.auc.unwrap() > 0.6, "{timeliness:?}");
    assert_eq!(timeliness.recommendation, Some(credence_indicators::effectiveness::Recommendation::Keep));
    assert!(
        r.rows
            .iter()
            .any(|x| x.recommendation == Some(credence_indicators::effectiveness::Recommendation::Retire))
    );
}

/// A user in the store holding these authorities.
fn person(store: &mut credence_store::Store, name: &str, authorities: &[&str]) {
    let u = credence_store::StoredUser {
        id: 0,
        username: name.into(),
        display_name: name.into(),
        password_hash: String::new(),
        role: "risk_manager".into(),
        org_unit: None,
        business_lines: String::new(),
        customers: String::new(),
        hidden_indicators: String::new(),
        disabled: false,
        created_at: "t0".into(),
        password_changed_at: "t0".into(),
        language: None,
    };
    let id = store.create_user(&u).unwrap().unwrap();
    for a in authorities {
        store.grant_authority(id, a, "setup", &"t0".into()).unwrap();
    }
}

/// The snapshots a run reads hold exactly the records: every column of every record of
/// every customer of the demo portfolio, and the versions and hashes the ratings' inputs
/// hash is made of, read both ways.
#[test]
fn snapshots_hold_exactly_the_stored_records() {
    let mut e = env();
    let ids = e.store.customer_ids().unwrap();
    let columns: Vec<(credence_records::Kind, Vec<&str>)> = credence_records::Kind::ALL
        .into_iter()
        .map(|k| (k, k.schema().fields.iter().map(|f| f.name).collect()))
        .collect();
    let wanted: Vec<(credence_records::Kind, &[&str])> =
        columns.iter().map(|(k, c)| (*k, c.as_slice())).collect();
    type Seen = Vec<(usize, credence_records::Kind, Vec<credence_records::Value>)>;
    let (mut snap, mut rows): (Seen, Seen) = (Vec::new(), Vec::new());
    let a = e
        .store
        .customer_files(&ids, &wanted, |i, k, c| snap.push((i, k, c.iter().map(|c| c.to_value()).collect())))
        .unwrap();
    let b = e
        .store
        .customer_files_from_rows(&ids, &wanted, |i, k, c| {
            rows.push((i, k, c.iter().map(|c| c.to_value()).collect()))
        })
        .unwrap();
    assert_eq!(a.len(), 400);
    assert_eq!(a, b);
    assert!(snap.len() > 400 * 20, "{} records", snap.len());
    // The record tables stream kind by kind across customers, the snapshots customer by
    // customer; each customer's records come in the same order either way.
    rows.sort_by_key(|r| r.0);
    assert_eq!(snap.len(), rows.len());
    for (x, y) in snap.iter().zip(&rows) {
        assert_eq!(format!("{x:?}"), format!("{y:?}"));
    }
}

/// Every rating of a run by customer, without what differs between runs (ids, run).
fn ratings_by_customer(store: &mut Store, run_id: i64) -> Vec<credence_store::NewRating> {
    let mut out = Vec::new();
    store
        .ratings_of_run(run_id, |r| {
            out.push(r.rating);
            Ok(())
        })
        .unwrap();
    out
}

/// Every industry median of a run, by industry section (GB/T 4754 A … T), as bits.
fn all_benchmarks(store: &mut Store, run_id: i64) -> Vec<(char, Vec<(String, u64)>)> {
    ('A'..='T')
        .map(|section| {
            let mut m: Vec<(String, u64)> = store
                .benchmarks(run_id, &section.to_string())
                .unwrap()
                .into_iter()
                .map(|(k, v)| (k, v.to_bits()))
                .collect();
            m.sort();
            (section, m)
        })
        .collect()
}

fn share<'c>(
    holder: &str,
    parts: usize,
    clock: &'c credence_domain::FixedClock,
) -> credence_engine::ShareOptions<'c> {
    credence_engine::ShareOptions {
        holder: holder.into(),
        parts: Some(parts),
        lease: std::time::Duration::from_secs(60),
        wait: false,
        open: true,
        clock,
    }
}

/// A run cut into seven parts gives every customer the rating, and every industry the
/// medians, that one process gives in one run; a part whose holder died (its lease ran
/// out) is taken over, and the dead holder can no longer write it.
#[test]
fn a_shared_run_rates_as_one_process_does_and_takes_over_dead_holders_parts() {
    let mut e = env();
    let one = e.rate("2026-09-30", RateScope::All);
    let t0: chrono::DateTime<chrono::Utc> = "2026-10-01T02:00:00Z".parse().unwrap();
    let clock = credence_domain::FixedClock(t0);
    let options = RateOptions::new(date("2026-09-30"), RateScope::All, "shared run".into());

    // A holder that claimed part 2 an hour ago with a one-minute lease and died.
    let run = credence_store::NewRatingRun {
        as_of: "2026-09-30".into(),
        started_at: "shared run".into(),
        model_version: e.model.version().into(),
        catalogue_version: e.catalogue.version().into(),
        scope: "all".into(),
    };
    let bounds = credence_store::part_bounds(&e.store.customer_ids().unwrap(), 7);
    assert_eq!(bounds.len(), 7);
    let (run_id, opened) = e.store.start_shared_rating_run(&run, &bounds).unwrap();
    assert!(opened);
    let ghost = |store: &mut Store| {
        store
            .claim_rating_part(run_id, "ghost", "2026-10-01T01:00:00.000Z", "2026-10-01T01:01:00.000Z")
            .unwrap()
            .unwrap()
    };
    let dead = ghost(&mut e.store);
    assert_eq!(dead.part, 0);

    let report =
        credence_engine::rate_shared(&mut e.store, &e.catalogue, &e.model, &options, &share("a", 3, &clock))
            .unwrap()
            .unwrap();
    assert_eq!(report.share.run_id, run_id);
    assert!(!report.opened, "the run the ghost's instance opened is joined");
    assert_eq!((report.parts, report.parts_written, report.parts_lost), (7, 7, 0));
    assert!(report.finished && report.finished_here);
    assert_eq!(report.run_totals, Some((400, 0, 0)));
    assert_eq!((report.share.rated, report.share.failed), (400, 0));
    assert_eq!(report.share.letter_grades, one.letter_grades);

    // The dead holder's late write is refused and changes nothing.
    let late = e
        .store
        .write_rating_part(
            &dead,
            &credence_store::RatedPart { ratings: &[], failures: &[], skipped: 0, summary: vec![1] },
            &"late".into(),
            &|_| Ok(Vec::new()),
        )
        .unwrap();
    assert_eq!(late, credence_store::PartWritten::Lost);

    assert_eq!(ratings_by_customer(&mut e.store, run_id), ratings_by_customer(&mut e.store, one.run_id));
    let (a, b) = (all_benchmarks(&mut e.store, one.run_id), all_benchmarks(&mut e.store, run_id));
    assert!(a.iter().map(|(_, m)| m.len()).sum::<usize>() > 50, "{a:?}");
    assert_eq!(a, b);
    let runs = e.store.rating_runs(1).unwrap();
    assert_eq!((runs[0].rated, runs[0].parts), (400, 7));
    assert!(runs[0].finished_at.is_some());

    // Nothing is open any more: joining without opening finds no run.
    let mut join = share("b", 3, &clock);
    join.open = false;
    assert!(
        credence_engine::rate_shared(&mut e.store, &e.catalogue, &e.model, &options, &join)
            .unwrap()
            .is_none()
    );
}

/// A shared run of the customers whose data changed rates the same customers as one
/// process would, and counts the others as skipped, part by part.
#[test]
fn a_shared_run_of_changes_rates_only_what_changed() {
    let mut e = env();
    e.rate("2026-09-30", RateScope::All);
    let csv = e.dir.path().join("inv.csv");
    std::fs::write(&csv, "invoice_no,customer_id,issue_date,due_date,amount,currency\nNEW-1,C0000123,2026-09-01,2026-10-01,5000,CNY\n").unwrap();
    let options = ImportOptions::new(date("2026-09-30"), "t1".into());
    import_file(&mut e.store, credence_records::Kind::Invoices, &csv, &options, &mut |_| {}).unwrap();
    let clock = credence_domain::FixedClock("2026-10-01T02:00:00Z".parse().unwrap());
    let options = RateOptions::new(date("2026-09-30"), RateScope::Changed, "shared".into());
    let r =
        credence_engine::rate_shared(&mut e.store, &e.catalogue, &e.model, &options, &share("a", 4, &clock))
            .unwrap()
            .unwrap();
    assert_eq!(r.run_totals, Some((1, 399, 0)));
    assert_eq!((r.share.rated, r.share.skipped, r.parts_written), (1, 399, 4));
    let h = e.store.rating_history("C0000123").unwrap();
    assert_eq!((h.len(), h[0].run_id), (2, r.share.run_id));
    // A run of one customer is not shared.
    let one = RateOptions::new(date("2026-09-30"), RateScope::Customer("C0000123".into()), "x".into());
    let err =
        credence_engine::rate_shared(&mut e.store, &e.catalogue, &e.model, &one, &share("a", 4, &clock))
            .unwrap_err();
    assert!(err.to_string().contains("not shared"), "{err}");
}
