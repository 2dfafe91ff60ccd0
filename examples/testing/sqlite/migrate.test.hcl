# SQLite data migration test: migrate to version A, seed, migrate to version B, assert the
# backfilled rows. Run: mercator migrate test --dir file://migrations migrate.test.hcl

test "migrate" "split_name_backfill" {
  migrate {
    to = "20260301000000"
  }
  exec {
    sql = "INSERT INTO users (id, name) VALUES (1, 'Ada Lovelace'), (2, 'Grace Brewster Hopper'), (3, 'Plato')"
  }
  migrate {
    to = "20260302000000"
  }
  exec {
    sql    = "SELECT id, first_name, last_name FROM users ORDER BY id"
    format = table
    output = <<-TAB
      id | first_name | last_name
      ---+------------+-----------------
      1  | Ada        | Lovelace
      2  | Grace      | Brewster Hopper
      3  | Plato      |
    TAB
  }
  log {
    message = "backfilled ${3} users"
  }
}

# Each case starts from an empty database: nothing is left from the case above.
test "migrate" "starts_empty" {
  migrate {
    to = "20260301000000"
  }
  assert {
    sql = "SELECT count(*) = 0 FROM users"
  }
}
