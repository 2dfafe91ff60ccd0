create table raw_types (id int, ts tsvector, pos point, r numrange, t tstzmultirange);
create index raw_types_ts on raw_types using gin (ts);
