create type st as enum ('b'); create table t (id int primary key, s st);
