//! Monitoring frequency of the shipped pack (CTRL-7).

use chrono::NaiveDate;
use credence_domain::MonitoringTier::{self, *};
use credence_warning::{Interval, Level, MonitoredCustomer};

use crate::fixture::{builtin, d};

fn customer(
    tier: MonitoringTier,
    industry: &'static str,
    sub: Option<&'static str>,
    level: Level,
) -> MonitoredCustomer<'static> {
    MonitoredCustomer { tier, industry, sub_industry: sub, level }
}

fn schedule(c: &MonitoredCustomer) -> Vec<String> {
    builtin().monitoring().schedule(c).iter().map(|k| format!("{} {}", k.code, k.every)).collect()
}

#[test]
fn tiers_levels_and_industries() {
    let cases: [(MonitoredCustomer, &[&str]); 7] = [
        (customer(Core, "C", Some("C34"), Level::Green), &["core_monthly 1m"]),
        (customer(Secondary, "C", None, Level::Green), &["secondary_quarterly 3m"]),
        (customer(Potential, "F", None, Level::Green), &["potential_quarterly 3m"]),
        (customer(Secondary, "C", None, Level::Red), &["secondary_quarterly 3m", "high_risk_weekly 1w"]),
        (
            customer(Potential, "J", None, Level::Yellow),
            &["potential_quarterly 3m", "yellow_monthly 1m", "fintech_review 1m"],
        ),
        (customer(Core, "C", Some("C2710"), Level::Green), &["core_monthly 1m", "healthcare_special 3m"]),
        (
            customer(Secondary, "D", Some("D4416"), Level::Green),
            &["secondary_quarterly 3m", "green_energy_policy_scan 6m"],
        ),
    ];
    for (c, expected) in cases {
        assert_eq!(schedule(&c), expected, "{c:?}");
    }
    let fintech = customer(Secondary, "I", Some("fintech"), Level::Green);
    assert_eq!(builtin().monitoring().interval(&fintech), Some(Interval::Months(1)));
}

/// Due when the shortest interval has passed since the last check: a secondary customer
/// checked on 2026-07-15 is due again from 2026-10-15, weekly from 2026-07-22 once red.
#[test]
fn due_after_the_shortest_interval() {
    let pack = builtin();
    let m = pack.monitoring();
    let secondary = customer(Secondary, "C", None, Level::Green);
    let last = Some(d(2026, 7, 15));
    assert!(!m.due(&secondary, last, d(2026, 10, 14)));
    assert!(m.due(&secondary, last, d(2026, 10, 15)));
    assert!(m.due(&secondary, None, d(2026, 7, 16)), "never checked: due at once");
    let red = MonitoredCustomer { level: Level::Red, ..secondary };
    assert!(!m.due(&red, last, d(2026, 7, 21)));
    assert!(m.due(&red, last, d(2026, 7, 22)));
    let core = customer(Core, "C", None, Level::Green);
    assert!(!m.due(&core, Some(d(2026, 1, 31)), d(2026, 2, 27)));
    assert!(m.due(&core, Some(d(2026, 1, 31)), d(2026, 2, 28)), "a month after 31 January is 28 February");
}

/// Each check against its own last date: a core green-energy customer reviewed on
/// 2026-09-01 is not due for the monthly review on 2026-09-30, but its policy scan,
/// last done on 2026-01-15, is due since 2026-07-15.
#[test]
fn due_checks_each_on_its_own_date() {
    let pack = builtin();
    let c = customer(Core, "D", Some("green_energy"), Level::Green);
    let last = |code: &str| -> Option<NaiveDate> {
        match code {
            "core_monthly" => Some(d(2026, 9, 1)),
            "green_energy_policy_scan" => Some(d(2026, 1, 15)),
            _ => None,
        }
    };
    let due: Vec<&str> =
        pack.monitoring().due_checks(&c, &last, d(2026, 9, 30)).iter().map(|k| k.code.as_str()).collect();
    assert_eq!(due, ["green_energy_policy_scan"]);
    let due: Vec<&str> =
        pack.monitoring().due_checks(&c, &last, d(2026, 7, 14)).iter().map(|k| k.code.as_str()).collect();
    assert!(due.is_empty(), "{due:?}");
}
