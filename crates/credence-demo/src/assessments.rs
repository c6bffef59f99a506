//! Analysts' qualitative scores (the 5C and management quality) for the companies they
//! follow: core and secondary customers. An analyst sees health through a fog: the score
//! is 60 + 12 · h at the assessment date plus noise of standard deviation 10, clamped to
//! 0–100, so the scores carry signal without giving the latent health away.

use chrono::NaiveDate;
use credence_records::{Kind, Record};

use crate::Ctx;
use crate::calendar::{add_days, iso};
use crate::health::Health;
use crate::profile::Profile;
use crate::rng::{Purpose, int_in, normal, pick, stream};

const FACTORS: [&str; 6] = ["character", "capacity", "capital", "collateral", "conditions", "management"];
const ANALYSTS: [&str; 6] = ["李明", "王芳", "张伟", "刘洋", "陈静", "赵磊"];

fn comment(score: f64) -> &'static str {
    match score {
        s if s >= 80.0 => "表现优良，无不良记录",
        s if s >= 60.0 => "总体正常，需常规跟踪",
        s if s >= 40.0 => "存在隐患，建议加强监控",
        _ => "风险较高，建议限制授信",
    }
}

pub(crate) fn emit<E>(
    ctx: &Ctx,
    p: &Profile,
    health: &Health,
    emit: &mut dyn FnMut(Record) -> Result<(), E>,
) -> Result<(), E> {
    if !p.is_company() || p.tier == "potential" {
        return Ok(());
    }
    let rng = &mut stream(ctx.config.seed, p.index, Purpose::Assessments);
    let assessed_on: NaiveDate = add_days(ctx.timeline.as_of, -int_in(rng, 0, 89)).max(p.relationship_start);
    let h = health.at(ctx, assessed_on);
    let assessor = *pick(rng, &ANALYSTS);
    for factor in FACTORS {
        let score = (60.0 + 12.0 * h + 10.0 * normal(rng)).clamp(0.0, 100.0).round();
        let mut r = Record::empty(Kind::Assessments);
        r.set("customer_id", p.id.as_str())
            .set("factor", factor)
            .set("score", score)
            .set("assessed_on", iso(assessed_on))
            .set("assessor", assessor)
            .set("comment", comment(score));
        emit(r)?;
    }
    Ok(())
}
