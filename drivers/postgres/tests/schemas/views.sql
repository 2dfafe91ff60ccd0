create table emp (id int primary key, name text, dept text, salary numeric);
create view emp_names as select id, name from emp;
create view emp_it as select * from emp where dept = 'it' with local check option;
create view emp_it_names as select name from emp_it;
create view emp_by_dept as select dept, count(*) as n, avg(salary) as avg_salary from emp group by dept;
create view emp_secure with (security_invoker = true) as select id from emp;
create view emp_cols (emp_id, emp_name) as select id, name from emp;
comment on view emp_names is 'names only';
