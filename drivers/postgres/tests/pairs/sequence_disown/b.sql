create sequence t_id_seq as integer; create table keep (n int default nextval('t_id_seq'));
