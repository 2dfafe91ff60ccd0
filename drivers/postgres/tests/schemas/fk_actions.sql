create table p (a int, b int, primary key (a, b), u int unique);
create table c1 (id int, a int, b int, foreign key (a, b) references p (a, b) on delete cascade on update cascade);
create table c2 (id int, a int, b int, foreign key (a, b) references p on delete set null on update restrict);
create table c3 (id int, u int default 0 references p (u) on delete set default);
create table c4 (id int, a int, b int, constraint full_fk foreign key (a, b) references p match full on delete restrict);
create table selfref (id int primary key, parent int references selfref (id) on delete no action);
create table cyc_a (id int primary key, b_id int);
create table cyc_b (id int primary key, a_id int references cyc_a (id));
alter table cyc_a add constraint cyc_a_b_fk foreign key (b_id) references cyc_b (id);
