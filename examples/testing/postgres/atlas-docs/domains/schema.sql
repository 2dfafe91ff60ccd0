-- The schema of https://atlasgo.io/guides/testing/domains, written as SQL.
CREATE DOMAIN us_postal_code AS text
  CONSTRAINT us_postal_code_check CHECK ((VALUE ~ '^\d{5}$'::text) OR (VALUE ~ '^\d{5}-\d{4}$'::text));

CREATE TABLE users (
  id   integer NOT NULL,
  name text NOT NULL,
  zip  us_postal_code,
  PRIMARY KEY (id)
);
