CREATE TABLE orders (id integer PRIMARY KEY, status text, total numeric(10,2), created datetime, customer text COLLATE NOCASE);
CREATE INDEX orders_status ON orders (status) WHERE status IS NOT NULL;
CREATE INDEX orders_lower ON orders (lower(customer), total DESC);
CREATE UNIQUE INDEX orders_created ON orders (created DESC, id);
CREATE INDEX orders_expr ON orders ((total * 100)) WHERE total > 0 AND status IN ('open', 'paid');
CREATE INDEX orders_coll ON orders (customer COLLATE BINARY);
