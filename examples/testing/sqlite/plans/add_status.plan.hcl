plan "add_status" {
  from = "m1:ZEU3BXx4vYbTGc6ONUl28XUxqfcMkU4A2v0N54X0cBo="
  to = "m1:n/sSeh/7jL/hwJs01ueNe4eyNFOIRZvpa7V/EslP/8s="
  migration = <<-SQL
-- Add column "status" to table: "tasks"
ALTER TABLE "tasks" ADD COLUMN "status" text NOT NULL DEFAULT 'open';
-- Back-fill the status of finished tasks (reviewed edit: data only, same target schema)
UPDATE "tasks" SET "status" = 'done' WHERE "done" = 1;
  SQL
}
