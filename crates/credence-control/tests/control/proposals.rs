//! Limit formulas and proposals against the shipped policy.

use credence_control::{
    Admission, CollectionMethod, CreditPolicy, Mitigant, Proposal, ProposalError, ProposalInput, propose,
    route,
};
use credence_domain::{Currency, CustomerType, Industry};

use crate::fixtures::{date, yuan};

/// An established grade-A customer: revenue 50M, equity 20M, monthly sales 1.5M, score 70.
fn input() -> ProposalInput {
    ProposalInput {
        customer_id: "C001".into(),
        grade: Some("A".into()),
        score: Some(70.0),
        pd: Some(0.03),
        customer_type: Some(CustomerType::Sme),
        industry: Some(Industry::C),
        currency: Currency::CNY,
        annual_revenue: Some(yuan(50_000_000)),
        equity: Some(yuan(20_000_000)),
        monthly_sales: Some(yuan(1_500_000)),
        current_limit: yuan(1_000_000),
        current_term_days: 30,
        relationship_start: date(2020, 1, 1),
        orders_so_far: 40,
    }
}

fn run(input: &ProposalInput) -> Proposal {
    propose(&CreditPolicy::builtin(), input, date(2026, 9, 30)).unwrap()
}

fn codes(p: &Proposal) -> Vec<&str> {
    p.reasons.iter().map(|r| r.code.as_str()).collect()
}

/// Grade A: min(6% × 50M = 3M, 20% × 20M = 4M, 2 × 1.5M = 3M) = 3M, under the 5M cap;
/// score 70 → factor 0.6 + (70 − 50)/(90 − 50) × 0.4 = 0.8 → 2.4M; already a multiple of
/// 10,000. Term 45 days, standard collection, no mitigants. Expected loss 2.4M × 3% × 60%
/// = 43,200.
#[test]
fn grade_a_limit_is_the_smallest_base_scaled_by_score() {
    let p = run(&input());
    assert_eq!(p.limit.minor, yuan(2_400_000));
    assert_eq!(p.formula_limit.minor, yuan(2_400_000));
    assert_eq!(p.admission, Admission::Admit);
    assert_eq!(p.term_days, 45);
    assert_eq!(p.collection, CollectionMethod::Standard);
    assert!(p.mitigants.is_empty());
    assert_eq!(p.expected_loss.unwrap().minor, yuan(43_200));
    assert_eq!(
        codes(&p),
        [
            "grade",
            "admission",
            "limit_base",
            "limit_base",
            "limit_base",
            "score_factor",
            "limit",
            "term",
            "collection",
            "request"
        ]
    );
    assert_eq!(p.reasons[2].text_en, "6% of annual revenue 50,000,000.00 CNY = 3,000,000.00 CNY");
    assert_eq!(p.reasons[5].text_en, "× 0.8 (score 70.0) = 2,400,000.00 CNY");
    assert_eq!(
        p.reasons.last().unwrap().text_en,
        "needs approval: limit above the current 1,000,000.00 CNY and term longer than the current 30 days"
    );
    let r = p.request.unwrap();
    assert_eq!(
        (r.current_limit, r.requested_limit, r.requested_term_days),
        (yuan(1_000_000), yuan(2_400_000), 45)
    );
}

/// AAA: min(10% × 1,000M = 100M, 30% × 500M = 150M, 3 × 50M = 150M) = 100M, capped at 20M;
/// score 95 → factor 1.0 → 20M. Green channel, 90 days.
#[test]
fn the_cap_binds_for_large_customers() {
    let mut i = input();
    i.grade = Some("AAA".into());
    i.score = Some(95.0);
    i.annual_revenue = Some(yuan(1_000_000_000));
    i.equity = Some(yuan(500_000_000));
    i.monthly_sales = Some(yuan(50_000_000));
    i.current_limit = yuan(10_000_000);
    i.current_term_days = 60;
    let p = run(&i);
    assert_eq!(p.limit.minor, yuan(20_000_000));
    assert_eq!(p.admission, Admission::GreenChannel);
    assert_eq!(p.term_days, 90);
    assert!(codes(&p).contains(&"limit_cap"));
    // 20M is above the 5M green channel: the full chain up to the CFO (≤ 20M); 90 days
    // from 60: the sales manager.
    let steps = route(&CreditPolicy::builtin(), p.request.as_ref().unwrap()).unwrap();
    let roles: Vec<&str> = steps.iter().map(|s| s.role.as_str()).collect();
    assert_eq!(roles, ["sales_manager", "credit_manager", "risk_director", "cfo"]);
}

