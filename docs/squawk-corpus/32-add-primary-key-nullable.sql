ALTER TABLE accounts ADD PRIMARY KEY (id, owner);
