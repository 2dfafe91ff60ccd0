-- Children and partitions that set their own default and NOT NULL on inherited columns,
-- and comment them.
CREATE TABLE base (id int, note text DEFAULT 'base', v int);
CREATE TABLE derived (extra int) INHERITS (base);
ALTER TABLE derived ALTER COLUMN note SET DEFAULT 'derived';
ALTER TABLE derived ALTER COLUMN id SET NOT NULL;
COMMENT ON COLUMN derived.v IS 'inherited, commented here';
CREATE TABLE quiet (x int) INHERITS (base);
ALTER TABLE quiet ALTER COLUMN note DROP DEFAULT;
CREATE TABLE measures (id int, k int, v int DEFAULT 1) PARTITION BY LIST (k);
CREATE TABLE measures_1 PARTITION OF measures (v DEFAULT 5, id NOT NULL) FOR VALUES IN (1);
CREATE TABLE measures_2 PARTITION OF measures FOR VALUES IN (2);
