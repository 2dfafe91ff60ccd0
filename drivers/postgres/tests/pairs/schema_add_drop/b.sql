create schema new_s; create table t (id int primary key); create table new_s.y (id int primary key, t_id int references public.t (id));
