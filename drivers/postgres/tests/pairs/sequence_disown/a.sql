create table t (id serial primary key, v text); create table keep (n int);
