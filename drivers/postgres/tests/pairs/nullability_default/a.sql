create table t (id int primary key, a text, b text not null default 'x', c timestamptz);
