CREATE TABLE settings (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE flags (name varchar(64) NOT NULL PRIMARY KEY DESC, enabled boolean NOT NULL DEFAULT FALSE);
