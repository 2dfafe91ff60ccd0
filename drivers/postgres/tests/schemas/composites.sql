create type address as (street text, city varchar(100), zip char(5));
create type money_amount as (amount numeric(12,2), currency char(3));
create table shop (id int primary key, addr address, price money_amount, history address[]);
comment on type address is 'postal address';
