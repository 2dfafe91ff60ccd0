create table t (id int primary key, name text, legacy text);
