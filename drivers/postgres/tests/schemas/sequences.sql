create sequence plain_seq;
create sequence custom_seq as integer increment by 5 minvalue 10 maxvalue 100000 start with 20 cache 10 cycle;
create sequence desc_seq increment by -1;
create table uses_seq (id bigint default nextval('plain_seq'), code int default nextval('custom_seq'::regclass));
create sequence owned_seq owned by uses_seq.id;
comment on sequence plain_seq is 'ids';
