create table p (id int primary key); create table t (id int primary key, p int constraint t_p_fk references p, v int constraint v_pos check (v > 0), u text constraint t_u_key unique);
