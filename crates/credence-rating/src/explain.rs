//! Rating explanations in Chinese or English: one line per fact, in the order an analyst
//! reads them — result, dimensions, lines, knock-outs, overrides, notes.

use std::collections::HashMap;

use crate::file::Unit;
use crate::model::ScorecardModel;
use crate::rate::{
    MISSING_NO_REASON, MISSING_NOT_FINITE, MISSING_NOT_IN_SET, MISSING_NOT_SCORED, Rating, RatingNote,
    ScoreLine,
};
use crate::scale::ScaleKind;

pub use credence_domain::Lang;

impl ScorecardModel {
    /// Explains a rating made with this model. `peer_medians` (indicator id → median of the
    /// customer's peers) adds each peer median and the points it would earn.
    ///
    /// A line reads like `debt ratio 78.0% → 30/100 × weight 4.8% = 1.4 points (peer
    /// median 55.0% → 81/100)`.
    pub fn explain(
        &self,
        rating: &Rating,
        lang: Lang,
        peer_medians: Option<&HashMap<String, f64>>,
    ) -> Vec<String> {
        let zh = lang == Lang::Zh;
        let mut out = Vec::with_capacity(rating.lines.len() + rating.dimensions.len() + 8);
        let (model, sub) =
            (if zh { &self.name_zh } else { &self.name_en }, self.sub_model_name(&rating.sub_model, zh));
        out.push(if zh {
            format!(
                "{model} {}，子模型：{sub}。得分 {}/100 → 违约概率 {} → 字母等级 {}，百分制等级 {}",
                rating.model_version,
                one_decimal(rating.score),
                pd_text(rating.pd),
                rating.grade_before_knockouts.0,
                rating.grade_before_knockouts.1
            )
        } else {
            format!(
                "{model} {}, sub-model: {sub}. Score {}/100 → PD {} → letter grade {}, 100-point grade {}",
                rating.model_version,
                one_decimal(rating.score),
                pd_text(rating.pd),
                rating.grade_before_knockouts.0,
                rating.grade_before_knockouts.1
            )
        });
        for d in &rating.dimensions {
            let name = self.dimension_name(&d.dimension, zh);
            let mut line = if zh {
                format!(
                    "{name}：{}/100 分 × 权重 {} = {} 分",
                    points_text(d.points),
                    percent_text(d.weight),
                    one_decimal(d.contribution)
                )
            } else {
                format!(
                    "{name}: {}/100 × weight {} = {} points",
                    points_text(d.points),
                    percent_text(d.weight),
                    one_decimal(d.contribution)
                )
            };
            if (d.weight - d.nominal_weight).abs() > 1e-9 {
                line += &if zh {
                    format!("（原权重 {}）", percent_text(d.nominal_weight))
                } else {
                    format!(" (weight as written {})", percent_text(d.nominal_weight))
                };
            }
            out.push(line);
            for l in rating.lines.iter().filter(|l| l.dimension == d.dimension) {
                out.push(self.explain_line(l, &name, zh, peer_medians));
            }
        }
        for k in &rating.knockouts {
            let rule = self.knockouts.iter().find(|r| r.code == k.code);
            let name = rule.map_or(k.name.as_str(), |r| if zh { &r.name_zh } else { &r.name_en });
            out.push(if zh {
                format!(
                    "{} {}：字母等级最高 {}，百分制等级最高 {}",
                    k.code, name, k.letter_grade_at_best, k.point_grade_at_best
                )
            } else {
                format!(
                    "{} {}: letter grade at best {}, 100-point grade at best {}",
                    k.code, name, k.letter_grade_at_best, k.point_grade_at_best
                )
            });
        }
        for o in &rating.overrides {
            let scale = match (o.scale, zh) {
                (ScaleKind::Letter, true) => "字母等级",
                (ScaleKind::Points, true) => "百分制等级",
                (ScaleKind::Letter, false) => "letter grade",
                (ScaleKind::Points, false) => "100-point grade",
            };
            out.push(if zh {
                format!(
                    "人工调整{scale}：{} → {}（模型等级 {}），理由：{}，审批人：{}",
                    o.previous_grade, o.grade, o.original_grade, o.reason, o.approver
                )
            } else {
                format!(
                    "Manual override of the {scale}: {} → {} (model grade {}), reason: {}, approved by {}",
                    o.previous_grade, o.grade, o.original_grade, o.reason, o.approver
                )
            });
        }
        let (letter_before, point_before) = &rating.grade_before_knockouts;
        if &rating.letter_grade != letter_before || &rating.point_grade != point_before {
            out.push(if zh {
                format!(
                    "最终等级：字母等级 {}，百分制等级 {}（隐含违约概率 {}）",
                    rating.letter_grade,
                    rating.point_grade,
                    pd_text(rating.grade_pd)
                )
            } else {
                format!(
                    "Final grades: letter {}, 100-point {} (PD implied by the grade {})",
                    rating.letter_grade,
                    rating.point_grade,
                    pd_text(rating.grade_pd)
                )
            });
        }
        out.extend(rating.notes.iter().map(|n| note_text(n, zh)));
        out
    }

