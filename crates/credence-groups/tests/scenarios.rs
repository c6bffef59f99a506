//! Scenarios with hand-computed expectations: control, look-through ownership, the group
//! rules, guarantee circles and chains, contagion, exposure and export.

use std::collections::HashMap;
use std::path::Path;

use chrono::NaiveDate;
use credence_domain::{Currency, RelationKind};
use credence_groups::{
    Basis, CircleKind, DiagnosticCode, DistressStatus, Distressed, Graph, GroupConfig, GroupRule, Groups,
    Lang, Link, control_forest, effective_holdings, effective_owners, guarantee_structures, identify_groups,
    neighbourhood, propagate_contagion, roll_up_exposure,
};

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 9, 30).unwrap()
}

fn graph(customers: &[&str], links: &[Link]) -> Graph {
    Graph::build(as_of(), customers.iter().copied(), links)
}

fn config() -> GroupConfig {
    GroupConfig::builtin()
}

fn family(a: &str, b: &str, degree: &str) -> Link {
    Link { description: Some(degree.into()), ..Link::new(RelationKind::Family, a, b) }
}

fn yuan(y: i64) -> i64 {
    y * 100
}

/// Groups as `(id, [(member, rule code or "head")])`, members in report order.
fn group_summary(graph: &Graph, groups: &Groups) -> Vec<(String, Vec<(String, String)>)> {
    groups
        .reports(graph)
        .into_iter()
        .map(|r| {
            let members = r
                .members
                .iter()
                .map(|m| (m.party.clone(), m.rule.map_or("head".to_owned(), |r| r.to_string())))
                .collect();
            (r.id, members)
        })
        .collect()
}

fn check_groups(
    customers: &[&str],
    links: &[Link],
    config: &GroupConfig,
    expected: &[(&str, &[(&str, &str)])],
) {
    let g = graph(customers, links);
    let groups = identify_groups(&g, config);
    let actual = group_summary(&g, &groups);
    let expected: Vec<(String, Vec<(String, String)>)> = expected
        .iter()
        .map(|(id, ms)| (id.to_string(), ms.iter().map(|(m, r)| (m.to_string(), r.to_string())).collect()))
        .collect();
    assert_eq!(actual, expected);
}

fn controller(g: &Graph, party: &str) -> Option<String> {
    let forest = control_forest(g, &config());
    forest.actual_controller(g.find(party).unwrap()).map(|c| g.id(c).to_owned())
}

fn parent(g: &Graph, party: &str) -> Option<String> {
    let forest = control_forest(g, &config());
    forest.parent(g.find(party).unwrap()).map(|c| g.id(c).to_owned())
}

/// P holds 60% of A, A 70% of B, B 51% of C: each step is control, so P is the actual
/// controller of C, through A and B. P's economic look-through share in C is only
/// 0.6 × 0.7 × 0.51 = 21.42%.
#[test]
fn control_through_three_levels() {
    let g = graph(
        &["A", "B", "C"],
        &[Link::holding("P", "A", 60.0), Link::holding("A", "B", 70.0), Link::holding("B", "C", 51.0)],
    );
    let forest = control_forest(&g, &config());
    let chain = forest.explain(&g, g.find("C").unwrap());
    assert_eq!(chain.actual_controller.as_deref(), Some("P"));
    assert_eq!(chain.chain, ["P", "A", "B", "C"]);
    assert_eq!(chain.text_en, "P holds 60% of A; A holds 70% of B; B holds 51% of C");
    assert_eq!(chain.text_zh, "P持有A 60%股权；A持有B 70%股权；B持有C 51%股权");
    assert_eq!(parent(&g, "C").as_deref(), Some("B"));
    assert_eq!(controller(&g, "P"), None);

    let own = effective_holdings(&g, g.find("P").unwrap(), Basis::Capital, &config().ownership);
    let c = own.stakes.iter().find(|s| s.party == "C").unwrap();
    assert!((c.effective_pct - 21.42).abs() < 1e-6, "{}", c.effective_pct);
    assert_eq!(c.direct_pct, None);
    check_groups(
        &["A", "B", "C"],
        &[Link::holding("P", "A", 60.0), Link::holding("A", "B", 70.0), Link::holding("B", "C", 51.0)],
        &config(),
        &[(
            "G-P",
            &[("P", "head"), ("A", "same_controller"), ("B", "voting_control"), ("C", "voting_control")],
        )],
    );
}

