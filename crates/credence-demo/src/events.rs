//! Non-financial signals (DATA-4): Poisson counts per quarter whose rates rise as health
//! falls, from the first reported quarter to `as_of`, plus the default events themselves.

use chrono::{Datelike, NaiveDate};
use credence_domain::{CustomerType, EventKind, Labelled};
use credence_records::{Kind, Record};

use crate::Ctx;
use crate::calendar::{FIRST_REPORTED, LAST, add_days, days_between, iso};
use crate::columns::{Row, round2};
use crate::health::Health;
use crate::profile::Profile;
use crate::rng::{
    DemoRng, Purpose, chance, int_in, log_uniform, logistic, normal, pick, poisson, stream, uniform, weighted,
};

/// Events of one customer stop at this many, so per-customer reference numbers fit in
/// three digits and stay unique.
const MAX_EVENTS: u32 = 999;

const KINDS: [EventKind; 13] = [
    EventKind::LawsuitDefendant,
    EventKind::LawsuitPlaintiff,
    EventKind::SupplierPaymentSuit,
    EventKind::Enforcement,
    EventKind::DishonestDebtor,
    EventKind::ManagementChange,
    EventKind::CoreStaffDeparture,
    EventKind::CustomerLoss,
    EventKind::QualityComplaint,
    EventKind::OwnershipChange,
    EventKind::News,
    EventKind::Esg,
    EventKind::Blacklist,
];

const COURT: &str = "中国裁判文书网";
const ENFORCEMENT: &str = "中国执行信息公开网";
const REGISTRY: &str = "国家企业信用信息公示系统";
const VISIT: &str = "客户经理走访";
const NEWS_SOURCES: [&str; 5] = ["新浪财经", "证券时报", "21世纪经济报道", "财新网", "地方新闻网"];
const GOOD_NEWS: [&str; 4] =
    ["中标重大项目", "获得银行新增授信支持", "发布新一代产品", "入选专精特新企业名单"];
const BAD_NEWS: [&str; 4] = ["被曝拖欠供应商货款", "生产线阶段性停产", "业绩大幅下滑", "核心业务被监管问询"];

/// Quarterly rate of each kind in `KINDS` order, for health `h`; `post` once the
/// customer has defaulted.
fn rates(p: &Profile, h: f64, post: bool) -> [f64; 13] {
    let company = p.ctype != CustomerType::Individual;
    let size = match p.ctype {
        CustomerType::Large => 2.0,
        CustomerType::GovernmentPlatform | CustomerType::Sme => 1.0,
        CustomerType::Micro => 0.6,
        CustomerType::Individual => 0.3,
    };
    let post = if post { 1.0 } else { 0.0 };
    let co = if company { 1.0 } else { 0.0 };
    let gate = |open: bool, r: f64| if open || post > 0.0 { r } else { 0.0 };
    // Large firms are in the news every quarter or so, more often when in trouble.
    let news = match p.ctype {
        CustomerType::Large | CustomerType::GovernmentPlatform => 0.8 * (-0.4 * h).exp(),
        CustomerType::Sme => 0.08,
        CustomerType::Micro => 0.02,
        CustomerType::Individual => 0.0,
    };
    let polluting = matches!(p.segment.section, "C" | "D" | "B");
    let r = [
        (0.04 * (-0.8 * h).exp() + 0.5 * post) * size,
        0.03 * (-0.2 * h).exp() * size,
        gate(h < -1.0, 0.01 * (-1.3 * (h + 1.0)).exp() + 0.3 * post),
        gate(h < -1.5, 0.08 * (-0.8 * (h + 1.5)).exp() + 0.5 * post),
        gate(h < -2.2, 0.05 + 0.25 * post),
        0.025 * (-0.6 * h).exp() * co,
        0.02 * (-0.7 * h).exp() * co,
        0.015 * (-0.8 * h).exp() * co,
        if p.quality_prone { 0.2 } else { 0.03 } * (-h).exp() * co,
        (0.015 + 0.02 * (-h).max(0.0)) * co,
        news,
        if polluting { 0.03 } else { 0.008 } * co,
        gate(h < -1.0, 0.002 * (-h).exp()),
    ];
    r.map(|x| x.min(1.5))
}

