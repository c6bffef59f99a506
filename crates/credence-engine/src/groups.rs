//! Groups and related parties (CTRL-10) over the stored relationship records: the graph
//! as of a date, group identification with every member's evidence, guarantee circles and
//! chains, group exposure against group limits, and contagion from distressed customers.

use crate::EngineError;
use crate::columns::{Column, customers, relationships};
use chrono::NaiveDate;
use credence_domain::{Currency, Labelled, RelationKind};
use credence_groups::{
    ContagionReport, ControlChain, DistressStatus, Distressed, Graph, GraphBuilder, GroupConfig,
    GroupExposure, GroupReport, Groups, GuaranteeCircle, GuaranteeReport, Link, identify_groups,
};
use credence_records::{Kind, Record};
use credence_store::Store;
use std::collections::HashMap;

/// The relationship graph of the stored portfolio as of a date, and its groups.
#[derive(Debug)]
pub struct RelatedParties {
    pub as_of: NaiveDate,
    pub config: GroupConfig,
    pub graph: Graph,
    pub groups: Groups,
    /// Relationship records left out, with the reason (key, reason).
    pub unreadable: Vec<(String, String)>,
}

fn opt_date(r: &Record, column: Column) -> Option<NaiveDate> {
    column.text(r).and_then(|t| t.parse().ok())
}

/// A stored relationship record as a link of the graph.
fn link(r: &Record) -> Result<Link, String> {
    let kind = relationships::RELATION_TYPE
        .text(r)
        .and_then(RelationKind::parse_label)
        .ok_or_else(|| format!("relation_type {:?} is unknown", relationships::RELATION_TYPE.text(r)))?;
    let party = |column: Column| {
        column.text(r).map(str::to_owned).ok_or_else(|| format!("{} is empty", column.name()))
    };
    Ok(Link {
        kind,
        from: party(relationships::FROM_PARTY)?,
        from_name: relationships::FROM_NAME.text(r).map(str::to_owned),
        to: party(relationships::TO_PARTY)?,
        to_name: relationships::TO_NAME.text(r).map(str::to_owned),
        share_pct: relationships::SHARE_PCT.real(r),
        voting_pct: relationships::VOTING_PCT.real(r),
        amount: relationships::AMOUNT.int(r),
        currency: relationships::CURRENCY.text(r).and_then(|c| Currency::parse(c).ok()),
        start: opt_date(r, relationships::START_DATE),
        end: opt_date(r, relationships::END_DATE),
        description: relationships::DESCRIPTION.text(r).map(str::to_owned),
    })
}

/// Builds the graph of every stored customer and relationship active on `as_of`, and
/// identifies its groups under `config`.
pub fn related_parties(
    store: &mut Store,
    as_of: NaiveDate,
    config: GroupConfig,
) -> Result<RelatedParties, EngineError> {
    let mut builder = GraphBuilder::new(as_of);
    store.for_each_record(Kind::Customers, |c| {
        if let Some(id) = customers::CUSTOMER_ID.text(&c) {
            builder.add_customer(id, customers::NAME.text(&c));
        }
        Ok(())
    })?;
    let mut unreadable = Vec::new();
    store.for_each_record(Kind::Relationships, |r| {
        match link(&r) {
            Ok(l) => builder.add_link(&l),
            Err(reason) => unreadable.push((r.key(), reason)),
        }
        Ok(())
    })?;
    let graph = builder.build();
    let groups = identify_groups(&graph, &config);
    Ok(RelatedParties { as_of, config, graph, groups, unreadable })
}

/// A group in a portfolio list: who heads it, its size, and its exposure.
#[derive(Debug, Clone, serde::Serialize)]
pub struct GroupLine {
    pub id: String,
    pub head: String,
    pub head_name: Option<String>,
    pub customers: usize,
    pub members: usize,
    pub exposure: GroupExposure,
}

/// Exposure and limits in one currency, per customer and rolled up per group. A group's
/// limit is the sum of its customer members' limits until credit control sets group
/// limits of its own.
#[derive(Debug, Clone)]
pub struct Exposures {
    pub currency: Currency,
    pub by_customer: HashMap<String, i64>,
    pub limits: HashMap<String, i64>,
}

impl Exposures {
    pub fn load(store: &mut Store, as_of: NaiveDate, currency: Currency) -> Result<Exposures, EngineError> {
        Ok(Exposures {
            currency,
            by_customer: store.exposures(&as_of.to_string(), currency.code())?,
            limits: store.credit_limits(currency.code())?,
        })
    }
}

impl RelatedParties {
    fn group_limits(&self, exposures: &Exposures) -> HashMap<String, i64> {
        self.groups
            .groups()
            .iter()
            .filter_map(|g| {
                let limits: Vec<i64> = g
                    .members()
                    .filter(|&m| self.graph.is_customer(m))
                    .filter_map(|m| exposures.limits.get(self.graph.id(m)).copied())
                    .collect();
                (!limits.is_empty())
                    .then(|| (g.id().to_owned(), limits.iter().fold(0_i64, |a, &b| a.saturating_add(b))))
            })
            .collect()
    }

