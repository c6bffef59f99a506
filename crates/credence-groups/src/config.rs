//! The group rules, thresholds and contagion weights: a versioned TOML file
//! (`config/groups.toml`, embedded as [`BUILTIN_CONFIG`]) checked into a [`GroupConfig`].
//!
//! Every section and key may be left out (the shipped value is used); unknown keys are
//! errors, so a misspelt key is not silently ignored. A bad value is reported with the
//! file, line, column and dotted key.

use credence_domain::is_version_name;
use credence_source::{Problem, line_column};
use serde::{Deserialize, Serialize};

/// The shipped configuration.
pub const BUILTIN_CONFIG: &str = include_str!("../config/groups.toml");

/// The name [`BUILTIN_CONFIG`] is reported under in messages.
pub const BUILTIN_CONFIG_FILE: &str = "groups.toml";

/// Why a configuration could not be loaded: unreadable (`what` is "group configuration";
/// this crate checks text only, the caller reads the file) or its problem, shown as
/// ``file:line:column: `key`: message`` (the column in characters; `key` the dotted key
/// of the value, `contagion.weights.family`, when one could be found).
pub use credence_source::FileError as ConfigError;

/// The checked configuration. Built by [`GroupConfig::builtin`] or [`GroupConfig::from_toml`];
/// a value built by hand is checked by [`GroupConfig::check`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupConfig {
    /// Named like `2026-Q4-V1.0`.
    pub version: String,
    #[serde(default)]
    pub rules: RuleSwitches,
    #[serde(default)]
    pub control: ControlSettings,
    #[serde(default)]
    pub groups: GroupSettings,
    #[serde(default)]
    pub ownership: OwnershipSettings,
    #[serde(default)]
    pub guarantees: GuaranteeSettings,
    #[serde(default)]
    pub contagion: ContagionSettings,
}

/// Which group rules apply; see [`crate::GroupRule`] for each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RuleSwitches {
    pub voting_control: bool,
    pub control_agreement: bool,
    pub consolidation: bool,
    pub same_controller: bool,
    pub family: bool,
    pub shared_funds: bool,
}

