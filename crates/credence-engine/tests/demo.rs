//! The demo portfolio passes the importer's own validation: every kind exported from a demo
//! database imports back with no error and every record unchanged.

use credence_engine::{ImportOptions, ImportStatus, build_demo, export, import_file};
use credence_records::{Format, HeaderLanguage, Kind};

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
        assert!(stored > 0, "demo has no {kind}");
        assert_eq!(report.summary.count(kind), stored, "{kind}");
        let path = dir.path().join(format!("{kind}.csv"));
        assert_eq!(export(&mut store, kind, &path, Format::Csv, HeaderLanguage::Chinese).unwrap(), stored);
        let r = import_file(&mut store, kind, &path, &options, &mut |_| {}).unwrap();
        let errors: Vec<String> =
            r.diagnostics.iter().filter(|d| d.is_error()).take(5).map(|d| d.to_string()).collect();
        assert_eq!(r.status, ImportStatus::Committed, "{kind}: {errors:#?}");
        assert_eq!((r.inserted, r.updated, r.unchanged), (0, 0, stored), "{kind}");
    }
    assert_eq!(store.count(Kind::Customers).unwrap(), 300);
}
