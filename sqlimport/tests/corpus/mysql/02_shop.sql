-- An online shop: JSON and generated columns, CHECK constraints, a self-referencing
-- category tree, ON DELETE CASCADE keys, a stored function used by a view, and triggers.

CREATE TABLE categories (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  parent_id INT UNSIGNED NULL,
  name VARCHAR(100) NOT NULL,
  path VARCHAR(500) NOT NULL DEFAULT '',
  CONSTRAINT fk_categories_parent FOREIGN KEY (parent_id) REFERENCES categories (id) ON DELETE CASCADE
) ENGINE=InnoDB;

CREATE TABLE products (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  category_id INT UNSIGNED NOT NULL,
  sku VARCHAR(32) NOT NULL,
  name VARCHAR(200) NOT NULL,
  price_cents INT UNSIGNED NOT NULL CHECK (price_cents > 0),
  attributes JSON NULL,
  color VARCHAR(30) GENERATED ALWAYS AS (JSON_UNQUOTE(JSON_EXTRACT(attributes, '$.color'))) VIRTUAL,
  status ENUM('draft', 'active', 'retired') NOT NULL DEFAULT 'draft',
  UNIQUE KEY uq_products_sku (sku),
  KEY idx_products_color (color),
  CONSTRAINT fk_products_category FOREIGN KEY (category_id) REFERENCES categories (id)
) ENGINE=InnoDB;

CREATE TABLE customers (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  email VARCHAR(255) NOT NULL UNIQUE,
  name VARCHAR(200) NOT NULL,
  marketing SET('email', 'sms', 'post') NOT NULL DEFAULT ''
) ENGINE=InnoDB;

CREATE TABLE orders (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  customer_id INT UNSIGNED NOT NULL,
  placed_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  state ENUM('cart', 'placed', 'shipped', 'cancelled') NOT NULL DEFAULT 'cart',
  CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id)
) ENGINE=InnoDB;

CREATE TABLE order_lines (
  order_id BIGINT UNSIGNED NOT NULL,
  product_id INT UNSIGNED NOT NULL,
  quantity SMALLINT UNSIGNED NOT NULL DEFAULT 1,
  unit_price_cents INT UNSIGNED NOT NULL,
  line_total_cents INT UNSIGNED AS (quantity * unit_price_cents) STORED,
  PRIMARY KEY (order_id, product_id),
  CONSTRAINT fk_lines_order FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE,
  CONSTRAINT fk_lines_product FOREIGN KEY (product_id) REFERENCES products (id)
) ENGINE=InnoDB;

CREATE TABLE stock_events (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  product_id INT UNSIGNED NOT NULL,
  delta INT NOT NULL,
  at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  KEY idx_stock_product (product_id)
) ENGINE=InnoDB;

DELIMITER //
CREATE FUNCTION format_cents(cents BIGINT) RETURNS VARCHAR(32) DETERMINISTIC
BEGIN
  RETURN CONCAT(FLOOR(cents / 100), '.', LPAD(MOD(cents, 100), 2, '0'));
END //

CREATE TRIGGER order_lines_stock AFTER INSERT ON order_lines FOR EACH ROW
BEGIN
  INSERT INTO stock_events (product_id, delta) VALUES (NEW.product_id, -NEW.quantity);
END //

CREATE TRIGGER categories_path BEFORE INSERT ON categories FOR EACH ROW
BEGIN
  DECLARE parent_path VARCHAR(500) DEFAULT '';
  IF NEW.parent_id IS NOT NULL THEN
    SELECT path INTO parent_path FROM categories WHERE id = NEW.parent_id;
  END IF;
  SET NEW.path = CONCAT(parent_path, '/', NEW.name);
END //
DELIMITER ;

CREATE VIEW order_totals AS
  SELECT o.id AS order_id, c.email, SUM(l.line_total_cents) AS total_cents,
         format_cents(SUM(l.line_total_cents)) AS total
  FROM orders o
  JOIN customers c ON c.id = o.customer_id
  JOIN order_lines l ON l.order_id = o.id
  GROUP BY o.id, c.email;

CREATE VIEW top_customers AS
  SELECT email, SUM(total_cents) AS spent FROM order_totals GROUP BY email ORDER BY spent DESC LIMIT 10;

CREATE INDEX idx_orders_state ON orders (state, placed_at);
CREATE FULLTEXT INDEX ft_products_name ON products (name);

INSERT INTO categories (name) VALUES ('Books');
INSERT INTO customers (email, name, marketing) VALUES ('ada@example.com', 'Ada', 'email,post');
