# Source: https://atlasgo.io/guides/testing/procedures ("Table Driven Test")
test "schema" "procedure" {
  # Seed data
  exec {
    sql = <<-SQL
      INSERT INTO sales (id, sale_amount, sale_date) VALUES
      (1, 150.00, '2024-07-18'),
      (2, 200.00, '2024-06-20'),
      (1, 350.00, '2024-07-10');
    SQL
  }
  for_each = [
    { cutoff_date: "2024-07-18", expected_archived: "2", expected_remaining: "1" },
    { cutoff_date: "2024-08-01", expected_archived: "3", expected_remaining: "0" }
  ]

  # Execute the procedure with the current test case cutoff date
  exec {
    sql = "CALL archive_old_sales('${each.value.cutoff_date}')"
  }

  # Verify data in archive_sales table
  exec {
    sql = "SELECT COUNT(*) FROM archive_sales WHERE sale_date < '${each.value.cutoff_date}'"
    output = each.value.expected_archived
  }

  # Verify data in sales table
  exec {
    sql = "SELECT COUNT(*) FROM sales"
    output = each.value.expected_remaining
  }

  log {
    message = "Testing cutoff date:  ${each.value.cutoff_date} - Expected Archived: ${each.value.expected_archived}, Expected Remaining: ${each.value.expected_remaining}"
  }
}
