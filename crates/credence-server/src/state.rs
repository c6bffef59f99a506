//! What every request shares: the configuration, a pool of store connections, the loaded
//! catalogue and policy, and the metrics.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use credence_engine::Artefacts;
use credence_store::Store;

use crate::error::ApiError;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// SQLite path or `postgres://` URL.
    pub db: String,
    /// Names this process in job claims and logs.
    pub instance: String,
    pub session_hours: i64,
    /// Largest request body accepted.
    pub max_body_bytes: usize,
    pub request_timeout: Duration,
    /// A session ends after this long without a request, as well as at its expiry.
    pub session_idle_minutes: i64,
    /// The sign-in throttle and the password pool.
    pub sign_in: crate::signin::SignInRules,
    /// Mark cookies `Secure`: on by default behind a declared proxy (which terminates TLS).
    pub secure_cookies: bool,
    /// The reverse proxies in front of the server (addresses or CIDR ranges): a request
    /// from one names its client in `X-Forwarded-For`, read from the right past the
    /// entries the trusted proxies appended. Requests from anywhere else are taken at
    /// their socket's address, whatever headers they carry.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// When set, `/metrics` answers only `Authorization: Bearer <this>`.
    pub metrics_token: Option<String>,
    /// How long a client may take to send a request's headers, and its body.
    pub header_read_timeout: Duration,
    pub body_timeout: Duration,
    /// Connections served at once; further ones wait in the listener's backlog.
    pub max_connections: usize,
    /// The business date every view and check is as of; `None`: today in the business
    /// time zone at each request. Fixed for demonstrations and tests of a portfolio
    /// observed on a past date.
    pub as_of: Option<chrono::NaiveDate>,
    /// How long a stopping server lets requests in flight finish.
    pub shutdown_grace: Duration,
    /// The business time zone: today's date and the job schedules are read in it.
    pub zone: chrono_tz::Tz,
    /// Where the artefacts come from (the shipped ones where no path is given).
    pub artefacts: credence_engine::ArtefactPaths,
    /// The environment the notification settings name their secrets in, as the program
    /// at the edge reads it (none by default).
    pub env: Env,
    /// How the audit chain is kept: its key, checkpoints and refusal records.
    pub audit: AuditConfig,
    /// The longest an API token lives, in days: the default for a new token, the most it
    /// may ask for, and (counted from its creation) a bound on tokens already issued.
    pub token_max_days: i64,
    /// What an uploaded file or a body of JSON records may make the reader hold.
    pub read_limits: credence_records::ReadLimits,
}

/// Gives the value of an environment variable.
pub type EnvLookup = dyn Fn(&str) -> Option<String> + Send + Sync;

/// A look-up of environment variables, handed in by the program that reads them.
#[derive(Clone)]
pub struct Env(pub Arc<EnvLookup>);

impl Env {
    /// No variable is set.
    pub fn none() -> Env {
        Env(Arc::new(|_| None))
    }

    pub fn get(&self, name: &str) -> Option<String> {
        (self.0)(name)
    }
}

impl std::fmt::Debug for Env {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Env(..)")
    }
}

/// How the server keeps the audit chain.
#[derive(Debug, Clone)]
pub struct AuditConfig {
    /// The key records are MACed with; `None`: plain SHA-256 (unkeyed).
    pub key: Option<credence_store::AuditKey>,
    /// Where to append a signed checkpoint of the chain's head, and how often.
    pub checkpoint: Option<(std::path::PathBuf, Duration)>,
    /// Refused requests recorded per client address and minute; further ones that
    /// minute are counted in one summary record.
    pub refusals_per_minute: u32,
}

impl Default for AuditConfig {
    fn default() -> Self {
        AuditConfig { key: None, checkpoint: None, refusals_per_minute: 20 }
    }
}

