//! Industry segments: GB/T 4754 section and sub-industry, name words, the business line
//! that sells to them, their effect on latent health and the financial shape (margins,
//! working-capital days, asset intensity, leverage) their statements are drawn around.

/// Which industry-specific statement items (IND-6) a segment reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sector {
    /// Capacity utilisation and raw-material price change.
    Manufacturing,
    /// Staff turnover and customer retention.
    Services,
    /// Land reserve.
    RealEstate,
    Other,
}

#[derive(Debug)]
pub(crate) struct Segment {
    /// GB/T 4754-2017 section letter.
    pub section: &'static str,
    /// Finer code stored in `sub_industry`.
    pub sub_industry: &'static str,
    /// Relative share among companies that are not government platforms.
    pub weight: f64,
    /// Additive effect on long-run health.
    pub effect: f64,
    /// Multiplier of the idiosyncratic spread of long-run health (volatile segments > 1).
    pub spread: f64,
    pub sector: Sector,
    /// Industry words of company names.
    pub words: &'static [&'static str],
    /// Our business lines selling to the segment, most likely first.
    pub business_lines: &'static [&'static str],
    /// Annual trend growth of revenue at average health.
    pub growth: f64,
    pub gross_margin: f64,
    /// Selling, general and administrative expenses over revenue.
    pub opex_ratio: f64,
    pub rd_ratio: f64,
    /// Days of revenue in receivables, of cost of sales in inventory and in payables.
    pub dso: f64,
    pub dio: f64,
    pub dpo: f64,
    /// Fixed assets and other non-current assets over annual revenue.
    pub fixed_intensity: f64,
    pub other_noncurrent: f64,
    /// Liabilities over assets at average health.
    pub leverage: f64,
    /// Cash in months of operating cost at average health.
    pub cash_months: f64,
    /// Annual revenue per employee, yuan.
    pub revenue_per_employee: f64,
}

macro_rules! segment {
    ($section:literal, $sub:literal, $weight:literal, $effect:literal, $spread:literal, $sector:ident,
     $words:expr, $lines:expr,
     [$growth:literal, $gm:literal, $opex:literal, $rd:literal, $dso:literal, $dio:literal, $dpo:literal,
      $fixed:literal, $onca:literal, $lev:literal, $cash:literal, $rpe:literal]) => {
        Segment {
            section: $section,
            sub_industry: $sub,
            weight: $weight,
            effect: $effect,
            spread: $spread,
            sector: Sector::$sector,
            words: $words,
            business_lines: $lines,
            growth: $growth,
            gross_margin: $gm,
            opex_ratio: $opex,
            rd_ratio: $rd,
            dso: $dso,
            dio: $dio,
            dpo: $dpo,
            fixed_intensity: $fixed,
            other_noncurrent: $onca,
            leverage: $lev,
            cash_months: $cash,
            revenue_per_employee: $rpe,
        }
    };
}

