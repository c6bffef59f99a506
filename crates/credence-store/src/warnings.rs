//! Early-warning state: runs, alerts with evidence, customer levels with their changes,
//! and the disposal cases a run opens and joins (cases read and changed outside a run:
//! `cases.rs`; credit repair: `repair.rs`; the outbox: `notifications.rs`). A run's
//! changes are one transaction.

use crate::batch::{Ids, Rows, SameUpdate};
use crate::cells::{opt_stamp, stamp};
use crate::cells::{opt_text, returning_id, text};
use crate::db::{Cell, Db};
use crate::notifications::{NOTIFICATION_INSERT, NewNotification, notification_row};
use crate::packed::{Packer, Text, TextKind, Unpacker};
use crate::{Store, StoreError};
use credence_domain::CustomerId;
use credence_domain::Date as NaiveDate;
use credence_domain::Timestamp;
use credence_records::Value;
use std::collections::HashMap;

/// An alert as stored.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StoredAlert {
    pub id: i64,
    /// `customer`, `industry`, `sub_industry` or `region`.
    pub subject_kind: String,
    /// The customer id, industry section, sub-industry or region.
    pub subject: String,
    pub rule_code: String,
    pub name_en: String,
    pub name_zh: String,
    /// `red`, `yellow` or `green_watch`.
    pub level: String,
    /// `open` or `closed`.
    pub status: String,
    pub raised_as_of: String,
    pub raised_at: Timestamp,
    pub last_as_of: String,
    /// The firing with its evidence (JSON).
    pub evidence: String,
    pub closed_as_of: Option<String>,
    pub closed_at: Option<Timestamp>,
    pub close_note: Option<String>,
}

/// A new alert to raise.
#[derive(Debug, Clone)]
pub struct NewAlert<'a> {
    pub subject_kind: &'a str,
    pub subject: &'a str,
    pub rule_code: &'a str,
    pub name_en: &'a str,
    pub name_zh: &'a str,
    pub level: &'a str,
    /// The firing with its evidence (JSON), packed where the run's worker packed it.
    pub evidence: Text<'a>,
    /// What tells a later run whether the evidence changed (see [`WarningSession::refresh`]).
    pub fingerprint: u64,
}

/// A customer's current level as a run compares it: the causes by their hash, so that a
/// million customers' causes are not held in memory to find the few that changed.
#[derive(Debug, Clone, PartialEq)]
pub struct LevelState {
    pub level: String,
    pub watch: bool,
    /// Dates as stored (`None`: one that cannot be read), held as dates: a run holds a
    /// million of these.
    pub since_as_of: Option<NaiveDate>,
    pub checked_as_of: Option<NaiveDate>,
    causes_hash: u64,
}

impl LevelState {
    /// Whether a run's decision (its causes as JSON) is what is stored: then nothing of
    /// it is written.
    pub fn holds(&self, level: &str, watch: bool, causes: &str) -> bool {
        self.level == level && self.watch == watch && self.causes_hash == causes_hash(causes)
    }
}

fn causes_hash(causes: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(causes.as_bytes())
}

/// A change of a customer's level.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LevelChange {
    pub customer_id: CustomerId,
    pub from_level: Option<String>,
    pub to_level: String,
    pub as_of: String,
    pub changed_at: Timestamp,
    pub causes: String,
}

/// Open work: alerts by level, open cases, and those past their deadline.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkCounts {
    pub open_alerts: Vec<(String, u64)>,
    pub open_cases: u64,
    pub overdue_cases: u64,
}

/// Which alerts to list.
#[derive(Debug, Clone, Default)]
pub struct AlertFilter {
    pub status: Option<String>,
    pub level: Option<String>,
    pub subject: Option<String>,
    pub limit: Option<u32>,
}

/// What a warning run changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct WarningCounts {
    pub evaluated: u64,
    pub raised: u64,
    /// Open alerts whose condition still holds.
    pub still_open: u64,
    /// Of those, alerts whose evidence changed.
    pub updated: u64,
    pub closed: u64,
    pub level_changes: u64,
}

const ALERT_COLUMNS: &str = "id, subject_kind, subject, rule_code, name_en, name_zh, level, status, raised_as_of, raised_at, last_as_of, evidence, closed_as_of, closed_at, close_note";

