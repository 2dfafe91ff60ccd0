create table arr (
  tags text[],
  matrix int[][],
  names varchar(20)[] default '{}',
  flags boolean[] not null default array[true, false],
  ts timestamptz[]
);
