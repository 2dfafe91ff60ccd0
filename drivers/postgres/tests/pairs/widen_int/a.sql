create table t (id int primary key, n int not null default 1, s smallint);
