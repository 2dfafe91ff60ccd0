CREATE TABLE rect (
  w real NOT NULL,
  h real NOT NULL,
  area real GENERATED ALWAYS AS (w * h) STORED,
  perimeter real AS (2 * (w + h)) VIRTUAL,
  label text AS ('r' || w || 'x' || h)
);
