//! Authority routing (CTRL-2) and the check of decisions against a route.

use chrono::{DateTime, TimeZone, Utc};
use credence_control::{
    Admission, ApprovalStep, CreditPolicy, Decision, DecisionError, LimitRequest, Outcome, RequestError,
    RequestStatus, TemporaryLimit, check_temporary_limit, review, route,
};
use credence_domain::Currency;

use crate::fixtures::{date, yuan};

fn request(limit: i64, term: u32) -> LimitRequest {
    LimitRequest {
        customer_id: "C001".into(),
        grade: "A".into(),
        admission: Admission::Admit,
        currency: Currency::CNY,
        current_limit: yuan(500_000),
        requested_limit: limit,
        temporary: None,
        current_term_days: 30,
        requested_term_days: term,
    }
}

fn roles_with(policy: &CreditPolicy, r: &LimitRequest) -> Vec<String> {
    route(policy, r).unwrap().into_iter().map(|s| s.role).collect()
}

fn roles(r: &LimitRequest) -> Vec<String> {
    roles_with(&CreditPolicy::builtin(), r)
}

#[test]
fn terms_up_to_90_days_need_the_sales_manager() {
    assert_eq!(roles(&request(yuan(500_000), 60)), ["sales_manager"]);
    assert_eq!(roles(&request(yuan(500_000), 90)), ["sales_manager"]);
    // Beyond 90 days: the sales manager reviews, the CFO approves.
    assert_eq!(roles(&request(yuan(500_000), 91)), ["sales_manager", "cfo"]);
    // Not longer than the current term: nothing to approve.
    assert!(roles(&request(yuan(500_000), 30)).is_empty());
}

/// Amount levels by the requested limit: ≤ 1M credit manager, ≤ 5M risk director, ≤ 20M
/// CFO, above the credit committee; each passes the levels below it first.
#[test]
fn amounts_route_by_level() {
    assert_eq!(roles(&request(yuan(1_000_000), 30)), ["credit_manager"]);
    assert_eq!(roles(&request(yuan(1_000_000) + 1, 30)), ["credit_manager", "risk_director"]);
    assert_eq!(roles(&request(yuan(5_000_000), 30)), ["credit_manager", "risk_director"]);
    assert_eq!(roles(&request(yuan(20_000_000), 30)), ["credit_manager", "risk_director", "cfo"]);
    assert_eq!(
        roles(&request(yuan(20_000_001), 30)),
        ["credit_manager", "risk_director", "cfo", "credit_committee"]
    );
    let steps = route(&CreditPolicy::builtin(), &request(yuan(3_000_000), 30)).unwrap();
    assert_eq!(steps[0].why_en, "limit 3,000,000.00 CNY: first review");
    assert_eq!(steps[1].why_en, "limit 3,000,000.00 CNY (from 500,000.00 CNY): up to 5,000,000.00 CNY");
    assert_eq!(steps[1].role_zh, "风险总监");
}

/// A role needed by the term and the amount approves once, with both reasons.
#[test]
fn term_and_amount_merge_by_role() {
    let steps = route(&CreditPolicy::builtin(), &request(yuan(25_000_000), 120)).unwrap();
    let r: Vec<&str> = steps.iter().map(|s| s.role.as_str()).collect();
    assert_eq!(r, ["sales_manager", "credit_manager", "risk_director", "cfo", "credit_committee"]);
    assert_eq!(
        steps[3].why_en,
        "payment term 120 days (from 30): beyond 90 days; limit 25,000,000.00 CNY: first review"
    );
}

/// AAA up to 5M: the credit manager alone; above it the usual chain.
#[test]
fn green_channel_simplifies_approval() {
    let mut r = request(yuan(4_000_000), 30);
    r.admission = Admission::GreenChannel;
    let steps = route(&CreditPolicy::builtin(), &r).unwrap();
    assert_eq!(steps.len(), 1);
    assert_eq!(steps[0].role, "credit_manager");
    assert_eq!(
        steps[0].why_en,
        "limit 4,000,000.00 CNY (from 500,000.00 CNY): green channel up to 5,000,000.00 CNY"
    );
    r.requested_limit = yuan(6_000_000);
    assert_eq!(roles(&r), ["credit_manager", "risk_director", "cfo"]);
}

