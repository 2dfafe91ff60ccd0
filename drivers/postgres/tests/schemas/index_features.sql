create table items (
  id int primary key,
  name text,
  sku varchar(40),
  price numeric,
  created timestamptz,
  data jsonb,
  deleted boolean default false
);
create index items_name_desc on items (name desc nulls last, id asc nulls first);
create index items_lower_name on items (lower(name));
create index items_expr2 on items ((price * 2), (coalesce(sku, '')));
create unique index items_sku_live on items (sku) where not deleted;
create index items_inc on items (created) include (name, price);
create unique index items_nnd on items (sku, name) nulls not distinct;
create index items_data on items using gin (data jsonb_path_ops);
create index items_hash on items using hash (sku);
create index items_brin on items using brin (created) with (pages_per_range = 32);
create index items_collate on items (name collate "C" text_pattern_ops);
create index items_partial on items (price) where price > 100 and name is not null;
alter table items add constraint items_name_uniq unique nulls not distinct (name) include (sku);
comment on index items_lower_name is 'case insensitive lookups';
comment on index items_name_uniq is 'constraint index';
