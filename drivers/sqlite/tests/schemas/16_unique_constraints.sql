CREATE TABLE u (
  id integer PRIMARY KEY,
  a text UNIQUE,
  b text,
  c text,
  d text,
  CONSTRAINT u_bc UNIQUE (b, c),
  UNIQUE (d, a)
);
