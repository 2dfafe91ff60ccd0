create table t (id int primary key, v text); comment on table t is 'old'; comment on column t.v is 'old col';
