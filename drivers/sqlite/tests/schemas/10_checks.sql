CREATE TABLE products (
  id integer PRIMARY KEY,
  price numeric CHECK (price >= 0),
  qty integer CONSTRAINT qty_positive CHECK (qty > 0),
  name text,
  CHECK (length(name) > 2),
  CONSTRAINT price_qty CHECK (price * qty < 1000000)
);
