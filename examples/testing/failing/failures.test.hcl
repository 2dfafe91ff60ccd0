# Every test here fails on purpose (see README.md).

test "schema" "wrong_output" {
  exec {
    sql = "INSERT INTO items (id, name) VALUES (1, 'apple'), (2, 'pear')"
  }
  exec {
    sql    = "SELECT id, name FROM items ORDER BY id"
    output = "1,apple\n2,peach"
  }
}

test "schema" "false_assertion" {
  assert {
    sql           = "SELECT count(*) = 1 FROM items"
    error_message = "expected exactly one item"
  }
}

test "schema" "error_did_not_happen" {
  exec {
    sql = "INSERT INTO items (id, name) VALUES (1, 'apple')"
  }
  catch {
    sql   = "INSERT INTO items (id, name) VALUES (2, 'pear')"
    error = "UNIQUE constraint failed"
  }
}

test "schema" "wrong_error" {
  catch {
    sql   = "INSERT INTO items (id) VALUES (1)"
    error = "UNIQUE constraint failed"
  }
}

test "schema" "external_exits_non_zero" {
  external {
    program = "sh"
    args    = ["-c", "echo checking \"$MERCATOR_TEST_URL\"; echo 'no rows in items' >&2; exit 3"]
  }
}

test "schema" "passes" {
  log {
    message = "a passing test among the failing ones"
  }
}