pub(crate) fn generate<E>(
    ctx: &Ctx,
    p: &Profile,
    health: &Health,
    emit: &mut dyn FnMut(Record) -> Result<(), E>,
) -> Result<(), E> {
    let rng = &mut stream(ctx.config.seed, p.index, Purpose::Events);
    let t = &ctx.timeline;
    let mut counter = 0u32;
    // The reported quarters, then the stub from the last quarter end to as_of.
    let mut periods: Vec<(NaiveDate, NaiveDate, f64)> =
        (FIRST_REPORTED..=LAST).map(|k| (t.quarter_start(k), t.quarter_ends[k], health.h[k])).collect();
    if t.as_of > t.quarter_ends[LAST] {
        periods.push((add_days(t.quarter_ends[LAST], 1), t.as_of, health.h[LAST]));
    }
    for (start, end, h) in periods {
        let span = days_between(start, end);
        let rates = rates(p, h, health.defaulted_by(start));
        let total: f64 = rates.iter().sum();
        let count = poisson(rng, total * (span + 1) as f64 / 91.0);
        for _ in 0..count {
            if counter >= MAX_EVENTS {
                break;
            }
            counter += 1;
            let kind = KINDS[weighted(rng, &rates)];
            let date = add_days(start, int_in(rng, 0, span));
            emit(event(ctx, p, kind, date, h, counter, rng))?;
        }
    }
    if let Some(date) = health.default_date {
        let c = &ctx.cols.events;
        let mut r = Row::new(Kind::Events);
        r.set(c.customer_id, p.id.as_str())
            .set(c.event_type, EventKind::Default.code())
            .set(c.event_date, iso(date))
            .set(c.reference, format!("DF-{}", p.id))
            .set(c.source, "internal collections")
            .set(c.description, "逾期超过90天且催收无果，认定违约");
        emit(r.finish())?;
    }
    Ok(())
}

/// A court case number, `(2025)闽0102民初3017号`: year, province, court, case type and a
/// number that embeds the customer's event counter so it cannot repeat.
fn case_number(p: &Profile, date: NaiveDate, case_type: &str, counter: u32, rng: &mut DemoRng) -> String {
    format!(
        "({}){}{}{:02}{}{}号",
        date.year(),
        p.region.abbr,
        &p.city.division[2..4],
        int_in(rng, 1, 12),
        case_type,
        int_in(rng, 1, 9) * 1000 + i64::from(counter)
    )
}

