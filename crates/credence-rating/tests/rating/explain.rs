//! Explanations in English and Chinese, line by line.

use std::collections::HashMap;

use credence_rating::Lang;

use crate::fixtures::*;

/// The reference customer with character 70 (score 68.5, see `scoring.rs`) and a peer
/// median debt ratio of 45% (below 50% → 100 points).
/// PD at 68.5: 0.06 × (0.025 / 0.06)^0.35 = 4.42%, letter A (2–10%), 100-point A (60–80).
#[test]
fn english_lines_with_peer_median() {
    let m = small();
    let r = rate(&m, &set(reference()), ("large", "F", None), &character(70.0));
    let peers = HashMap::from([("debt_to_asset".to_string(), 45.0)]);
    assert_eq!(
        m.explain(&r, Lang::En, Some(&peers)),
        [
            "Test model 2026-Q4-V0.1, sub-model: General. Score 68.5/100 → PD 4.42% → letter grade A, 100-point grade A",
            "Financial: 55/100 × weight 40% = 22.0 points",
            "current ratio 1.50 → 50/100 × weight 20% = 10.0 points",
            "debt ratio 60.0% → 60/100 × weight 20% = 12.0 points (peer median 45.0% → 100/100)",
            "Operations: 77.5/100 × weight 60% = 46.5 points",
            "payment timeliness 8.0 points → 80/100 × weight 45% = 36.0 points",
            "Character (analyst) 70/100 → 70/100 × weight 15% = 10.5 points",
        ]
    );
}

/// Current ratio 2 and debt ratio 30% (100 points each: financial 40), payment timeliness 5
/// (50 points, taking the unscored character's weight: 0.6 × 50 = 30): score 70, PD
/// √(0.06 × 0.025) = 3.87% → A/A; K01 makes both C and the grade's PD C's lower edge 10%.
#[test]
fn chinese_lines_with_missing_factor_and_knockout() {
    let m = small();
    let s =
        set(values(&[("current_ratio", 2.0), ("debt_to_asset", 30.0), ("payment_timeliness_score", 5.0)]));
    let r = rate(&m, &s, ("large", "F", None), &[]);
    assert_eq!(
        m.explain(&r, Lang::Zh, None),
        [
            "测试模型 2026-Q4-V0.1，子模型：通用。得分 70.0/100 → 违约概率 3.87% → 字母等级 A，百分制等级 A",
            "财务：100/100 分 × 权重 40% = 40.0 分",
            "流动比率 2.00 → 100/100 分 × 权重 20% = 20.0 分",
            "资产负债率 30.0% → 100/100 分 × 权重 20% = 20.0 分",
            "经营：50/100 分 × 权重 60% = 30.0 分",
            "付款及时性 5.0 分 → 50/100 分 × 权重 60% = 30.0 分",
            "品格（分析师评分）：缺失（分析师未评分），其权重 15% 按比例分给经营的其他指标",
            "K01 付款及时性得分5分或以下：字母等级最高 C，百分制等级最高 C",
            "最终等级：字母等级 C，百分制等级 C（隐含违约概率 10.00%）",
        ]
    );
}

/// The shipped model explains every line of a rating in both languages.
#[test]
fn shipped_model_explains_every_line() {
    let m = builtin();
    let r = rate(&m, &strong_with(&[("quick_ratio", None)]), ("sme", "C", None), &[]);
    for lang in [Lang::Zh, Lang::En] {
        let lines = m.explain(&r, lang, None);
        assert_eq!(lines.len(), 1 + r.dimensions.len() + r.lines.len());
    }
    let en = m.explain(&r, Lang::En, None);
    assert!(en[0].contains("sub-model: SME + Manufacturing"), "{}", en[0]);
    assert!(en.iter().any(|l| l.starts_with("quick ratio: missing (no statement on or before 2026-09-30)")));
}
