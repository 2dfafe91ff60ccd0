CREATE SCHEMA billing;

CREATE TYPE billing.status AS ENUM ('open', 'paid', 'void');

CREATE DOMAIN billing.amount AS numeric(12,2) CHECK (VALUE >= 0);

CREATE SEQUENCE billing.invoice_numbers START 1000;

CREATE TABLE billing.customers (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email text NOT NULL UNIQUE
);

CREATE TABLE billing.invoices (
  id bigserial PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES billing.customers (id),
  status billing.status NOT NULL DEFAULT 'open',
  total billing.amount NOT NULL
);

CREATE INDEX invoices_customer_idx ON billing.invoices (customer_id);

CREATE VIEW billing.open_invoices AS
  SELECT id, customer_id, total FROM billing.invoices WHERE status = 'open';

CREATE FUNCTION billing.touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RETURN NEW;
END
$$;

CREATE TRIGGER invoices_touch BEFORE UPDATE ON billing.invoices
  FOR EACH ROW EXECUTE FUNCTION billing.touch();
