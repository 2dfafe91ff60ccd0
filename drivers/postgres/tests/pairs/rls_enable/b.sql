create table t (id int primary key, owner text); alter table t enable row level security; alter table t force row level security; create policy own on t using (owner = current_user);
