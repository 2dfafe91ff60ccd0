create schema old_s; create table old_s.x (id int); create table t (id int primary key);
