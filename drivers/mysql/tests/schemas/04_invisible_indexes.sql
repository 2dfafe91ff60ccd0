CREATE TABLE items (
  id INT NOT NULL AUTO_INCREMENT,
  sku VARCHAR(64) NOT NULL,
  name VARCHAR(255) NOT NULL,
  descr TEXT,
  secret INT INVISIBLE,
  ranking INT NOT NULL DEFAULT 0,
  PRIMARY KEY (id),
  KEY items_name_prefix (name(10)),
  KEY items_rank_desc (ranking DESC, id),
  FULLTEXT KEY items_ft (name, descr),
  UNIQUE KEY items_sku (sku) COMMENT 'business key',
  KEY items_hidden (ranking) IGNORED
) ENGINE=InnoDB;
