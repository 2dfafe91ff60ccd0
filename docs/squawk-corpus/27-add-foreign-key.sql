ALTER TABLE events ADD COLUMN user_id bigint;
ALTER TABLE events ADD CONSTRAINT events_user_fk FOREIGN KEY (user_id) REFERENCES users (id);
