create extension if not exists "uuid-ossp";
create table all_types (
  c_int2 smallint, c_int4 integer, c_int8 bigint,
  c_num numeric, c_num_p numeric(8), c_num_ps numeric(10,3),
  c_real real, c_double double precision, c_money money,
  c_bool boolean, c_text text, c_varchar varchar, c_varchar_n varchar(17), c_char char, c_char_n char(4), c_name name, c_qchar "char",
  c_bytea bytea, c_date date, c_time time, c_time3 time(3), c_timetz timetz, c_ts timestamp, c_ts0 timestamp(0), c_tstz timestamptz, c_tstz3 timestamptz(3),
  c_interval interval, c_interval_f interval year to month, c_interval_p interval(2), c_interval_fp interval day to second(3),
  c_json json, c_jsonb jsonb, c_uuid uuid default uuid_generate_v4(), c_uuid2 uuid default gen_random_uuid(),
  c_bit bit(3), c_varbit varbit(9), c_varbit_u bit varying,
  c_inet inet, c_cidr cidr, c_macaddr macaddr, c_macaddr8 macaddr8,
  c_point point, c_line line, c_box box, c_polygon polygon, c_circle circle, c_path path, c_lseg lseg,
  c_tsvector tsvector, c_tsquery tsquery, c_xml xml, c_int4range int4range, c_tstzrange tstzrange, c_oid oid, c_regclass regclass,
  c_text_c text collate "C", c_text_posix varchar(5) collate "POSIX"
);
