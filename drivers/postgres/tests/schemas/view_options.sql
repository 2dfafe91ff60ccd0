create table base (id int primary key, v int check (v > 0));
create view cascaded as select * from base where v > 10 with cascaded check option;
create view on_cascaded as select * from cascaded where v < 100 with local check option;
create view recursive_nums as with recursive n(i) as (select 1 union all select i + 1 from n where i < 10) select i from n;
create view with_values as select * from (values (1, 'a'), (2, 'b')) as t(num, letter);
create view func_view as select id, upper(v::text) as u, now() as at from base;
