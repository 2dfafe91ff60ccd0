CREATE TABLE parent2 (a integer, b integer, PRIMARY KEY (a, b));
CREATE TABLE child2 (id integer PRIMARY KEY, a integer, b integer, UNIQUE (a, b), FOREIGN KEY (a, b) REFERENCES parent2 (a, b) ON UPDATE CASCADE);
CREATE UNIQUE INDEX child2_ab_rev ON child2 (b, a);
