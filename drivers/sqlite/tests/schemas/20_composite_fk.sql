CREATE TABLE regions (country text NOT NULL, code text NOT NULL, name text, PRIMARY KEY (country, code));
CREATE TABLE stores (id integer PRIMARY KEY, country text, code text, FOREIGN KEY (country, code) REFERENCES regions (country, code) ON DELETE CASCADE);
CREATE INDEX stores_region ON stores (country, code);
