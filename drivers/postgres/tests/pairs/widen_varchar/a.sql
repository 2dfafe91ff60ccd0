create table t (id int primary key, code varchar(10) not null, d numeric(6,2));
