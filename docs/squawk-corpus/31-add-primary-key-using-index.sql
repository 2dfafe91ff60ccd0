-- atlas:txmode none

CREATE UNIQUE INDEX CONCURRENTLY accounts_id ON accounts (id);
ALTER TABLE accounts ADD CONSTRAINT accounts_pkey PRIMARY KEY USING INDEX accounts_id;
