-- Rewrite rules on tables and views, with comments, quoting and a rule reading another
-- schema's table; the `_RETURN` rules of the views are the views themselves.
CREATE SCHEMA audit;
CREATE TABLE audit.log (id int, what text);
CREATE TABLE items (id int PRIMARY KEY, qty int, "Note" text);
CREATE VIEW item_view AS SELECT id, qty FROM items;
CREATE RULE item_ins AS ON INSERT TO item_view
    DO INSTEAD INSERT INTO items (id, qty) VALUES (new.id, new.qty);
CREATE RULE "Item Upd" AS ON UPDATE TO items WHERE new.qty <> old.qty
    DO ALSO INSERT INTO audit.log VALUES (new.id, 'qty');
CREATE RULE keep AS ON DELETE TO items WHERE old.qty > 100 DO INSTEAD NOTHING;
COMMENT ON RULE keep ON items IS 'large stocks stay';
