create table users (
  id bigint generated always as identity primary key,
  email varchar(255) not null unique,
  name text,
  created_at timestamptz not null default now(),
  score numeric(10,2) default 0,
  active boolean default true
);
create table posts (
  id serial primary key,
  user_id bigint not null references users(id) on delete cascade,
  title text not null,
  body text
);
create index posts_user_idx on posts (user_id);
comment on table users is 'people';
comment on column users.email is 'login';
