//! Problems found in the links: reported beside the results, never a reason to stop.

use credence_domain::labelled_enum;

labelled_enum! {
    /// What a diagnostic flags. Codes are stable: shown to users and never reused.
    pub enum DiagnosticCode {
        /// A link from a party to itself; ignored.
        SelfLink = ("self_link", "自身关联", "Link to itself"),
        /// A percentage below 0 or above 100; the link is ignored.
        PercentOutOfRange = ("percent_out_of_range", "比例超出范围", "Percentage out of range"),
        /// A holding with neither capital nor voting percentage; ignored.
        HoldingWithoutPercent = ("holding_without_percent", "持股无比例", "Holding without percentage"),
        /// The same kind of link between the same two parties twice; the first is used.
        DuplicateLink = ("duplicate_link", "重复关联", "Duplicate link"),
        /// Holdings in one company add up to more than 100%; each counts in proportion.
        HoldingsAboveFull = ("holdings_above_full", "持股合计超过100%", "Holdings above 100%"),
        /// Two parties each have a claim to control one company; the stronger basis wins
        /// (agreement, then votes, then consolidation).
        ConflictingControllers = ("conflicting_controllers", "控制人冲突", "Conflicting controllers"),
        /// Parties control each other in a circle; the circle is cut above its smallest id.
        CircularControl = ("circular_control", "循环控制", "Circular control"),
        /// Control did not settle within the configured rounds; the last state is used.
        ControlNotSettled = ("control_not_settled", "控制关系未收敛", "Control not settled"),
        /// A distressed party given to contagion is not in the graph.
        UnknownParty = ("unknown_party", "未知主体", "Unknown party"),
    }
}

/// One problem, with the parties it concerns.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Diagnostic {
    pub code: DiagnosticCode,
    pub parties: Vec<String>,
    pub message: String,
}

impl Diagnostic {
    pub(crate) fn new(code: DiagnosticCode, parties: Vec<String>, message: String) -> Diagnostic {
        Diagnostic { code, parties, message }
    }
}
