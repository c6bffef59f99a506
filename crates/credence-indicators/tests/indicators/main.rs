//! Integration tests of the indicator library: every indicator of the shipped catalogue
//! against values computed by hand, the formula language's errors, trends, and the
//! effectiveness metrics against reference values.

mod behavioural;
mod demo;
mod demo_files;
mod effectiveness;
mod errors;
mod events;
mod financial;
mod fixture;
mod language;
mod robustness;
mod snapshots;
mod trends;

use credence_indicators::Catalogue;
use fixture::Expect;

/// Every indicator of the shipped catalogue has a value computed by hand in one of the
/// fixture tables, so adding an indicator without a test fails here.
#[test]
fn every_shipped_indicator_has_a_hand_computed_value() {
    let tables = [
        financial::MACHINERY,
        financial::SERVICES,
        financial::REAL_ESTATE,
        financial::ANNUAL,
        behavioural::LEDGER,
        behavioural::COLLECTIONS,
        behavioural::UTILITY,
        events::EVENTS,
    ];
    for def in Catalogue::builtin().indicators() {
        let covered = tables
            .iter()
            .flat_map(|t| t.iter())
            .any(|(id, e)| *id == def.id && matches!(e, Expect::Value(_)));
        assert!(covered, "{} has no hand-computed value", def.id);
    }
}
