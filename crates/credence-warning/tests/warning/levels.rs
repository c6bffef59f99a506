//! The level policy of the shipped pack: red rules, yellow rules and their escalation,
//! green-watch rules, grades on the merged scale, and peer alerts.

use credence_warning::{
    Firing, GroupBy, Level, LevelCause, LevelDecision, LevelInput, PeerAlert, RuleHit, RuleLevel,
};

use crate::fixture::builtin;

fn firing(code: &str, level: RuleLevel) -> Firing {
    Firing {
        code: code.into(),
        name: "Test".into(),
        name_zh: "测试".into(),
        name_en: "Test".into(),
        level,
        action_zh: String::new(),
        action_en: String::new(),
        evidence: vec![],
    }
}

fn decide(levels: &[RuleLevel], grade: Option<&str>) -> LevelDecision {
    let firings: Vec<RuleHit> =
        levels.iter().enumerate().map(|(i, l)| firing(&format!("W{:02}", i + 1), *l).hit()).collect();
    builtin().decide_level(&LevelInput { firings: &firings, grade, peer_alerts: &[] })
}

fn check(levels: &[RuleLevel], grade: Option<&str>, expected: Level, watch: bool) {
    let d = decide(levels, grade);
    assert_eq!((d.level, d.watch), (expected, watch), "{levels:?} {grade:?}: {:?}", d.causes);
}

#[test]
fn rule_levels_and_escalation() {
    use RuleLevel::*;
    check(&[], None, Level::Green, false);
    check(&[GreenWatch], None, Level::Green, true);
    check(&[GreenWatch, GreenWatch], None, Level::Green, true);
    // Three watch rules together make yellow (watch_rules_for_yellow = 3).
    check(&[GreenWatch, GreenWatch, GreenWatch], None, Level::Yellow, true);
    check(&[Yellow], None, Level::Yellow, false);
    check(&[Yellow, Yellow], None, Level::Yellow, false);
    check(&[Yellow, Yellow, Yellow], None, Level::Red, false);
    check(&[Red], None, Level::Red, false);
    check(&[Red, GreenWatch], None, Level::Red, true);
}

#[test]
fn grades_on_the_merged_scale() {
    use RuleLevel::*;
    // Letter scale: BBB and BB green, B yellow, CCC red.
    check(&[], Some("BBB"), Level::Green, false);
    check(&[], Some("BB"), Level::Green, false);
    check(&[], Some("b"), Level::Yellow, false);
    check(&[], Some("CCC"), Level::Red, false);
    // 100-point scale: A green, B yellow, C red.
    check(&[], Some("A"), Level::Green, false);
    check(&[], Some("C"), Level::Red, false);
    // A grade never lowers what the rules say.
    check(&[Red], Some("AAA"), Level::Red, false);
    check(&[Yellow], Some("C"), Level::Red, false);
}

#[test]
fn causes_are_listed() {
    let d = decide(&[RuleLevel::Yellow, RuleLevel::Yellow, RuleLevel::Yellow], Some("B"));
    assert_eq!(
        d.causes,
        [
            LevelCause::Rule { code: "W01".into(), contributes: RuleLevel::Yellow },
            LevelCause::Rule { code: "W02".into(), contributes: RuleLevel::Yellow },
            LevelCause::Rule { code: "W03".into(), contributes: RuleLevel::Yellow },
            LevelCause::YellowRulesEscalate { count: 3, threshold: 3 },
            LevelCause::Grade { grade: "B".into(), at_or_below: "B".into(), level: Level::Yellow },
        ]
    );
    let d = decide(&[], Some("Z"));
    assert_eq!((d.level, d.causes), (Level::Green, vec![LevelCause::UnknownGrade { grade: "Z".into() }]));
    let json = serde_json::to_string(&decide(&[RuleLevel::Red], None)).unwrap();
    assert_eq!(
        json,
        r#"{"level":"red","watch":false,"causes":[{"cause":"rule","code":"W01","contributes":"red"}]}"#
    );
}

/// Green-watch peer alerts put a customer on the watch list but do not count towards the
/// watch rules that make yellow: they speak of the industry, not of the customer.
#[test]
fn watch_peer_alerts_do_not_make_yellow() {
    let alert = |signal: &str| PeerAlert {
        code: "S01".into(),
        name_zh: String::new(),
        name_en: String::new(),
        level: RuleLevel::GreenWatch,
        group_by: GroupBy::Industry,
        group: "C".into(),
        signal: signal.into(),
        firms: vec![],
        counted: 10,
        members: 100,
        action_zh: String::new(),
        action_en: String::new(),
    };
    let (a, b, c) = (alert("current_ratio"), alert("debt_to_asset"), alert("net_margin"));
    let firings = [firing("W01", RuleLevel::GreenWatch).hit(), firing("W02", RuleLevel::GreenWatch).hit()];
    let alerts = [&a, &b, &c];
    let d = builtin().decide_level(&LevelInput { firings: &firings, grade: None, peer_alerts: &alerts });
    assert_eq!((d.level, d.watch), (Level::Green, true), "{:?}", d.causes);
    let three = [firings[0].clone(), firings[1].clone(), firing("W03", RuleLevel::GreenWatch).hit()];
    let d = builtin().decide_level(&LevelInput { firings: &three, grade: None, peer_alerts: &alerts });
    assert_eq!(d.level, Level::Yellow);
    assert!(d.causes.contains(&LevelCause::WatchRulesEscalate { count: 3, threshold: 3 }));
}

#[test]
fn peer_alerts_count_like_rules() {
    let alert = PeerAlert {
        code: "S01".into(),
        name_zh: String::new(),
        name_en: String::new(),
        level: RuleLevel::Yellow,
        group_by: GroupBy::Industry,
        group: "C".into(),
        signal: "current_ratio".into(),
        firms: vec![],
        counted: 10,
        members: 100,
        action_zh: String::new(),
        action_en: String::new(),
    };
    let firings = [firing("W01", RuleLevel::Yellow).hit(), firing("W02", RuleLevel::Yellow).hit()];
    let alerts = [&alert];
    let d = builtin().decide_level(&LevelInput { firings: &firings, grade: None, peer_alerts: &alerts });
    assert_eq!(d.level, Level::Red, "two yellow rules and a yellow alert are three");
    assert!(d.causes.contains(&LevelCause::PeerAlert {
        code: "S01".into(),
        group: "C".into(),
        signal: "current_ratio".into(),
        contributes: RuleLevel::Yellow
    }));
}