/// Control needs strictly more than 50%: A's 50% of B is not control, its 50.01% of C is.
#[test]
fn exactly_half_is_not_control() {
    let links = [Link::holding("A", "B", 50.0), Link::holding("A", "C", 50.01)];
    let g = graph(&["A", "B", "C"], &links);
    assert_eq!(parent(&g, "B"), None);
    assert_eq!(parent(&g, "C").as_deref(), Some("A"));
    check_groups(&["A", "B", "C"], &links, &config(), &[("G-A", &[("A", "head"), ("C", "voting_control")])]);
    // 25.5% + 24.5% from two parties A controls is exactly 50%: still not control.
    let links = [
        Link::holding("A", "X", 60.0),
        Link::holding("A", "Y", 60.0),
        Link::holding("X", "D", 25.5),
        Link::holding("Y", "D", 24.5),
    ];
    assert_eq!(parent(&graph(&[], &links), "D"), None);
}

/// A controls B (60%) and C (70%); B holds 30% and C 25% of D: A's side holds 55% of D's
/// votes, so A controls D although neither holding does. A's economic share in D is
/// 0.6 × 0.3 + 0.7 × 0.25 = 35.5%.
#[test]
fn votes_of_controlled_parties_add_up() {
    let links = [
        Link::holding("A", "B", 60.0),
        Link::holding("A", "C", 70.0),
        Link::holding("B", "D", 30.0),
        Link::holding("C", "D", 25.0),
    ];
    let g = graph(&["A", "B", "C", "D"], &links);
    let forest = control_forest(&g, &config());
    let d = g.find("D").unwrap();
    assert_eq!(forest.parent(d).map(|p| g.id(p)), Some("A"));
    assert_eq!(forest.controlled_votes_pct(d), Some(55.0));
    let groups = identify_groups(&g, &config());
    let report = groups.report(&g, &groups.groups()[0]);
    let member = report.members.iter().find(|m| m.party == "D").unwrap();
    assert_eq!(member.rule, Some(GroupRule::VotingControl));
    assert_eq!(
        member.text_en,
        "A holds 60% of B; A holds 70% of C; B holds 30% of D; C holds 25% of D; \
         A thus controls 55% of the votes of D"
    );
    assert_eq!(member.steps.last().unwrap().voting_pct, Some(55.0));
    assert!(member.steps.last().unwrap().derived);
    assert!((member.head_effective_share_pct.unwrap() - 35.5).abs() < 1e-6);
}

/// Control is not economic ownership: A controls B (60%), B holds 55% of C ⇒ A controls C,
/// with an effective share of 0.6 × 0.55 = 33%.
#[test]
fn control_chains_count_controlled_votes_in_full() {
    let links = [Link::holding("A", "B", 60.0), Link::holding("B", "C", 55.0)];
    let g = graph(&[], &links);
    assert_eq!(controller(&g, "C").as_deref(), Some("A"));
    let own = effective_holdings(&g, g.find("A").unwrap(), Basis::Capital, &config().ownership);
    let pcts: Vec<(&str, f64)> = own.stakes.iter().map(|s| (s.party.as_str(), s.effective_pct)).collect();
    assert_eq!(pcts.len(), 2);
    assert!((pcts[0].1 - 60.0).abs() < 1e-9 && (pcts[1].1 - 33.0).abs() < 1e-9, "{pcts:?}");
}

