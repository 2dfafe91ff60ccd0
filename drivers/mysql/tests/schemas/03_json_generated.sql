CREATE TABLE docs (
  id INT NOT NULL PRIMARY KEY,
  body JSON,
  meta JSON NOT NULL,
  title VARCHAR(100) AS (JSON_UNQUOTE(JSON_EXTRACT(body, '$.title'))) VIRTUAL,
  n INT NOT NULL DEFAULT 0,
  n2 INT AS (n * 2) STORED,
  KEY docs_title (title)
);
