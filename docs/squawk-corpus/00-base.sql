-- The state every case starts from (replayed by Mercator, not linted).
CREATE SCHEMA archive;
CREATE TABLE archive.old_orders (id bigint PRIMARY KEY);
CREATE TABLE users (id bigint PRIMARY KEY, email text, name varchar(100), age int, created_at timestamptz);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, total numeric(10,2), status text);
CREATE INDEX orders_status ON orders (status);
ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);
CREATE TABLE accounts (id bigint NOT NULL, owner text);
CREATE TABLE events (id bigint PRIMARY KEY, payload jsonb, kind text);
CREATE TYPE mood AS ENUM ('sad', 'ok');
