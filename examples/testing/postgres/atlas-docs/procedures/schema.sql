-- The schema of https://atlasgo.io/guides/testing/procedures, written as SQL.
CREATE TABLE sales (
  id          integer NOT NULL,
  sale_amount numeric NOT NULL,
  sale_date   date NOT NULL
);

CREATE TABLE archive_sales (
  id          integer NOT NULL,
  sale_amount integer NOT NULL,
  sale_date   date NOT NULL
);

CREATE PROCEDURE archive_old_sales(cutoff_date date)
LANGUAGE plpgsql AS $$
BEGIN
    -- Insert old sales into archive_sales
INSERT INTO archive_sales (id, sale_amount, sale_date)
SELECT id, sale_amount, sale_date
FROM sales
WHERE sale_date < cutoff_date;

-- Delete old sales from sales
DELETE FROM sales
WHERE sale_date < cutoff_date;
END;
$$;
