//! The shipped knock-outs and caps, each firing and not firing, on a customer that
//! otherwise rates AAA on both scales.

use crate::fixtures::*;

/// Rates `strong()` with `changes` as a large wholesaler and checks the codes that fired
/// and the final (letter, 100-point) grades.
fn check(changes: &[(&str, Option<f64>)], flags: &[&str], codes: &[&str], grades: (&str, &str)) {
    let r = rate_flagged(&builtin(), &strong_with(changes), ("large", "F", None), &[], flags);
    let fired: Vec<&str> = r.knockouts.iter().map(|k| k.code.as_str()).collect();
    assert_eq!(fired, codes, "{changes:?} {flags:?}");
    assert_eq!((r.letter_grade.as_str(), r.point_grade.as_str()), grades, "{changes:?} {flags:?}");
}

/// Every line of `strong()` earns 100 points, so the score is 100 (PD 0.1%).
#[test]
fn strong_customer_is_aaa_without_knockouts() {
    let r = rate(&builtin(), &set(strong()), ("large", "F", None), &[]);
    assert_close(r.score, 100.0);
    assert_eq!(r.grade_before_knockouts, ("AAA".to_string(), "AAA".to_string()));
    check(&[], &[], &[], ("AAA", "AAA"));
}

/// K01: payment timeliness ≤ 5 points → C on both scales. 5.5 does not fire: it scores 15
/// instead of 100 at weight 0.35 × 0.16 / 0.9 = 6.2% (the unscored character and
/// management lines' 0.1 redistributed), so the score is 100 − 85 × 0.062 = 94.7: AAA.
#[test]
fn payment_timeliness_at_most_five() {
    check(&[("payment_timeliness_score", Some(5.0))], &[], &["K01"], ("B", "C"));
    check(&[("payment_timeliness_score", Some(5.5))], &[], &[], ("AAA", "AAA"));
}

/// K02: net margin below −10% with under three months of cash → C. Exactly −10%, or a
/// loss with the strong customer's 7 months of cash, does not fire: the net-margin curve
/// is flat at 0 points from −10% down, and neither that line nor 2.5 months of cash takes
/// the otherwise perfect customer out of AAA.
#[test]
fn severe_losses() {
    check(&[("net_margin", Some(-11.0)), ("cash_reserve_months", Some(2.5))], &[], &["K02"], ("B", "C"));
    check(&[("net_margin", Some(-10.0)), ("cash_reserve_months", Some(2.5))], &[], &[], ("AAA", "AAA"));
    check(&[("net_margin", Some(-11.0))], &[], &[], ("AAA", "AAA"));
}

/// K03: 3-year revenue CAGR below −5% → C on the 100-point scale, at best BB on the
/// letter scale; −5% does not fire, nor does a missing value.
#[test]
fn sales_falling() {
    check(&[("revenue_cagr_3y", Some(-6.0))], &[], &["K03"], ("BB", "C"));
    check(&[("revenue_cagr_3y", Some(-5.0))], &[], &[], ("AAA", "AAA"));
    check(&[("revenue_cagr_3y", None)], &[], &[], ("AAA", "AAA"));
}

/// K04: sued by another supplier over payment at least once in four quarters → C.
#[test]
fn sued_by_supplier() {
    check(&[("supplier_payment_suits_4q", Some(1.0))], &[], &["K04"], ("B", "C"));
    check(&[("supplier_payment_suits_4q", Some(0.0))], &[], &[], ("AAA", "AAA"));
}

/// K05: relationship under 12 months → at best A on both scales.
#[test]
fn new_customer_is_capped_at_a() {
    check(&[("relationship_months", Some(11.0))], &[], &["K05"], ("A", "A"));
    check(&[("relationship_months", Some(12.0))], &[], &[], ("AAA", "AAA"));
}

/// K06: the flag, or neither current ratio nor debt ratio available → at best A; one of
/// the two missing (zero current liabilities, say) does not fire.
#[test]
fn key_documents_missing_is_capped_at_a() {
    check(&[], &["key_documents_missing"], &["K06"], ("A", "A"));
    check(&[("current_ratio", None), ("debt_to_asset", None)], &[], &["K06"], ("A", "A"));
    check(&[("current_ratio", None)], &[], &[], ("AAA", "AAA"));
}

/// A cap never improves a grade: a knocked-out new customer stays at B / C, and both
/// rules show.
#[test]
fn caps_only_worsen() {
    check(
        &[("payment_timeliness_score", Some(4.0)), ("relationship_months", Some(3.0))],
        &[],
        &["K01", "K05"],
        ("B", "C"),
    );
}

/// The grade's PD: a knock-out to B lifts it to B's lower edge, 20%; the model PD stays.
#[test]
fn knocked_out_grade_implies_its_pd() {
    let m = builtin();
    let r = rate(&m, &strong_with(&[("supplier_payment_suits_4q", Some(2.0))]), ("large", "F", None), &[]);
    assert!(r.pd < 0.005);
    assert_eq!(r.grade_pd, 0.2);
    let names: Vec<&str> = m.knockout_rules().iter().map(|k| k.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "PaymentTimelinessAtMostFive",
            "SevereLosses",
            "SalesFalling",
            "SuedBySupplierOverPayment",
            "NewCustomer",
            "KeyDocumentsMissing"
        ]
    );
}

/// Conditions can read an indicator's trend: with K01 rewritten as
/// `payment_timeliness_score.yoy < -0.2`, a score that fell 30% in a year fires it, one
/// that fell 10% does not, and one without a trend does not.
#[test]
fn conditions_read_trends() {
    let text = SMALL.replace(
        "when = \"payment_timeliness_score <= 5\"",
        "when = \"payment_timeliness_score.yoy < -0.2\"",
    );
    let m = credence_rating::ScorecardModel::from_toml(&text, "test.toml", KNOWN).unwrap();
    for (trend, fired) in [(Some(-0.3), true), (Some(-0.1), false), (None, false)] {
        let mut v = reference();
        if let Some(yoy) = trend {
            v[2] = with_yoy(v[2].clone(), yoy);
        }
        let r = rate(&m, &set(v), ("large", "F", None), &[]);
        assert_eq!(!r.knockouts.is_empty(), fired, "{trend:?}");
    }
}

/// The shipped knock-outs read indicator values only, so callers may skip trends; a
/// knock-out on `net_margin.yoy` makes the model ask for them.
#[test]
fn trends_are_needed_only_when_a_knockout_reads_one() {
    assert!(!builtin().uses_trends());
    let text = credence_rating::BUILTIN_MODEL
        .replace(r#"when = "revenue_cagr_3y < -5""#, r#"when = "net_margin.yoy < -0.5""#);
    let model = credence_rating::ScorecardModel::from_toml(&text, "expert.toml", KNOWN).unwrap();
    assert!(model.uses_trends());
}
