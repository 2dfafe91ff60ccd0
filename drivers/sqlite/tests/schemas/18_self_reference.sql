CREATE TABLE nodes (id integer PRIMARY KEY, parent_id integer REFERENCES nodes (id) ON DELETE CASCADE, name text NOT NULL);
CREATE INDEX nodes_parent ON nodes (parent_id);
