CREATE TABLE "order items" ("select" integer PRIMARY KEY, "group" text, "from""quote" text, [bracket col] int, `tick col` real);
CREATE INDEX "idx on ""items""" ON "order items" ("group", "from""quote");
CREATE VIEW "my view" AS SELECT "select", "group" FROM "order items";
