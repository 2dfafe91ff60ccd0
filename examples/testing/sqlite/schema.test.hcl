# SQLite example suite: a trigger, a view, a check constraint and a table-driven case.
# Run: mercator schema test --url file://schema.sql schema.test.hcl

test "schema" "price_audit_trigger" {
  parallel = true
  exec {
    sql = <<-SQL
      INSERT INTO products (id, name, price) VALUES (1, 'pen', 2), (2, 'lamp', 30);
      UPDATE products SET price = 3 WHERE id = 1;
      UPDATE products SET price = 30 WHERE id = 2;
    SQL
  }
  # Only the real change is recorded.
  exec {
    sql    = "SELECT product_id, old_price, new_price FROM price_changes"
    format = table
    output = <<-TAB
      product_id | old_price | new_price
      -----------+-----------+----------
      1          | 2         | 3
    TAB
  }
}

test "schema" "cheap_products_view" {
  parallel = true
  exec {
    sql = "INSERT INTO products (id, name, price) VALUES (1, 'pen', 2), (2, 'lamp', 30), (3, 'cup', 9.5)"
  }
  exec {
    sql    = "SELECT name FROM cheap_products ORDER BY price"
    output = "pen\ncup"
  }
  assert {
    sql           = "SELECT count(*) = 0 FROM cheap_products WHERE name = 'lamp'"
    error_message = "the view lists products of 10 or more"
  }
}

# Table-driven: one case per item, named valid_prices/1… and invalid_prices/KEY.
test "schema" "valid_prices" {
  parallel = true
  for_each = ["0.01", "1", "999"]
  exec {
    sql = "INSERT INTO products (id, name, price) VALUES (1, 'item', ${each.value})"
  }
  assert {
    sql           = "SELECT price = ${each.value} FROM products WHERE id = 1"
    error_message = "price ${each.value} was not stored as given"
  }
}

test "schema" "invalid_prices" {
  parallel = true
  for_each = { zero = "0", negative = "-1" }
  log {
    message = "rejecting ${each.key} price ${each.value}"
  }
  catch {
    sql   = "INSERT INTO products (id, name, price) VALUES (1, 'item', ${each.value})"
    error = "CHECK constraint failed: price_positive"
  }
}

# An external program (here a Python script) checks the case's database, found through
# the MERCATOR_TEST_URL environment variable.
test "schema" "external_python_check" {
  parallel = true
  exec {
    sql = "INSERT INTO products (id, name, price) VALUES (1, 'pen', 2), (2, 'lamp', 30)"
  }
  external {
    program = "python3"
    args    = ["check_products.py"]
    output  = "2 products"
  }
}
