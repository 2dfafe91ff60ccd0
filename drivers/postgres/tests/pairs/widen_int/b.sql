create table t (id bigint primary key, n bigint not null default 1, s integer);
