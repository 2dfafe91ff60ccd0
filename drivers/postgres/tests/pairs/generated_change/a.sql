create table t (a int, b int generated always as (a * 2) stored, c int generated always as (a + 1) stored);
