create table t (id int primary key, owner text);
