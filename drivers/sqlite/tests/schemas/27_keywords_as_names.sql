CREATE TABLE "table" ("index" integer PRIMARY KEY, "primary" text, "check" text CHECK ("check" <> ''), "references" integer);
CREATE INDEX "unique" ON "table" ("primary");
