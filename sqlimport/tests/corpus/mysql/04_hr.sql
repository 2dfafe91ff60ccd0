-- atlas:delimiter //

-- Human resources, written for Atlas with a custom delimiter: departments and employees
-- referencing each other (the department head is an employee), salary history, audit
-- triggers, a function and procedures.

CREATE TABLE departments (
  id SMALLINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(100) NOT NULL UNIQUE,
  head_id INT UNSIGNED NULL
) ENGINE=InnoDB//

CREATE TABLE employees (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  department_id SMALLINT UNSIGNED NOT NULL,
  manager_id INT UNSIGNED NULL,
  full_name VARCHAR(200) NOT NULL,
  hired_on DATE NOT NULL,
  level ENUM('junior', 'mid', 'senior', 'principal') NOT NULL DEFAULT 'junior',
  skills SET('sql', 'rust', 'go', 'ops', 'design') NOT NULL DEFAULT '',
  CONSTRAINT fk_employees_department FOREIGN KEY (department_id) REFERENCES departments (id),
  CONSTRAINT fk_employees_manager FOREIGN KEY (manager_id) REFERENCES employees (id) ON DELETE SET NULL
) ENGINE=InnoDB//

ALTER TABLE departments
  ADD CONSTRAINT fk_departments_head FOREIGN KEY (head_id) REFERENCES employees (id) ON DELETE SET NULL//

CREATE TABLE salaries (
  employee_id INT UNSIGNED NOT NULL,
  from_date DATE NOT NULL,
  to_date DATE NULL,
  amount DECIMAL(10,2) NOT NULL CHECK (amount > 0),
  PRIMARY KEY (employee_id, from_date),
  CONSTRAINT fk_salaries_employee FOREIGN KEY (employee_id) REFERENCES employees (id) ON DELETE CASCADE
) ENGINE=InnoDB//

CREATE TABLE salary_audit (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  employee_id INT UNSIGNED NOT NULL,
  old_amount DECIMAL(10,2) NULL,
  new_amount DECIMAL(10,2) NOT NULL,
  changed_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
) ENGINE=InnoDB//

CREATE TRIGGER salaries_audit_insert AFTER INSERT ON salaries FOR EACH ROW
BEGIN
  INSERT INTO salary_audit (employee_id, old_amount, new_amount)
  VALUES (NEW.employee_id, NULL, NEW.amount);
END//

CREATE TRIGGER salaries_audit_update AFTER UPDATE ON salaries FOR EACH ROW
BEGIN
  IF NEW.amount <> OLD.amount THEN
    INSERT INTO salary_audit (employee_id, old_amount, new_amount)
    VALUES (NEW.employee_id, OLD.amount, NEW.amount);
  END IF;
END//

CREATE TRIGGER salaries_count_updates AFTER UPDATE ON salaries FOR EACH ROW
FOLLOWS salaries_audit_update
SET @salary_updates = COALESCE(@salary_updates, 0) + 1//

CREATE FUNCTION current_salary(emp INT UNSIGNED) RETURNS DECIMAL(10,2)
READS SQL DATA
BEGIN
  DECLARE result DECIMAL(10,2);
  SELECT amount INTO result FROM salaries
   WHERE employee_id = emp AND to_date IS NULL
   ORDER BY from_date DESC LIMIT 1;
  RETURN result;
END//

CREATE PROCEDURE give_raise(IN emp INT UNSIGNED, IN percent DECIMAL(5,2))
MODIFIES SQL DATA
BEGIN
  DECLARE now_amount DECIMAL(10,2);
  SET now_amount = current_salary(emp);
  IF now_amount IS NULL THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'no current salary';
  END IF;
  UPDATE salaries SET to_date = CURRENT_DATE WHERE employee_id = emp AND to_date IS NULL;
  INSERT INTO salaries (employee_id, from_date, amount)
  VALUES (emp, CURRENT_DATE + INTERVAL 1 DAY, ROUND(now_amount * (1 + percent / 100), 2));
END//

CREATE VIEW department_payroll AS
  SELECT d.name AS department, COUNT(e.id) AS headcount, SUM(current_salary(e.id)) AS payroll
  FROM departments d LEFT JOIN employees e ON e.department_id = d.id
  GROUP BY d.name//

CREATE VIEW org_chart AS
  SELECT e.full_name AS employee, m.full_name AS manager, d.name AS department
  FROM employees e
  LEFT JOIN employees m ON m.id = e.manager_id
  JOIN departments d ON d.id = e.department_id//

CREATE INDEX idx_employees_level ON employees (level, hired_on)//

INSERT INTO departments (name) VALUES ('Engineering'), ('Finance')//
INSERT INTO employees (department_id, full_name, hired_on, level, skills)
  VALUES (1, 'Grace Hopper', '2020-01-06', 'principal', 'sql,design')//
INSERT INTO salaries (employee_id, from_date, amount) VALUES (1, '2020-01-06', 9000.00)//
