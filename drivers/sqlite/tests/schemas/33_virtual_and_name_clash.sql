CREATE VIRTUAL TABLE docs_fts USING fts5(title, body);
CREATE TABLE clash (id integer PRIMARY KEY, a text UNIQUE, b text);
CREATE UNIQUE INDEX clash_a_key ON clash (b);