    fn explain_line(
        &self,
        l: &ScoreLine,
        dimension: &str,
        zh: bool,
        peer_medians: Option<&HashMap<String, f64>>,
    ) -> String {
        let slot = if l.qualitative { None } else { self.slot_of.get(l.indicator.as_str()).copied() };
        let curve = slot.and_then(|s| self.curves.get(s));
        let name = match (curve, l.qualitative) {
            (Some(c), _) => {
                if zh {
                    c.name_zh.clone()
                } else {
                    c.name_en.clone()
                }
            }
            (None, true) => {
                let f = self.factors.iter().find(|f| f.id == l.indicator);
                let n = f.map_or(l.indicator.as_str(), |f| if zh { &f.name_zh } else { &f.name_en });
                if zh { format!("{n}（分析师评分）") } else { format!("{n} (analyst)") }
            }
            (None, false) => l.indicator.clone(),
        };
        let unit = curve.map(|c| c.unit);
        let value = |x: f64| match unit {
            Some(u) => value_text(x, u, zh),
            None => format!("{}/100", points_text(x)),
        };
        let weighted = |points: f64| {
            if zh {
                format!(
                    "{}/100 分 × 权重 {} = {} 分",
                    points_text(points),
                    percent_text(l.weight),
                    one_decimal(l.contribution)
                )
            } else {
                format!(
                    "{}/100 × weight {} = {} points",
                    points_text(points),
                    percent_text(l.weight),
                    one_decimal(l.contribution)
                )
            }
        };
        let mut text = match (l.value, &l.missing) {
            (Some(x), _) => format!("{name} {} → {}", value(x), weighted(l.points)),
            (None, Some(reason)) => {
                let reason = missing_text(reason, zh);
                if l.weight == 0.0 {
                    if zh {
                        format!(
                            "{name}：缺失（{reason}），其权重 {} 按比例分给{dimension}的其他指标",
                            percent_text(l.nominal_weight)
                        )
                    } else {
                        format!(
                            "{name}: missing ({reason}); its weight {} went pro rata to the other lines of {dimension}",
                            percent_text(l.nominal_weight)
                        )
                    }
                } else if zh {
                    format!("{name}：缺失（{reason}），按中性值 {}", weighted(l.points))
                } else {
                    format!("{name}: missing ({reason}), neutral {}", weighted(l.points))
                }
            }
            (None, None) => format!("{name}: {}", weighted(l.points)),
        };
        if let (Some(median), Some(curve)) = (peer_medians.and_then(|m| m.get(&l.indicator)), curve)
            && median.is_finite()
        {
            let p = points_text(curve.points(*median));
            text += &if zh {
                format!("（同业中位数 {} → {p}/100 分）", value(*median))
            } else {
                format!(" (peer median {} → {p}/100)", value(*median))
            };
        }
        text
    }

    fn dimension_name(&self, id: &str, zh: bool) -> String {
        self.dimensions
            .iter()
            .find(|d| d.id == id)
            .map_or_else(|| id.to_string(), |d| if zh { d.name_zh.clone() } else { d.name_en.clone() })
    }

    fn sub_model_name(&self, id: &str, zh: bool) -> String {
        id.split('+')
            .map(|part| {
                self.layers
                    .iter()
                    .find(|l| l.id == part)
                    .map_or(part, |l| if zh { l.name_zh.as_str() } else { l.name_en.as_str() })
            })
            .collect::<Vec<_>>()
            .join(" + ")
    }
}

fn missing_text(reason: &str, zh: bool) -> &str {
    if !zh {
        return reason;
    }
    match reason {
        MISSING_NOT_IN_SET => "指标集中没有该指标",
        MISSING_NOT_FINITE => "不是有限数值",
        MISSING_NO_REASON => "无数值",
        MISSING_NOT_SCORED => "分析师未评分",
        other => other,
    }
}

