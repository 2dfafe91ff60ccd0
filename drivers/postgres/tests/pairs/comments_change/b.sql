create table t (id int primary key, v text); comment on table t is 'new'; comment on column t.id is 'key';
