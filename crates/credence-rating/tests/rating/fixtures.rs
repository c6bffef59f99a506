//! Hand-built indicator sets and a small model whose arithmetic fits in a doc comment.

use chrono::NaiveDate;
use credence_indicators::{IndicatorSet, IndicatorValue, Trend};
use credence_rating::{QualitativeScore, Rating, RatingInput, ScorecardModel};

/// The indicator catalogue's ids, written out so these tests do not depend on the
/// catalogue's evaluation (one test checks the list against the catalogue itself).
pub const KNOWN: &[&str] = &[
    "promise_kept_rate",
    "dispute_rate",
    "current_ratio",
    "quick_ratio",
    "cash_ratio",
    "inventory_turnover",
    "receivables_turnover",
    "debt_to_asset",
    "gross_margin",
    "net_margin",
    "roe",
    "total_asset_turnover",
    "cost_ratio",
    "revenue_per_employee",
    "market_share",
    "largest_customer_share",
    "rd_ratio",
    "new_product_share",
    "revenue_cagr_3y",
    "overseas_revenue_share",
    "cash_reserve_months",
    "operating_cash_flow_growth",
    "dso",
    "days_beyond_terms",
    "overdue_rate",
    "bad_debt_rate",
    "payment_timeliness_score",
    "limit_utilisation",
    "aging_1_30_share",
    "aging_31_60_share",
    "aging_61_90_share",
    "aging_over_90_share",
    "lawsuits_defendant_4q",
    "lawsuits_defendant_growth",
    "supplier_payment_suits_4q",
    "enforcement_hits_4q",
    "management_changes_4q",
    "core_staff_departures_4q",
    "customer_loss_share_4q",
    "quality_complaints_4q",
    "quality_complaints_growth",
    "news_sentiment_4q",
    "news_heat_4q",
    "relationship_months",
    "equipment_depreciation_rate",
    "capacity_utilisation",
    "raw_material_price_volatility",
    "staff_turnover",
    "customer_retention",
    "land_reserve_years",
];

/// A two-dimension model. Base: financial 40% = current_ratio 50% + debt_to_asset 50%;
/// operations 60% = payment_timeliness_score 75% + character 25%. Layers: `sme` (financial 20%,
/// operations 80%), `manufacturing` (industry C: financial = current_ratio only),
/// `machinery` (sub-industry C34: financial = debt_to_asset only).
pub const SMALL: &str = r#"version = "2026-Q4-V0.1"
name_zh = "测试模型"
name_en = "Test model"

[missing]
policy = "redistribute"
neutral_points = 50

[[dimensions]]
id = "financial"
name_zh = "财务"
name_en = "Financial"

[[dimensions]]
id = "operations"
name_zh = "经营"
name_en = "Operations"

[[qualitative]]
id = "character"
name_zh = "品格"
name_en = "Character"

[[flags]]
id = "key_documents_missing"
name_zh = "关键资料不全"
name_en = "Key documents missing"

[indicators.current_ratio]
name_zh = "流动比率"
name_en = "current ratio"
unit = "ratio"
direction = "higher_better"
points = [[1.0, 0], [2.0, 100]]

[indicators.debt_to_asset]
name_zh = "资产负债率"
name_en = "debt ratio"
unit = "percent"
direction = "lower_better"
bands = [
  { to = 50, points = 100 },
  { from = 50, to = 70, points = 60 },
  { from = 70, points = 20 },
]

[indicators.payment_timeliness_score]
name_zh = "付款及时性"
name_en = "payment timeliness"
unit = "points"
direction = "higher_better"
points = [[0, 0], [10, 100]]

[indicators.overseas_revenue_share]
name_zh = "海外收入占比"
name_en = "overseas share"
unit = "percent"
direction = "target"
points = [[0, 50], [20, 100], [100, 0]]

[[sub_models]]
id = "general"
name_zh = "通用"
name_en = "General"
dimension_weights = { financial = 0.4, operations = 0.6 }

[sub_models.indicators.financial]
current_ratio = 0.5
debt_to_asset = 0.5

[sub_models.indicators.operations]
payment_timeliness_score = 0.75
character = 0.25

[[sub_models]]
id = "sme"
name_zh = "中小企业"
name_en = "SME"
customer_types = ["sme"]
dimension_weights = { financial = 0.2, operations = 0.8 }

[[sub_models]]
id = "manufacturing"
name_zh = "制造业"
name_en = "Manufacturing"
industries = ["C"]

[sub_models.indicators.financial]
current_ratio = 1.0

[[sub_models]]
id = "machinery"
name_zh = "通用设备制造"
name_en = "Machinery"
sub_industries = ["C34"]

[sub_models.indicators.financial]
debt_to_asset = 1.0

[calibration]
anchors = [[95, 0.002], [85, 0.008], [75, 0.025], [65, 0.06], [55, 0.12], [40, 0.25], [20, 0.45]]

[[letter_grades]]
grade = "AAA"
name_zh = "风险极低"
name_en = "Minimal risk"
pd_from = 0.0
pd_to = 0.02

[[letter_grades]]
grade = "A"
name_zh = "风险低"
name_en = "Low risk"
pd_from = 0.02
pd_to = 0.1

[[letter_grades]]
grade = "C"
name_zh = "接近违约"
name_en = "Near default"
pd_from = 0.1
pd_to = 1.0

[[point_grades]]
grade = "AAA"
name_zh = "超优级客户"
name_en = "Prime customer"
score_from = 80
score_to = 100

[[point_grades]]
grade = "A"
name_zh = "基础客户"
name_en = "Core customer"
score_from = 60
score_to = 80

