CREATE TABLE memberships (user_id integer NOT NULL, group_id integer NOT NULL, role text DEFAULT 'member', PRIMARY KEY (user_id, group_id));
