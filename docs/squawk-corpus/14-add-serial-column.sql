ALTER TABLE users ADD COLUMN seq serial;