[[point_grades]]
grade = "C"
name_zh = "存在风险客户"
name_en = "At-risk customer"
score_from = 0
score_to = 60

[[knockouts]]
code = "K01"
name = "PaymentTimelinessAtMostFive"
name_zh = "付款及时性得分5分或以下"
name_en = "Payment timeliness 5 points or less"
when = "payment_timeliness_score <= 5"
letter_grade_at_best = "C"
point_grade_at_best = "C"
"#;

pub fn small() -> ScorecardModel {
    ScorecardModel::from_toml(SMALL, "test.toml", KNOWN).unwrap_or_else(|e| panic!("{e}"))
}

pub fn builtin() -> ScorecardModel {
    ScorecardModel::from_toml(credence_rating::BUILTIN_MODEL, "expert.toml", KNOWN)
        .unwrap_or_else(|e| panic!("{e}"))
}

pub fn value(id: &str, v: f64) -> IndicatorValue {
    IndicatorValue { id: id.into(), value: Some(v), missing: None, period_end: None, trend: None }
}

pub fn missing(id: &str, reason: &str) -> IndicatorValue {
    IndicatorValue { id: id.into(), value: None, missing: Some(reason.into()), period_end: None, trend: None }
}

pub fn with_yoy(mut v: IndicatorValue, yoy: f64) -> IndicatorValue {
    v.trend = Some(Trend { yoy: Some(yoy), ..Trend::default() });
    v
}

pub fn set(values: Vec<IndicatorValue>) -> IndicatorSet {
    IndicatorSet {
        customer_id: "C0001".into(),
        as_of: NaiveDate::from_ymd_opt(2026, 9, 30).expect("date"),
        catalogue_version: "2026-Q4-V1.0".into(),
        values,
    }
}

pub fn values(pairs: &[(&str, f64)]) -> Vec<IndicatorValue> {
    pairs.iter().map(|&(id, v)| value(id, v)).collect()
}

/// The small model's reference customer: current ratio 1.5 (50 points), debt ratio 60%
/// (60 points), payment timeliness 8 (80 points).
pub fn reference() -> Vec<IndicatorValue> {
    values(&[("current_ratio", 1.5), ("debt_to_asset", 60.0), ("payment_timeliness_score", 8.0)])
}

pub fn character(score: f64) -> Vec<QualitativeScore> {
    vec![QualitativeScore { factor: "character".into(), score }]
}

/// Rates with the given customer type, industry and sub-industry, no flags.
pub fn rate(
    model: &ScorecardModel,
    indicators: &IndicatorSet,
    selector: (&str, &str, Option<&str>),
    qualitative: &[QualitativeScore],
) -> Rating {
    rate_flagged(model, indicators, selector, qualitative, &[])
}

pub fn rate_flagged(
    model: &ScorecardModel,
    indicators: &IndicatorSet,
    (customer_type, industry, sub_industry): (&str, &str, Option<&str>),
    qualitative: &[QualitativeScore],
    flags: &[&str],
) -> Rating {
    model.rate(&RatingInput { indicators, customer_type, industry, sub_industry, qualitative, flags })
}

/// A customer that scores well on every line of the shipped model.
pub fn strong() -> Vec<IndicatorValue> {
    values(&[
        ("current_ratio", 2.2),
        ("quick_ratio", 1.2),
        ("cash_ratio", 0.6),
        ("debt_to_asset", 35.0),
        ("gross_margin", 40.0),
        ("net_margin", 16.0),
        ("roe", 18.0),
        ("cost_ratio", 40.0),
        ("cash_reserve_months", 7.0),
        ("operating_cash_flow_growth", 25.0),
        ("payment_timeliness_score", 10.0),
        ("days_beyond_terms", 0.0),
        ("overdue_rate", 0.0),
        ("bad_debt_rate", 0.0),
        ("dso", 25.0),
        ("limit_utilisation", 40.0),
        ("receivables_turnover", 12.0),
        ("inventory_turnover", 12.0),
        ("total_asset_turnover", 2.0),
        ("revenue_per_employee", 400_000.0),
        ("relationship_months", 72.0),
        ("lawsuits_defendant_4q", 0.0),
        ("supplier_payment_suits_4q", 0.0),
        ("enforcement_hits_4q", 0.0),
        ("management_changes_4q", 0.0),
        ("core_staff_departures_4q", 0.0),
        ("quality_complaints_4q", 0.0),
        ("customer_loss_share_4q", 0.0),
        ("news_sentiment_4q", 0.6),
        ("revenue_cagr_3y", 25.0),
        ("rd_ratio", 9.0),
        ("new_product_share", 25.0),
        ("market_share", 20.0),
        ("largest_customer_share", 20.0),
        ("overseas_revenue_share", 20.0),
        ("capacity_utilisation", 95.0),
        ("equipment_depreciation_rate", 4.0),
        ("raw_material_price_volatility", 0.0),
        ("staff_turnover", 5.0),
        ("customer_retention", 95.0),
        ("land_reserve_years", 4.0),
    ])
}

/// `strong()` with some values replaced.
pub fn strong_with(changes: &[(&str, Option<f64>)]) -> IndicatorSet {
    let mut v = strong();
    for &(id, new) in changes {
        let pos = v.iter().position(|x| x.id == id).unwrap_or_else(|| {
            v.push(value(id, 0.0));
            v.len() - 1
        });
        v[pos] = match new {
            Some(x) => value(id, x),
            None => missing(id, "no statement on or before 2026-09-30"),
        };
    }
    set(v)
}

pub fn assert_close(got: f64, expected: f64) {
    assert!((got - expected).abs() < 1e-9, "expected {expected}, got {got}");
}
