create table t (id int primary key, a text not null default 'a', b text, c timestamptz default now());
