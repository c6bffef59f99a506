//! A deterministic synthetic utility billing portfolio (SCN-1): electricity accounts of
//! three classes across supply units and meter-reading routes, 24 months of bills with
//! seasonal consumption, and payments whose lateness and arrears build up before an
//! account stops paying — so the next-month arrears model can be built and judged.
//!
//! # The process
//!
//! **Accounts.** Class: residential 82%, non-residential 15%, large industrial 3%.
//! Settlement: residential prepaid 35%, else postpaid; non-residential prepaid 10%, split
//! 5%; large industrial split 40%. Twelve supply units of eight routes each. Opened
//! between 15 years and 1 month before the as-of date.
//!
//! **Consumption.** A monthly base (kWh) log-normal around 230 (residential), 2,800
//! (non-residential) and 260,000 (large industrial), times a seasonal factor (summer peak
//! +30% in July–August for residential and non-residential, a winter bump of +12% in
//! January, a Spring-Festival dip of −25% in February for industry) and ±8% noise. Bills
//! are priced at 0.5283 (residential), 0.6712 (non-residential) and 0.6135 (large
//! industrial) CNY per kWh, issued on the 3rd of the next month and due 15 days later
//! (residential: 25).
//!
//! **Behaviour.** Each account has a risk r ~ N(0, 1) plus a class effect (residential
//! +0.3, non-residential 0, large industrial +0.2) and, for industry, a shock: real estate
//! (K) and construction (E) lose 0.8 from the 16th simulated month. Each month a sound
//! account falls into distress with probability logistic(−6.2 − 1.3·r′) (r′ the shocked
//! risk; about 0.2% a month at r′ = 0 and 7% at r′ = −2); a distressed account recovers
//! with probability 12% a month. A sound account pays each bill in full, on time with
//! probability logistic(1.8 + 0.9·r′), otherwise late by an exponential number of days
//! (mean 6 + 6·max(0, −r′)). In distress it pays nothing with probability 55%, else a
//! share of 20–80% of the bill 20–75 days after its due date — so arrears build for
//! months. Prepaid accounts top up on the 1st with 105–140% of the coming bill while
//! sound (a distressed one tops up half the time, with half as much); split-settlement
//! accounts pay half mid-month and the rest by the due date. One bill in 400 is disputed
//! and left unpaid until settled (a month after its due date).
//!
//! **Supply events.** Non-prepaid accounts with two or more unpaid bills get a written
//! notice 40 days after a due date and are cut after the notice period (7 days for
//! households, 3 for others), never in February, on 1–7 October or, for households, in
//! July–August; three cuts in four are cleared by a payment of the arrears 1–15 days later
//! and reconnected within 24 hours nineteen times in twenty; an account cut and never
//! cleared is billed no more. Meter faults (0.2% a month), estimated readings (0.4%) and
//! tampering (0.08%, 1.2% in distress) are found. A business four months or more in
//! distress goes bankrupt with probability 8% a month, and any account passes to a new
//! holder with probability 0.15% a month: the earlier arrears stay behind and the account
//! starts afresh with a new risk.
//!
//! Draws come from per-account ChaCha streams (`rng.rs`, purpose `Billing`), so an
//! account's records do not depend on how many accounts are generated.

use chrono::{Datelike, Days, Months, NaiveDate};
use credence_records::{Kind, Record};

use crate::rng::{Purpose, chance, int_in, normal, stream, uniform, unit};

/// What to generate.
#[derive(Debug, Clone)]
pub struct UtilityConfig {
    /// Accounts, numbered `3500000001` upwards.
    pub accounts: usize,
    pub seed: u64,
    /// Nothing is dated after it except due dates of bills not yet due.
    pub as_of: NaiveDate,
}

/// Counts of what [`generate_utility`] emitted.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct UtilitySummary {
    pub accounts: u64,
    pub residential: u64,
    pub non_residential: u64,
    pub large_industrial: u64,
    pub bills: u64,
    pub payments: u64,
    pub disconnections: u64,
    pub meter_events: u64,
    pub holder_changes: u64,
    /// Accounts in distress at the as-of date (the truth the arrears model is after).
    pub distressed_at_end: u64,
}

/// Months of bills simulated before the as-of date.
pub const MONTHS: u32 = 24;

