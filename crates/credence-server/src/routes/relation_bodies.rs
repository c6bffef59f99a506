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

/// A group with the evidence for every member.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupReportBody {
    pub id: String,
    /// The configuration version the group was identified with.
    pub config_version: String,
    pub head: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub head_name: Option<String>,
    pub head_is_customer: bool,
    pub customer_count: usize,
    pub member_count: usize,
    /// The rules that tie members in, in rule order (see a member's `rule`).
    pub rules: Vec<String>,
    /// The head first, then the others in id order.
    pub members: Vec<GroupMemberBody>,
}

impl From<g::GroupReport> for GroupReportBody {
    fn from(r: g::GroupReport) -> Self {
        GroupReportBody {
            id: r.id,
            config_version: r.config_version,
            head: r.head,
            head_name: r.head_name,
            head_is_customer: r.head_is_customer,
            customer_count: r.customer_count,
            member_count: r.member_count,
            rules: r.rules.into_iter().map(|x| x.code().to_owned()).collect(),
            members: r.members.into_iter().map(GroupMemberBody::from).collect(),
        }
    }
}

/// One group's exposure against its limit. Amounts in minor units.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupExposureBody {
    pub group: String,
    pub head: String,
    /// Sum over customer members.
    pub exposure: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
    /// Limit minus exposure; negative when the limit is exceeded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headroom: Option<i64>,
    /// Exposure as a percentage of the limit (none for a zero limit).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub utilisation_pct: Option<f64>,
    pub over_limit: bool,
    pub customers: usize,
    pub customers_with_exposure: usize,
    /// The customer with the largest exposure (smallest id among equals).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub largest_member: Option<String>,
    pub largest_member_exposure: i64,
    /// The largest member's share of the group's exposure (none when it is not positive).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub largest_member_share_pct: Option<f64>,
}

impl From<g::GroupExposure> for GroupExposureBody {
    fn from(e: g::GroupExposure) -> Self {
        GroupExposureBody {
            group: e.group,
            head: e.head,
            exposure: e.exposure,
            limit: e.limit,
            headroom: e.headroom,
            utilisation_pct: e.utilisation_pct,
            over_limit: e.over_limit,
            customers: e.customers,
            customers_with_exposure: e.customers_with_exposure,
            largest_member: e.largest_member,
            largest_member_exposure: e.largest_member_exposure,
            largest_member_share_pct: e.largest_member_share_pct,
        }
    }
}

/// A group in a portfolio list: who heads it, its size, and its exposure.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupLineBody {
    pub id: String,
    pub head: String,
    pub head_name: Option<String>,
    pub customers: usize,
    pub members: usize,
    pub exposure: GroupExposureBody,
}

impl From<credence_engine::GroupLine> for GroupLineBody {
    fn from(l: credence_engine::GroupLine) -> Self {
        GroupLineBody {
            id: l.id,
            head: l.head,
            head_name: l.head_name,
            customers: l.customers,
            members: l.members,
            exposure: l.exposure.into(),
        }
    }
}
