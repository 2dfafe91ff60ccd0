# PostgreSQL example suite. Run:
#   mercator schema test --url file://schema.sql --dev-url "postgres://…/dev" schema.test.hcl

test "schema" "order_total_trigger" {
  parallel = true
  exec {
    sql = <<-SQL
      INSERT INTO customers (id, name) VALUES (10, 'Ada');
      INSERT INTO orders (id, customer_id) VALUES (1, 10);
      INSERT INTO order_items (order_id, price, qty) VALUES (1, 5, 2), (1, 3, 1);
    SQL
  }
  assert {
    sql           = "SELECT total = 13 FROM orders WHERE id = 1"
    error_message = "the trigger did not recompute orders.total"
  }
}

# Table-driven: the function on several baskets.
test "schema" "order_total_function" {
  parallel = true
  for_each = {
    empty  = { items = "", expected = "0" }
    single = { items = "(1, 2.50, 4)", expected = "10.00" }
    mixed  = { items = "(1, 1, 1), (1, 2, 3)", expected = "7" }
  }
  exec {
    sql = <<-SQL
      INSERT INTO customers (id, name) VALUES (1, 'Grace');
      INSERT INTO orders (id, customer_id) VALUES (1, 1);
    SQL
  }
  exec {
    sql = each.value.items == "" ? "SELECT 1" : "INSERT INTO order_items (order_id, price, qty) VALUES ${each.value.items}"
  }
  exec {
    sql    = "SELECT order_total(1)"
    output = each.value.expected
  }
}

test "schema" "active_customers_view" {
  parallel = true
  exec {
    sql = "INSERT INTO customers (id, name, active) VALUES (1, 'Ada', true), (2, 'Bob', false), (3, 'Cy', true)"
  }
  exec {
    sql    = "SELECT id, name FROM active_customers ORDER BY id"
    format = table
    output = <<-TAB
       id | name
      ----+------
        1 | Ada
        3 | Cy
    TAB
  }
}

test "schema" "postal_code_domain" {
  parallel = true
  exec {
    sql = "INSERT INTO customers (id, name, zip) VALUES (1, 'Ada', '12345'), (2, 'Bob', '12345-6789')"
  }
  catch {
    sql   = "INSERT INTO customers (id, name, zip) VALUES (3, 'Cy', 'hello')"
    error = "violates check constraint \"us_postal_code_check\""
  }
}

test "schema" "order_total_check_constraint" {
  parallel = true
  exec {
    sql = "INSERT INTO customers (id, name) VALUES (1, 'Ada'); INSERT INTO orders (id, customer_id) VALUES (1, 1)"
  }
  catch {
    sql   = "UPDATE orders SET total = -1 WHERE id = 1"
    error = "total_not_negative"
  }
}

# Row-level security: a reader role sees only its tenant's rows. Roles belong to the whole
# server, so this test is not parallel and removes its role in cleanup.
test "schema" "tenant_isolation_rls" {
  exec {
    sql = <<-SQL
      INSERT INTO documents (id, tenant, body) VALUES (1, 'acme', 'acme plan'), (2, 'globex', 'globex plan');
      DO $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'mercator_example_reader') THEN
          CREATE ROLE mercator_example_reader NOLOGIN;
        END IF;
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO mercator_example_reader', current_schema());
        EXECUTE format('GRANT SELECT ON %I.documents TO mercator_example_reader', current_schema());
      END
      $$;
    SQL
  }
  cleanup {
    sql = "RESET ROLE; RESET app.tenant; DROP OWNED BY mercator_example_reader; DROP ROLE mercator_example_reader"
  }
  exec {
    sql = "SET ROLE mercator_example_reader; SET app.tenant = 'acme'"
  }
  exec {
    sql    = "SELECT body FROM documents ORDER BY id"
    output = "acme plan"
  }
  exec {
    sql    = "SET app.tenant = 'globex'; SELECT id FROM documents"
    output = "2"
  }
  assert {
    sql           = "SELECT count(*) = 0 FROM documents WHERE tenant = 'acme'"
    error_message = "tenant globex can read acme's documents"
  }
}
