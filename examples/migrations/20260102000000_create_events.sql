-- Create "events" table
CREATE TABLE events (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id), kind TEXT NOT NULL);
-- Create index "events_kind_idx" to table: "events"
CREATE INDEX events_kind_idx ON events (kind);
