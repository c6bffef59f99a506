//! The checked, compiled indicator catalogue and its evaluation over a customer's file.

use chrono::NaiveDate;

use crate::cause::{Cause, CauseContext};
use crate::error::CatalogueError;
use crate::eval::{Cx, Machine};
use crate::frame::Frame;
use crate::input::CustomerFile;
use crate::program::{Program, Root};
use crate::trends::{TREND_POINTS, trend};
use crate::types::Unit;
use crate::value::{IndicatorSet, IndicatorValue};

/// The catalogue shipped with the crate.
pub const BUILTIN_CATALOGUE: &str = include_str!("../catalogue/indicators.toml");

/// The dimension of the rating an indicator belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    /// Statement ratios (IND-1).
    Financial,
    /// Payment behaviour from the receivables ledger (IND-2).
    Behavioural,
    /// Events: lawsuits, management, news (IND-3).
    NonFinancial,
    /// Factors of particular industries (IND-6).
    IndustrySpecific,
}

impl Group {
    pub const ALL: [Group; 4] =
        [Group::Financial, Group::Behavioural, Group::NonFinancial, Group::IndustrySpecific];

    pub fn code(self) -> &'static str {
        match self {
            Group::Financial => "financial",
            Group::Behavioural => "behavioural",
            Group::NonFinancial => "non_financial",
            Group::IndustrySpecific => "industry_specific",
        }
    }
}

/// Which way is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    HigherBetter,
    LowerBetter,
}

impl Direction {
    pub fn code(self) -> &'static str {
        match self {
            Direction::HigherBetter => "higher_better",
            Direction::LowerBetter => "lower_better",
        }
    }
}

/// Where a value stands against its thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    Good,
    Fair,
    Poor,
}

/// The good and poor levels of an indicator for one industry, in the indicator's unit.
/// For a higher-better indicator a value at or above `good` is good and at or below
/// `poor` is poor; for a lower-better one the other way round; between is fair.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Thresholds {
    pub good: f64,
    pub poor: f64,
    /// Where the levels come from ("current ratio ≥ 2 is good").
    pub source: String,
}

impl Thresholds {
    pub fn standing(&self, value: f64, direction: Direction) -> Standing {
        let (good, poor) = match direction {
            Direction::HigherBetter => (value >= self.good, value <= self.poor),
            Direction::LowerBetter => (value <= self.good, value >= self.poor),
        };
        if good {
            Standing::Good
        } else if poor {
            Standing::Poor
        } else {
            Standing::Fair
        }
    }
}

/// One indicator as declared in the catalogue.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct IndicatorDef {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub group: Group,
    pub unit: Unit,
    pub direction: Direction,
    pub formula: String,
    /// How the analyst's edge cases are handled (zero denominators, negative equity…).
    pub doc: String,
    /// Levels for any industry without its own.
    pub default_thresholds: Thresholds,
    /// Levels for a GB/T 4754 section letter (`C`) or a sub-industry code (`fintech`).
    pub industry_thresholds: Vec<(String, Thresholds)>,
    /// Section letters and sub-industry codes the indicator is meant for; empty = all.
    pub applies_to: Vec<String>,
}

impl IndicatorDef {
    /// The thresholds for a customer: its sub-industry's, else its section's, else the
    /// default.
    pub fn thresholds_for(&self, industry: &str, sub_industry: Option<&str>) -> &Thresholds {
        let find = |key: &str| self.industry_thresholds.iter().find(|(k, _)| k == key).map(|(_, t)| t);
        sub_industry.and_then(find).or_else(|| find(industry)).unwrap_or(&self.default_thresholds)
    }

    pub fn applies_to_industry(&self, industry: &str, sub_industry: Option<&str>) -> bool {
        self.applies_to.is_empty()
            || self.applies_to.iter().any(|a| a == industry || Some(a.as_str()) == sub_industry)
    }
}

/// What to compute besides the values.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EvalOptions {
    /// Also compute QoQ, YoY, 3-year CAGR and slope for every indicator with a value
    /// (about four times the work).
    pub trends: bool,
}

/// A checked, compiled catalogue. Compile it once and share it: evaluation takes `&self`.
#[derive(Debug, Clone)]
pub struct Catalogue {
    pub(crate) version: String,
    pub(crate) defs: Vec<IndicatorDef>,
    pub(crate) roots: Vec<Root>,
    pub(crate) program: Program,
    /// How many quarters back `lag` reads aggregates at most, so the frame computes them
    /// that far.
    pub(crate) aggregate_lag: usize,
}

/// Why a formula is not evaluated for a customer at all.
#[derive(Debug, Clone, Copy)]
enum Skip {
    NotApplicable,
    NoStatement,
}

