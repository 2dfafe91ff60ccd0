create table sales (id int not null, region text not null, sold date not null) partition by list (region);
create table sales_eu partition of sales for values in ('eu') partition by range (sold);
create table sales_eu_2024 partition of sales_eu for values from ('2024-01-01') to ('2025-01-01');
create table sales_us partition of sales for values in ('us');
alter table sales_us add constraint sales_us_check check (id > 0);
