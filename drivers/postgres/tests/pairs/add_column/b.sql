create table t (id int primary key, name text, age int default 0 not null, note text);
