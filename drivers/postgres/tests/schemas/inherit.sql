create table cities (name text primary key, population real, elevation int);
create table capitals (state char(2) not null, constraint capitals_state_check check (state <> '')) inherits (cities);
create table base1 (a int);
create table base2 (b int);
create table multi (c int) inherits (base1, base2);
