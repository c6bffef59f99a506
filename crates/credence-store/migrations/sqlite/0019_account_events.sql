-- Events of utility billing accounts (SCN-1): disconnections with their notice, clearance
-- and reconnection (to the minute, for the reconnection commitment), meter events, and
-- changes of holder, all record kinds like the others that runs read by account; and the
-- account holder's name and contact.
-- Released: never edit; add a new migration.

CREATE TABLE disconnections (
    natural_key TEXT NOT NULL UNIQUE,
    row_hash TEXT NOT NULL,
    import_id INTEGER NOT NULL,
    disconnection_id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    notice_date TEXT,
    disconnected_at TEXT NOT NULL,
    cleared_at TEXT,
    reconnected_at TEXT
);
CREATE INDEX disconnections_account ON disconnections (account_id, disconnected_at);

CREATE TABLE meter_events (
    natural_key TEXT NOT NULL UNIQUE,
    row_hash TEXT NOT NULL,
    import_id INTEGER NOT NULL,
    event_id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    event_date TEXT NOT NULL,
    note TEXT
);
CREATE INDEX meter_events_account ON meter_events (account_id, event_date);

-- Changes of who answers for an account: a transfer (过户) leaves the earlier bills with
-- the previous holder; a bankruptcy turns what was owed by its date into a claim.
CREATE TABLE holder_changes (
    natural_key TEXT NOT NULL UNIQUE,
    row_hash TEXT NOT NULL,
    import_id INTEGER NOT NULL,
    change_id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    change_type TEXT NOT NULL,
    change_date TEXT NOT NULL,
    previous_customer_id TEXT,
    new_customer_id TEXT,
    note TEXT
);
CREATE INDEX holder_changes_account ON holder_changes (account_id, change_date);
CREATE INDEX holder_changes_previous ON holder_changes (previous_customer_id);

-- Who an account is in the name of, and how to reach them; a household's is personal
-- data, masked for readers without the personal-data permission.
ALTER TABLE accounts ADD COLUMN holder_name TEXT;
ALTER TABLE accounts ADD COLUMN holder_id_number TEXT;
ALTER TABLE accounts ADD COLUMN holder_phone TEXT;

-- Reads by account number (one account's position, the accounts a customer holds) find
-- the account without scanning the book.
CREATE INDEX accounts_account ON accounts (account_id);
