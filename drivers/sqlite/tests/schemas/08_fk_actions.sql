CREATE TABLE authors (id integer PRIMARY KEY, name text);
CREATE TABLE books (
  id integer PRIMARY KEY,
  author_id integer REFERENCES authors (id) ON DELETE CASCADE ON UPDATE SET NULL,
  editor_id integer,
  reviewer_id integer,
  FOREIGN KEY (editor_id) REFERENCES authors (id) ON DELETE SET DEFAULT,
  CONSTRAINT books_reviewer FOREIGN KEY (reviewer_id) REFERENCES authors (id) ON DELETE RESTRICT
);