/// The lowest party that passes the threshold is the parent: A controls B and C, B holds
/// 55% of D and C 10%: B controls D alone, and B's holding is the whole evidence.
#[test]
fn the_lowest_controller_is_the_parent() {
    let links = [
        Link::holding("A", "B", 60.0),
        Link::holding("A", "C", 60.0),
        Link::holding("B", "D", 55.0),
        Link::holding("C", "D", 10.0),
    ];
    let g = graph(&[], &links);
    assert_eq!(parent(&g, "D").as_deref(), Some("B"));
    assert_eq!(controller(&g, "D").as_deref(), Some("A"));
    let chain = control_forest(&g, &config()).explain(&g, g.find("D").unwrap());
    assert_eq!(chain.text_en, "A holds 60% of B; B holds 55% of D");
}

/// Votes differ from capital: 40% of the capital with 51% of the votes is control, and
/// the economic share stays 40%.
#[test]
fn voting_rights_decide_control() {
    let links = [Link {
        share_pct: Some(40.0),
        voting_pct: Some(51.0),
        ..Link::new(RelationKind::Ownership, "A", "B")
    }];
    let g = graph(&[], &links);
    assert_eq!(parent(&g, "B").as_deref(), Some("A"));
    let a = g.find("A").unwrap();
    assert_eq!(effective_holdings(&g, a, Basis::Capital, &config().ownership).stakes[0].effective_pct, 40.0);
    assert_eq!(effective_holdings(&g, a, Basis::Votes, &config().ownership).stakes[0].effective_pct, 51.0);
}

/// A holds 60% of B, B 20% of C, C 10% of B. The look-through shares solve
/// e(B) = 0.6 + 0.1·e(C), e(C) = 0.2·e(B): e(B) = 0.6 / 0.98 = 61.2244898%,
/// e(C) = 0.12 / 0.98 = 12.2448980%. Seen from C, its owners have the same figures:
/// A 12.2448980%, B 0.2 / 0.98 = 20.4081633%.
#[test]
fn cross_holdings_are_solved_as_a_fixed_point() {
    let links = [Link::holding("A", "B", 60.0), Link::holding("B", "C", 20.0), Link::holding("C", "B", 10.0)];
    let g = graph(&[], &links);
    let settings = config().ownership;
    let own = effective_holdings(&g, g.find("A").unwrap(), Basis::Capital, &settings);
    assert!(own.converged);
    let got: Vec<(&str, f64)> = own.stakes.iter().map(|s| (s.party.as_str(), s.effective_pct)).collect();
    assert_eq!(got.len(), 2);
    assert_eq!((got[0].0, got[1].0), ("B", "C"));
    assert!((got[0].1 - 61.224_489_8).abs() < 1e-6, "{got:?}");
    assert!((got[1].1 - 12.244_898_0).abs() < 1e-6, "{got:?}");
    assert_eq!(own.stakes[0].direct_pct, Some(60.0));

    let owners = effective_owners(&g, g.find("C").unwrap(), Basis::Capital, &settings);
    let got: Vec<(&str, f64)> = owners.stakes.iter().map(|s| (s.party.as_str(), s.effective_pct)).collect();
    assert_eq!((got[0].0, got[1].0), ("A", "B"));
    assert!((got[0].1 - 12.244_898_0).abs() < 1e-6, "{got:?}");
    assert!((got[1].1 - 20.408_163_3).abs() < 1e-6, "{got:?}");
}

