-- The state the plan in plans/ was made against.
CREATE TABLE tasks (
  id    INTEGER PRIMARY KEY,
  title TEXT NOT NULL,
  done  INTEGER NOT NULL DEFAULT 0
);
