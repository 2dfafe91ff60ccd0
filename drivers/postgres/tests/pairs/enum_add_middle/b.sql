create type st as enum ('new', 'active', 'paused', 'done', 'archived'); create table t (id int primary key, s st not null default 'new');
