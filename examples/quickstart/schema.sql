-- A small blog: the desired schema of the quickstart (SQLite).

CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CHECK (length(email) > 3)
);

CREATE TABLE posts (
  id INTEGER PRIMARY KEY,
  author_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  title TEXT NOT NULL,
  body TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
  comment_count INTEGER NOT NULL DEFAULT 0,
  published_at TEXT
);

CREATE INDEX posts_author_idx ON posts (author_id, published_at);

CREATE TABLE comments (
  id INTEGER PRIMARY KEY,
  post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
  author_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
  body TEXT NOT NULL
);

CREATE INDEX comments_post_idx ON comments (post_id);

CREATE VIEW published_posts AS
  SELECT p.id, p.title, u.display_name AS author, p.published_at
  FROM posts p JOIN users u ON u.id = p.author_id
  WHERE p.status = 'published';

CREATE TRIGGER comments_count_insert AFTER INSERT ON comments
BEGIN
  UPDATE posts SET comment_count = comment_count + 1 WHERE id = NEW.post_id;
END;