/// BBB with revenue only: 4% × 12,345,678.90 = 493,827.1560 → 493,827.15 (down to the fen);
/// score 55 → 0.6 + 5/40 × 0.4 = 0.65 → 320,987.6475 → 320,987.64; rounded down to a
/// multiple of 10,000: 320,000. Close collection, 30 days.
#[test]
fn products_round_down_exactly() {
    let mut i = input();
    i.grade = Some("BBB".into());
    i.score = Some(55.0);
    i.annual_revenue = Some(1_234_567_890);
    i.equity = None;
    i.monthly_sales = None;
    let p = run(&i);
    assert_eq!(p.formula_limit.minor, yuan(320_000));
    assert_eq!(
        p.reasons.iter().find(|r| r.code == "limit_base").unwrap().text_en,
        "4% of annual revenue 12,345,678.90 CNY = 493,827.15 CNY"
    );
    assert_eq!(
        p.reasons.iter().find(|r| r.code == "score_factor").unwrap().text_en,
        "× 0.65 (score 55.0) = 320,987.64 CNY"
    );
    assert_eq!(p.collection, CollectionMethod::Close);
}

/// Without a score the factor is the low one, 0.6: 3M × 0.6 = 1.8M.
#[test]
fn no_score_takes_the_low_factor() {
    let mut i = input();
    i.score = None;
    assert_eq!(run(&i).limit.minor, yuan(1_800_000));
}

#[test]
fn no_figures_give_no_limit() {
    let mut i = input();
    i.annual_revenue = None;
    i.equity = Some(-5);
    i.monthly_sales = None;
    let p = run(&i);
    assert_eq!(p.limit.minor, 0);
    assert!(codes(&p).contains(&"no_limit_base"));
    // Nothing above the current limit, but the term is longer.
    assert_eq!(p.request.unwrap().requested_limit, 0);
}

/// Two orders placed: cash in advance for the first three. The formula limit (2.4M) is still
/// reported. Three orders but a relationship of two whole months (from 2026-07-31 to
/// 2026-09-30): still new (3 months needed). Three orders and three months: not new.
#[test]
fn new_customers_pay_cash_in_advance() {
    let mut i = input();
    i.orders_so_far = 2;
    let p = run(&i);
    assert!(p.new_customer);
    assert_eq!((p.limit.minor, p.term_days, p.collection), (0, 0, CollectionMethod::CashInAdvance));
    assert_eq!(p.formula_limit.minor, yuan(2_400_000));
    assert!(p.mitigants.is_empty());
    assert!(codes(&p).contains(&"new_customer"));
    assert!(p.request.is_none());
    assert!(codes(&p).contains(&"reduction"));

    i.orders_so_far = 3;
    i.relationship_start = date(2026, 7, 31);
    assert!(run(&i).new_customer);
    i.relationship_start = date(2026, 6, 30);
    let p = run(&i);
    assert!(!p.new_customer);
    assert_eq!(p.limit.minor, yuan(2_400_000));
}

#[test]
fn grade_c_is_refused() {
    let mut i = input();
    i.grade = Some("C".into());
    let p = run(&i);
    assert_eq!(p.admission, Admission::Refuse);
    assert_eq!((p.limit.minor, p.term_days, p.collection), (0, 0, CollectionMethod::CashInAdvance));
    assert!(codes(&p).contains(&"refused"));
    assert!(!p.new_customer);
}

