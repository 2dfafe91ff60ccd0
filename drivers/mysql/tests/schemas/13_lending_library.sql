-- A lending-library schema of about the size of the classic sample databases:
-- 16 tables, views, triggers, functions and procedures.
CREATE TABLE country (
  country_id SMALLINT UNSIGNED NOT NULL AUTO_INCREMENT,
  name VARCHAR(60) NOT NULL,
  iso CHAR(2) NOT NULL,
  updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (country_id),
  UNIQUE KEY country_iso (iso)
) ENGINE=InnoDB;
CREATE TABLE city (
  city_id SMALLINT UNSIGNED NOT NULL AUTO_INCREMENT,
  name VARCHAR(60) NOT NULL,
  country_id SMALLINT UNSIGNED NOT NULL,
  updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (city_id),
  KEY city_country (country_id),
  CONSTRAINT city_country_fk FOREIGN KEY (country_id) REFERENCES country (country_id) ON UPDATE CASCADE
);
CREATE TABLE address (
  address_id SMALLINT UNSIGNED NOT NULL AUTO_INCREMENT,
  line1 VARCHAR(80) NOT NULL,
  line2 VARCHAR(80) DEFAULT NULL,
  postal_code VARCHAR(12) DEFAULT NULL,
  city_id SMALLINT UNSIGNED NOT NULL,
  phone VARCHAR(24) NOT NULL DEFAULT '',
  location POINT NOT NULL,
  PRIMARY KEY (address_id),
  KEY address_city (city_id),
  SPATIAL KEY address_location (location),
  CONSTRAINT address_city_fk FOREIGN KEY (city_id) REFERENCES city (city_id) ON UPDATE CASCADE
);
CREATE TABLE branch (
  branch_id TINYINT UNSIGNED NOT NULL AUTO_INCREMENT,
  name VARCHAR(80) NOT NULL,
  address_id SMALLINT UNSIGNED NOT NULL,
  opened DATE NOT NULL,
  PRIMARY KEY (branch_id),
  UNIQUE KEY branch_name (name),
  CONSTRAINT branch_address_fk FOREIGN KEY (address_id) REFERENCES address (address_id)
);
CREATE TABLE staff (
  staff_id TINYINT UNSIGNED NOT NULL AUTO_INCREMENT,
  first_name VARCHAR(45) NOT NULL,
  last_name VARCHAR(45) NOT NULL,
  email VARCHAR(120) DEFAULT NULL,
  branch_id TINYINT UNSIGNED NOT NULL,
  active TINYINT(1) NOT NULL DEFAULT 1,
  username VARCHAR(16) NOT NULL,
  password_hash VARBINARY(64) DEFAULT NULL,
  picture BLOB,
  PRIMARY KEY (staff_id),
  KEY staff_branch (branch_id),
  CONSTRAINT staff_branch_fk FOREIGN KEY (branch_id) REFERENCES branch (branch_id)
);
CREATE TABLE member (
  member_id INT UNSIGNED NOT NULL AUTO_INCREMENT,
  branch_id TINYINT UNSIGNED NOT NULL,
  first_name VARCHAR(45) NOT NULL,
  last_name VARCHAR(45) NOT NULL,
  email VARCHAR(120) DEFAULT NULL,
  address_id SMALLINT UNSIGNED NOT NULL,
  status ENUM('active','suspended','closed') NOT NULL DEFAULT 'active',
  joined DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  preferences JSON,
  PRIMARY KEY (member_id),
  KEY member_last_name (last_name),
  KEY member_branch (branch_id),
  KEY member_address (address_id),
  CONSTRAINT member_branch_fk FOREIGN KEY (branch_id) REFERENCES branch (branch_id),
  CONSTRAINT member_address_fk FOREIGN KEY (address_id) REFERENCES address (address_id)
) AUTO_INCREMENT=5000;
CREATE TABLE language (
  language_id TINYINT UNSIGNED NOT NULL AUTO_INCREMENT,
  name CHAR(20) NOT NULL,
  PRIMARY KEY (language_id)
);
CREATE TABLE publisher (
  publisher_id SMALLINT UNSIGNED NOT NULL AUTO_INCREMENT,
  name VARCHAR(120) NOT NULL,
  country_id SMALLINT UNSIGNED DEFAULT NULL,
  PRIMARY KEY (publisher_id),
  CONSTRAINT publisher_country_fk FOREIGN KEY (country_id) REFERENCES country (country_id) ON DELETE SET NULL
);
CREATE TABLE author (
  author_id SMALLINT UNSIGNED NOT NULL AUTO_INCREMENT,
  first_name VARCHAR(45) NOT NULL,
  last_name VARCHAR(45) NOT NULL,
  born YEAR DEFAULT NULL,
  PRIMARY KEY (author_id),
  KEY author_name (last_name, first_name)
);
CREATE TABLE genre (
  genre_id TINYINT UNSIGNED NOT NULL AUTO_INCREMENT,
  name VARCHAR(25) NOT NULL,
  parent_id TINYINT UNSIGNED DEFAULT NULL,
  PRIMARY KEY (genre_id),
  CONSTRAINT genre_parent_fk FOREIGN KEY (parent_id) REFERENCES genre (genre_id)
);
CREATE TABLE title (
  title_id SMALLINT UNSIGNED NOT NULL AUTO_INCREMENT,
  name VARCHAR(255) NOT NULL,
  summary TEXT,
  published YEAR DEFAULT NULL,
  language_id TINYINT UNSIGNED NOT NULL,
  publisher_id SMALLINT UNSIGNED DEFAULT NULL,
  loan_days TINYINT UNSIGNED NOT NULL DEFAULT 21,
  late_fee DECIMAL(5,2) NOT NULL DEFAULT 0.25,
  pages SMALLINT UNSIGNED DEFAULT NULL,
  audience ENUM('children','young adult','adult') DEFAULT 'adult',
  formats SET('print','ebook','audio') DEFAULT 'print',
  updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (title_id),
  KEY title_name (name(32)),
  FULLTEXT KEY title_text (name, summary),
  CONSTRAINT title_language_fk FOREIGN KEY (language_id) REFERENCES language (language_id),
  CONSTRAINT title_publisher_fk FOREIGN KEY (publisher_id) REFERENCES publisher (publisher_id) ON DELETE SET NULL,
  CONSTRAINT title_pages_positive CHECK (pages IS NULL OR pages > 0)
);
CREATE TABLE title_author (
  title_id SMALLINT UNSIGNED NOT NULL,
  author_id SMALLINT UNSIGNED NOT NULL,
  position TINYINT UNSIGNED NOT NULL DEFAULT 1,
  PRIMARY KEY (title_id, author_id),
  KEY title_author_author (author_id),
  CONSTRAINT ta_title_fk FOREIGN KEY (title_id) REFERENCES title (title_id) ON DELETE CASCADE,
  CONSTRAINT ta_author_fk FOREIGN KEY (author_id) REFERENCES author (author_id) ON DELETE CASCADE
);
CREATE TABLE title_genre (
  title_id SMALLINT UNSIGNED NOT NULL,
  genre_id TINYINT UNSIGNED NOT NULL,
  PRIMARY KEY (title_id, genre_id),
  CONSTRAINT tg_title_fk FOREIGN KEY (title_id) REFERENCES title (title_id) ON DELETE CASCADE,
  CONSTRAINT tg_genre_fk FOREIGN KEY (genre_id) REFERENCES genre (genre_id)
);
CREATE TABLE copy (
  copy_id MEDIUMINT UNSIGNED NOT NULL AUTO_INCREMENT,
  title_id SMALLINT UNSIGNED NOT NULL,
  branch_id TINYINT UNSIGNED NOT NULL,
  barcode CHAR(13) NOT NULL,
  acquired DATE DEFAULT NULL,
  condition_note VARCHAR(200) DEFAULT NULL INVISIBLE,
  PRIMARY KEY (copy_id),
  UNIQUE KEY copy_barcode (barcode),
  KEY copy_title_branch (title_id, branch_id),
  CONSTRAINT copy_title_fk FOREIGN KEY (title_id) REFERENCES title (title_id),
  CONSTRAINT copy_branch_fk FOREIGN KEY (branch_id) REFERENCES branch (branch_id)
);
CREATE TABLE loan (
  loan_id INT NOT NULL AUTO_INCREMENT,
  loaned_at DATETIME NOT NULL,
  copy_id MEDIUMINT UNSIGNED NOT NULL,
  member_id INT UNSIGNED NOT NULL,
  returned_at DATETIME DEFAULT NULL,
  due_at DATETIME NOT NULL,
  staff_id TINYINT UNSIGNED NOT NULL,
  overdue_days INT AS (IF(returned_at IS NULL, NULL, GREATEST(DATEDIFF(returned_at, due_at), 0))) VIRTUAL,
  PRIMARY KEY (loan_id),
  UNIQUE KEY loan_copy_time (loaned_at, copy_id, member_id),
  KEY loan_copy (copy_id),
  KEY loan_member (member_id),
  KEY loan_recent (loaned_at DESC),
  CONSTRAINT loan_copy_fk FOREIGN KEY (copy_id) REFERENCES copy (copy_id),
  CONSTRAINT loan_member_fk FOREIGN KEY (member_id) REFERENCES member (member_id),
  CONSTRAINT loan_staff_fk FOREIGN KEY (staff_id) REFERENCES staff (staff_id),
  CONSTRAINT loan_due_after CHECK (due_at > loaned_at)
);
CREATE TABLE fee (
  fee_id INT UNSIGNED NOT NULL AUTO_INCREMENT,
  member_id INT UNSIGNED NOT NULL,
  loan_id INT DEFAULT NULL,
  amount DECIMAL(6,2) NOT NULL,
  charged_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  paid TINYINT(1) NOT NULL DEFAULT 0,
  PRIMARY KEY (fee_id),
  KEY fee_member (member_id),
  CONSTRAINT fee_member_fk FOREIGN KEY (member_id) REFERENCES member (member_id),
  CONSTRAINT fee_loan_fk FOREIGN KEY (loan_id) REFERENCES loan (loan_id) ON DELETE SET NULL
);
CREATE VIEW title_list AS
  SELECT t.title_id, t.name AS title, l.name AS language, p.name AS publisher
  FROM title t JOIN language l ON l.language_id = t.language_id
  LEFT JOIN publisher p ON p.publisher_id = t.publisher_id;
