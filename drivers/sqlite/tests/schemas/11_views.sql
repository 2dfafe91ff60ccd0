CREATE TABLE t (a integer, b text);
CREATE VIEW v1 AS SELECT a, b FROM t WHERE a > 1;
CREATE VIEW v2 (x, y) AS SELECT a, upper(b) FROM t;
CREATE VIEW v3 AS SELECT x FROM v2;