impl ServerConfig {
    pub fn new(db: &str) -> ServerConfig {
        ServerConfig {
            db: db.to_owned(),
            instance: format!("credence-{}", std::process::id()),
            session_hours: 8,
            max_body_bytes: 1 << 20,
            request_timeout: Duration::from_secs(30),
            session_idle_minutes: 30,
            sign_in: crate::signin::SignInRules::default(),
            secure_cookies: false,
            trusted_proxies: Vec::new(),
            metrics_token: None,
            header_read_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(60),
            max_connections: 1024,
            as_of: None,
            shutdown_grace: Duration::from_secs(30),
            zone: chrono_tz::Asia::Shanghai,
            artefacts: credence_engine::ArtefactPaths::default(),
            env: Env::none(),
            audit: AuditConfig::default(),
            token_max_days: 90,
            read_limits: credence_records::ReadLimits::default(),
        }
    }
}

/// Opens the pool's connections: each another connection to the database the template
/// was opened on, keyed alike for the audit log.
pub(crate) struct StoreManager {
    template: Mutex<Store>,
}

impl r2d2::ManageConnection for StoreManager {
    type Connection = Store;
    type Error = credence_store::StoreError;

    fn connect(&self) -> Result<Store, Self::Error> {
        match self.template.lock() {
            Ok(t) => t.open_another(),
            Err(p) => p.into_inner().open_another(),
        }
    }

    fn is_valid(&self, store: &mut Store) -> Result<(), Self::Error> {
        store.ping()
    }

    fn has_broken(&self, store: &mut Store) -> bool {
        store.is_broken()
    }
}

/// Store connections, reused across requests (r2d2): each request takes one for its
/// blocking work and gives it back. A connection is checked before it is handed out, so
/// after a database restart the dead ones are replaced instead of failing requests, and
/// one that broke during a request is dropped rather than kept.
pub struct StorePool {
    pool: r2d2::Pool<StoreManager>,
}

/// Most connections open at once: requests take at most two per core (the request
/// queue), background runs one each and their lease renewal one.
const POOL_SIZE: u32 = 32;

impl StorePool {
    pub fn new(store: Store) -> StorePool {
        let pool = r2d2::Pool::builder()
            .max_size(POOL_SIZE)
            .min_idle(Some(1))
            .test_on_check_out(true)
            .connection_timeout(Duration::from_secs(30))
            .error_handler(Box::new(LogErrors))
            .build_unchecked(StoreManager { template: Mutex::new(store) });
        StorePool { pool }
    }

    /// A connection for the caller's blocking work, back in the pool when dropped.
    pub(crate) fn take(&self) -> Result<r2d2::PooledConnection<StoreManager>, ApiError> {
        self.pool.get().map_err(|e| ApiError::failed("taking a database connection from the pool", e))
    }

    /// Connections open and idle now, for `/metrics`.
    pub fn state(&self) -> (u32, u32) {
        let s = self.pool.state();
        (s.connections, s.idle_connections)
    }
}

/// Connection failures the pool meets in the background go to the log.
#[derive(Debug)]
struct LogErrors;

impl r2d2::HandleError<credence_store::StoreError> for LogErrors {
    fn handle_error(&self, error: credence_store::StoreError) {
        tracing::warn!(error = %crate::error::chain(&error), "a database connection could not be opened");
    }
}

/// Counts per latency bucket (the last is +Inf) and the sum of seconds.
pub type Histogram = (Vec<u64>, f64);

/// Request counts and latencies per route and status, for `/metrics`.
#[derive(Default)]
pub struct Metrics {
    /// (method, route, status) → count.
    pub requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    /// (method, route) → latency histogram.
    pub latency: Mutex<BTreeMap<(String, String), Histogram>>,
    /// job → (runs, seconds of the last run).
    pub jobs: Mutex<BTreeMap<String, (u64, f64)>>,
}

/// Latency bucket bounds, seconds.
pub const LATENCY_BUCKETS: [f64; 10] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 2.0];