/// A → B → C → A is a triangle (amounts 1, 2, 3 million yuan, total 6 million); D ⇄ E a
/// mutual pair (0.5 + 0.5 million). F → G → H → I → J is a chain of 4 links, F guaranteed
/// by nobody; with `min_chain_len` 4 it is listed, with 5 it is not.
#[test]
fn guarantee_circles_mutual_pairs_and_chains() {
    let cny = Currency::CNY;
    let links = [
        Link::guarantee("A", "B", yuan(1_000_000), cny),
        Link::guarantee("B", "C", yuan(2_000_000), cny),
        Link::guarantee("C", "A", yuan(3_000_000), cny),
        Link::guarantee("D", "E", yuan(500_000), cny),
        Link::guarantee("E", "D", yuan(500_000), cny),
        Link::guarantee("F", "G", yuan(100), cny),
        Link::guarantee("G", "H", yuan(100), cny),
        Link::guarantee("H", "I", yuan(100), cny),
        Link::guarantee("I", "J", yuan(100), cny),
        Link::guarantee("X", "A", yuan(100), cny),
    ];
    let g = graph(&[], &links);
    let report = guarantee_structures(&g, &config().guarantees);
    let clusters: Vec<Vec<&str>> =
        report.clusters.iter().map(|c| c.members.iter().map(String::as_str).collect()).collect();
    assert_eq!(clusters, [vec!["A", "B", "C"], vec!["D", "E"]]);
    assert_eq!(report.circles.len(), 2);
    let triangle = &report.circles[0];
    assert_eq!(triangle.kind, CircleKind::Circle);
    assert_eq!(triangle.members, ["A", "B", "C"]);
    assert_eq!(triangle.totals[0].minor, yuan(6_000_000));
    assert_eq!(
        triangle.text_en,
        "A guarantees B (¥1,000,000); B guarantees C (¥2,000,000); C guarantees A (¥3,000,000)"
    );
    assert_eq!(
        triangle.text_zh,
        "A为B提供担保（¥1,000,000）；B为C提供担保（¥2,000,000）；C为A提供担保（¥3,000,000）"
    );
    let pair = &report.circles[1];
    assert_eq!(
        (pair.kind, pair.members.clone()),
        (CircleKind::MutualPair, vec!["D".to_owned(), "E".to_owned()])
    );
    assert_eq!(pair.totals[0].minor, yuan(1_000_000));

    // X → A → B → C is 3 links and ends in the circle: too short.
    let chains: Vec<Vec<&str>> =
        report.chains.iter().map(|c| c.parties.iter().map(String::as_str).collect()).collect();
    assert_eq!(chains, [vec!["F", "G", "H", "I", "J"]]);
    assert_eq!(report.chains[0].totals[0].minor, yuan(400));
    assert!(!report.chains_truncated);

    let mut longer = config().guarantees;
    longer.min_chain_len = 5;
    longer.max_chain_len = 5;
    assert!(guarantee_structures(&g, &longer).chains.is_empty());
    let mut three = config().guarantees;
    three.min_chain_len = 3;
    let chains: Vec<Vec<String>> =
        guarantee_structures(&g, &three).chains.into_iter().map(|c| c.parties).collect();
    assert_eq!(chains, [vec!["F", "G", "H", "I", "J"], vec!["X", "A", "B", "C"]]);
}

/// Four parties guaranteeing each other both ways hold 2-, 3- and 4-circles; a cap of 5
/// stops the listing and says so.
#[test]
fn dense_guarantee_clusters_are_bounded() {
    let ids = ["A", "B", "C", "D"];
    let mut links = Vec::new();
    for a in ids {
        for b in ids {
            if a != b {
                links.push(Link::guarantee(a, b, 100, Currency::CNY));
            }
        }
    }
    let g = graph(&[], &links);
    // Elementary circles of the complete digraph on 4: 6 pairs + 8 triangles + 6 four-circles.
    let all = guarantee_structures(&g, &config().guarantees);
    assert_eq!(all.circles.len(), 20);
    assert!(!all.clusters[0].truncated);
    let mut capped = config().guarantees;
    capped.max_cycles_per_cluster = 5;
    capped.max_cycle_len = 3;
    let some = guarantee_structures(&g, &capped);
    assert_eq!(some.circles.len(), 5);
    assert!(some.clusters[0].truncated);
    assert_eq!(some.clusters[0].links, 12);
}

