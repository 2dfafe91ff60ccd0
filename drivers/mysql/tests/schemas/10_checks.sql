CREATE TABLE accounts (
  id INT PRIMARY KEY,
  balance DECIMAL(10,2) NOT NULL CHECK (balance >= 0),
  lo INT, hi INT,
  CONSTRAINT lo_le_hi CHECK (lo <= hi),
  CHECK (hi < 1000)
);
