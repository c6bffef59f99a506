//! The audit record of a change made at the command line (GOV-4): after a command that
//! changes stored data succeeds, one record with the operator (`--by`, else the login
//! name), the command and its arguments. User and token management write their own,
//! richer records.

use credence_store::Store;

/// The command's words: what follows the program name, without the global `--db` and
/// `--user` (the user is the record's actor).
fn words(argv: &[String]) -> Vec<&str> {
    let mut out = Vec::new();
    let mut skip = false;
    for a in argv.iter().skip(1) {
        if skip {
            skip = false;
            continue;
        }
        if a == "--db" || a == "--user" {
            skip = true;
            continue;
        }
        if a.starts_with("--db=") || a.starts_with("--user=") {
            continue;
        }
        out.push(a.as_str());
    }
    out
}

/// The action a command line performs, when it changes stored data (`collect.log`,
/// `case.act`, …), and the first word after it (usually the customer, case or request;
/// for commands taking only options, the first option's value).
pub fn action(argv: &[String]) -> Option<(String, String)> {
    let w = words(argv);
    let positional: Vec<&str> = w.iter().copied().filter(|a| !a.starts_with('-')).collect();
    let (command, sub) = (*positional.first()?, positional.get(1).copied());
    let has = |flag: &str| w.contains(&flag);
    let changes = match command {
        "demo" | "import" | "load" | "rate" | "warn" => true,
        "rating" => matches!(sub, Some("override" | "approve" | "reject")),
        "case" | "repair" => !matches!(sub, Some("list" | "show") | None),
        "notify" => sub == Some("send"),
        "check" => has("--order"),
        "blocked" => matches!(sub, Some("release" | "reject" | "recheck")),
        "policy" => sub == Some("apply"),
        "limit" => matches!(sub, Some("approve" | "reject" | "temporary")),
        "collect" => matches!(sub, Some("log" | "promise" | "dispute")) && !w.contains(&"list"),
        "model" => sub == Some("register"),
        _ => false,
    };
    if !changes {
        return None;
    }
    let action = match (sub, command) {
        (Some(s), c) if !matches!(c, "demo" | "import" | "load" | "rate" | "warn" | "check") => {
            format!("{c}.{s}")
        }
        (_, c) => c.to_owned(),
    };
    let object =
        positional.iter().skip(if action.contains('.') { 2 } else { 1 }).find(|p| !p.contains('/')).copied();
    Some((action, object.unwrap_or("").to_owned()))
}

/// Appends the record of a successful command line that changed data.
pub fn record(store: &mut Store, argv: &[String], operator: &str) -> Result<(), credence_store::StoreError> {
    let Some((action, object)) = action(argv) else { return Ok(()) };
    let by =
        argv.iter().position(|a| a == "--by").and_then(|i| argv.get(i + 1)).map_or(operator, String::as_str);
    credence_server::accounts::Actor::cli(by).record(
        store,
        &format!("cli.{action}"),
        &object,
        serde_json::json!({ "argv": words(argv) }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(line: &str) -> Vec<String> {
        std::iter::once("credence").chain(line.split(' ')).map(str::to_owned).collect()
    }

    #[test]
    fn changing_commands_are_recognised() {
        let a = |line: &str| action(&argv(line));
        assert_eq!(
            a("--db x.db collect log C1 --action phone --by zhao"),
            Some(("collect.log".into(), "C1".into()))
        );
        assert_eq!(a("limit approve 12 --by wang --role cfo"), Some(("limit.approve".into(), "12".into())));
        assert_eq!(a("import invoices data/inv.csv"), Some(("import".into(), "invoices".into())));
        assert_eq!(a("check --customer C1 --amount 5 --order SO-1"), Some(("check".into(), "C1".into())));
        assert_eq!(a("demo --customers 300"), Some(("demo".into(), "300".into())));
        assert_eq!(a("check --customer C1 --amount 5"), None);
        assert_eq!(a("case list"), None);
        assert_eq!(a("collect dispute list"), None);
        assert_eq!(a("customer show C1"), None);
        assert_eq!(a("user add wang"), None, "user management audits itself");
    }
}
