//! Tables for groups, guarantee structures and contagion.

use crate::output::print_table;
use credence_domain::{Currency, Labelled, Money, MoneyFormat};
use credence_engine::{CustomerTies, GroupDetail, GroupLine};
use credence_groups::{ContagionReport, GuaranteeReport};

fn money(minor: i64, currency: Currency) -> String {
    Money::new(minor, currency).format(MoneyFormat::SIGN)
}

fn opt_money(minor: Option<i64>, currency: Currency) -> String {
    minor.map_or_else(|| "-".to_owned(), |m| money(m, currency))
}

fn text<'a>(en: &'a str, zh: &'a str, chinese: bool) -> &'a str {
    if chinese { zh } else { en }
}

pub fn print_groups(lines: &[GroupLine], currency: Currency, limit: usize, chinese: bool) {
    let rows: Vec<Vec<String>> = lines
        .iter()
        .take(limit)
        .map(|l| {
            let e = &l.exposure;
            vec![
                l.id.clone(),
                l.head_name.clone().unwrap_or_else(|| l.head.clone()),
                l.customers.to_string(),
                money(e.exposure, currency),
                opt_money(e.limit, currency),
                e.utilisation_pct.map_or_else(|| "-".to_owned(), |u| format!("{u:.1}%")),
                if e.over_limit { text("over limit", "超限", chinese).to_owned() } else { String::new() },
            ]
        })
        .collect();
    let header: &[&str] = if chinese {
        &["集团", "核心主体", "客户数", "敞口", "集团限额", "使用率", ""]
    } else {
        &["group", "head", "customers", "exposure", "group limit", "utilisation", ""]
    };
    print_table(header, &rows);
    let over = lines.iter().filter(|l| l.exposure.over_limit).count();
    println!(
        "{} groups, {} customers in groups, {over} over their limit; amounts in {}{}",
        lines.len(),
        lines.iter().map(|l| l.customers).sum::<usize>(),
        currency.code(),
        if lines.len() > limit { format!("; the {limit} largest shown (--limit)") } else { String::new() }
    );
}

pub fn print_group(d: &GroupDetail, currency: Currency, chinese: bool) {
    let r = &d.report;
    println!(
        "{} — {} {} ({} customers, {} parties; config {})",
        r.id,
        text("head", "核心主体", chinese),
        r.head_name.as_deref().unwrap_or(&r.head),
        r.customer_count,
        r.member_count,
        r.config_version
    );
    let e = &d.exposure;
    println!(
        "{} {} / {} {}{}",
        text("exposure", "敞口", chinese),
        money(e.exposure, currency),
        text("group limit", "集团限额", chinese),
        opt_money(e.limit, currency),
        if e.over_limit { text(" — OVER LIMIT", " — 超限", chinese) } else { "" }
    );
    let rows: Vec<Vec<String>> = r
        .members
        .iter()
        .map(|m| {
            let exposure = d.members.iter().find(|x| x.customer == m.party);
            vec![
                m.party.clone(),
                m.name.clone().unwrap_or_default(),
                m.rule.map_or_else(
                    || text("head", "核心", chinese).to_owned(),
                    |r| text(r.name_en(), r.name_zh(), chinese).to_owned(),
                ),
                exposure.map_or_else(String::new, |x| money(x.exposure, currency)),
                text(&m.text_en, &m.text_zh, chinese).to_owned(),
            ]
        })
        .collect();
    let header: &[&str] = if chinese {
        &["成员", "名称", "认定规则", "敞口", "依据"]
    } else {
        &["member", "name", "rule", "exposure", "evidence"]
    };
    print_table(header, &rows);
}

pub fn print_ties(t: &CustomerTies, chinese: bool) {
    println!("{}", t.customer);
    let control = text(&t.control.text_en, &t.control.text_zh, chinese);
    match &t.control.actual_controller {
        Some(c) => println!("  {} {c}: {control}", text("actual controller", "实际控制人", chinese)),
        None => println!("  {}", text("no controller on record", "无实际控制人记录", chinese)),
    }
    match (&t.group, &t.membership) {
        (Some((id, head)), Some(m)) => {
            let rule =
                m.rule.map_or(text("head", "核心", chinese), |r| text(r.name_en(), r.name_zh(), chinese));
            println!(
                "  {} {id} ({} {head}), {rule}: {}",
                text("group", "集团", chinese),
                text("head", "核心", chinese),
                text(&m.text_en, &m.text_zh, chinese)
            );
        }
        _ => println!("  {}", text("not in a group", "不属于集团客户", chinese)),
    }
    for c in &t.circles {
        println!(
            "  {}: {}",
            text("guarantee circle", "担保圈", chinese),
            text(&c.text_en, &c.text_zh, chinese)
        );
    }
}

pub fn print_guarantees(g: &GuaranteeReport, min_chain: usize, limit: usize, chinese: bool) {
    let rows: Vec<Vec<String>> = g
        .circles
        .iter()
        .take(limit)
        .map(|c| {
            vec![
                c.members.len().to_string(),
                c.totals.iter().map(|m| m.format(MoneyFormat::SIGN)).collect::<Vec<_>>().join(" + "),
                text(&c.text_en, &c.text_zh, chinese).to_owned(),
            ]
        })
        .collect();
    let header: &[&str] = if chinese {
        &["成员数", "担保总额", "担保圈"]
    } else {
        &["parties", "guaranteed", "circle"]
    };
    print_table(header, &rows);
    println!(
        "{} circles ({} mutual pairs) in {} clusters; {} chains of {min_chain} or more links{}",
        g.circles.len(),
        g.circles.iter().filter(|c| c.kind == credence_groups::CircleKind::MutualPair).count(),
        g.clusters.len(),
        g.chains.len(),
        if g.chains_truncated { " (listing stopped at its bound)" } else { "" }
    );
    for c in g.chains.iter().take(limit.min(10)) {
        println!("  {}: {}", text("chain", "担保链", chinese), text(&c.text_en, &c.text_zh, chinese));
    }
}

pub fn print_contagion(r: &ContagionReport, distressed: usize, limit: usize, chinese: bool) {
    let rows: Vec<Vec<String>> = r
        .hits
        .iter()
        .take(limit)
        .map(|h| {
            vec![
                h.party.clone(),
                h.name.clone().unwrap_or_default(),
                format!("{:.3}", h.score),
                h.hops.to_string(),
                text(&h.text_en, &h.text_zh, chinese).to_owned(),
            ]
        })
        .collect();
    let header: &[&str] = if chinese {
        &["客户", "名称", "传染分", "层级", "路径"]
    } else {
        &["customer", "name", "score", "hops", "path"]
    };
    print_table(header, &rows);
    println!(
        "{} related customers put on watch from {distressed} distressed{}",
        r.hits.len(),
        if r.hits.len() > limit { format!("; the {limit} strongest shown (--limit)") } else { String::new() }
    );
}
