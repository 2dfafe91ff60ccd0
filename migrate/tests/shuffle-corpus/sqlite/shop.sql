CREATE TABLE products (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  sku TEXT NOT NULL,
  price REAL NOT NULL DEFAULT 0 CHECK (price >= 0)
);

CREATE UNIQUE INDEX products_sku_idx ON products (sku);

CREATE TABLE orders (
  id INTEGER PRIMARY KEY,
  placed_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE order_lines (
  order_id INTEGER NOT NULL REFERENCES orders (id),
  product_id INTEGER NOT NULL REFERENCES products (id),
  quantity INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (order_id, product_id)
) WITHOUT ROWID;

CREATE VIEW order_totals AS
  SELECT l.order_id, sum(l.quantity * p.price) AS total
  FROM order_lines l JOIN products p ON p.id = l.product_id
  GROUP BY l.order_id;
