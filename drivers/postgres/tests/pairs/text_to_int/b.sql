create table t (id int primary key, qty integer);
