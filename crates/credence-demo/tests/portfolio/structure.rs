//! Statements, relationships and the customer master.

use std::collections::{BTreeMap, HashMap, HashSet};

use credence_records::{Kind, Record};

use crate::{int, of, portfolio, text};

#[test]
fn balance_sheets_balance_and_cash_ties_across_quarters() {
    let (records, _) = portfolio();
    let mut by_customer: BTreeMap<(&str, &str, &str), &Record> = BTreeMap::new();
    for s in of(records, Kind::Statements) {
        let (assets, liabilities, equity) =
            (int(s, "total_assets"), int(s, "total_liabilities"), int(s, "equity"));
        assert_eq!(assets, liabilities + equity, "{:?}", s.values);
        assert!(int(s, "current_assets") <= assets && int(s, "cash") <= int(s, "current_assets"));
        assert!(int(s, "current_liabilities") <= liabilities && liabilities >= 0);
        assert!(int(s, "accounts_receivable") >= 0 && int(s, "inventory") >= 0);
        let parts = ["cash", "short_term_investments", "accounts_receivable", "inventory"]
            .iter()
            .map(|c| int(s, c))
            .sum::<i64>();
        assert!(parts <= int(s, "current_assets"));
        assert!(int(s, "current_assets") + int(s, "fixed_assets") <= assets);
        assert!(int(s, "revenue") > 0);
        let operating =
            int(s, "revenue") - int(s, "cost_of_sales") - int(s, "operating_expenses") - int(s, "rd_expense");
        assert_eq!(operating, int(s, "operating_profit"));
        let pre_tax = operating - int(s, "interest_expense");
        let np = int(s, "net_profit");
        if text(s, "period_type") == "Q" {
            // Tax is 25% of a positive pre-tax profit.
            let expected = if pre_tax <= 0 { pre_tax as f64 } else { 0.75 * pre_tax as f64 };
            assert!((np as f64 - expected).abs() <= 1.0, "{np} vs {pre_tax}");
        }
        by_customer.insert((text(s, "customer_id"), text(s, "period_type"), text(s, "period_end")), s);
    }
    let mut ties = 0;
    let entries: Vec<_> = by_customer.iter().collect();
    for pair in entries.windows(2) {
        let ((c0, t0, _), prev) = pair[0];
        let ((c1, t1, _), next) = pair[1];
        if c0 != c1 || t0 != t1 {
            continue;
        }
        let flows = int(next, "operating_cash_flow")
            + int(next, "investing_cash_flow")
            + int(next, "financing_cash_flow");
        assert_eq!(
            int(prev, "cash") + flows,
            int(next, "cash"),
            "{c1} {t1} {:?} {:?}",
            prev.values,
            next.values
        );
        ties += 1;
    }
    assert!(ties > 20_000, "{ties}");
    // Annual statements are their four quarters: flows summed, balances at year end.
    let annual = of(records, Kind::Statements).find(|s| text(s, "period_type") == "A").unwrap();
    let (id, end) = (text(annual, "customer_id"), text(annual, "period_end"));
    let year = &end[..4];
    let quarters: Vec<&&Record> = by_customer
        .range((id, "Q", "")..(id, "R", ""))
        .map(|(_, r)| r)
        .filter(|r| text(r, "period_end").starts_with(year))
        .collect();
    if quarters.len() == 4 {
        let sum = |c| quarters.iter().map(|q| int(q, c)).sum::<i64>();
        assert_eq!(sum("revenue"), int(annual, "revenue"));
        assert_eq!(sum("net_profit"), int(annual, "net_profit"));
        assert_eq!(int(quarters[3], "total_assets"), int(annual, "total_assets"));
    }
}

