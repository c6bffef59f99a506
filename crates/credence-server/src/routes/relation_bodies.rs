//! A customer's relations as the API sends them: the parties and links around it, who
//! controls it, the group it belongs to with the evidence, and its guarantee circles.
//! Converted from the engine's values after they were cut to what the caller may see,
//! so the wire format is written down here.

use serde::Serialize;
use utoipa::ToSchema;

use credence_domain::{Labelled, Money};
use credence_engine::types::groups as g;

/// An amount of money: minor units and the currency code.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MoneyBody {
    pub minor: i64,
    pub currency: String,
}

impl From<Money> for MoneyBody {
    fn from(m: Money) -> Self {
        MoneyBody { minor: m.minor, currency: m.currency.code().to_owned() }
    }
}

/// The parties within `hops` links of a centre and every link among them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NeighbourhoodBody {
    pub center: String,
    pub hops: u32,
    /// In id order.
    pub nodes: Vec<NeighbourNodeBody>,
    /// In (from, kind, to) order.
    pub edges: Vec<NeighbourEdgeBody>,
    /// The most parties were reached: farther parties were left out.
    pub truncated: bool,
}

/// A party in a neighbourhood.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NeighbourNodeBody {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub customer: bool,
    /// Links from the centre.
    pub distance: u32,
}

/// A link in a neighbourhood.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NeighbourEdgeBody {
    pub from: String,
    pub to: String,
    /// `ownership`, `control`, `guarantee`, `family`, `supply_chain`, `consolidation` or
    /// `shared_funds`.
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share_pct: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub voting_pct: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<MoneyBody>,
}

impl From<g::Neighbourhood> for NeighbourhoodBody {
    fn from(n: g::Neighbourhood) -> Self {
        NeighbourhoodBody {
            center: n.center,
            hops: n.hops,
            nodes: n
                .nodes
                .into_iter()
                .map(|x| NeighbourNodeBody {
                    id: x.id,
                    name: x.name,
                    customer: x.customer,
                    distance: x.distance,
                })
                .collect(),
            edges: n
                .edges
                .into_iter()
                .map(|e| NeighbourEdgeBody {
                    from: e.from,
                    to: e.to,
                    kind: e.kind.code().to_owned(),
                    share_pct: e.share_pct,
                    voting_pct: e.voting_pct,
                    amount: e.amount.map(MoneyBody::from),
                })
                .collect(),
            truncated: n.truncated,
        }
    }
}

/// One link used as evidence, or a conclusion drawn from the steps before it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StepBody {
    pub from: String,
    pub to: String,
    /// The kind of the link (see the neighbourhood's links).
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share_pct: Option<f64>,
    /// Votes of a holding, or the votes a derived control step adds up.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub voting_pct: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<MoneyBody>,
    /// The degree of a family tie as recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub derived: bool,
    pub text_en: String,
    pub text_zh: String,
}

fn steps(steps: Vec<g::Step>) -> Vec<StepBody> {
    steps
        .into_iter()
        .map(|s| StepBody {
            from: s.from,
            to: s.to,
            kind: s.kind.code().to_owned(),
            share_pct: s.share_pct,
            voting_pct: s.voting_pct,
            amount: s.amount.map(MoneyBody::from),
            note: s.note,
            derived: s.derived,
            text_en: s.text_en,
            text_zh: s.text_zh,
        })
        .collect()
}

/// A company's chain of control, from its actual controller down.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ControlChainBody {
    pub party: String,
    /// `None` when nobody controls the party.
    pub actual_controller: Option<String>,
    /// Parties from the actual controller down to the party.
    pub chain: Vec<String>,
    pub steps: Vec<StepBody>,
    pub text_en: String,
    pub text_zh: String,
}

impl From<g::ControlChain> for ControlChainBody {
    fn from(c: g::ControlChain) -> Self {
        ControlChainBody {
            party: c.party,
            actual_controller: c.actual_controller,
            chain: c.chain,
            steps: steps(c.steps),
            text_en: c.text_en,
            text_zh: c.text_zh,
        }
    }
}

/// One member of a group and why it belongs.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupMemberBody {
    pub party: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub customer: bool,
    /// The rule of the tie that attaches the member (`voting_control`,
    /// `control_agreement`, `consolidation`, `same_controller`, `family`,
    /// `shared_funds`); `None` for the head.
    pub rule: Option<String>,
    /// The top of the member's chain of control, if anybody controls it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual_controller: Option<String>,
    /// The head's look-through capital share in the member.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub head_effective_share_pct: Option<f64>,
    /// The path from the head: each tie's evidence, in order.
    pub steps: Vec<StepBody>,
    pub text_en: String,
    pub text_zh: String,
}

impl From<g::GroupMember> for GroupMemberBody {
    fn from(m: g::GroupMember) -> Self {
        GroupMemberBody {
            party: m.party,
            name: m.name,
            customer: m.customer,
            rule: m.rule.map(|r| r.code().to_owned()),
            actual_controller: m.actual_controller,
            head_effective_share_pct: m.head_effective_share_pct,
            steps: steps(m.steps),
            text_en: m.text_en,
            text_zh: m.text_zh,
        }
    }
}

/// A guarantee circle: members in order (each guarantees the next, the last the first),
/// starting at the smallest id.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GuaranteeCircleBody {
    /// `mutual_pair` or `circle`.
    pub kind: String,
    pub members: Vec<String>,
    pub links: Vec<GuaranteeLinkBody>,
    /// Guaranteed amounts summed per currency.
    pub totals: Vec<MoneyBody>,
    pub text_en: String,
    pub text_zh: String,
}

/// One guarantee.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GuaranteeLinkBody {
    pub guarantor: String,
    pub borrower: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<MoneyBody>,
}

impl From<g::GuaranteeCircle> for GuaranteeCircleBody {
    fn from(c: g::GuaranteeCircle) -> Self {
        GuaranteeCircleBody {
            kind: match c.kind {
                g::CircleKind::MutualPair => "mutual_pair",
                g::CircleKind::Circle => "circle",
            }
            .to_owned(),
            members: c.members,
            links: c
                .links
                .into_iter()
                .map(|l| GuaranteeLinkBody {
                    guarantor: l.guarantor,
                    borrower: l.borrower,
                    amount: l.amount.map(MoneyBody::from),
                })
                .collect(),
            totals: c.totals.into_iter().map(MoneyBody::from).collect(),
            text_en: c.text_en,
            text_zh: c.text_zh,
        }
    }
}
