//! The parts of the portfolio overview as the API sends them: totals, the tiles by warning
//! level, the grade distribution, the heat map, the largest exposures, concentration and
//! the trends. Converted from the engine's overview, so the wire format is written down
//! here. Amounts are minor units of the overview's currency; shares are fractions (0–1).

use serde::Serialize;
use utoipa::ToSchema;

use credence_engine::types::portfolio as p;

/// Totals over the positions.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TotalsBody {
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
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LevelTileBody {
    /// `red`, `yellow` or `green`.
    pub level: String,
    pub customers: u64,
    pub exposure: i64,
    /// Share of the total exposure; none when there is none.
    pub exposure_share: Option<f64>,
    /// Of these customers, those under watch.
    pub watch: u64,
}

/// One grade of the distribution (the last bar is the unrated customers).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GradeBarBody {
    pub grade: String,
    pub customers: u64,
    pub exposure: i64,
    pub expected_loss: i64,
    /// Mean PD of the grade's customers.
    pub mean_pd: Option<f64>,
}

/// Exposure-weighted PD by industry × region (or business line).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HeatMapBody {
    /// The columns: `region` or `business_line`.
    pub axis: String,
    /// Industries, largest exposure first.
    pub rows: Vec<String>,
    /// Regions or business lines, largest exposure first.
    pub columns: Vec<String>,
    /// Non-empty cells, row by row.
    pub cells: Vec<HeatCellBody>,
    /// The highest cell PD, for the colour scale.
    pub max_pd: Option<f64>,
}

/// One cell of the heat map.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HeatCellBody {
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

/// A large exposure.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LargeExposureBody {
    pub customer_id: String,
    pub name: String,
    pub grade: Option<String>,
    pub pd: Option<f64>,
    /// `red`, `yellow` or `green`.
    pub level: String,
    pub exposure: i64,
    pub limit: i64,
    pub utilisation: Option<f64>,
    /// Share of the total exposure.
    pub share: f64,
}

/// How concentrated the exposure is.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConcentrationBody {
    /// Herfindahl–Hirschman index of customer exposures, 0–10,000 (10,000: one customer).
    pub hhi_customers: f64,
    /// The same with each group counted as one obligor.
    pub hhi_groups: f64,
    /// Share of the ten largest customer exposures.
    pub top10_share: f64,
    /// `[group id, share]` of the largest group.
    #[schema(value_type = Option<Vec<Object>>)]
    pub largest_group: Option<(String, f64)>,
}

/// Receivables and overdue at one month end (the last point is the portfolio's date).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OverdueTrendPointBody {
    #[schema(value_type = String, format = Date)]
    pub date: chrono::NaiveDate,
    pub receivables: i64,
    pub overdue: i64,
    pub overdue_rate: Option<f64>,
}

/// Average PD in one rating run.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PdTrendPointBody {
    #[schema(value_type = String, format = Date)]
    pub date: chrono::NaiveDate,
    pub rated: u64,
    pub mean_pd: Option<f64>,
}

impl From<p::Totals> for TotalsBody {
    fn from(t: p::Totals) -> Self {
        TotalsBody {
            customers: t.customers,
            rated: t.rated,
            exposure: t.exposure,
            receivables: t.receivables,
            limit: t.limit,
            overdue: t.overdue,
            over_90: t.over_90,
            overdue_rate: t.overdue_rate,
            weighted_pd: t.weighted_pd,
            expected_loss: t.expected_loss,
            unrated_exposure: t.unrated_exposure,
            over_limit_customers: t.over_limit_customers,
        }
    }
}

impl From<p::LevelTile> for LevelTileBody {
    fn from(l: p::LevelTile) -> Self {
        LevelTileBody {
            level: l.level.code().to_owned(),
            customers: l.customers,
            exposure: l.exposure,
            exposure_share: l.exposure_share,
            watch: l.watch,
        }
    }
}

impl From<p::GradeBar> for GradeBarBody {
    fn from(g: p::GradeBar) -> Self {
        GradeBarBody {
            grade: g.grade,
            customers: g.customers,
            exposure: g.exposure,
            expected_loss: g.expected_loss,
            mean_pd: g.mean_pd,
        }
    }
}

impl From<p::HeatMap> for HeatMapBody {
    fn from(h: p::HeatMap) -> Self {
        HeatMapBody {
            axis: match h.axis {
                p::HeatAxis::Region => "region",
                p::HeatAxis::BusinessLine => "business_line",
            }
            .to_owned(),
            rows: h.rows,
            columns: h.columns,
            cells: h
                .cells
                .into_iter()
                .map(|c| HeatCellBody {
                    row: c.row,
                    column: c.column,
                    customers: c.customers,
                    exposure: c.exposure,
                    weighted_pd: c.weighted_pd,
                    expected_loss: c.expected_loss,
                    red: c.red,
                })
                .collect(),
            max_pd: h.max_pd,
        }
    }
}

impl From<p::LargeExposure> for LargeExposureBody {
    fn from(l: p::LargeExposure) -> Self {
        LargeExposureBody {
            customer_id: l.customer_id.into_string(),
            name: l.name,
            grade: l.grade,
            pd: l.pd,
            level: l.level.code().to_owned(),
            exposure: l.exposure,
            limit: l.limit,
            utilisation: l.utilisation,
            share: l.share,
        }
    }
}

impl From<p::Concentration> for ConcentrationBody {
    fn from(c: p::Concentration) -> Self {
        ConcentrationBody {
            hhi_customers: c.hhi_customers,
            hhi_groups: c.hhi_groups,
            top10_share: c.top10_share,
            largest_group: c.largest_group,
        }
    }
}

impl From<p::OverdueTrendPoint> for OverdueTrendPointBody {
    fn from(t: p::OverdueTrendPoint) -> Self {
        OverdueTrendPointBody {
            date: t.date,
            receivables: t.receivables,
            overdue: t.overdue,
            overdue_rate: t.overdue_rate,
        }
    }
}

impl From<p::PdTrendPoint> for PdTrendPointBody {
    fn from(t: p::PdTrendPoint) -> Self {
        PdTrendPointBody { date: t.date, rated: t.rated, mean_pd: t.mean_pd }
    }
}

/// Converts each value of a list.
pub(crate) fn each<T, U: From<T>>(items: Vec<T>) -> Vec<U> {
    items.into_iter().map(U::from).collect()
}
