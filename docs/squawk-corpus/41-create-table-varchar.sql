CREATE TABLE tags (id bigint PRIMARY KEY, name varchar(50));
