CREATE TABLE m (id integer NOT NULL, a text NOT NULL DEFAULT '', b integer NOT NULL DEFAULT 7, c text NULL);
