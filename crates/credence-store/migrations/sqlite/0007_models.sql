-- Statistical models (RATE-4, RATE-5, GOV-2): registered model artefacts, the runs that
-- scored the portfolio with one, and their scores, kept apart from the expert ratings so
-- a challenger never becomes the rating credit decisions read. Released: never edit; add
-- a new migration.

CREATE TABLE models (
    id INTEGER PRIMARY KEY,
    version TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    trained_at TEXT NOT NULL,
    artefact TEXT NOT NULL,
    artefact_hash TEXT NOT NULL,
    registered_at TEXT NOT NULL,
    registered_by TEXT NOT NULL
);

CREATE TABLE model_runs (
    id INTEGER PRIMARY KEY,
    model_version TEXT NOT NULL,
    as_of TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    scored INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE model_scores (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL,
    customer_id TEXT NOT NULL,
    pd REAL NOT NULL,
    score REAL NOT NULL,
    grade TEXT NOT NULL,
    reasons TEXT NOT NULL
);
CREATE INDEX model_scores_run ON model_scores (run_id, customer_id);
CREATE INDEX model_scores_customer ON model_scores (customer_id, run_id);
