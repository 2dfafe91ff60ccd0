create table orders (
  id bigint not null,
  region text not null,
  amount numeric(12,2),
  primary key (id, region)
) partition by list (region);
create table orders_eu partition of orders for values in ('de', 'fr', 'it');
create table orders_us partition of orders for values in ('us');
create table events (id bigint not null, payload jsonb) partition by hash (id);
create table events_0 partition of events for values with (modulus 2, remainder 0);
create table events_1 partition of events for values with (modulus 2, remainder 1);
create table logs (ts timestamp not null, msg text) partition by range (date_trunc('day', ts));
create table logs_2024 partition of logs for values from ('2024-01-01') to ('2025-01-01');
