-- Not from the documentation: the data migration the example test checks.
ALTER TABLE users ADD COLUMN first_name text, ADD COLUMN last_name text;
UPDATE users SET first_name = split_part(name, ' ', 1), last_name = split_part(name, ' ', 2);
ALTER TABLE users DROP COLUMN name;