/// P1 controls C1 and P2 controls C2; P1 and P2 are spouses: one group, headed by P1
/// (both control one party; the smaller id wins).
#[test]
fn family_ties_between_controllers_make_one_group() {
    let links =
        [Link::holding("P1", "C1", 60.0), Link::holding("P2", "C2", 80.0), family("P1", "P2", "配偶")];
    check_groups(
        &["C1", "C2"],
        &links,
        &config(),
        &[(
            "G-P1",
            &[("P1", "head"), ("C1", "same_controller"), ("C2", "same_controller"), ("P2", "family")],
        )],
    );
    let g = graph(&["C1", "C2"], &links);
    let groups = identify_groups(&g, &config());
    let report = groups.report(&g, &groups.groups()[0]);
    let c2 = report.members.iter().find(|m| m.party == "C2").unwrap();
    assert_eq!(c2.text_en, "P1 and P2 are close family (配偶); P2 holds 80% of C2");
    assert_eq!(c2.text_zh, "P1与P2为近亲属（配偶）；P2持有C2 80%股权");
    assert_eq!(report.rules, [GroupRule::SameController, GroupRule::Family]);

    let mut off = config();
    off.rules.family = false;
    check_groups(&["C1", "C2"], &links, &off, &[]);
}

/// P1 and P2 are two family ties apart (through X, who controls nothing): grouped with
/// `family_hops` 2, not with 1.
#[test]
fn family_hops_bound_the_ties() {
    let links = [
        Link::holding("P1", "C1", 60.0),
        Link::holding("P2", "C2", 80.0),
        family("P1", "X", "父子"),
        family("X", "P2", "兄弟"),
    ];
    let two = &[(
        "G-P1",
        &[("P1", "head"), ("C1", "same_controller"), ("C2", "same_controller"), ("P2", "family")][..],
    )];
    check_groups(&["C1", "C2"], &links, &config(), two);
    let mut one = config();
    one.groups.family_hops = 1;
    check_groups(&["C1", "C2"], &links, &one, &[]);
}

/// P controls C1 and C2 but is not a customer: one group by (d), none with (d) off.
#[test]
fn same_actual_controller() {
    let links = [Link::holding("P", "C1", 60.0), Link::holding("P", "C2", 70.0)];
    check_groups(
        &["C1", "C2"],
        &links,
        &config(),
        &[("G-P", &[("P", "head"), ("C1", "same_controller"), ("C2", "same_controller")])],
    );
    let mut off = config();
    off.rules.same_controller = false;
    check_groups(&["C1", "C2"], &links, &off, &[]);
    let by_agreement =
        [Link::new(RelationKind::Control, "P", "C1"), Link::new(RelationKind::Control, "P", "C2")];
    check_groups(&["C1", "C2"], &by_agreement, &off, &[]);
    // Below the person, a customer parent still ties its subsidiary.
    let links = [Link::holding("P", "C1", 60.0), Link::holding("C1", "C2", 70.0)];
    check_groups(&["C1", "C2"], &links, &off, &[("G-C1", &[("C1", "head"), ("C2", "voting_control")])]);
}

/// A holds 40% of B but consolidates it: a group by (c), none with (c) off.
#[test]
fn consolidation_makes_a_group() {
    let links = [Link::holding("A", "B", 40.0), Link::new(RelationKind::Consolidation, "A", "B")];
    check_groups(&["A", "B"], &links, &config(), &[("G-A", &[("A", "head"), ("B", "consolidation")])]);
    let g = graph(&["A", "B"], &links);
    let groups = identify_groups(&g, &config());
    assert_eq!(
        groups.report(&g, &groups.groups()[0]).members[1].text_en,
        "A consolidates B in its statements"
    );
    let mut off = config();
    off.rules.consolidation = false;
    check_groups(&["A", "B"], &links, &off, &[]);
}

/// Control by agreement (b) without any shares.
#[test]
fn control_by_agreement() {
    let links = [Link::new(RelationKind::Control, "A", "B")];
    check_groups(&["A", "B"], &links, &config(), &[("G-A", &[("A", "head"), ("B", "control_agreement")])]);
}

