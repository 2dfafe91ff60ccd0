create table t (id int primary key, email text, n int); create unique index t_email on t (lower(email)) where email is not null; create index t_n on t (n desc);
