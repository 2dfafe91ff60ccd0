-- Not from the documentation: the version the example test migrates to first.
CREATE TABLE users (id serial PRIMARY KEY, name text NOT NULL);
