//! Non-financial indicators (IND-3) and every event quantity, with windows and shifts,
//! on hand-built events around the as-of date 2026-09-30.

use credence_domain::EventKind::{self, *};
use credence_indicators::{CustomerFile, Event};

use crate::fixture::{Expect, Expect::*, as_of, catalogue, check, d, empty_file, evaluate};

fn event(kind: EventKind, date: (i32, u32, u32)) -> Event {
    Event {
        kind,
        date: d(date.0, date.1, date.2),
        amount: None,
        count: None,
        change_pct: None,
        sentiment: None,
        role: None,
    }
}

/// The last four quarters are 2025-10-01 … 2026-09-30, the four before 2024-10-01 …
/// 2025-09-30 (both ends as written: a window is (start, end]).
///
/// * lawsuits as defendant: 2026-09-30 (100,000), 2026-08-01 (50,000), 2026-02-10,
///   2025-11-05 — four; before: 2025-09-30, 2025-06-01, 2025-01-15 — three
/// * supplier payment suit 2026-05-05; enforcement 2026-04-01; dishonest debtor
///   2024-12-01 (outside)
/// * management changes 2026-01-10 (CFO), 2025-10-01
/// * core staff departures 2026-03-03 (2 people), 2026-06-06 (count not given: 1)
/// * customer losses 2026-02-02 (12 %), 2025-08-08 (5 %, outside)
/// * quality complaints 2026-07-07 (3), 2026-01-01 (1); before: 2025-03-03 (2)
/// * news 2026-09-01 (sentiment −0.6), 2026-04-01 (0.2), 2026-01-01 (none), 2025-05-05
///   (0.9, outside)
/// * relationship since 2019-04-01
pub fn events() -> CustomerFile {
    let mut file = empty_file("C", None);
    let with = |mut e: Event, f: &dyn Fn(&mut Event)| {
        f(&mut e);
        e
    };
    file.events = vec![
        event(LawsuitDefendant, (2025, 1, 15)),
        event(Blacklist, (2025, 2, 1)),
        with(event(QualityComplaint, (2025, 3, 3)), &|e| e.count = Some(2.0)),
        with(event(News, (2025, 5, 5)), &|e| e.sentiment = Some(0.9)),
        event(LawsuitDefendant, (2025, 6, 1)),
        with(event(CustomerLoss, (2025, 8, 8)), &|e| e.change_pct = Some(5.0)),
        event(LawsuitDefendant, (2025, 9, 30)),
        event(ManagementChange, (2025, 10, 1)),
        event(LawsuitDefendant, (2025, 11, 5)),
        event(DishonestDebtor, (2024, 12, 1)),
        event(News, (2026, 1, 1)),
        with(event(QualityComplaint, (2026, 1, 1)), &|e| e.count = Some(1.0)),
        with(event(ManagementChange, (2026, 1, 10)), &|e| e.role = Some("CFO".into())),
        with(event(CustomerLoss, (2026, 2, 2)), &|e| e.change_pct = Some(12.0)),
        event(LawsuitDefendant, (2026, 2, 10)),
        with(event(CoreStaffDeparture, (2026, 3, 3)), &|e| e.count = Some(2.0)),
        event(Enforcement, (2026, 4, 1)),
        with(event(News, (2026, 4, 1)), &|e| e.sentiment = Some(0.2)),
        event(SupplierPaymentSuit, (2026, 5, 5)),
        event(CoreStaffDeparture, (2026, 6, 6)),
        with(event(QualityComplaint, (2026, 7, 7)), &|e| e.count = Some(3.0)),
        with(event(LawsuitDefendant, (2026, 8, 1)), &|e| e.amount = Some(50_000.0)),
        with(event(News, (2026, 9, 1)), &|e| e.sentiment = Some(-0.6)),
        with(event(LawsuitDefendant, (2026, 9, 30)), &|e| e.amount = Some(100_000.0)),
    ];
    file
}

/// The expected values of [`events`] at 2026-09-30.
pub const EVENTS: &[(&str, Expect)] = &[
    ("lawsuits_defendant_4q", Value(4.0)),
    // (4 − 3) / 3
    ("lawsuits_defendant_growth", Value(33.333_333_333_333_33)),
    ("supplier_payment_suits_4q", Value(1.0)),
    // enforcement 1 + dishonest debtor 0
    ("enforcement_hits_4q", Value(1.0)),
    ("management_changes_4q", Value(2.0)),
    // 2 + 1
    ("core_staff_departures_4q", Value(3.0)),
    ("customer_loss_share_4q", Value(12.0)),
    // 3 + 1
    ("quality_complaints_4q", Value(4.0)),
    // (4 − 2) / 2
    ("quality_complaints_growth", Value(100.0)),
    // (−0.6 + 0.2) / 2
    ("news_sentiment_4q", Value(-0.2)),
    ("news_heat_4q", Value(3.0)),
    // 2019-04-01 → 2026-09-30: 7 years and 5 complete months
    ("relationship_months", Value(89.0)),
];

