create extension btree_gist;
create table booking (
  room int not null,
  during tsrange not null,
  cancelled boolean default false,
  constraint no_overlap exclude using gist (room with =, during with &&) where (not cancelled)
);
create table circles (c circle, exclude using gist (c with &&));
create table deferred_ex (r int4range, constraint dex exclude using gist (r with &&) deferrable initially deferred);
