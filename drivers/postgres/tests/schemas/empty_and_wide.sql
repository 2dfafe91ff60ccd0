create table columnless ();
create table only_pk (id int primary key);
create table no_pk (a int, b text);
