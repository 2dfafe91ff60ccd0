-- atlas:txmode none

DROP INDEX CONCURRENTLY orders_status;