fn alert(r: &[Cell<'_>]) -> StoredAlert {
    StoredAlert {
        id: r[0].int().unwrap_or(0),
        subject_kind: text(r[1]),
        subject: text(r[2]),
        rule_code: text(r[3]),
        name_en: text(r[4]),
        name_zh: text(r[5]),
        level: text(r[6]),
        status: text(r[7]),
        raised_as_of: text(r[8]),
        raised_at: stamp(r[9]),
        last_as_of: text(r[10]),
        evidence: text(r[11]),
        closed_as_of: opt_text(r[12]),
        closed_at: opt_stamp(r[13]),
        close_note: opt_text(r[14]),
    }
}

/// The scope of a warning run that evaluates every customer.
pub const WHOLE_PORTFOLIO: &str = "all";

/// The hash of an alert's evidence text: what told whether it changed before runs
/// stored the firing's fingerprint instead.
pub fn evidence_text_hash(evidence: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(evidence.as_bytes())
}

/// How a fingerprint is stored: 16 hex digits.
fn hash_text(hash: u64) -> String {
    format!("{hash:016x}")
}

/// An open alert as a run needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenAlert {
    pub id: i64,
    pub rule_code: String,
    /// The fingerprint of its evidence (or, for alerts raised before fingerprints, the
    /// hash of its evidence text).
    pub evidence_hash: u64,
}

/// The open alerts by subject, as a run compares its firings with them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OpenAlerts(HashMap<String, Vec<OpenAlert>>);

impl OpenAlerts {
    /// The open alerts of a subject.
    pub fn of(&self, subject: &str) -> &[OpenAlert] {
        self.0.get(subject).map_or(&[], Vec::as_slice)
    }

    /// The open alert of a rule for a subject.
    pub fn get(&self, subject: &str, rule_code: &str) -> Option<&OpenAlert> {
        self.of(subject).iter().find(|a| a.rule_code == rule_code)
    }

    /// Every open alert with its subject.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &OpenAlert)> {
        self.0.iter().flat_map(|(s, alerts)| alerts.iter().map(move |a| (s.as_str(), a)))
    }

    pub fn len(&self) -> usize {
        self.0.values().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A warning run in progress: everything it changes is one transaction, committed by
/// [`WarningSession::commit`] or rolled back when dropped. Rows are written many to a
/// statement ([`crate::batch`]): what a method records reaches the database by the next
/// statement that depends on it, and all of it before commit.
pub struct WarningSession<'a> {
    db: &'a mut Db,
    run_id: i64,
    as_of: String,
    /// `as_of` read as a date, to compare with the levels' check dates.
    as_of_date: Option<NaiveDate>,
    at: Timestamp,
    counts: WarningCounts,
    open: bool,
    /// A run of the whole portfolio: it checks every customer, which the run itself
    /// records (see [`Store::level_states`]), so unchanged levels are not rewritten.
    whole: bool,
    /// Evidence and causes are stored packed (see `packed.rs`).
    packer: Packer,
    w: Writes,
}

/// The rows a warning run has recorded and not written yet.
struct Writes {
    alert_ids: Ids,
    case_ids: Ids,
    alerts: Rows,
    cases: Rows,
    case_alerts: Rows,
    case_events: Rows,
    notifications: Rows,
    levels: Rows,
    level_changes: Rows,
    /// Open alerts with new evidence.
    evidence: Rows,
    /// Open alerts raised before fingerprints whose evidence is unchanged: the
    /// fingerprint replaces the text's hash.
    rehashed: Rows,
    /// Cases whose level a new alert raised: (case id, level, due at), written at commit
    /// (after every case of the run), so that raising one does not flush the buffers.
    raised_cases: Vec<(i64, String, String)>,
    checked: SameUpdate,
    closed: SameUpdate,
}

