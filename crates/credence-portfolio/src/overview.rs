//! The figures of the portfolio cockpit over a set of positions.

use std::collections::HashMap;

use chrono::NaiveDate;
use credence_control::Level;
use credence_domain::CustomerId;
use serde::{Deserialize, Serialize};

use crate::{Portfolio, Position, UNRATED};

/// The columns of the heat map (its rows are industries).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HeatAxis {
    #[default]
    Region,
    BusinessLine,
}

/// How the overview is computed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OverviewConfig {
    /// Loss given default applied to every exposure for expected loss.
    pub lgd: f64,
    /// How many of the largest exposures to list.
    pub largest: usize,
    pub heat_axis: HeatAxis,
}

impl Default for OverviewConfig {
    fn default() -> Self {
        OverviewConfig { lgd: 0.45, largest: 10, heat_axis: HeatAxis::Region }
    }
}

/// Totals over the positions.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Totals {
    pub customers: u64,
    pub rated: u64,
    pub exposure: i64,
    pub receivables: i64,
    pub limit: i64,
    pub overdue: i64,
    pub over_90: i64,
    /// Overdue share of receivables; none without receivables.
    pub overdue_rate: Option<f64>,
    /// Exposure-weighted PD of the rated customers with exposure.
    pub weighted_pd: Option<f64>,
    /// PD × LGD × exposure over the rated customers.
    pub expected_loss: i64,
    /// Exposure of customers never rated (not in expected loss).
    pub unrated_exposure: i64,
    pub over_limit_customers: u64,
}

/// Customers and exposure at one warning level.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LevelTile {
    pub level: Level,
    pub customers: u64,
    pub exposure: i64,
    /// Share of the total exposure; none when there is none.
    pub exposure_share: Option<f64>,
    /// Of these customers, those under watch.
    pub watch: u64,
}

/// One grade of the distribution (the last bar is [`UNRATED`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GradeBar {
    pub grade: String,
    pub customers: u64,
    pub exposure: i64,
    pub expected_loss: i64,
    /// Mean PD of the grade's customers.
    pub mean_pd: Option<f64>,
}

/// One cell of the heat map.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeatCell {
    pub row: String,
    pub column: String,
    pub customers: u64,
    pub exposure: i64,
    /// Exposure-weighted PD of the cell's rated customers (their mean PD when none has
    /// exposure); none when none is rated.
    pub weighted_pd: Option<f64>,
    pub expected_loss: i64,
    pub red: u64,
}

/// Exposure-weighted PD by industry × region (or business line).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeatMap {
    pub axis: HeatAxis,
    /// Industries, largest exposure first.
    pub rows: Vec<String>,
    /// Regions or business lines, largest exposure first.
    pub columns: Vec<String>,
    /// Non-empty cells, row by row.
    pub cells: Vec<HeatCell>,
    /// The highest cell PD, for the colour scale.
    pub max_pd: Option<f64>,
}

/// A large exposure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LargeExposure {
    pub customer_id: CustomerId,
    pub name: String,
    pub grade: Option<String>,
    pub pd: Option<f64>,
    pub level: Level,
    pub exposure: i64,
    pub limit: i64,
    pub utilisation: Option<f64>,
    /// Share of the total exposure.
    pub share: f64,
}

/// How concentrated the exposure is.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Concentration {
    /// Herfindahl–Hirschman index of customer exposures, 0–10,000 (10,000: one customer).
    pub hhi_customers: f64,
    /// The same with each group counted as one obligor.
    pub hhi_groups: f64,
    /// Share of the ten largest customer exposures.
    pub top10_share: f64,
    /// The largest group and its share of the exposure.
    pub largest_group: Option<(String, f64)>,
}

/// Receivables and overdue at one month end (the last point is the portfolio's date).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OverdueTrendPoint {
    pub date: NaiveDate,
    pub receivables: i64,
    pub overdue: i64,
    pub overdue_rate: Option<f64>,
}

/// Average PD in one rating run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PdTrendPoint {
    pub date: NaiveDate,
    pub rated: u64,
    pub mean_pd: Option<f64>,
}