    /// Every group with its exposure, largest exposure first (then by id).
    pub fn list(&self, exposures: &Exposures) -> Vec<GroupLine> {
        let rolled = credence_groups::roll_up_exposure(
            &self.graph,
            &self.groups,
            &exposures.by_customer,
            &self.group_limits(exposures),
        );
        let mut lines: Vec<GroupLine> = self
            .groups
            .groups()
            .iter()
            .zip(rolled)
            .map(|(g, exposure)| GroupLine {
                id: g.id().to_owned(),
                head: self.graph.id(g.head()).to_owned(),
                head_name: self.graph.name(g.head()).map(str::to_owned),
                customers: g.customer_count(),
                members: g.member_count(),
                exposure,
            })
            .collect();
        lines.sort_by(|a, b| b.exposure.exposure.cmp(&a.exposure.exposure).then_with(|| a.id.cmp(&b.id)));
        lines
    }

    /// One group with every member's evidence and its exposure.
    pub fn show(&self, id: &str, exposures: &Exposures) -> Result<GroupDetail, EngineError> {
        let group = self.groups.find(id).ok_or_else(|| EngineError::UnknownGroup { id: id.to_owned() })?;
        let report = self.groups.report(&self.graph, group);
        let exposure = self
            .list(exposures)
            .into_iter()
            .find(|l| l.id == id)
            .map(|l| l.exposure)
            .expect("every group has a line");
        let members = report
            .members
            .iter()
            .filter(|m| m.customer)
            .map(|m| MemberExposure {
                customer: m.party.clone(),
                exposure: exposures.by_customer.get(&m.party).copied().unwrap_or(0),
                limit: exposures.limits.get(&m.party).copied(),
            })
            .collect();
        Ok(GroupDetail { report, exposure, members, currency: exposures.currency.code().to_owned() })
    }

    /// Why a customer is (or is not) in a group, who controls it, and the guarantee
    /// circles it is part of.
    pub fn explain(&self, customer: &str) -> Result<CustomerTies, EngineError> {
        let p = self
            .graph
            .find(customer)
            .filter(|&p| self.graph.is_customer(p))
            .ok_or_else(|| EngineError::UnknownCustomer { id: customer.to_owned() })?;
        let group = self.groups.group_of(p).map(|g| self.groups.report(&self.graph, g));
        let membership = group.as_ref().and_then(|g| g.members.iter().find(|m| m.party == customer).cloned());
        let guarantees = self.guarantees();
        let circles =
            guarantees.circles.into_iter().filter(|c| c.members.iter().any(|m| m == customer)).collect();
        Ok(CustomerTies {
            customer: customer.to_owned(),
            control: self.groups.control().explain(&self.graph, p),
            group: group.map(|g| (g.id, g.head)),
            membership,
            circles,
        })
    }

    /// Guarantee circles and long chains.
    pub fn guarantees(&self) -> GuaranteeReport {
        credence_groups::guarantee_structures(&self.graph, &self.config.guarantees)
    }

    /// Contagion from `distressed` customers along the graph.
    pub fn contagion(&self, distressed: &[Distressed]) -> ContagionReport {
        credence_groups::propagate_contagion(&self.graph, distressed, &self.config.contagion)
    }
}

/// A customer member's exposure and limit.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MemberExposure {
    pub customer: String,
    pub exposure: i64,
    pub limit: Option<i64>,
}

/// One group in full.
#[derive(Debug, Clone, serde::Serialize)]
pub struct GroupDetail {
    pub report: GroupReport,
    pub exposure: GroupExposure,
    pub members: Vec<MemberExposure>,
    /// Currency of every amount, in minor units.
    pub currency: String,
}

/// A customer's ties.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CustomerTies {
    pub customer: String,
    pub control: ControlChain,
    /// (group id, head) when the customer belongs to a group.
    pub group: Option<(String, String)>,
    /// The rule and path that put it in the group.
    pub membership: Option<credence_groups::GroupMember>,
    pub circles: Vec<GuaranteeCircle>,
}

/// Customers in distress on `as_of`: those whose first `default` event falls in the
/// twelve months to then (defaulted), and those at the red warning level or whose latest
/// rating has the worst grade of the letter scale `worst_grade` (red).
pub fn distressed_customers(
    store: &mut Store,
    as_of: NaiveDate,
    worst_grade: &str,
) -> Result<Vec<Distressed>, EngineError> {
    let year_before = (as_of - chrono::Days::new(365)).to_string();
    let as_of_text = as_of.to_string();
    let mut out: HashMap<String, DistressStatus> = HashMap::new();
    for (customer, date) in store.first_event_dates("default")? {
        if date.as_str() > year_before.as_str() && date <= as_of_text {
            out.insert(customer, DistressStatus::Defaulted);
        }
    }
    for (customer, level) in store.level_states()? {
        if level.level == "red" {
            out.entry(customer).or_insert(DistressStatus::Red);
        }
    }
    if let Some(run) = store.rating_runs(1)?.into_iter().next() {
        store.ratings_of_run(run.id, |r| {
            if r.rating.letter_grade == worst_grade {
                out.entry(r.rating.customer_id.into()).or_insert(DistressStatus::Red);
            }
            Ok(())
        })?;
    }
    let mut list: Vec<Distressed> =
        out.into_iter().map(|(party, status)| Distressed { party, status }).collect();
    list.sort_by(|a, b| a.party.cmp(&b.party));
    Ok(list)
}