impl Writes {
    fn new() -> Writes {
        Writes {
            alert_ids: Ids::new("alerts"),
            case_ids: Ids::new("cases"),
            alerts: Rows::new(
                "INSERT INTO alerts (id, subject_kind, subject, rule_code, name_en, name_zh, level, status, raised_run, raised_as_of, raised_at, last_run, last_as_of, evidence, evidence_hash)",
                "",
            ),
            cases: Rows::new(
                "INSERT INTO cases (id, customer_id, level, status, stage, owner, opened_at, due_at)",
                "",
            ),
            case_alerts: Rows::new("INSERT INTO case_alerts (case_id, alert_id)", ""),
            case_events: Rows::new("INSERT INTO case_events (case_id, at, actor, kind, note)", ""),
            notifications: Rows::new(NOTIFICATION_INSERT, ""),
            levels: Rows::new(
                "INSERT INTO customer_levels (customer_id, level, watch, since_as_of, checked_as_of, causes)",
                " ON CONFLICT (customer_id) DO UPDATE SET level = excluded.level, watch = excluded.watch, since_as_of = excluded.since_as_of, checked_as_of = excluded.checked_as_of, causes = excluded.causes",
            ),
            level_changes: Rows::new(
                "INSERT INTO level_changes (customer_id, from_level, to_level, as_of, changed_at, run_id, causes)",
                "",
            ),
            evidence: Rows::with_row(
                "UPDATE alerts SET last_run = v.column2, last_as_of = v.column3, evidence = v.column4, evidence_hash = v.column5 FROM (",
                "(CAST(? AS BIGINT), CAST(? AS BIGINT), ?, ?, ?)",
                ") AS v WHERE alerts.id = v.column1",
            ),
            rehashed: Rows::with_row(
                "UPDATE alerts SET evidence_hash = v.column2 FROM (",
                "(CAST(? AS BIGINT), ?)",
                ") AS v WHERE alerts.id = v.column1",
            ),
            raised_cases: Vec::new(),
            checked: SameUpdate::new("UPDATE customer_levels SET checked_as_of = ? WHERE customer_id IN"),
            closed: SameUpdate::new(
                "UPDATE alerts SET status = 'closed', closed_as_of = ?, closed_at = ?, close_note = ?, last_run = ? WHERE id IN",
            ),
        }
    }

    /// Writes everything recorded, parents before the rows that refer to them.
    fn flush(&mut self, db: &mut Db) -> Result<(), StoreError> {
        self.alerts.flush(db)?;
        self.cases.flush(db)?;
        self.case_alerts.flush(db)?;
        self.case_events.flush(db)?;
        self.notifications.flush(db)?;
        self.levels.flush(db)?;
        self.level_changes.flush(db)?;
        self.evidence.flush(db)?;
        self.rehashed.flush(db)?;
        self.checked.flush(db)?;
        self.closed.flush(db)?;
        Ok(())
    }
}

