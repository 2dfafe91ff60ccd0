create type mood as enum ('sad', 'ok', 'happy');
create type "Weird Enum" as enum ('a''b', 'c d');
create table person (name text, current_mood mood default 'ok', moods mood[], w "Weird Enum");
comment on type mood is 'feelings';
