//! `credence groups …` and `credence graph export`: groups and related parties (CTRL-10).

use crate::{Lang, ReportFormat, groups_output, letter_grades, open, parse_date, today};
use anyhow::{Context, Result};
use clap::{Subcommand, ValueEnum};
use credence_rating::ScorecardModel;
use credence_store::Store;
use std::path::PathBuf;

/// What a group analysis looks at.
#[derive(clap::Args, Clone)]
pub struct GroupOptions {
    /// Relationships in force on this date count (default: today).
    #[arg(long, value_parser = parse_date)]
    as_of: Option<chrono::NaiveDate>,
    /// Group rules, thresholds and contagion weights (default: the configuration's
    /// `artefacts.groups`, else the shipped groups.toml).
    #[arg(long)]
    groups: Option<PathBuf>,
    /// Currency of exposures and limits; records in other currencies are left out.
    #[arg(long, default_value = "CNY")]
    currency: String,
    #[arg(long, value_enum, default_value_t = Lang::Zh)]
    lang: Lang,
}

#[derive(Subcommand)]
pub enum GroupsCommand {
    /// Every group with its exposure against the group limit, largest first.
    List {
        #[command(flatten)]
        options: GroupOptions,
        /// Rows shown in the table.
        #[arg(long, default_value_t = 50)]
        limit: usize,
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
    /// One group: members, the rule and path that put each in, exposures.
    Show {
        /// Group id (`G-…`).
        id: String,
        #[command(flatten)]
        options: GroupOptions,
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
    /// A customer's controller, group membership and guarantee circles.
    Explain {
        customer: String,
        #[command(flatten)]
        options: GroupOptions,
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
    /// Guarantee circles (mutual, triangles, longer) and long guarantee chains.
    Guarantees {
        #[command(flatten)]
        options: GroupOptions,
        #[arg(long, default_value_t = 50)]
        limit: usize,
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
    /// Related customers put on watch by distressed ones (defaulted in the last twelve
    /// months, at the red warning level, or rated in the worst letter grade), with the path.
    Contagion {
        #[command(flatten)]
        options: GroupOptions,
        #[arg(long, default_value_t = 50)]
        limit: usize,
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
}

#[derive(Subcommand)]
pub enum GraphCommand {
    /// A customer's neighbourhood as Graphviz DOT or JSON.
    Export {
        customer: String,
        /// Links from the customer to follow.
        #[arg(long, default_value_t = 2)]
        hops: u32,
        /// Parties at most (the nearest are kept).
        #[arg(long, default_value_t = 200)]
        max_nodes: usize,
        #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
        format: GraphFormat,
        /// Output file (default: standard output).
        #[arg(long)]
        out: Option<PathBuf>,
        #[command(flatten)]
        options: GroupOptions,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    Dot,
    Json,
}

fn group_lang(lang: Lang) -> credence_groups::Lang {
    match lang {
        Lang::En => credence_groups::Lang::En,
        Lang::Zh => credence_groups::Lang::Zh,
    }
}

fn load_groups(store: &mut Store, options: &GroupOptions) -> Result<credence_engine::RelatedParties> {
    let config = match &crate::or_configured(options.groups.as_deref(), |a| &a.groups) {
        Some(path) => credence_engine::read_group_config(path)?,
        None => credence_groups::GroupConfig::builtin(),
    };
    let parties = credence_engine::related_parties(store, options.as_of.unwrap_or_else(today), config)?;
    for (key, reason) in parties.unreadable.iter().take(5) {
        eprintln!("relationship {key} left out: {reason}");
    }
    Ok(parties)
}

pub fn run_groups(db: &str, command: GroupsCommand) -> Result<()> {
    let options = match &command {
        GroupsCommand::List { options, .. }
        | GroupsCommand::Show { options, .. }
        | GroupsCommand::Explain { options, .. }
        | GroupsCommand::Guarantees { options, .. }
        | GroupsCommand::Contagion { options, .. } => options.clone(),
    };
    let currency = credence_domain::Currency::parse(&options.currency)
        .map_err(|_| anyhow::anyhow!("'{}' is not an ISO 4217 currency code", options.currency))?;
    let chinese = options.lang == Lang::Zh;
    let mut store = open(db)?;
    let parties = load_groups(&mut store, &options)?;
    match command {
        GroupsCommand::List { limit, format, .. } => {
            let exposures = credence_engine::Exposures::load(&mut store, parties.as_of, currency)?;
            let lines = parties.list(&exposures);
            match format {
                ReportFormat::Json => println!("{}", serde_json::to_string_pretty(&lines)?),
                ReportFormat::Table => groups_output::print_groups(&lines, currency, limit, chinese),
            }
        }
        GroupsCommand::Show { id, format, .. } => {
            let exposures = credence_engine::Exposures::load(&mut store, parties.as_of, currency)?;
            let detail = parties.show(&id, &exposures)?;
            match format {
                ReportFormat::Json => println!("{}", serde_json::to_string_pretty(&detail)?),
                ReportFormat::Table => groups_output::print_group(&detail, currency, chinese),
            }
        }
        GroupsCommand::Explain { customer, format, .. } => {
            let ties = parties.explain(&customer)?;
            match format {
                ReportFormat::Json => println!("{}", serde_json::to_string_pretty(&ties)?),
                ReportFormat::Table => groups_output::print_ties(&ties, chinese),
            }
        }
        GroupsCommand::Guarantees { limit, format, .. } => {
            let report = parties.guarantees();
            match format {
                ReportFormat::Json => println!("{}", serde_json::to_string_pretty(&report)?),
                ReportFormat::Table => groups_output::print_guarantees(
                    &report,
                    parties.config.guarantees.min_chain_len as usize,
                    limit,
                    chinese,
                ),
            }
        }
        GroupsCommand::Contagion { limit, format, .. } => {
            let model = ScorecardModel::builtin();
            let worst = letter_grades(&model).last().copied().unwrap_or("C").to_owned();
            let distressed = credence_engine::distressed_customers(&mut store, parties.as_of, &worst)?;
            let report = parties.contagion(&distressed);
            match format {
                ReportFormat::Json => println!("{}", serde_json::to_string_pretty(&report)?),
                ReportFormat::Table => {
                    groups_output::print_contagion(&report, distressed.len(), limit, chinese)
                }
            }
        }
    }
    Ok(())
}

pub fn run_graph(db: &str, command: GraphCommand) -> Result<()> {
    let GraphCommand::Export { customer, hops, max_nodes, format, out, options } = command;
    let mut store = open(db)?;
    let parties = load_groups(&mut store, &options)?;
    let center = parties
        .graph
        .find(&customer)
        .with_context(|| format!("'{customer}' is neither a customer nor a related party"))?;
    let n = credence_groups::neighbourhood(&parties.graph, center, hops, max_nodes);
    let text = match format {
        GraphFormat::Dot => n.to_dot(group_lang(options.lang)),
        GraphFormat::Json => n.to_json(),
    };
    match out {
        Some(path) => {
            std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
            println!("wrote the neighbourhood of {customer} to {}", path.display());
        }
        None => println!("{text}"),
    }
    Ok(())
}
