CREATE TABLE a (id integer PRIMARY KEY, b_id integer REFERENCES b (id));
CREATE TABLE b (id integer PRIMARY KEY, a_id integer REFERENCES a (id));