impl WarningSession<'_> {
    pub fn run_id(&self) -> i64 {
        self.run_id
    }

    pub fn counts(&self) -> WarningCounts {
        self.counts
    }

    /// What packs evidence and causes as this run stores them, for the threads that
    /// build them.
    pub fn packer(&self) -> Packer {
        self.packer.clone()
    }

    /// Raises a new open alert; returns its id.
    pub fn raise(&mut self, a: &NewAlert<'_>) -> Result<i64, StoreError> {
        let id = self.w.alert_ids.next(self.db)?;
        let evidence = self.packer.stored(self.db, TextKind::AlertEvidence, a.rule_code, a.evidence)?;
        self.w.alerts.push(
            self.db,
            [
                Value::Int(id),
                a.subject_kind.into(),
                a.subject.into(),
                a.rule_code.into(),
                a.name_en.into(),
                a.name_zh.into(),
                a.level.into(),
                "open".into(),
                Value::Int(self.run_id),
                self.as_of.as_str().into(),
                self.at.as_str().into(),
                Value::Int(self.run_id),
                self.as_of.as_str().into(),
                evidence.into(),
                hash_text(a.fingerprint).into(),
            ],
        )?;
        self.counts.raised += 1;
        Ok(id)
    }

    /// An open alert still holds, with evidence of `fingerprint`. When its evidence
    /// changed (other values or periods), `evidence` and its date are brought up to date;
    /// unchanged evidence is not rewritten (the customer's level records when it was last
    /// checked). `evidence` is needed only when the fingerprint is not the stored one:
    /// a run builds the text of changed evidence only.
    pub fn refresh(
        &mut self,
        alert: &OpenAlert,
        fingerprint: u64,
        evidence: Option<Text<'_>>,
    ) -> Result<(), StoreError> {
        self.counts.still_open += 1;
        let Some(evidence) = evidence.filter(|_| alert.evidence_hash != fingerprint) else {
            return Ok(());
        };
        if evidence_text_hash(evidence.plain) == alert.evidence_hash {
            // Raised before fingerprints, and unchanged.
            self.w.rehashed.push(self.db, [Value::Int(alert.id), hash_text(fingerprint).into()])?;
            return Ok(());
        }
        let evidence = self.packer.stored(self.db, TextKind::AlertEvidence, &alert.rule_code, evidence)?;
        self.w.evidence.push(
            self.db,
            [
                Value::Int(alert.id),
                Value::Int(self.run_id),
                self.as_of.as_str().into(),
                evidence.into(),
                hash_text(fingerprint).into(),
            ],
        )?;
        self.counts.updated += 1;
        Ok(())
    }

    /// An open alert whose condition no longer holds is closed with a note.
    pub fn close(&mut self, id: i64, note: &str) -> Result<(), StoreError> {
        let set = [self.as_of.as_str().into(), self.at.as_str().into(), note.into(), Value::Int(self.run_id)];
        self.w.closed.push(self.db, &set, Value::Int(id))?;
        self.counts.closed += 1;
        Ok(())
    }

    /// Records a customer's level for this run; a level different from `previous` is
    /// logged as a change with its causes.
    pub fn set_level(
        &mut self,
        customer_id: &str,
        previous: Option<&LevelState>,
        level: &str,
        watch: bool,
        causes: Text<'_>,
    ) -> Result<(), StoreError> {
        self.counts.evaluated += 1;
        let changed = previous.is_none_or(|p| p.level != level);
        if let Some(p) = previous.filter(|p| p.holds(level, watch, causes.plain)) {
            if !self.whole && p.checked_as_of != self.as_of_date {
                self.w.checked.push(self.db, &[self.as_of.as_str().into()], customer_id.into())?;
            }
            return Ok(());
        }
        let causes = self.packer.stored(self.db, TextKind::LevelCauses, level, causes)?;
        let since = match previous {
            Some(p) if !changed => p.since_as_of.map_or_else(|| self.as_of.clone(), |d| d.to_string()),
            _ => self.as_of.clone(),
        };
        self.w.levels.push(
            self.db,
            [
                customer_id.into(),
                level.into(),
                Value::Int(watch.into()),
                since.into(),
                self.as_of.as_str().into(),
                causes.as_str().into(),
            ],
        )?;
        if changed {
            self.w.level_changes.push(
                self.db,
                [
                    customer_id.into(),
                    previous.map_or(Value::Null, |p| p.level.as_str().into()),
                    level.into(),
                    self.as_of.as_str().into(),
                    self.at.as_str().into(),
                    Value::Int(self.run_id),
                    causes.into(),
                ],
            )?;
            self.counts.level_changes += 1;
        }
        Ok(())
    }

    /// Opens a case for a customer; returns its id.
    pub fn open_case(
        &mut self,
        customer_id: &str,
        level: &str,
        owner: &str,
        due_at: &Timestamp,
    ) -> Result<i64, StoreError> {
        let id = self.w.case_ids.next(self.db)?;
        self.w.cases.push(
            self.db,
            [
                Value::Int(id),
                customer_id.into(),
                level.into(),
                "open".into(),
                "watch".into(),
                owner.into(),
                self.at.as_str().into(),
                due_at.into(),
            ],
        )?;
        self.log_case(id, "opened", &format!("{level} alert; owner {owner}"))?;
        Ok(id)
    }

    /// Attaches an alert to a case, raising the case's level (and bringing its due time
    /// forward) when the alert is more severe.
    pub fn join_case(
        &mut self,
        case_id: i64,
        alert_id: i64,
        note: &str,
        raise_to: Option<(&str, &str)>,
    ) -> Result<(), StoreError> {
        self.w.case_alerts.push(self.db, [Value::Int(case_id), Value::Int(alert_id)])?;
        if let Some((level, due_at)) = raise_to {
            self.w.raised_cases.push((case_id, level.to_owned(), due_at.to_owned()));
        }
        self.log_case(case_id, "joined", note)
    }

    fn log_case(&mut self, case_id: i64, kind: &str, note: &str) -> Result<(), StoreError> {
        self.w.case_events.push(
            self.db,
            [Value::Int(case_id), self.at.as_str().into(), "system".into(), kind.into(), note.into()],
        )?;
        Ok(())
    }

    /// Queues a notification with the run's changes.
    pub fn notify(&mut self, n: &NewNotification<'_>) -> Result<(), StoreError> {
        self.w.notifications.push(self.db, notification_row(n, &self.at))?;
        Ok(())
    }

    pub fn commit(mut self, finished_at: &Timestamp) -> Result<WarningCounts, StoreError> {
        self.w.flush(self.db)?;
        // The cases raised may have been opened by this run: every case is written now.
        let mut raised = Rows::with_row(
            "UPDATE cases SET level = v.column2, due_at = v.column3 FROM (",
            "(CAST(? AS BIGINT), ?, ?)",
            ") AS v WHERE cases.id = v.column1",
        );
        for (id, level, due_at) in std::mem::take(&mut self.w.raised_cases) {
            raised.push(self.db, [Value::Int(id), level.into(), due_at.into()])?;
        }
        raised.flush(self.db)?;
        let c = self.counts;
        self.db.execute(
            "UPDATE warning_runs SET finished_at = ?, evaluated = ?, raised = ?, updated = ?, closed = ?, level_changes = ? WHERE id = ?",
            &[
                finished_at.into(),
                Value::Int(c.evaluated as i64),
                Value::Int(c.raised as i64),
                Value::Int(c.updated as i64),
                Value::Int(c.closed as i64),
                Value::Int(c.level_changes as i64),
                Value::Int(self.run_id),
            ],
        )?;
        self.open = false;
        self.db.commit()?;
        Ok(c)
    }
}

