create table m (id int not null, d date not null) partition by range (d); create table m_2020 partition of m for values from ('2020-01-01') to ('2021-01-01');
