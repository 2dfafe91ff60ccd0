ALTER TABLE users RENAME COLUMN email TO mail;
ALTER TABLE users ADD COLUMN email text;
