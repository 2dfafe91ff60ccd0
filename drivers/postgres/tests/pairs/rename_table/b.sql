create table persons (id int primary key, name text);
