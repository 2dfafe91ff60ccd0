create table t (id int primary key); create unlogged table u (id int);
