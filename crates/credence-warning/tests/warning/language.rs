//! The rule language beyond the shipped rules: filters, thresholds, arithmetic,
//! three-valued logic, trends over longer spans, scopes, the probe the pack compiles to,
//! and the evidence as data.

use credence_domain::EventKind::*;
use credence_domain::MonitoringTier;
use credence_indicators::CustomerFile;
use credence_warning::{CustomerStatus, RulePack};

use crate::fixture::*;

/// Whether rule T01 of `when` fires for the file (`None`: undetermined).
fn holds(when: &str, file: &CustomerFile) -> Option<bool> {
    let w = evaluate(&one_rule(when), file);
    if w.undetermined.iter().any(|c| c == "T01") {
        return None;
    }
    Some(!w.firings.is_empty())
}

fn check(file: &CustomerFile, cases: &[(&str, Option<bool>)]) {
    for (when, expected) in cases {
        assert_eq!(holds(when, file), *expected, "{when}");
    }
}

/// On the baseline: current ratio 2.0, debt-to-asset 40 %, dso = 100 open / 1,200
/// invoiced in the year × 365 = 30.4 days, current-ratio thresholds good 2 / poor 1.5.
#[test]
fn values_thresholds_and_arithmetic() {
    check(
        &baseline(),
        &[
            ("current_ratio == 2", Some(true)),
            ("current_ratio >= good(current_ratio)", Some(true)),
            ("current_ratio < poor(current_ratio)", Some(false)),
            ("debt_to_asset + 10 == 50", Some(true)),
            ("debt_to_asset / 2 == 20", Some(true)),
            ("abs(debt_to_asset - 50) == 10", Some(true)),
            ("min(debt_to_asset, 30) == 30 and max(debt_to_asset, 30) == 40", Some(true)),
            ("dso > 30 and dso < 31", Some(true)),
            ("current_ratio / lag(current_ratio, 4q) == 100%", Some(true)),
            ("change(current_ratio, 1q) == 0", Some(true)),
            ("not current_ratio rising and not current_ratio falling", Some(true)),
            ("current_ratio < 1.5 for 1 quarter", Some(false)),
        ],
    );
}

/// Missing values make comparisons unknown; `and`/`or` decide when one side does.
#[test]
fn three_valued_logic() {
    let mut f = baseline();
    // No current liabilities: the current ratio is missing.
    set(&mut f, d(2026, 9, 30), &[("current_liabilities", 0.0)]);
    check(
        &f,
        &[
            ("current_ratio < 1.5", None),
            ("not current_ratio < 1.5", None),
            ("current_ratio < 1.5 or debt_to_asset < 50", Some(true)),
            ("current_ratio < 1.5 and debt_to_asset > 50", Some(false)),
            ("current_ratio < 1.5 or debt_to_asset > 50", None),
            // The quarter before is known and false: holding for two quarters fails.
            ("current_ratio < 1.5 for 2 quarters", Some(false)),
            ("current_ratio > 1.5 for 2 quarters", None),
            ("lag(current_ratio, 1q) > 1.5 for 1 quarter", Some(true)),
        ],
    );
}

/// Events filtered by fields: lawsuits of 2,000,000 (2026-02-01) and 300,000
/// (2026-05-01), one without an amount (2026-06-01); a CFO change (2026-01-10).
#[test]
fn event_filters_and_sums() {
    let mut f = baseline();
    let suit = |date, amount: Option<f64>| {
        let mut e = event(LawsuitDefendant, date);
        e.amount = amount;
        e
    };
    let mut cfo = event(ManagementChange, d(2026, 1, 10));
    cfo.role = Some("CFO".into());
    add_events(
        &mut f,
        vec![
            suit(d(2026, 2, 1), Some(2_000_000.0)),
            suit(d(2026, 5, 1), Some(300_000.0)),
            suit(d(2026, 6, 1), None),
            cfo,
        ],
    );
    check(
        &f,
        &[
            ("count(lawsuit_defendant, 4q) == 3", Some(true)),
            ("count(lawsuit_defendant[amount >= 1000000], 4q) == 1", Some(true)),
            // `not` negates the comparison, so an event without an amount matches.
            ("count(lawsuit_defendant[not amount >= 1000000], 4q) == 2", Some(true)),
            ("count(lawsuit_defendant[amount < 1000000], 4q) == 1", Some(true)),
            ("sum_amount(lawsuit_defendant, 4q) == 2300000", Some(true)),
            ("count(lawsuit_defendant, 1q, 1q ago) == 2", Some(true)),
            ("count(lawsuit_defendant, 30d, 4m ago) == 0", Some(true)),
            ("count(management_change[role == \"cfo\"], 1y) == 1", Some(true)),
            ("count(management_change[role != \"CEO\"], 1y) == 1", Some(true)),
            ("count(management_change[role in (\"CEO\") or role in (\"CFO\")], 4q) == 1", Some(true)),
            ("mean_sentiment(news, 4q) < 0", None),
        ],
    );
}

