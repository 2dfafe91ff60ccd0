CREATE TABLE people (id integer PRIMARY KEY, name text COLLATE NOCASE NOT NULL, code text COLLATE RTRIM, tag text COLLATE BINARY UNIQUE);
CREATE INDEX people_name ON people (name);
