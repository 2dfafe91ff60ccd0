create table t (id int primary key, a int, b int); create view v1 as select id, a from t; create view v2 as select id from v1;
