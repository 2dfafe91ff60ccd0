create table rect (
  w numeric not null,
  h numeric not null,
  area numeric generated always as (w * h) stored,
  label text generated always as ('rect ' || w::text) stored
);
