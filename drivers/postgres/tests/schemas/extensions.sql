create extension citext;
create extension hstore;
create extension pg_trgm;
create table docs (id int primary key, title citext, attrs hstore, body text);
create index docs_body_trgm on docs using gin (body gin_trgm_ops);
create index docs_title_trgm on docs using gist (title gist_trgm_ops);
