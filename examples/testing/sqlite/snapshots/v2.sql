-- The desired state the plan in plans/ leads to (tasks get a status instead of a flag).
CREATE TABLE tasks (
  id     INTEGER PRIMARY KEY,
  title  TEXT NOT NULL,
  done   INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL DEFAULT 'open'
);
