create table s1 (id serial primary key, v text);
create table s2 (id bigserial primary key, v text);
create table s3 (id smallserial, other_id serial);
