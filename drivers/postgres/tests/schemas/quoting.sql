create table "Order" ("Id" int primary key, "select" text, "weird""name" text, "CamelCase" int unique);
create index "Idx With Space" on "Order" ("select");
create table "user" (id int primary key, "order" int references "Order" ("Id"));
create view "My View" as select "Id", "select" from "Order";
create type "Type.Dot" as enum ('x');
