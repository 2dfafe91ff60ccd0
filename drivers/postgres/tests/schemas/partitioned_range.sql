create table measurement (
  city_id int not null,
  logdate date not null,
  peaktemp int,
  unitsales int
) partition by range (logdate);
create table measurement_y2020 partition of measurement for values from ('2020-01-01') to ('2021-01-01');
create table measurement_y2021 partition of measurement for values from ('2021-01-01') to ('2022-01-01');
create table measurement_default partition of measurement default;
create index measurement_city_idx on measurement (city_id);
create table pk_part (id int, d date, primary key (id, d)) partition by range (d);
create table pk_part_2020 partition of pk_part for values from ('2020-01-01') to ('2021-01-01');
create table refs_part (id int, d date, foreign key (id, d) references pk_part on delete cascade);
comment on table pk_part is 'partitioned with a key';
