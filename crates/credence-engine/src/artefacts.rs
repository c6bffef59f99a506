//! The artefacts a deployment runs on, as one set: the indicator catalogue, the expert
//! scorecard model, the credit and billing policies, the warning rule pack, the collection
//! strategy, the group configuration and the notification settings. Each is the shipped
//! one unless a path names an edited file. The set is loaded whole and checked whole: a
//! model that names an indicator the catalogue lacks, or a rule pack written for another
//! catalogue, fails the load with every problem of every file, and a server that reloads
//! keeps the set it had.

use std::path::{Path, PathBuf};

use credence_control::{BillingPolicy, CollectionStrategy, CreditPolicy};
use credence_groups::GroupConfig;
use credence_indicators::Catalogue;
use credence_notify::NotifyConfig;
use credence_rating::ScorecardModel;
use credence_warning::RulePack;

/// Where each artefact comes from; `None` is the shipped one (notifications: none). Read
/// as the `[artefacts]` section of the configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ArtefactPaths {
    pub catalogue: Option<PathBuf>,
    pub model: Option<PathBuf>,
    pub policy: Option<PathBuf>,
    pub billing_policy: Option<PathBuf>,
    pub rule_pack: Option<PathBuf>,
    pub strategy: Option<PathBuf>,
    pub groups: Option<PathBuf>,
    pub notifications: Option<PathBuf>,
}

impl ArtefactPaths {
    /// Every artefact with its path: (name, path).
    pub fn each(&self) -> [(&'static str, Option<&Path>); 8] {
        [
            ("catalogue", self.catalogue.as_deref()),
            ("model", self.model.as_deref()),
            ("policy", self.policy.as_deref()),
            ("billing_policy", self.billing_policy.as_deref()),
            ("rule_pack", self.rule_pack.as_deref()),
            ("strategy", self.strategy.as_deref()),
            ("groups", self.groups.as_deref()),
            ("notifications", self.notifications.as_deref()),
        ]
    }

    /// What tells a reload that a file changed: each named file's length and modification
    /// time (`None` for a file that cannot be read, which the load then reports).
    pub fn stamp(&self) -> Vec<Option<(u64, std::time::SystemTime)>> {
        self.each()
            .iter()
            .filter_map(|(_, p)| *p)
            .map(|p| std::fs::metadata(p).ok().and_then(|m| Some((m.len(), m.modified().ok()?))))
            .collect()
    }
}

/// One artefact in use: its name, version and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ArtefactVersion {
    pub name: &'static str,
    pub version: String,
    /// The file's path, or `shipped`.
    pub source: String,
}

/// A loaded, mutually consistent set of artefacts.
#[derive(Debug)]
pub struct Artefacts {
    pub catalogue: Catalogue,
    pub model: ScorecardModel,
    pub policy: CreditPolicy,
    pub billing_policy: BillingPolicy,
    pub pack: RulePack,
    pub strategy: CollectionStrategy,
    pub groups: GroupConfig,
    pub notify: Option<NotifyConfig>,
    pub paths: ArtefactPaths,
}