fn event(
    ctx: &Ctx,
    p: &Profile,
    kind: EventKind,
    date: NaiveDate,
    h: f64,
    counter: u32,
    rng: &mut DemoRng,
) -> Record {
    let c = &ctx.cols.events;
    let mut r = Row::new(Kind::Events);
    r.set(c.customer_id, p.id.as_str()).set(c.event_type, kind.code()).set(c.event_date, iso(date));
    let claim = |rng: &mut DemoRng, lo: f64, hi: f64| {
        ((p.revenue * log_uniform(rng, lo, hi)).max(1000.0) * 100.0).round() as i64
    };
    let own_ref = |prefix: &str| format!("{prefix}-{}-{}-{counter:03}", date.year(), p.id);
    match kind {
        EventKind::LawsuitDefendant | EventKind::LawsuitPlaintiff | EventKind::SupplierPaymentSuit => {
            let description = match kind {
                EventKind::LawsuitDefendant => *pick(
                    rng,
                    &["买卖合同纠纷", "借款合同纠纷", "建设工程施工合同纠纷", "租赁合同纠纷", "劳动争议纠纷"],
                ),
                EventKind::LawsuitPlaintiff => {
                    *pick(rng, &["追讨货款纠纷", "知识产权侵权纠纷", "服务合同纠纷"])
                }
                _ => "被供应商起诉拖欠货款",
            };
            r.set(c.reference, case_number(p, date, "民初", counter, rng))
                .set(c.source, COURT)
                .set(c.amount, claim(rng, 0.001, 0.03))
                .set(c.currency, "CNY")
                .set(c.description, description);
        }
        EventKind::Enforcement | EventKind::DishonestDebtor => {
            let description = if kind == EventKind::Enforcement {
                "被列为被执行人"
            } else {
                "被列入失信被执行人名单"
            };
            r.set(c.reference, case_number(p, date, "执", counter, rng))
                .set(c.source, ENFORCEMENT)
                .set(c.amount, claim(rng, 0.002, 0.05))
                .set(c.currency, "CNY")
                .set(c.description, description);
        }
        EventKind::ManagementChange => {
            let (role, description) = *pick(
                rng,
                &[
                    ("CEO", "总经理变更"),
                    ("CFO", "财务总监变更"),
                    ("CFO", "财务负责人变更"),
                    ("chair", "董事长变更"),
                ],
            );
            r.set(c.reference, own_ref("GS"))
                .set(c.source, REGISTRY)
                .set(c.role, role)
                .set(c.description, description);
        }
        EventKind::CoreStaffDeparture => {
            let count = 1 + i64::from(poisson(rng, 1.0 + 1.5 * (-h).max(0.0)));
            r.set(c.reference, own_ref("HR"))
                .set(c.source, VISIT)
                .set(c.count, count)
                .set(c.description, "核心技术人员离职");
        }
        EventKind::CustomerLoss => {
            let pct = round2((uniform(rng, 5.0, 20.0) + 8.0 * (-h).max(0.0)).clamp(1.0, 80.0));
            r.set(c.reference, own_ref("CL"))
                .set(c.source, VISIT)
                .set(c.change_pct, pct)
                .set(c.description, "主要客户终止合作");
        }
        EventKind::QualityComplaint => {
            let count = int_in(rng, 1, if p.quality_prone { 8 } else { 3 });
            r.set(c.reference, own_ref("QC"))
                .set(c.source, "内部质量部门")
                .set(c.count, count)
                .set(c.description, "产品质量投诉");
        }
        EventKind::OwnershipChange => {
            let description = if h < -1.0 && chance(rng, 0.5) {
                "实际控制人变更"
            } else {
                *pick(rng, &["股东变更", "股权转让"])
            };
            r.set(c.reference, own_ref("GS")).set(c.source, REGISTRY).set(c.description, description);
        }
        EventKind::News => {
            let sentiment = round2((0.8 * h + 0.4 * normal(rng)).tanh());
            let description = if sentiment >= 0.15 {
                *pick(rng, &GOOD_NEWS)
            } else if sentiment <= -0.15 {
                *pick(rng, &BAD_NEWS)
            } else {
                "参加行业展会"
            };
            r.set(c.reference, own_ref("NEWS"))
                .set(c.source, *pick(rng, &NEWS_SOURCES))
                .set(c.sentiment, sentiment)
                .set(c.description, description);
        }
        EventKind::Esg => {
            if chance(rng, logistic(-h - 0.5)) {
                r.set(c.reference, own_ref("ESG"))
                    .set(c.source, "生态环境部门公示")
                    .set(c.amount, claim(rng, 0.0001, 0.002))
                    .set(c.currency, "CNY")
                    .set(c.sentiment, round2(-uniform(rng, 0.3, 0.9)))
                    .set(c.description, "环保处罚");
            } else {
                r.set(c.reference, own_ref("ESG"))
                    .set(c.source, "行业协会")
                    .set(c.sentiment, round2(uniform(rng, 0.3, 0.8)))
                    .set(c.description, "获评绿色工厂");
            }
        }
        _ => {
            r.set(c.reference, own_ref("BL")).set(c.source, "行业协会").set(c.description, "列入行业黑名单");
        }
    }
    r.finish()
}
