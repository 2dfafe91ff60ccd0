CREATE TABLE accounts (id integer PRIMARY KEY, balance integer NOT NULL DEFAULT 0, updated text);
CREATE TABLE audit (id integer PRIMARY KEY, account_id integer, delta integer);
CREATE TRIGGER accounts_audit AFTER UPDATE OF balance ON accounts
FOR EACH ROW WHEN NEW.balance <> OLD.balance
BEGIN
  INSERT INTO audit (account_id, delta) VALUES (NEW.id, NEW.balance - OLD.balance);
END;
CREATE TRIGGER accounts_touch BEFORE INSERT ON accounts BEGIN SELECT 1; END;