/// Cash pooling ties two otherwise unrelated customers (f); the smaller id heads.
#[test]
fn shared_funds_make_a_group() {
    let links = [Link::new(RelationKind::SharedFunds, "B", "A")];
    check_groups(&["A", "B"], &links, &config(), &[("G-A", &[("A", "head"), ("B", "shared_funds")])]);
    let mut off = config();
    off.rules.shared_funds = false;
    check_groups(&["A", "B"], &links, &off, &[]);
}

/// Guarantees and supply chains relate parties but never make a group.
#[test]
fn guarantees_and_supply_do_not_make_groups() {
    let links =
        [Link::guarantee("A", "B", 100, Currency::CNY), Link::new(RelationKind::SupplyChain, "A", "B")];
    check_groups(&["A", "B"], &links, &config(), &[]);
}

/// A holding that ended on 2026-06-30 does not count on 2026-09-30 but did on 2026-06-29.
#[test]
fn ended_links_are_ignored() {
    let end = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
    let links = [Link { end: Some(end), ..Link::holding("A", "B", 60.0) }];
    check_groups(&["A", "B"], &links, &config(), &[]);
    let before = Graph::build(end.pred_opt().unwrap(), ["A", "B"], &links);
    assert_eq!(identify_groups(&before, &config()).len(), 1);
}

/// A holds 60% of B and B 60% of A: circular control is cut above the smaller id, A, which
/// heads the group, and the diagnostic names both.
#[test]
fn circular_control_is_cut() {
    let links = [Link::holding("A", "B", 60.0), Link::holding("B", "A", 60.0)];
    let g = graph(&["A", "B"], &links);
    let forest = control_forest(&g, &config());
    assert_eq!(forest.diagnostics()[0].code, DiagnosticCode::CircularControl);
    assert_eq!(forest.diagnostics()[0].parties, ["A", "B"]);
    assert!(forest.settled());
    check_groups(&["A", "B"], &links, &config(), &[("G-A", &[("A", "head"), ("B", "voting_control")])]);
}

/// A group needs two customers; persons and outside companies carry ties but do not
/// count.
#[test]
fn groups_need_two_customers() {
    let links = [Link::holding("P", "X", 60.0), Link::holding("X", "C1", 60.0)];
    check_groups(&["C1"], &links, &config(), &[]);
    let mut one = config();
    one.groups.min_customer_members = 1;
    check_groups(
        &["C1"],
        &links,
        &one,
        &[("G-P", &[("P", "head"), ("C1", "same_controller"), ("X", "same_controller")])],
    );
}