CREATE VIEW open_loans AS
  SELECT lo.loan_id, lo.copy_id, m.member_id, CONCAT(m.first_name, ' ', m.last_name) AS member_name, lo.due_at
  FROM loan lo JOIN member m ON m.member_id = lo.member_id
  WHERE lo.returned_at IS NULL;
CREATE VIEW branch_stock AS
  SELECT b.name AS branch, COUNT(c.copy_id) AS copies
  FROM branch b LEFT JOIN copy c ON c.branch_id = b.branch_id GROUP BY b.name;
CREATE VIEW overdue_loans AS SELECT * FROM open_loans WHERE due_at < '2000-01-01';
-- atlas:delimiter //
CREATE FUNCTION member_balance(p_member INT UNSIGNED) RETURNS DECIMAL(8,2)
READS SQL DATA
BEGIN
  DECLARE total DECIMAL(8,2);
  SELECT COALESCE(SUM(amount), 0) INTO total FROM fee WHERE member_id = p_member AND paid = 0;
  RETURN total;
END //
CREATE FUNCTION copy_available(p_copy MEDIUMINT UNSIGNED) RETURNS TINYINT(1)
READS SQL DATA
BEGIN
  DECLARE open_count INT;
  SELECT COUNT(*) INTO open_count FROM loan WHERE copy_id = p_copy AND returned_at IS NULL;
  RETURN open_count = 0;
