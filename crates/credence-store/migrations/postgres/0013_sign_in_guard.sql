-- Sign-ins are throttled per client address and per username and address as well as per
-- username, and a session ends after a spell without requests as well as at its expiry.
-- Released: never edit; add a new migration.

ALTER TABLE sessions ADD COLUMN last_seen_at TEXT;
CREATE INDEX login_attempts_ip ON login_attempts (client_ip, at);
CREATE INDEX login_attempts_user_ip ON login_attempts (username, client_ip, at);
