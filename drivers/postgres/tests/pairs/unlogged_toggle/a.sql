create unlogged table t (id int primary key); create table u (id int);
