//! The analytic value types that callers of the engine name: configurations they load or
//! pass back, and results they display. Only types live here; what computes them is an
//! engine function, so the edges depend on the engine and not on the analytic crates.

/// Credit control: policy, standings, approval routes, collection work.
pub mod control {
    pub use credence_control::{
        Action, AgingLine, AgingReport, ApprovalStep, BillingGrade, BillingPolicy, BillingTerms, CheckResult,
        CollectInvoice, CollectionStrategy, CollectorList, CreditPolicy, Decision, DecisionError, Exposure,
        Lang, Level, Measure, Outcome, OverdueBucket, Penalty, ReleaseKind, ReleaseOption, Remedy,
        RequestStatus, Standing, StepCode, StepResult, TermChange, TermsProposal, WorkItem, WorkReason,
        Worklist,
    };
}

/// Related parties: the neighbourhood of a party and how it ties to its group.
pub mod groups {
    pub use credence_groups::{
        CircleKind, ControlChain, GroupConfig, GroupExposure, GroupMember, GroupReport, GuaranteeCircle,
        GuaranteeLink, NeighbourEdge, NeighbourNode, Neighbourhood, Step,
    };
}

/// The indicator catalogue.
pub mod indicators {
    pub use credence_indicators::{Catalogue, Group, IndicatorDef, Thresholds};
}

/// Statistical models: a scored row and the stability bands of drift.
pub mod model {
    pub use credence_model::{ModelFile, Reason, RowScore, StabilityLevel};
}

/// Notification channels.
pub mod notify {
    pub use credence_notify::NotifyConfig;
}

/// The portfolio cockpit: positions, their selection and the overview.
pub mod portfolio {
    pub use credence_portfolio::{
        Concentration, GradeBar, HeatAxis, HeatMap, LargeExposure, LevelTile, OverdueTrendPoint, Overview,
        OverviewConfig, PdTrendPoint, Portfolio, Position, PositionSort, Selection, Totals,
    };
}

/// The expert scorecard and rating overrides.
pub mod rating {
    pub use credence_rating::{
        BUILTIN_MODEL, Override, OverrideRecord, Rating, RatingNote, ScaleKind, ScorecardModel,
    };
}

/// Warning rules.
pub mod warning {
    pub use credence_warning::{Rule, RuleLevel, RulePack};
}
