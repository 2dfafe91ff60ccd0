CREATE TABLE users (
  id int NOT NULL AUTO_INCREMENT,
  email varchar(255) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY users_email (email)
);

CREATE TABLE posts (
  id int NOT NULL AUTO_INCREMENT,
  user_id int NOT NULL,
  title varchar(200) NOT NULL DEFAULT '',
  PRIMARY KEY (id),
  KEY posts_user (user_id),
  CONSTRAINT posts_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE TABLE tags (
  id int NOT NULL AUTO_INCREMENT,
  name varchar(50) NOT NULL,
  PRIMARY KEY (id)
);

CREATE TABLE post_tags (
  post_id int NOT NULL,
  tag_id int NOT NULL,
  PRIMARY KEY (post_id, tag_id),
  CONSTRAINT post_tags_post_fk FOREIGN KEY (post_id) REFERENCES posts (id),
  CONSTRAINT post_tags_tag_fk FOREIGN KEY (tag_id) REFERENCES tags (id)
);

CREATE INDEX tags_name_idx ON tags (name);

CREATE VIEW post_counts AS SELECT user_id, count(*) AS n FROM posts GROUP BY user_id;

CREATE TRIGGER posts_trim BEFORE INSERT ON posts FOR EACH ROW SET NEW.title = TRIM(NEW.title);