#[test]
fn relationships_have_groups_circles_and_multi_level_holdings() {
    let (records, summary) = portfolio();
    let links: Vec<(&str, &str, &str)> = of(records, Kind::Relationships)
        .map(|r| (text(r, "relation_type"), text(r, "from_party"), text(r, "to_party")))
        .collect();
    let edges = |kind: &str| -> HashMap<&str, Vec<&str>> {
        let mut m: HashMap<&str, Vec<&str>> = HashMap::new();
        for (k, from, to) in &links {
            if *k == kind {
                m.entry(from).or_default().push(to);
            }
        }
        m
    };
    let owns = edges("ownership");
    let multi_level = owns.iter().any(|(a, subs)| {
        a.starts_with('C')
            && subs.iter().any(|b| owns.get(b).is_some_and(|c| c.iter().any(|x| x.starts_with('C'))))
    });
    assert!(multi_level, "no customer holds a customer that holds a customer");
    let guarantees = edges("guarantee");
    let cycle = guarantees.iter().any(|(a, bs)| {
        bs.iter().any(|b| {
            guarantees.get(b).is_some_and(|cs| {
                cs.iter().any(|c| c != a && guarantees.get(c).is_some_and(|ds| ds.contains(a)))
            })
        })
    });
    assert!(cycle, "no guarantee circle of three");
    assert!(summary.guarantee_circles >= 3 && summary.mutual_guarantees >= 3);
    for kind in ["control", "family", "consolidation", "supply_chain", "shared_funds"] {
        assert!(links.iter().any(|l| l.0 == kind), "{kind}");
    }
    let shares: Vec<f64> = of(records, Kind::Relationships).filter_map(|r| r.real("share_pct")).collect();
    assert!(shares.contains(&50.0) && shares.iter().any(|&s| s < 50.0) && shares.contains(&100.0));
    let companies =
        of(records, Kind::Customers).filter(|r| text(r, "customer_type") != "individual").count() as f64;
    let grouped = summary.group_members as f64 / companies;
    assert!((0.08..0.12).contains(&grouped), "{grouped}");
}

#[test]
fn customer_master_has_the_documented_mix() {
    let (records, _) = portfolio();
    let customers: Vec<&Record> = of(records, Kind::Customers).collect();
    let share = |pred: &dyn Fn(&Record) -> bool| {
        customers.iter().filter(|r| pred(r)).count() as f64 / customers.len() as f64
    };
    for (ty, lo, hi) in [
        ("large", 0.03, 0.07),
        ("sme", 0.57, 0.67),
        ("micro", 0.24, 0.32),
        ("government_platform", 0.015, 0.045),
        ("individual", 0.01, 0.035),
    ] {
        let s = share(&|r| text(r, "customer_type") == ty);
        assert!((lo..=hi).contains(&s), "{ty}: {s}");
    }
    let new = share(&|r| text(r, "relationship_start") > "2025-06-30");
    assert!((0.03..=0.10).contains(&new), "new customers {new}");
    assert!(
        customers.iter().all(|r| text(r, "relationship_start") >= "2008-01-01"
            && text(r, "relationship_start") <= "2025-12-30")
    );
    let core_large = customers
        .iter()
        .filter(|r| text(r, "customer_type") == "large" && text(r, "monitoring_tier") == "core")
        .count();
    let large = customers.iter().filter(|r| text(r, "customer_type") == "large").count();
    assert!(core_large * 2 > large);
    for r in &customers {
        assert!([30, 45, 60, 90, 120].contains(&int(r, "payment_terms_days")));
        if let Some(code) = r.text("uscc") {
            assert!(text(r, "name").ends_with("有限公司"));
            // Division codes carry the province: 35 is Fujian, 11 Beijing, …
            let province = &code[2..4];
            let expected = match text(r, "region") {
                "广东" => "44",
                "江苏" => "32",
                "浙江" => "33",
                "山东" => "37",
                "上海" => "31",
                "北京" => "11",
                "福建" => "35",
                "四川" => "51",
                "河南" => "41",
                "湖北" => "42",
                "辽宁" => "21",
                "陕西" => "61",
                other => panic!("region {other}"),
            };
            assert_eq!(province, expected);
        }
    }
    let (mut quarterly, mut annual) = (HashMap::<&str, usize>::new(), HashMap::<&str, usize>::new());
    for s in of(records, Kind::Statements) {
        let m = if text(s, "period_type") == "Q" { &mut quarterly } else { &mut annual };
        *m.entry(text(s, "customer_id")).or_default() += 1;
    }
    for r in &customers {
        let id = text(r, "customer_id");
        let (q, a) = (quarterly.get(id).copied().unwrap_or(0), annual.get(id).copied().unwrap_or(0));
        match text(r, "customer_type") {
            "individual" => assert_eq!((q, a), (0, 0)),
            "large" => assert_eq!((q, a), (12, 3)),
            _ => assert_eq!((q, a), (12, 0)),
        }
    }
    let milestone_customers: HashSet<&str> =
        of(records, Kind::Milestones).map(|r| text(r, "customer_id")).collect();
    let m = milestone_customers.len() as f64 / customers.len() as f64;
    assert!((0.03..=0.08).contains(&m), "milestone customers {m}");
}
