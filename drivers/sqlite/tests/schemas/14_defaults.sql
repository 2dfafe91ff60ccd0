CREATE TABLE d (
  a integer DEFAULT 0,
  b integer DEFAULT -1,
  c real DEFAULT 1.5e3,
  d text DEFAULT 'it''s',
  e text DEFAULT NULL,
  f datetime DEFAULT CURRENT_TIMESTAMP,
  g date DEFAULT CURRENT_DATE,
  h time DEFAULT CURRENT_TIME,
  i integer DEFAULT (1 + 2),
  j text DEFAULT (datetime('now', 'localtime')),
  k blob DEFAULT X'00FF',
  l boolean DEFAULT TRUE,
  m integer DEFAULT 0x1F,
  n text DEFAULT (lower('ABC'))
);
