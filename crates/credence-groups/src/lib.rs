//! Groups and related parties (CTRL-10, 集团客户 / 关联关系): who controls whom, which
//! customers form one group customer, guarantee circles and chains, group exposure against
//! group limits, and how distress spreads through the links ("hidden risk").
//!
//! # Model
//!
//! The input is the relationship records of DATA-5 as plain [`Link`]s — ownership,
//! control by agreement, guarantee, family, supply chain, consolidation, shared funds —
//! between parties that are customers or not (persons, outside companies), plus an as-of
//! date and the set of customers. Only links active on the as-of date count (started on or
//! before it, not ended on or before it). The [`Graph`] interns party ids into dense `u32`
//! indices in id order and keeps active links in compressed sparse rows (an edge is 48
//! bytes; per party a few integers), so a portfolio of a million companies and three million
//! links fits in well under a gigabyte and every result comes out in id order.
//!
//! On the graph:
//! - [`ownership`]: look-through (effective) ownership, products along paths summed over
//!   all paths, cross-holdings solved as a fixed point — economic interest;
//! - [`control`]: control and the actual controller (实际控制人) of every company — more
//!   than 50% of the votes directly or through controlled parties (whose votes count in
//!   full), control by agreement, consolidation;
//! - [`groups`]: group identification under the six configurable rules (a)–(f) of the
//!   group-customer guideline (《商业银行集团客户授信业务风险管理指引》), each group with a
//!   stable id, a head and, for every member, the rule and the path of evidence that put it
//!   in, in English and Chinese ([`GroupReport`]);
//! - [`guarantees`]: guarantee circles (mutual pairs, triangles, longer) and long chains,
//!   bounded so dense clusters cannot blow up;
//! - [`exposure`]: group exposure and limit roll-up (pure);
//! - [`contagion`]: distress spreading along ownership, control, guarantee, supply-chain,
//!   family and shared-funds links with per-kind weights, decay and a threshold, with the
//!   path as evidence;
//! - [`export`]: a party's neighbourhood as Graphviz DOT or JSON.
//!
//! Rules, thresholds and weights are a versioned TOML file ([`GroupConfig`],
//! `config/groups.toml`, embedded as [`BUILTIN_CONFIG`]); loading reports a bad value with
//! file, line, column and key.
//!
//! The crate does no IO (a configuration comes in as text; the engine reads files), reads
//! no clock and draws no random numbers: the same links, customers, as-of date and
//! configuration give identical results. Problems in the data (a percentage out of range,
//! holdings above 100%, circular control) are [`Diagnostic`]s beside the results; they
//! never stop a run. Every result is `Serialize`.
//!
//! # Example
//!
//! ```
//! use chrono::NaiveDate;
//! use credence_domain::{Currency, RelationKind};
//! use credence_groups::{Graph, GroupConfig, GroupRule, Link, identify_groups};
//!
//! let as_of = NaiveDate::from_ymd_opt(2026, 9, 30).unwrap();
//! let links = [
//!     Link::holding("P-ZHANG", "C001", 60.0),
//!     Link::holding("C001", "C002", 55.0),
//!     Link::new(RelationKind::SharedFunds, "C002", "C003"),
//!     Link::guarantee("C009", "C001", 500_000_000, Currency::CNY),
//! ];
//! let graph = Graph::build(as_of, ["C001", "C002", "C003", "C009"], &links);
//! let groups = identify_groups(&graph, &GroupConfig::builtin());
//! assert_eq!(groups.len(), 1);
//! let report = groups.report(&graph, &groups.groups()[0]);
//! assert_eq!(report.id, "G-P-ZHANG");
//! let c002 = report.members.iter().find(|m| m.party == "C002").unwrap();
//! assert_eq!(c002.rule, Some(GroupRule::VotingControl));
//! assert_eq!(c002.text_en, "P-ZHANG holds 60% of C001; C001 holds 55% of C002");
//! // The guarantor is a related party, not a group member.
//! assert!(report.members.iter().all(|m| m.party != "C009"));
//! ```

pub mod config;
pub mod contagion;
pub mod control;
mod diagnostic;
mod explain;
pub mod export;
pub mod exposure;
mod graph;
mod group_report;
pub mod groups;
pub mod guarantees;
mod intern;
pub mod ownership;

pub use config::{BUILTIN_CONFIG, BUILTIN_CONFIG_FILE, ConfigError, GroupConfig};
pub use contagion::{ContagionHit, ContagionReport, DistressStatus, Distressed, propagate_contagion};
pub use control::{ControlBasis, ControlChain, ControlForest, control_forest};
pub use diagnostic::{Diagnostic, DiagnosticCode};
pub use explain::{Lang, Step, format_money, format_pct};
pub use export::{NeighbourEdge, NeighbourNode, Neighbourhood, neighbourhood};
pub use exposure::{GroupExposure, roll_up_exposure};
pub use graph::{Edge, Graph, GraphBuilder, Link, PartyIx};
pub use group_report::{GroupMember, GroupReport};
pub use groups::{Group, GroupRule, Groups, identify_groups};
pub use guarantees::{
    CircleKind, GuaranteeChain, GuaranteeCircle, GuaranteeCluster, GuaranteeLink, GuaranteeReport,
    guarantee_structures,
};
pub use ownership::{Basis, EffectiveOwnership, EffectiveStake, effective_holdings, effective_owners};
