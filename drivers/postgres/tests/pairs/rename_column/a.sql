create table t (id int primary key, fullname text);
