-- Billing grades and the decisions they lead to (SCN-1). Released: never edit; add a
-- new migration.

-- One grading of the billing accounts at a month end: the policy and models it used and
-- what the run measured (JSON).
CREATE TABLE billing_runs (
    id INTEGER PRIMARY KEY,
    as_of TEXT NOT NULL,
    policy_version TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    summary TEXT NOT NULL
);
CREATE INDEX billing_runs_as_of ON billing_runs (as_of, id);

-- The models a run fitted (JSON: the scorecard and the forecast), for later runs that
-- grade with them instead of fitting again.
CREATE TABLE billing_models (
    run_id INTEGER PRIMARY KEY,
    models TEXT NOT NULL
);

-- Every open account's grade in a run, with the scorecard's points and PD, the
-- forecast's PD of arrears on next month's bill, and the reasons (JSON).
CREATE TABLE account_grades (
    run_id INTEGER NOT NULL,
    account_id TEXT NOT NULL,
    grade TEXT NOT NULL,
    points REAL NOT NULL,
    pd REAL NOT NULL,
    forecast_pd REAL NOT NULL,
    high_risk INTEGER NOT NULL,
    reasons TEXT NOT NULL,
    PRIMARY KEY (run_id, account_id)
);
CREATE INDEX account_grades_account ON account_grades (account_id, run_id);

-- Billing requests routed for approval: `terms` (a change of billing terms proposed
-- from a grade) or `waiver` (a late-payment penalty waived).
CREATE TABLE billing_requests (
    id INTEGER PRIMARY KEY,
    account_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    run_id INTEGER NOT NULL,
    policy_version TEXT NOT NULL,
    as_of TEXT NOT NULL,
    created_at TEXT NOT NULL,
    status TEXT NOT NULL,
    proposal TEXT NOT NULL,
    route TEXT NOT NULL
);
CREATE INDEX billing_requests_account ON billing_requests (account_id, status);
CREATE INDEX billing_requests_status ON billing_requests (status, id);

CREATE TABLE billing_decisions (
    id INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    role TEXT NOT NULL,
    comment TEXT NOT NULL,
    decided_at TEXT NOT NULL
);
CREATE INDEX billing_decisions_request ON billing_decisions (request_id, id);

-- The billing terms in force by an approved request (JSON), one row per account.
CREATE TABLE account_terms (
    account_id TEXT PRIMARY KEY,
    terms TEXT NOT NULL,
    request_id INTEGER NOT NULL,
    approved_at TEXT NOT NULL
);

-- Collection actions on billing accounts (reminders, notices, disconnection steps), as
-- the campaigns by supply unit and route record them.
CREATE TABLE billing_actions (
    id INTEGER PRIMARY KEY,
    account_id TEXT NOT NULL,
    action_date TEXT NOT NULL,
    action TEXT NOT NULL,
    note TEXT NOT NULL,
    actor TEXT NOT NULL,
    logged_at TEXT NOT NULL
);
CREATE INDEX billing_actions_account ON billing_actions (account_id, action_date);