const UNITS: [&str; 12] = [
    "FZ-GL", "FZ-CS", "FZ-MW", "XM-SM", "XM-HL", "QZ-LC", "QZ-JJ", "ZZ-XC", "PT-CX", "NP-YP", "LY-XL",
    "ND-JC",
];
const INDUSTRIES: [(&str, f64); 8] =
    [("C", 0.30), ("F", 0.22), ("H", 0.12), ("E", 0.10), ("K", 0.06), ("I", 0.07), ("G", 0.07), ("O", 0.06)];

#[derive(Clone, Copy, PartialEq)]
enum Class {
    Residential,
    NonResidential,
    LargeIndustrial,
}

impl Class {
    fn code(self) -> &'static str {
        match self {
            Class::Residential => "residential",
            Class::NonResidential => "non_residential",
            Class::LargeIndustrial => "large_industrial",
        }
    }
}

fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

fn first_of_month(d: NaiveDate) -> NaiveDate {
    d.with_day(1).expect("day 1 exists")
}

/// Generates the portfolio, handing each record to `sink`: an account, then its bills and
/// payments.
pub fn generate_utility<E>(
    config: &UtilityConfig,
    sink: &mut impl FnMut(Record) -> Result<(), E>,
) -> Result<UtilitySummary, E> {
    let mut summary = UtilitySummary::default();
    // The first simulated month is MONTHS months before the as-of date's month.
    let start = first_of_month(config.as_of) - Months::new(MONTHS);
    for i in 0..config.accounts {
        let mut rng = stream(config.seed, i as u64, Purpose::Billing);
        let id = format!("35{:08}", i + 1);
        let u = unit(&mut rng);
        let class = if u < 0.82 {
            Class::Residential
        } else if u < 0.97 {
            Class::NonResidential
        } else {
            Class::LargeIndustrial
        };
        let settlement = match class {
            Class::Residential if chance(&mut rng, 0.35) => "prepaid",
            Class::NonResidential if chance(&mut rng, 0.10) => "prepaid",
            Class::NonResidential if chance(&mut rng, 0.055) => "split",
            Class::LargeIndustrial if chance(&mut rng, 0.40) => "split",
            _ => "postpaid",
        };
        let industry = (class != Class::Residential).then(|| {
            let mut x = unit(&mut rng);
            INDUSTRIES
                .iter()
                .find(|(_, p)| {
                    x -= p;
                    x < 0.0
                })
                .map_or("C", |(c, _)| c)
        });
        let unit_name = UNITS[int_in(&mut rng, 0, UNITS.len() as i64 - 1) as usize];
        let route = format!("{unit_name}-{:02}", int_in(&mut rng, 1, 8));
        let opened = config.as_of - Days::new(int_in(&mut rng, 31, 15 * 365) as u64);
        let (base_kwh, price, due_days) = match class {
            Class::Residential => (230.0, 0.5283, 25),
            Class::NonResidential => (2_800.0, 0.6712, 15),
            Class::LargeIndustrial => (260_000.0, 0.6135, 15),
        };
        let kwh_base = base_kwh * (0.6 * normal(&mut rng)).exp();
        let class_effect = match class {
            Class::Residential => 0.3,
            Class::NonResidential => 0.0,
            Class::LargeIndustrial => 0.2,
        };
        let mut risk = normal(&mut rng) + class_effect;
        let shocked = matches!(industry, Some("K" | "E"));
        let mut account = Record::empty(Kind::Accounts);
        account
            .set("account_id", id.as_str())
            .set("account_class", class.code())
            .set(
                "tariff_class",
                match class {
                    Class::Residential => "居民生活用电",
                    Class::NonResidential => "一般工商业用电",
                    Class::LargeIndustrial => "大工业用电",
                },
            )
            .set(
                "voltage_level",
                match class {
                    Class::Residential => "220V",
                    Class::NonResidential => "380V",
                    Class::LargeIndustrial => "10kV",
                },
            )
            .set("region", "福建")
            .set("supply_unit", unit_name)
            .set("route", route.as_str())
            .set("settlement", settlement)
            .set("billing_cycle", "monthly")
            .set("opened_date", opened.to_string());
        if let Some(industry) = industry {
            account.set("industry", industry);
        }
        if class == Class::LargeIndustrial {
            let kva = (kwh_base / 300.0 / 50.0).ceil() * 50.0;
            account.set("contracted_capacity_kva", kva);
        }
        if class != Class::Residential && settlement == "postpaid" && chance(&mut rng, 0.4) {
            let deposit = (kwh_base * price * 100.0).round() as i64;
            account.set("deposit", deposit).set("currency", "CNY");
        }
        sink(account)?;
        summary.accounts += 1;
        match class {
            Class::Residential => summary.residential += 1,
            Class::NonResidential => summary.non_residential += 1,
            Class::LargeIndustrial => summary.large_industrial += 1,
        }

        let mut distressed = false;
        let mut top_up_left = 0i64;
        let mut supply = stream(config.seed, i as u64, Purpose::Supply);
        let mut cuts = Cuts::default();
        let mut distress_months = 0;
        for m in 0..MONTHS {
            let period = start + Months::new(m);
            let issued = period + Months::new(1) + Days::new(2);
            // The shocked risk of this month.
            let r = risk - if shocked && m >= 16 { 0.8 } else { 0.0 };
            if distressed {
                distressed = !chance(&mut rng, 0.25);
            } else {
                distressed = chance(&mut rng, logistic(-5.4 - 1.1 * r));
            }
            // A change of holder: a business long in distress goes bankrupt now and then
            // (its administrator pays the bills from then on), and any account may pass
            // to a new holder (过户). Either way the earlier arrears stay behind and the
            // account starts afresh.
            if first_of_month(opened) <= period && !cuts.off {
                let on = period + Days::new(int_in(&mut supply, 4, 24) as u64);
                let change =
                    if class != Class::Residential && distress_months >= 4 && chance(&mut supply, 0.08) {
                        Some("bankruptcy")
                    } else if chance(&mut supply, 0.0015) {
                        Some("transfer")
                    } else {
                        None
                    };
                if let Some(kind) = change.filter(|_| on <= config.as_of) {
                    let mut c = Record::empty(Kind::HolderChanges);
                    c.set("change_id", format!("GH{}{:02}-{id}", period.year(), period.month()))
                        .set("account_id", id.as_str())
                        .set("change_type", kind)
                        .set("change_date", on.to_string());
                    sink(c)?;
                    summary.holder_changes += 1;
                    risk = normal(&mut supply) + class_effect;
                    distressed = false;
                    cuts = Cuts::default();
                }
            }
            distress_months = if distressed { distress_months + 1 } else { 0 };
            // An account cut off and never cleared is billed no more.
            if first_of_month(opened) > period || issued > config.as_of || cuts.off {
                continue;
            }
            let month = period.month();
            let season = match (class, month) {
                (Class::LargeIndustrial, 2) => 0.75,
                (Class::LargeIndustrial, _) => 1.0,
                (_, 7 | 8) => 1.3,
                (_, 6 | 9) => 1.12,
                (_, 1) => 1.12,
                _ => 1.0,
            };
            let kwh = (kwh_base * season * uniform(&mut rng, 0.92, 1.08)).round();
            let amount = (kwh * price * 100.0).round() as i64;
            let due = issued + Days::new(due_days);
            let bill_id = format!("B{}{:02}-{id}", period.year(), month);
            let disputed = chance(&mut rng, 0.0025);
            let mut bill = Record::empty(Kind::Bills);
            bill.set("bill_id", bill_id.as_str())
                .set("account_id", id.as_str())
                .set("period", format!("{}{:02}", period.year(), month))
                .set("issue_date", issued.to_string())
                .set("due_date", due.to_string())
                .set("consumption_kwh", kwh)
                .set("amount", amount)
                .set("currency", "CNY");
            if disputed {
                bill.set("disputed", 1_i64);
            }
            sink(bill)?;
            summary.bills += 1;

            // Payments of this bill: (date, minor units, names the bill).
            let mut pays: Vec<(NaiveDate, i64, bool)> = Vec::new();
            match settlement {
                "prepaid" => {
                    // Top-ups on the 1st of the month after the period, before the bill.
                    let due_top_up = (amount as f64 * uniform(&mut rng, 1.05, 1.4)) as i64 - top_up_left;
                    if due_top_up > 0 && (!distressed || chance(&mut rng, 0.5)) {
                        let paid = if distressed { due_top_up / 2 } else { due_top_up };
                        pays.push((period + Months::new(1), paid, false));
                        top_up_left += paid;
                    }
                    top_up_left = (top_up_left - amount).max(0);
                }
                _ if disputed => pays.push((due + Days::new(30), amount, true)),
                _ if distressed => {
                    if !chance(&mut rng, 0.45) {
                        let share = uniform(&mut rng, 0.2, 0.8);
                        let late = int_in(&mut rng, 20, 75) as u64;
                        pays.push((due + Days::new(late), (amount as f64 * share) as i64, true));
                    }
                }
                "split" => {
                    let half = amount / 2;
                    pays.push((issued - Days::new(18), half, false));
                    pays.push((due - Days::new(int_in(&mut rng, 0, 5) as u64), amount - half, true));
                }
                _ => {
                    let on_time = chance(&mut rng, logistic(1.8 + 0.9 * r));
                    let slip = chance(&mut rng, logistic(-4.6 - 0.8 * r));
                    let paid = if slip {
                        due + Days::new(int_in(&mut rng, 35, 70) as u64)
                    } else if on_time {
                        due - Days::new(int_in(&mut rng, 0, 12) as u64)
                    } else {
                        let mean = 6.0 + 6.0 * (-r).max(0.0);
                        due + Days::new((-mean * (1.0 - unit(&mut rng)).ln()).ceil() as u64)
                    };
                    pays.push((paid, amount, true));
                }
            }
            // Meter events: faults and estimated readings at random, tampering more
            // often in distress.
            for (kind, p) in [
                ("fault", 0.002),
                ("estimated_reading", 0.004),
                ("tamper", if distressed { 0.012 } else { 0.0008 }),
            ] {
                let found = period + Days::new(int_in(&mut supply, 0, 27) as u64);
                if chance(&mut supply, p) && found <= config.as_of {
                    let mut e = Record::empty(Kind::MeterEvents);
                    e.set("event_id", format!("ME{}{:02}-{id}-{kind}", period.year(), month))
                        .set("account_id", id.as_str())
                        .set("event_type", kind)
                        .set("event_date", found.to_string());
                    sink(e)?;
                    summary.meter_events += 1;
                }
            }
            if settlement != "prepaid" && !disputed {
                let paid: i64 = pays.iter().map(|p| p.1).sum();
                let clearing =
                    cuts.month(&mut supply, &id, class, due, amount - paid, config.as_of, &mut |r| {
                        summary.disconnections += 1;
                        sink(r)
                    })?;
                if let Some(on) = clearing {
                    pays.push((on, cuts.cleared_amount, false));
                }
            }
            for (k, (on, paid, named)) in pays.into_iter().enumerate() {
                if on > config.as_of || paid <= 0 {
                    continue;
                }
                let mut p = Record::empty(Kind::BillPayments);
                p.set("payment_id", format!("P{}{:02}-{id}-{k}", period.year(), month))
                    .set("account_id", id.as_str())
                    .set("paid_date", on.to_string())
                    .set("amount", paid)
                    .set("currency", "CNY")
                    .set("channel", ["app", "bank", "counter", "direct debit"][(i + k) % 4]);
                if named && on >= issued {
                    p.set("bill_id", bill_id.as_str());
                }
                sink(p)?;
                summary.payments += 1;
            }
        }
        summary.distressed_at_end += u64::from(distressed);
    }
    Ok(summary)
}

