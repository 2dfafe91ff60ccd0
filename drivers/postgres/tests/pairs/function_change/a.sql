create table t (id int primary key); create function f(x int) returns int language sql as $$ select x $$; create function g() returns text language sql as $$ select 'a' $$;
