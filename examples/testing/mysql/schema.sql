-- The desired schema of the MySQL/MariaDB example suite (schema.test.hcl): a stored
-- procedure, a trigger and a check constraint.
CREATE TABLE sales (
  id          int NOT NULL,
  sale_amount decimal(10,2) NOT NULL,
  sale_date   date NOT NULL
);

CREATE TABLE archive_sales (
  id          int NOT NULL,
  sale_amount decimal(10,2) NOT NULL,
  sale_date   date NOT NULL
);

CREATE TABLE accounts (
  id      int NOT NULL PRIMARY KEY,
  balance decimal(10,2) NOT NULL,
  CONSTRAINT balance_not_negative CHECK (balance >= 0)
);

CREATE TABLE account_log (
  account_id int NOT NULL,
  delta      decimal(10,2) NOT NULL
);

DELIMITER //
-- Moves the sales before the cutoff date to archive_sales.
CREATE PROCEDURE archive_old_sales(IN cutoff_date date)
BEGIN
  INSERT INTO archive_sales (id, sale_amount, sale_date)
  SELECT id, sale_amount, sale_date FROM sales WHERE sale_date < cutoff_date;
  DELETE FROM sales WHERE sale_date < cutoff_date;
END//

-- Every balance change is logged.
CREATE TRIGGER accounts_log AFTER UPDATE ON accounts
FOR EACH ROW
BEGIN
  INSERT INTO account_log (account_id, delta) VALUES (NEW.id, NEW.balance - OLD.balance);
END//
DELIMITER ;
