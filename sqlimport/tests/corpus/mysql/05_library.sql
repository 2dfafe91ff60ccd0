-- A lending library: books, copies, members and loans with a foreign-key cycle between
-- members and their current library card, routine and column names written in mixed case
-- (case-insensitive in MySQL; table names are not on every server), and stored routines
-- guarding the loan rules.

CREATE TABLE Authors (
  AuthorID INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  Name VARCHAR(200) NOT NULL
) ENGINE=InnoDB;

CREATE TABLE books (
  isbn CHAR(13) NOT NULL PRIMARY KEY,
  title VARCHAR(300) NOT NULL,
  author_id INT UNSIGNED NOT NULL,
  genre ENUM('fiction', 'nonfiction', 'poetry', 'reference') NOT NULL,
  tags SET('classic', 'new', 'staff-pick', 'award') NOT NULL DEFAULT '',
  CONSTRAINT fk_books_author FOREIGN KEY (author_id) REFERENCES Authors (AuthorID)
) ENGINE=InnoDB;

CREATE TABLE copies (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  isbn CHAR(13) NOT NULL,
  shelf VARCHAR(10) NOT NULL,
  CONSTRAINT fk_copies_book FOREIGN KEY (isbn) REFERENCES books (isbn)
) ENGINE=InnoDB;

CREATE TABLE members (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(200) NOT NULL,
  card_id INT UNSIGNED NULL
) ENGINE=InnoDB;

CREATE TABLE cards (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  member_id INT UNSIGNED NOT NULL,
  issued_on DATE NOT NULL,
  revoked BOOLEAN NOT NULL DEFAULT FALSE,
  CONSTRAINT fk_cards_member FOREIGN KEY (member_id) REFERENCES members (id) ON DELETE CASCADE
) ENGINE=InnoDB;

ALTER TABLE members ADD CONSTRAINT fk_members_card FOREIGN KEY (card_id) REFERENCES cards (id) ON DELETE SET NULL;

CREATE TABLE loans (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  copy_id INT UNSIGNED NOT NULL,
  card_id INT UNSIGNED NOT NULL,
  lent_on DATE NOT NULL,
  due_on DATE NOT NULL,
  returned_on DATE NULL,
  CONSTRAINT fk_loans_copy FOREIGN KEY (copy_id) REFERENCES copies (id),
  CONSTRAINT fk_loans_card FOREIGN KEY (card_id) REFERENCES cards (id),
  CONSTRAINT chk_loans_due CHECK (due_on >= lent_on)
) ENGINE=InnoDB;

DELIMITER $$
CREATE FUNCTION copy_available(p_copy INT UNSIGNED) RETURNS BOOLEAN
READS SQL DATA
BEGIN
  RETURN NOT EXISTS (SELECT 1 FROM loans WHERE copy_id = p_copy AND returned_on IS NULL);
END$$

CREATE TRIGGER loans_check BEFORE INSERT ON loans FOR EACH ROW
BEGIN
  IF NOT copy_available(NEW.copy_id) THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'copy is on loan';
  END IF;
  IF (SELECT revoked FROM cards WHERE id = NEW.card_id) THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'card revoked';
  END IF;
END$$

CREATE PROCEDURE lend(IN p_copy INT UNSIGNED, IN p_card INT UNSIGNED)
MODIFIES SQL DATA
BEGIN
  INSERT INTO loans (copy_id, card_id, lent_on, due_on)
  VALUES (p_copy, p_card, CURRENT_DATE, CURRENT_DATE + INTERVAL 21 DAY);
END$$
DELIMITER ;

CREATE VIEW Available_Copies AS
  SELECT c.id, b.title, a.Name AS author, c.shelf
  FROM copies c
  JOIN books b ON b.isbn = c.isbn
  JOIN Authors a ON a.authorid = b.author_id
  WHERE Copy_Available(c.id);

CREATE VIEW overdue AS
  SELECT l.id, m.name, b.title, l.due_on
  FROM loans l
  JOIN cards k ON k.id = l.card_id
  JOIN members m ON m.id = k.member_id
  JOIN copies c ON c.id = l.copy_id
  JOIN books b ON b.isbn = c.isbn
  WHERE l.returned_on IS NULL AND l.due_on < CURRENT_DATE;

CREATE INDEX idx_books_title ON books (title(50));
CREATE INDEX idx_loans_open ON loans (returned_on, due_on);

INSERT INTO Authors (name) VALUES ('Italo Calvino'), ('Ursula K. Le Guin');
INSERT INTO books (isbn, title, author_id, genre, tags)
  VALUES ('9780156439619', 'Invisible Cities', 1, 'fiction', 'classic'),
         ('9780441478125', 'The Left Hand of Darkness', 2, 'fiction', 'classic,award');
INSERT INTO copies (isbn, shelf) VALUES ('9780156439619', 'C-12'), ('9780441478125', 'L-03');
