create unlogged table cache_entries (key text primary key, value bytea, expires_at timestamp(0));
create table tuned (id int primary key, v text) with (fillfactor = 70, autovacuum_enabled = false);
create index tuned_v_idx on tuned (v) with (fillfactor = 50);
