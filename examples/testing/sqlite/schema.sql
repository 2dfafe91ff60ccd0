-- The desired schema of the SQLite example suite (schema.test.hcl).
CREATE TABLE products (
  id    INTEGER PRIMARY KEY,
  name  TEXT NOT NULL,
  price NUMERIC NOT NULL CONSTRAINT price_positive CHECK (price > 0)
);

CREATE TABLE price_changes (
  product_id INTEGER NOT NULL REFERENCES products (id),
  old_price  NUMERIC NOT NULL,
  new_price  NUMERIC NOT NULL
);

-- Every price change is recorded.
CREATE TRIGGER products_price_audit AFTER UPDATE OF price ON products
WHEN OLD.price <> NEW.price
BEGIN
  INSERT INTO price_changes (product_id, old_price, new_price)
  VALUES (OLD.id, OLD.price, NEW.price);
END;

CREATE VIEW cheap_products AS
SELECT id, name, price FROM products WHERE price < 10;
