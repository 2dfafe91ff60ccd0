CREATE TABLE e (id integer PRIMARY KEY, email text, deleted_at datetime);
CREATE UNIQUE INDEX e_email_live ON e (email COLLATE NOCASE DESC) WHERE deleted_at IS NULL;
