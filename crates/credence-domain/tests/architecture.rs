//! The layering ARCHITECTURE.md promises, checked on every test run: which crates may read
//! files, the environment, the clock or the network, which may speak SQL, and which crates
//! the server may depend on. A change that breaks a rule fails here with the file and line.
//!
//! The scan reads the crates' sources as text with comments removed, so it sees a call
//! however it is imported (`std::fs::read`, `fs::read`, `File::open`), and reads each
//! crate's `Cargo.toml` for its normal (non-dev) dependencies.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// Crates that compute from what they are given: no file system, environment, clock or
/// network.
const PURE: &[&str] = &[
    "credence-domain",
    "credence-indicators",
    "credence-rating",
    "credence-warning",
    "credence-groups",
    "credence-control",
    "credence-portfolio",
    "credence-scorecard",
    "credence-trees",
    "credence-model",
    "credence-cockpit",
];

/// The analytic crates: only the engine (and the CLI's model and file commands through it)
/// calls them; the server reaches them through the engine.
const ANALYTIC: &[&str] = &[
    "credence-indicators",
    "credence-rating",
    "credence-warning",
    "credence-groups",
    "credence-control",
    "credence-portfolio",
    "credence-model",
    "credence-scorecard",
    "credence-trees",
];

/// Text that means reading a file, the environment, the clock or the network.
const IMPURE: &[(&str, &str)] = &[
    ("std::fs", "the file system"),
    ("fs::read", "the file system"),
    ("fs::write", "the file system"),
    ("File::open", "the file system"),
    ("File::create", "the file system"),
    ("std::env", "the environment"),
    ("env::var", "the environment"),
    ("Utc::now", "the clock"),
    ("Local::now", "the clock"),
    ("SystemTime::now", "the clock"),
    ("Instant::now", "the clock"),
    ("std::net", "the network"),
    ("TcpStream", "the network"),
];

/// Wall-clock readers: only the edges (CLI, server) ask what time it is; everything else
/// is given the time.
const CLOCK: &[&str] = &["Utc::now", "Local::now", "SystemTime::now"];
const CLOCK_READERS: &[&str] = &["credence-cli", "credence-server"];

/// Environment readers: the CLI only.
const ENV: &[&str] = &["env::var", "std::env::args", "env::vars"];
const ENV_READERS: &[&str] = &["credence-cli"];

/// SQL drivers: the store only.
const SQL_DRIVERS: &[&str] = &["rusqlite", "postgres", "tokio-postgres"];
const SQL_CRATES: &[&str] = &["credence-store"];

fn crates_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("crates directory").to_path_buf()
}

fn workspace_crates() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(crates_dir())
        .expect("read crates/")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("Cargo.toml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.filter_map(|e| e.ok()) {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

/// The source lines of a crate's library and binaries, comments removed, with their file
/// and line number. Unit-test modules (`#[cfg(test)]` to the end of the file) are left
/// out: tests may read fixtures.
fn code_lines(krate: &str) -> Vec<(String, usize, String)> {
    let mut files = Vec::new();
    rust_files(&crates_dir().join(krate).join("src"), &mut files);
    files.sort();
    let mut lines = Vec::new();
    for file in files {
        let text = fs::read_to_string(&file).expect("read source");
        let shown = file.strip_prefix(crates_dir()).unwrap_or(&file).display().to_string();
        for (n, line) in text.lines().enumerate() {
            if line.trim() == "#[cfg(test)]" {
                break;
            }
            let code = line.split("//").next().unwrap_or("");
            if !code.trim().is_empty() {
                lines.push((shown.clone(), n + 1, code.to_owned()));
            }
        }
    }
    lines
}

/// The normal dependencies a crate's manifest lists.
fn dependencies(krate: &str) -> BTreeSet<String> {
    let path = crates_dir().join(krate).join("Cargo.toml");
    let manifest: toml::Table =
        toml::from_str(&fs::read_to_string(&path).expect("read manifest")).expect("parse manifest");
    manifest
        .get("dependencies")
        .and_then(|d| d.as_table())
        .map(|d| d.keys().cloned().collect())
        .unwrap_or_default()
}

fn offences(crates: &[&str], needles: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for krate in crates {
        for (file, line, code) in code_lines(krate) {
            for needle in needles {
                if code.contains(needle) {
                    found.push(format!("{file}:{line}: `{needle}` in `{}`", code.trim()));
                }
            }
        }
    }
    found
}

#[test]
fn the_lists_name_real_crates() {
    let all = workspace_crates();
    for name in PURE.iter().chain(ANALYTIC).chain(CLOCK_READERS).chain(ENV_READERS).chain(SQL_CRATES) {
        assert!(all.iter().any(|c| c == name), "{name} is not a crate of the workspace");
    }
}

#[test]
fn pure_crates_touch_no_file_environment_clock_or_network() {
    let mut found = Vec::new();
    for krate in PURE {
        for (file, line, code) in code_lines(krate) {
            for (needle, what) in IMPURE {
                if code.contains(needle) {
                    found.push(format!("{file}:{line}: {what} (`{needle}`)"));
                }
            }
        }
    }
    assert!(found.is_empty(), "pure crates must be given their inputs:\n{}", found.join("\n"));
}

#[test]
fn only_the_edges_read_the_wall_clock() {
    let others: Vec<String> =
        workspace_crates().into_iter().filter(|c| !CLOCK_READERS.contains(&c.as_str())).collect();
    let others: Vec<&str> = others.iter().map(String::as_str).collect();
    let found = offences(&others, CLOCK);
    assert!(found.is_empty(), "only the CLI and the server read the clock:\n{}", found.join("\n"));
}

#[test]
fn only_the_cli_reads_the_environment() {
    let others: Vec<String> =
        workspace_crates().into_iter().filter(|c| !ENV_READERS.contains(&c.as_str())).collect();
    let others: Vec<&str> = others.iter().map(String::as_str).collect();
    let found = offences(&others, ENV);
    assert!(found.is_empty(), "only the CLI reads the environment:\n{}", found.join("\n"));
}

#[test]
fn only_the_store_depends_on_a_database_driver() {
    let mut found = Vec::new();
    for krate in workspace_crates() {
        if SQL_CRATES.contains(&krate.as_str()) {
            continue;
        }
        for dep in dependencies(&krate) {
            if SQL_DRIVERS.contains(&dep.as_str()) {
                found.push(format!("{krate} depends on {dep}"));
            }
        }
    }
    assert!(found.is_empty(), "only credence-store knows SQL:\n{}", found.join("\n"));
}

#[test]
fn the_server_reaches_analytics_only_through_the_engine() {
    let deps = dependencies("credence-server");
    let direct: Vec<&&str> = ANALYTIC.iter().filter(|a| deps.contains(**a)).collect();
    assert!(direct.is_empty(), "credence-server depends directly on {direct:?}");
    assert!(deps.contains("credence-engine"));
}

#[test]
fn the_scan_sees_what_it_looks_for() {
    // A rule that can never fail proves nothing: the server does read the clock (in its
    // clock module, which the CLI uses too), the CLI the environment, and the store does
    // depend on a driver.
    assert!(!offences(&["credence-server"], CLOCK).is_empty());
    assert!(!offences(&["credence-cli"], ENV).is_empty());
    assert!(dependencies("credence-store").contains("rusqlite"));
}
