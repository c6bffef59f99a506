//! One configuration for the server, its jobs and the command line: `credence.toml`
//! (`credence.example.toml` documents every key), each key also settable by an
//! environment variable and by a command-line flag. A flag beats the environment, which
//! beats the file, which beats the default; `credence config check` prints every key's
//! effective value and where it came from, secrets masked.
//!
//! The layering is written here rather than taken from a layered-configuration crate:
//! the key table below is needed anyway (for the environment names, the masking of
//! secrets and the check's listing), and with it the layering is a loop over the keys.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The name looked for in the working directory when no file is named.
pub const DEFAULT_FILE: &str = "credence.toml";

/// Every setting.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    pub database: Database,
    pub server: Server,
    pub log: Log,
    pub time: Time,
    pub artefacts: Artefacts,
    pub jobs: Jobs,
    pub audit: Audit,
}

impl Default for Database {
    fn default() -> Self {
        Database { url: "credence.db".into() }
    }
}

impl Default for Log {
    fn default() -> Self {
        Log { level: "info".into(), json: false }
    }
}

impl Default for Time {
    fn default() -> Self {
        Time { zone: DEFAULT_ZONE.into() }
    }
}

impl Default for Audit {
    fn default() -> Self {
        Audit { key_file: None, mac: "hmac-sha256".into(), checkpoint: None, checkpoint_every: "1h".into() }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Database {
    /// A SQLite file path or a `postgres://` URL.
    pub url: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Server {
    pub addr: std::net::SocketAddr,
    pub instance: Option<String>,
    pub secure_cookies: bool,
    /// Reverse proxies (addresses or CIDR ranges) whose `X-Forwarded-For` is believed.
    #[serde(deserialize_with = "proxies")]
    pub trusted_proxies: Vec<ipnet::IpNet>,
    pub metrics_token: Option<String>,
    pub session_idle_minutes: i64,
    pub max_connections: u32,
    pub token_max_days: i64,
    /// How long a stopping server lets requests in flight finish, in seconds.
    pub shutdown_grace_seconds: u64,
}

impl Default for Server {
    fn default() -> Self {
        Server {
            addr: std::net::SocketAddr::from(([127, 0, 0, 1], 8080)),
            instance: None,
            secure_cookies: false,
            trusted_proxies: Vec::new(),
            metrics_token: None,
            session_idle_minutes: 30,
            max_connections: 1024,
            token_max_days: 90,
            shutdown_grace_seconds: 30,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Log {
    pub level: String,
    pub json: bool,
}

/// The business time zone: business dates (today's as-of date) and job schedules are
/// read on its calendar and clock.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Time {
    pub zone: String,
}

/// The default business time zone.
pub const DEFAULT_ZONE: &str = "Asia/Shanghai";

/// The `[artefacts]` section: the engine's paths of the artefact set.
pub type Artefacts = credence_engine::ArtefactPaths;

/// When the background jobs run: cron expressions (minute hour day month weekday) read in
/// the business time zone.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Jobs {
    pub enabled: bool,
    pub nightly_rating: String,
    pub warnings: String,
    pub notifications: String,
    /// How long a claim on a run holds without being renewed, in seconds; a running job
    /// renews it every third of this.
    pub lease_seconds: u64,
    /// How often an instance looks for due runs, in seconds.
    pub tick_seconds: u64,
    /// The parts a shared rating run is cut into, that every instance claims (0: one
    /// per 16,000 customers).
    pub rating_parts: u32,
}

impl Default for Jobs {
    fn default() -> Self {
        Jobs {
            enabled: true,
            nightly_rating: "0 2 * * *".into(),
            warnings: "30 6 * * *".into(),
            notifications: "*/5 * * * *".into(),
            lease_seconds: 600,
            tick_seconds: 30,
            rating_parts: 0,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Audit {
    pub key_file: Option<PathBuf>,
    pub mac: String,
    pub checkpoint: Option<PathBuf>,
    pub checkpoint_every: String,
}

/// Proxies as addresses (`10.0.0.5`) or ranges (`10.0.0.0/24`).
fn proxies<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<ipnet::IpNet>, D::Error> {
    let texts = Vec::<String>::deserialize(d)?;
    texts
        .iter()
        .map(|t| {
            t.parse::<ipnet::IpNet>()
                .or_else(|_| t.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| serde::de::Error::custom(format!("`{t}` is not an IP address or a CIDR range")))
        })
        .collect()
}

/// What a key holds, for reading it from the environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Type {
    Text,
    Bool,
    Integer,
    /// Comma-separated in the environment, an array in the file.
    List,
}

/// A key: its dotted name, its environment variable, its type and whether it is secret.
#[derive(Debug, Clone, Copy)]
pub struct Key {
    pub name: &'static str,
    pub env: &'static str,
    ty: Type,
    pub secret: bool,
}

const fn key(name: &'static str, env: &'static str, ty: Type) -> Key {
    Key { name, env, ty, secret: false }
}

/// Every key, in the order `config check` lists them. Environment names keep the ones
/// the command line has always read (`CREDENCE_DB`, `CREDENCE_LOG`, …).
pub const KEYS: &[Key] = &[
    key("database.url", "CREDENCE_DB", Type::Text),
    key("server.addr", "CREDENCE_SERVER_ADDR", Type::Text),
    key("server.instance", "CREDENCE_SERVER_INSTANCE", Type::Text),
    key("server.secure_cookies", "CREDENCE_SERVER_SECURE_COOKIES", Type::Bool),
    key("server.trusted_proxies", "CREDENCE_SERVER_TRUSTED_PROXIES", Type::List),
    Key { name: "server.metrics_token", env: "CREDENCE_METRICS_TOKEN", ty: Type::Text, secret: true },
    key("server.session_idle_minutes", "CREDENCE_SERVER_SESSION_IDLE_MINUTES", Type::Integer),
    key("server.max_connections", "CREDENCE_SERVER_MAX_CONNECTIONS", Type::Integer),
    key("server.token_max_days", "CREDENCE_SERVER_TOKEN_MAX_DAYS", Type::Integer),
    key("server.shutdown_grace_seconds", "CREDENCE_SERVER_SHUTDOWN_GRACE_SECONDS", Type::Integer),
    key("log.level", "CREDENCE_LOG", Type::Text),
    key("log.json", "CREDENCE_LOG_JSON", Type::Bool),
    key("time.zone", "CREDENCE_TIME_ZONE", Type::Text),
    key("artefacts.catalogue", "CREDENCE_CATALOGUE", Type::Text),
    key("artefacts.model", "CREDENCE_MODEL", Type::Text),
    key("artefacts.policy", "CREDENCE_POLICY", Type::Text),
    key("artefacts.billing_policy", "CREDENCE_BILLING_POLICY", Type::Text),
    key("artefacts.rule_pack", "CREDENCE_RULE_PACK", Type::Text),
    key("artefacts.strategy", "CREDENCE_STRATEGY", Type::Text),
    key("artefacts.groups", "CREDENCE_GROUPS", Type::Text),
    key("artefacts.notifications", "CREDENCE_NOTIFY_CONFIG", Type::Text),
    key("jobs.enabled", "CREDENCE_JOBS_ENABLED", Type::Bool),
    key("jobs.nightly_rating", "CREDENCE_JOBS_NIGHTLY_RATING", Type::Text),
    key("jobs.warnings", "CREDENCE_JOBS_WARNINGS", Type::Text),
    key("jobs.notifications", "CREDENCE_JOBS_NOTIFICATIONS", Type::Text),
    key("jobs.lease_seconds", "CREDENCE_JOBS_LEASE_SECONDS", Type::Integer),
    key("jobs.tick_seconds", "CREDENCE_JOBS_TICK_SECONDS", Type::Integer),
    key("jobs.rating_parts", "CREDENCE_JOBS_RATING_PARTS", Type::Integer),
    key("audit.key_file", "CREDENCE_AUDIT_KEY_FILE", Type::Text),
    key("audit.mac", "CREDENCE_AUDIT_MAC", Type::Text),
    key("audit.checkpoint", "CREDENCE_AUDIT_CHECKPOINT", Type::Text),
    key("audit.checkpoint_every", "CREDENCE_AUDIT_CHECKPOINT_EVERY", Type::Text),
];

/// Where a key's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Default,
    File(PathBuf),
    Env(&'static str),
    Flag,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Default => f.write_str("default"),
            Origin::File(p) => write!(f, "file {}", p.display()),
            Origin::Env(name) => write!(f, "environment {name}"),
            Origin::Flag => f.write_str("flag"),
        }
    }
}

/// Why the configuration could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the configuration {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// One line per problem: where (`file:line:column`, `environment NAME`, or the origin
    /// of a key's value) and what.
    #[error("{}", .0.join("\n"))]
    Invalid(Vec<String>),
}

/// The settings in force, with where each key's value came from.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub settings: Settings,
    /// The file read, if any.
    pub file: Option<PathBuf>,
    origins: BTreeMap<&'static str, Origin>,
}

impl Loaded {
    /// The defaults alone (tests, and programs given no file).
    pub fn defaults() -> Loaded {
        Loaded { settings: Settings::default(), file: None, origins: BTreeMap::new() }
    }

    /// Where `key`'s value came from.
    pub fn origin(&self, key: &str) -> Origin {
        self.origins.get(key).cloned().unwrap_or(Origin::Default)
    }

    /// Records that a flag set `key` (the caller has set the value).
    pub fn set_by_flag(&mut self, key: &'static str) {
        self.origins.insert(key, Origin::Flag);
    }

    /// The business time zone (checked when the settings were loaded).
    pub fn zone(&self) -> chrono_tz::Tz {
        self.settings.time.zone.parse().unwrap_or(chrono_tz::Asia::Shanghai)
    }

    /// Every key with its effective value (secrets and passwords in URLs masked) and its
    /// origin.
    pub fn listing(&self) -> Vec<(&'static str, String, Origin)> {
        let values = serde_json::to_value(&self.settings).unwrap_or_default();
        KEYS.iter()
            .map(|k| {
                let value = lookup(&values, k.name).filter(|v| !v.is_null());
                let shown = match value {
                    None => "(none)".to_owned(),
                    Some(_) if k.secret => "(set, hidden)".to_owned(),
                    Some(serde_json::Value::String(s)) if k.name == "database.url" => mask_url(s),
                    Some(serde_json::Value::String(s)) => s.clone(),
                    Some(serde_json::Value::Array(items)) => items
                        .iter()
                        .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
                        .collect::<Vec<_>>()
                        .join(", "),
                    Some(v) => v.to_string(),
                };
                (k.name, shown, self.origin(k.name))
            })
            .collect()
    }
}

/// Logs each setting that is not its default, with where it came from (secrets masked),
/// so a server's log says what it runs with.
pub fn log_effective(loaded: &Loaded) {
    if let Some(f) = &loaded.file {
        tracing::info!(file = %f.display(), "configuration read");
    }
    for (key, value, origin) in loaded.listing() {
        if origin != Origin::Default {
            tracing::info!(key, value = %value, from = %origin, "setting");
        }
    }
}

/// The value at a dotted key of a table.
fn lookup<'v>(v: &'v serde_json::Value, dotted: &str) -> Option<&'v serde_json::Value> {
    dotted.split('.').try_fold(v, |v, part| v.get(part))
}

