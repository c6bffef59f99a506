-- The open-alert index by (status, level) is the leading part of alerts_status_level_newest
-- (status, level, id), which serves every query it served; a warning run that raises a
-- million alerts no longer maintains both. Released: never edit; add a new migration.

DROP INDEX alerts_status;