/// What the cockpit shows of a selection of the portfolio.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Overview {
    pub as_of: NaiveDate,
    pub currency: String,
    pub lgd: f64,
    pub totals: Totals,
    /// Red, yellow, green.
    pub levels: Vec<LevelTile>,
    pub grades: Vec<GradeBar>,
    pub heat: HeatMap,
    pub largest: Vec<LargeExposure>,
    pub concentration: Concentration,
    pub overdue_trend: Vec<OverdueTrendPoint>,
    pub pd_trend: Vec<PdTrendPoint>,
}

fn share(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// PD × LGD × exposure in minor units, rounded half away from zero.
fn expected_loss(p: &Position, lgd: f64) -> i64 {
    p.pd.map_or(0, |pd| (pd * lgd * p.exposure as f64).round() as i64)
}

/// Herfindahl–Hirschman index of the amounts, on the 0–10,000 scale.
fn hhi(amounts: impl Iterator<Item = i64> + Clone) -> f64 {
    let total: i64 = amounts.clone().filter(|&a| a > 0).sum();
    if total <= 0 {
        return 0.0;
    }
    10_000.0 * amounts.filter(|&a| a > 0).map(|a| (a as f64 / total as f64).powi(2)).sum::<f64>()
}

/// Sums for an exposure-weighted PD: Σ pd × exposure, Σ exposure, Σ pd, count.
#[derive(Default, Clone, Copy)]
struct PdSums {
    weighted: f64,
    weight: f64,
    plain: f64,
    n: u64,
}

impl PdSums {
    fn add(&mut self, p: &Position) {
        if let Some(pd) = p.pd {
            self.weighted += pd * p.exposure.max(0) as f64;
            self.weight += p.exposure.max(0) as f64;
            self.plain += pd;
            self.n += 1;
        }
    }

    fn weighted_pd(&self) -> Option<f64> {
        if self.weight > 0.0 {
            Some(self.weighted / self.weight)
        } else {
            (self.n > 0).then(|| self.plain / self.n as f64)
        }
    }
}

/// The overview of `positions` (already selected and scoped) of `portfolio`.
pub fn overview(portfolio: &Portfolio, positions: &[&Position], config: &OverviewConfig) -> Overview {
    let lgd = config.lgd;
    let mut totals = Totals::default();
    let mut sums = PdSums::default();
    for p in positions {
        totals.customers += 1;
        totals.rated += u64::from(p.pd.is_some());
        totals.exposure += p.exposure;
        totals.receivables += p.receivables;
        totals.limit += p.limit;
        totals.overdue += p.overdue;
        totals.over_90 += p.over_90;
        totals.expected_loss += expected_loss(p, lgd);
        totals.over_limit_customers += u64::from(p.over_limit() > 0);
        if p.pd.is_none() {
            totals.unrated_exposure += p.exposure;
        }
        sums.add(p);
    }
    totals.overdue_rate = share(totals.overdue, totals.receivables);
    totals.weighted_pd = sums.weighted_pd();

    let levels = [Level::Red, Level::Yellow, Level::Green]
        .into_iter()
        .map(|level| {
            let at: Vec<&&Position> = positions.iter().filter(|p| p.level == level).collect();
            let exposure = at.iter().map(|p| p.exposure).sum();
            LevelTile {
                level,
                customers: at.len() as u64,
                exposure,
                exposure_share: share(exposure, totals.exposure),
                watch: at.iter().filter(|p| p.watch).count() as u64,
            }
        })
        .collect();

    let mut grades: Vec<GradeBar> = portfolio
        .grade_order
        .iter()
        .map(String::as_str)
        .chain([UNRATED])
        .map(|g| GradeBar { grade: g.to_owned(), customers: 0, exposure: 0, expected_loss: 0, mean_pd: None })
        .collect();
    let mut grade_pd = vec![(0.0, 0_u64); grades.len()];
    for p in positions {
        let g = p.grade.as_deref().unwrap_or(UNRATED);
        // A handful of grades: a scan is cheaper than hashing.
        let Some(i) = grades.iter().position(|b| b.grade == g) else { continue };
        grades[i].customers += 1;
        grades[i].exposure += p.exposure;
        grades[i].expected_loss += expected_loss(p, lgd);
        if let Some(pd) = p.pd {
            grade_pd[i].0 += pd;
            grade_pd[i].1 += 1;
        }
    }
    for (bar, (sum, n)) in grades.iter_mut().zip(grade_pd) {
        bar.mean_pd = (n > 0).then(|| sum / n as f64);
    }

    Overview {
        as_of: portfolio.as_of,
        currency: portfolio.currency.code().to_owned(),
        lgd,
        levels,
        grades,
        heat: heat_map(positions, config),
        largest: largest(positions, config.largest, totals.exposure),
        concentration: concentration(positions, totals.exposure),
        overdue_trend: overdue_trend(portfolio, positions),
        pd_trend: pd_trend(portfolio, positions),
        totals,
    }
}

/// Keys by total, largest first (ties by key).
fn by_size(m: HashMap<&str, i64>) -> Vec<&str> {
    let mut v: Vec<(&str, i64)> = m.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    v.into_iter().map(|(k, _)| k).collect()
}

fn heat_column(p: &Position, axis: HeatAxis) -> &str {
    match axis {
        HeatAxis::Region => &p.region,
        HeatAxis::BusinessLine => p.business_line.as_deref().unwrap_or_default(),
    }
}

fn heat_map(positions: &[&Position], config: &OverviewConfig) -> HeatMap {
    #[derive(Default)]
    struct Acc {
        customers: u64,
        exposure: i64,
        el: i64,
        red: u64,
        pd: PdSums,
    }
    let mut cells: HashMap<(&str, &str), Acc> = HashMap::new();
    for p in positions {
        let a = cells.entry((p.industry.as_str(), heat_column(p, config.heat_axis))).or_default();
        a.customers += 1;
        a.exposure += p.exposure;
        a.el += expected_loss(p, config.lgd);
        a.red += u64::from(p.level == Level::Red);
        a.pd.add(p);
    }
    let mut row_exposure: HashMap<&str, i64> = HashMap::new();
    let mut column_exposure: HashMap<&str, i64> = HashMap::new();
    for (&(r, c), a) in &cells {
        *row_exposure.entry(r).or_default() += a.exposure;
        *column_exposure.entry(c).or_default() += a.exposure;
    }
    let rows = by_size(row_exposure);
    let columns = by_size(column_exposure);
    let mut out = Vec::with_capacity(cells.len());
    for &r in &rows {
        for &c in &columns {
            if let Some(a) = cells.get(&(r, c)) {
                out.push(HeatCell {
                    row: r.to_owned(),
                    column: c.to_owned(),
                    customers: a.customers,
                    exposure: a.exposure,
                    weighted_pd: a.pd.weighted_pd(),
                    expected_loss: a.el,
                    red: a.red,
                });
            }
        }
    }
    let max_pd = out.iter().filter_map(|c| c.weighted_pd).reduce(f64::max);
    HeatMap {
        axis: config.heat_axis,
        rows: rows.into_iter().map(str::to_owned).collect(),
        columns: columns.into_iter().map(str::to_owned).collect(),
        cells: out,
        max_pd,
    }
}

fn largest(positions: &[&Position], n: usize, total: i64) -> Vec<LargeExposure> {
    let mut by_size: Vec<&&Position> = positions.iter().filter(|p| p.exposure > 0).collect();
    let order = |a: &&&Position, b: &&&Position| {
        b.exposure.cmp(&a.exposure).then_with(|| a.customer_id.cmp(&b.customer_id))
    };
    if n > 0 && n < by_size.len() {
        by_size.select_nth_unstable_by(n - 1, order);
        by_size.truncate(n);
    }
    by_size.sort_by(order);
    by_size
        .into_iter()
        .take(n)
        .map(|p| LargeExposure {
            customer_id: p.customer_id.clone(),
            name: p.name.clone(),
            grade: p.grade.clone(),
            pd: p.pd,
            level: p.level,
            exposure: p.exposure,
            limit: p.limit,
            utilisation: p.utilisation(),
            share: share(p.exposure, total).unwrap_or(0.0),
        })
        .collect()
}

fn concentration(positions: &[&Position], total: i64) -> Concentration {
    // Customers outside groups are obligors on their own.
    let mut by_group: HashMap<&str, i64> = HashMap::new();
    for p in positions {
        if let Some(g) = p.group_id.as_deref() {
            *by_group.entry(g).or_default() += p.exposure;
        }
    }
    let alone = positions.iter().filter(|p| p.group_id.is_none()).map(|p| p.exposure);
    let mut sizes: Vec<i64> = positions.iter().map(|p| p.exposure.max(0)).collect();
    let n = sizes.len().min(10);
    if n > 0 && n < sizes.len() {
        sizes.select_nth_unstable_by(n - 1, |a, b| b.cmp(a));
    }
    let top10: i64 = sizes.iter().take(n).sum();
    let largest_group = positions
        .iter()
        .filter_map(|p| p.group_id.as_deref())
        .map(|g| (g, by_group[g]))
        .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(a.0)))
        .map(|(g, e)| (g.to_owned(), share(e, total).unwrap_or(0.0)));
    Concentration {
        hhi_customers: hhi(positions.iter().map(|p| p.exposure)),
        hhi_groups: hhi(by_group.values().copied().chain(alone)),
        top10_share: share(top10, total).unwrap_or(0.0),
        largest_group,
    }
}