/// B: list-managed with staged payment 30/30/40, a 25% deposit and a risk reserve of 2% of
/// monthly sales 400,000 = 8,000; no credit insurance. CCC (below B) adds it.
#[test]
fn weak_grades_carry_mitigants() {
    let mut i = input();
    i.grade = Some("B".into());
    i.monthly_sales = Some(yuan(400_000));
    let p = run(&i);
    assert_eq!(p.admission, Admission::ListManaged);
    let kinds: Vec<&str> = p.mitigants.iter().map(|m| m.mitigant.code()).collect();
    assert_eq!(kinds, ["staged_payment", "deposit", "risk_reserve"]);
    assert_eq!(p.mitigants[2].amount, Some(yuan(8_000)));
    assert_eq!(
        p.mitigants[0].text_en,
        "staged payment: 30% in advance, 30% on acceptance, 40% 90 days after delivery"
    );
    assert_eq!(p.mitigants[2].text_zh, "按月销售额2%计提风险准备金：8,000.00 CNY");
    i.grade = Some("CCC".into());
    let p = run(&i);
    assert!(p.mitigants.iter().any(|m| m.mitigant == Mitigant::CreditInsurance));
    assert!(p.mitigants.iter().any(|m| m.mitigant == Mitigant::Deposit { pct: 40.0 }));
}

/// Government platform AA: 120 days (override), which routes through the sales manager to
/// the CFO. Real estate: half the limit, 3M × 0.8 × 0.5 = 1.2M.
#[test]
fn overrides_by_customer_type_and_industry() {
    let mut i = input();
    i.grade = Some("AA".into());
    i.customer_type = Some(CustomerType::GovernmentPlatform);
    i.current_limit = yuan(100_000_000);
    let p = run(&i);
    assert_eq!(p.term_days, 120);
    assert!(codes(&p).contains(&"override"));
    let steps = route(&CreditPolicy::builtin(), p.request.as_ref().unwrap()).unwrap();
    let roles: Vec<&str> = steps.iter().map(|s| s.role.as_str()).collect();
    assert_eq!(roles, ["sales_manager", "cfo"]);
    assert_eq!(steps[1].why_en, "payment term 120 days (from 30): beyond 90 days");

    let mut i = input();
    i.industry = Some(Industry::K);
    let p = run(&i);
    assert_eq!(p.limit.minor, yuan(1_200_000));
    let r = p.reasons.iter().find(|r| r.code == "override").unwrap();
    assert_eq!(r.text_en, "industry K (Real estate): real estate is under policy tightening: half the limit");
}

/// No grade: treated as B (the policy's `unrated.treat_as`): list-managed, B's formula
/// min(2% × 50M = 1M, 5% × 20M = 1M, 0.75 × 1.5M = 1.125M) = 1M, capped at 500,000,
/// × 0.8 = 400,000.
#[test]
fn unrated_customers_are_treated_as_the_unrated_grade() {
    let mut i = input();
    i.grade = None;
    let p = run(&i);
    assert_eq!(p.grade, "B");
    assert_eq!(p.limit.minor, yuan(400_000));
    assert_eq!(p.reasons[0].code, "unrated");
    i.grade = Some("Z".into());
    assert_eq!(run(&i).reasons[0].text_en, "grade Z is not in the policy: treated as B");
}

#[test]
fn lower_limit_and_term_need_no_approval() {
    let mut i = input();
    i.current_limit = yuan(3_000_000);
    i.current_term_days = 60;
    let p = run(&i);
    assert!(p.request.is_none());
    assert_eq!(p.reasons.last().unwrap().code, "reduction");
}

#[test]
fn figures_in_another_currency_are_an_error() {
    let mut i = input();
    i.currency = Currency::USD;
    assert_eq!(
        propose(&CreditPolicy::builtin(), &i, date(2026, 9, 30)),
        Err(ProposalError::Currency { customer: "C001".into(), found: "USD".into(), policy: "CNY".into() })
    );
}

#[test]
fn proposals_serialize_money_with_currency() {
    let json = serde_json::to_value(run(&input())).unwrap();
    assert_eq!(json["limit"], serde_json::json!({ "minor": 240_000_000, "currency": "CNY" }));
    assert_eq!(json["admission"], "admit");
    assert_eq!(json["request"]["currency"], "CNY");
}
