//! The reconnection commitment (SCN-1): once an account disconnected for arrears has paid
//! (its `cleared_at`), supply is restored within the billing policy's `reconnect_hours`.
//! For a period, every disconnection cleared in it is measured: reconnected in time, late,
//! or not yet reconnected (late once the commitment has run out at the time of asking).
//! Times are local to the minute, as the disconnection records hold them.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use credence_control::BillingPolicy;
use credence_store::Store;

use crate::EngineError;

fn time(t: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M").ok()
}

/// One cleared disconnection.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Reconnection {
    pub account_id: String,
    pub supply_unit: String,
    pub disconnection_id: String,
    pub disconnected_at: String,
    pub cleared_at: String,
    pub reconnected_at: Option<String>,
    /// Hours from clearance to reconnection (or to the time of asking while still off).
    pub hours: f64,
    /// `in_time`, `late`, `open_late` or `open`.
    pub status: String,
}

/// A supply unit's figures.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct ReconnectionCounts {
    pub cleared: u64,
    pub in_time: u64,
    pub late: u64,
    /// Not reconnected, and the commitment has run out.
    pub open_late: u64,
    /// Not reconnected, still within the commitment.
    pub open: u64,
}

impl ReconnectionCounts {
    /// Reconnected in time over those whose outcome is known (reconnected, or off past the
    /// commitment); none when there is none.
    pub fn share_in_time(&self) -> Option<f64> {
        let known = self.in_time + self.late + self.open_late;
        (known > 0).then(|| self.in_time as f64 / known as f64)
    }
}

/// The reconnection commitment over a period.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ReconnectionSla {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub commitment_hours: u32,
    pub total: ReconnectionCounts,
    pub share_in_time: Option<f64>,
    pub by_unit: BTreeMap<String, ReconnectionCounts>,
    /// The late and open-late ones, longest first.
    pub breaches: Vec<Reconnection>,
}

