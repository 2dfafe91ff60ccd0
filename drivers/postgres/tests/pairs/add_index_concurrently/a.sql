create table t (id int primary key, email text, n int); create index t_n on t (n);