/// C004 defaults. C009 guarantees C004: 1 × 0.8 = 0.8. C009 holds 60% of C010:
/// 0.8 × 0.6 × 0.8 (decay) = 0.384. C010 supplies C011: 0.384 × 0.2 × 0.8 = 0.06144.
/// C011 supplies C012: 0.06144 × 0.2 × 0.8 = 0.0098 < 0.05, not reached. C004's own
/// guarantor of C013 is hit mildly: C013 is guaranteed by C004, 1 × 0.3 = 0.3.
#[test]
fn contagion_decays_and_stops_at_the_threshold() {
    let links = [
        Link::guarantee("C009", "C004", yuan(5_000_000), Currency::CNY),
        Link::holding("C009", "C010", 60.0),
        Link::new(RelationKind::SupplyChain, "C010", "C011"),
        Link::new(RelationKind::SupplyChain, "C011", "C012"),
        Link::guarantee("C004", "C013", yuan(1_000), Currency::CNY),
    ];
    let customers = ["C004", "C009", "C010", "C011", "C012", "C013"];
    let g = graph(&customers, &links);
    let distressed = [Distressed { party: "C004".into(), status: DistressStatus::Defaulted }];
    let report = propagate_contagion(&g, &distressed, &config().contagion);
    let scores: Vec<(&str, f64)> = report.hits.iter().map(|h| (h.party.as_str(), h.score)).collect();
    let expected = [("C009", 0.8), ("C010", 0.384), ("C013", 0.3), ("C011", 0.06144)];
    assert_eq!(scores.len(), expected.len(), "{scores:?}");
    for ((party, score), (want_party, want)) in scores.iter().zip(expected) {
        assert_eq!(*party, want_party);
        assert!((score - want).abs() < 1e-12, "{party}: {score}");
    }
    assert_eq!(report.hits[0].text_en, "C009 guarantees C004 (¥5,000,000); C004 defaulted");
    assert_eq!(report.hits[0].text_zh, "C009为C004提供担保（¥5,000,000）；C004已违约");
    assert_eq!(
        report.hits[3].text_en,
        "C010 supplies C011; C009 holds 60% of C010; C009 guarantees C004 (¥5,000,000); C004 defaulted"
    );
    assert_eq!(report.hits[3].hops, 3);

    // A red customer starts at 0.7: C009 gets 0.56.
    let red = [Distressed { party: "C004".into(), status: DistressStatus::Red }];
    let report = propagate_contagion(&g, &red, &config().contagion);
    assert!((report.hits[0].score - 0.56).abs() < 1e-12);
    // An unknown party is a diagnostic.
    let unknown = [Distressed { party: "NOPE".into(), status: DistressStatus::Defaulted }];
    let report = propagate_contagion(&g, &unknown, &config().contagion);
    assert!(report.hits.is_empty());
    assert_eq!(report.diagnostics[0].code, DiagnosticCode::UnknownParty);
}

/// Group G-A (A, B, C customers; P not a customer): exposures 100 + 300 + 0 = 400 against
/// a limit of 350: headroom −50, utilisation 114.2857%, largest member B with 75%.
#[test]
fn exposure_rolls_up_to_the_group() {
    let links = [Link::holding("A", "B", 60.0), Link::holding("A", "C", 60.0), Link::holding("P", "A", 60.0)];
    let g = graph(&["A", "B", "C"], &links);
    let groups = identify_groups(&g, &config());
    let exposures = HashMap::from([("A".to_owned(), 100), ("B".to_owned(), 300), ("C".to_owned(), 0)]);
    let limits = HashMap::from([("G-P".to_owned(), 350)]);
    let rolled = roll_up_exposure(&g, &groups, &exposures, &limits);
    assert_eq!(rolled.len(), 1);
    let r = &rolled[0];
    assert_eq!((r.group.as_str(), r.head.as_str()), ("G-P", "P"));
    assert_eq!((r.exposure, r.limit, r.headroom, r.over_limit), (400, Some(350), Some(-50), true));
    assert!((r.utilisation_pct.unwrap() - 400.0 / 3.5).abs() < 1e-9);
    assert_eq!((r.customers, r.customers_with_exposure), (3, 2));
    assert_eq!((r.largest_member.as_deref(), r.largest_member_exposure), (Some("B"), 300));
    assert_eq!(r.largest_member_share_pct, Some(75.0));
    let no_limit = roll_up_exposure(&g, &groups, &exposures, &HashMap::new());
    assert_eq!((no_limit[0].headroom, no_limit[0].over_limit), (None, false));
}