/// Columns of the financial shape: growth, gross margin, opex, R&D, DSO, DIO, DPO, fixed
/// assets / revenue, other non-current / revenue, leverage, cash months, revenue per
/// employee. Effects: real estate and construction weakest, healthcare and electronics
/// strongest; fintech the most dispersed.
pub(crate) static SEGMENTS: &[Segment] = &[
    segment!(
        "C",
        "C34",
        12.0,
        0.0,
        1.0,
        Manufacturing,
        &["机械", "重工", "精密机械", "机电设备", "装备制造"],
        &["machinery", "materials"],
        [0.05, 0.26, 0.12, 0.04, 95.0, 110.0, 90.0, 0.45, 0.15, 0.55, 3.0, 1.0e6]
    ),
    segment!(
        "C",
        "C26",
        7.0,
        -0.1,
        1.0,
        Manufacturing,
        &["化工", "塑胶", "涂料", "精细化工"],
        &["chemicals", "materials"],
        [0.04, 0.22, 0.09, 0.03, 60.0, 60.0, 70.0, 0.6, 0.15, 0.55, 2.5, 1.5e6]
    ),
    segment!(
        "C",
        "C39",
        9.0,
        0.1,
        1.0,
        Manufacturing,
        &["电子", "光电", "半导体", "电子科技", "智能科技"],
        &["electronics", "machinery"],
        [0.08, 0.24, 0.1, 0.07, 80.0, 75.0, 90.0, 0.4, 0.15, 0.5, 3.0, 1.2e6]
    ),
    segment!(
        "C",
        "C17",
        6.0,
        -0.15,
        1.0,
        Manufacturing,
        &["纺织", "服饰", "织造", "家居用品"],
        &["materials", "chemicals"],
        [0.01, 0.18, 0.09, 0.015, 55.0, 90.0, 60.0, 0.35, 0.1, 0.55, 2.0, 0.6e6]
    ),
    segment!(
        "C",
        "healthcare",
        3.0,
        0.2,
        1.0,
        Manufacturing,
        &["医药", "生物医药", "医疗器械", "制药"],
        &["chemicals", "services"],
        [0.09, 0.55, 0.3, 0.1, 110.0, 120.0, 80.0, 0.5, 0.3, 0.38, 5.0, 1.0e6]
    ),
    segment!(
        "F",
        "F51",
        14.0,
        -0.05,
        1.0,
        Other,
        &["贸易", "商贸", "供应链管理", "物资", "进出口"],
        &["materials", "electronics", "chemicals"],
        [0.03, 0.1, 0.055, 0.002, 40.0, 35.0, 45.0, 0.05, 0.05, 0.6, 1.5, 3.0e6]
    ),
    segment!(
        "E",
        "E48",
        8.0,
        -0.3,
        1.0,
        Other,
        &["建设", "建工", "建筑工程", "路桥工程", "市政工程"],
        &["machinery", "materials"],
        [0.02, 0.11, 0.045, 0.01, 150.0, 60.0, 160.0, 0.1, 0.2, 0.72, 2.0, 1.2e6]
    ),
    segment!(
        "K",
        "K70",
        5.0,
        -0.45,
        1.1,
        RealEstate,
        &["置业", "房地产开发", "地产"],
        &["materials", "services"],
        [-0.03, 0.25, 0.08, 0.0, 20.0, 900.0, 200.0, 0.03, 0.3, 0.78, 3.0, 3.0e6]
    ),
    segment!(
        "L",
        "L72",
        5.0,
        0.0,
        1.0,
        Services,
        &["商务服务", "咨询", "人力资源", "企业管理"],
        &["services"],
        [0.05, 0.3, 0.2, 0.01, 70.0, 5.0, 40.0, 0.08, 0.2, 0.5, 3.0, 0.4e6]
    ),
    segment!(
        "M",
        "M75",
        4.0,
        0.05,
        1.0,
        Services,
        &["检测技术", "工程技术", "技术服务", "设计研究"],
        &["services", "electronics"],
        [0.08, 0.4, 0.25, 0.08, 100.0, 10.0, 50.0, 0.15, 0.15, 0.42, 4.0, 0.5e6]
    ),
    segment!(
        "O",
        "O80",
        3.0,
        -0.05,
        1.0,
        Services,
        &["物业服务", "家政服务", "汽车维修", "洗涤服务"],
        &["services"],
        [0.03, 0.3, 0.22, 0.0, 20.0, 10.0, 30.0, 0.15, 0.05, 0.5, 2.0, 0.25e6]
    ),
    segment!(
        "I",
        "I65",
        6.0,
        0.05,
        1.05,
        Services,
        &["信息技术", "软件", "网络科技", "数据科技"],
        &["electronics", "services"],
        [0.1, 0.45, 0.28, 0.1, 100.0, 10.0, 60.0, 0.08, 0.2, 0.4, 5.0, 0.6e6]
    ),
    segment!(
        "J",
        "fintech",
        2.0,
        -0.1,
        1.35,
        Other,
        &["金融科技", "数字科技", "支付科技"],
        &["services"],
        [0.15, 0.6, 0.38, 0.12, 30.0, 1.0, 20.0, 0.05, 0.3, 0.55, 6.0, 1.5e6]
    ),
    segment!(
        "Q",
        "healthcare",
        2.0,
        0.15,
        1.0,
        Services,
        &["医疗管理", "医院管理", "健康管理"],
        &["services"],
        [0.07, 0.35, 0.22, 0.02, 90.0, 20.0, 60.0, 0.6, 0.1, 0.5, 3.0, 0.5e6]
    ),
    segment!(
        "D",
        "green_energy",
        3.0,
        0.1,
        1.0,
        Manufacturing,
        &["新能源", "光伏", "风电", "储能科技"],
        &["energy", "machinery"],
        [0.12, 0.3, 0.08, 0.03, 120.0, 30.0, 90.0, 2.5, 0.3, 0.68, 3.0, 2.0e6]
    ),
    segment!(
        "G",
        "G54",
        4.0,
        -0.05,
        1.0,
        Services,
        &["物流", "运输", "供应链物流", "仓储"],
        &["energy", "services"],
        [0.04, 0.14, 0.07, 0.005, 50.0, 5.0, 40.0, 0.6, 0.1, 0.55, 2.0, 0.8e6]
    ),
    segment!(
        "A",
        "A01",
        2.0,
        -0.1,
        1.0,
        Other,
        &["农业", "农牧", "生态农业", "果蔬"],
        &["materials", "chemicals"],
        [0.03, 0.2, 0.08, 0.005, 45.0, 120.0, 40.0, 0.7, 0.2, 0.5, 2.0, 0.4e6]
    ),
];