impl Metrics {
    pub fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        if let Ok(mut r) = self.requests.lock() {
            *r.entry((method.to_owned(), route.to_owned(), status)).or_default() += 1;
        }
        if let Ok(mut l) = self.latency.lock() {
            let (counts, sum) = l
                .entry((method.to_owned(), route.to_owned()))
                .or_insert_with(|| (vec![0; LATENCY_BUCKETS.len() + 1], 0.0));
            let k = LATENCY_BUCKETS.iter().position(|&b| seconds <= b).unwrap_or(LATENCY_BUCKETS.len());
            counts[k] += 1;
            *sum += seconds;
        }
    }
}

pub struct Shared {
    pub config: ServerConfig,
    pub pool: StorePool,
    /// The catalogue, model, policies, rule pack, strategy, group and notification
    /// settings in use: replaced whole by a reload ([`Shared::reload_artefacts`]), so a
    /// request that took them keeps one consistent set to its end.
    artefacts: std::sync::RwLock<Arc<Artefacts>>,
    /// The files' stamps when the set in use was loaded, to notice an edit.
    artefact_stamp: Mutex<Vec<Option<(u64, std::time::SystemTime)>>>,
    /// The jobs this instance schedules (none: it runs none).
    pub jobs: std::sync::OnceLock<crate::jobs::JobConfig>,
    pub metrics: Metrics,
    pub tokens: crate::auth::TokenCache,
    /// Checks passwords apart from the request queue.
    pub passwords: crate::signin::PasswordPool,
    /// Refused requests recorded per client address in the current minute.
    pub refusals: crate::routes::audit_log::RefusalCounter,
    /// The portfolio and exposure book, kept warm.
    pub warm: crate::warm::WarmPortfolio,
    /// The warning rules' performance as last measured.
    pub rule_performance: crate::reports::LongReport<credence_engine::RulesPerformanceReport>,
    /// Portfolio overviews as last computed.
    pub overviews: crate::routes::portfolio::OverviewCache,
    /// The collectors' worklist as last computed.
    pub worklist: crate::reports::LongReport<credence_engine::types::control::Worklist>,
    /// The relationship graph as last built.
    pub parties: crate::routes::groups::PartiesCache,
    /// Totals of customer lists as last counted.
    pub list_totals: crate::routes::customers::ListTotals,
    /// Admits requests' store work, twice as many at once as there are cores.
    pub requests: tokio::sync::Semaphore,
    /// The date of a demo portfolio (it is shown as of then when no date is set).
    pub demo_as_of: Option<chrono::NaiveDate>,
}

impl Shared {
    /// The artefacts in force now.
    pub fn artefacts(&self) -> Arc<Artefacts> {
        self.artefacts.read().map_or_else(|p| p.into_inner().clone(), |a| a.clone())
    }

    /// Loads the configured artefacts again and, when the whole set is valid and `record`
    /// (the audit record of the change) succeeds, puts it in force for every request that
    /// starts from now on; otherwise the set in use stays. Returns the versions now in
    /// force. `changed_only`: only when a file's size or modification time moved since
    /// the last load (`Ok(None)` otherwise).
    pub fn reload_artefacts(
        &self,
        changed_only: bool,
        record: impl FnOnce(&[credence_engine::ArtefactVersion]) -> Result<(), String>,
    ) -> Result<Option<Vec<credence_engine::ArtefactVersion>>, String> {
        let paths = &self.config.artefacts;
        let stamp = paths.stamp();
        if changed_only && self.artefact_stamp.lock().is_ok_and(|s| *s == stamp) {
            return Ok(None);
        }
        let loaded = Artefacts::load(paths, |name| self.config.env.get(name));
        if loaded.is_err()
            && let Ok(mut s) = self.artefact_stamp.lock()
        {
            // A set that does not load is not tried again until a file changes.
            *s = stamp.clone();
        }
        let loaded = Arc::new(loaded.map_err(|e| e.to_string())?);
        let versions = loaded.versions();
        record(&versions)?;
        if let Ok(mut s) = self.artefact_stamp.lock() {
            *s = stamp;
        }
        if let Ok(mut a) = self.artefacts.write() {
            *a = loaded;
        }
        // What was computed with the set replaced is computed again with the new one.
        self.warm.forget();
        self.rule_performance.forget();
        self.worklist.forget();
        if let Ok(mut o) = self.overviews.lock() {
            *o = Default::default();
        }
        if let Ok(mut p) = self.parties.lock() {
            *p = None;
        }
        Ok(Some(versions))
    }
}

