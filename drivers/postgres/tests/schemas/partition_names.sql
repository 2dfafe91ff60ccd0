-- Partitions whose names sort before their parent's.
create table zz_parent (id int not null, k text not null) partition by list (k);
create table aa_child partition of zz_parent for values in ('a');
create table zz_base (a int);
create table aa_heir (b int) inherits (zz_base);
