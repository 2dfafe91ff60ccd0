create table t (id int generated always as identity (start with 1000), v int generated always as identity (increment by 5), w int);