/// The state every handler gets.
#[derive(Clone)]
pub struct AppState(pub Arc<Shared>);

impl AppState {
    /// Loads the configured artefacts and opens the database (running migrations).
    pub fn open(config: ServerConfig) -> Result<AppState, crate::ServeError> {
        let artefacts = Artefacts::load(&config.artefacts, |name| config.env.get(name))
            .map_err(crate::ServeError::Artefacts)?;
        let artefact_stamp = Mutex::new(config.artefacts.stamp());
        let mut store = Store::open(&config.db).map_err(crate::ServeError::Store)?;
        store.set_audit_key(config.audit.key.clone());
        let demo_as_of = credence_engine::demo_as_of(&mut store).map_err(crate::ServeError::Store)?;
        let passwords =
            crate::signin::PasswordPool::new(config.sign_in.hash_workers, config.sign_in.hash_queue);
        Ok(AppState(Arc::new(Shared {
            config,
            pool: StorePool::new(store),
            artefacts: std::sync::RwLock::new(Arc::new(artefacts)),
            artefact_stamp,
            jobs: std::sync::OnceLock::new(),
            metrics: Metrics::default(),
            tokens: crate::auth::TokenCache::default(),
            passwords,
            refusals: Default::default(),
            warm: crate::warm::WarmPortfolio::default(),
            rule_performance: Default::default(),
            worklist: Default::default(),
            overviews: Default::default(),
            parties: Default::default(),
            list_totals: Default::default(),
            demo_as_of,
            requests: tokio::sync::Semaphore::new(
                2 * std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get),
            ),
        })))
    }

    /// The business date: the configured one, else a demo portfolio's own date, else
    /// today in the business time zone.
    pub fn today(&self) -> chrono::NaiveDate {
        self.0
            .config
            .as_of
            .or(self.0.demo_as_of)
            .unwrap_or_else(|| crate::clock::today_in(self.0.config.zone))
    }

    /// The instant deadlines are judged at: now, or the end of the business date when a
    /// past one is shown (a demo portfolio is not overdue because the wall clock moved on).
    pub fn business_now(&self) -> credence_domain::Timestamp {
        credence_domain::Timestamp::business_instant(self.today(), &crate::clock::now())
    }

    /// Runs a request's blocking store work off the async threads with a pooled
    /// connection. At most [`Shared::requests`] such tasks run at once and the rest queue
    /// in order: dozens of connections' work thrashing two cores made every one of them
    /// slow, and the slowest very slow.
    pub async fn with_store<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Store, &Shared) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let _permit =
            self.0.requests.acquire().await.map_err(|_| ApiError::from(crate::error::Fault::QueueClosed))?;
        self.in_background(f).await
    }

    /// Runs a request's change like [`AppState::with_store`], in one transaction with
    /// the audit records it appends: all of it commits when `f` returns `Ok`, none of it
    /// when `f` returns `Err` or the audit append fails.
    pub async fn writing<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Store, &Shared) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        self.with_store(move |store, shared| store.transaction(|store| f(store, shared))).await
    }

    /// Runs long blocking store work (a portfolio run, a snapshot build) off the async
    /// threads with a pooled connection, outside the request queue.
    pub async fn in_background<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Store, &Shared) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let me = self.clone();
        let task = move || {
            let mut store = me.0.pool.take()?;
            f(&mut store, &me.0)
        };
        match crate::error::REQUEST_ID.try_with(Clone::clone) {
            Ok(id) => {
                tokio::task::spawn_blocking(move || crate::error::REQUEST_ID.sync_scope(id, task)).await
            }
            Err(_) => tokio::task::spawn_blocking(task).await,
        }
        .map_err(|e| ApiError::failed("a blocking task", e))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A PostgreSQL cluster of its own in a temporary directory, on a free port, so that
    /// restarting it touches no other test's database; stopped when dropped.
    struct Cluster {
        bin: std::path::PathBuf,
        dir: tempfile::TempDir,
        port: u16,
        /// Whether the test runs as root, whom the server refuses to run as.
        root: bool,
    }

    impl Cluster {
        /// `None` when no PostgreSQL server programs are installed.
        fn start() -> Option<Cluster> {
            let bin = std::fs::read_dir("/usr/lib/postgresql")
                .ok()?
                .filter_map(Result::ok)
                .map(|e| e.path().join("bin"))
                .find(|b| b.join("pg_ctl").exists())?;
            let dir = tempfile::tempdir().unwrap();
            let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
            let root = std::process::Command::new("id")
                .arg("-u")
                .output()
                .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
            let cluster = Cluster { bin, dir, port, root };
            if cluster.root {
                // The server refuses to run as root: the cluster belongs to `postgres`.
                let status = std::process::Command::new("chown")
                    .args(["postgres:postgres", cluster.dir.path().to_str().unwrap()])
                    .status()
                    .unwrap();
                assert!(status.success());
            }
            let data = cluster.data();
            cluster.run("initdb", &["-D", &data, "-U", "postgres", "--auth=trust", "-E", "UTF8"]);
            cluster.ctl("start");
            Some(cluster)
        }

        fn data(&self) -> String {
            self.dir.path().join("data").to_str().unwrap().to_owned()
        }

        fn run(&self, program: &str, args: &[&str]) {
            let path = self.bin.join(program);
            let mut command = if self.root {
                let mut c = std::process::Command::new("runuser");
                c.args(["-u", "postgres", "--"]).arg(&path);
                c
            } else {
                std::process::Command::new(&path)
            };
            let out = command.args(args).output().unwrap();
            assert!(out.status.success(), "{program}: {}", String::from_utf8_lossy(&out.stderr));
        }

        fn ctl(&self, action: &str) {
            let options =
                format!("-p {} -k {} -c listen_addresses=127.0.0.1", self.port, self.dir.path().display());
            let log = self.dir.path().join("log").to_str().unwrap().to_owned();
            self.run("pg_ctl", &["-D", &self.data(), "-l", &log, "-o", &options, "-w", "-m", "fast", action]);
        }

        fn url(&self) -> String {
            format!("postgres://postgres@127.0.0.1:{}/postgres?sslmode=disable", self.port)
        }
    }

    impl Drop for Cluster {
        fn drop(&mut self) {
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.ctl("stop")));
        }
    }

    /// After the database restarts, every pooled connection is dead; the pool checks each
    /// before handing it out, so the next request gets a new, working connection instead
    /// of an error. Runs on a cluster of its own, started for the test (skipped where no
    /// PostgreSQL server programs are installed).
    #[test]
    fn the_pool_recovers_after_a_database_restart() {
        let Some(cluster) = Cluster::start() else {
            eprintln!("skipping the restart test: no PostgreSQL server programs in /usr/lib/postgresql");
            return;
        };
        let pool = StorePool::new(Store::open(&cluster.url()).unwrap());
        let held: Vec<_> = (0..3).map(|_| pool.take().unwrap()).collect();
        drop(held);
        let (applied, known) = pool.take().unwrap().schema_versions().unwrap();
        assert_eq!(applied, known);
        cluster.ctl("restart");
        for _ in 0..3 {
            let mut store = pool.take().unwrap();
            assert_eq!(store.schema_versions().unwrap(), (known, known));
        }
        let (open, _) = pool.state();
        assert!(open >= 1);
    }
}