/// An account's arrears as the disconnection procedure sees them, and whether its supply
/// is cut.
#[derive(Default)]
struct Cuts {
    /// Minor units unpaid on earlier bills, and how many of them.
    arrears: i64,
    bills: u32,
    off: bool,
    /// What the last clearance paid.
    cleared_amount: i64,
    count: u32,
}

impl Cuts {
    /// After a bill due on `due` left `unpaid`: when two or more bills are unpaid, a
    /// written notice 40 days after the due date and the cut after the notice period (7
    /// days for households, 3 for others), never in July–August for households, in
    /// February (Spring Festival) or on 1–7 October. Three cuts in four are cleared by a
    /// payment of all the arrears 1–15 days later; supply comes back within 24 hours of it
    /// nineteen times in twenty. Returns the clearance day, when there is one.
    #[allow(clippy::too_many_arguments)]
    fn month<E>(
        &mut self,
        rng: &mut crate::rng::DemoRng,
        id: &str,
        class: Class,
        due: NaiveDate,
        unpaid: i64,
        as_of: NaiveDate,
        sink: &mut impl FnMut(Record) -> Result<(), E>,
    ) -> Result<Option<NaiveDate>, E> {
        if unpaid > 0 {
            self.arrears += unpaid;
            self.bills += 1;
        }
        if self.off || self.bills < 2 || self.arrears < 10_000 || !chance(rng, 0.6) {
            return Ok(None);
        }
        let notice = due + Days::new(40);
        let household = class == Class::Residential;
        let cut = notice + Days::new(if household { 7 } else { 3 });
        let barred = cut.month() == 2
            || (cut.month() == 10 && cut.day() <= 7)
            || (household && matches!(cut.month(), 7 | 8));
        if barred || cut > as_of {
            return Ok(None);
        }
        self.count += 1;
        let at = |day: NaiveDate, minutes: i64| {
            (day.and_hms_opt(0, 0, 0).expect("midnight") + chrono::Duration::minutes(minutes))
                .format("%Y-%m-%d %H:%M")
                .to_string()
        };
        let cut_minutes = int_in(rng, 9 * 60, 11 * 60);
        let mut r = Record::empty(Kind::Disconnections);
        r.set("disconnection_id", format!("TD{}-{id}-{}", cut.format("%Y%m%d"), self.count))
            .set("account_id", id)
            .set("reason", "arrears")
            .set("notice_date", notice.to_string())
            .set("disconnected_at", at(cut, cut_minutes));
        let cleared_day = cut + Days::new(int_in(rng, 1, 15) as u64);
        let clears = chance(rng, 0.75) && cleared_day <= as_of;
        let mut clearing = None;
        if clears {
            let cleared_minutes = int_in(rng, 8 * 60, 20 * 60);
            let hours = if chance(rng, 0.95) { uniform(rng, 1.0, 22.0) } else { uniform(rng, 25.0, 72.0) };
            let back = cleared_minutes + (hours * 60.0) as i64;
            r.set("cleared_at", at(cleared_day, cleared_minutes));
            if cleared_day + Days::new((back / 1440) as u64) <= as_of {
                r.set("reconnected_at", at(cleared_day, back));
            } else {
                self.off = true;
            }
            self.cleared_amount = self.arrears;
            self.arrears = 0;
            self.bills = 0;
            clearing = Some(cleared_day);
        } else {
            self.off = true;
        }
        sink(r)?;
        Ok(clearing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(accounts: usize, seed: u64) -> (Vec<Record>, UtilitySummary) {
        let config = UtilityConfig { accounts, seed, as_of: NaiveDate::from_ymd_opt(2026, 9, 30).unwrap() };
        let mut records = Vec::new();
        let summary = generate_utility(&config, &mut |r| {
            records.push(r);
            Ok::<(), ()>(())
        })
        .unwrap();
        (records, summary)
    }

    #[test]
    fn the_same_seed_gives_the_same_records_and_accounts_do_not_depend_on_their_number() {
        let (a, sa) = build(300, 5);
        let (b, _) = build(300, 5);
        let (small, _) = build(40, 5);
        let key = |r: &Record| format!("{:?}", r.values);
        assert_eq!(a.iter().map(key).collect::<Vec<_>>(), b.iter().map(key).collect::<Vec<_>>());
        let first40: Vec<String> =
            a.iter().filter(|r| r.text("account_id").is_some_and(|id| id <= "3500000040")).map(key).collect();
        assert_eq!(first40, small.iter().map(key).collect::<Vec<_>>());
        assert_eq!(sa.accounts, 300);
        assert_eq!(sa.residential + sa.non_residential + sa.large_industrial, 300);
        let (c, _) = build(300, 6);
        assert_ne!(a.iter().map(key).collect::<Vec<_>>(), c.iter().map(key).collect::<Vec<_>>());
    }

    #[test]
    fn nothing_is_dated_after_the_as_of_date_but_due_dates() {
        let (records, summary) = build(500, 1);
        let as_of = "2026-09-30";
        for r in &records {
            for column in [
                "issue_date",
                "paid_date",
                "opened_date",
                "event_date",
                "notice_date",
                "disconnected_at",
                "reconnected_at",
            ] {
                if r.kind.schema().index(column).is_some()
                    && let Some(d) = r.text(column)
                {
                    assert!(d.get(..10).unwrap_or(d) <= as_of, "{column} {d}");
                }
            }
        }
        let bills = records.iter().filter(|r| r.kind == Kind::Bills).count() as u64;
        assert_eq!(bills, summary.bills);
        // About 24 bills per account, fewer for accounts opened in the window.
        assert!(bills > 500 * 20 && bills <= 500 * 24, "{bills}");
        assert!(summary.large_industrial > 0 && summary.non_residential > 40, "{summary:?}");
    }
}
