create sequence s; create table t (id int primary key default nextval('s'));
