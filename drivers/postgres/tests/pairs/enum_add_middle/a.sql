create type st as enum ('new', 'done'); create table t (id int primary key, s st not null default 'new');
