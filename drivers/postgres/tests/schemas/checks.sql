create table products (
  id int primary key,
  price numeric check (price > 0),
  discount numeric,
  name text,
  constraint valid_discount check (discount >= 0 and discount < price),
  constraint name_len check (length(name) between 1 and 100) no inherit
);