END //
CREATE PROCEDURE copies_in_branch(IN p_title SMALLINT UNSIGNED, IN p_branch TINYINT UNSIGNED, OUT p_count INT)
READS SQL DATA
BEGIN
  SELECT COUNT(*) INTO p_count FROM copy WHERE title_id = p_title AND branch_id = p_branch;
END //
CREATE PROCEDURE close_member(IN p_member INT UNSIGNED)
MODIFIES SQL DATA
SQL SECURITY INVOKER
COMMENT 'close an account'
BEGIN
  UPDATE member SET status = 'closed' WHERE member_id = p_member;
END //
CREATE TRIGGER loan_default_due BEFORE INSERT ON loan FOR EACH ROW
BEGIN
  IF NEW.due_at IS NULL OR NEW.due_at <= NEW.loaned_at THEN
    SET NEW.due_at = NEW.loaned_at + INTERVAL 21 DAY;
  END IF;
END //
CREATE TRIGGER fee_on_return AFTER UPDATE ON loan FOR EACH ROW
BEGIN
  IF NEW.returned_at IS NOT NULL AND OLD.returned_at IS NULL AND NEW.returned_at > NEW.due_at THEN
    INSERT INTO fee (member_id, loan_id, amount) VALUES (NEW.member_id, NEW.loan_id, DATEDIFF(NEW.returned_at, NEW.due_at) * 0.25);
  END IF;
END //
CREATE TRIGGER member_email_lower BEFORE INSERT ON member FOR EACH ROW SET NEW.email = LOWER(NEW.email) //
