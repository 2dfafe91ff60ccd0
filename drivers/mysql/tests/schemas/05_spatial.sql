CREATE TABLE places (
  id INT PRIMARY KEY,
  pos POINT NOT NULL,
  area POLYGON,
  shape GEOMETRY,
  SPATIAL KEY places_pos (pos)
);
