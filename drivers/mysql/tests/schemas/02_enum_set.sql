CREATE TABLE shirts (
  id INT PRIMARY KEY,
  size ENUM('xs','s','m','l','xl') NOT NULL DEFAULT 'm',
  colors SET('red','green','blue') DEFAULT 'red,blue',
  odd ENUM('it''s','a,b','') NULL
);
