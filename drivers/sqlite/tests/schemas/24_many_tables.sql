CREATE TABLE customers (id integer PRIMARY KEY, email text NOT NULL UNIQUE, created_at datetime NOT NULL DEFAULT CURRENT_TIMESTAMP);
CREATE TABLE addresses (id integer PRIMARY KEY, customer_id integer NOT NULL REFERENCES customers (id) ON DELETE CASCADE, line1 text NOT NULL, city text);
CREATE TABLE invoices (id integer PRIMARY KEY AUTOINCREMENT, customer_id integer NOT NULL REFERENCES customers (id), amount numeric(12,2) NOT NULL CHECK (amount >= 0), paid boolean NOT NULL DEFAULT 0);
CREATE TABLE invoice_lines (invoice_id integer NOT NULL REFERENCES invoices (id) ON DELETE CASCADE, line integer NOT NULL, sku text NOT NULL, qty integer NOT NULL DEFAULT 1, PRIMARY KEY (invoice_id, line)) WITHOUT ROWID;
CREATE INDEX addresses_customer ON addresses (customer_id);
CREATE INDEX invoices_unpaid ON invoices (customer_id) WHERE paid = 0;
CREATE VIEW unpaid AS SELECT c.email, i.amount FROM invoices i JOIN customers c ON c.id = i.customer_id WHERE i.paid = 0;
