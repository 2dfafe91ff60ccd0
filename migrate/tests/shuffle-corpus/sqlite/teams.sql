CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  name TEXT
);

CREATE TABLE teams (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  owner_id INTEGER REFERENCES users (id) ON DELETE SET NULL
);

CREATE TABLE memberships (
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  team_id INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
  role TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'admin')),
  PRIMARY KEY (user_id, team_id)
);

CREATE INDEX memberships_team_idx ON memberships (team_id);

CREATE UNIQUE INDEX users_name_idx ON users (name) WHERE name IS NOT NULL;

CREATE TABLE audit (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  what TEXT NOT NULL
);

CREATE VIEW team_sizes AS
  SELECT t.id, t.name, count(m.user_id) AS members
  FROM teams t LEFT JOIN memberships m ON m.team_id = t.id
  GROUP BY t.id, t.name;

CREATE VIEW big_teams AS SELECT id, name FROM team_sizes WHERE members > 10;

CREATE TRIGGER users_audit AFTER INSERT ON users
BEGIN
  INSERT INTO audit (what) VALUES ('user ' || NEW.id);
END;
