# SQLite plan test: the plan's starting state, seed rows, the plan applied, its backfill
# checked. Run: mercator schema plan test plan.test.hcl

test "plan" "add_status" {
  schema {
    url = "file://snapshots/v1.sql"
  }
  exec {
    sql = "INSERT INTO tasks (id, title, done) VALUES (1, 'write tests', 1), (2, 'ship', 0)"
  }
  apply {
    url = "file://plans/add_status.plan.hcl"
  }
  exec {
    sql    = "SELECT id, status FROM tasks ORDER BY id"
    output = "1,done\n2,open"
  }
}
