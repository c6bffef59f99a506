//! Loading policy and strategy files: errors name the file, line, column and key.

use std::path::Path;

use credence_control::{BUILTIN_POLICY, BUILTIN_STRATEGY, CollectionStrategy, CreditPolicy};

fn policy_error(text: &str) -> String {
    CreditPolicy::from_toml(text, "policy.toml").unwrap_err().to_string()
}

/// The shipped policy with one line replaced (the line must be unique).
fn with(from: &str, to: &str) -> String {
    assert_eq!(BUILTIN_POLICY.matches(from).count(), 1, "{from}");
    BUILTIN_POLICY.replace(from, to)
}

/// Line (1-based) of the first occurrence of `needle` in `text`.
fn line_of(text: &str, needle: &str) -> usize {
    text[..text.find(needle).unwrap()].matches('\n').count() + 1
}

#[test]
fn shipped_files_load() {
    let p = CreditPolicy::builtin();
    assert_eq!(p.grades().len(), 8);
    let s = CollectionStrategy::builtin();
    assert_eq!(s.rules().len(), 10);
    // Loading from a path gives the same policy.
    let dir = std::env::temp_dir().join(format!("credence-control-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("credit_policy.toml");
    std::fs::write(&path, BUILTIN_POLICY).unwrap();
    let read = |path: &Path| std::fs::read_to_string(path).unwrap();
    assert_eq!(CreditPolicy::from_toml(&read(&path), &path.display().to_string()).unwrap(), p);
    let path = dir.join("collection_strategy.toml");
    std::fs::write(&path, BUILTIN_STRATEGY).unwrap();
    assert_eq!(CollectionStrategy::from_toml(&read(&path), &path.display().to_string()).unwrap(), s);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_misspelt_key_is_reported_where_it_is() {
    let text = with("max_oldest_overdue_days = 30", "max_oldest_overdue_day = 30");
    let line = line_of(&text, "max_oldest_overdue_day =");
    let e = policy_error(&text);
    assert!(
        e.starts_with(&format!(
            "policy.toml:{line}:1: `check.max_oldest_overdue_day`: unknown field `max_oldest_overdue_day`"
        )),
        "{e}"
    );
}

#[test]
fn a_wrong_type_is_reported_at_the_value() {
    let text = with("term_days = 45", "term_days = \"45\"");
    let line = line_of(&text, "term_days = \"45\"");
    assert_eq!(
        policy_error(&text),
        format!("policy.toml:{line}:13: `grades[2].term_days`: invalid type: string \"45\", expected i64")
    );
}

/// Every value problem is listed, each with its key.
#[test]
fn bad_values_are_all_listed_with_their_keys() {
    let text = with("max_overdue_share_pct = 20", "max_overdue_share_pct = 120")
        .replace("{ base = \"revenue\", share = 0.06 }", "{ base = \"revenue\", share = 1.6 }")
        .replace("escalate_red_to = \"risk_director\"", "escalate_red_to = \"ceo\"")
        .replace(
            "{ up_to = 5_000_000, role = \"risk_director\" }",
            "{ up_to = 500_000, role = \"risk_director\" }",
        )
        .replace(
            "after_delivery_pct = 40, after_delivery_days = 90 },\n  { kind = \"deposit\", pct = 25 }",
            "after_delivery_pct = 30, after_delivery_days = 90 },\n  { kind = \"deposit\", pct = 25 }",
        )
        .replace("treat_as = \"B\"", "treat_as = \"D\"")
        .replace("version = \"2026-Q4-V1.1\"", "version = \"1.0\"");
    let e = CreditPolicy::from_toml(&text, "policy.toml").unwrap_err();
    let keys: Vec<(&str, &str)> =
        e.problems().iter().map(|p| (p.key.as_deref().unwrap(), p.message.as_str())).collect();
    assert_eq!(
        keys,
        [
            ("version", "`1.0` is not named like 2026-Q4-V1.0"),
            ("grades[2].limit.bases[0].share", "must be above 0 and at most 1, found 1.6"),
            ("grades[5].mitigants[0]", "the parts must sum to 100, found 90"),
            ("unrated.treat_as", "unknown grade `D`; known: AAA, AA, A, BBB, BB, B, CCC, C"),
            (
                "check.escalate_red_to",
                "unknown role `ceo`; known: sales_manager, credit_manager, risk_director, cfo, credit_committee"
            ),
            ("check.max_overdue_share_pct", "must be 0–100, found 120"),
            ("authority.amounts[1].up_to", "levels must ascend from 0, found 500000 after 1000000"),
        ]
    );
    let line = line_of(&text, "share = 1.6");
    let p = &e.problems()[1];
    assert_eq!((p.line, p.column), (line, text.lines().nth(line - 1).unwrap().find("1.6").unwrap() + 1));
    assert!(e.to_string().contains(&format!("policy.toml:{line}:")));
}

#[test]
fn a_committee_quorum_is_checked_when_the_policy_loads() {
    assert_eq!(CreditPolicy::builtin().authority().role("credit_committee").unwrap().quorum, 3);
    assert_eq!(CreditPolicy::builtin().authority().role("cfo").unwrap().quorum, 1);
    for bad in ["0", "51", "-1"] {
        let text = with("quorum = 3", &format!("quorum = {bad}"));
        let e = CreditPolicy::from_toml(&text, "policy.toml").unwrap_err();
        let keys: Vec<(&str, &str)> =
            e.problems().iter().map(|p| (p.key.as_deref().unwrap(), p.message.as_str())).collect();
        assert_eq!(keys, [("roles[4].quorum", format!("must be 1–50, found {bad}").as_str())]);
    }
}

#[test]
fn structural_mistakes_are_caught() {
    // Two grades with one code; a mitigant field that does not apply to its kind.
    let text = with("grade = \"CCC\"", "grade = \"B\"")
        .replace("{ kind = \"guarantee\" }", "{ kind = \"guarantee\", pct = 5 }");
    let e = CreditPolicy::from_toml(&text, "policy.toml").unwrap_err();
    let keys: Vec<&str> = e.problems().iter().map(|p| p.key.as_deref().unwrap()).collect();
    assert_eq!(keys, ["grades[6].mitigants[2].pct", "grades[6].grade"]);
    assert_eq!(e.problems()[1].message, "grade `B` appears twice");
    // The last authority level must be unbounded.
    let text =
        with("{ role = \"credit_committee\" },", "{ up_to = 50_000_000, role = \"credit_committee\" },");
    assert_eq!(
        CreditPolicy::from_toml(&text, "p.toml").unwrap_err().problems()[0].message,
        "the last level must have no bound: it takes everything above the others"
    );
}

#[test]
fn strategy_errors_name_line_and_key() {
    let text =
        BUILTIN_STRATEGY.replace("{ day = 31, action = \"phone\" }", "{ day = 20, action = \"phone\" }");
    let line = line_of(&text, "day = 20, action = \"phone\"");
    let e = CollectionStrategy::from_toml(&text, "s.toml").unwrap_err().to_string();
    assert!(e.starts_with(&format!("s.toml:{line}:")), "{e}");
    assert!(e.contains("`rules[4].actions[0].day`: day 20 is outside bucket 31-60 (31–60)"), "{e}");

    // Without the default rule of a bucket.
    let cut = BUILTIN_STRATEGY
        .replace("[[rules]]\nbucket = \"90+\"\nactions = [{ day = 91, action = \"legal\" }]\n", "");
    assert_ne!(cut, BUILTIN_STRATEGY);
    let e = CollectionStrategy::from_toml(&cut, "s.toml").unwrap_err();
    assert_eq!(e.problems()[0].message, "bucket 90+ has no default rule (one without `grades`)");

    let bad = BUILTIN_STRATEGY.replace("action = \"legal\" }]\n", "action = \"lawsuit\" }]\n");
    let e = CollectionStrategy::from_toml(&bad, "s.toml").unwrap_err().to_string();
    assert!(e.contains("'lawsuit' is not one of reminder|phone|letter|visit|agency|legal"), "{e}");
}

/// The listing a user sees for a policy with bad values, as a reviewed snapshot: every
/// problem on its own line with file, line, column and key.
#[test]
fn policy_problems_listing() {
    let text = with("max_overdue_share_pct = 20", "max_overdue_share_pct = 120")
        .replace("escalate_red_to = \"risk_director\"", "escalate_red_to = \"ceo\"");
    insta::assert_snapshot!("policy_bad_values", policy_error(&text));
    let text = with("term_days = 45", "term_days = \"45\"");
    insta::assert_snapshot!("policy_wrong_type", policy_error(&text));
}

/// The listing for a strategy whose ladder leaves its bucket and misses a default rule.
#[test]
fn strategy_problems_listing() {
    let text = BUILTIN_STRATEGY
        .replace("{ day = 31, action = \"phone\" }", "{ day = 20, action = \"phone\" }")
        .replace("[[rules]]\nbucket = \"90+\"\nactions = [{ day = 91, action = \"legal\" }]\n", "");
    let e = CollectionStrategy::from_toml(&text, "collection_strategy.toml").unwrap_err();
    insta::assert_snapshot!("strategy_bad_ladder", e.to_string());
}