/// With `chain = false` only the needed level; with `amount_basis = "increase"` the level
/// of the increase: 4.5M → 5.5M is an increase of 1M, the credit manager's.
#[test]
fn the_matrix_is_configurable() {
    let text = credence_control::BUILTIN_POLICY
        .replace("chain = true", "chain = false")
        .replace("amount_basis = \"new_limit\"", "amount_basis = \"increase\"");
    let policy = CreditPolicy::from_toml(&text, "p.toml").unwrap();
    assert_eq!(roles_with(&policy, &request(yuan(500_000), 120)), ["cfo"]);
    let mut r = request(yuan(5_500_000), 30);
    r.current_limit = yuan(4_500_000);
    assert_eq!(roles_with(&policy, &r), ["credit_manager"]);
    r.requested_limit = yuan(5_500_000) + 1;
    assert_eq!(roles_with(&policy, &r), ["risk_director"]);
}

/// A temporary limit counts towards the amount: 900,000 + 200,000 = 1.1M.
#[test]
fn temporary_limits_count_towards_the_level() {
    let mut r = request(yuan(900_000), 30);
    r.temporary = Some(TemporaryLimit { amount: yuan(200_000), expires: date(2026, 12, 31) });
    assert_eq!(roles(&r), ["credit_manager", "risk_director"]);
}

#[test]
fn temporary_limits_stay_within_the_policy_bounds() {
    let p = CreditPolicy::builtin();
    let granted = date(2026, 9, 30);
    let t = |amount, expires| TemporaryLimit { amount, expires };
    assert_eq!(
        check_temporary_limit(&p, yuan(1_000_000), &t(yuan(500_000), date(2026, 12, 29)), granted),
        Ok(())
    );
    assert_eq!(
        check_temporary_limit(&p, yuan(1_000_000), &t(yuan(500_000), date(2026, 12, 30)), granted),
        Err(RequestError::TemporaryTooLong { days: 91, max_days: 90 })
    );
    assert!(matches!(
        check_temporary_limit(&p, yuan(1_000_000), &t(yuan(500_000) + 1, date(2026, 10, 31)), granted),
        Err(RequestError::TemporaryTooLarge { max: 50_000_000, .. })
    ));
    assert!(matches!(
        check_temporary_limit(&p, yuan(1_000_000), &t(1, granted), granted),
        Err(RequestError::ExpiredTemporary { .. })
    ));
}

#[test]
fn requests_in_another_currency_are_refused() {
    let mut r = request(yuan(900_000), 30);
    r.currency = Currency::USD;
    assert!(matches!(route(&CreditPolicy::builtin(), &r), Err(RequestError::Currency { .. })));
}

fn at(h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 10, 1, h, 0, 0).unwrap()
}

fn decide(outcome: Outcome, by: &str, role: &str, comment: &str, h: u32) -> Decision {
    Decision { outcome, by: by.into(), role: role.into(), comment: comment.into(), at: at(h) }
}

fn the_route() -> Vec<ApprovalStep> {
    route(&CreditPolicy::builtin(), &request(yuan(3_000_000), 120)).unwrap()
}

#[test]
fn decisions_follow_the_route() {
    let r = the_route();
    let roles: Vec<&str> = r.iter().map(|s| s.role.as_str()).collect();
    assert_eq!(roles, ["sales_manager", "credit_manager", "risk_director", "cfo"]);
    use Outcome::*;
    let mut d = vec![decide(Approved, "wang", "sales_manager", "", 9)];
    assert_eq!(
        review(&r, &d),
        Ok(RequestStatus::Pending { step: 1, role: "credit_manager".into(), approvals: 0, quorum: 1 })
    );
    d.push(decide(Approved, "li", "credit_manager", "ok", 10));
    d.push(decide(Approved, "zhao", "risk_director", "ok", 11));
    d.push(decide(Approved, "chen", "cfo", "terms agreed", 12));
    assert_eq!(review(&r, &d), Ok(RequestStatus::Approved { at: at(12) }));
    assert_eq!(
        review(&r, &[]),
        Ok(RequestStatus::Pending { step: 0, role: "sales_manager".into(), approvals: 0, quorum: 1 })
    );
}

