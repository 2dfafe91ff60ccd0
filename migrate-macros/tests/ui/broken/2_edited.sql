CREATE TABLE pets (id int);
