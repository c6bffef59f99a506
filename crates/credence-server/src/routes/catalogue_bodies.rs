//! The indicator catalogue and the warning rule pack as the API sends them, converted
//! from the engine's values so the wire format is written down here.

use serde::Serialize;
use utoipa::ToSchema;

use credence_domain::Labelled;
use credence_engine::types::{indicators as i, warning as w};

/// One indicator as declared in the catalogue.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IndicatorDefBody {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    /// `financial`, `behavioural`, `non_financial` or `industry_specific`.
    pub group: String,
    /// `ratio`, `percent`, `times`, `days`, `money`, … .
    pub unit: String,
    /// `higher_better` or `lower_better`.
    pub direction: String,
    pub formula: String,
    /// How edge cases are handled (zero denominators, negative equity…).
    pub doc: String,
    /// Levels for any industry without its own.
    pub default_thresholds: ThresholdsBody,
    /// `[section letter or sub-industry code, levels]`.
    #[schema(value_type = Vec<Vec<Object>>)]
    pub industry_thresholds: Vec<(String, ThresholdsBody)>,
    /// Section letters and sub-industry codes the indicator is meant for; empty = all.
    pub applies_to: Vec<String>,
}

/// The good and poor levels of an indicator for one industry, in the indicator's unit.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ThresholdsBody {
    pub good: f64,
    pub poor: f64,
    /// Where the levels come from.
    pub source: String,
}

fn thresholds(t: &i::Thresholds) -> ThresholdsBody {
    ThresholdsBody { good: t.good, poor: t.poor, source: t.source.clone() }
}

impl From<&i::IndicatorDef> for IndicatorDefBody {
    fn from(d: &i::IndicatorDef) -> Self {
        IndicatorDefBody {
            id: d.id.clone(),
            name_zh: d.name_zh.clone(),
            name_en: d.name_en.clone(),
            group: d.group.code().to_owned(),
            unit: d.unit.code().to_owned(),
            direction: d.direction.code().to_owned(),
            formula: d.formula.clone(),
            doc: d.doc.clone(),
            default_thresholds: thresholds(&d.default_thresholds),
            industry_thresholds: d
                .industry_thresholds
                .iter()
                .map(|(k, t)| (k.clone(), thresholds(t)))
                .collect(),
            applies_to: d.applies_to.clone(),
        }
    }
}

/// One early-warning rule.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RuleBody {
    /// Stable code (`W01`); never reused.
    pub code: String,
    /// The condition flagged, as a name (`CurrentRatioBelowFloor`).
    pub name: String,
    pub name_zh: String,
    pub name_en: String,
    /// `red`, `yellow` or `green_watch`.
    pub level: String,
    /// The condition, in the rule language.
    pub when: String,
    pub action_zh: String,
    pub action_en: String,
    /// Where the rule comes from.
    pub source: String,
    pub scope: RuleScopeBody,
}

/// Which customers a rule applies to; an empty list does not restrict.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RuleScopeBody {
    /// Section letters or sub-industry codes.
    pub industries: Vec<String>,
    /// Customer type codes.
    pub customer_types: Vec<String>,
    /// Monitoring tier codes.
    pub tiers: Vec<String>,
    pub regions: Vec<String>,
}

impl From<&w::Rule> for RuleBody {
    fn from(r: &w::Rule) -> Self {
        RuleBody {
            code: r.code.clone(),
            name: r.name.clone(),
            name_zh: r.name_zh.clone(),
            name_en: r.name_en.clone(),
            level: r.level.code().to_owned(),
            when: r.when.clone(),
            action_zh: r.action_zh.clone(),
            action_en: r.action_en.clone(),
            source: r.source.clone(),
            scope: RuleScopeBody {
                industries: r.scope.industries.clone(),
                customer_types: r.scope.customer_types.clone(),
                tiers: r.scope.tiers.iter().map(|t| t.code().to_owned()).collect(),
                regions: r.scope.regions.clone(),
            },
        }
    }
}