/// The neighbourhood of B within one link: A (holder), C (guaranteed by B); D is two links
/// away.
#[test]
fn neighbourhood_exports_dot_and_json() {
    let links = [
        Link { from_name: Some("甲公司 \"集团\"".into()), ..Link::holding("A", "B", 60.0) },
        Link::guarantee("B", "C", yuan(5_000_000), Currency::CNY),
        Link::new(RelationKind::SupplyChain, "C", "D"),
    ];
    let g = graph(&["A", "B", "C", "D"], &links);
    let n = neighbourhood(&g, g.find("B").unwrap(), 1, 100);
    let ids: Vec<(&str, u32)> = n.nodes.iter().map(|x| (x.id.as_str(), x.distance)).collect();
    assert_eq!(ids, [("A", 1), ("B", 0), ("C", 1)]);
    assert_eq!(n.edges.len(), 2);
    assert_eq!(
        n.to_dot(Lang::Zh),
        "digraph \"B\" {\n  graph [charset=\"UTF-8\", rankdir=LR, fontname=\"Noto Sans CJK SC\"];\n  node \
         [fontname=\"Noto Sans CJK SC\"];\n  edge [fontname=\"Noto Sans CJK SC\", fontsize=10];\n  \"A\" \
         [label=\"A\\n甲公司 \\\"集团\\\"\", shape=box];\n  \"B\" [label=\"B\", shape=box, style=filled, \
         fillcolor=\"#ffe9a8\"];\n  \"C\" [label=\"C\", shape=box];\n  \"A\" -> \"B\" [label=\"持股 60%\"];\n  \
         \"B\" -> \"C\" [label=\"担保 ¥5,000,000\", style=dashed];\n}\n"
    );
    assert!(n.to_dot(Lang::En).contains("[label=\"ownership 60%\"]"));
    let json: serde_json::Value = serde_json::from_str(&n.to_json()).unwrap();
    assert_eq!(json["center"], "B");
    assert_eq!(json["nodes"][0]["name"], "甲公司 \"集团\"");
    assert_eq!(json["edges"][1]["kind"], "guarantee");
    assert_eq!(json["edges"][1]["amount"]["minor"], yuan(5_000_000));
    assert!(!n.truncated);
    let capped = neighbourhood(&g, g.find("B").unwrap(), 2, 2);
    assert!(capped.truncated);
    assert_eq!(capped.nodes.len(), 2);
}

/// Shuffling the input changes nothing in the output.
#[test]
fn same_input_gives_identical_output() {
    let mut links = vec![
        Link::holding("P", "C1", 60.0),
        Link::holding("C1", "C2", 30.0),
        Link::holding("C3", "C2", 25.0),
        Link::holding("C1", "C3", 70.0),
        family("P", "Q", "配偶"),
        Link::holding("Q", "C7", 90.0),
        Link::new(RelationKind::SharedFunds, "C7", "C8"),
        Link::guarantee("C2", "C8", 100, Currency::CNY),
        Link::guarantee("C8", "C2", 100, Currency::CNY),
    ];
    let customers = ["C1", "C2", "C3", "C7", "C8"];
    let run = |links: &[Link]| {
        let g = graph(&customers, links);
        let groups = identify_groups(&g, &config());
        let guarantees = guarantee_structures(&g, &config().guarantees);
        let distressed = [Distressed { party: "C8".into(), status: DistressStatus::Defaulted }];
        let contagion = propagate_contagion(&g, &distressed, &config().contagion);
        serde_json::to_string(&(groups.reports(&g), guarantees, contagion)).unwrap()
    };
    let first = run(&links);
    links.reverse();
    assert_eq!(run(&links), first);
    assert!(first.contains("\"id\":\"G-P\""));
}

/// The shipped file loads from its path too, and a bad file names file, line and key.
#[test]
fn configuration_files_load_and_bad_values_are_located() {
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/groups.toml");
    let shipped_text = std::fs::read_to_string(&shipped).unwrap();
    assert_eq!(GroupConfig::from_toml(&shipped_text, &shipped.display().to_string()).unwrap(), config());
    let text = credence_groups::BUILTIN_CONFIG.replace("decay = 0.8", "decay = 0");
    let err = GroupConfig::from_toml(&text, "mine.toml").unwrap_err().to_string();
    let line = text.lines().position(|l| l == "decay = 0").unwrap() + 1;
    assert_eq!(err, format!("mine.toml:{line}:9: `contagion.decay`: must be above 0 and at most 1, found 0"));
}
