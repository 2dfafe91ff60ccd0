CREATE TABLE c ( -- leading comment
  id integer PRIMARY KEY, /* block */
  note text -- trailing comment with , comma and ( paren
    CHECK (note <> 'x, (y)')
);
