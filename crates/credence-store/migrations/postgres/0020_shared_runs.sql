-- Portfolio runs shared by several instances: a shared run is cut into ranges of customer
-- ids (parts) that instances claim one at a time for a lease. A part is written with the
-- mark that it is done in one transaction, so a part whose holder died leaves nothing and
-- is claimed again once its lease ran out; the instance that completes the last part
-- finishes the run. At most one shared run of a kind is open per as-of date, versions and
-- scope, so instances that start the same run together join one run.
-- Released: never edit; add a new migration.

ALTER TABLE rating_runs ADD COLUMN parts BIGINT NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX rating_runs_open_shared
    ON rating_runs (as_of, model_version, catalogue_version, scope)
    WHERE finished_at IS NULL AND parts > 0;

CREATE TABLE run_parts (
    run_kind TEXT NOT NULL,
    run_id BIGINT NOT NULL,
    part BIGINT NOT NULL,
    -- Customer ids from lower_id (inclusive) to upper_id (exclusive; none for the last
    -- part), compared byte by byte.
    lower_id TEXT NOT NULL,
    upper_id TEXT,
    holder TEXT,
    claim TEXT,
    claimed_until TEXT,
    claims BIGINT NOT NULL DEFAULT 0,
    done_at TEXT,
    done_by TEXT,
    done BIGINT NOT NULL DEFAULT 0,
    skipped BIGINT NOT NULL DEFAULT 0,
    failed BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (run_kind, run_id, part)
);

-- What the run's end needs from each part written (a rating run: the part's indicator
-- values by industry, for the industry medians); deleted when the run finishes.
CREATE TABLE run_part_summaries (
    run_kind TEXT NOT NULL,
    run_id BIGINT NOT NULL,
    part BIGINT NOT NULL,
    summary BYTEA NOT NULL,
    PRIMARY KEY (run_kind, run_id, part)
);
