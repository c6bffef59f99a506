//! The shipped catalogue over the synthetic demo portfolio: every indicator is computed
//! for some customers, values are finite and plausible, trends come with them, and the
//! indicators separate the demo's defaulters as its latent-health process implies.

use credence_domain::EventKind;
use credence_indicators::effectiveness::oriented_auc;
use credence_indicators::{Catalogue, EvalOptions};

use crate::demo_files::demo_files;
use crate::fixture::d;

#[test]
fn the_catalogue_over_the_demo_portfolio() {
    let as_of = d(2026, 6, 30);
    let files = demo_files(300, 7, as_of);
    let c = Catalogue::builtin();
    let sets: Vec<_> = files.iter().map(|f| c.evaluate(f, as_of, &EvalOptions { trends: true })).collect();
    let column = |id: &str| -> Vec<Option<f64>> {
        let k = c.indicators().iter().position(|d| d.id == id).unwrap();
        sets.iter().map(|s| s.values[k].value).collect()
    };
    // The demo's records hold no collection log (promises and disputes are logged by
    // collectors, not imported) and its customers hold no utility billing account.
    let logged = [
        "promise_kept_rate",
        "dispute_rate",
        "utility_on_time_share",
        "utility_late_bills",
        "utility_overdue_share",
    ];
    for def in c.indicators().iter().filter(|d| !logged.contains(&d.id.as_str())) {
        let values: Vec<f64> = column(&def.id).into_iter().flatten().collect();
        assert!(!values.is_empty(), "{} has no value for any demo customer", def.id);
        assert!(values.iter().all(|v| v.is_finite()), "{}", def.id);
    }
    let mean = |id: &str| {
        let v: Vec<f64> = column(id).into_iter().flatten().collect();
        v.iter().sum::<f64>() / v.len() as f64
    };
    let plausible = [
        ("current_ratio", 1.0, 4.0),
        ("debt_to_asset", 30.0, 80.0),
        ("gross_margin", 10.0, 40.0),
        ("dso", 20.0, 150.0),
        ("payment_timeliness_score", 5.0, 10.0),
        ("cash_reserve_months", 1.0, 6.0),
    ];
    for (id, lo, hi) in plausible {
        let m = mean(id);
        assert!(m > lo && m < hi, "mean {id} {m}");
    }
    let trended = sets
        .iter()
        .filter(|s| s.get("current_ratio").and_then(|v| v.trend.as_ref()).is_some_and(|t| t.yoy.is_some()));
    assert!(trended.count() > 250);
    let defaulted: Vec<bool> =
        files.iter().map(|f| f.events.iter().any(|e| e.kind == EventKind::Default)).collect();
    assert!(defaulted.iter().any(|d| *d));
    for (id, least) in [("payment_timeliness_score", 0.8), ("current_ratio", 0.6), ("debt_to_asset", 0.6)] {
        let direction = c.indicator(id).unwrap().direction;
        let auc = oriented_auc(&column(id), &defaulted, direction).unwrap();
        assert!(auc > least, "{id}: oriented AUC {auc}");
    }
}
