create domain pos as int check (value > 0); create table t (id int primary key, v pos);