#[test]
fn a_committee_step_needs_its_quorum_of_distinct_members() {
    use Outcome::*;
    // 30 million yuan: every amount level up to the committee, whose quorum is 3.
    let r = route(&CreditPolicy::builtin(), &request(yuan(30_000_000), 30)).unwrap();
    let last = r.last().unwrap();
    assert_eq!((last.role.as_str(), last.quorum), ("credit_committee", 3));
    assert!(r[..r.len() - 1].iter().all(|s| s.quorum == 1));
    let mut d: Vec<Decision> = r[..r.len() - 1]
        .iter()
        .enumerate()
        .map(|(i, s)| decide(Approved, &format!("officer{i}"), &s.role, "", 9 + i as u32))
        .collect();
    let step = r.len() - 1;
    let pending = |approvals| {
        Ok(RequestStatus::Pending { step, role: "credit_committee".into(), approvals, quorum: 3 })
    };
    assert_eq!(review(&r, &d), pending(0));
    d.push(decide(Approved, "member1", "credit_committee", "", 13));
    d.push(decide(Approved, "member2", "credit_committee", "", 14));
    assert_eq!(review(&r, &d), pending(2));
    // The same member twice does not make a quorum, nor does an officer of an earlier step.
    let mut twice = d.clone();
    twice.push(decide(Approved, "member2", "credit_committee", "", 15));
    assert_eq!(review(&r, &twice), Err(DecisionError::SameApprover { index: d.len(), by: "member2".into() }));
    let mut officer = d.clone();
    officer.push(decide(Approved, "officer0", "credit_committee", "", 15));
    assert!(matches!(review(&r, &officer), Err(DecisionError::SameApprover { .. })));
    let mut done = d.clone();
    done.push(decide(Approved, "member3", "credit_committee", "", 15));
    assert_eq!(review(&r, &done), Ok(RequestStatus::Approved { at: at(15) }));
    // One member's rejection rejects the request.
    let mut no = d.clone();
    no.push(decide(Rejected, "member3", "credit_committee", "group exposure too high", 15));
    assert_eq!(review(&r, &no), Ok(RequestStatus::Rejected { step, by: "member3".into(), at: at(15) }));
    // Routes stored before quorums read as one approval a step.
    let stored = r#"[{"role":"cfo","role_en":"CFO","role_zh":"财务总监","why_en":"x","why_zh":"x"}]"#;
    let old: Vec<ApprovalStep> = serde_json::from_str(stored).unwrap();
    assert_eq!(old[0].quorum, 1);
}

#[test]
fn decisions_out_of_line_are_refused_with_the_reason() {
    use Outcome::*;
    let r = the_route();
    let wrong = [decide(Approved, "wang", "auditor", "", 9)];
    assert_eq!(
        review(&r, &wrong),
        Err(DecisionError::WrongRole { index: 0, expected: "sales_manager".into(), found: "auditor".into() })
    );
    let skipped =
        [decide(Approved, "wang", "sales_manager", "", 9), decide(Approved, "zhao", "risk_director", "", 10)];
    assert_eq!(
        review(&r, &skipped).unwrap_err().to_string(),
        "decision 1: `risk_director` decides after `credit_manager`, whose decision is missing"
    );
    let rejected = [
        decide(Rejected, "wang", "sales_manager", "customer is sued by a supplier", 9),
        decide(Approved, "li", "credit_manager", "", 10),
    ];
    assert_eq!(
        review(&r[..1], &rejected[..1]).unwrap(),
        RequestStatus::Rejected { step: 0, by: "wang".into(), at: at(9) }
    );
    assert_eq!(review(&r, &rejected), Err(DecisionError::AlreadyDecided { index: 1, status: "rejected" }));
    let same = [
        decide(Approved, "wang", "sales_manager", "", 9),
        decide(Approved, "wang", "credit_manager", "", 10),
    ];
    assert_eq!(review(&r, &same), Err(DecisionError::SameApprover { index: 1, by: "wang".into() }));
    let silent = [decide(Rejected, "wang", "sales_manager", " ", 9)];
    assert_eq!(review(&r, &silent), Err(DecisionError::RejectionWithoutComment { index: 0 }));
    let backwards =
        [decide(Approved, "wang", "sales_manager", "", 9), decide(Approved, "li", "credit_manager", "", 8)];
    assert_eq!(review(&r, &backwards), Err(DecisionError::NotChronological { index: 1 }));
    let done: Vec<Decision> = ["wang", "li", "zhao", "chen", "sun"]
        .iter()
        .zip(["sales_manager", "credit_manager", "risk_director", "cfo", "cfo"])
        .enumerate()
        .map(|(i, (by, role))| decide(Approved, by, role, "", 9 + i as u32))
        .collect();
    assert_eq!(review(&r, &done), Err(DecisionError::AlreadyDecided { index: 4, status: "approved" }));
    assert_eq!(review(&[], &[]), Ok(RequestStatus::NotNeeded));
    assert!(matches!(review(&[], &done[..1]), Err(DecisionError::AlreadyDecided { index: 0, .. })));
}