fn note_text(note: &RatingNote, zh: bool) -> String {
    match (note, zh) {
        (RatingNote::UnknownFlag { flag }, true) => format!("提示：模型未声明标志 `{flag}`，已忽略"),
        (RatingNote::UnknownFlag { flag }, false) => {
            format!("Note: the model declares no flag `{flag}`; ignored")
        }
        (RatingNote::UnknownQualitativeFactor { factor }, true) => {
            format!("提示：模型不使用定性因素 `{factor}`，已忽略")
        }
        (RatingNote::UnknownQualitativeFactor { factor }, false) => {
            format!("Note: the model uses no qualitative factor `{factor}`; ignored")
        }
        (RatingNote::QualitativeScoreRepeated { factor }, true) => {
            format!("提示：定性因素 `{factor}` 评分多次，采用第一次")
        }
        (RatingNote::QualitativeScoreRepeated { factor }, false) => {
            format!("Note: qualitative factor `{factor}` was scored more than once; the first score counts")
        }
        (RatingNote::QualitativeScoreOutOfRange { factor, score }, true) => {
            format!("提示：定性因素 `{factor}` 的评分 {score} 超出 0–100，已截取")
        }
        (RatingNote::QualitativeScoreOutOfRange { factor, score }, false) => {
            format!("Note: qualitative factor `{factor}` scored {score}, outside 0–100; clamped")
        }
        (RatingNote::NoValues, true) => "提示：没有任何指标或定性评分，所有项目按中性值计分".to_string(),
        (RatingNote::NoValues, false) => {
            "Note: no indicator or qualitative score had a value; every line scored the neutral points"
                .to_string()
        }
    }
}

fn value_text(x: f64, unit: Unit, zh: bool) -> String {
    without_negative_zero(value_text_signed(x, unit, zh))
}

/// "-0" and "-0.0" (a tiny negative rounded away) read as 0.
fn without_negative_zero(text: String) -> String {
    let digits_all_zero = text.chars().filter(char::is_ascii_digit).all(|c| c == '0');
    match text.strip_prefix('-') {
        Some(rest) if digits_all_zero => rest.to_owned(),
        _ => text,
    }
}

fn value_text_signed(x: f64, unit: Unit, zh: bool) -> String {
    match (unit, zh) {
        (Unit::Percent, _) => format!("{x:.1}%"),
        (Unit::Ratio, _) => format!("{x:.2}"),
        (Unit::Index, _) => format!("{x:+.2}"),
        (Unit::Count, _) => format!("{x:.0}"),
        (Unit::Times, true) => format!("{x:.1} 次/年"),
        (Unit::Times, false) => format!("{x:.1} times/yr"),
        (Unit::Days, true) => format!("{x:.0} 天"),
        (Unit::Days, false) => format!("{x:.0} days"),
        (Unit::Months, true) => format!("{x:.1} 个月"),
        (Unit::Months, false) => format!("{x:.1} months"),
        (Unit::Years, true) => format!("{x:.1} 年"),
        (Unit::Years, false) => format!("{x:.1} years"),
        (Unit::Points, true) => format!("{x:.1} 分"),
        (Unit::Points, false) => format!("{x:.1} points"),
        (Unit::Cny, true) => format!("{x:.0} 元"),
        (Unit::Cny, false) => format!("{x:.0} CNY"),
    }
}

/// Whole points without decimals, others with one: `35`, `62.5`.
fn points_text(x: f64) -> String {
    let r = (x * 10.0).round() / 10.0;
    if r.fract() == 0.0 { format!("{r:.0}") } else { format!("{r:.1}") }
}

fn one_decimal(x: f64) -> String {
    format!("{x:.1}")
}

/// A share as a percentage with at most one decimal: `10%`, `4.8%`.
fn percent_text(x: f64) -> String {
    format!("{}%", points_text(x * 100.0))
}

/// PDs below 1% need more precision: `0.40%`, `1.41%`, `25.00%`.
fn pd_text(pd: f64) -> String {
    format!("{:.2}%", pd * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_zero_reads_as_zero() {
        assert_eq!(value_text(-0.0, Unit::Count, false), "0");
        assert_eq!(value_text(-0.04, Unit::Percent, false), "0.0%");
        assert_eq!(value_text(-0.6, Unit::Count, false), "-1");
    }

    #[test]
    fn numbers_read_naturally() {
        assert_eq!(points_text(35.0), "35");
        assert_eq!(points_text(62.46), "62.5");
        assert_eq!(percent_text(0.1), "10%");
        assert_eq!(percent_text(0.048), "4.8%");
        assert_eq!(pd_text(0.014_142), "1.41%");
        assert_eq!(value_text(78.0, Unit::Percent, false), "78.0%");
        assert_eq!(value_text(45.0, Unit::Days, true), "45 天");
    }
}
