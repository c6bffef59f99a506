//! The demo portfolio passes the importer's own validation: every kind exported from a demo
//! database imports back with no error and every record unchanged.

use credence_engine::{ImportOptions, ImportStatus, build_demo, export, import_file};
use credence_records::{Format, HeaderLanguage, Kind};

/// Exports every stored record of `kind` with Chinese headers and imports the file back:
/// no error, every record unchanged.
fn reimports_unchanged(
    store: &mut credence_store::Store,
    kind: Kind,
    dir: &std::path::Path,
    options: &ImportOptions,
) {
    let stored = store.count(kind).unwrap();
    let path = dir.join(format!("{kind}.csv"));
    assert_eq!(export(store, kind, &path, Format::Csv, HeaderLanguage::Chinese).unwrap(), stored);
    let r = import_file(store, kind, &path, options, &mut |_| {}).unwrap();
    let errors: Vec<String> =
        r.diagnostics.iter().filter(|d| d.is_error()).take(5).map(|d| d.to_string()).collect();
    assert_eq!(r.status, ImportStatus::Committed, "{kind}: {errors:#?}");
    assert_eq!((r.inserted, r.updated, r.unchanged), (0, 0, stored), "{kind}");
}

#[test]
fn every_demo_record_passes_validation_and_reimports_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = credence_store::Store::open(dir.path().join("d.db").to_str().unwrap()).unwrap();
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 9, 30).unwrap();
    let config = credence_demo::DemoConfig { customers: 300, seed: 11, as_of };
    let report = build_demo(&mut store, &config, &"2026-10-01T00:00:00Z".into()).unwrap();
    assert!(!report.replaced_previous_demo);
    let options = ImportOptions::new(as_of, "2026-10-01T00:00:01Z".into());
    for (kind, stored) in store.counts().unwrap() {
        // The trade-credit demo holds no utility billing accounts.
        if kind.is_billing() {
            assert_eq!(stored, 0, "{kind}");
            continue;
        }
        assert!(stored > 0, "demo has no {kind}");
        assert_eq!(report.summary.count(kind), stored, "{kind}");
        reimports_unchanged(&mut store, kind, dir.path(), &options);
    }
    assert_eq!(store.count(Kind::Customers).unwrap(), 300);
}

/// The utility demo passes the importer's validation (accounts before bills before
/// payments), and its next-month arrears data set over twelve month ends is labelled and
/// has a minority in arrears.
#[test]
fn the_utility_demo_validates_and_gives_an_arrears_data_set() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = credence_store::Store::open(dir.path().join("u.db").to_str().unwrap()).unwrap();
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 9, 30).unwrap();
    let config = credence_demo::UtilityConfig { accounts: 400, seed: 3, as_of };
    let report =
        credence_engine::build_utility_demo(&mut store, &config, &"2026-10-01T00:00:00Z".into()).unwrap();
    assert_eq!(store.count(Kind::Accounts).unwrap(), 400);
    assert_eq!(store.count(Kind::Bills).unwrap(), report.summary.bills);
    assert_eq!(store.count(Kind::BillPayments).unwrap(), report.summary.payments);
    assert_eq!(store.count(Kind::Disconnections).unwrap(), report.summary.disconnections);
    assert_eq!(store.count(Kind::MeterEvents).unwrap(), report.summary.meter_events);
    assert_eq!(store.count(Kind::HolderChanges).unwrap(), report.summary.holder_changes);
    assert!(
        report.summary.disconnections > 0
            && report.summary.meter_events > 0
            && report.summary.holder_changes > 0,
        "{:?}",
        report.summary
    );
    assert_eq!(credence_engine::demo_as_of(&mut store).unwrap(), Some(as_of));
    let options = ImportOptions::new(as_of, "2026-10-01T00:00:01Z".into());
    for kind in Kind::ALL.into_iter().filter(|k| k.is_billing()) {
        reimports_unchanged(&mut store, kind, dir.path(), &options);
    }
    let path = dir.path().join("arrears.csv");
    let options = credence_engine::BillingDatasetOptions {
        as_of: chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap(),
        months: 12,
        rule: credence_engine::ArrearsRule::default(),
        observed_to: as_of,
        unlabelled: false,
    };
    let d = credence_engine::write_billing_dataset(&mut store, &options, &path).unwrap();
    assert_eq!(d.not_yet_known, 0);
    assert!(d.rows > 400 * 10, "{d:?}");
    let rate = d.events as f64 / d.rows as f64;
    assert!((0.01..0.08).contains(&rate), "{rate} in arrears: {d:?}");
}

/// The out-of-time back-test on the utility demo: each tested month learns only from
/// earlier months whose outcome was known at its end (so from fewer rows than the months
/// before it hold), ranks arrears far better than chance, and its top 10% catches more
/// arrears than its top 5%.
#[test]
fn the_utility_backtest_learns_only_from_what_was_known() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = credence_store::Store::open(dir.path().join("u.db").to_str().unwrap()).unwrap();
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 9, 30).unwrap();
    let config = credence_demo::UtilityConfig { accounts: 1500, seed: 8, as_of };
    credence_engine::build_utility_demo(&mut store, &config, &"2026-10-01T00:00:00Z".into()).unwrap();
    let options = credence_engine::BacktestOptions {
        as_of: chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap(),
        months: 2,
        train_months: 4,
        rule: credence_engine::ArrearsRule::default(),
        observed_to: as_of,
        kind: credence_model::ModelKind::Gbdt,
        seed: 1,
        trained_at: "2026-10-01T00:00:00Z".into(),
    };
    let b = credence_engine::billing_backtest(&mut store, &options).unwrap();
    assert_eq!(b.months.len() + b.skipped.len(), 2, "{b:?}");
    for m in &b.months {
        // Four month ends before it, the newest of which has no known outcome yet.
        assert!(m.train_rows <= 3 * m.rows + m.rows / 10, "{m:?}");
        assert!(m.train_rows >= 2 * m.rows, "{m:?}");
        assert!(m.auc > 0.75, "{m:?}");
        assert_eq!(m.top.len(), 2);
        assert!(m.top[1].capture >= m.top[0].capture, "{m:?}");
        assert!(m.top[0].precision > m.events as f64 / m.rows as f64, "{m:?}");
    }
}
