create table t (id int primary key, g text); create materialized view mv as select g, count(*) from t group by g;
