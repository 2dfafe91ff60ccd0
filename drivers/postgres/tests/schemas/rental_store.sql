-- A rental-store schema of pagila's size, written for these tests.
create type rating as enum ('G', 'PG', 'PG-13', 'R', 'NC-17');
create domain year_no as integer constraint year_no_check check (value >= 1901 and value <= 2155);
create function touch_updated() returns trigger language plpgsql as $$ begin new.updated_at := now(); return new; end $$;
create table country (country_id serial primary key, country text not null, updated_at timestamptz not null default now());
create table city (city_id serial primary key, city text not null, country_id int not null references country on update cascade on delete restrict, updated_at timestamptz not null default now());
create table address (address_id serial primary key, address text not null, address2 text, district text not null, city_id int not null references city on update cascade on delete restrict, postal_code text, phone text not null, updated_at timestamptz not null default now());
create table language (language_id serial primary key, name char(20) not null, updated_at timestamptz not null default now());
create table category (category_id serial primary key, name text not null, updated_at timestamptz not null default now());
create table actor (actor_id serial primary key, first_name text not null, last_name text not null, updated_at timestamptz not null default now());
create table film (
  film_id serial primary key, title text not null, description text, release_year year_no,
  language_id int not null references language on update cascade on delete restrict,
  original_language_id int references language (language_id) on update cascade on delete restrict,
  rental_duration smallint not null default 3, rental_rate numeric(4,2) not null default 4.99,
  length smallint, replacement_cost numeric(5,2) not null default 19.99, rating rating default 'G',
  updated_at timestamptz not null default now(), special_features text[], fulltext tsvector not null default ''
);
create table film_actor (actor_id int not null references actor on update cascade on delete restrict, film_id int not null references film on update cascade on delete restrict, updated_at timestamptz not null default now(), primary key (actor_id, film_id));
create table film_category (film_id int not null references film on update cascade on delete restrict, category_id int not null references category on update cascade on delete restrict, updated_at timestamptz not null default now(), primary key (film_id, category_id));
create table store (store_id serial primary key, manager_staff_id int not null, address_id int not null references address on update cascade on delete restrict, updated_at timestamptz not null default now());
create table staff (staff_id serial primary key, first_name text not null, last_name text not null, address_id int not null references address on update cascade on delete restrict, email text, store_id int not null references store, active boolean not null default true, username text not null, password text, updated_at timestamptz not null default now(), picture bytea);
alter table store add constraint store_manager_fk foreign key (manager_staff_id) references staff on update cascade on delete restrict deferrable initially deferred;
create table customer (customer_id serial primary key, store_id int not null references store on update cascade on delete restrict, first_name text not null, last_name text not null, email text, address_id int not null references address on update cascade on delete restrict, activebool boolean not null default true, create_date date not null default current_date, updated_at timestamptz default now(), active int);
create table inventory (inventory_id serial primary key, film_id int not null references film on update cascade on delete restrict, store_id int not null references store on update cascade on delete restrict, updated_at timestamptz not null default now());
create table rental (rental_id serial primary key, rental_date timestamptz not null, inventory_id int not null references inventory on update cascade on delete restrict, customer_id int not null references customer on update cascade on delete restrict, return_date timestamptz, staff_id int not null references staff, updated_at timestamptz not null default now());
create table payment (payment_id serial, customer_id int not null references customer, staff_id int not null references staff, rental_id int references rental on delete set null, amount numeric(5,2) not null check (amount >= 0), payment_date timestamptz not null, primary key (payment_date, payment_id)) partition by range (payment_date);
create table payment_p2022_01 partition of payment for values from ('2022-01-01') to ('2022-02-01');
create table payment_p2022_02 partition of payment for values from ('2022-02-01') to ('2022-03-01');
create index idx_actor_last_name on actor (last_name);
create index idx_fk_address_city on address (city_id);
create index idx_fk_city_country on city (country_id);
create index idx_fk_film_language on film (language_id);
create index film_fulltext_idx on film using gist (fulltext);
create index idx_title on film (title);
create unique index idx_unq_rental on rental (rental_date, inventory_id, customer_id);
create index idx_last_name on customer (last_name);
create unique index idx_unq_manager on store (manager_staff_id);
create index idx_store_film on inventory (store_id, film_id);
create trigger last_updated before update on actor for each row execute function touch_updated();
create trigger last_updated before update on film for each row execute function touch_updated();
create trigger last_updated before update on customer for each row execute function touch_updated();
create view actor_info as select a.actor_id, a.first_name, a.last_name, count(fa.film_id) as films from actor a left join film_actor fa on fa.actor_id = a.actor_id group by a.actor_id, a.first_name, a.last_name;
create view film_list as select f.film_id as fid, f.title, c.name as category, f.rental_rate as price, f.length, f.rating from film f left join film_category fc on fc.film_id = f.film_id left join category c on c.category_id = fc.category_id;
create view customer_list as select cu.customer_id as id, cu.first_name || ' ' || cu.last_name as name, a.address, a.phone, city.city, country.country from customer cu join address a on a.address_id = cu.address_id join city on city.city_id = a.city_id join country on country.country_id = city.country_id;
create materialized view rental_by_category as select c.name as category, sum(p.amount) as total_sales from payment p join rental r on r.rental_id = p.rental_id join inventory i on i.inventory_id = r.inventory_id join film_category fc on fc.film_id = i.film_id join category c on c.category_id = fc.category_id group by c.name;
create unique index rental_category on rental_by_category (category);
create function film_in_stock(p_film_id int, p_store_id int) returns setof int language sql as $$ select inventory_id from inventory where film_id = p_film_id and store_id = p_store_id $$;
create function last_day(timestamptz) returns date language sql immutable strict as $$ select (date_trunc('month', $1) + interval '1 month' - interval '1 day')::date $$;
comment on table film is 'films in the catalog';
