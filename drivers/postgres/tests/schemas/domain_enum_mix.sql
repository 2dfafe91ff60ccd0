create schema lib;
create type lib.color as enum ('red', 'green');
create domain lib.short_text as varchar(20) collate "C" check (length(value) > 0);
create domain lib.colors as lib.color[];
create table palette (id int primary key, main lib.color not null default 'red', names lib.short_text[], extra lib.colors);
create table lib.local_use (c lib.color, t lib.short_text);
