-- Approval authority as data about people: the policy's authority levels (and the
-- rating-override approval) each user holds, who granted them and when. Rating overrides
-- entered by one person wait here until the approver they name decides; an approved one
-- is copied into rating_overrides, which keeps meaning "overrides in force". Released:
-- never edit; add a new migration.

CREATE TABLE user_authorities (
    user_id INTEGER NOT NULL,
    authority TEXT NOT NULL,
    granted_by TEXT NOT NULL,
    granted_at TEXT NOT NULL,
    PRIMARY KEY (user_id, authority)
);

CREATE TABLE override_requests (
    id INTEGER PRIMARY KEY,
    rating_id INTEGER NOT NULL,
    customer_id TEXT NOT NULL,
    letter_grade TEXT NOT NULL,
    point_grade TEXT NOT NULL,
    reason TEXT NOT NULL,
    approver TEXT NOT NULL,
    entered_by TEXT NOT NULL,
    entered_at TEXT NOT NULL,
    status TEXT NOT NULL,
    decided_at TEXT,
    decision_comment TEXT,
    override_id INTEGER
);
CREATE INDEX override_requests_status ON override_requests (status, id);
