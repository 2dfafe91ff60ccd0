create type addr as (street text, city text); create table t (id int primary key, a addr);
