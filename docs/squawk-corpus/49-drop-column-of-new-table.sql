CREATE TABLE scratch (id bigint PRIMARY KEY, note text);
ALTER TABLE scratch DROP COLUMN note;
DROP TABLE scratch;
