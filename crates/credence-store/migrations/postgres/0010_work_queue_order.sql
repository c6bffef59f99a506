-- Work queues read the newest open alerts and the most urgent open cases a page at a
-- time: indexes in that order, so a page costs the same with a hundred thousand open
-- alerts as with ten. Released: never edit; add a new migration.

CREATE INDEX alerts_status_newest ON alerts (status, id);
CREATE INDEX alerts_status_level_newest ON alerts (status, level, id);
CREATE INDEX cases_status_due ON cases (status, due_at, id);