#[test]
fn every_non_financial_indicator() {
    check(&evaluate(&events()), EVENTS);
    check(
        &evaluate(&empty_file("C", None)),
        &[
            ("lawsuits_defendant_4q", Value(0.0)),
            ("lawsuits_defendant_growth", Missing("no lawsuits as defendant in the four quarters before")),
            ("news_sentiment_4q", Missing("no news with a sentiment in the window to 2026-09-30")),
        ],
    );
}

#[test]
fn windows_and_shifts() {
    let c = catalogue(&[
        // (2026-06-30, 2026-09-30]: 2026-08-01, 2026-09-30
        ("suits_1q", "count", "count(lawsuit_defendant, 1q)"),
        // (2026-03-31, 2026-06-30]: none
        ("suits_1q_before", "count", "count(lawsuit_defendant, 1q, shift = 1q)"),
        // (2025-12-31, 2026-03-31]: 2026-02-10
        ("suits_1q_2q_ago", "count", "count(lawsuit_defendant, 1q, shift = 2q)"),
        // (2025-09-30, 2026-09-30]: four
        ("suits_12m", "count", "count(lawsuit_defendant, 12m)"),
        ("suits_1y", "count", "count(lawsuit_defendant, 1y)"),
        // (2026-08-31, 2026-09-30]: 2026-09-30 only
        ("suits_30d", "count", "count(lawsuit_defendant, 30d)"),
        // (2026-08-01, 2026-08-31]: none — 2026-08-01 is the excluded start
        ("suits_30d_30d_ago", "count", "count(lawsuit_defendant, 30d, shift = 30d)"),
        ("suit_amounts_4q", "money", "sum_amount(lawsuit_defendant, 4q)"),
        // (2026-06-29, 2026-09-29]: 2026-08-01 (50,000) only; 2026-09-30 is after the end
        ("suit_amounts_shifted", "money", "sum_amount(lawsuit_defendant, 1q, shift = 1d)"),
        ("complaints_8q", "count", "sum_count(quality_complaint, 8q)"),
        ("losses_8q", "percent", "sum_change(customer_loss, 8q)"),
        ("losses_year_before", "percent", "sum_change(customer_loss, 4q, shift = 4q)"),
        // 2026-09-01 only
        ("sentiment_1q", "score", "mean_sentiment(1q)"),
        // (2025-06-30, 2026-06-30]: 2026-04-01 (0.2); 2026-01-01 has none
        ("sentiment_shifted", "score", "mean_sentiment(4q, shift = 1q)"),
        ("blacklist_2y", "count", "count(blacklist, 2y)"),
        // Three in the year before less four in the last year
        ("suits_change", "count", "count(lawsuit_defendant, 4q, shift = 4q) - count(lawsuit_defendant, 4q)"),
        ("months", "months", "relationship_length"),
        ("months_a_year_ago", "months", "lag(relationship_length, 4)"),
    ]);
    let set = c.evaluate(&events(), as_of(), &credence_indicators::EvalOptions::default());
    check(
        &set,
        &[
            ("suits_1q", Value(2.0)),
            ("suits_1q_before", Value(0.0)),
            ("suits_1q_2q_ago", Value(1.0)),
            ("suits_12m", Value(4.0)),
            ("suits_1y", Value(4.0)),
            ("suits_30d", Value(1.0)),
            ("suits_30d_30d_ago", Value(0.0)),
            ("suit_amounts_4q", Value(150_000.0)),
            ("suit_amounts_shifted", Value(50_000.0)),
            // 2 + 1 + 3
            ("complaints_8q", Value(6.0)),
            // 5 + 12
            ("losses_8q", Value(17.0)),
            ("losses_year_before", Value(5.0)),
            ("sentiment_1q", Value(-0.6)),
            ("sentiment_shifted", Value(0.2)),
            ("blacklist_2y", Value(1.0)),
            ("suits_change", Value(-1.0)),
            ("months", Value(89.0)),
            ("months_a_year_ago", Value(77.0)),
        ],
    );
}