/// Measures the disconnections cleared from `from` to `to` (inclusive) against the
/// policy's reconnection commitment, as seen at `now`.
pub fn reconnection_sla(
    store: &mut Store,
    policy: &BillingPolicy,
    from: NaiveDate,
    to: NaiveDate,
    now: NaiveDateTime,
) -> Result<ReconnectionSla, EngineError> {
    let commitment = i64::from(policy.disconnection.reconnect_hours);
    let mut out = ReconnectionSla {
        from,
        to,
        commitment_hours: policy.disconnection.reconnect_hours,
        total: ReconnectionCounts::default(),
        share_in_time: None,
        by_unit: BTreeMap::new(),
        breaches: Vec::new(),
    };
    for (account_id, supply_unit, cut) in store.cleared_disconnections(&from.to_string(), &to.to_string())? {
        let Some(cleared) = cut.cleared_at.as_deref().and_then(time) else { continue };
        let back = cut.reconnected_at.as_deref().and_then(time);
        let until = back.unwrap_or(now);
        let minutes = (until - cleared).num_minutes().max(0);
        let late = minutes > commitment * 60;
        let status = match (back.is_some(), late) {
            (true, false) => "in_time",
            (true, true) => "late",
            (false, true) => "open_late",
            (false, false) => "open",
        };
        for counts in [&mut out.total, out.by_unit.entry(supply_unit.clone()).or_default()] {
            counts.cleared += 1;
            match status {
                "in_time" => counts.in_time += 1,
                "late" => counts.late += 1,
                "open_late" => counts.open_late += 1,
                _ => counts.open += 1,
            }
        }
        if late {
            out.breaches.push(Reconnection {
                account_id,
                supply_unit,
                disconnection_id: cut.disconnection_id,
                disconnected_at: cut.disconnected_at,
                cleared_at: cut.cleared_at.unwrap_or_default(),
                reconnected_at: cut.reconnected_at,
                hours: minutes as f64 / 60.0,
                status: status.to_owned(),
            });
        }
    }
    out.share_in_time = out.total.share_in_time();
    out.breaches.sort_by(|a, b| b.hours.total_cmp(&a.hours).then_with(|| a.account_id.cmp(&b.account_id)));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use credence_records::{Kind, Record};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// Five arrears disconnections of two supply units, against the shipped 24 hours, at
    /// 2026-09-20 12:00 (by hand):
    ///
    /// | cut | unit | cleared | reconnected | hours | status |
    /// | --- | --- | --- | --- | --- | --- |
    /// | D1 | U1 | 09-01 10:00 | 09-02 09:00 | 23 | in time |
    /// | D2 | U1 | 09-05 08:00 | 09-06 09:30 | 25.5 | late |
    /// | D3 | U2 | 09-19 18:00 | — | 18 so far | open |
    /// | D4 | U2 | 09-10 12:00 | — | 240 so far | open, late |
    /// | D5 | U2 | 08-30 09:00 | 08-30 12:00 | — | cleared before the period |
    ///
    /// A safety cut (D6) is no arrears disconnection. In time 1 of 3 known: 33.3 %.
    #[test]
    fn the_commitment_counted_by_hand() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path().join("r.db").to_str().unwrap()).unwrap();
        let mut s = store
            .begin_import(credence_store::NewImportRun {
                kind: "load".into(),
                source: "t".into(),
                source_hash: String::new(),
                mode: "upsert".into(),
                as_of: "2026-09-30".into(),
                started_at: "2026-09-30T00:00:00Z".into(),
            })
            .unwrap();
        for (id, unit) in [("A1", "U1"), ("A2", "U2")] {
            let mut a = Record::empty(Kind::Accounts);
            a.set("account_id", id)
                .set("account_class", "non_residential")
                .set("supply_unit", unit)
                .set("settlement", "postpaid")
                .set("opened_date", "2020-01-01");
            s.stage(&a).unwrap();
        }
        let cuts = [
            ("D1", "A1", "arrears", "2026-08-30 09:00", Some("2026-09-01 10:00"), Some("2026-09-02 09:00")),
            ("D2", "A1", "arrears", "2026-09-03 09:00", Some("2026-09-05 08:00"), Some("2026-09-06 09:30")),
            ("D3", "A2", "arrears", "2026-09-18 09:00", Some("2026-09-19 18:00"), None),
            ("D4", "A2", "arrears", "2026-09-08 09:00", Some("2026-09-10 12:00"), None),
            ("D5", "A2", "arrears", "2026-08-29 09:00", Some("2026-08-30 09:00"), Some("2026-08-30 12:00")),
            ("D6", "A2", "safety", "2026-09-02 09:00", Some("2026-09-02 10:00"), Some("2026-09-09 10:00")),
        ];
        for (id, account, reason, cut, cleared, back) in cuts {
            let mut r = Record::empty(Kind::Disconnections);
            r.set("disconnection_id", id)
                .set("account_id", account)
                .set("reason", reason)
                .set("disconnected_at", cut);
            if let Some(c) = cleared {
                r.set("cleared_at", c);
            }
            if let Some(b) = back {
                r.set("reconnected_at", b);
            }
            s.stage(&r).unwrap();
        }
        s.commit(0, 0, &"2026-09-30T00:00:00Z".into()).unwrap();
        let policy = BillingPolicy::builtin();
        let at = d("2026-09-20").and_hms_opt(12, 0, 0).unwrap();
        let sla = reconnection_sla(&mut store, &policy, d("2026-09-01"), d("2026-09-30"), at).unwrap();
        assert_eq!(sla.commitment_hours, 24);
        let t = &sla.total;
        assert_eq!((t.cleared, t.in_time, t.late, t.open_late, t.open), (4, 1, 1, 1, 1));
        assert!((sla.share_in_time.unwrap() - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(sla.by_unit["U1"].cleared, 2);
        assert_eq!(sla.by_unit["U2"].open_late, 1);
        let breaches: Vec<(&str, &str, f64)> =
            sla.breaches.iter().map(|b| (b.disconnection_id.as_str(), b.status.as_str(), b.hours)).collect();
        assert_eq!(breaches, [("D4", "open_late", 240.0), ("D2", "late", 25.5)]);
    }
}
