//! Measures `ScorecardModel::rate` and `rate_into` on one core: run with
//! `cargo run --release -p credence-rating --example rate_speed [ratings] [rate|rate_into]`.
//!
//! The indicator sets look like the catalogue's output: every catalogue indicator in
//! catalogue order, about one value in eight missing with a reason, values spread over
//! each curve. Customer types and industries rotate over all sub-model combinations.

use std::hint::black_box;
use std::time::Instant;

use chrono::NaiveDate;
use credence_indicators::{IndicatorSet, IndicatorValue};
use credence_rating::{QualitativeScore, RatingInput, ScorecardModel};

/// Catalogue ids in catalogue order, with a typical range for each.
const INDICATORS: &[(&str, f64, f64)] = &[
    ("current_ratio", 0.5, 3.0),
    ("quick_ratio", 0.3, 2.0),
    ("cash_ratio", 0.0, 0.8),
    ("inventory_turnover", 1.0, 15.0),
    ("receivables_turnover", 1.0, 14.0),
    ("debt_to_asset", 20.0, 95.0),
    ("gross_margin", -5.0, 50.0),
    ("net_margin", -15.0, 20.0),
    ("roe", -10.0, 25.0),
    ("total_asset_turnover", 0.1, 3.0),
    ("cost_ratio", 40.0, 105.0),
    ("revenue_per_employee", 10_000.0, 500_000.0),
    ("market_share", 0.0, 25.0),
    ("largest_customer_share", 5.0, 90.0),
    ("rd_ratio", 0.0, 10.0),
    ("new_product_share", 0.0, 40.0),
    ("revenue_cagr_3y", -15.0, 30.0),
    ("overseas_revenue_share", 0.0, 40.0),
    ("cash_reserve_months", 0.2, 9.0),
    ("operating_cash_flow_growth", -40.0, 40.0),
    ("dso", 15.0, 200.0),
    ("days_beyond_terms", 0.0, 120.0),
    ("overdue_rate", 0.0, 60.0),
    ("bad_debt_rate", 0.0, 6.0),
    ("payment_timeliness_score", 3.0, 10.0),
    ("limit_utilisation", 10.0, 130.0),
    ("aging_1_30_share", 0.0, 30.0),
    ("aging_31_60_share", 0.0, 20.0),
    ("aging_61_90_share", 0.0, 10.0),
    ("aging_over_90_share", 0.0, 10.0),
    ("lawsuits_defendant_4q", 0.0, 5.0),
    ("lawsuits_defendant_growth", -50.0, 100.0),
    ("supplier_payment_suits_4q", 0.0, 1.2),
    ("enforcement_hits_4q", 0.0, 2.5),
    ("management_changes_4q", 0.0, 4.0),
    ("core_staff_departures_4q", 0.0, 6.0),
    ("customer_loss_share_4q", 0.0, 35.0),
    ("quality_complaints_4q", 0.0, 12.0),
    ("quality_complaints_growth", -50.0, 100.0),
    ("news_sentiment_4q", -1.0, 1.0),
    ("news_heat_4q", 0.0, 20.0),
    ("relationship_months", 1.0, 120.0),
    ("equipment_depreciation_rate", 3.0, 30.0),
    ("capacity_utilisation", 40.0, 100.0),
    ("raw_material_price_volatility", 0.0, 20.0),
    ("staff_turnover", 3.0, 50.0),
    ("customer_retention", 50.0, 99.0),
    ("land_reserve_years", 0.0, 9.0),
];

const SELECTORS: &[(&str, &str)] = &[
    ("sme", "C"),
    ("large", "F"),
    ("sme", "K"),
    ("micro", "H"),
    ("government_platform", "E"),
    ("large", "C"),
    ("individual", "O"),
    ("sme", "I"),
];

/// A fixed linear congruential sequence: the data only needs to vary, not be random.
struct Sequence(u64);

impl Sequence {
    fn next_unit(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn main() {
    let ratings: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    let model = ScorecardModel::builtin();
    let as_of = NaiveDate::from_ymd_opt(2026, 9, 30).expect("date");
    let mut seq = Sequence(20_260_930);
    let sets: Vec<IndicatorSet> = (0..1_000)
        .map(|c| IndicatorSet {
            customer_id: format!("C{c:07}"),
            as_of,
            catalogue_version: "2026.3".into(),
            values: INDICATORS
                .iter()
                .map(|&(id, low, high)| {
                    let missing = seq.next_unit() < 0.125;
                    IndicatorValue {
                        id: id.into(),
                        value: (!missing).then(|| low + (high - low) * seq.next_unit()),
                        missing: missing.then(|| "no statement on or before 2026-09-30".to_string()),
                        period_end: Some(as_of),
                        trend: None,
                    }
                })
                .collect(),
        })
        .collect();
    let qualitative = [QualitativeScore { factor: "character".into(), score: 75.0 }];

    // Warm up, then time.
    let mut checksum = 0.0;
    for (i, set) in sets.iter().enumerate() {
        let (customer_type, industry) = SELECTORS[i % SELECTORS.len()];
        let input = RatingInput {
            indicators: set,
            customer_type,
            industry,
            sub_industry: None,
            qualitative: &qualitative,
            flags: &[],
        };
        checksum += model.rate(&input).score;
    }
    let time = |reuse: bool, checksum: &mut f64| {
        let mut out = credence_rating::Rating::default();
        let start = Instant::now();
        for i in 0..ratings {
            let set = &sets[i % sets.len()];
            let (customer_type, industry) = SELECTORS[(i / 7) % SELECTORS.len()];
            let input = RatingInput {
                indicators: set,
                customer_type,
                industry,
                sub_industry: None,
                qualitative: &qualitative,
                flags: &[],
            };
            if reuse {
                model.rate_into(black_box(&input), &mut out);
                *checksum += black_box(&out).score;
            } else {
                *checksum += black_box(model.rate(black_box(&input))).score;
            }
        }
        start.elapsed().as_secs_f64()
    };
    let only = std::env::args().nth(2);
    println!("{ratings} ratings on one core, {} indicators per set:", INDICATORS.len());
    for (name, reuse) in [("rate", false), ("rate_into", true)] {
        if only.as_deref().is_none_or(|o| o == name) {
            let seconds = time(reuse, &mut checksum);
            println!("  {name:<10} {seconds:.2} s, {:.2} µs per rating", seconds * 1e6 / ratings as f64);
        }
    }
    println!("(checksum {checksum:.3})");
}
