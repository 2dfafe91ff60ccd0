-- The desired schema of the PostgreSQL example suite (schema.test.hcl): a domain, check
-- constraints, a function and the trigger that uses it, a view, row-level security.
CREATE DOMAIN us_postal_code AS text
  CONSTRAINT us_postal_code_check CHECK (VALUE ~ '^\d{5}$' OR VALUE ~ '^\d{5}-\d{4}$');

CREATE TABLE customers (
  id     integer PRIMARY KEY,
  name   text NOT NULL,
  zip    us_postal_code,
  active boolean NOT NULL DEFAULT true
);

CREATE TABLE orders (
  id          integer PRIMARY KEY,
  customer_id integer NOT NULL REFERENCES customers (id),
  total       numeric NOT NULL DEFAULT 0 CONSTRAINT total_not_negative CHECK (total >= 0)
);

CREATE TABLE order_items (
  order_id integer NOT NULL REFERENCES orders (id),
  price    numeric NOT NULL CHECK (price >= 0),
  qty      integer NOT NULL CHECK (qty > 0)
);

CREATE FUNCTION order_total(p_order integer) RETURNS numeric
LANGUAGE sql STABLE AS $$
  SELECT coalesce(sum(price * qty), 0) FROM order_items WHERE order_id = p_order
$$;

CREATE FUNCTION recompute_order_total() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE orders SET total = order_total(NEW.order_id) WHERE id = NEW.order_id;
  RETURN NEW;
END;
$$;

CREATE TRIGGER order_items_total AFTER INSERT OR UPDATE ON order_items
FOR EACH ROW EXECUTE FUNCTION recompute_order_total();

CREATE VIEW active_customers AS
SELECT id, name FROM customers WHERE active;

CREATE TABLE documents (
  id     integer PRIMARY KEY,
  tenant text NOT NULL,
  body   text NOT NULL
);

ALTER TABLE documents ENABLE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON documents
  USING (tenant = current_setting('app.tenant', true));
