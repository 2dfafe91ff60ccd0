# MySQL/MariaDB example suite. Run:
#   mercator schema test --url file://schema.sql --dev-url "mysql://root@…/dev" schema.test.hcl

# The stored procedure, table-driven (after https://atlasgo.io/guides/testing/procedures).
test "schema" "archive_old_sales" {
  parallel = true
  for_each = [
    { cutoff = "2024-07-18", archived = "2", remaining = "1" },
    { cutoff = "2024-08-01", archived = "3", remaining = "0" },
  ]
  exec {
    sql = <<-SQL
      INSERT INTO sales (id, sale_amount, sale_date) VALUES
        (1, 150.00, '2024-07-18'), (2, 200.00, '2024-06-20'), (3, 350.00, '2024-07-10');
    SQL
  }
  exec {
    sql = "CALL archive_old_sales('${each.value.cutoff}')"
  }
  exec {
    sql    = "SELECT COUNT(*) FROM archive_sales"
    output = each.value.archived
  }
  exec {
    sql    = "SELECT COUNT(*) FROM sales"
    output = each.value.remaining
  }
  log {
    message = "cutoff ${each.value.cutoff}: ${each.value.archived} archived"
  }
}

test "schema" "balance_trigger" {
  parallel = true
  exec {
    sql = <<-SQL
      INSERT INTO accounts (id, balance) VALUES (1, 100.00);
      UPDATE accounts SET balance = 70.00 WHERE id = 1;
      UPDATE accounts SET balance = 95.50 WHERE id = 1;
    SQL
  }
  exec {
    sql    = "SELECT account_id, delta FROM account_log ORDER BY delta"
    format = table
    output = <<-TAB
      account_id | delta
      -----------+-------
      1          | -30.00
      1          | 25.50
    TAB
  }
}

test "schema" "balance_check_constraint" {
  parallel = true
  exec {
    sql = "INSERT INTO accounts (id, balance) VALUES (1, 10.00)"
  }
  catch {
    sql   = "UPDATE accounts SET balance = -1 WHERE id = 1"
    error = "balance_not_negative"
  }
  # The failed update changed nothing.
  assert {
    sql = "SELECT balance = 10.00 FROM accounts WHERE id = 1"
  }
}
