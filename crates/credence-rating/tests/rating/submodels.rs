//! Which sub-model a customer gets, and what it weighs.

use crate::fixtures::*;

/// Checks sub-model name and score for `(customer type, industry, sub-industry)` on the
/// small model with the reference customer and character 70. Financial points: current
/// ratio 50, debt ratio 60; operations 0.75 × 80 + 0.25 × 70 = 77.5.
fn check(selector: (&str, &str, Option<&str>), name: &str, score: f64) {
    let r = rate(&small(), &set(reference()), selector, &character(70.0));
    assert_eq!(r.sub_model, name, "{selector:?}");
    assert_close(r.score, score);
}

/// Base: 0.4 × 55 + 0.6 × 77.5 = 68.5. Types and industries without a layer fall back to it.
#[test]
fn base_when_nothing_more_specific_applies() {
    check(("large", "F", None), "general", 68.5);
    check(("micro", "F", None), "general", 68.5);
    check(("no_such_type", "Z", None), "general", 68.5);
}

/// SME weights: 0.2 × 55 + 0.8 × 77.5 = 11 + 62 = 73.
#[test]
fn customer_type_layer() {
    check(("sme", "F", None), "sme", 73.0);
}

/// Manufacturing replaces the financial lines by current ratio alone (50):
/// 0.4 × 50 + 0.6 × 77.5 = 66.5; with SME weights 0.2 × 50 + 0.8 × 77.5 = 72.
#[test]
fn industry_layer_and_combination_with_type() {
    check(("large", "C", None), "manufacturing", 66.5);
    check(("sme", "C", None), "sme+manufacturing", 72.0);
}

/// Machinery (sub-industry C34) beats manufacturing for the financial lines: debt ratio
/// alone (60): 0.2 × 60 + 0.8 × 77.5 = 74; without the SME layer 0.4 × 60 + 46.5 = 70.5.
#[test]
fn sub_industry_is_most_specific() {
    check(("sme", "C", Some("C34")), "sme+manufacturing+machinery", 74.0);
    check(("large", "F", Some("C34")), "machinery", 70.5);
    check(("large", "C", Some("C35")), "manufacturing", 66.5);
}

/// The shipped model's selection: micro falls back to SME, individuals to the base or
/// their industry, industry beats type for the lines it defines.
#[test]
fn shipped_sub_models() {
    let m = builtin();
    let empty = set(vec![]);
    for (selector, name) in [
        (("large", "C"), "large+manufacturing"),
        (("sme", "K"), "sme+real_estate"),
        (("micro", "F"), "sme"),
        (("individual", "H"), "services"),
        (("individual", "F"), "general"),
        (("government_platform", "E"), "government_platform"),
        (("government_platform", "K"), "government_platform+real_estate"),
        (("unknown", "Z"), "general"),
    ] {
        let r = rate(&m, &empty, (selector.0, selector.1, None), &[]);
        assert_eq!(r.sub_model, name, "{selector:?}");
    }
}

/// Nominal weights are dimension weight × weight within dimension:
/// SME manufacturer: inventory turnover 0.45 × 0.12 = 0.054, gross margin 0.25 × 0.14 = 0.035;
/// government platform in real estate: debt ratio 0.35 × 0.24 = 0.084 (real-estate lines,
/// platform weights), land reserve 0.30 × 0.20 = 0.06. They sum to 1 over all lines.
#[test]
fn shipped_weights_compose() {
    let m = builtin();
    let nominal = |selector: (&str, &str), id: &str| {
        let r = rate(&m, &set(strong()), (selector.0, selector.1, None), &[]);
        let total: f64 = r.lines.iter().map(|l| l.nominal_weight).sum();
        assert_close(total, 1.0);
        r.lines.iter().find(|l| l.indicator == id).map(|l| l.nominal_weight).unwrap_or(f64::NAN)
    };
    assert_close(nominal(("sme", "C"), "inventory_turnover"), 0.054);
    assert_close(nominal(("sme", "C"), "gross_margin"), 0.035);
    assert_close(nominal(("government_platform", "K"), "debt_to_asset"), 0.084);
    assert_close(nominal(("government_platform", "K"), "land_reserve_years"), 0.06);
    assert!(nominal(("large", "H"), "inventory_turnover").is_nan(), "services drop inventory turnover");
}
