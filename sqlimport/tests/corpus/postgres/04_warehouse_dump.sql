-- A warehouse schema in pg_dump's style: session settings, tables first, then sequences
-- owned by columns, defaults, primary keys, indexes and foreign keys as separate statements.

SET statement_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SET check_function_bodies = false;
SET client_min_messages = warning;

CREATE SCHEMA wh;

CREATE TYPE wh.unit AS ENUM (
    'piece',
    'kg',
    'litre'
);

CREATE FUNCTION wh.touch() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END;
$$;

CREATE TABLE wh.products (
    id integer NOT NULL,
    sku text NOT NULL,
    name text NOT NULL,
    unit wh.unit DEFAULT 'piece'::wh.unit NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE SEQUENCE wh.products_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE wh.products_id_seq OWNED BY wh.products.id;

CREATE TABLE wh.locations (
    id integer NOT NULL,
    code text NOT NULL,
    parent_id integer
);

CREATE SEQUENCE wh.locations_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE wh.locations_id_seq OWNED BY wh.locations.id;

CREATE TABLE wh.stock (
    product_id integer NOT NULL,
    location_id integer NOT NULL,
    quantity numeric(12,3) DEFAULT 0 NOT NULL,
    CONSTRAINT stock_quantity_check CHECK ((quantity >= (0)::numeric))
);

CREATE TABLE wh.movements (
    id bigint NOT NULL,
    product_id integer NOT NULL,
    from_location integer,
    to_location integer,
    quantity numeric(12,3) NOT NULL,
    moved_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE SEQUENCE wh.movements_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE wh.movements_id_seq OWNED BY wh.movements.id;

CREATE VIEW wh.stock_by_product AS
 SELECT p.sku,
    p.name,
    sum(s.quantity) AS total
   FROM (wh.products p
     JOIN wh.stock s ON ((s.product_id = p.id)))
  GROUP BY p.sku, p.name;

ALTER TABLE ONLY wh.products ALTER COLUMN id SET DEFAULT nextval('wh.products_id_seq'::regclass);
ALTER TABLE ONLY wh.locations ALTER COLUMN id SET DEFAULT nextval('wh.locations_id_seq'::regclass);
ALTER TABLE ONLY wh.movements ALTER COLUMN id SET DEFAULT nextval('wh.movements_id_seq'::regclass);

ALTER TABLE ONLY wh.products
    ADD CONSTRAINT products_pkey PRIMARY KEY (id);
ALTER TABLE ONLY wh.products
    ADD CONSTRAINT products_sku_key UNIQUE (sku);
ALTER TABLE ONLY wh.locations
    ADD CONSTRAINT locations_pkey PRIMARY KEY (id);
ALTER TABLE ONLY wh.stock
    ADD CONSTRAINT stock_pkey PRIMARY KEY (product_id, location_id);
ALTER TABLE ONLY wh.movements
    ADD CONSTRAINT movements_pkey PRIMARY KEY (id);

CREATE INDEX movements_moved_at_idx ON wh.movements USING btree (moved_at);
CREATE UNIQUE INDEX locations_code_idx ON wh.locations USING btree (lower(code));

CREATE TRIGGER products_touch BEFORE UPDATE ON wh.products FOR EACH ROW EXECUTE FUNCTION wh.touch();

ALTER TABLE ONLY wh.locations
    ADD CONSTRAINT locations_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES wh.locations(id);
ALTER TABLE ONLY wh.stock
    ADD CONSTRAINT stock_location_id_fkey FOREIGN KEY (location_id) REFERENCES wh.locations(id) ON DELETE CASCADE;
ALTER TABLE ONLY wh.stock
    ADD CONSTRAINT stock_product_id_fkey FOREIGN KEY (product_id) REFERENCES wh.products(id) ON DELETE CASCADE;
ALTER TABLE ONLY wh.movements
    ADD CONSTRAINT movements_product_id_fkey FOREIGN KEY (product_id) REFERENCES wh.products(id);
ALTER TABLE ONLY wh.movements
    ADD CONSTRAINT movements_from_location_fkey FOREIGN KEY (from_location) REFERENCES wh.locations(id);
ALTER TABLE ONLY wh.movements
    ADD CONSTRAINT movements_to_location_fkey FOREIGN KEY (to_location) REFERENCES wh.locations(id);

COMMENT ON CONSTRAINT stock_quantity_check ON wh.stock IS 'No negative stock';
COMMENT ON CONSTRAINT movements_product_id_fkey ON wh.movements IS 'Movements keep their product';
COMMENT ON TRIGGER products_touch ON wh.products IS 'Keeps updated_at current';
COMMENT ON SEQUENCE wh.movements_id_seq IS 'Movement numbers';