/// Why a set could not be loaded: one entry per artefact that failed, with everything
/// its file got wrong.
#[derive(Debug, thiserror::Error)]
#[error("{}", render(.0))]
pub struct ArtefactError(pub Vec<(&'static str, String)>);

fn render(failures: &[(&'static str, String)]) -> String {
    failures.iter().map(|(what, why)| format!("{what}: {why}")).collect::<Vec<_>>().join("\n")
}

/// An error with its causes, one after the other.
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

impl Artefacts {
    /// The shipped set.
    pub fn builtin() -> Artefacts {
        Artefacts::load(&ArtefactPaths::default(), |_| None).unwrap_or_else(|e| unreachable!("{e}"))
    }

    /// Loads the set `paths` names; `env` gives environment variables to the notification
    /// settings (which name their secrets, never hold them).
    pub fn load(
        paths: &ArtefactPaths,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Artefacts, ArtefactError> {
        let mut failures = Vec::new();
        let mut fail = |what: &'static str, e: &dyn std::error::Error| failures.push((what, chain(e)));
        let catalogue = match &paths.catalogue {
            None => Some(Catalogue::builtin()),
            Some(p) => crate::read_catalogue(p).map_err(|e| fail("catalogue", &e)).ok(),
        };
        // The model and the pack are checked against the catalogue they will run on; when
        // it failed, against the shipped one, so their own problems are still reported.
        let against = catalogue.as_ref().map_or_else(Catalogue::builtin, |c| c.clone());
        let ids: Vec<&str> = against.indicators().iter().map(|d| d.id.as_str()).collect();
        let model = match &paths.model {
            None => ScorecardModel::from_toml(
                credence_rating::BUILTIN_MODEL,
                credence_rating::BUILTIN_MODEL_FILE,
                &ids,
            )
            .map_err(|e| fail("model", &e))
            .ok(),
            Some(p) => crate::read_scorecard_model(p, &ids).map_err(|e| fail("model", &e)).ok(),
        };
        let pack = match &paths.rule_pack {
            None => Some(RulePack::builtin(&against)),
            Some(p) => crate::read_rule_pack(p, &against).map_err(|e| fail("rule_pack", &e)).ok(),
        };
        let policy = crate::load_policy(paths.policy.as_deref()).map_err(|e| fail("policy", &e)).ok();
        let billing_policy = crate::load_billing_policy(paths.billing_policy.as_deref())
            .map_err(|e| fail("billing_policy", &e))
            .ok();
        let strategy = crate::load_strategy(paths.strategy.as_deref()).map_err(|e| fail("strategy", &e)).ok();
        let groups = match &paths.groups {
            None => Some(GroupConfig::builtin()),
            Some(p) => crate::read_group_config(p).map_err(|e| fail("groups", &e)).ok(),
        };
        let notify = match &paths.notifications {
            None => Some(None),
            Some(p) => {
                crate::read_notify_config(p, &env).map(Some).map_err(|e| fail("notifications", &e)).ok()
            }
        };
        match (catalogue, model, policy, billing_policy, pack, strategy, groups, notify) {
            (
                Some(catalogue),
                Some(model),
                Some(policy),
                Some(billing_policy),
                Some(pack),
                Some(strategy),
                Some(groups),
                Some(notify),
            ) if failures.is_empty() => Ok(Artefacts {
                catalogue,
                model,
                policy,
                billing_policy,
                pack,
                strategy,
                groups,
                notify,
                paths: paths.clone(),
            }),
            _ => Err(ArtefactError(failures)),
        }
    }

    /// Each artefact's version and source, in a fixed order.
    pub fn versions(&self) -> Vec<ArtefactVersion> {
        let source = |name: &str, p: Option<&Path>| match p {
            Some(p) => p.display().to_string(),
            None if name == "notifications" => "not configured".to_owned(),
            None => "shipped".to_owned(),
        };
        let versions = [
            self.catalogue.version().to_owned(),
            self.model.version().to_owned(),
            self.policy.version().to_owned(),
            self.billing_policy.version.clone(),
            self.pack.version().to_owned(),
            self.strategy.version().to_owned(),
            self.groups.version.clone(),
            self.notify.as_ref().map_or_else(|| "none".to_owned(), |_| "configured".to_owned()),
        ];
        self.paths
            .each()
            .into_iter()
            .zip(versions)
            .map(|((name, path), version)| ArtefactVersion { name, version, source: source(name, path) })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shipped set loads and names each artefact's shipped version.
    #[test]
    fn the_shipped_set_names_its_versions() {
        let a = Artefacts::builtin();
        let v = a.versions();
        assert_eq!(v.len(), 8);
        assert_eq!(v[0].name, "catalogue");
        assert_eq!(v[0].version, Catalogue::builtin().version());
        assert!(v[..7].iter().all(|v| v.source == "shipped"));
        assert_eq!((v[7].version.as_str(), v[7].source.as_str()), ("none", "not configured"));
    }

    /// An edited model is used; a broken policy and a missing pack fail the set together,
    /// each named with its own problem.
    #[test]
    fn an_edited_file_is_used_and_every_failure_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let model = dir.path().join("model.toml");
        let shipped = credence_rating::BUILTIN_MODEL;
        let line = shipped.lines().find(|l| l.starts_with("version = ")).unwrap();
        let edited = shipped.replacen(line, "version = \"2026-Q4-V7.0\"", 1);
        assert_ne!(edited, credence_rating::BUILTIN_MODEL, "the shipped model has a version line");
        std::fs::write(&model, edited).unwrap();
        let paths = ArtefactPaths { model: Some(model.clone()), ..ArtefactPaths::default() };
        let a = Artefacts::load(&paths, |_| None).unwrap();
        assert_eq!(a.model.version(), "2026-Q4-V7.0");
        assert_eq!(a.versions()[1].source, model.display().to_string());

        let policy = dir.path().join("policy.toml");
        std::fs::write(&policy, "version = 3\n").unwrap();
        let paths = ArtefactPaths {
            policy: Some(policy),
            rule_pack: Some(dir.path().join("missing.toml")),
            ..ArtefactPaths::default()
        };
        let e = Artefacts::load(&paths, |_| None).unwrap_err();
        let names: Vec<&str> = e.0.iter().map(|(w, _)| *w).collect();
        assert_eq!(names, ["rule_pack", "policy"]);
        assert!(e.0[0].1.contains("missing.toml"), "{}", e.0[0].1);
        assert!(e.to_string().starts_with("rule_pack: cannot read the rule pack"), "{e}");
    }
}
