CREATE TABLE docs (id integer PRIMARY KEY, body text, body_len integer GENERATED ALWAYS AS (length(body)) VIRTUAL);
CREATE INDEX docs_len ON docs (body_len);
CREATE INDEX docs_prefix ON docs (substr(body, 1, 10)) WHERE body IS NOT NULL;
