create type st as enum ('new', 'old', 'done'); create table t (id int primary key, s st default 'new', ss st[]);
