SET lock_timeout = '2s';
CREATE INDEX users_email ON users (email);