fn overdue_trend(portfolio: &Portfolio, positions: &[&Position]) -> Vec<OverdueTrendPoint> {
    let mut out: Vec<OverdueTrendPoint> = portfolio
        .month_ends
        .iter()
        .enumerate()
        .map(|(k, &date)| {
            let (open, overdue) = positions
                .iter()
                .filter_map(|p| p.history.get(k))
                .fold((0, 0), |(o, d), h| (o + h.open, d + h.overdue));
            OverdueTrendPoint { date, receivables: open, overdue, overdue_rate: share(overdue, open) }
        })
        .collect();
    let open: i64 = positions.iter().map(|p| p.receivables).sum();
    let overdue: i64 = positions.iter().map(|p| p.overdue).sum();
    out.push(OverdueTrendPoint {
        date: portfolio.as_of,
        receivables: open,
        overdue,
        overdue_rate: share(overdue, open),
    });
    out
}

fn pd_trend(portfolio: &Portfolio, positions: &[&Position]) -> Vec<PdTrendPoint> {
    portfolio
        .rating_dates
        .iter()
        .enumerate()
        .map(|(k, &date)| {
            let (sum, n) = positions
                .iter()
                .filter_map(|p| p.pd_history.get(k).copied().flatten())
                .fold((0.0, 0_u64), |(s, n), pd| (s + pd, n + 1));
            PdTrendPoint { date, rated: n, mean_pd: (n > 0).then(|| sum / n as f64) }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{OpenAt, PositionSort, Selection, select};

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// Four customers, amounts in fen:
    ///
    /// | id | industry | region | group | grade | PD | level | exposure | receivables | limit | overdue |
    /// | C1 | C | 福建 | G1 | A | 2% | green | 600,000 | 500,000 | 1,000,000 | 100,000 |
    /// | C2 | C | 福建 | G1 | BB | 10% | yellow | 300,000 | 300,000 | 200,000 | 150,000 |
    /// | C3 | F | 广东 | — | — | — | red | 100,000 | 100,000 | 0 | 100,000 |
    /// | C4 | F | 福建 | — | A | 4% | green (watch) | 0 | 0 | 50,000 | 0 |
    fn book() -> Portfolio {
        let p = |id: &str, industry: &str, region: &str, group: Option<&str>| Position {
            customer_id: id.into(),
            name: id.to_lowercase(),
            industry: industry.into(),
            region: region.into(),
            group_id: group.map(str::to_owned),
            ..Position::default()
        };
        Portfolio {
            as_of: date(2026, 9, 30),
            month_ends: vec![date(2026, 7, 31), date(2026, 8, 31)],
            rating_dates: vec![date(2026, 6, 30), date(2026, 9, 30)],
            grade_order: ["AAA", "AA", "A", "BBB", "BB", "B", "CCC", "C"].map(String::from).to_vec(),
            positions: vec![
                Position {
                    grade: Some("A".into()),
                    pd: Some(0.02),
                    exposure: 600_000,
                    receivables: 500_000,
                    limit: 1_000_000,
                    overdue: 100_000,
                    history: vec![
                        OpenAt { open: 400_000, overdue: 0 },
                        OpenAt { open: 450_000, overdue: 50_000 },
                    ],
                    pd_history: vec![Some(0.01), Some(0.02)],
                    ..p("C1", "C", "福建", Some("G1"))
                },
                Position {
                    grade: Some("BB".into()),
                    pd: Some(0.10),
                    level: Level::Yellow,
                    exposure: 300_000,
                    receivables: 300_000,
                    limit: 200_000,
                    overdue: 150_000,
                    over_90: 50_000,
                    history: vec![
                        OpenAt { open: 100_000, overdue: 0 },
                        OpenAt { open: 250_000, overdue: 100_000 },
                    ],
                    pd_history: vec![None, Some(0.10)],
                    ..p("C2", "C", "福建", Some("G1"))
                },
                Position {
                    level: Level::Red,
                    exposure: 100_000,
                    receivables: 100_000,
                    overdue: 100_000,
                    history: vec![
                        OpenAt { open: 100_000, overdue: 100_000 },
                        OpenAt { open: 100_000, overdue: 100_000 },
                    ],
                    pd_history: vec![None, None],
                    ..p("C3", "F", "广东", None)
                },
                Position {
                    grade: Some("A".into()),
                    pd: Some(0.04),
                    watch: true,
                    limit: 50_000,
                    history: vec![OpenAt::default(), OpenAt::default()],
                    pd_history: vec![Some(0.03), Some(0.04)],
                    ..p("C4", "F", "福建", None)
                },
            ],
            ..Portfolio::default()
        }
    }

    fn all(b: &Portfolio) -> Overview {
        let list = select(b, &Selection::default(), &|_| true, PositionSort::CustomerId);
        overview(b, &list, &OverviewConfig::default())
    }

    #[test]
    fn totals_and_expected_loss_by_hand() {
        let b = book();
        let t = all(&b).totals;
        assert_eq!((t.customers, t.rated, t.exposure, t.receivables), (4, 3, 1_000_000, 900_000));
        assert_eq!((t.overdue, t.over_90, t.over_limit_customers), (350_000, 50_000, 2));
        // 350,000 / 900,000.
        assert!((t.overdue_rate.unwrap() - 0.388_888_9).abs() < 1e-6);
        // (0.02 × 600,000 + 0.10 × 300,000 + 0.04 × 0) / 900,000 = 42,000 / 900,000.
        assert!((t.weighted_pd.unwrap() - 0.046_666_7).abs() < 1e-6);
        // 0.45 × (12,000 + 30,000) = 18,900; C3 is unrated.
        assert_eq!((t.expected_loss, t.unrated_exposure), (18_900, 100_000));
    }

    #[test]
    fn levels_and_grades() {
        let b = book();
        let o = all(&b);
        let levels: Vec<(Level, u64, i64, u64)> =
            o.levels.iter().map(|l| (l.level, l.customers, l.exposure, l.watch)).collect();
        assert_eq!(
            levels,
            [(Level::Red, 1, 100_000, 0), (Level::Yellow, 1, 300_000, 0), (Level::Green, 2, 600_000, 1)]
        );
        assert_eq!(o.levels[2].exposure_share, Some(0.6));
        let a = o.grades.iter().find(|g| g.grade == "A").unwrap();
        assert_eq!((a.customers, a.exposure, a.expected_loss), (2, 600_000, 5_400));
        assert!((a.mean_pd.unwrap() - 0.03).abs() < 1e-12);
        let unrated = o.grades.last().unwrap();
        assert_eq!((unrated.grade.as_str(), unrated.customers, unrated.mean_pd), (UNRATED, 1, None));
        assert_eq!(o.grades.iter().map(|g| g.customers).sum::<u64>(), 4, "every customer in one bar");
    }

    #[test]
    fn heat_map_by_industry_and_region() {
        let b = book();
        let h = all(&b).heat;
        assert_eq!(h.rows, ["C", "F"], "by exposure: C 900,000, F 100,000");
        assert_eq!(h.columns, ["福建", "广东"]);
        let cell = |r: &str, c: &str| h.cells.iter().find(|x| x.row == r && x.column == c).unwrap();
        let cf = cell("C", "福建");
        assert_eq!((cf.customers, cf.exposure, cf.expected_loss), (2, 900_000, 18_900));
        assert!((cf.weighted_pd.unwrap() - 42_000.0 / 900_000.0).abs() < 1e-12);
        // F/福建 holds only C4, rated with no exposure: its plain PD.
        assert_eq!(cell("F", "福建").weighted_pd, Some(0.04));
        let fg = cell("F", "广东");
        assert_eq!((fg.weighted_pd, fg.red), (None, 1));
        assert_eq!(h.cells.len(), 3, "C/广东 is empty and left out");
        assert!((h.max_pd.unwrap() - 42_000.0 / 900_000.0).abs() < 1e-12);
    }

    #[test]
    fn concentration_counts_groups_as_one_obligor() {
        let b = book();
        let o = all(&b);
        let c = &o.concentration;
        // Customers: 0.6² + 0.3² + 0.1² = 0.46; groups: G1 0.9, C3 0.1 → 0.82.
        assert!((c.hhi_customers - 4_600.0).abs() < 1e-9);
        assert!((c.hhi_groups - 8_200.0).abs() < 1e-9);
        assert_eq!(c.top10_share, 1.0);
        assert_eq!(c.largest_group, Some(("G1".to_owned(), 0.9)));
        let top: Vec<&str> = o.largest.iter().map(|l| l.customer_id.as_str()).collect();
        assert_eq!(top, ["C1", "C2", "C3"], "no exposure, not listed");
        assert_eq!(o.largest[1].utilisation, Some(1.5));
    }

    #[test]
    fn trends_by_month_end_and_rating_run() {
        let b = book();
        let o = all(&b);
        let od: Vec<(i64, i64)> = o.overdue_trend.iter().map(|p| (p.receivables, p.overdue)).collect();
        assert_eq!(od, [(600_000, 100_000), (800_000, 250_000), (900_000, 350_000)]);
        assert_eq!(o.overdue_trend.last().unwrap().date, date(2026, 9, 30));
        let pd: Vec<(u64, f64)> = o.pd_trend.iter().map(|p| (p.rated, p.mean_pd.unwrap())).collect();
        assert_eq!(pd.len(), 2);
        assert_eq!(pd[0].0, 2);
        assert!((pd[0].1 - 0.02).abs() < 1e-12, "(1% + 3%) / 2");
        assert!((pd[1].1 - 0.16 / 3.0).abs() < 1e-12, "(2% + 10% + 4%) / 3");
    }

    #[test]
    fn a_drill_down_lists_exactly_the_tile() {
        let b = book();
        let o = all(&b);
        for tile in &o.levels {
            let s = Selection { level: Some(tile.level), ..Default::default() };
            let list = select(&b, &s, &|_| true, PositionSort::Exposure);
            assert_eq!(list.len() as u64, tile.customers);
            assert_eq!(list.iter().map(|p| p.exposure).sum::<i64>(), tile.exposure);
        }
        for cell in &o.heat.cells {
            let s = Selection {
                industry: Some(cell.row.clone()),
                region: Some(cell.column.clone()),
                ..Default::default()
            };
            let list = select(&b, &s, &|_| true, PositionSort::Exposure);
            let sub = overview(&b, &list, &OverviewConfig::default());
            assert_eq!((sub.totals.customers, sub.totals.exposure), (cell.customers, cell.exposure));
            assert_eq!(sub.totals.weighted_pd, cell.weighted_pd);
        }
    }

    #[test]
    fn an_empty_selection_has_no_rates() {
        let b = book();
        let o = overview(&b, &[], &OverviewConfig::default());
        assert_eq!((o.totals.customers, o.totals.overdue_rate, o.totals.weighted_pd), (0, None, None));
        assert_eq!(o.concentration.hhi_customers, 0.0);
        assert!(o.heat.cells.is_empty() && o.largest.is_empty());
    }
}
