-- Early warning (CTRL-5 … CTRL-8): evaluation runs, alerts with their evidence, each
-- customer's three-colour level and its changes, and disposal cases with their log.
-- Released: never edit; add a new migration.

CREATE TABLE warning_runs (
    id INTEGER PRIMARY KEY,
    as_of TEXT NOT NULL,
    pack_version TEXT NOT NULL,
    catalogue_version TEXT NOT NULL,
    scope TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    evaluated INTEGER NOT NULL DEFAULT 0,
    raised INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    closed INTEGER NOT NULL DEFAULT 0,
    level_changes INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE alerts (
    id INTEGER PRIMARY KEY,
    subject_kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    rule_code TEXT NOT NULL,
    name_en TEXT NOT NULL,
    name_zh TEXT NOT NULL,
    level TEXT NOT NULL,
    status TEXT NOT NULL,
    raised_run INTEGER NOT NULL,
    raised_as_of TEXT NOT NULL,
    raised_at TEXT NOT NULL,
    last_run INTEGER NOT NULL,
    last_as_of TEXT NOT NULL,
    evidence TEXT NOT NULL,
    evidence_hash TEXT NOT NULL,
    closed_as_of TEXT,
    closed_at TEXT,
    close_note TEXT
);
CREATE INDEX alerts_subject ON alerts (subject, status);
-- At most one open alert per subject and rule: a condition that still holds updates it.
CREATE UNIQUE INDEX alerts_one_open ON alerts (subject, rule_code) WHERE status = 'open';
CREATE INDEX alerts_status ON alerts (status, level);

CREATE TABLE customer_levels (
    customer_id TEXT PRIMARY KEY,
    level TEXT NOT NULL,
    watch INTEGER NOT NULL,
    since_as_of TEXT NOT NULL,
    checked_as_of TEXT NOT NULL,
    causes TEXT NOT NULL
);

CREATE TABLE level_changes (
    id INTEGER PRIMARY KEY,
    customer_id TEXT NOT NULL,
    from_level TEXT,
    to_level TEXT NOT NULL,
    as_of TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    run_id INTEGER NOT NULL,
    causes TEXT NOT NULL
);
CREATE INDEX level_changes_customer ON level_changes (customer_id, id);

CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    customer_id TEXT NOT NULL,
    level TEXT NOT NULL,
    status TEXT NOT NULL,
    stage TEXT NOT NULL,
    owner TEXT NOT NULL,
    escalated_to TEXT,
    opened_at TEXT NOT NULL,
    due_at TEXT NOT NULL,
    closed_at TEXT,
    outcome TEXT
);
CREATE INDEX cases_customer ON cases (customer_id, status);

CREATE TABLE case_alerts (
    case_id INTEGER NOT NULL,
    alert_id INTEGER NOT NULL
);
CREATE INDEX case_alerts_case ON case_alerts (case_id);

CREATE TABLE case_events (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    note TEXT NOT NULL
);
CREATE INDEX case_events_case ON case_events (case_id, id);

-- Credit repair (GOV-1): a plan per damaged customer, its items with evidence.
CREATE TABLE repair_plans (
    id INTEGER PRIMARY KEY,
    customer_id TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT NOT NULL,
    opened_at TEXT NOT NULL,
    opened_by TEXT NOT NULL,
    grade_before TEXT,
    completed_at TEXT,
    grade_after TEXT
);
CREATE INDEX repair_plans_customer ON repair_plans (customer_id, status);

CREATE TABLE repair_items (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    description TEXT NOT NULL,
    status TEXT NOT NULL,
    evidence TEXT,
    done_at TEXT,
    done_by TEXT
);
CREATE INDEX repair_items_plan ON repair_items (plan_id, id);

-- Notifications waiting to be delivered, delivered or given up: written in the same
-- transaction as what they announce, so none is lost if a receiver is down.
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    recipient TEXT NOT NULL,
    title_en TEXT NOT NULL,
    title_zh TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error TEXT,
    channels_done TEXT NOT NULL DEFAULT '',
    delivered_at TEXT
);
CREATE INDEX notifications_due ON notifications (status, next_attempt_at);