/// `rising over 1y` compares with four quarters earlier: debt-to-asset 42 % now, 44 % a
/// quarter earlier and 40 % a year earlier.
#[test]
fn trends_over_longer_spans() {
    let mut f = baseline();
    set(&mut f, d(2026, 9, 30), &[("total_liabilities", 1_050.0)]);
    set(&mut f, d(2026, 6, 30), &[("total_liabilities", 1_100.0)]);
    check(
        &f,
        &[
            ("debt_to_asset rising", Some(false)),
            ("debt_to_asset falling", Some(true)),
            ("debt_to_asset rising over 1y", Some(true)),
            ("debt_to_asset rising over 4q for 2 quarters", Some(true)),
            ("worsening(debt_to_asset, 1y) > 4.9% and worsening(debt_to_asset, 1y) < 5.1%", Some(true)),
            ("worsening(current_ratio, 1q) == 0", Some(true)),
        ],
    );
}

#[test]
fn scopes_select_customers() {
    let text = pack_text(&format!(
        "{}scope = {{ industries = [\"C27\", \"F\"], customer_types = [\"sme\"], tiers = [\"core\"] }}\n",
        rule("T01", "yellow", "current_ratio > 0")
    ));
    let pack = RulePack::from_toml(&text, "test.toml", &catalogue()).unwrap_or_else(|e| panic!("{e}"));
    let core = CustomerStatus { grade: None, tier: Some(MonitoringTier::Core) };
    let fires = |industry: &str, sub: Option<&str>, status: &CustomerStatus| {
        let mut f = baseline();
        f.industry = industry.into();
        f.sub_industry = sub.map(str::to_owned);
        !pack.evaluate(&f, as_of(), status).firings.is_empty()
    };
    assert!(fires("C", Some("C2710"), &core));
    assert!(fires("F", None, &core));
    assert!(!fires("C", Some("C34"), &core));
    assert!(!fires("F", None, &CustomerStatus::default()), "tier not known");
}

/// The shipped pack reads eleven indicators, at the quarters back its rules and peer
/// signals need, and nothing else of the catalogue.
#[test]
fn the_shipped_pack_reads_only_what_it_needs() {
    let pack = builtin();
    let reads = pack.indicator_reads();
    let expected: Vec<(&str, Vec<u16>)> = vec![
        ("current_ratio", vec![0, 1]),
        ("receivables_turnover", vec![0, 1, 4]),
        ("cash_reserve_months", vec![0, 1]),
        ("debt_to_asset", vec![0, 1]),
        ("net_margin", vec![0, 1]),
        ("operating_cash_flow_growth", vec![0]),
        ("days_beyond_terms", vec![0, 1]),
        ("aging_over_90_share", vec![0]),
        ("payment_timeliness_score", vec![0, 1]),
    ];
    assert_eq!(reads, expected);
    assert_eq!(pack.probe_indicators().len(), 17);
    assert_eq!(pack.catalogue_version(), catalogue().version());
    assert_eq!(pack.rules().len(), 18);
    let codes: Vec<&str> = pack.rules().iter().map(|r| r.code.as_str()).collect();
    assert_eq!(
        codes,
        [
            "W01", "W02", "W03", "W07", "W04", "W05", "W06", "W08", "W09", "W10", "W11", "W12", "W13", "W14",
            "W15", "W16", "W17", "W18"
        ]
    );
}

/// A firing serialises with its evidence: values, units and periods.
#[test]
fn evidence_as_data() {
    let mut f = baseline();
    // 200 / 3,200 × 12 = 0.75 months.
    set(&mut f, d(2026, 9, 30), &[("cash", 200.0)]);
    let w = evaluate(&builtin(), &f);
    let json = serde_json::to_value(firing(&w, "W03")).unwrap();
    assert_eq!(
        json["evidence"],
        serde_json::json!([{
            "kind": "comparison",
            "left": {
                "expression": "cash_reserve_months",
                "value": 0.75,
                "unit": "months",
                "readings": [{
                    "quantity": "cash_reserve_months",
                    "name_zh": "现金储备月数",
                    "name_en": "Cash reserve",
                    "value": 0.75,
                    "unit": "months",
                    "from": null,
                    "date": "2026-09-30"
                }]
            },
            "op": "<",
            "right": { "expression": "1", "value": 1.0, "unit": "number", "readings": [] }
        }])
    );
    assert_eq!(json["level"], "yellow");
    let w = serde_json::to_value(&w).unwrap();
    assert_eq!(w["level"]["level"], "yellow");
    assert_eq!(w["peer"]["region"], "福建");
}

/// A compiled pack and its evaluator are shared between threads.
#[test]
fn packs_are_shared_between_threads() {
    fn shared<T: Send + Sync>(_: &T) {}
    let pack = builtin();
    shared(&pack);
    shared(&pack.evaluator(as_of()));
}