impl Drop for WarningSession<'_> {
    fn drop(&mut self) {
        if self.open {
            let _ = self.db.rollback();
        }
    }
}

impl Store {
    /// Starts a warning run in one transaction.
    pub fn begin_warning_run(
        &mut self,
        as_of: &str,
        pack_version: &str,
        catalogue_version: &str,
        scope: &str,
        started_at: &Timestamp,
    ) -> Result<WarningSession<'_>, StoreError> {
        let db = &mut self.db;
        let packer = Packer::load(db, pack_version)?;
        db.begin_write()?;
        let mut session = WarningSession {
            db,
            run_id: 0,
            as_of: as_of.to_owned(),
            as_of_date: as_of.parse().ok(),
            at: started_at.clone(),
            counts: WarningCounts::default(),
            open: true,
            whole: scope == WHOLE_PORTFOLIO,
            packer,
            w: Writes::new(),
        };
        session.run_id = returning_id(
            session.db,
            "INSERT INTO warning_runs (as_of, pack_version, catalogue_version, scope, started_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
            &[as_of.into(), pack_version.into(), catalogue_version.into(), scope.into(), started_at.into()],
        )?;
        Ok(session)
    }

    /// Alerts by filter, newest first.
    /// Open alerts by level, and open cases with those past their deadline at `now`: the
    /// gauges of the server's metrics.
    pub fn work_counts(&mut self, now: &str) -> Result<WorkCounts, StoreError> {
        let mut levels = Vec::new();
        self.db.query_cells(
            "SELECT level, COUNT(*) FROM alerts WHERE status = 'open' GROUP BY level ORDER BY level",
            &[],
            |r| levels.push((text(r[0]), r[1].int().unwrap_or(0) as u64)),
        )?;
        let count = |db: &mut Db, sql: &str, params: &[Value]| -> Result<u64, StoreError> {
            Ok(db.query_one(sql, params)?.and_then(|v| v.as_int()).unwrap_or(0) as u64)
        };
        let open = count(&mut self.db, "SELECT COUNT(*) FROM cases WHERE status = 'open'", &[])?;
        let late = count(
            &mut self.db,
            "SELECT COUNT(*) FROM cases WHERE status = 'open' AND due_at < ?",
            &[now.into()],
        )?;
        Ok(WorkCounts { open_alerts: levels, open_cases: open, overdue_cases: late })
    }

    pub fn alerts(&mut self, f: &AlertFilter) -> Result<Vec<StoredAlert>, StoreError> {
        let mut sql = format!("SELECT {ALERT_COLUMNS} FROM alerts WHERE 1 = 1");
        let mut params = Vec::new();
        for (column, value) in [("status", &f.status), ("level", &f.level), ("subject", &f.subject)] {
            if let Some(v) = value {
                sql.push_str(&format!(" AND {column} = ?"));
                params.push(Value::from(v.as_str()));
            }
        }
        // One subject's alerts are few: sorted here, so the planner looks them up by subject
        // rather than walking every open alert in id order.
        let one_subject = f.subject.is_some();
        if !one_subject {
            sql.push_str(" ORDER BY id DESC");
            if let Some(n) = f.limit {
                sql.push_str(&format!(" LIMIT {n}"));
            }
        }
        let mut out = Vec::new();
        self.db.query_cells(&sql, &params, |r| out.push(alert(r)))?;
        if one_subject {
            out.sort_by_key(|a| std::cmp::Reverse(a.id));
            out.truncate(f.limit.map_or(usize::MAX, |n| n as usize));
        }
        self.texts.unpack_all(&mut self.db, &mut out, |a| &mut a.evidence)?;
        Ok(out)
    }

    pub fn alert(&mut self, id: i64) -> Result<Option<StoredAlert>, StoreError> {
        let mut out = None;
        self.db.query_cells(
            &format!("SELECT {ALERT_COLUMNS} FROM alerts WHERE id = ?"),
            &[Value::Int(id)],
            |r| out = Some(alert(r)),
        )?;
        self.texts.unpack_all(&mut self.db, out.as_mut_slice(), |a| &mut a.evidence)?;
        Ok(out)
    }

    /// Every open alert: (subject, rule code) → the alert.
    pub fn open_alerts(&mut self) -> Result<OpenAlerts, StoreError> {
        let mut out: HashMap<String, Vec<OpenAlert>> = HashMap::new();
        self.db.query_cells(
            "SELECT subject, rule_code, id, evidence_hash FROM alerts WHERE status = 'open'",
            &[],
            |r| {
                let subject = r[0].text().unwrap_or_default();
                let alert = OpenAlert {
                    id: r[2].int().unwrap_or(0),
                    rule_code: text(r[1]),
                    // A hash that cannot be read is taken as changed evidence.
                    evidence_hash: r[3].text().and_then(|h| u64::from_str_radix(h, 16).ok()).unwrap_or(0),
                };
                match out.get_mut(subject) {
                    Some(alerts) => alerts.push(alert),
                    None => {
                        out.insert(subject.to_owned(), vec![alert]);
                    }
                }
            },
        )?;
        Ok(OpenAlerts(out))
    }

    /// Every customer's current level as a warning run compares it, by customer id. A
    /// customer was last checked by the later of the last run that wrote its level and
    /// the last finished run of the whole portfolio (a customer whose file could not be
    /// read in that run counts as checked too: it is reported as unreadable there).
    pub fn level_states(&mut self) -> Result<HashMap<String, LevelState>, StoreError> {
        let whole = self
            .db
            .query_one(
                "SELECT MAX(as_of) FROM warning_runs WHERE scope = ? AND finished_at IS NOT NULL",
                &[WHOLE_PORTFOLIO.into()],
            )?
            .and_then(|v| v.as_text().and_then(|t| t.parse::<NaiveDate>().ok()));
        let date = |c: Cell<'_>| c.text().and_then(|t| t.parse::<NaiveDate>().ok());
        let texts = Unpacker::of_kind(&mut self.db, TextKind::LevelCauses)?;
        let mut out = HashMap::new();
        self.db.query_cells(
            "SELECT customer_id, level, watch, since_as_of, checked_as_of, causes FROM customer_levels",
            &[],
            |r| {
                let l = LevelState {
                    level: text(r[1]),
                    watch: r[2].int() == Some(1),
                    since_as_of: date(r[3]),
                    checked_as_of: date(r[4]).max(whole),
                    // Causes that cannot be read are taken as changed: the run rewrites them.
                    causes_hash: texts.unpack(text(r[5])).map_or(0, |c| causes_hash(&c)),
                };
                out.insert(text(r[0]), l);
            },
        )?;
        Ok(out)
    }

    /// A customer's level changes, oldest first.
    pub fn level_changes(&mut self, customer_id: &str) -> Result<Vec<LevelChange>, StoreError> {
        let mut out = Vec::new();
        self.db.query_cells(
            "SELECT customer_id, from_level, to_level, as_of, changed_at, causes FROM level_changes WHERE customer_id = ? ORDER BY id",
            &[customer_id.into()],
            |r| {
                out.push(LevelChange {
                    customer_id: text(r[0]).into(),
                    from_level: opt_text(r[1]),
                    to_level: text(r[2]),
                    as_of: text(r[3]),
                    changed_at: stamp(r[4]),
                    causes: text(r[5]),
                })
            },
        )?;
        self.texts.unpack_all(&mut self.db, &mut out, |c| &mut c.causes)?;
        Ok(out)
    }
}
