-- Qualitative assessments (5C scores entered by analysts) and ratings: runs, one row per
-- customer and run with its full breakdown, manual overrides, failures and the industry
-- medians used as benchmarks. Released: never edit; add a new migration.

CREATE TABLE assessments (
    natural_key TEXT NOT NULL UNIQUE,
    row_hash TEXT NOT NULL,
    import_id INTEGER NOT NULL,
    customer_id TEXT NOT NULL,
    factor TEXT NOT NULL,
    score REAL NOT NULL,
    assessed_on TEXT NOT NULL,
    assessor TEXT NOT NULL,
    comment TEXT
);
CREATE INDEX assessments_customer_id ON assessments (customer_id);

CREATE TABLE rating_runs (
    id INTEGER PRIMARY KEY,
    as_of TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    model_version TEXT NOT NULL,
    catalogue_version TEXT NOT NULL,
    scope TEXT NOT NULL,
    rated INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE ratings (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL,
    customer_id TEXT NOT NULL,
    as_of TEXT NOT NULL,
    model_version TEXT NOT NULL,
    catalogue_version TEXT NOT NULL,
    inputs_hash TEXT NOT NULL,
    data_version INTEGER NOT NULL,
    score REAL NOT NULL,
    pd REAL NOT NULL,
    letter_grade TEXT NOT NULL,
    point_grade TEXT NOT NULL,
    model_letter_grade TEXT NOT NULL,
    model_point_grade TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX ratings_customer ON ratings (customer_id, id);
CREATE INDEX ratings_run ON ratings (run_id);

CREATE TABLE rating_failures (
    run_id INTEGER NOT NULL,
    customer_id TEXT NOT NULL,
    message TEXT NOT NULL
);

CREATE TABLE rating_overrides (
    id INTEGER PRIMARY KEY,
    rating_id INTEGER NOT NULL,
    customer_id TEXT NOT NULL,
    letter_grade TEXT NOT NULL,
    point_grade TEXT NOT NULL,
    reason TEXT NOT NULL,
    approver TEXT NOT NULL,
    entered_by TEXT NOT NULL,
    entered_at TEXT NOT NULL
);
CREATE INDEX rating_overrides_customer ON rating_overrides (customer_id, id);

CREATE TABLE indicator_benchmarks (
    run_id INTEGER NOT NULL,
    industry TEXT NOT NULL,
    indicator TEXT NOT NULL,
    median REAL NOT NULL,
    observations INTEGER NOT NULL
);
CREATE INDEX indicator_benchmarks_run ON indicator_benchmarks (run_id, industry);
