create table counters (name text primary key, value bigint not null default 0);
create function add_one(i integer) returns integer language sql immutable as $$ select i + 1 $$;
create function add_one(i bigint) returns bigint language sql immutable as $$ select i + 1 $$;
create function bump(n text) returns bigint language plpgsql as $$
declare v bigint;
begin
  update counters set value = value + 1 where name = n returning value into v;
  return v;
end $$;
create function counter_table() returns table (name text, value bigint) language sql stable as $$ select name, value from counters $$;
create function strict_secdef(a text, b text default 'x') returns text language sql strict security definer as $$ select a || b $$;
create procedure reset_counters(in keep text) language plpgsql as $$ begin delete from counters where name <> keep; end $$;
create function sql_body(a int) returns int language sql begin atomic select a * 2; end;
comment on function add_one(integer) is 'increments';
comment on procedure reset_counters(text) is 'wipe';
