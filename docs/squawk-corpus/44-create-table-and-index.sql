CREATE TABLE tags (id bigint PRIMARY KEY, name text);
CREATE INDEX tags_name ON tags (name);
CREATE UNIQUE INDEX tags_name_key ON tags (name);
