create table defaults (
  a int default 42,
  b int default -1,
  c text default 'it''s',
  d text default '',
  e timestamptz default now(),
  f timestamp default current_timestamp,
  g date default current_date,
  h boolean default false,
  i numeric default 3.14,
  j jsonb default '{"a": 1}',
  k text[] default '{a,b}',
  l varchar(10) default 'x'::character varying,
  m int default (1 + 2),
  n text default null,
  o uuid default gen_random_uuid(),
  p interval default '1 day'
);