impl Default for RuleSwitches {
    fn default() -> Self {
        RuleSwitches {
            voting_control: true,
            control_agreement: true,
            consolidation: true,
            same_controller: true,
            family: true,
            shared_funds: true,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ControlSettings {
    /// Control needs strictly more than this percentage of the votes.
    pub threshold_pct: f64,
    pub max_rounds: u32,
}

impl Default for ControlSettings {
    fn default() -> Self {
        ControlSettings { threshold_pct: 50.0, max_rounds: 64 }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GroupSettings {
    pub family_hops: u32,
    pub min_customer_members: u32,
}

impl Default for GroupSettings {
    fn default() -> Self {
        GroupSettings { family_hops: 2, min_customer_members: 2 }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OwnershipSettings {
    pub tolerance: f64,
    pub max_pushes: u64,
}

impl Default for OwnershipSettings {
    fn default() -> Self {
        OwnershipSettings { tolerance: 1e-9, max_pushes: 10_000_000 }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GuaranteeSettings {
    pub max_cycle_len: u32,
    pub max_cycles_per_cluster: u32,
    pub min_chain_len: u32,
    pub max_chain_len: u32,
    pub max_chains: u32,
    pub max_search_steps: u64,
}

impl Default for GuaranteeSettings {
    fn default() -> Self {
        GuaranteeSettings {
            max_cycle_len: 6,
            max_cycles_per_cluster: 50,
            min_chain_len: 4,
            max_chain_len: 12,
            max_chains: 1000,
            max_search_steps: 2_000_000,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ContagionSettings {
    pub decay: f64,
    pub threshold: f64,
    pub defaulted_severity: f64,
    pub red_severity: f64,
    pub min_share_pct: f64,
    pub weights: ContagionWeights,
}

impl Default for ContagionSettings {
    fn default() -> Self {
        ContagionSettings {
            decay: 0.8,
            threshold: 0.05,
            defaulted_severity: 1.0,
            red_severity: 0.7,
            min_share_pct: 20.0,
            weights: ContagionWeights::default(),
        }
    }
}

/// What share of a party's distress one link passes on, by kind and direction.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ContagionWeights {
    pub parent_to_subsidiary: f64,
    pub subsidiary_to_parent: f64,
    pub borrower_to_guarantor: f64,
    pub guarantor_to_borrower: f64,
    pub buyer_to_supplier: f64,
    pub supplier_to_buyer: f64,
    pub family: f64,
    pub shared_funds: f64,
}

impl Default for ContagionWeights {
    fn default() -> Self {
        ContagionWeights {
            parent_to_subsidiary: 0.6,
            subsidiary_to_parent: 0.5,
            borrower_to_guarantor: 0.8,
            guarantor_to_borrower: 0.3,
            buyer_to_supplier: 0.4,
            supplier_to_buyer: 0.2,
            family: 0.5,
            shared_funds: 0.6,
        }
    }
}

/// A value that is out of its range: dotted key and what is wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct BadValue {
    pub key: &'static str,
    pub message: String,
}

impl GroupConfig {
    /// The shipped configuration ([`BUILTIN_CONFIG`]).
    pub fn builtin() -> GroupConfig {
        match GroupConfig::from_toml(BUILTIN_CONFIG, BUILTIN_CONFIG_FILE) {
            Ok(c) => c,
            // The shipped file is checked by the crate's tests.
            Err(e) => panic!("the built-in group configuration is invalid: {e}"),
        }
    }

    /// Parses and checks a configuration; `file_name` is used in messages.
    pub fn from_toml(text: &str, file_name: &str) -> Result<GroupConfig, ConfigError> {
        let config: GroupConfig = toml::from_str(text).map_err(|e| {
            let offset = e.span().map_or(0, |s| s.start);
            let (line, column) = line_column(text, offset);
            let problem = Problem::new(file_name, line, column, e.message().trim());
            ConfigError::Invalid(vec![problem.with_key(key_at(text, offset))])
        })?;
        config.check().map_err(|bad| {
            let offset = locate(text, bad.key).unwrap_or(0);
            let (line, column) = line_column(text, offset);
            ConfigError::Invalid(vec![
                Problem::new(file_name, line, column, bad.message).with_key(Some(bad.key)),
            ])
        })?;
        Ok(config)
    }

    /// Checks every value's range; the first bad one is returned.
    pub fn check(&self) -> Result<(), BadValue> {
        let bad = |key: &'static str, message: String| Err(BadValue { key, message });
        let unit = |key: &'static str, v: f64, zero_ok: bool| {
            let ok = v.is_finite() && v <= 1.0 && (v > 0.0 || (zero_ok && v == 0.0));
            if ok {
                Ok(())
            } else {
                let range = if zero_ok { "0–1" } else { "above 0 and at most 1" };
                bad(key, format!("must be {range}, found {v}"))
            }
        };
        if !is_version_name(&self.version) {
            return bad("version", format!("`{}` is not named like 2026-Q4-V1.0", self.version));
        }
        let c = &self.control;
        if !(c.threshold_pct.is_finite() && (0.0..100.0).contains(&c.threshold_pct)) {
            return bad(
                "control.threshold_pct",
                format!("must be at least 0 and below 100, found {}", c.threshold_pct),
            );
        }
        if c.max_rounds == 0 {
            return bad("control.max_rounds", "must be at least 1".into());
        }
        let g = &self.groups;
        if !(1..=6).contains(&g.family_hops) {
            return bad("groups.family_hops", format!("must be 1–6, found {}", g.family_hops));
        }
        if g.min_customer_members == 0 {
            return bad("groups.min_customer_members", "must be at least 1".into());
        }
        let o = &self.ownership;
        if !(o.tolerance.is_finite() && o.tolerance > 0.0 && o.tolerance <= 0.01) {
            return bad(
                "ownership.tolerance",
                format!("must be above 0 and at most 0.01, found {}", o.tolerance),
            );
        }
        if o.max_pushes == 0 {
            return bad("ownership.max_pushes", "must be at least 1".into());
        }
        let q = &self.guarantees;
        if !(2..=12).contains(&q.max_cycle_len) {
            return bad("guarantees.max_cycle_len", format!("must be 2–12, found {}", q.max_cycle_len));
        }
        if q.max_cycles_per_cluster == 0 {
            return bad("guarantees.max_cycles_per_cluster", "must be at least 1".into());
        }
        if !(2..=64).contains(&q.min_chain_len) {
            return bad("guarantees.min_chain_len", format!("must be 2–64, found {}", q.min_chain_len));
        }
        if !(q.min_chain_len..=64).contains(&q.max_chain_len) {
            return bad(
                "guarantees.max_chain_len",
                format!("must be from min_chain_len ({}) to 64, found {}", q.min_chain_len, q.max_chain_len),
            );
        }
        if q.max_chains == 0 {
            return bad("guarantees.max_chains", "must be at least 1".into());
        }
        if q.max_search_steps < 1000 {
            return bad(
                "guarantees.max_search_steps",
                format!("must be at least 1000, found {}", q.max_search_steps),
            );
        }
        let k = &self.contagion;
        unit("contagion.decay", k.decay, false)?;
        unit("contagion.threshold", k.threshold, false)?;
        unit("contagion.defaulted_severity", k.defaulted_severity, false)?;
        unit("contagion.red_severity", k.red_severity, false)?;
        if !(k.min_share_pct.is_finite() && (0.0..=100.0).contains(&k.min_share_pct)) {
            return bad("contagion.min_share_pct", format!("must be 0–100, found {}", k.min_share_pct));
        }
        let w = &k.weights;
        for (key, v) in [
            ("contagion.weights.parent_to_subsidiary", w.parent_to_subsidiary),
            ("contagion.weights.subsidiary_to_parent", w.subsidiary_to_parent),
            ("contagion.weights.borrower_to_guarantor", w.borrower_to_guarantor),
            ("contagion.weights.guarantor_to_borrower", w.guarantor_to_borrower),
            ("contagion.weights.buyer_to_supplier", w.buyer_to_supplier),
            ("contagion.weights.supplier_to_buyer", w.supplier_to_buyer),
            ("contagion.weights.family", w.family),
            ("contagion.weights.shared_funds", w.shared_funds),
        ] {
            unit(key, v, true)?;
        }
        Ok(())
    }
}

/// The table header of a line (`[contagion.weights]` → `contagion.weights`).
fn header(line: &str) -> Option<&str> {
    let t = line.trim();
    t.strip_prefix('[').filter(|r| !r.starts_with('[')).and_then(|r| r.split(']').next()).map(str::trim)
}

/// The key of a `key = value` line.
fn line_key(line: &str) -> Option<&str> {
    let t = line.trim_start();
    if t.starts_with('#') || t.starts_with('[') {
        return None;
    }
    t.split_once('=').map(|(k, _)| k.trim()).filter(|k| !k.is_empty())
}

/// The dotted key written at a byte offset, from the line it is on and the table above.
fn key_at(text: &str, offset: usize) -> Option<String> {
    let offset = offset.min(text.len());
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = text[line_start..].lines().next().unwrap_or("");
    if let Some(h) = header(line) {
        return Some(h.to_owned());
    }
    let key = line_key(line)?;
    let table = text[..line_start].lines().rev().find_map(header);
    Some(match table {
        Some(t) => format!("{t}.{key}"),
        None => key.to_owned(),
    })
}

/// The byte offset of the value of a dotted key, if the key is written as `key = value`
/// in its table.
fn locate(text: &str, dotted: &str) -> Option<usize> {
    let (table, key) = dotted.rsplit_once('.').unwrap_or(("", dotted));
    let mut current = "";
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if let Some(h) = header(line) {
            current = h;
        } else if current == table && line_key(line) == Some(key) {
            let eq = line.find('=').unwrap_or(0);
            let value = line[eq + 1..].len() - line[eq + 1..].trim_start().len();
            return Some(offset + eq + 1 + value);
        }
        offset += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_file_is_the_defaults() {
        let c = GroupConfig::builtin();
        assert_eq!(c.version, "2026-Q4-V1.0");
        assert_eq!(c.rules, RuleSwitches::default());
        assert_eq!(c.control, ControlSettings::default());
        assert_eq!(c.groups, GroupSettings::default());
        assert_eq!(c.ownership, OwnershipSettings::default());
        assert_eq!(c.guarantees, GuaranteeSettings::default());
        assert_eq!(c.contagion, ContagionSettings::default());
    }

    #[test]
    fn partial_files_take_the_defaults() {
        let c = GroupConfig::from_toml("version = \"2027-Q1-V2.0\"\n[rules]\nfamily = false\n", "x.toml")
            .unwrap();
        assert!(!c.rules.family && c.rules.shared_funds);
        assert_eq!(c.groups.family_hops, 2);
    }

    fn error(text: &str) -> String {
        GroupConfig::from_toml(text, "g.toml").unwrap_err().to_string()
    }

    /// What a user sees for a misspelt key and for a value out of range, as reviewed
    /// snapshots.
    #[test]
    fn diagnostics_snapshots() {
        let v = "version = \"2026-Q4-V1.0\"\n";
        insta::assert_snapshot!("groups_unknown_key", error(&format!("{v}[rules]\nvoting = true\n")));
        insta::assert_snapshot!("groups_unknown_section", error(&format!("{v}[contagon]\ndecay = 0.5\n")));
        insta::assert_snapshot!(
            "groups_bad_value",
            error(&format!("{v}[guarantees]\nmin_chain_len = 5\nmax_chain_len = 4\n"))
        );
    }

    #[test]
    fn bad_values_name_file_line_and_key() {
        let v = "version = \"2026-Q4-V1.0\"\n";
        assert_eq!(
            error(&format!("{v}[contagion]\ndecay = 1.5\n")),
            "g.toml:3:9: `contagion.decay`: must be above 0 and at most 1, found 1.5"
        );
        assert_eq!(
            error(&format!("{v}[contagion.weights]\nfamily = -0.1\n")),
            "g.toml:3:10: `contagion.weights.family`: must be 0–1, found -0.1"
        );
        assert_eq!(
            error(&format!("{v}[control]\nthreshold_pct = \"half\"\n")),
            "g.toml:3:17: `control.threshold_pct`: invalid type: string \"half\", expected f64"
        );
        assert!(
            error(&format!("{v}[rules]\nvoting = true\n"))
                .starts_with("g.toml:3:1: `rules.voting`: unknown field `voting`")
        );
        assert_eq!(
            error("version = \"v1\"\n"),
            "g.toml:1:11: `version`: `v1` is not named like 2026-Q4-V1.0"
        );
        assert_eq!(
            error(&format!("{v}[guarantees]\nmin_chain_len = 5\nmax_chain_len = 4\n")),
            "g.toml:4:17: `guarantees.max_chain_len`: must be from min_chain_len (5) to 64, found 4"
        );
    }
}
