create table sale (id int primary key, region text, amount numeric, sold_at date);
create materialized view sale_totals as select region, sum(amount) as total from sale group by region;
create unique index sale_totals_region on sale_totals (region);
create index sale_totals_total on sale_totals (total desc);
create materialized view sale_daily as select sold_at, count(*) as n from sale group by sold_at with no data;
create view sale_top as select * from sale_totals where total > 100;
comment on materialized view sale_totals is 'per region';
