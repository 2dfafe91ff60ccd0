create domain pos as int not null default 1 constraint pos_check check (value > 0) constraint pos_small check (value < 1000000); create table t (id int primary key, v pos);
