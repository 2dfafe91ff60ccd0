-- Inventory with foreign keys enforced: lookup rows loaded before the rows that point at
-- them, an audit trigger, views on views, and an upsert inside a trigger body.

PRAGMA foreign_keys = ON;

CREATE TABLE units (
    code TEXT PRIMARY KEY,
    label TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE categories (
    id INTEGER PRIMARY KEY,
    parent_id INTEGER REFERENCES categories (id),
    name TEXT NOT NULL
);

CREATE TABLE items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sku TEXT NOT NULL UNIQUE,
    category_id INTEGER NOT NULL REFERENCES categories (id),
    unit TEXT NOT NULL REFERENCES units (code),
    reorder_level INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE warehouses (
    id INTEGER PRIMARY KEY,
    city TEXT NOT NULL
);

CREATE TABLE stock (
    item_id INTEGER NOT NULL REFERENCES items (id),
    warehouse_id INTEGER NOT NULL REFERENCES warehouses (id),
    quantity INTEGER NOT NULL DEFAULT 0 CHECK (quantity >= 0),
    PRIMARY KEY (item_id, warehouse_id)
);

CREATE TABLE stock_log (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL,
    warehouse_id INTEGER NOT NULL,
    delta INTEGER NOT NULL,
    at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE totals (
    item_id INTEGER PRIMARY KEY,
    quantity INTEGER NOT NULL
);

CREATE TRIGGER stock_changed AFTER UPDATE OF quantity ON stock BEGIN
    INSERT INTO stock_log (item_id, warehouse_id, delta)
    VALUES (new.item_id, new.warehouse_id, new.quantity - old.quantity);
    INSERT INTO totals (item_id, quantity) VALUES (new.item_id, new.quantity - old.quantity)
    ON CONFLICT (item_id) DO UPDATE SET quantity = quantity + excluded.quantity;
END;

CREATE VIEW stock_levels AS
    SELECT i.sku, w.city, s.quantity, i.reorder_level
    FROM stock s
    JOIN items i ON i.id = s.item_id
    JOIN warehouses w ON w.id = s.warehouse_id;

CREATE VIEW to_reorder AS
    SELECT sku, city FROM stock_levels WHERE quantity <= reorder_level;

CREATE VIEW to_reorder_count AS
    SELECT city, COUNT(*) AS items FROM to_reorder GROUP BY city;

INSERT INTO units (code, label) VALUES ('pc', 'piece'), ('kg', 'kilogram');
INSERT INTO categories (id, parent_id, name) VALUES (1, NULL, 'Hardware');
INSERT INTO warehouses (id, city) VALUES (1, 'Turin'), (2, 'Lyon');
INSERT INTO items (sku, category_id, unit, reorder_level) VALUES ('BOLT-M6', 1, 'pc', 100);
INSERT INTO stock (item_id, warehouse_id, quantity) VALUES (1, 1, 250), (1, 2, 40);
