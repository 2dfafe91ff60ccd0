create sequence s increment by 2 maxvalue 100000 cycle; create sequence s2 as integer; create table t (id int primary key default nextval('s'), n int default nextval('s2'));
