create table p (id int primary key); create table t (id int primary key, p int, v int, u text);
