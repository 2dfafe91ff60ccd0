create domain posint as integer check (value > 0);
create domain email as text not null constraint email_check check (value ~ '@');
create domain us_zip as varchar(10) default '00000' constraint zip_len check (length(value) >= 5) constraint zip_digits check (value ~ '^[0-9-]+$');
create domain tags as text[];
create table contact (id posint primary key, mail email, zip us_zip, labels tags);
comment on domain email is 'an address';
