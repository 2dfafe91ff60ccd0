create table t (id int primary key, code varchar(50) not null, d numeric(12,4));
