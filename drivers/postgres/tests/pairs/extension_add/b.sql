create extension citext; create table t (id int primary key, name citext);
