create table t (a int not null, b int not null, c int, constraint t_pkey primary key (a, b));
