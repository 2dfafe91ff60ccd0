create type st as enum ('a', 'b'); create table t (id int primary key, s st);
