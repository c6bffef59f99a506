-- One snapshot of each customer's whole credit file (master record and every record of
-- every kind that belongs to it), rewritten by each import that touches the customer, in
-- the import's transaction: portfolio runs read one row per customer. `data_version` is
-- the newest import that wrote any of the customer's records; `records_hash` combines the
-- records' content hashes, kind by kind in natural-key order. The store fills the table
-- from the records already stored when this migration is applied.
--
-- Ratings keep no breakdown: it is recomputed from the file it was rated on. When an
-- import replaces a snapshot that a rating was computed from, the replaced one moves to
-- `credit_file_history`, so every rating's breakdown can still be shown.
-- Released: never edit; add a new migration.

CREATE TABLE credit_files (
    customer_id TEXT PRIMARY KEY,
    data_version INTEGER NOT NULL,
    records_hash TEXT NOT NULL,
    body BLOB NOT NULL
);
-- The versions alone, for deciding which ratings are stale without reading the bodies.
CREATE INDEX credit_files_version ON credit_files (customer_id, data_version);

CREATE TABLE credit_file_history (
    customer_id TEXT NOT NULL,
    data_version INTEGER NOT NULL,
    records_hash TEXT NOT NULL,
    body BLOB NOT NULL,
    PRIMARY KEY (customer_id, data_version)
);