/// The segment of government financing platforms: big assets (land, infrastructure,
/// projects under construction), little revenue.
pub(crate) static PUBLIC_WORKS: Segment = segment!(
    "N",
    "N78",
    0.0,
    0.1,
    0.8,
    Other,
    &["城市建设投资集团", "城投发展", "交通投资集团", "产业投资", "水务投资"],
    &["materials", "energy"],
    [0.02, 0.15, 0.05, 0.0, 200.0, 1500.0, 100.0, 3.0, 5.0, 0.62, 6.0, 3.0e6]
);

/// Segments individual customers (sole traders, farmers) are drawn from.
pub(crate) const INDIVIDUAL_SEGMENTS: [usize; 3] = [5, 10, 16];

pub(crate) fn segment_weights() -> Vec<f64> {
    SEGMENTS.iter().map(|s| s.weight).collect()
}

/// Index of a segment within the economy-wide shock table: the table's segments, then
/// public works.
pub(crate) fn shock_index(segment: &Segment) -> usize {
    SEGMENTS.iter().position(|s| std::ptr::eq(s, segment)).unwrap_or(SEGMENTS.len())
}

/// Number of rows of the economy-wide shock table.
pub(crate) const SHOCK_ROWS: usize = 18;

#[cfg(test)]
mod tests {
    use super::*;
    use credence_domain::{Industry, Labelled};

    #[test]
    fn tables_are_consistent() {
        assert_eq!(SHOCK_ROWS, SEGMENTS.len() + 1);
        for s in SEGMENTS.iter().chain([&PUBLIC_WORKS]) {
            assert!(Industry::ALL.iter().any(|i| i.code() == s.section));
            assert!(
                s.gross_margin > s.opex_ratio + s.rd_ratio,
                "{} loses money at average health",
                s.sub_industry
            );
            assert!(!s.words.is_empty() && !s.business_lines.is_empty());
        }
        for i in INDIVIDUAL_SEGMENTS {
            assert!(["F", "O", "A"].contains(&SEGMENTS[i].section));
        }
    }
}
