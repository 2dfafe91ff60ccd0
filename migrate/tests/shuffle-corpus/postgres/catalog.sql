CREATE TABLE categories (
  id int PRIMARY KEY,
  parent_id int REFERENCES categories (id),
  name text NOT NULL
);

CREATE TABLE items (
  id int PRIMARY KEY,
  category_id int NOT NULL REFERENCES categories (id),
  title varchar(200) NOT NULL,
  price numeric(10,2) NOT NULL DEFAULT 0 CHECK (price >= 0)
);

CREATE UNIQUE INDEX items_title_idx ON items (lower(title));

CREATE VIEW cheap_items AS SELECT id, title FROM items WHERE price < 10;
