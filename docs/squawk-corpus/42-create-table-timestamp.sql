CREATE TABLE logs (id bigint PRIMARY KEY, at timestamp NOT NULL);
