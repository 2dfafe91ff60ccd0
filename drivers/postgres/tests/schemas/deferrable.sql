create table parent (id int primary key, code text unique deferrable, k int, constraint parent_k_key unique (k) deferrable initially deferred);
create table child (
  id int primary key,
  parent_id int references parent(id) deferrable initially deferred,
  parent2 int,
  constraint child_parent2_fk foreign key (parent2) references parent(id) deferrable initially immediate,
  constraint child_check check (id > 0)
);