/// A database URL with its password hidden.
pub fn mask_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let user_info = &url[scheme + 3..at];
            match user_info.split_once(':') {
                Some((user, _)) => format!("{}{user}:****{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Which file to read: the one named (`--config` or `CREDENCE_CONFIG`), which must exist;
/// else `credence.toml` in the working directory when there is one; else none.
pub fn file_to_read(named: Option<&Path>) -> Option<PathBuf> {
    match named {
        Some(p) => Some(p.to_owned()),
        None => Path::new(DEFAULT_FILE).is_file().then(|| PathBuf::from(DEFAULT_FILE)),
    }
}

/// Reads the settings: the defaults, then `file` (when given), then the environment as
/// `env` gives it. Every problem is reported at once, a file's with its line and column.
pub fn load(file: Option<&Path>, env: impl Fn(&str) -> Option<String>) -> Result<Loaded, ConfigError> {
    let mut table = toml::Table::new();
    let mut origins = BTreeMap::new();
    let mut problems = Vec::new();
    let name = file.map(|p| p.display().to_string()).unwrap_or_default();
    if let Some(path) = file {
        let text = std::fs::read_to_string(path)
            .map_err(|source| ConfigError::Read { path: path.to_owned(), source })?;
        match text.parse::<toml::Table>() {
            Ok(t) => table = t,
            Err(e) => return Err(ConfigError::Invalid(vec![toml_problem(&text, &name, &e)])),
        }
        for (section, value) in &table {
            let Some(inner) = value.as_table() else {
                problems.push(file_problem(
                    &text,
                    &name,
                    section,
                    format!("`{section}` is a section ([{section}])"),
                ));
                continue;
            };
            for k in inner.keys() {
                let dotted = format!("{section}.{k}");
                match KEYS.iter().find(|key| key.name == dotted) {
                    Some(key) => {
                        origins.insert(key.name, Origin::File(path.to_owned()));
                    }
                    None => {
                        let hint = credence_source::suggestion(&dotted, KEYS.iter().map(|k| k.name));
                        problems.push(file_problem(
                            &text,
                            &name,
                            &dotted,
                            format!("unknown key `{dotted}`{hint}"),
                        ));
                    }
                }
            }
        }
        if !problems.is_empty() {
            return Err(ConfigError::Invalid(problems));
        }
        // Values of the wrong type, located in the file.
        if let Err(e) = toml::from_str::<Settings>(&text) {
            return Err(ConfigError::Invalid(vec![toml_problem(&text, &name, &e)]));
        }
    }
    for key in KEYS {
        let Some(raw) = env(key.env).filter(|v| !v.is_empty()) else { continue };
        let value = match key.ty {
            Type::Text => Ok(toml::Value::String(raw.clone())),
            Type::Bool => match raw.to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" | "on" => Ok(toml::Value::Boolean(true)),
                "false" | "0" | "no" | "off" => Ok(toml::Value::Boolean(false)),
                _ => Err("is not true or false"),
            },
            Type::Integer => {
                raw.trim().parse::<i64>().map(toml::Value::Integer).map_err(|_| "is not a whole number")
            }
            Type::List => Ok(toml::Value::Array(
                raw.split(',')
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .map(|v| toml::Value::String(v.to_owned()))
                    .collect(),
            )),
        };
        match value {
            Ok(v) => {
                let (section, k) = key.name.split_once('.').unwrap_or((key.name, ""));
                if let Some(t) = table
                    .entry(section)
                    .or_insert_with(|| toml::Value::Table(toml::Table::new()))
                    .as_table_mut()
                {
                    t.insert(k.to_owned(), v);
                }
                origins.insert(key.name, Origin::Env(key.env));
            }
            Err(why) => problems.push(env_problem(key, &format!("`{raw}` {why}"))),
        }
    }
    if !problems.is_empty() {
        return Err(ConfigError::Invalid(problems));
    }
    // The file's values are checked above; what fails here came from the environment.
    let settings: Settings = toml::Value::Table(table).try_into().map_err(|e: toml::de::Error| {
        ConfigError::Invalid(vec![format!("environment: {}", e.message().trim())])
    })?;
    let loaded = Loaded { settings, file: file.map(Path::to_owned), origins };
    let problems = loaded.check();
    if problems.is_empty() { Ok(loaded) } else { Err(ConfigError::Invalid(problems)) }
}

impl Loaded {
    /// Checks the values a type cannot: the time zone, the cron expressions, the durations
    /// and the ranges. Each problem names the key and where its value came from.
    pub fn check(&self) -> Vec<String> {
        let s = &self.settings;
        let mut problems = Vec::new();
        let mut bad = |key: &str, message: String| {
            problems.push(format!("{}: `{key}`: {message}", self.origin(key)));
        };
        if s.time.zone.parse::<chrono_tz::Tz>().is_err() {
            bad("time.zone", format!("`{}` is not an IANA time zone such as Asia/Shanghai", s.time.zone));
        }
        for (key, expr) in [
            ("jobs.nightly_rating", &s.jobs.nightly_rating),
            ("jobs.warnings", &s.jobs.warnings),
            ("jobs.notifications", &s.jobs.notifications),
        ] {
            if let Err(e) = crate::jobs::parse_cron(expr) {
                bad(key, e);
            }
        }
        if let Err(e) = parse_every(&s.audit.checkpoint_every) {
            bad("audit.checkpoint_every", e);
        }
        if !(1..=1440).contains(&s.server.session_idle_minutes) {
            bad("server.session_idle_minutes", "must be from 1 to 1440".into());
        }
        if !(1..=100_000).contains(&s.server.max_connections) {
            bad("server.max_connections", "must be from 1 to 100000".into());
        }
        if !(1..=3660).contains(&s.server.token_max_days) {
            bad("server.token_max_days", "must be from 1 to 3660".into());
        }
        if !(1..=3600).contains(&s.server.shutdown_grace_seconds) {
            bad("server.shutdown_grace_seconds", "must be from 1 to 3600".into());
        }
        if !(3..=86_400).contains(&s.jobs.lease_seconds) {
            bad("jobs.lease_seconds", "must be from 3 to 86400".into());
        }
        if !(1..=3600).contains(&s.jobs.tick_seconds) {
            bad("jobs.tick_seconds", "must be from 1 to 3600".into());
        }
        if s.jobs.rating_parts > 4096 {
            bad("jobs.rating_parts", "must be from 0 (automatic) to 4096".into());
        }
        if !credence_store::MacAlgorithm::parse(&s.audit.mac)
            .is_some_and(credence_store::MacAlgorithm::is_keyed)
        {
            bad("audit.mac", format!("`{}` is not hmac-sha256 or hmac-sm3", s.audit.mac));
        }
        if s.server.metrics_token.as_deref().is_some_and(|t| t.len() < 16) {
            bad("server.metrics_token", "is shorter than 16 characters".into());
        }
        problems
    }
}

/// A problem at a key of the file, located at the key's first mention.
fn file_problem(text: &str, file: &str, dotted: &str, message: String) -> String {
    let last = dotted.rsplit('.').next().unwrap_or(dotted);
    let at = text
        .match_indices(last)
        .map(|(i, _)| i)
        .find(|&i| text[..i].rsplit('\n').next().is_some_and(|line| line.trim().is_empty()) || i == 0)
        .or_else(|| text.find(last))
        .unwrap_or(0);
    let (line, column) = credence_source::line_column(text, at);
    format!("{file}:{line}:{column}: {message}")
}

/// A TOML syntax or type error, located.
fn toml_problem(text: &str, file: &str, e: &toml::de::Error) -> String {
    credence_source::from_toml_error(credence_source::Source::new(file, text), e).to_string()
}

fn env_problem(key: &Key, message: &str) -> String {
    format!("environment {}: `{}`: {message}", key.env, key.name)
}

/// A duration as `90s`, `30m`, `1h` or `1d` (a bare number is seconds), above zero.
pub fn parse_every(text: &str) -> Result<std::time::Duration, String> {
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => text.split_at(i),
        None => (text, "s"),
    };
    let n: u64 = number.parse().map_err(|_| format!("'{text}' is not a duration like 90s, 30m, 1h or 1d"))?;
    let seconds = match unit {
        "s" => n,
        "m" => n * 60,
        "h" => n * 3_600,
        "d" => n * 86_400,
        _ => return Err(format!("'{text}' is not a duration like 90s, 30m, 1h or 1d")),
    };
    if seconds == 0 {
        return Err("the interval must be above zero".into());
    }
    Ok(std::time::Duration::from_secs(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| (*v).to_owned())
    }

    fn write(dir: &tempfile::TempDir, text: &str) -> PathBuf {
        let p = dir.path().join("credence.toml");
        std::fs::write(&p, text).unwrap();
        p
    }

    /// Defaults, then the file, then the environment; each key says where it came from.
    #[test]
    fn the_environment_beats_the_file_which_beats_the_default() {
        let dir = tempfile::tempdir().unwrap();
        let file = write(
            &dir,
            "[database]\nurl = \"/var/lib/credence/credence.db\"\n[server]\nmax_connections = 64\n\
             [jobs]\nwarnings = \"0 7 * * 1-5\"\n",
        );
        let loaded = load(
            Some(&file),
            env(&[
                ("CREDENCE_SERVER_MAX_CONNECTIONS", "128"),
                ("CREDENCE_SERVER_TRUSTED_PROXIES", "10.0.0.5, 10.1.0.0/16"),
            ]),
        )
        .unwrap();
        let s = &loaded.settings;
        assert_eq!(s.database.url, "/var/lib/credence/credence.db");
        assert_eq!(s.server.max_connections, 128);
        let proxies: Vec<String> = s.server.trusted_proxies.iter().map(ToString::to_string).collect();
        assert_eq!(proxies, ["10.0.0.5/32", "10.1.0.0/16"]);
        assert_eq!(s.jobs.warnings, "0 7 * * 1-5");
        assert_eq!(s.jobs.nightly_rating, "0 2 * * *");
        assert_eq!(s.time.zone, "Asia/Shanghai");
        assert_eq!(loaded.origin("database.url"), Origin::File(file.clone()));
        assert_eq!(loaded.origin("server.max_connections"), Origin::Env("CREDENCE_SERVER_MAX_CONNECTIONS"));
        assert_eq!(loaded.origin("time.zone"), Origin::Default);
        assert_eq!(loaded.zone(), chrono_tz::Asia::Shanghai);
    }

    /// Secrets are never printed, nor a database password.
    #[test]
    fn the_listing_masks_secrets() {
        let loaded = load(
            None,
            env(&[
                ("CREDENCE_DB", "postgres://credence:s3cret@db:5432/credit"),
                ("CREDENCE_METRICS_TOKEN", "0123456789abcdef0123"),
            ]),
        )
        .unwrap();
        let listing = loaded.listing();
        let shown: BTreeMap<&str, &str> = listing.iter().map(|(k, v, _)| (*k, v.as_str())).collect();
        assert_eq!(shown["database.url"], "postgres://credence:****@db:5432/credit");
        assert_eq!(shown["server.metrics_token"], "(set, hidden)");
        assert_eq!(shown["server.addr"], "127.0.0.1:8080");
        assert_eq!(shown["artefacts.model"], "(none)");
        assert_eq!(listing.len(), KEYS.len());
        assert!(!format!("{listing:?}").contains("s3cret"));
    }

    /// An unknown key is named with its line and the key it probably meant; a bad value
    /// from the environment names the variable.
    #[test]
    fn mistakes_are_located() {
        let dir = tempfile::tempdir().unwrap();
        let file = write(&dir, "[server]\nmax_connections = 10\nadr = \"0.0.0.0:80\"\n");
        let e = load(Some(&file), env(&[])).unwrap_err().to_string();
        assert!(e.contains(":3:1: unknown key `server.adr` (did you mean 'server.addr'?)"), "{e}");

        let e = load(None, env(&[("CREDENCE_JOBS_LEASE_SECONDS", "ten")])).unwrap_err().to_string();
        assert_eq!(
            e,
            "environment CREDENCE_JOBS_LEASE_SECONDS: `jobs.lease_seconds`: `ten` is not a whole number"
        );

        let file = write(&dir, "[time]\nzone = \"Beijing\"\n[jobs]\nwarnings = \"61 6 * * *\"\n");
        let e = load(Some(&file), env(&[])).unwrap_err().to_string();
        assert!(e.contains("`time.zone`: `Beijing` is not an IANA time zone"), "{e}");
        assert!(e.contains("`jobs.warnings`:"), "{e}");

        let file = write(&dir, "[server]\nmax_connections = \"many\"\n");
        let e = load(Some(&file), env(&[])).unwrap_err().to_string();
        assert!(e.contains("max_connections"), "{e}");
    }

    /// The documented example sets every key to its default (so the file tells the
    /// truth), and the deployment's file loads.
    #[test]
    fn the_example_file_holds_the_defaults() {
        let example =
            std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../credence.example.toml"));
        let text = std::fs::read_to_string(example).unwrap();
        let loaded = load(Some(example), env(&[])).unwrap();
        let defaults = Loaded::defaults();
        for ((key, value, _), (_, default, _)) in loaded.listing().into_iter().zip(defaults.listing()) {
            assert_eq!(value, default, "{key} differs from its default");
            let mentioned = text.contains(&format!("{} = ", key.rsplit('.').next().unwrap()));
            assert!(mentioned, "{key} is not documented in the example");
        }
        for k in KEYS {
            assert!(text.contains(k.env), "{} is not named in the example", k.env);
        }
        let deploy = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../deploy/credence.toml"));
        let loaded = load(Some(deploy), env(&[])).unwrap();
        assert_eq!(loaded.settings.server.addr.to_string(), "0.0.0.0:8080");
        assert_eq!(loaded.settings.log.level, "info");
    }

    #[test]
    fn urls_lose_their_password_only() {
        assert_eq!(mask_url("postgres://u:p@h/d"), "postgres://u:****@h/d");
        assert_eq!(mask_url("postgres://u@h/d"), "postgres://u@h/d");
        assert_eq!(mask_url("credence.db"), "credence.db");
    }
}
