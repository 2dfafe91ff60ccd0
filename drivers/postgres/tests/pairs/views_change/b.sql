create table t (id int primary key, a int, b int, c int); create view v1 as select id, a, b from t; create view v2 as select id from v1; create view v3 as select c from t;
