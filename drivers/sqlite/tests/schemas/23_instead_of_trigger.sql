CREATE TABLE items (id integer PRIMARY KEY, name text);
CREATE VIEW items_view AS SELECT id, name FROM items;
CREATE TRIGGER items_view_insert INSTEAD OF INSERT ON items_view
BEGIN
  INSERT INTO items (id, name) VALUES (NEW.id, NEW.name);
END;
