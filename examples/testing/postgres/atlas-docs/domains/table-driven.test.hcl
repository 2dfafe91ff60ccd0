# Source: https://atlasgo.io/guides/testing/domains ("Table Driven Test")
test "schema" "us_postal_code_check_valid" {
  parallel = true
  for_each = [
    {input = "12345", expected = "valid"},
    {input = "12345-6789", expected = "valid"},
  ]
  log {
    message = "Testing postal code: ${each.value.input} -> Expected: ${each.value.expected}"
  }
  exec {
    sql = "SELECT '${each.value.input}'::us_postal_code"
  }
}

test "schema" "us_postal_code_check_invalid" {
  parallel = true
  for_each = [
    {input = "hello", expected = "invalid"},
    {input = "123", expected = "invalid"},
  ]
  log {
    message = "Testing postal code: ${each.value.input} -> Expected: ${each.value.expected}"
  }
  catch {
    sql = "SELECT '${each.value.input}'::us_postal_code"
  }
}
