//! Groups over stored records end to end: relationships imported from CSV, the group
//! identified with its evidence, exposure rolled up against the sum of member limits,
//! guarantee circles, contagion from a defaulted member, and links out of force ignored.

use chrono::NaiveDate;
use credence_engine::{
    Exposures, ImportOptions, ImportStatus, distressed_customers, import_file, related_parties,
};
use credence_groups::{DistressStatus, GroupConfig, GroupRule};
use credence_records::Kind;
use credence_store::Store;

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn import(store: &mut Store, dir: &std::path::Path, kind: Kind, csv: &str) {
    let path = dir.join(format!("{}.csv", kind.code()));
    std::fs::write(&path, csv).unwrap();
    let options = ImportOptions::new(date("2026-09-30"), "2026-10-01T08:00:00Z".into());
    let report = import_file(store, kind, &path, &options, &mut |_| {}).unwrap();
    assert_eq!(report.status, ImportStatus::Committed, "{:#?}", report.diagnostics);
}

/// C1–C5; P-ZHANG holds 60% of C1, C1 holds 55% of C2 (so P-ZHANG controls C2 through
/// C1), C3 holds 50% of C4 (exactly half: no control). C4 and C5 guarantee each other.
/// A holding of P-ZHANG in C5 ended in 2025.
///
/// Exposure on 2026-09-30 (CNY): C1 invoices 1,000.00 − payment 400.00 + open order
/// 250.00 = 850.00; C2 invoice 300.00 = 300.00; group = 1,150.00. Limits: C1 800.00,
/// C2 200.00 → group limit 1,000.00, headroom −150.00, utilisation 115%, largest member
/// C1 with 850 / 1,150 = 73.913…%.
fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path().join("g.db").to_str().unwrap()).unwrap();
    let header = "customer_id,name,registration_no,customer_type,industry,region,org_unit,business_line,monitoring_tier,relationship_start,credit_limit,limit_currency";
    let rows: Vec<String> = [("C1", "800.00"), ("C2", "200.00"), ("C3", ""), ("C4", ""), ("C5", "")]
        .iter()
        .map(|(id, limit)| {
            let currency = if limit.is_empty() { "" } else { "CNY" };
            format!("{id},公司{id},R-{id},sme,C,浙江,east,machinery,core,2020-01-01,{limit},{currency}")
        })
        .collect();
    import(&mut store, dir.path(), Kind::Customers, &format!("{header}\n{}", rows.join("\n")));
    import(
        &mut store,
        dir.path(),
        Kind::Relationships,
        "relation_type,from_party,from_name,to_party,share_pct,amount,currency,start_date,end_date\n\
         ownership,P-ZHANG,张三,C1,60,,,2020-01-01,\n\
         ownership,C1,,C2,55,,,2020-01-01,\n\
         ownership,C3,,C4,50,,,2020-01-01,\n\
         ownership,P-ZHANG,张三,C5,70,,,2020-01-01,2025-12-31\n\
         guarantee,C4,,C5,,5000000.00,CNY,2024-01-01,\n\
         guarantee,C5,,C4,,3000000.00,CNY,2024-01-01,",
    );
    import(
        &mut store,
        dir.path(),
        Kind::Invoices,
        "invoice_no,customer_id,issue_date,due_date,amount,currency\n\
         I1,C1,2026-07-01,2026-08-31,600.00,CNY\n\
         I2,C1,2026-08-01,2026-09-30,400.00,CNY\n\
         I3,C2,2026-09-01,2026-10-31,300.00,CNY",
    );
    import(
        &mut store,
        dir.path(),
        Kind::Payments,
        "payment_id,customer_id,invoice_no,payment_date,amount,currency\nP1,C1,I1,2026-08-30,400.00,CNY",
    );
    import(
        &mut store,
        dir.path(),
        Kind::Orders,
        "order_no,customer_id,order_date,amount,currency,status\nO1,C1,2026-09-20,250.00,CNY,open\nO2,C1,2026-09-21,90.00,CNY,shipped",
    );
    (dir, store)
}

#[test]
fn groups_exposure_guarantees_and_contagion_from_stored_records() {
    let (_dir, mut store) = store();
    let as_of = date("2026-09-30");
    let parties = related_parties(&mut store, as_of, GroupConfig::builtin()).unwrap();
    assert!(parties.unreadable.is_empty());
    let exposures = Exposures::load(&mut store, as_of, credence_domain::Currency::CNY).unwrap();
    assert_eq!(exposures.by_customer.get("C1"), Some(&85_000));
    assert_eq!(exposures.by_customer.get("C2"), Some(&30_000));
    // Seen on 2026-08-15: I1 + I2 only; the payment and the order come later.
    let earlier = Exposures::load(&mut store, date("2026-08-15"), credence_domain::Currency::CNY).unwrap();
    assert_eq!(earlier.by_customer.get("C1"), Some(&100_000));
    assert_eq!(earlier.by_customer.get("C2"), None);

    let lines = parties.list(&exposures);
    assert_eq!(lines.len(), 1, "C3 holds exactly 50% of C4: no second group");
    let g = &lines[0];
    assert_eq!((g.id.as_str(), g.head.as_str(), g.customers), ("G-P-ZHANG", "P-ZHANG", 2));
    assert_eq!(g.exposure.exposure, 115_000);
    assert_eq!(g.exposure.limit, Some(100_000));
    assert_eq!(g.exposure.headroom, Some(-15_000));
    assert!(g.exposure.over_limit);
    assert!((g.exposure.utilisation_pct.unwrap() - 115.0).abs() < 1e-9);
    assert_eq!(g.exposure.largest_member.as_deref(), Some("C1"));
    assert!((g.exposure.largest_member_share_pct.unwrap() - 850.0 / 1150.0 * 100.0).abs() < 1e-9);

    let detail = parties.show("G-P-ZHANG", &exposures).unwrap();
    let c2 = detail.report.members.iter().find(|m| m.party == "C2").unwrap();
    assert_eq!(c2.rule, Some(GroupRule::VotingControl));
    assert_eq!(c2.text_en, "P-ZHANG holds 60% of C1; C1 holds 55% of C2");
    assert!(detail.report.members.iter().all(|m| m.party != "C5"), "the ended holding does not count");
    assert!(parties.show("G-NOPE", &exposures).is_err());

    let ties = parties.explain("C4").unwrap();
    assert_eq!(ties.group, None);
    assert_eq!(ties.circles.len(), 1);
    assert_eq!(ties.circles[0].members, vec!["C4", "C5"]);
    assert!(parties.explain("P-ZHANG").is_err(), "only customers are explained");

    // C5 defaulted in August: its guarantor C4 is hit hardest.
    import(
        &mut store,
        _dir.path(),
        Kind::Events,
        "customer_id,event_type,event_date,reference,source\nC5,default,2026-08-10,D-1,court",
    );
    let distressed = distressed_customers(&mut store, as_of, "CCC").unwrap();
    assert_eq!(distressed.len(), 1);
    assert_eq!((distressed[0].party.as_str(), distressed[0].status), ("C5", DistressStatus::Defaulted));
    let contagion = parties.contagion(&distressed);
    let c4 = contagion.hits.iter().find(|h| h.party == "C4").unwrap();
    assert_eq!(c4.source, "C5");
    assert!((c4.score - 0.8).abs() < 1e-9, "defaulted severity 1.0 × borrower→guarantor weight 0.8");
}
