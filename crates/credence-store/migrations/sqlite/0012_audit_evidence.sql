-- The audit log as evidence: each record names the MAC algorithm and key it was written
-- with (records written before are plain SHA-256, unkeyed); archives written before a
-- purge, and the anchor where verification starts after one.

ALTER TABLE audit_log ADD COLUMN algorithm TEXT NOT NULL DEFAULT 'sha256';
ALTER TABLE audit_log ADD COLUMN key_id TEXT NOT NULL DEFAULT '';

CREATE TABLE audit_archives (
    id INTEGER PRIMARY KEY,
    file_name TEXT NOT NULL,
    first_seq INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    records INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    archived_at TEXT NOT NULL,
    archived_by TEXT NOT NULL
);

CREATE TABLE audit_anchor (
    id INTEGER PRIMARY KEY,
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_anchor (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE INDEX audit_log_at ON audit_log (at);
