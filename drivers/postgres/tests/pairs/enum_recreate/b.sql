create type st as enum ('done', 'new'); create table t (id int primary key, s st default 'new', ss st[]);
