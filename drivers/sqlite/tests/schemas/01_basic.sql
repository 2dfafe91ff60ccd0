CREATE TABLE users (id integer PRIMARY KEY, name text NOT NULL, email varchar(255), age int);