impl Catalogue {
    /// The catalogue shipped with the crate ([`BUILTIN_CATALOGUE`]).
    pub fn builtin() -> Catalogue {
        Catalogue::from_toml(BUILTIN_CATALOGUE, "indicators.toml")
            .unwrap_or_else(|e| panic!("the shipped indicator catalogue is invalid:\n{e}"))
    }

    /// Reads and checks a catalogue; `file_name` is used in problem locations.
    pub fn from_toml(text: &str, file_name: &str) -> Result<Catalogue, CatalogueError> {
        crate::load::load(text, file_name)
    }

    pub fn version(&self) -> &str {
        &self.version
    }

    pub fn indicators(&self) -> &[IndicatorDef] {
        &self.defs
    }

    /// Size of the compiled program, for reports on catalogue complexity.
    pub fn operation_count(&self) -> usize {
        self.program.ops.len()
    }

    pub fn indicator(&self, id: &str) -> Option<&IndicatorDef> {
        self.defs.iter().find(|d| d.id == id)
    }

    /// The thresholds of an indicator for a customer's industry; `None` for an unknown id.
    pub fn thresholds_for(
        &self,
        id: &str,
        industry: &str,
        sub_industry: Option<&str>,
    ) -> Option<&crate::Thresholds> {
        self.indicator(id).map(|d| d.thresholds_for(industry, sub_industry))
    }

    /// Evaluates every indicator for one customer at `as_of`, in catalogue order. Never
    /// fails: an indicator without a value says why.
    pub fn evaluate(&self, file: &CustomerFile, as_of: NaiveDate, options: &EvalOptions) -> IndicatorSet {
        let points = if options.trends { TREND_POINTS } else { 1 } + self.aggregate_lag;
        let frame = Frame::new(file, as_of, &self.program, points);
        let mut machine = Machine::new(&self.program, &frame);
        let causes = CauseContext { reasons: &self.program.reasons, as_of };
        let current = frame.index.current;
        let current_end =
            current.and_then(|(m, t)| frame.index.get(m, t)).map(|s| file.statements[s].period_end);
        let sub = file.sub_industry.as_deref();
        // Every formula at the current period first, then each earlier quarter in turn, so
        // operations shared between formulas are computed once per period.
        let contexts: Vec<Result<Cx, Skip>> = self
            .defs
            .iter()
            .zip(&self.roots)
            .map(|(def, root)| {
                if !def.applies_to_industry(&file.industry, sub) {
                    return Err(Skip::NotApplicable);
                }
                match (current, root.uses_statements) {
                    (Some((month, ptype)), _) => Ok(Cx { month, ptype, point: 0 }),
                    (None, false) => Ok(Cx { month: 0, ptype: 0, point: 0 }),
                    (None, true) => Err(Skip::NoStatement),
                }
            })
            .collect();
        let now: Vec<Result<f64, Cause>> = contexts
            .iter()
            .zip(&self.roots)
            .map(|(cx, root)| match cx {
                Ok(cx) => machine.value(root.op, *cx),
                Err(_) => Err(Cause::NonFinite),
            })
            .collect();
        let mut series: Vec<[Option<f64>; TREND_POINTS]> = Vec::new();
        if options.trends {
            series = vec![[None; TREND_POINTS]; self.defs.len()];
            for k in 1..TREND_POINTS {
                let formulas = series.iter_mut().zip(&self.roots).zip(contexts.iter().zip(&now));
                for ((s, root), (cx, value)) in formulas {
                    if let (Ok(cx), Ok(_)) = (cx, value) {
                        s[k] = machine.value(root.op, cx.back(k as u16)).ok();
                    }
                }
            }
        }
        let values = self
            .defs
            .iter()
            .zip(&self.roots)
            .enumerate()
            .map(|(i, (def, root))| {
                let period_end = if root.uses_statements { current_end } else { Some(as_of) };
                let (value, missing) = match (&contexts[i], now[i]) {
                    (Err(Skip::NotApplicable), _) => {
                        (None, Some(format!("not applicable to industry {}", file.industry)))
                    }
                    (Err(Skip::NoStatement), _) => (None, Some(Cause::NoStatement.text(&causes))),
                    (Ok(_), Err(cause)) => (None, Some(cause.text(&causes))),
                    (Ok(_), Ok(v)) => (Some(v * def.unit.scale()), None),
                };
                let trend = match (value, series.get_mut(i)) {
                    (Some(v), Some(s)) => {
                        let scale = def.unit.scale();
                        for x in s.iter_mut() {
                            *x = x.map(|x| x * scale);
                        }
                        s[0] = Some(v);
                        Some(trend(v, s))
                    }
                    _ => None,
                };
                IndicatorValue { id: def.id.clone(), value, missing, period_end, trend }
            })
            .collect();
        IndicatorSet {
            customer_id: file.customer_id.clone(),
            as_of,
            catalogue_version: self.version.clone(),
            values,
        }
    }
}
